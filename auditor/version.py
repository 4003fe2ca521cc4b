"""The package version, in a module of its own: the report, the history and the CLI read it
without importing the package's lazy API (``auditor/__init__.py``)."""

__version__ = "0.1.0"
