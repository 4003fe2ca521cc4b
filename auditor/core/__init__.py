"""The engine: its vocabulary (findings, records, context, the check protocols),
its configuration, and the loop that runs checks and turns findings into a verdict.

Everything here is imported by the rest of ``auditor`` and by ``checks``;
nothing here imports a check (the registry names the built-ins by string) or
anything above the engine (loader, renderers, command line). Submodules are
imported explicitly (``from auditor.core.findings import Finding``) so that
loading one of them loads no more than it needs.
"""
