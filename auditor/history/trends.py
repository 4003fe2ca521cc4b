"""Trends over recorded runs, and regressions named in words.

A trend is one metric's values over runs, oldest first. A regression is a step
between two consecutive runs where a metric moved the bad way: "alpha fell
from 0.84 to 0.71 between batch 12 and batch 13". Which way is bad comes from
a small table of known metric names; metrics not in it (counts that only
describe the batch, like ``total_records``) get a trend but never a
regression. Nothing here reads files or renders: see ``auditor.history.render``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.history.store import Run

HIGHER = "higher"
LOWER = "lower"

#: Which direction is better, by the metric's own name (the part after the
#: check's name), first match wins. Words inside a metric name are matched
#: whole (``empty`` matches ``empty_outputs``, not ``nonempty``).
DIRECTIONS: tuple[tuple[str, str], ...] = (
    # agreement: consistent labelling is the readiness rule
    (r"^alpha(_ci_low|_ci_high)?$", HIGHER),
    (r"^kappa", HIGHER),
    # count: what the readiness threshold counts
    (r"^effective_(examples|share)$", HIGHER),
    (r"^valid_records$", HIGHER),
    # coverage: how much of production the data spans
    (r"(^|_)coverage($|_)", HIGHER),
    (r"^covered_", HIGHER),
    # configured thresholds echoed as metrics are not movements of the data
    (r"^(min|max)_", ""),
    # defects: fewer is better, as counts and as shares
    (r"(^|_)(duplicates?|duplicate|conflicts?|conflicting|contradict\w*|leaked|leakage)($|_)", LOWER),
    (r"(^|_)(pii|secrets?|empty|truncated|refusals?|boilerplate|malformed|invalid|unreadable|encoding)($|_)", LOWER),
    (r"(^|_)(over_token_limit|outliers?|failed|blank_lines|uncategorised)($|_)", LOWER),
)
_COMPILED = tuple((re.compile(p), d) for p, d in DIRECTIONS)

#: A step smaller than this share of the earlier value is noise, not a regression.
RELATIVE_TOLERANCE = 0.01


def direction(metric: str) -> str | None:
    """'higher' or 'lower' (which is better) for a flattened ``check.metric`` name, else None.

    Only the metric's own name counts: ``count.per_category.pii`` is a category
    called "pii", not a personal-data count.
    """
    parts = metric.split(".")
    if len(parts) > 2:
        return None
    name = parts[-1]
    for pattern, way in _COMPILED:
        if pattern.search(name):
            return way or None
    return None


@dataclass(frozen=True)
class Point:
    run_id: int | None
    label: str
    time: str
    value: float


@dataclass(frozen=True)
class Regression:
    metric: str
    name: str  # how the sentence calls it: the short name when unambiguous
    before: Point
    after: Point
    better: str

    def sentence(self) -> str:
        verb = "fell" if self.after.value < self.before.value else "rose"
        return (
            f"{self.name} {verb} from {number(self.before.value)} to {number(self.after.value)} "
            f"between {self.before.label} and {self.after.label}"
        )


@dataclass(frozen=True)
class Trend:
    metric: str
    points: tuple[Point, ...]
    better: str | None  # HIGHER, LOWER or None when neither is known

    @property
    def last(self) -> Point:
        return self.points[-1]

    @property
    def previous(self) -> Point | None:
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def change(self) -> float | None:
        prev = self.previous
        return None if prev is None else self.last.value - prev.value

    def is_worse(self, before: float, after: float, tolerance: float = RELATIVE_TOLERANCE) -> bool:
        if self.better is None or before == after:
            return False
        worse = after < before if self.better == HIGHER else after > before
        return worse and abs(after - before) > tolerance * abs(before)


def number(value: float) -> str:
    """640.0 -> '640', 0.8412 -> '0.841', 0.7 -> '0.7'."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def trends(runs: Sequence[Run], metrics: Iterable[str] = ()) -> list[Trend]:
    """One trend per metric seen in ``runs`` (or per name in ``metrics``: exact, or a prefix such as 'count')."""
    wanted = list(metrics)
    names: dict[str, None] = {}
    for run in runs:
        for name in run.metrics:
            if not wanted or any(name == w or name.startswith(w + ".") or name.endswith("." + w) for w in wanted):
                names.setdefault(name)
    out = []
    for name in sorted(names):
        points = tuple(Point(r.id, r.label, r.time, r.metrics[name]) for r in runs if name in r.metrics)
        out.append(Trend(metric=name, points=points, better=direction(name)))
    return out


def regressions(found: Sequence[Trend], *, latest_only: bool = False, tolerance: float = RELATIVE_TOLERANCE) -> list[Regression]:
    """Every step where a metric moved the bad way, oldest first (only the last step of each with ``latest_only``)."""
    short = _short_names([t.metric for t in found])
    out: list[Regression] = []
    for trend in found:
        steps = list(zip(trend.points, trend.points[1:]))
        if latest_only:
            steps = steps[-1:]
        for before, after in steps:
            if trend.is_worse(before.value, after.value, tolerance):
                out.append(Regression(trend.metric, short[trend.metric], before, after, str(trend.better)))
    out.sort(key=lambda r: (r.after.run_id or 0, r.metric))
    return out


def _short_names(metrics: Sequence[str]) -> dict[str, str]:
    """'agreement.alpha' -> 'alpha' when no other check has an 'alpha'; the full name otherwise."""
    leaves: dict[str, int] = {}
    for m in metrics:
        leaves[m.rsplit(".", 1)[-1]] = leaves.get(m.rsplit(".", 1)[-1], 0) + 1
    return {m: (leaf if leaves[leaf] == 1 else m) for m in metrics for leaf in [m.rsplit(".", 1)[-1]]}
