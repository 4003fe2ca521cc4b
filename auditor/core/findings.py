"""The engine's vocabulary of results: codes, findings, check results.

Checks build these; the pipeline applies policy to them, the verdict turns
them into gaps, renderers format them. Nothing here imports a check.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

#: A record id: the record's own id field when it has one, else its 1-based line
#: or row number.
RecordId = Union[str, int]

CODE_PATTERN = re.compile(r"^[A-Z]{3}\d{3}$")


class Severity(str, enum.Enum):
    """How much a finding weighs in the verdict."""

    BLOCKER = "blocker"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"blocker": 2, "warning": 1, "info": 0}[self.value]


class Status(str, enum.Enum):
    """A check's overall state in the report."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True)
class CodeInfo:
    """Everything a user needs to know about one finding code.

    ``auditor explain CODE`` prints it; the registry meta-test keeps it honest.
    """

    code: str
    symbol: str  # kebab-case, stable, e.g. "too-few-examples"
    severity: Severity  # default; the config may override it per code
    summary: str  # what the code means, one line
    why: str  # why it matters for fine-tuning
    fix: str  # how to fix it
    threshold: str = ""  # the default threshold in words, when there is one

    def __post_init__(self) -> None:
        if not CODE_PATTERN.match(self.code):
            raise ValueError(f"finding code {self.code!r} must look like ABC123")
        if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", self.symbol):
            raise ValueError(f"symbol {self.symbol!r} of {self.code} must be kebab-case")

    def finding(
        self,
        message: str,
        action: str,
        ids: Sequence[RecordId] = (),
        *,
        severity: Severity | None = None,
        groups: Sequence[str | None] | None = None,
        count: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Finding:
        """A finding of this code, at its default severity unless told otherwise."""
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message=message,
            action=action,
            ids=tuple(ids),
            groups=None if groups is None else tuple(groups),
            count=count,
            details=dict(details or {}),
        )


@dataclass(frozen=True)
class Finding:
    """One problem a check found, with the numbers and the examples behind it.

    ``ids`` lists every affected record (all of them: renderers cut for display,
    the export writes them all). ``groups``, when given, is aligned with ``ids``
    and ties examples flagged together (a duplicate cluster, a conflict group).
    ``count`` is the size of the problem in its own unit (records by default).
    """

    code: str
    severity: Severity
    message: str
    action: str
    ids: tuple[RecordId, ...] = ()
    groups: tuple[str | None, ...] | None = None
    count: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.groups is not None and len(self.groups) != len(self.ids):
            raise ValueError(f"{self.code}: groups must align with ids")
        if self.count is None:
            object.__setattr__(self, "count", len(self.ids))

    @property
    def size(self) -> int:
        return int(self.count or 0)

    def group_of(self, index: int) -> str | None:
        return None if self.groups is None else self.groups[index]

    def to_dict(self, max_ids: int | None = None) -> dict[str, Any]:
        ids = list(self.ids if max_ids is None else self.ids[:max_ids])
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "action": self.action,
            "count": self.size,
            "example_ids": ids,
        }
        if self.details:
            out["details"] = dict(self.details)
        return out


@dataclass(frozen=True)
class CheckResult:
    """What one check computed: named metrics and its findings."""

    name: str
    metrics: Mapping[str, Any] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    status: Status | None = None  # derived from findings unless set (skipped/error)
    note: str = ""  # why a check was skipped, or the error text

    def __post_init__(self) -> None:
        if self.status is None:
            object.__setattr__(self, "status", status_of(self.findings))

    @classmethod
    def skipped(cls, name: str, reason: str, metrics: Mapping[str, Any] | None = None) -> CheckResult:
        return cls(name=name, metrics=metrics or {}, status=Status.SKIPPED, note=reason)


def status_of(findings: Sequence[Finding]) -> Status:
    worst = max((f.severity.rank for f in findings), default=-1)
    return {2: Status.FAIL, 1: Status.WARN}.get(worst, Status.PASS)


def code_table(*infos: CodeInfo) -> dict[str, CodeInfo]:
    """Index a check's codes, refusing duplicates."""
    table: dict[str, CodeInfo] = {}
    for info in infos:
        if info.code in table:
            raise ValueError(f"duplicate finding code {info.code}")
        table[info.code] = info
    return table
