"""Near-duplicate features: verified near pairs among the distinct texts, the clusters they form,
and matches against another dataset (an eval set, a baseline)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.core.context import Context
from auditor.core.records import Dataset
from auditor.features.texts import input_groups, input_hashes, input_runs, norm_inputs, norm_outputs, normalizer, pair_hashes, pair_runs
from auditor.similarity import CrossMatch, Indexed, Links, ints, NearPairs, NearParams, NearViews, components, match_sets, near_views


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


def _clusters(n: int, links: tuple[np.ndarray, np.ndarray], pairs: NearPairs, extra_links: list[list[int]]) -> NearClusters:
    """``links``: each record repeating an earlier key, and that key's first record (``Runs.links``): the exact
    copies, linked to their first without a position per record (a partitioned run's driver holds none)."""
    later, first = links
    a = [pairs.a, later]
    b = [pairs.b, first]
    for g in extra_links:
        a.append(np.full(len(g) - 1, g[0], np.int64))
        b.append(np.asarray(g[1:], np.int64))
    groups = components(n, np.concatenate(a), np.concatenate(b))
    distinct = _distinct_keys(groups, later, first)
    kept = [k for k, d in enumerate(distinct) if d > 1]
    return NearClusters([groups[k] for k in kept], [distinct[k] for k in kept], pairs)


def _distinct_keys(groups: list[list[int]], later: np.ndarray, first: np.ndarray) -> list[int]:
    """Per group, how many different keys its records hold (a repeat counts as its first record's key)."""
    if not groups:
        return []
    flat = np.fromiter((i for g in groups for i in g), np.int64)
    owner = np.repeat(np.arange(len(groups), dtype=np.int64), [len(g) for g in groups])
    at = np.minimum(np.searchsorted(later, flat), max(len(later) - 1, 0))
    repeat = (later[at] == flat) if len(later) else np.zeros(len(flat), np.bool_)
    key = np.where(repeat, first[at] if len(later) else flat, flat)
    pairs = np.unique(np.stack([owner, key], axis=1), axis=0)
    return np.bincount(pairs[:, 0], minlength=len(groups)).tolist()


def near_clusters(ctx: Context) -> NearClusters:
    """Near-duplicate examples: pairs within the threshold, plus repeated inputs whose outputs agree loosely."""
    redundant = ctx.cached(input_groups).redundant
    return _clusters(len(ctx.dataset), ctx.cached(pair_runs).links(), ctx.cached(near_duplicates).pairs, redundant)


def similar_input_clusters(ctx: Context) -> NearClusters:
    """Records whose inputs differ by an edit shorter than a shingle and whose examples are not near-duplicates."""
    similar = ctx.cached(near_duplicates).similar
    assert similar is not None  # near_duplicates always asks for it
    return _clusters(len(ctx.dataset), ctx.cached(input_runs).links(), similar, [])


def near_input_clusters(ctx: Context) -> NearClusters:
    """Near-duplicate inputs (whatever their outputs)."""
    return _clusters(len(ctx.dataset), ctx.cached(input_runs).links(), ctx.cached(near_duplicates).inputs, [])


def ours_indexed(ctx: Context) -> Indexed:
    """The audited set's side of a comparison with another (its normalised texts, keys and distinct records)."""
    inputs, pairs = ctx.cached(input_reps), ctx.cached(pair_reps)
    return Indexed(
        ctx.cached(norm_inputs),
        ctx.cached(norm_outputs),
        {"input": ctx.cached(input_hashes), "pair": ctx.cached(pair_hashes)},
        {"input": inputs[0], "pair": pairs[0]},
        {"input": inputs[1], "pair": pairs[1]},
    )


def cross_match(ctx: Context, other: Dataset, views: tuple[str, ...], links: dict[str, Links] | None = None) -> CrossMatch:
    """Our records whose input (view "input") or pair (view "pair") matches one of ``other``'s (eval set, baseline).

    ``links``: the verified near links, when a partitioned run found them in its workers.
    """
    theirs = Indexed.of(ctx.cached(normalizer), other.inputs, other.outputs, other.requests_beside(ctx.dataset))
    return match_sets(ctx.cached(ours_indexed), theirs, views, ctx.cached(near_params), links)


EVAL_VIEWS = ("input", "pair")  # a leaked eval item may come back with another answer: its input alone leaks it
BASELINE_VIEWS = ("pair",)  # a batch may ask an accepted input again with a new answer (DUP008 judges that)


def eval_matches(ctx: Context) -> CrossMatch:
    """Training records that duplicate or near-duplicate an eval item (input or pair)."""
    return cross_match(ctx, ctx.others["eval"], EVAL_VIEWS)


def baseline_matches(ctx: Context) -> CrossMatch:
    """Records of this batch that duplicate or near-duplicate a baseline record (pair)."""
    return cross_match(ctx, ctx.others["baseline"], BASELINE_VIEWS)


def baseline_inputs(ctx: Context) -> np.ndarray:
    """Our records whose normalised input is a baseline record's input (sorted); a partitioned run
    finds them in its partitions, where the hashes are."""
    accepted = set(ints(ctx.cached(normalizer).hashes(ctx.others["baseline"].inputs)))
    return np.asarray([i for i, key in enumerate(ctx.cached(input_hashes)) if key in accepted], np.int64)
