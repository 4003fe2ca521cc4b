"""Draw the double-labelling sample: usable records only, stratified, seeded, sized for a precise alpha.

A record the audit would not train on (empty, a duplicate, contradicted:
``checks.effective``; unreadable records never reach the dataset) is never
drawn: agreement measured on them says nothing about the data that is kept.
Items are allocated to strata (categories, else task groups) in proportion to
their size, so every part of the set is judged, and the number of items comes
from the precision target ``agreement.ci_width`` when not given
(``checks.samplesize``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from auditor.core.context import Context
from auditor.core.rubric import Criterion, rubric_of
from auditor.core.sampling import Sample, SampleItem
from auditor.runtime.errors import InputError
from checks.effective import effective
from checks.samplesize import items_for_width

#: Without a rubric, outputs with at most this many distinct values are labels the raters choose from.
MAX_CHOICES = 30


def draw(ctx: Context, n: int | None = None) -> Sample:
    """The sample for ``ctx``: ``n`` items, or as many as ``agreement.ci_width`` needs."""
    data = ctx.dataset
    cfg = ctx.config.section("agreement")
    rubric = rubric_of(cfg)
    raters = tuple(f"rater_{i}" for i in range(1, int(cfg["raters"]) + 1))
    eligible, excluded = usable(ctx)
    if not eligible:
        left = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in excluded.items()) or "no records"
        raise InputError(f"no usable record to sample ({left}); fix the data first (auditor check lists why)")
    labels = _choices(data.outputs) if not rubric else ()
    reasoning, requested = "", n
    if n is None:
        n, reasoning = _size(ctx, rubric, labels, len(raters))
    if n > len(eligible):
        reasoning += ("; " if reasoning else "") + f"only {len(eligible)} usable records: all of them are drawn"
    by, strata = stratify(ctx)
    chosen = allocate(eligible, strata, min(n, len(eligible)), ctx.seed)
    items = tuple(SampleItem(data.ids[i], data.inputs[i], data.outputs[i], strata[i]) for i in chosen)
    return Sample(
        items=items,
        raters=raters,
        criteria=tuple(rubric),
        labels=labels,
        reasoning=reasoning,
        requested=requested,
        eligible=len(eligible),
        excluded=excluded,
        stratified_by=by,
        strata=dict(Counter(str(strata[i]) for i in chosen if strata[i] is not None)),
        seed=ctx.seed,
    )


def usable(ctx: Context) -> tuple[list[int], dict[str, int]]:
    """Records that may be drawn, and how many of the others were left out, by reason."""
    data = ctx.dataset
    eff = ctx.cached(effective)
    empty = [not (i.strip() and o.strip()) for i, o in zip(data.inputs, data.outputs)]
    keep = [i for i in range(len(data)) if eff.keep[i] and not empty[i]]
    excluded = {
        "unreadable": len(data.problems),
        "empty": sum(empty),
        "exact_duplicates": eff.removed_exact,
        "near_duplicates": eff.removed_near,
        "contradicting": eff.removed_conflicting,
    }
    return keep, {k: v for k, v in excluded.items() if v}


def stratify(ctx: Context) -> tuple[str, list[str | None]]:
    """Each record's stratum: its category, else its task group, else one stratum for all."""
    data = ctx.dataset
    if data.categories is not None and any(c is not None for c in data.categories):
        return "category", list(data.categories)
    groups = task_groups(ctx)
    if groups is not None:
        return "task group", groups
    return "none", [None] * len(data)


def task_groups(ctx: Context) -> list[str | None] | None:
    """The seam for task groups (issue 17): each record's group when ``checks.tasks`` offers them, else None.

    Issue 17 adds ``checks.tasks.task_groups(ctx) -> TaskGroups`` (``source``:
    "category", a field's name, "inferred" or "none"; ``values()``: each
    record's group name). Until it lands, records without a category are one
    stratum; a single group ("none") is one stratum too.
    """
    from checks import tasks

    groups_of = getattr(tasks, "task_groups", None)
    if groups_of is None:
        return None
    found = ctx.cached(groups_of)
    if getattr(found, "source", "none") == "none":
        return None
    return [None if g is None else str(g) for g in found.values()]


def allocate(eligible: Sequence[int], strata: Sequence[str | None], n: int, seed: int) -> list[int]:
    """``n`` of ``eligible``, spread over strata in proportion to their size (largest remainder), seeded.

    Every stratum with a record gets one item when ``n`` allows, so a small
    category is never left unjudged; the result is shuffled so the sheet's
    order carries no stratum (raters judge item by item, not category by category).
    """
    rng = np.random.default_rng(seed)
    members: dict[Any, list[int]] = {}
    for i in eligible:
        members.setdefault(strata[i], []).append(i)
    keys = sorted(members, key=lambda k: (k is None, str(k)))
    sizes = np.asarray([len(members[k]) for k in keys], dtype=np.float64)
    quota = sizes / sizes.sum() * n if len(keys) else sizes
    take = np.floor(quota).astype(int)
    if n >= len(keys):
        take = np.maximum(take, 1)
    take = np.minimum(take, sizes.astype(int))
    order = np.argsort(-(quota - np.floor(quota)), kind="stable")
    while take.sum() < n:  # hand out the remainder, largest fractional share first, where records are left
        for j in order:
            if take.sum() >= n:
                break
            if take[j] < sizes[j]:
                take[j] += 1
    while take.sum() > n:  # the one-per-stratum floor overshot: trim the largest strata
        take[int(np.argmax(take))] -= 1
    chosen: list[int] = []
    for key, k in zip(keys, take):
        picked = rng.permutation(len(members[key]))[: int(k)]
        chosen += [members[key][p] for p in picked]
    return [chosen[i] for i in rng.permutation(len(chosen))]


def _size(ctx: Context, rubric: Sequence[Criterion], labels: Sequence[str], raters: int) -> tuple[int, str]:
    """Items for the precision target: the most any criterion (or the labels) needs."""
    cfg = ctx.config.section("agreement")
    target = float(cfg["ci_width"])
    observed = _observed(ctx)
    scales: list[tuple[str, list[float], str]] = []
    for c in rubric:
        scales.append((c.name, [1.0] * len(c.labels), c.level))
    if not rubric:
        counts = Counter(ctx.dataset.outputs) if labels else Counter({"a": 1, "b": 1})
        scales.append(("labels", [float(counts[label]) for label in (labels or ("a", "b"))], "nominal"))
    best = None
    sized: dict[tuple[Any, ...], Any] = {}  # criteria on the same scale at the same alpha need the same N
    for name, probs, level in scales:
        alpha = observed.get(name, observed.get("", float(cfg["reliable_alpha"])))
        key = (tuple(probs), level, alpha)
        if key not in sized:
            sized[key] = items_for_width(target, alpha, probs, level, raters=raters, seed=ctx.seed)
        size = sized[key]
        if best is None or size.items > best[1].items:
            best = (name, size)
    assert best is not None
    name, size = best
    basis = "observed" if name in observed or "" in observed else "assumed: the reliable limit"
    where = f" for criterion {name!r}" if rubric else ""
    return size.items, size.reasoning(basis) + where + f", {raters} raters"


def _observed(ctx: Context) -> dict[str, float]:
    """Alpha already measured on the annotations given (per criterion), to size the next sample on."""
    if ctx.dataset.annotations is None and "annotations" not in ctx.paths and not ctx.config["agreement.annotator_columns"] \
            and not ctx.config["agreement.annotator_prefix"]:  # fmt: skip
        return {}
    from checks.agreement import AgreementCheck

    metrics = AgreementCheck().run(ctx).metrics
    out = {name: float(m["alpha"]) for name, m in (metrics.get("criteria") or {}).items() if m.get("alpha") is not None}
    if not out and metrics.get("alpha") is not None:
        out[""] = float(metrics["alpha"])
    return out


def _choices(outputs: Sequence[str]) -> tuple[str, ...]:
    """The label set when outputs are labels (a classification set); empty when they are free text."""
    distinct = Counter(o.strip() for o in outputs if o.strip())
    if not distinct or len(distinct) > MAX_CHOICES or max(len(o) for o in distinct) > 40:
        return ()
    return tuple(sorted(distinct))
