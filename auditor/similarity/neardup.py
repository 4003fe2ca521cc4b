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
frequency is counted exactly up to ``_DF_SAMPLE`` records and on a seeded
sample of that many above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from auditor.similarity.jaccard import SetIndex, all_pairs_above, pair_jaccard, sorted_unique
from auditor.similarity.minhash import EMPTY, band_keys, candidate_pairs, densify, signatures
from auditor.similarity.shingles import Shingles, chunks_by_bytes, encode, shingle

_SIGMAS = 4.0  # how far below the threshold an estimate may fall before its pair is dropped unverified
_ROUND = 8192  # candidate pairs verified between re-clusterings
_DF_SAMPLE = 5_000  # distinct texts: a 5% share is then known to +-0.3% (one standard error)
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


class Shingler:
    """Shingles of chosen records, per field (input, output), boilerplate removed."""

    def __init__(
        self,
        inputs: Sequence[str],
        outputs: Sequence[str],
        params: NearParams,
        members: np.ndarray,
        boiler: Sequence[np.ndarray] | None = None,
    ) -> None:
        self.fields = (inputs, outputs)
        self.params = params
        # A partitioned run computes the boilerplate once on the driver and hands it to every partition.
        self.boiler = list(boiler) if boiler is not None else [self._boilerplate(col, members, f) for f, col in enumerate(self.fields)]

    def _boilerplate(self, column: Sequence[str], members: np.ndarray, field: int) -> np.ndarray:
        p = self.params
        if p.boilerplate_share >= 1.0 or len(members) == 0:
            return np.zeros(0, np.uint64)
        sample = members
        if len(members) > _DF_SAMPLE:
            rng = np.random.default_rng(p.seed)
            sample = np.sort(rng.choice(members, _DF_SAMPLE, replace=False))
        distinct = list(dict.fromkeys(column[i] for i in sample.tolist()))
        lengths = np.fromiter(map(len, distinct), np.int64, len(distinct))
        parts = [shingle(encode(distinct[lo:hi]), p.shingle_size, _FIELD_SALTS[field]) for lo, hi in chunks_by_bytes(lengths)]
        index = SetIndex.build(_concat(parts))  # one entry per (text, shingle): document frequency
        values, df = sorted_unique(index.keys & np.uint64(0xFFFFFFFF), counts=True)
        # The floor scales with sampling so it means the same number of records either way.
        floor = p.boilerplate_min_records * len(sample) / max(len(members), 1)
        cutoff = max(p.boilerplate_share * len(distinct), floor, 2.0)
        return values[df >= cutoff]

    def __call__(self, idx: np.ndarray) -> tuple[Shingles, Shingles]:
        rows = idx.tolist()
        out: list[Shingles] = []
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
            out.append(Shingles(owner, h, len(rows)))
        return out[0], out[1]


def _merge(a: Shingles, b: Shingles) -> Shingles:
    return Shingles(np.concatenate([a.owner, b.owner]), np.concatenate([a.hashes, b.hashes]), a.n_texts)


def _subset(sh: Shingles, rows: np.ndarray) -> Shingles:
    """The shingles of texts ``rows`` (sorted positions), renumbered 0..len(rows)-1."""
    where = np.full(sh.n_texts, -1, np.int64)
    where[rows] = np.arange(len(rows))
    new = where[sh.owner]
    keep = new >= 0
    return Shingles(new[keep], sh.hashes[keep], len(rows))


def _chunks(fields: Sequence[Sequence[str]], members: np.ndarray) -> list[np.ndarray]:
    return [members[lo:hi] for lo, hi in _bounds(fields, members)]


def _map(fn: Any, items: list[Any], threads: int) -> list[Any]:
    if threads <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    pool = ThreadPoolExecutor(max_workers=threads)
    try:
        return list(pool.map(fn, items))
    finally:
        # On an interrupt (Ctrl-C, SIGTERM) the chunks not started yet are
        # dropped: only the running ones are waited for, not the whole map.
        pool.shutdown(cancel_futures=True)


def _concat(parts: list[Shingles]) -> Shingles:
    offset = 0
    owners, hashes = [], []
    for part in parts:
        owners.append(part.owner + offset)
        hashes.append(part.hashes)
        offset += part.n_texts
    if not parts:
        return Shingles(np.zeros(0, np.int64), np.zeros(0, np.uint64), 0)
    return Shingles(np.concatenate(owners), np.concatenate(hashes), offset)


def _shingle_all(shingler: Shingler, members: np.ndarray, threads: int) -> tuple[Shingles, Shingles]:
    parts = _map(shingler, _chunks(shingler.fields, members), threads)
    return _concat([p[0] for p in parts]), _concat([p[1] for p in parts])


@dataclass(frozen=True)
class NearViews:
    """Near-duplicate pairs of inputs and of whole examples, found in one pass."""

    inputs: NearPairs
    pairs: NearPairs


def near_views(
    inputs: Sequence[str],
    outputs: Sequence[str],
    pair_members: Sequence[int] | np.ndarray,
    input_members: Sequence[int] | np.ndarray,
    params: NearParams,
) -> NearViews:
    """Pairs of records whose inputs (among ``input_members``) or input-output pairs (among ``pair_members``) are near-duplicates.

    A pair's set is its input shingles plus its output shingles, salted apart
    so an output never matches an input. ``input_members`` must be a subset of
    ``pair_members`` (the first record of each distinct input is always the
    first of its distinct pair); both sorted. Each record is shingled once for
    both views: the pair's MinHash bins are the element-wise minimum of its
    input's and its output's bins.
    """
    pm = np.asarray(pair_members, np.int64)
    im = np.asarray(input_members, np.int64)
    shingler = Shingler(inputs, outputs, params, pm)
    boiler = tuple(len(b) for b in shingler.boiler)
    in_rows = np.searchsorted(pm, im)  # positions of input members among pair members
    if len(pm) <= params.exact_below:
        sh_in, sh_out = _shingle_all(shingler, pm, params.threads)
        views = []
        for members, sh in ((im, _subset(sh_in, in_rows)), (pm, _merge(sh_in, sh_out))):
            a, b, jac = all_pairs_above(SetIndex.build(sh), params.threshold) if len(members) > 1 else (_NONE, _NONE, np.zeros(0))
            views.append(NearPairs(members[a], members[b], jac, "exact", len(a), boiler))
        return NearViews(views[0], views[1])

    is_input = np.zeros(len(pm), np.bool_)
    is_input[in_rows] = True

    # Outputs are written in place, chunk by chunk: collecting per-chunk arrays and
    # concatenating them would hold both copies at once (the run's memory peak at 1M records).
    in_before = np.concatenate([[0], np.cumsum(is_input)])
    sketch = Sketch.empty(len(im), len(pm), params)

    def band(chunk: tuple[int, int]) -> None:
        lo, hi = chunk
        sketch.put(sketch_rows(shingler, pm[lo:hi], is_input[lo:hi], params), int(in_before[lo]), lo)

    _map(band, _bounds(shingler.fields, pm), params.threads)
    return verify_sketch(shingler, pm, in_rows, sketch, params)


@dataclass
class Sketch:
    """Per member, the LSH band keys and 8-bit MinHash bins of both views (inputs, whole pairs).

    ``keys[0]``/``sigs[0]`` hold input members, ``keys[1]``/``sigs[1]`` pair
    members, in member order. A partitioned run fills one per partition and
    concatenates them; the values of a record never depend on its neighbours.
    """

    keys: list[np.ndarray]
    sigs: list[np.ndarray]

    @classmethod
    def empty(cls, n_inputs: int, n_pairs: int, params: NearParams) -> Sketch:
        return cls(
            [np.empty((n_inputs, params.bands), np.uint64), np.empty((n_pairs, params.bands), np.uint64)],
            [np.empty((n_inputs, params.num_perm), np.uint8), np.empty((n_pairs, params.num_perm), np.uint8)],
        )

    def put(self, part: Sketch, input_at: int, pair_at: int) -> None:
        for view, at in ((0, input_at), (1, pair_at)):
            self.keys[view][at : at + len(part.keys[view])] = part.keys[view]
            self.sigs[view][at : at + len(part.sigs[view])] = part.sigs[view]

    def load_keys(self, view: int) -> np.ndarray:
        """One view's band keys (``SketchViews``: a spilled sketch reads them from disk)."""
        return self.keys[view]

    def load_sigs(self, view: int) -> np.ndarray:
        return self.sigs[view]

    def drop(self, view: int) -> None:
        self.keys[view] = self.sigs[view] = _NONE

    @classmethod
    def concat(cls, parts: Sequence[Sketch], params: NearParams) -> Sketch:
        out = cls.empty(sum(len(p.keys[0]) for p in parts), sum(len(p.keys[1]) for p in parts), params)
        at = [0, 0]
        for p in parts:
            out.put(p, at[0], at[1])
            at = [at[0] + len(p.keys[0]), at[1] + len(p.keys[1])]
        return out


def sketch_rows(shingler: Shingler, rows: np.ndarray, is_input: np.ndarray, params: NearParams) -> Sketch:
    """The sketch of records ``rows`` of the shingler's columns; ``is_input`` marks the input members among them."""
    sh_in, sh_out = shingler(rows)
    raw_in = signatures(sh_in, params.num_perm)
    sig_pair = densify(np.minimum(raw_in, signatures(sh_out, params.num_perm)), params.seed)
    sig_in = densify(raw_in[np.flatnonzero(is_input)], params.seed)
    # 8 bits of each bin are kept to estimate Jaccard before verifying: false
    # matches between different values (1 in 256) raise an estimate by 0.004 at
    # most, far inside the filter's margin, and cost 120 bytes a record.
    return Sketch([_keys(sig_in, params), _keys(sig_pair, params)], [sig_in.astype(np.uint8), sig_pair.astype(np.uint8)])


def sketch_all(shingler: Shingler, rows: np.ndarray, is_input: np.ndarray, params: NearParams) -> Sketch:
    """``sketch_rows`` over byte-bounded chunks of ``rows``: one partition's members, in one process."""
    parts = [sketch_rows(shingler, rows[lo:hi], is_input[lo:hi], params) for lo, hi in _bounds(shingler.fields, rows)]
    return Sketch.concat(parts, params)


class SketchViews(Protocol):
    """A sketch read one view at a time: in memory (``Sketch``) or spilled to disk by a partitioned run."""

    def load_keys(self, view: int) -> np.ndarray: ...

    def load_sigs(self, view: int) -> np.ndarray: ...

    def drop(self, view: int) -> None: ...


def verify_sketch(shingler: Shingler, pm: np.ndarray, in_rows: np.ndarray, sketch: SketchViews, params: NearParams) -> NearViews:
    """Candidates from the band keys, filtered by the estimate, verified exactly on re-shingled texts.

    Only the records involved in a candidate pair are shingled again, so the
    shingler's columns may read their texts on demand (a partitioned run does).
    One view's keys and bins are loaded at a time and dropped once its
    candidates are found.
    """
    boiler = tuple(len(b) for b in shingler.boiler)
    cands = []
    for view in (0, 1):
        keys = sketch.load_keys(view)
        pa, pb, _ = candidate_pairs_of(keys, params)
        del keys
        sigs = sketch.load_sigs(view)
        estimate = _estimate(sigs, pa, pb)
        del sigs
        sketch.drop(view)
        if view == 0:  # input-view rows are positions among input members; map them to pair members
            pa, pb = in_rows[pa], in_rows[pb]
        cands.append((pa, pb, estimate))
    involved = np.unique(np.concatenate([cands[0][0], cands[0][1], cands[1][0], cands[1][1]]))
    sh_in, sh_out = _shingle_all(shingler, pm[involved], params.threads)
    views = []
    for view, (pa, pb, estimate) in enumerate(cands):
        # One view's index at a time, and no shingle array kept longer than needed: this is the peak of memory.
        if view == 0:
            index = SetIndex.build(sh_in)
        else:
            merged = _merge(sh_in, sh_out)
            del sh_in, sh_out
            index = SetIndex.build(merged)
            del merged
        a, b, jac, verified = _verify(
            index, np.searchsorted(involved, pa), np.searchsorted(involved, pb), estimate, params
        )
        del index
        views.append(NearPairs(pm[involved[a]], pm[involved[b]], jac, "lsh", verified, boiler))
    return NearViews(views[0], views[1])


_NONE = np.zeros(0, np.int64)


def _keys(sig: np.ndarray, params: NearParams) -> np.ndarray:
    keys = band_keys(sig, params.bands, params.rows)
    keys[(sig == EMPTY).all(axis=1)] = 0  # no shingle at all: never a candidate
    return keys


def candidate_pairs_of(keys: np.ndarray, params: NearParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs (row positions) from band keys, rows without shingles left out."""
    positions = np.flatnonzero(~(keys == 0).all(axis=1))
    kept = keys if len(positions) == len(keys) else keys[positions]  # no copy when every row has shingles
    return candidate_pairs(kept, positions, params.bucket_window)


def _bounds(fields: Sequence[Sequence[str]], members: np.ndarray) -> list[tuple[int, int]]:
    lengths = np.zeros(len(members), np.int64)
    rows = members.tolist()
    for column in fields:
        lengths += np.fromiter((len(column[i]) for i in rows), np.int64, len(rows))
    return chunks_by_bytes(lengths)


def _estimate(sig: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of equal MinHash bins of each candidate pair: an unbiased estimate of its Jaccard similarity."""
    out = np.empty(len(a))
    step = 1 << 16  # bounds the (pairs x bins) temporary
    for lo in range(0, len(a), step):
        out[lo : lo + step] = (sig[a[lo : lo + step]] == sig[b[lo : lo + step]]).mean(axis=1)
    return out


def _verify(
    index: SetIndex, a: np.ndarray, b: np.ndarray, estimate: np.ndarray, params: NearParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Verify candidates exactly, in rounds, after two filters that cannot cost a true pair in practice.

    Length: Jaccard <= min(|A|, |B|) / max(|A|, |B|). Estimate: the share of
    equal bins over ``num_perm`` bins has a standard deviation of about
    sqrt(J(1-J)/m), m being the bins carrying distinct information (fewer for
    texts with fewer shingles than bins); a pair is dropped only when its
    estimate is more than ``_SIGMAS`` deviations below the threshold, which a
    pair at the threshold does with probability under 1e-4.

    Rounds: a family of m near-copies yields up to m*(m-1)/2 candidates but
    needs only m-1 verified links to form its cluster; the likeliest pairs
    (highest estimate) go first and later rounds skip pairs already joined.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    threshold = params.threshold
    n = len(index.offsets) - 1
    sizes = index.sizes
    small, large = np.minimum(sizes[a], sizes[b]), np.maximum(sizes[a], sizes[b])
    informative = np.minimum(small, params.num_perm).clip(1)
    margin = _SIGMAS * np.sqrt(threshold * (1 - threshold) / informative)
    fits = (small >= threshold * large) & (estimate >= threshold - margin)
    a, b, estimate = a[fits], b[fits], estimate[fits]
    order = np.lexsort((b, a, -estimate))
    a, b = a[order], b[order]
    keep_a: list[np.ndarray] = []
    keep_b: list[np.ndarray] = []
    keep_j: list[np.ndarray] = []
    labels = np.arange(n)
    verified = 0
    # Small rounds: pairs joined by an earlier round are skipped; re-clustering costs milliseconds.
    lo, batch = 0, _ROUND
    while lo < len(a):
        sa, sb = a[lo : lo + batch], b[lo : lo + batch]
        lo += batch
        open_ = labels[sa] != labels[sb]
        sa, sb = sa[open_], sb[open_]
        if len(sa) == 0:
            continue
        jac = pair_jaccard(index, sa, sb)
        verified += len(sa)
        ok = jac >= threshold
        keep_a.append(sa[ok])
        keep_b.append(sb[ok])
        keep_j.append(jac[ok])
        if ok.any() and lo < len(a):
            ea, eb = np.concatenate(keep_a), np.concatenate(keep_b)
            graph = coo_matrix((np.ones(len(ea), np.int8), (ea, eb)), shape=(n, n))
            labels = connected_components(graph, directed=False)[1]
    if not keep_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), verified
    ra, rb, rj = np.concatenate(keep_a), np.concatenate(keep_b), np.concatenate(keep_j)
    order = np.lexsort((rb, ra))
    return ra[order], rb[order], rj[order], verified
