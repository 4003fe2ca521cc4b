"""Records of the dataset that duplicate or near-duplicate records of another dataset (eval set, baseline).

The two datasets are compared as one pool of distinct texts, with the same
shingling, boilerplate rule and verification as within one dataset; only
links that cross from one dataset to the other are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.core.context import Context
from auditor.features import (
    input_hashes,
    input_reps,
    near_params,
    norm_inputs,
    norm_outputs,
    normalizer,
    pair_hashes,
    pair_reps,
)
from auditor.keys import Runs, pair_keys
from auditor.neardup import near_views
from auditor.core.records import Dataset
from auditor.text import ints, pair_key

_NONE = np.zeros(0, np.int64)


@dataclass(frozen=True)
class CrossMatch:
    """For each matched record of ours: the other record it is closest to."""

    index: list[int]  # our record indices, ascending
    other: list[int]  # index into the other dataset
    jaccard: list[float]  # 1.0 for an exact match after normalisation
    via: list[str]  # "input" or "pair"

    def __len__(self) -> int:
        return len(self.index)


def cross_match(ctx: Context, other: Dataset, views: tuple[str, ...]) -> CrossMatch:
    """Our records whose input (view "input") or pair (view "pair") matches one of ``other``'s."""
    norm = ctx.cached(normalizer)
    n = len(ctx.dataset)
    o_in, o_out = norm.many(other.inputs), norm.many(other.outputs)
    ins, outs = ctx.cached(norm_inputs), ctx.cached(norm_outputs)
    ours_keys = {"input": ctx.cached(input_hashes), "pair": ctx.cached(pair_hashes)}
    their_in, their_out = norm.hashes(other.inputs), norm.hashes(other.outputs)
    their_ints = ints(their_in)
    theirs_keys = {"input": their_ints, "pair": [pair_key(i, o) for i, o in zip(their_ints, ints(their_out))]}
    firsts = {
        "input": (*ctx.cached(input_reps), Runs.of(their_in).representatives()[0]),
        "pair": (*ctx.cached(pair_reps), Runs.of(pair_keys(their_in, their_out)).representatives()[0]),
    }
    # One pool: our distinct texts, then theirs (indices offset by n).
    pool = {v: np.concatenate([f[0], f[2] + n]) for v, f in firsts.items()}
    found = near_views(ins + o_in, outs + o_out, pool["pair"], pool["input"] if "input" in views else _NONE, ctx.cached(near_params))
    best: dict[int, tuple[float, int, str]] = {}
    for view in views:
        ours, theirs = ours_keys[view], theirs_keys[view]
        mine_first, mine_rep, their_first = firsts[view]
        hit: dict[int, tuple[float, int]] = {}
        # Exact matches first: they hold even for texts without a single word.
        their_index = {theirs[j]: j for j in their_first.tolist()}
        for i in mine_first.tolist():
            j = their_index.get(ours[i])
            if j is not None:
                hit[i] = (1.0, j)
        pairs = found.inputs if view == "input" else found.pairs
        crossing = (pairs.a < n) & (pairs.b >= n)  # a < b always, so ours come first
        for a, b, jac in zip(pairs.a[crossing].tolist(), pairs.b[crossing].tolist(), pairs.jaccard[crossing].tolist()):
            if a not in hit or jac > hit[a][0]:
                hit[a] = (jac, b - n)
        for i in range(n):
            match = hit.get(int(mine_rep[i]))
            if match is not None and (i not in best or match[0] > best[i][0]):
                best[i] = (match[0], match[1], view)
    index = sorted(best)
    return CrossMatch(
        index=index,
        other=[best[i][1] for i in index],
        jaccard=[best[i][0] for i in index],
        via=[best[i][2] for i in index],
    )
