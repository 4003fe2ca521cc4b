"""The double-labelling sample: what `auditor sample` draws and the sheet writers format.

The draw itself is judgement (which records are usable, how many items the
precision target needs) and lives with the checks (``checks.sampling``, named
by string in ``auditor.core.registry.SAMPLER``); this is the vocabulary the
engine, the API and the writers share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from auditor.core.findings import RecordId
from auditor.core.rubric import Criterion


@dataclass(frozen=True)
class SampleItem:
    id: RecordId
    input: str
    output: str
    stratum: str | None = None


@dataclass(frozen=True)
class Sample:
    """The drawn items, the raters' slots, and why this many."""

    items: tuple[SampleItem, ...]
    raters: tuple[str, ...]  # the rater slots, e.g. ("rater_1", "rater_2")
    criteria: tuple[Criterion, ...] = ()  # the rubric; empty: one label per rater
    labels: tuple[str, ...] = ()  # the label choices offered when there is no rubric (may be empty: free text)
    reasoning: str = ""  # one line: how many items and why
    requested: int | None = None  # --n, when given
    eligible: int = 0  # records that could be drawn
    excluded: dict[str, int] = field(default_factory=dict)  # why the others could not (empty, duplicate, ...)
    stratified_by: str = "none"  # "category", "task group" or "none"
    strata: dict[str, int] = field(default_factory=dict)  # items drawn per stratum
    seed: int = 0

    def columns(self, rater: str | None = None) -> list[str]:
        """The answer columns of the sheet (of one rater's sheet): per rater, or per rater and criterion (``rater:criterion``)."""
        raters = self.raters if rater is None else (rater,)
        if not self.criteria:
            return list(raters)
        return [f"{r}:{c.name}" for r in raters for c in self.criteria]

    def summary(self) -> dict[str, Any]:
        return {
            "items": len(self.items),
            "requested": self.requested,
            "eligible": self.eligible,
            "excluded": dict(self.excluded),
            "stratified_by": self.stratified_by,
            "strata": dict(self.strata),
            "raters": list(self.raters),
            "criteria": [c.to_dict() for c in self.criteria],
            "reasoning": self.reasoning,
            "seed": self.seed,
        }
