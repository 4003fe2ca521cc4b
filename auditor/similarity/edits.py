"""Inputs that differ by an edit shorter than a shingle: the same request, a slot filled or a word changed.

Two inputs within the Jaccard threshold can still ask different things: a
long passage shared by several questions makes their inputs alike as sets,
though each question is a request of its own. Counting, for each text of a
pair, the words that lie in no shingle of the other (as if both were padded
with k-1 marks at each end, so every word lies in k shingles) tells the two
apart: fewer than k such words on both sides is an edit shorter than a
shingle (one word, a name, a number, a short phrase swapped); a different
question or instruction of k words or more is not.
"""

from __future__ import annotations

import numpy as np

from auditor.similarity.boilerplate import own_words
from auditor.similarity.shingles import Shingles

_OWN_BATCH = 4_000_000  # shingles handled per batch of pairs: bounds the sort's arrays


def pair_own_words(seq: Shingles, a: np.ndarray, b: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """For each pair (a[i], b[i]) of texts: the words of a in no shingle b also has, and of b likewise.

    ``seq`` holds every text's shingles in word order (repeats kept) with its
    edge grams. Pairs go in batches: a batch's (pair, shingle) keys of both
    sides are sorted together once, and a shingle is shared when its run of
    equal keys holds an element of each side.
    """
    assert seq.edges is not None
    counts = np.bincount(seq.owner, minlength=seq.n_texts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    low32 = seq.hashes & np.uint64(0xFFFFFFFF)

    def spans(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per shingle of ``texts`` (in order): the pair it belongs to, and its position in ``seq``."""
        c = counts[texts]
        pair = np.repeat(np.arange(len(texts)), c)
        return pair, np.repeat(starts[texts] - np.concatenate([[0], np.cumsum(c)[:-1]]), c) + np.arange(len(pair))

    own = [np.zeros(len(a), np.int64), np.zeros(len(a), np.int64)]
    work = np.cumsum(counts[a] + counts[b])
    lo = 0
    while lo < len(a):
        hi = max(int(np.searchsorted(work, (work[lo - 1] if lo else 0) + _OWN_BATCH, side="right")), lo + 1)
        sides = [spans(a[lo:hi]), spans(b[lo:hi])]
        keys = np.concatenate([(pair.astype(np.uint64) << np.uint64(32)) | low32[at] for pair, at in sides])
        order = np.argsort(keys)
        sk = keys[order]
        run = np.concatenate([[0], np.cumsum(sk[1:] != sk[:-1])]) if len(sk) else np.zeros(0, np.int64)
        cut = len(sides[0][0])
        from_b = order >= cut
        n_runs = int(run[-1]) + 1 if len(run) else 0
        both = (np.bincount(run, weights=~from_b, minlength=n_runs) > 0) & (np.bincount(run, weights=from_b, minlength=n_runs) > 0)
        shared = np.empty(len(keys), np.bool_)
        shared[order] = both[run]
        for side, (x, y), mine in ((0, (a, b), shared[:cut]), (1, (b, a), shared[cut:])):
            edges = seq.edges[x[lo:hi]] == seq.edges[y[lo:hi]]  # the same first (last) j words
            own[side][lo:hi] = own_words(sides[side][0], mine, edges, k)
        lo = hi
    return own[0], own[1]


def small_edits(seq: Shingles, a: np.ndarray, b: np.ndarray, k: int, apart: np.ndarray | None = None) -> np.ndarray:
    """Whether each pair's texts differ by an edit shorter than a shingle (fewer than k own words each).

    ``apart``, where known (NaN elsewhere): per pair, the larger of the number
    of shingles of one text's set not in the other's. Fewer than k own words
    each leaves at most k(k-1) (k-1 one-word edits of k shingles each), so a
    pair with more is settled without counting words.
    """
    live = np.arange(len(a)) if apart is None else np.flatnonzero(~(apart > k * (k - 1)))
    out = np.zeros(len(a), np.bool_)
    own_a, own_b = pair_own_words(seq, a[live], b[live], k)
    out[live] = (own_a < k) & (own_b < k)
    return out
