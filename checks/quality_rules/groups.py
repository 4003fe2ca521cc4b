"""Systematic defects: break a finding down by a source/template/category field.

1,400 empty outputs spread over 294 templates are 1,400 slips; the same 1,400
coming from 7 templates, every record of each, are one bug in one export step.
A defect is *concentrated* when the fewest groups holding ``share`` of the
flagged records are at most ``max_groups_share`` of all groups, and the defect
rate inside them is at least ``min_rate`` and twice the rate elsewhere: a few
records in each of many templates that share source passages is not one bug.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from auditor.core.columns import Coded

MISSING = "(none)"


@dataclass(frozen=True)
class GroupField:
    """One grouping field: each record's group and each group's size."""

    name: str
    values: Sequence[str]
    totals: Counter[str]

    @classmethod
    def of(cls, name: str, raw: Sequence[object]) -> GroupField:
        if isinstance(raw, Coded):  # a partitioned run's column: mapped value by value, one code per record kept
            coded = raw.relabel(_group_name)
            return cls(name, coded, Counter(dict(zip(coded.values, coded.counts().tolist()))))
        values = [_group_name(v) for v in raw]
        return cls(name, values, Counter(values))


def _group_name(value: object) -> str:
    return MISSING if value is None or value == "" else str(value)


@dataclass(frozen=True)
class Breakdown:
    field: str
    rows: list[tuple[str, int, int]]  # (group, flagged, records), most flagged first
    groups_total: int
    top: list[tuple[str, int, int]]  # the fewest groups holding the concentration share
    concentrated: bool

    @property
    def flagged(self) -> int:
        return sum(r[1] for r in self.rows)

    def details(self, limit: int = 20) -> dict[str, dict[str, int]]:
        return {g: {"flagged": f, "records": t} for g, f, t in self.rows[:limit]}

    def sentence(self) -> str:
        """'all 1,400 come from 7 of 294 templates (a 200/200, ...): one systematic cause ...'."""
        held = sum(r[1] for r in self.top)
        shown = ", ".join(f"{g} {f}/{t}" for g, f, t in self.top[:5]) + (", ..." if len(self.top) > 5 else "")
        lead = "all" if held == self.flagged else f"{held} ({held / self.flagged:.0%})"
        whole = sum(1 for _, f, t in self.top if f == t)
        every = f"; every record of {whole} of them is affected" if whole else ""
        return (
            f"{lead} come from {len(self.top)} of {self.groups_total} {_plural(self.field)} ({shown}){every}: "
            "a systematic cause in those groups, not scattered slips"
        )


def breakdown(
    indices: Sequence[int], field: GroupField, share: float, max_groups_share: float, min_records: int, min_rate: float
) -> Breakdown:
    flagged = Counter(field.values[i] for i in indices)
    rows = sorted(((g, n, field.totals[g]) for g, n in flagged.items()), key=lambda r: (-r[1], r[0]))
    n = len(indices)
    groups_total = len(field.totals)
    top: list[tuple[str, int, int]] = []
    held = 0
    for row in rows:
        # Groups tied with the last one taken belong with it: 7 templates of 200 are
        # named together even when 6 of them already hold the share.
        if held >= share * n and row[1] < top[-1][1]:
            break
        top.append(row)
        held += row[1]
    concentrated = False
    if n >= min_records and groups_total >= 2 and len(top) <= max(1, int(max_groups_share * groups_total)):
        top_records = sum(r[2] for r in top)
        rest_records = sum(field.totals.values()) - top_records
        rate_top = held / top_records
        rate_rest = (n - held) / rest_records if rest_records else 0.0
        concentrated = rest_records > 0 and rate_top >= min_rate and rate_top >= 2 * rate_rest
    return Breakdown(field.name, rows, groups_total, top, concentrated)


def members(values: Sequence[str]) -> dict[str, np.ndarray]:
    """Record indices of each group (one sort, not one scan per group)."""
    if isinstance(values, Coded):
        return {str(v): idx for v, idx in values.members().items()}
    keys = np.asarray(values, dtype=object)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]) if len(keys) else np.array([], dtype=int)
    ends = np.r_[starts[1:], len(order)]
    return {str(sorted_keys[s]): order[s:e] for s, e in zip(starts, ends)}


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"
