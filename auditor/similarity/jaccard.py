"""Exact Jaccard similarity of shingle sets: for candidate pairs, or for all pairs of a small set.

Sets are kept as one sorted uint64 array of ``text << 32 | shingle32``: each
text's shingles form a contiguous sorted run, and "does text b hold shingle x"
is one binary search for ``b << 32 | x``. 32 bits per shingle are plenty here:
two different shingles of one pair of texts collide with probability about
1e-5 for texts of 200 shingles, which moves a Jaccard value by under 0.01.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from auditor.similarity.shingles import Shingles

# Elements looked up per batch when verifying candidate pairs: bounds the
# temporary arrays (a few hundred MB at most) whatever the number of candidates.
_BATCH_ELEMENTS = 8_000_000


def sorted_unique(values: np.ndarray, counts: bool = False, in_place: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """np.unique by sorting: numpy 2.x's hash-based unique is many times slower on large uint64 arrays."""
    if in_place:
        values.sort()
        x = values
    else:
        x = np.sort(values)
    if len(x) == 0:
        return x, np.zeros(0, np.int64)
    start = np.concatenate([[True], x[1:] != x[:-1]])
    if not counts:
        return x[start], np.zeros(0, np.int64)
    firsts = np.flatnonzero(start)
    return x[firsts], np.diff(np.append(firsts, len(x)))


@dataclass(frozen=True)
class SetIndex:
    keys: np.ndarray  # sorted unique uint64: owner << 32 | low 32 bits of the shingle hash
    offsets: np.ndarray  # int64, n_texts + 1: text i's run is keys[offsets[i]:offsets[i + 1]]

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    @classmethod
    def merge(cls, indexes: list[SetIndex]) -> SetIndex:
        """One index of the same texts' sets joined (fields whose shingles are salted apart)."""
        keys, _ = sorted_unique(np.concatenate([index.keys for index in indexes]), in_place=True)
        owners = (keys >> np.uint64(32)).astype(np.int64)
        n = len(indexes[0].offsets) - 1
        offsets = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(owners, minlength=n), out=offsets[1:])
        return cls(keys, offsets)

    @classmethod
    def build(cls, shingles: Shingles) -> SetIndex:
        keys = shingles.owner.astype(np.uint64)
        keys <<= np.uint64(32)
        keys |= shingles.hashes & np.uint64(0xFFFFFFFF)
        keys, _ = sorted_unique(keys, in_place=True)
        owners = (keys >> np.uint64(32)).astype(np.int64)
        offsets = np.zeros(shingles.n_texts + 1, np.int64)
        np.cumsum(np.bincount(owners, minlength=shingles.n_texts), out=offsets[1:])
        return cls(keys, offsets)


def pair_jaccard(index: SetIndex, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True Jaccard similarity of each pair (a[i], b[i]) of text positions in ``index``."""
    inter = pair_intersection(index, a, b)
    union = index.sizes[a] + index.sizes[b] - inter
    return np.divide(inter, union, out=np.zeros(len(a)), where=union > 0)


def pair_intersection(index: SetIndex, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Shingles shared by each pair (a[i], b[i]) of text positions in ``index``."""
    sizes = index.sizes
    out = np.zeros(len(a), np.float64)
    if len(a) == 0:
        return out
    # Look up the smaller set's members in the larger one.
    small = np.where(sizes[a] <= sizes[b], a, b)
    large = np.where(sizes[a] <= sizes[b], b, a)
    # Queries in increasing order let numpy's binary search start where the last one ended.
    by_large = np.argsort(large, kind="stable")
    small, large = small[by_large], large[by_large]
    work = np.cumsum(sizes[small])
    lo = 0
    while lo < len(a):
        hi = int(np.searchsorted(work, (work[lo - 1] if lo else 0) + _BATCH_ELEMENTS, side="right"))
        hi = max(hi, lo + 1)
        s, g = small[lo:hi], large[lo:hi]
        counts = sizes[s]
        pair = np.repeat(np.arange(hi - lo), counts)
        starts = np.repeat(index.offsets[s] - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        members = index.keys[starts + np.arange(len(pair))] & np.uint64(0xFFFFFFFF)
        query = (g[pair].astype(np.uint64) << np.uint64(32)) | members
        pos = np.searchsorted(index.keys, query)
        pos[pos == len(index.keys)] = 0
        out[by_large[lo:hi]] = np.bincount(pair, weights=index.keys[pos] == query, minlength=hi - lo)
        lo = hi
    return out


Parts = tuple[tuple[int, ...], ...]


def combined(inters: Sequence[np.ndarray], sizes_a: Sequence[np.ndarray], sizes_b: Sequence[np.ndarray], parts: Parts) -> np.ndarray:
    """A pair's similarity over several fields: the smallest, over ``parts``, of the Jaccard of the
    union of the part's fields (their shingles are salted apart, so intersections and unions add).
    Per field f: ``inters[f]`` shared shingles, ``sizes_a[f]``/``sizes_b[f]`` set sizes of each pair.
    A part whose sets are empty on both sides counts as equal (1)."""
    value = np.ones(len(inters[0]))
    for part in parts:
        inter = np.sum([inters[f] for f in part], axis=0)
        union = np.sum([sizes_a[f] + sizes_b[f] for f in part], axis=0) - inter
        value = np.minimum(value, np.divide(inter, union, out=np.ones(len(value)), where=union > 0))
    return value


def all_pairs_above(index: SetIndex, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair with Jaccard >= threshold, found exhaustively with a sparse matrix product.

    Exact, hence the reference the LSH path is tested against, and faster than
    hashing for small sets. Pairs sharing no shingle never enter the product.
    """
    a, b, jac, _ = pairs_above(index, threshold)
    return a, b, jac


def pairs_above(index: SetIndex, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``all_pairs_above``, with the number of shingles each pair shares."""
    from scipy import sparse

    n = len(index.offsets) - 1
    if n < 2 or len(index.keys) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
    owners = (index.keys >> np.uint64(32)).astype(np.int64)
    low = index.keys & np.uint64(0xFFFFFFFF)
    vocab, _ = sorted_unique(low)
    cols = np.searchsorted(vocab, low)
    m = sparse.csr_matrix(
        (np.ones(len(owners), np.int32), (owners, cols.astype(np.int64))), shape=(n, int(cols.max()) + 1)
    )
    inter = sparse.triu(m @ m.T, k=1).tocoo()
    sizes = index.sizes
    union = sizes[inter.row] + sizes[inter.col] - inter.data
    jac = inter.data / np.maximum(union, 1)
    keep = jac >= threshold
    order = np.lexsort((inter.col[keep], inter.row[keep]))
    row, col = inter.row[keep][order].astype(np.int64), inter.col[keep][order].astype(np.int64)
    return row, col, jac[keep][order], inter.data[keep][order].astype(np.float64)
