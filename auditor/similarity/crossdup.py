"""Records of one set of texts that duplicate or near-duplicate records of another (eval set, baseline).

The two sets are compared as one pool of distinct texts, with the same
shingling, boilerplate rule and verification as within one set; only links
that cross from one set to the other are kept. ``auditor.features`` feeds it
the audited dataset's normalised texts and hashes, computed once per run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.similarity.keys import Runs, pair_keys
from auditor.similarity.neardup import NearParams, near_views
from auditor.similarity.normalize import Normalizer, ints, pair_key

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


@dataclass(frozen=True)
class Indexed:
    """One set's side of a comparison: normalised texts and, per view ("input", "pair"),
    each record's key, the first record of each distinct key and each record's first."""

    inputs: list[str]
    outputs: list[str]
    keys: dict[str, list[int]]
    firsts: dict[str, np.ndarray]
    reps: dict[str, np.ndarray]

    @classmethod
    def of(cls, norm: Normalizer, inputs: list[str], outputs: list[str]) -> Indexed:
        """A set given by its raw texts."""
        in_rows, out_rows = norm.hashes(inputs), norm.hashes(outputs)
        in_ints = ints(in_rows)
        reps = {"input": Runs.of(in_rows).representatives(), "pair": Runs.of(pair_keys(in_rows, out_rows)).representatives()}
        return cls(
            norm.many(inputs),
            norm.many(outputs),
            {"input": in_ints, "pair": [pair_key(i, o) for i, o in zip(in_ints, ints(out_rows))]},
            {v: r[0] for v, r in reps.items()},
            {v: r[1] for v, r in reps.items()},
        )


def match_sets(ours: Indexed, theirs: Indexed, views: tuple[str, ...], params: NearParams) -> CrossMatch:
    """Our records whose input (view "input") or pair (view "pair") matches one of ``theirs``."""
    n = len(ours.inputs)
    # One pool: our distinct texts, then theirs (indices offset by n).
    pool = {v: np.concatenate([ours.firsts[v], theirs.firsts[v] + n]) for v in ("input", "pair")}
    found = near_views(ours.inputs + theirs.inputs, ours.outputs + theirs.outputs, pool["pair"], pool["input"] if "input" in views else _NONE, params, with_similar=False)
    best: dict[int, tuple[float, int, str]] = {}
    for view in views:
        mine, their_keys = ours.keys[view], theirs.keys[view]
        mine_first, mine_rep, their_first = ours.firsts[view], ours.reps[view], theirs.firsts[view]
        hit: dict[int, tuple[float, int]] = {}
        # Exact matches first: they hold even for texts without a single word.
        their_index = {their_keys[j]: j for j in their_first.tolist()}
        for i in mine_first.tolist():
            j = their_index.get(mine[i])
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
