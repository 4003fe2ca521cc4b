"""Near-duplicate pairs among many texts: shingles, boilerplate discount, then exact or MinHash-LSH search.

Every pair reported is similar by its true shingle sets, never by an
estimate: below ``exact_below`` texts all pairs are computed exactly (a
sparse matrix product, fastest at that size); above it, MinHash LSH proposes
candidates and each is verified exactly, so LSH can only cost recall, never
precision.

Three views come out of one pass:

- inputs: two inputs are near-duplicates when the Jaccard similarity of their
  shingle sets reaches the threshold;
- pairs (whole examples): the Jaccard of the input and output shingles
  together (salted apart) reaches the threshold, *and* so does the outputs'
  alone. A long input shared by two short answers makes the union alike
  whatever the answers say: two answers to one input are two examples (or a
  contradiction), never copies of one;
- similar: input pairs that also differ by an edit shorter than a shingle
  (``auditor.similarity.edits``), between examples that are not near-duplicates: the
  same request answered differently, not another question on a shared passage.

Sets leave boilerplate out (``auditor.similarity.boilerplate``); a slot text (fewer than
k words of its own beside boilerplate) keeps its whole set, and a pair in
which one text is a slot and the other is not, in any field, is compared
apart from boilerplate in every field. So the sketch holds, for each record
with a slot field, a second row of its sets apart from boilerplate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from auditor.similarity.boilerplate import Boilerplate, FieldSets, Shingler
from auditor.similarity.edits import small_edits
from auditor.similarity.jaccard import Parts, SetIndex, combined, pair_intersection, pairs_above
from auditor.similarity.minhash import EMPTY, band_keys, candidate_pairs, densify, signatures
from auditor.similarity.shingles import Shingles, chunks_by_bytes, mix64, sizes

__all__ = ["Boilerplate", "NearPairs", "NearParams", "NearViews", "Shingler", "Sketch", "near_views", "sketch_all", "verify_sketch"]

_SIGMAS = 4.0  # how far below the threshold an estimate may fall before its pair is dropped unverified
_ROUND = 8192  # candidate pairs verified between re-clusterings

# How a view judges a pair: each part (a set of fields) must reach the threshold.
INPUT_PARTS: Parts = ((0,),)
PAIR_PARTS: Parts = ((0, 1), (1,))  # the whole example, and its output


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
    """Pairs of record indices (a < b) with their true similarity (the smallest of the view's parts)."""

    a: np.ndarray
    b: np.ndarray
    jaccard: np.ndarray
    method: str  # "exact" or "lsh"
    candidates: int  # pairs verified (LSH) or pairs sharing a shingle (exact)
    boilerplate: tuple[int, ...]  # boilerplate shingles found per field

    def __len__(self) -> int:
        return len(self.a)


@dataclass(frozen=True)
class NearViews:
    """Near-duplicate pairs of inputs and of whole examples, and similar requests, found in one pass.

    ``similar`` is None when not asked for (cross-set matching needs only the first two).
    """

    inputs: NearPairs
    pairs: NearPairs
    similar: NearPairs | None = None


class FieldIndex:
    """One field's sets of the texts being verified: as sketched (``whole``) and apart from boilerplate."""

    def __init__(self, sets: FieldSets) -> None:
        self.whole = SetIndex.build(sets.whole)
        self.apart = SetIndex.build(sets.discounted()) if sets.slot.any() else self.whole
        self.slot = sets.slot
        self.trimmed = sets.trimmed


class Judge:
    """How a view judges a pair of texts: each part of ``parts`` must reach the threshold (``combined``).

    A pair is compared on its sketched sets when, in every field, both texts
    are slots or neither is; else on both texts' sets apart from boilerplate.
    """

    def __init__(self, fields: list[FieldIndex], parts: Parts, threshold: float) -> None:
        self.fields, self.parts, self.threshold = fields, parts, threshold

    @property
    def n(self) -> int:
        return len(self.fields[0].whole.offsets) - 1

    def whole(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        same = np.ones(len(a), np.bool_)
        for f in self.fields:
            same &= f.slot[a] == f.slot[b]
        return same

    def sizes(self, a: np.ndarray, b: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per field, each pair's two set sizes, as the pair is compared."""
        whole = self.whole(a, b)
        sa = [np.where(whole, f.whole.sizes[a], f.apart.sizes[a]) for f in self.fields]
        sb = [np.where(whole, f.whole.sizes[b], f.apart.sizes[b]) for f in self.fields]
        return sa, sb

    def intersection(self, f: int, a: np.ndarray, b: np.ndarray, whole: np.ndarray) -> np.ndarray:
        index = self.fields[f]
        if index.apart is index.whole:
            return pair_intersection(index.whole, a, b)
        out = np.zeros(len(a))
        out[whole] = pair_intersection(index.whole, a[whole], b[whole])
        out[~whole] = pair_intersection(index.apart, a[~whole], b[~whole])
        return out

    def __call__(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Each pair's value; the last field (the output, usually shorter and more selective) is
        intersected first and, when a part made of it alone misses the threshold, the others are not
        (such a pair carries a value below the threshold, not its exact one)."""
        whole = self.whole(a, b)
        sa, sb = self.sizes(a, b)
        last = len(self.fields) - 1
        inters = [np.zeros(len(a)) for _ in self.fields]
        inters[last] = self.intersection(last, a, b, whole)
        live = np.arange(len(a))
        if last > 0 and (last,) in self.parts:
            live = np.flatnonzero(combined(inters, sa, sb, ((last,),)) >= self.threshold)
        for f in range(last):
            inters[f][live] = self.intersection(f, a[live], b[live], whole[live])
        out = np.zeros(len(a))
        out[live] = combined([x[live] for x in inters], [x[live] for x in sa], [x[live] for x in sb], self.parts)
        return out

    def exhaustive(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every pair at or above the threshold: one sparse product per way of comparing.

        The product runs on all fields together: the Jaccard of the union is
        a mediant of the parts', so every pair the parts accept is among those
        it puts at or above the threshold, and only those are split by field.
        """
        t = self.threshold
        found = []
        for whole in (True, False):
            if not whole and all(f.apart is f.whole for f in self.fields):
                break
            indexes = [f.whole if whole else f.apart for f in self.fields]
            merged = indexes[0] if len(indexes) == 1 else SetIndex.merge(indexes)
            a, b, jac, shared = pairs_above(merged, t)
            keep = self.whole(a, b) == whole
            a, b, jac, shared = a[keep], b[keep], jac[keep], shared[keep]
            if self.parts != (tuple(range(len(indexes))),) and len(a):
                # Intersections add over fields: all but the costliest are looked up, that one is the rest.
                cost = [int(np.minimum(ix.sizes[a], ix.sizes[b]).sum()) for ix in indexes]
                rest = int(np.argmax(cost))
                inters = [pair_intersection(ix, a, b) if f != rest else np.zeros(len(a)) for f, ix in enumerate(indexes)]
                inters[rest] = shared - np.sum(inters, axis=0)
                jac = combined(inters, [ix.sizes[a] for ix in indexes], [ix.sizes[b] for ix in indexes], self.parts)
            ok = jac >= t
            found.append((a[ok], b[ok], jac[ok]))
        a, b, jac = (np.concatenate(x) for x in zip(*found))
        order = np.lexsort((b, a))
        return a[order], b[order], jac[order]


def near_views(
    inputs: Sequence[str],
    outputs: Sequence[str],
    pair_members: Sequence[int] | np.ndarray,
    input_members: Sequence[int] | np.ndarray,
    params: NearParams,
    with_similar: bool = True,
) -> NearViews:
    """Pairs of records whose inputs (among ``input_members``) or examples (among ``pair_members``) are near-duplicates.

    ``input_members`` must be a subset of ``pair_members`` (the first record of
    each distinct input is always the first of its distinct pair); both
    sorted. Each record is shingled once for both views: the pair's MinHash
    bins are the element-wise minimum of its input's and its output's bins.
    """
    pm = np.asarray(pair_members, np.int64)
    im = np.asarray(input_members, np.int64)
    shingler = Shingler(inputs, outputs, params, pm)
    boiler = tuple(len(b) for b in shingler.boiler)
    in_rows = np.searchsorted(pm, im)  # positions of input members among pair members
    if len(pm) <= params.exact_below:
        sets_in, sets_out = _shingle_all(shingler, pm, params.threads)
        judges = [Judge([FieldIndex(sets_in.subset(in_rows))], INPUT_PARTS, params.threshold), Judge([FieldIndex(sets_in), FieldIndex(sets_out)], PAIR_PARTS, params.threshold)]
        views = []
        for members, judge in zip((im, pm), judges):
            a, b, jac = judge.exhaustive() if len(members) > 1 else (_NONE, _NONE, np.zeros(0))
            views.append(NearPairs(members[a], members[b], jac, "exact", len(a), boiler))
        similar = _similar(shingler, views[0], views[1], pm, judges[0], im, params) if with_similar else None
        return NearViews(views[0], views[1], similar)

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
    return verify_sketch(shingler, pm, in_rows, sketch, params, with_similar)


def _shingle_all(shingler: Shingler, members: np.ndarray, threads: int) -> tuple[FieldSets, FieldSets]:
    parts = _map(shingler, [members[lo:hi] for lo, hi in _bounds(shingler.fields, members)], threads)
    return FieldSets.concat([p[0] for p in parts]), FieldSets.concat([p[1] for p in parts])


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


@dataclass
class Sketch:
    """Per member, the LSH band keys and 8-bit MinHash bins of both views (inputs, whole pairs).

    ``keys[0]``/``sigs[0]`` hold input members, ``keys[1]``/``sigs[1]`` pair
    members, in member order; the pair view's keys carry one more column, the
    output's tie key (``_tie``). Records with a slot field have one more row
    per view, of their sets apart from boilerplate: ``extras[view]`` holds
    them in chunks of (keys, bins, member positions). A partitioned run fills
    one per partition and concatenates them; the values of a record never
    depend on its neighbours.
    """

    keys: list[np.ndarray]
    sigs: list[np.ndarray]
    extras: list[list[Extra]] = field(default_factory=lambda: [[], []])

    @classmethod
    def empty(cls, n_inputs: int, n_pairs: int, params: NearParams) -> Sketch:
        return cls(
            [np.empty((n_inputs, params.bands), np.uint64), np.empty((n_pairs, params.bands + 1), np.uint64)],
            [np.empty((n_inputs, params.num_perm), np.uint8), np.empty((n_pairs, params.num_perm), np.uint8)],
        )

    def put(self, part: Sketch, input_at: int, pair_at: int) -> None:
        for view, at in ((0, input_at), (1, pair_at)):
            self.keys[view][at : at + len(part.keys[view])] = part.keys[view]
            self.sigs[view][at : at + len(part.sigs[view])] = part.sigs[view]
            for keys, sigs, of in part.extras[view]:
                self.extras[view].append((keys, sigs, of + at))  # one append: safe from the sketching threads

    def _extra(self, view: int, kind: int) -> np.ndarray:
        """One kind (0 keys, 1 bins, 2 member positions) of a view's extra rows, ordered by member."""
        chunks = self.extras[view]
        if not chunks:
            width = (self.keys, self.sigs)[kind][view].shape[1] if kind < 2 else 0
            return np.zeros((0, width), (np.uint64, np.uint8, np.int64)[kind]) if kind < 2 else _NONE
        order = np.argsort(np.concatenate([c[2] for c in chunks]), kind="stable")
        return np.concatenate([c[kind] for c in chunks])[order]

    def load_keys(self, view: int) -> np.ndarray:
        """One view's band keys, member rows then extra rows (``SketchViews``: a spilled sketch reads them from disk)."""
        return np.concatenate([self.keys[view], self._extra(view, 0)])

    def load_sigs(self, view: int) -> np.ndarray:
        return np.concatenate([self.sigs[view], self._extra(view, 1)])

    def load_extra(self, view: int) -> np.ndarray:
        """The member position of each extra row, in the order ``load_keys`` returns them after the members'."""
        return self._extra(view, 2)

    def drop(self, view: int) -> None:
        self.keys[view] = self.sigs[view] = _NONE
        self.extras[view] = []

    @classmethod
    def concat(cls, parts: Sequence[Sketch], params: NearParams) -> Sketch:
        out = cls.empty(sum(len(p.keys[0]) for p in parts), sum(len(p.keys[1]) for p in parts), params)
        at = [0, 0]
        for p in parts:
            out.put(p, at[0], at[1])
            at = [at[0] + len(p.keys[0]), at[1] + len(p.keys[1])]
        return out


Extra = tuple[np.ndarray, np.ndarray, np.ndarray]  # keys, 8-bit bins and member positions of extra rows


def sketch_rows(shingler: Shingler, rows: np.ndarray, is_input: np.ndarray, params: NearParams) -> Sketch:
    """The sketch of records ``rows`` of the shingler's columns; ``is_input`` marks the input members among them."""
    sets_in, sets_out = shingler(rows)
    raw_in = signatures(sets_in.whole, params.num_perm)
    raw_out = signatures(sets_out.whole, params.num_perm)
    inputs = np.flatnonzero(is_input)
    # 8 bits of each bin are kept to estimate Jaccard before verifying: false
    # matches between different values (1 in 256) raise an estimate by 0.004 at
    # most, far inside the filter's margin, and cost 120 bytes a record.
    sig_in = densify(raw_in[inputs], params.seed)
    sig_pair = densify(np.minimum(raw_in, raw_out), params.seed)
    part = Sketch([_keys(sig_in, params), _pair_keys(sig_pair, raw_out, params)], [sig_in.astype(np.uint8), sig_pair.astype(np.uint8)])
    slots = np.flatnonzero(sets_in.slot | sets_out.slot)
    if len(slots):
        apart_in = signatures(sets_in.subset(slots).discounted(), params.num_perm)
        apart_out = signatures(sets_out.subset(slots).discounted(), params.num_perm)
        sig = densify(np.minimum(apart_in, apart_out), params.seed)
        part.extras[1].append((_pair_keys(sig, apart_out, params), sig.astype(np.uint8), slots))
        slot_inputs = np.flatnonzero(sets_in.slot[slots] & is_input[slots])
        if len(slot_inputs):
            sig = densify(apart_in[slot_inputs], params.seed)
            at = np.searchsorted(inputs, slots[slot_inputs])  # positions among this chunk's input members
            part.extras[0].append((_keys(sig, params), sig.astype(np.uint8), at))
    return part


def _pair_keys(sig: np.ndarray, raw_out: np.ndarray, params: NearParams) -> np.ndarray:
    return np.column_stack([_keys(sig, params), _tie(raw_out)])


def _tie(sig: np.ndarray) -> np.ndarray:
    """One key per text that equal output sets share: a hash of all its MinHash bins.

    A bucket too big for all its pairs pairs each text with its next
    ``bucket_window`` ones; examples there often share an input (one passage
    under many templates) and differ in outputs, and only those with the same
    output can be near-duplicates. Ordered by this key inside a bucket, those
    sit side by side (T0: record recall 0.9930 without, 0.9999 with).
    """
    weights = mix64(np.arange(1, sig.shape[1] + 1, dtype=np.uint64)) | np.uint64(1)
    with np.errstate(over="ignore"):
        return mix64((sig.astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64))


def sketch_all(shingler: Shingler, rows: np.ndarray, is_input: np.ndarray, params: NearParams) -> Sketch:
    """``sketch_rows`` over byte-bounded chunks of ``rows``: one partition's members, in one process."""
    parts = [sketch_rows(shingler, rows[lo:hi], is_input[lo:hi], params) for lo, hi in _bounds(shingler.fields, rows)]
    return Sketch.concat(parts, params)


class SketchViews(Protocol):
    """A sketch read one view at a time: in memory (``Sketch``) or spilled to disk by a partitioned run."""

    def load_keys(self, view: int) -> np.ndarray: ...

    def load_sigs(self, view: int) -> np.ndarray: ...

    def load_extra(self, view: int) -> np.ndarray: ...

    def drop(self, view: int) -> None: ...


def verify_sketch(
    shingler: Shingler, pm: np.ndarray, in_rows: np.ndarray, sketch: SketchViews, params: NearParams, with_similar: bool = True
) -> NearViews:
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
        extra = sketch.load_extra(view)
        n = len(keys) - len(extra)
        del keys
        sigs = sketch.load_sigs(view)
        estimate = _estimate(sigs, pa, pb)
        del sigs
        sketch.drop(view)
        pa, pb, estimate = _members(pa, pb, estimate, np.concatenate([np.arange(n), extra]), n)
        if view == 0:  # input-view rows are positions among input members; map them to pair members
            pa, pb = in_rows[pa], in_rows[pb]
        cands.append((pa, pb, estimate))
    involved = np.unique(np.concatenate([cands[0][0], cands[0][1], cands[1][0], cands[1][1]]))
    sets_in, sets_out = _shingle_all(shingler, pm[involved], params.threads)
    # No shingle array kept longer than needed: this is the peak of memory.
    in_index = FieldIndex(sets_in)
    del sets_in
    judges = [Judge([in_index], INPUT_PARTS, params.threshold), Judge([in_index, FieldIndex(sets_out)], PAIR_PARTS, params.threshold)]
    del sets_out
    views = []
    for judge, (pa, pb, estimate) in zip(judges, cands):
        a, b, jac, verified = _verify(judge, np.searchsorted(involved, pa), np.searchsorted(involved, pb), estimate, params)
        views.append(NearPairs(pm[involved[a]], pm[involved[b]], jac, "lsh", verified, boiler))
    del judges[1]
    similar = _similar(shingler, views[0], views[1], pm, judges[0], pm[involved], params) if with_similar else None
    return NearViews(views[0], views[1], similar)


def _members(a: np.ndarray, b: np.ndarray, estimate: np.ndarray, rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate row pairs as member pairs (a < b, sorted), each once with its best estimate.

    Rows past the ``n`` member rows are extra rows (``Sketch``): a record's two
    rows may meet each other, and two records may meet through more than one
    pair of rows. Pairs of member rows come unique and sorted already; only the
    few that involve an extra row are mapped and merged in.
    """
    plain = (a < n) & (b < n)
    if plain.all():
        return a, b, estimate
    lo, hi = np.minimum(rows[a[~plain]], rows[b[~plain]]), np.maximum(rows[a[~plain]], rows[b[~plain]])
    keep = lo != hi
    lo, hi, more = lo[keep], hi[keep], estimate[~plain][keep]
    order = np.lexsort((-more, hi, lo))
    lo, hi, more = lo[order], hi[order], more[order]
    first = np.ones(len(lo), np.bool_)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    extra = (lo[first] << 32) | hi[first]
    more = more[first]
    a, b, estimate = a[plain], b[plain], estimate[plain]
    codes = (a << 32) | b
    at = np.searchsorted(codes, extra)
    known = at < len(codes)
    known[known] = codes[at[known]] == extra[known]
    np.maximum.at(estimate, at[known], more[known])
    new = ~known
    a = np.insert(a, at[new], extra[new] >> 32)
    b = np.insert(b, at[new], extra[new] & 0xFFFFFFFF)
    return a, b, np.insert(estimate, at[new], more[new])


def _similar(shingler: Shingler, inputs: NearPairs, examples: NearPairs, pm: np.ndarray, judge: Judge, rows: np.ndarray, params: NearParams) -> NearPairs:
    """The input pairs whose texts differ by an edit shorter than a shingle, between examples that
    are not near-duplicates (not linked through ``examples``, among members ``pm``).

    ``judge`` verified the input pairs, on the input sets of records ``rows``
    (sorted). Taken from the verified input pairs: all of them on the exact
    path; on the LSH path those verified before their cluster was joined,
    likeliest first.
    """
    k = params.shingle_size
    family = _labels(len(pm), examples.a, examples.b, pm)
    apart = family[np.searchsorted(pm, inputs.a)] != family[np.searchsorted(pm, inputs.b)]
    a, b = np.searchsorted(rows, inputs.a[apart]), np.searchsorted(rows, inputs.b[apart])
    # Where a pair was compared on the texts' whole sets, the Jaccard verified tells how many
    # shingles each lacks of the other's: a cheap test before counting words.
    (sa,), (sb,) = judge.sizes(a, b)
    jac = inputs.jaccard[apart]
    shared = np.rint(jac * (sa + sb) / (1 + jac))
    index = judge.fields[0]
    exact = judge.whole(a, b) & ~index.trimmed[a] & ~index.trimmed[b]
    lacking = np.where(exact, np.maximum(sa, sb) - shared, np.nan)
    texts = np.unique(np.concatenate([a, b]))
    small = small_edits(shingler.positional(rows[texts]), np.searchsorted(texts, a), np.searchsorted(texts, b), k, lacking)
    keep = np.flatnonzero(apart)[small]
    return NearPairs(inputs.a[keep], inputs.b[keep], inputs.jaccard[keep], inputs.method, len(a), inputs.boilerplate)


def _labels(n: int, a: np.ndarray, b: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Connected-component label of each member (position in ``members``), linked by pairs of record ids."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    ia, ib = np.searchsorted(members, a), np.searchsorted(members, b)
    graph = coo_matrix((np.ones(len(ia), np.int8), (ia, ib)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


_NONE = np.zeros(0, np.int64)


def _keys(sig: np.ndarray, params: NearParams) -> np.ndarray:
    keys = band_keys(sig, params.bands, params.rows)
    keys[(sig == EMPTY).all(axis=1)] = 0  # no shingle at all: never a candidate
    return keys


def candidate_pairs_of(keys: np.ndarray, params: NearParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs (row positions) from band keys, rows without shingles left out.

    A column past the bands (the pair view's) is the tie key that orders a bucket (``_tie``).
    """
    tie = keys[:, params.bands] if keys.shape[1] > params.bands else None
    keys = keys[:, : params.bands]
    positions = np.flatnonzero(~(keys == 0).all(axis=1))
    kept = keys if len(positions) == len(keys) else keys[positions]  # no copy when every row has shingles
    return candidate_pairs(kept, positions, params.bucket_window, None if tie is None else tie[positions])


def _bounds(fields: Sequence[Sequence[str]], members: np.ndarray) -> list[tuple[int, int]]:
    lengths = np.zeros(len(members), np.int64)
    rows = members.tolist()
    for column in fields:
        lengths += sizes(column, rows)
    return chunks_by_bytes(lengths)


def _estimate(sig: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of equal MinHash bins of each candidate pair: an unbiased estimate of its Jaccard similarity."""
    out = np.empty(len(a))
    step = 1 << 16  # bounds the (pairs x bins) temporary
    for lo in range(0, len(a), step):
        out[lo : lo + step] = (sig[a[lo : lo + step]] == sig[b[lo : lo + step]]).mean(axis=1)
    return out


def _verify(judge: Judge, a: np.ndarray, b: np.ndarray, estimate: np.ndarray, params: NearParams) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Verify candidates exactly, in rounds, after two filters that cannot cost a true pair in practice.

    Length: a part's Jaccard is at most its smaller set over its larger one.
    Estimate: the share of equal bins over ``num_perm`` bins has a standard
    deviation of about sqrt(J(1-J)/m), m being the bins carrying distinct
    information (fewer for texts with fewer shingles than bins); a pair is
    dropped only when its estimate is more than ``_SIGMAS`` deviations below
    the threshold, which a pair at the threshold does with probability under
    1e-4. The bins estimate the Jaccard of all fields together, at least the
    judge's value for every pair it accepts (a union's Jaccard is a mediant
    of its parts').

    Rounds: a family of m near-copies yields up to m*(m-1)/2 candidates but
    needs only m-1 verified links to form its cluster; the likeliest pairs
    (highest estimate) go first and later rounds skip pairs already joined.
    """
    fits = fitting(judge, a, b, estimate, params)
    a, b, estimate = a[fits], b[fits], estimate[fits]
    return in_rounds(a, b, estimate, judge.n, lambda ra, rb, _: judge(ra, rb), params)


def fitting(judge: Judge, a: np.ndarray, b: np.ndarray, estimate: np.ndarray, params: NearParams) -> np.ndarray:
    """Which candidates pass the length and estimate filters (``_verify``); a distributed reduce runs it in the executors."""
    threshold = params.threshold
    sa, sb = judge.sizes(a, b)
    union_a, union_b = np.sum(sa, axis=0), np.sum(sb, axis=0)
    informative = np.minimum(np.minimum(union_a, union_b), params.num_perm).clip(1)
    margin = _SIGMAS * np.sqrt(threshold * (1 - threshold) / informative)
    fits: np.ndarray = estimate >= threshold - margin
    for part in judge.parts:
        pa, pb = np.sum([sa[f] for f in part], axis=0), np.sum([sb[f] for f in part], axis=0)
        fits &= np.minimum(pa, pb) >= threshold * np.maximum(pa, pb)
    return fits


JaccardOf = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def in_rounds(a: np.ndarray, b: np.ndarray, estimate: np.ndarray, n: int, jaccard: JaccardOf, params: NearParams) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The rounds of ``_verify`` over filtered candidates (a, b < n, sorted by (a, b)), likeliest first.

    ``jaccard(ra, rb, positions)`` is each pair's value (``positions``: the
    pairs' places in the arrays given): computed by a judge on the driver, or
    looked up where the executors verified every candidate already. Either way
    the pairs kept and the count verified are the same.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    threshold = params.threshold
    # Candidates arrive sorted by (a, b); an estimate is a count of equal bins over num_perm, so a
    # stable radix sort on that count orders them as lexsort((b, a, -estimate)) would, in linear time.
    level = np.rint(estimate * params.num_perm).astype(np.int16)
    order = np.argsort(-level, kind="stable")
    a, b = a[order], b[order]
    keep_a: list[np.ndarray] = []
    keep_b: list[np.ndarray] = []
    keep_j: list[np.ndarray] = []
    labels = np.arange(n)
    verified = 0
    # Small rounds: pairs joined by an earlier round are skipped; re-clustering costs milliseconds.
    lo, batch = 0, _ROUND
    while lo < len(a):
        at = np.arange(lo, min(lo + batch, len(a)))
        lo += batch
        at = at[labels[a[at]] != labels[b[at]]]
        if len(at) == 0:
            continue
        ra, rb = a[at], b[at]
        jac = jaccard(ra, rb, order[at])
        verified += len(ra)
        ok = jac >= threshold
        keep_a.append(ra[ok])
        keep_b.append(rb[ok])
        keep_j.append(jac[ok])
        if ok.any() and lo < len(a):
            ea, eb = np.concatenate(keep_a), np.concatenate(keep_b)
            graph = coo_matrix((np.ones(len(ea), np.int8), (ea, eb)), shape=(n, n))
            labels = connected_components(graph, directed=False)[1]
    if not keep_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), verified
    fa, fb, fj = np.concatenate(keep_a), np.concatenate(keep_b), np.concatenate(keep_j)
    order = np.lexsort((fb, fa))
    return fa[order], fb[order], fj[order], verified
