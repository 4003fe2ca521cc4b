"""Near-duplicate pairs among many texts: shingles, boilerplate discount, then exact or MinHash-LSH search.

Every pair reported has a true Jaccard similarity of its shingle sets at or
above the threshold: below ``exact_below`` texts all pairs are computed exactly
(a sparse matrix product, fastest at that size); above it, MinHash LSH proposes
candidates and each is verified exactly, so LSH can only cost recall, never
precision.

Boilerplate: a shingle found in at least ``boilerplate_share`` of the distinct
texts of a field (and in at least ``boilerplate_min_records`` of them) is text
every record carries: a system prompt, a tool description, a template. It is
dropped from every set before comparing, so records are judged by what they do
not share with everybody. A text made only of boilerplate keeps its full set
(otherwise it could match nothing, not even its own near-copies). Document
frequency is counted exactly up to ``_DF_SAMPLE`` distinct texts and on a
seeded sample above that.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from auditor.jaccard import SetIndex, all_pairs_above, pair_jaccard
from auditor.minhash import band_keys, candidate_pairs, densify, signatures
from auditor.shingles import Shingles, chunks_by_bytes, encode, shingle

_DF_SAMPLE = 20_000  # distinct texts: the share of a shingle is known to about +-0.3% at 5%
_FIELD_SALTS = (0, 0x5BD1E9955BD1E995)  # input shingles and output shingles never match each other


@dataclass(frozen=True)
class NearParams:
    shingle_size: int = 5
    bands: int = 20
    rows: int = 6
    threshold: float = 0.8
    boilerplate_share: float = 0.05
    boilerplate_min_records: int = 50
    exact_below: int = 5000
    bucket_window: int = 32
    threads: int = 2
    seed: int = 0

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows

    @classmethod
    def from_config(cls, section: dict[str, Any], seed: int) -> NearParams:
        return cls(
            shingle_size=int(section["shingle_size"]),
            bands=int(section["bands"]),
            rows=int(section["rows"]),
            threshold=float(section["threshold"]),
            boilerplate_share=float(section["boilerplate_share"]),
            boilerplate_min_records=int(section["boilerplate_min_records"]),
            exact_below=int(section["exact_below"]),
            bucket_window=int(section["bucket_window"]),
            threads=int(section["threads"]),
            seed=seed,
        )


@dataclass(frozen=True)
class NearPairs:
    """Pairs of record indices (a < b) with their true Jaccard similarity."""

    a: np.ndarray
    b: np.ndarray
    jaccard: np.ndarray
    method: str  # "exact" or "lsh"
    candidates: int  # pairs verified (LSH) or pairs sharing a shingle (exact)
    boilerplate: tuple[int, ...]  # boilerplate shingles found per field

    def __len__(self) -> int:
        return len(self.a)


class _Shingler:
    """Shingles of chosen records over one or more text fields, boilerplate removed."""

    def __init__(self, fields: Sequence[Sequence[str]], params: NearParams, members: np.ndarray) -> None:
        self.fields = fields
        self.params = params
        self.boiler = [self._boilerplate(col, members, f) for f, col in enumerate(fields)]

    def _boilerplate(self, column: Sequence[str], members: np.ndarray, field: int) -> np.ndarray:
        p = self.params
        if p.boilerplate_share >= 1.0 or len(members) == 0:
            return np.zeros(0, np.uint64)
        sample = members
        if len(members) > _DF_SAMPLE:
            rng = np.random.default_rng(p.seed)
            sample = np.sort(rng.choice(members, _DF_SAMPLE, replace=False))
        distinct = list(dict.fromkeys(column[i] for i in sample.tolist()))
        sh = shingle(encode(distinct), p.shingle_size, _FIELD_SALTS[field])
        index = SetIndex.build(sh)  # one entry per (text, shingle): document frequency
        values, df = np.unique(index.keys & np.uint64(0xFFFFFFFF), return_counts=True)
        # The floor scales with sampling so it means the same number of records either way.
        floor = p.boilerplate_min_records * len(sample) / max(len(members), 1)
        cutoff = max(p.boilerplate_share * len(distinct), floor, 2.0)
        return values[df >= cutoff]

    def __call__(self, idx: np.ndarray) -> Shingles:
        owners: list[np.ndarray] = []
        hashes: list[np.ndarray] = []
        rows = idx.tolist()
        for f, column in enumerate(self.fields):
            sh = shingle(encode([column[i] for i in rows]), self.params.shingle_size, _FIELD_SALTS[f])
            owner, h = sh.owner, sh.hashes
            boiler = self.boiler[f]
            if len(boiler) and len(h):
                low = h & np.uint64(0xFFFFFFFF)
                pos = np.minimum(np.searchsorted(boiler, low), len(boiler) - 1)
                common = boiler[pos] == low
                kept = np.bincount(owner[~common], minlength=len(rows))
                drop = common & (kept[owner] > 0)  # a text of pure boilerplate keeps its set
                owner, h = owner[~drop], h[~drop]
            owners.append(owner)
            hashes.append(h)
        return Shingles(np.concatenate(owners), np.concatenate(hashes), len(rows))


def _chunks(fields: Sequence[Sequence[str]], members: np.ndarray) -> list[np.ndarray]:
    lengths = np.zeros(len(members), np.int64)
    rows = members.tolist()
    for column in fields:
        lengths += np.fromiter((len(column[i]) for i in rows), np.int64, len(rows))
    return [members[lo:hi] for lo, hi in chunks_by_bytes(lengths)]


def _map(fn: Any, items: list[Any], threads: int) -> Iterator[Any]:
    if threads <= 1 or len(items) <= 1:
        return map(fn, items)
    pool = ThreadPoolExecutor(max_workers=threads)
    try:
        return iter(list(pool.map(fn, items)))
    finally:
        pool.shutdown()


def _shingle_all(shingler: _Shingler, members: np.ndarray, threads: int) -> Shingles:
    parts: list[Shingles] = list(_map(shingler, _chunks(shingler.fields, members), threads))
    offset = 0
    owners, hashes = [], []
    for part in parts:
        owners.append(part.owner + offset)
        hashes.append(part.hashes)
        offset += part.n_texts
    if not parts:
        return Shingles(np.zeros(0, np.int64), np.zeros(0, np.uint64), 0)
    return Shingles(np.concatenate(owners), np.concatenate(hashes), offset)


def near_pairs(fields: Sequence[Sequence[str]], members: Sequence[int] | np.ndarray, params: NearParams) -> NearPairs:
    """Pairs of ``members`` (record indices) whose shingle sets over ``fields`` have Jaccard >= threshold.

    ``fields`` are parallel columns of normalised text (e.g. [inputs] or
    [inputs, outputs]); a record's set is the union of its fields' shingles,
    each field salted apart.
    """
    members = np.asarray(members, np.int64)
    shingler = _Shingler(fields, params, members)
    boiler = tuple(len(b) for b in shingler.boiler)
    empty = np.zeros(0, np.int64)
    if len(members) < 2:
        return NearPairs(empty, empty, np.zeros(0), "exact", 0, boiler)
    if len(members) <= params.exact_below:
        index = SetIndex.build(_shingle_all(shingler, members, params.threads))
        a, b, jac = all_pairs_above(index, params.threshold)
        return NearPairs(members[a], members[b], jac, "exact", len(a), boiler)

    def band(idx: np.ndarray) -> np.ndarray:
        sig = densify(signatures(shingler(idx), params.num_perm), params.seed)
        keys = band_keys(sig, params.bands, params.rows)
        keys[(sig == np.uint32(0xFFFFFFFF)).all(axis=1)] = 0  # marks "no shingle" rows for removal
        return keys

    keys = np.concatenate(list(_map(band, _chunks(fields, members), params.threads)))
    has = ~(keys == 0).all(axis=1)
    positions = np.flatnonzero(has)
    pa, pb = candidate_pairs(keys[has], positions, params.bucket_window)
    if len(pa) == 0:
        return NearPairs(empty, empty, np.zeros(0), "lsh", 0, boiler)
    involved = np.unique(np.concatenate([pa, pb]))
    index = SetIndex.build(_shingle_all(shingler, members[involved], params.threads))
    jac = pair_jaccard(index, np.searchsorted(involved, pa), np.searchsorted(involved, pb))
    ok = jac >= params.threshold
    return NearPairs(members[pa[ok]], members[pb[ok]], jac[ok], "lsh", len(pa), boiler)
