"""The Report: everything a run computed, and its JSON contract.

Pipelines depend on ``to_dict()``: keys may be added, never renamed. Bump
``SCHEMA_VERSION``'s minor part when adding keys, its major part never (a
rename would be a new tool).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.core.findings import CheckResult, Finding
from auditor.core.verdict import NOT_READY, READY, Gap
from auditor.runtime.errors import NotReadyError
from auditor.version import __version__

if TYPE_CHECKING:
    from auditor.core.records import Dataset
    from auditor.load import InputInfo

SCHEMA_VERSION = "1.0"


@dataclass
class Report:
    verdict: str
    gaps: list[Gap]
    checks: dict[str, CheckResult]
    input: InputInfo
    config: dict[str, Any]
    timing: dict[str, Any]
    strict: bool = False
    dataset: Dataset | None = field(default=None, repr=False)  # for exports; not serialised
    # The eval, reference and baseline data by role, for findings that list their ids; not serialised.
    others: Mapping[str, Dataset] = field(default_factory=dict, repr=False)

    @property
    def ready(self) -> bool:
        return self.verdict == READY or (self.verdict != NOT_READY and not self.strict)

    @property
    def metrics(self) -> dict[str, Mapping[str, Any]]:
        return {name: r.metrics for name, r in self.checks.items()}

    @property
    def exit_code(self) -> int:
        from auditor.core.verdict import exit_code

        return exit_code(self.verdict, self.strict)

    def findings(self) -> Iterator[tuple[str, Finding]]:
        for name, result in self.checks.items():
            for f in result.findings:
                yield name, f

    def raise_if_not_ready(self) -> Report:
        """Raise NotReadyError (carrying this report) unless the data is ready."""
        if not self.ready:
            top = "; ".join(g.finding.message for g in self.gaps[:3])
            raise NotReadyError(self, f"{self.verdict}: {top}")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract. Finding texts and details are masked: a report travels
        further than the data (CI logs, PR comments), so no secret rides along."""
        from auditor.report.mask import mask, mask_id, mask_value

        def masked(d: dict[str, Any]) -> dict[str, Any]:
            d["message"], d["action"] = mask(d["message"]), mask(d["action"])
            d["example_ids"] = [mask_id(i) for i in d["example_ids"]]
            if "details" in d:
                d["details"] = mask_value(d["details"])
            return d

        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "auditor", "version": __version__},
            "input": self.input.to_dict(),
            "verdict": self.verdict,
            "gaps": [masked(g.to_dict()) for g in self.gaps],
            "checks": {
                name: {
                    "status": r.status.value if r.status else None,
                    "note": r.note,
                    "metrics": dict(r.metrics),
                    "findings": [masked(f.to_dict(max_ids=20)) for f in r.findings],
                }
                for name, r in self.checks.items()
            },
            "config": self.config,
            "timing": self.timing,
        }
