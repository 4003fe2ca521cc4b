"""Gap and verdict policy: findings in, a verdict and an ordered list of gaps out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.core.findings import CheckResult, Finding, Severity

READY = "READY"
READY_WITH_WARNINGS = "READY_WITH_WARNINGS"
NOT_READY = "NOT_READY"
VERDICTS = (READY, READY_WITH_WARNINGS, NOT_READY)

MAX_EXAMPLE_IDS = 20  # ids listed per gap in the report; the full list is in the export


@dataclass(frozen=True)
class Gap:
    """A finding that stands between the data and READY, with the check it came from."""

    check: str
    finding: Finding

    def to_dict(self) -> dict[str, Any]:
        f = self.finding
        out = {
            "code": f.code,
            "severity": f.severity.value,
            "check": self.check,
            "message": f.message,
            "action": f.action,
            "count": f.size,
            "example_ids": list(f.ids[:MAX_EXAMPLE_IDS]),
        }
        return out


def gaps_of(results: Mapping[str, CheckResult]) -> list[Gap]:
    """Blockers first, then warnings; within a severity, in check order.

    Info findings are context, not gaps: they stay in their check's findings.
    """
    gaps = [
        Gap(name, f) for name, r in results.items() for f in r.findings if f.severity is not Severity.INFO
    ]
    order = {name: i for i, name in enumerate(results)}
    gaps.sort(key=lambda g: (-g.finding.severity.rank, order[g.check]))
    return gaps


def verdict_of(gaps: list[Gap]) -> str:
    if any(g.finding.severity is Severity.BLOCKER for g in gaps):
        return NOT_READY
    if gaps:
        return READY_WITH_WARNINGS
    return READY


def exit_code(verdict: str, strict: bool) -> int:
    """0 ready (warnings allowed unless strict), 1 not ready."""
    if verdict == NOT_READY or (strict and verdict == READY_WITH_WARNINGS):
        return 1
    return 0
