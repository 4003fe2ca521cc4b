"""Category counts, shares and gaps: plain counting, no judgement."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CategoryStats:
    counts: dict[str, int]  # records per category, largest first
    uncategorised: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def shares(self) -> dict[str, float]:
        total = max(self.total, 1)
        return {c: round(n / total, 4) for c, n in self.counts.items()}

    @property
    def imbalance_ratio(self) -> float | None:
        """Largest category over smallest; None with fewer than two categories."""
        if len(self.counts) < 2:
            return None
        values = self.counts.values()
        return max(values) / min(values)

    @property
    def min_count(self) -> int | None:
        return min(self.counts.values()) if self.counts else None

    def below(self, minimum: int) -> dict[str, int]:
        return {c: n for c, n in self.counts.items() if n < minimum}

    def missing(self, required: Iterable[str]) -> list[str]:
        return [c for c in dict.fromkeys(required) if c not in self.counts]

    def to_metrics(self) -> dict[str, Any]:
        return {
            "categories": dict(self.counts),
            "category_shares": self.shares,
            "uncategorised_records": self.uncategorised,
            "imbalance_ratio": None if self.imbalance_ratio is None else round(self.imbalance_ratio, 3),
            "min_category_count": self.min_count,
        }


def category_stats(categories: Sequence[str | None] | None) -> CategoryStats:
    if categories is None:
        return CategoryStats(counts={}, uncategorised=0)
    counter = Counter(c for c in categories if c is not None)
    ordered = dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
    return CategoryStats(counts=ordered, uncategorised=sum(1 for c in categories if c is None))


def unseen(train: CategoryStats, other: Sequence[str | None] | None) -> dict[str, int]:
    """Categories in another dataset with no training record, with their counts there."""
    if other is None:
        return {}
    counter = Counter(c for c in other if c is not None and c not in train.counts)
    return dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
