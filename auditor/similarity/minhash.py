"""MinHash signatures by one-permutation hashing, and LSH banding into candidate pairs.

Classic MinHash applies K hash functions to every shingle (K x shingles work);
one-permutation hashing (Li, Owen & Zhang 2012) hashes each shingle once, uses
the top bits to pick one of K bins and keeps the minimum of the low bits per
bin: K times less work, with the same collision probability (the Jaccard
similarity) per bin. Bins a text leaves empty (short texts) are filled by
optimal densification (Shrivastava 2017): empty bin j borrows the value of the
first non-empty bin in a pseudo-random sequence that depends only on j and the
seed, so two texts with the same shingles always borrow alike and the
collision probability stays the Jaccard similarity.

Banding: K = bands x rows; texts whose rows agree in any band become
candidates. The caller verifies candidates by their true Jaccard similarity,
so banding only has to keep recall high at the threshold.
"""

from __future__ import annotations

import functools
import sys

import numpy as np

from auditor.similarity.jaccard import sorted_unique
from auditor.similarity.shingles import Shingles, mix64

EMPTY = np.uint32(0xFFFFFFFF)  # bin values are < 2**31, so this never collides with one
_FIRST_TRIES = 8  # fixed: eight booleans are read as one uint64 below
_LITTLE = sys.byteorder == "little"
# Odd 64-bit multipliers, one per row of a band (from splitmix64's sequence); 32 rows at most.
_ROW_MULTIPLIERS = [
    (((0x9E3779B97F4A7C15 * (i + 1)) ^ ((0x9E3779B97F4A7C15 * (i + 1)) >> 29)) * 0xBF58476D1CE4E5B9 | 1) & 0xFFFFFFFFFFFFFFFF
    for i in range(32)
]
_MAX_TRIES = 1024  # densification attempts before the fallback; only texts with ~1 shingle get near it


def signatures(shingles: Shingles, num_perm: int, keep_empty: bool = False) -> np.ndarray:
    """One-permutation MinHash bins, (n_texts, num_perm) uint32, EMPTY where no shingle fell."""
    n = shingles.n_texts
    sig = np.full(n * num_perm, EMPTY, np.uint32)
    if len(shingles.hashes):
        h = shingles.hashes
        # Bin from the top 32 bits (multiply-shift keeps it unbiased for any K), value from the low 31.
        bins = ((h >> np.uint64(32)) * np.uint64(num_perm)) >> np.uint64(32)
        key = shingles.owner * num_perm + bins.astype(np.int64)
        np.minimum.at(sig, key, (h & np.uint64(0x7FFFFFFF)).astype(np.uint32))
    return sig.reshape(n, num_perm)


def _donor_table(num_perm: int, seed: int) -> np.ndarray:
    """donors[j, t]: the bin empty bin j tries at attempt t (the same for every text)."""
    j = np.repeat(np.arange(num_perm, dtype=np.uint64), _MAX_TRIES)
    t = np.tile(np.arange(_MAX_TRIES, dtype=np.uint64), num_perm)
    x = mix64(j * np.uint64(0x100000001B3) + t * np.uint64(0x9E3779B97F4A7C15) + np.uint64(seed & 0xFFFFFFFF))
    return ((x >> np.uint64(32)) * np.uint64(num_perm) >> np.uint64(32)).astype(np.int64).reshape(num_perm, _MAX_TRIES)


def densify(sig: np.ndarray, seed: int) -> np.ndarray:
    """Fill empty bins in place; rows with no shingle at all stay EMPTY.

    Empty bin j of a text takes the value of bin donors[j, t] for the first
    attempt t whose bin the text filled itself; after _MAX_TRIES attempts, of
    the text's first filled bin. Texts that filled many bins are served by
    trying donors in turn (most succeed within eight tries); texts that filled
    few (one to SPARSE_BINS bins: short texts, or ones whose shingles are
    mostly boilerplate) by looking up, for each of their filled bins, the
    attempt at which every empty bin would reach it. Trying in turn needs
    about num_perm / filled attempts per empty bin: on 100k one-line records
    that was 37 s of a 40 s near-duplicate pass.
    """
    n, num_perm = sig.shape
    filled = sig != EMPTY
    count = filled.sum(axis=1)
    partial = (count > 0) & (count < num_perm)  # rows without a single shingle stay empty
    sparse = np.flatnonzero(partial & (count <= SPARSE_BINS))
    dense = np.flatnonzero(partial & (count > SPARSE_BINS))
    for lo in range(0, len(sparse), _SPARSE_BLOCK):
        rows = sparse[lo : lo + _SPARSE_BLOCK]
        sig[rows] = _densify_sparse(sig[rows], filled[rows], seed)
    if len(dense):
        sig[dense] = _densify_dense(sig[dense], seed)
    return sig


#: Texts with at most this many filled bins are densified by lookup (see ``densify``).
SPARSE_BINS = 16
_SPARSE_BLOCK = 4096  # rows at a time: bounds the (rows x SPARSE_BINS x num_perm) lookup to 16 MB


def _densify_sparse(sig: np.ndarray, filled: np.ndarray, seed: int) -> np.ndarray:
    """``densify`` for rows with 1 to SPARSE_BINS filled bins, by the first-attempt table."""
    rows, num_perm = sig.shape
    reach = _first_attempts(num_perm, seed)  # reach[b, j]: the attempt at which empty bin j reaches bin b
    # Each row's filled bins, ascending, padded with the column that is never reached.
    own = np.argsort(~filled, axis=1, kind="stable")[:, :SPARSE_BINS]
    own = np.where(np.take_along_axis(filled, own, axis=1), own, num_perm)
    attempts = reach[own]  # (rows, SPARSE_BINS, num_perm)
    pick = attempts.argmin(axis=1)  # per empty bin, which of the row's filled bins it reaches first
    donor = np.take_along_axis(own, pick, axis=1)
    never = np.take_along_axis(attempts, pick[:, None, :], axis=1)[:, 0, :] >= _MAX_TRIES
    donor[never] = np.broadcast_to(own[:, :1], donor.shape)[never]  # the fallback: the first filled bin
    value = np.take_along_axis(sig, donor, axis=1)
    return np.where(filled, sig, value)


@functools.lru_cache(maxsize=8)
def _first_attempts(num_perm: int, seed: int) -> np.ndarray:
    """reach[b, j]: the first attempt t with donors[j, t] == b (_MAX_TRIES if none; row num_perm never reached)."""
    donors = _donor_table(num_perm, seed)
    reach = np.full((num_perm + 1, num_perm), _MAX_TRIES + 1, np.int16)
    reach[:num_perm] = _MAX_TRIES
    j = np.arange(num_perm)
    for t in range(_MAX_TRIES - 1, -1, -1):  # descending: the first attempt is written last
        reach[donors[:, t], j] = t
    reach.flags.writeable = False
    return reach


def _densify_dense(sig: np.ndarray, seed: int) -> np.ndarray:
    """``densify`` for rows that filled many bins: donors tried in turn, eight at once first."""
    n, num_perm = sig.shape
    flat = sig.reshape(-1)
    empty = np.flatnonzero(flat == EMPTY)
    donors = _donor_table(num_perm, seed)
    cols = empty % num_perm
    base = empty - cols
    source = flat.copy()  # borrow only from bins the text filled itself
    # The first 8 tries for every empty bin at once (a text filling 40% of its bins
    # leaves 2% of them empty after 8 tries); the loop below handles the rest.
    tries = source[base[:, None] + donors[cols, :_FIRST_TRIES]]
    # Eight booleans are one uint64: "any filled" is "!= 0", and the first filled
    # try is the lowest non-zero byte (little-endian), found from the lowest set bit.
    word = (tries != EMPTY).view(np.uint64).reshape(-1)
    got = word != 0
    low = word[got]
    low &= ~low + np.uint64(1)
    first = (np.log2(low).astype(np.int64) >> 3) if _LITTLE else 7 - (np.log2(low).astype(np.int64) >> 3)
    flat[empty[got]] = tries[np.flatnonzero(got), first]
    miss = ~got
    empty, base, cols = empty[miss], base[miss], cols[miss]
    for t in range(_FIRST_TRIES, _MAX_TRIES):
        if len(empty) == 0:
            break
        value = source[base + donors[cols, t]]
        got = value != EMPTY
        flat[empty[got]] = value[got]
        miss = ~got
        empty, base, cols = empty[miss], base[miss], cols[miss]
    if len(empty):  # practically never with more than SPARSE_BINS filled bins: the first filled bin
        first_filled = np.argmax(source.reshape(n, num_perm) != EMPTY, axis=1)
        flat[empty] = source[base + first_filled[base // num_perm]]
    return sig


def band_keys(sig: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) uint64: one hash of each band's rows; equal keys mean the band agrees.

    Each row is multiplied by its own odd 64-bit constant and summed (two
    different bands collide only if a random-looking linear form vanishes
    modulo 2**64), then one finaliser per band: far fewer passes than mixing
    after every row.
    """
    n = sig.shape[0]
    grid = sig[:, : bands * rows].reshape(n, bands, rows)
    keys = np.zeros((n, bands), np.uint64)
    for r in range(rows):
        keys += grid[:, :, r].astype(np.uint64) * np.uint64(_ROW_MULTIPLIERS[r])
    keys += np.arange(1, bands + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return mix64(keys)


def candidate_pairs(keys: np.ndarray, ids: np.ndarray, window: int, tie: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (a < b) of ``ids`` sharing a band key, without repeats, with the number of bands they share.

    Within a bucket every pair is a candidate when the bucket holds at most
    ``window + 1`` texts; a bigger bucket (a large family of near-copies) pairs
    each text with its ``window`` successors, which still links the family
    into one cluster while keeping the work linear in its size. ``tie``
    orders texts inside a bucket (else they keep their order).
    """
    found: list[np.ndarray] = []
    n = len(ids)
    none = np.zeros(0, np.int64)
    if n < 2:
        return none, none, none
    for b in range(keys.shape[1]):
        order = np.argsort(keys[:, b], kind="stable") if tie is None else np.lexsort((tie, keys[:, b]))
        sk = keys[order, b]
        same = sk[1:] == sk[:-1]
        if not same.any():
            continue
        # Longest run of equal keys bounds how many offsets can still produce pairs.
        run_ids = np.cumsum(np.concatenate([[True], ~same]))
        longest = int(np.bincount(run_ids).max())
        for d in range(1, min(window, longest - 1) + 1):
            hit = np.flatnonzero(sk[d:] == sk[:-d])
            if len(hit) == 0:
                break
            a, c = ids[order[hit]], ids[order[hit + d]]
            found.append(np.minimum(a, c).astype(np.int64) << 32 | np.maximum(a, c).astype(np.int64))
    if not found:
        return none, none, none
    codes, hits = sorted_unique(np.concatenate(found), counts=True)
    return codes >> 32, codes & 0xFFFFFFFF, hits
