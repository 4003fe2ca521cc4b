"""Compatibility module for check plugins written against ``checks.base``.

The engine's vocabulary lives in ``auditor.core`` (findings in
``auditor.core.findings``, the Check protocol in ``auditor.core.protocol``);
new code, built-in checks included, imports it from there. Third-party checks
registered under the ``auditor.checks`` entry point may import these names
from ``checks.base``, as they could before the move: this module re-exports
the very same objects and defines nothing of its own.
"""

from auditor.core.findings import (
    CODE_PATTERN,
    CheckResult,
    CodeInfo,
    Finding,
    RecordId,
    Severity,
    Status,
    code_table,
    status_of,
)
from auditor.core.protocol import Check

__all__ = [
    "CODE_PATTERN",
    "Check",
    "CheckResult",
    "CodeInfo",
    "Finding",
    "RecordId",
    "Severity",
    "Status",
    "code_table",
    "status_of",
]
