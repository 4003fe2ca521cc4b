"""Shared features: computed once per run through ``Context.cached``.

Each feature is a function of the context. Checks ask for them by function,
e.g. ``ctx.cached(exact_groups)``; nothing here judges or reports.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from auditor.core.records import Dataset
from auditor.similarity import (
    CrossMatch,
    Indexed,
    NearPairs,
    NearParams,
    NearViews,
    Normalizer,
    Runs,
    components,
    ints,
    loose,
    match_sets,
    near_views,
    pair_key,
    pair_keys,
)
from auditor.core.context import Context
from auditor.runtime.gcpause import pausing


def normalizer(ctx: Context) -> Normalizer:
    return Normalizer.from_config(ctx.config.section("normalize"))


def norm_inputs(ctx: Context) -> list[str]:
    return ctx.cached(normalizer).many(ctx.dataset.inputs)


def norm_outputs(ctx: Context) -> list[str]:
    return ctx.cached(normalizer).many(ctx.dataset.outputs)


def _keys(ctx: Context, column: str) -> np.ndarray:
    # Hashed straight from the raw texts (the count needs no normalised
    # copies), or taken from the loader when it already did it.
    norm = ctx.cached(normalizer)
    texts: list[str] = getattr(ctx.dataset, column)
    ready = ctx.dataset.hashes.get((column, norm))
    return ready if ready is not None and len(ready) == len(texts) else norm.hashes(texts)


def input_keys(ctx: Context) -> np.ndarray:
    """Per record, the 128-bit hash of its normalised input as a (2,) uint64 row."""
    return _keys(ctx, "inputs")


def output_keys(ctx: Context) -> np.ndarray:
    return _keys(ctx, "outputs")


def input_runs(ctx: Context) -> Runs:
    return Runs.of(ctx.cached(input_keys))


def output_runs(ctx: Context) -> Runs:
    return Runs.of(ctx.cached(output_keys))


def pair_runs(ctx: Context) -> Runs:
    return Runs.of(pair_keys(ctx.cached(input_keys), ctx.cached(output_keys)))


# The same hashes as Python ints, for the checks that look records up in dicts.


def input_hashes(ctx: Context) -> list[int]:
    return ints(ctx.cached(input_keys))


def output_hashes(ctx: Context) -> list[int]:
    return ints(ctx.cached(output_keys))


def pair_hashes(ctx: Context) -> list[int]:
    """One key per input-output pair: both 128-bit hashes side by side in one int."""
    return [pair_key(i, o) for i, o in zip(ctx.cached(input_hashes), ctx.cached(output_hashes))]


@dataclass(frozen=True)
class ExactGroups:
    """Records whose normalised input-output pairs are identical."""

    groups: list[list[int]]  # record indices, first member is the one kept

    @property
    def extra_records(self) -> int:
        return sum(len(g) - 1 for g in self.groups)


def exact_groups(ctx: Context) -> ExactGroups:
    return ExactGroups(ctx.cached(pair_runs).groups())


@dataclass(frozen=True)
class InputGroups:
    """Records sharing a normalised input, split by whether their outputs agree.

    ``conflicts`` hold groups whose outputs differ beyond whitespace, case and
    trailing punctuation; ``redundant`` hold groups whose outputs all agree.
    """

    conflicts: list[list[int]]
    redundant: list[list[int]]

    @property
    def conflicting_records(self) -> int:
        return sum(len(g) for g in self.conflicts)


@pausing  # a dict and a list per repeated input: see auditor.runtime.gcpause
def input_groups(ctx: Context) -> InputGroups:
    groups = ctx.cached(input_runs).groups()
    # Outputs with one hash are equal after normalisation; only groups with
    # several are compared loosely (trailing punctuation aside), one output per
    # hash, all normalised in one batch: a few percent of the outputs, where
    # normalising every output would cost seconds at a million records.
    flat = np.fromiter(itertools.chain.from_iterable(groups), np.int64)
    hi, lo = (ctx.cached(output_keys)[flat].T.tolist() if len(flat) else ([], []))
    distinct: list[list[int]] = []  # per group, one member per distinct output hash
    at = 0
    for g in groups:
        seen: dict[tuple[int, int], int] = {}
        for k, i in enumerate(g, at):
            seen.setdefault((hi[k], lo[k]), i)
        distinct.append(list(seen.values()))
        at += len(g)
    varied = [i for d in distinct if len(d) > 1 for i in d]
    if ctx.is_cached(norm_outputs):
        outs = ctx.cached(norm_outputs)
        loosened = {i: loose(outs[i]) for i in varied}
    else:
        outs = ctx.dataset.outputs
        loosened = dict(zip(varied, map(loose, ctx.cached(normalizer).many([outs[i] for i in varied]))))
    conflicts: list[list[int]] = []
    redundant: list[list[int]] = []
    for g, d in zip(groups, distinct):
        differ = len(d) > 1 and len({loosened[i] for i in d}) > 1
        (conflicts if differ else redundant).append(g)
    return InputGroups(conflicts=conflicts, redundant=redundant)


def task_type(ctx: Context) -> str:
    """The configured task type, or a guess from the outputs when 'auto'.

    Classification: outputs are short labels drawn from a small set (at most
    50 distinct values covering at least 90% of records, median length at
    most three words). Anything else is treated as generation; 'open' (several
    valid outputs per input) is never guessed for the whole dataset, since a
    wrong guess would hide real contradictions; ``conflict_split`` may find it
    per category (template), where the evidence is much stronger.
    """
    configured = str(ctx.config["task"])
    if configured != "auto":
        return configured
    return guess_task(ctx.cached(output_runs).sizes, lambda: _median_words(ctx))


def _median_words(ctx: Context) -> int:
    outs = ctx.cached(norm_outputs)
    if ctx.cached(normalizer).whitespace:  # single spaces only: counting them is splitting, without the lists
        words = sorted(o.count(" ") + 1 if o else 0 for o in outs)
    else:
        words = sorted(len(o.split()) for o in outs)
    return words[len(words) // 2]


def guess_task(sizes: np.ndarray, median_words: Callable[[], int]) -> str:
    """The task-type rule of ``task_type`` on the records per distinct normalised output.

    ``median_words`` is asked only when the counts allow classification.
    """
    records, distinct_outputs = int(sizes.sum()), len(sizes)
    if records == 0:
        return "generation"
    top50_records = int(np.sort(sizes)[::-1][:50].sum())
    if top50_records < 0.9 * records or distinct_outputs > max(50, records // 20):
        return "generation"  # decided without looking at a single word
    if median_words() <= 3:
        return "classification"
    return "generation"


# --- repeated inputs: contradictions, or several valid outputs by design -------


@dataclass(frozen=True)
class ConflictSplit:
    """Input groups with different outputs, split into contradictions and open-task groups.

    ``open_categories`` are categories detected as open (several valid outputs
    per input by design); ``open_reason`` says why groups count as open.
    """

    contradictions: list[list[int]]
    open_groups: list[list[int]]
    open_categories: tuple[str, ...] = ()
    open_reason: str = ""

    @property
    def contradicting_records(self) -> int:
        return sum(len(g) for g in self.contradictions)


#: Raw fields that name where a record came from, tried when there is no category.
TASK_GROUP_FIELDS = ("template", "source", "task")


def task_groups(ctx: Context) -> list[str | None] | None:
    """Per record, the group whose task type is judged: the category, else a template or source field.

    Prompted datasets (T0, FLAN) carry the template that generated each record
    rather than a category; a template is exactly the unit that admits one or
    several valid outputs.
    """
    data = ctx.dataset
    if data.categories is not None:
        return data.categories
    for name in TASK_GROUP_FIELDS:
        column = data.extra.get(name)
        if column is not None:
            return [None if v is None else str(v) for v in column]
    return None


def conflict_split(ctx: Context) -> ConflictSplit:
    """Which repeated inputs with different outputs are contradictions.

    Task 'open' (configured): none are. Task 'auto' guessed as generation, with
    a category (template, source) column: a category is open when at least
    ``duplicates.open_min_groups`` of its repeated inputs, and at least
    ``duplicates.open_share`` of them, have several outputs; label noise hits
    a minority of repeats, a generate-a-review template hits them all.
    Otherwise (no categories, or a task set explicitly) every such group is a
    contradiction, since a wrong guess would hide real ones.
    """
    groups = ctx.cached(input_groups)
    kind = ctx.cached(task_type)
    if kind == "open":
        return ConflictSplit([], list(groups.conflicts), (), "task = 'open'")
    cats = task_groups(ctx)
    if str(ctx.config["task"]) != "auto" or kind != "generation" or cats is None or not groups.conflicts:
        return ConflictSplit(list(groups.conflicts), [])
    repeated: dict[str | None, int] = defaultdict(int)
    conflicting: dict[str | None, int] = defaultdict(int)
    for g in groups.redundant:
        repeated[cats[g[0]]] += 1
    for g in groups.conflicts:
        repeated[cats[g[0]]] += 1
        conflicting[cats[g[0]]] += 1
    min_groups = int(ctx.config["duplicates.open_min_groups"])
    share = float(ctx.config["duplicates.open_share"])
    open_cats = {
        c for c, k in conflicting.items() if c is not None and k >= min_groups and k >= share * repeated[c]
    }
    contradictions = [g for g in groups.conflicts if cats[g[0]] not in open_cats]
    opened = [g for g in groups.conflicts if cats[g[0]] in open_cats]
    reason = (
        f"in {len(open_cats)} categor{'y' if len(open_cats) == 1 else 'ies'} at least {share:.0%} of repeated "
        f"inputs (and at least {min_groups}) have several outputs, so several outputs are valid there by design"
        if open_cats
        else ""
    )
    return ConflictSplit(contradictions, opened, tuple(sorted(open_cats)), reason)


# --- near-duplicates -----------------------------------------------------------


def near_params(ctx: Context) -> NearParams:
    return NearParams.from_config(ctx.config.section("duplicates"), ctx.seed)


def pair_reps(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    return ctx.cached(pair_runs).representatives()


def input_reps(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    return ctx.cached(input_runs).representatives()


def near_duplicates(ctx: Context) -> NearViews:
    """Verified near-duplicate pairs among distinct inputs and among distinct input-output pairs."""
    with ctx.progress.stage("near-duplicates"):
        return near_views(
            ctx.cached(norm_inputs),
            ctx.cached(norm_outputs),
            ctx.cached(pair_reps)[0],
            ctx.cached(input_reps)[0],
            ctx.cached(near_params),
        )


@dataclass(frozen=True)
class NearClusters:
    """Clusters of records holding at least two different texts within the Jaccard threshold.

    ``groups`` list every record of a cluster (exact copies included, so a
    labelling tool shows the whole family); ``distinct[i]`` counts the
    different texts in group i, so ``extra_records`` does not count an exact
    copy twice (exact groups already count it).
    """

    groups: list[list[int]]
    distinct: list[int]
    pairs: NearPairs

    @property
    def extra_records(self) -> int:
        return sum(d - 1 for d in self.distinct)


def _clusters(n: int, rep: np.ndarray, pairs: NearPairs, extra_links: list[list[int]]) -> NearClusters:
    a = [pairs.a, np.flatnonzero(rep != np.arange(n))]
    b = [pairs.b, rep[a[1]]]
    for g in extra_links:
        a.append(np.full(len(g) - 1, g[0], np.int64))
        b.append(np.asarray(g[1:], np.int64))
    groups: list[list[int]] = []
    distinct: list[int] = []
    for g in components(n, np.concatenate(a), np.concatenate(b)):
        d = len({int(rep[i]) for i in g})
        if d > 1:
            groups.append(g)
            distinct.append(d)
    return NearClusters(groups, distinct, pairs)


def near_clusters(ctx: Context) -> NearClusters:
    """Near-duplicate examples: pairs within the threshold, plus repeated inputs whose outputs agree loosely."""
    redundant = ctx.cached(input_groups).redundant
    return _clusters(len(ctx.dataset), ctx.cached(pair_reps)[1], ctx.cached(near_duplicates).pairs, redundant)


def near_input_clusters(ctx: Context) -> NearClusters:
    """Near-duplicate inputs (whatever their outputs)."""
    return _clusters(len(ctx.dataset), ctx.cached(input_reps)[1], ctx.cached(near_duplicates).inputs, [])


def cross_match(ctx: Context, other: Dataset, views: tuple[str, ...]) -> CrossMatch:
    """Our records whose input (view "input") or pair (view "pair") matches one of ``other``'s (eval set, baseline)."""
    inputs, pairs = ctx.cached(input_reps), ctx.cached(pair_reps)
    ours = Indexed(
        ctx.cached(norm_inputs),
        ctx.cached(norm_outputs),
        {"input": ctx.cached(input_hashes), "pair": ctx.cached(pair_hashes)},
        {"input": inputs[0], "pair": pairs[0]},
        {"input": inputs[1], "pair": pairs[1]},
    )
    theirs = Indexed.of(ctx.cached(normalizer), other.inputs, other.outputs)
    return match_sets(ours, theirs, views, ctx.cached(near_params))
