"""auditor: is this training data ready to fine-tune on, and if not, what is missing?

The public API is imported lazily so that ``import auditor`` (and so
``auditor --help``) stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.version import __version__

__all__ = ["audit", "clean", "CleanResult", "Report", "NotReadyError", "sample", "__version__"]

if TYPE_CHECKING:
    from auditor.api import audit, sample
    from auditor.cleaning import CleanResult, clean
    from auditor.report.model import Report
    from auditor.runtime.errors import NotReadyError


def __getattr__(name: str) -> Any:
    if name in ("audit", "sample"):
        from auditor import api

        return getattr(api, name)
    if name == "Report":
        from auditor.report.model import Report

        return Report
    if name == "NotReadyError":
        from auditor.runtime.errors import NotReadyError

        return NotReadyError
    if name in ("clean", "CleanResult"):
        # The module is "cleaning", not "clean": importing a submodule binds its
        # name on the package, which would shadow the clean() function.
        from auditor import cleaning

        return getattr(cleaning, name)
    raise AttributeError(f"module 'auditor' has no attribute {name!r}")
