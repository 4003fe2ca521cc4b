"""Near-duplicate candidates and their verification as a shuffle: the reduce steps of a cluster run.

The same search as ``neardup.verify_sketch``, cut into steps that each see
one bucket of rows (rows are routed to ``bucket_of`` their key, so rows with
equal keys meet in one step), for an engine that groups rows in the cluster
(``auditor.core.partitioned.Shuffles``):

1. ``sketch_rows_routed``: a partition's sketch (``neardup.sketch_all``) as
   band rows (view, band, band key, tie key, row), routed by band key, and
   its 8-bit bins, routed by member;
2. ``bucket_pairs``: per band key, the pairs ``minhash.candidate_pairs``
   makes (every pair of a bucket of at most ``bucket_window + 1`` rows, else
   each row with its ``bucket_window`` successors, ordered by tie key then
   row), deduplicated within the bucket;
3. ``attach_first`` and ``estimate``: each candidate row pair meets both
   rows' bins (two joins by member), its share of equal bins is its estimate;
   rows become members (a record's extra row is the record);
4. ``best_estimate``: each member pair once, with its best estimate;
5. ``attach_text`` and ``verify_bucket``: each pair meets both records'
   normalised texts (read again by the partitions that hold them), and is
   filtered and verified exactly on its re-shingled texts (``neardup.fitting``
   and ``Judge``), as the driver verifies them.

What reaches the driver is every candidate that passed the filters, with its
estimate and exact Jaccard: ``neardup.in_rounds`` then keeps exactly the
pairs (and counts exactly the verifications) the driver path keeps, so the
findings are the same record for record.

A row is a member position (its place among the distinct pairs, ``pm``) with
bit 40 set for a record's extra row (its sets apart from boilerplate, see
``neardup.Sketch``): row order is then the order of the driver's row
positions (member rows, then extra rows, each in member order).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from auditor.similarity.boilerplate import Boilerplate, FieldSets, Shingler
from auditor.similarity.neardup import INPUT_PARTS, PAIR_PARTS, FieldIndex, Judge, NearPairs, NearParams, NearViews, Sketch, _shingle_all, _similar, fitting, in_rounds
from auditor.similarity.shingles import mix64

EXTRA = np.int64(1 << 40)  # bit of a row id marking a record's extra row
MEMBER = EXTRA - 1

Chunk = dict[str, Any]
Rows = Iterator[tuple[int, Chunk]]


@dataclass(frozen=True)
class ShuffleJob:
    """What every reduce step needs: the search's parameters, the bucket count, the driver's boilerplate."""

    params: NearParams
    buckets: int
    boiler: Sequence[Boilerplate]


def bucket_of(values: np.ndarray, buckets: int) -> np.ndarray:
    """The bucket of each key (uint64 or int64): keys spread evenly whatever their low bits."""
    return (mix64(values.astype(np.uint64)) % np.uint64(buckets)).astype(np.int64)


def _routed(tag: str, bucket: np.ndarray, columns: dict[str, Any]) -> Rows:
    """One chunk per bucket of the rows given, each column cut alike (lists of texts too)."""
    if len(bucket) == 0:
        return
    order = np.argsort(bucket, kind="stable")
    sorted_bucket = bucket[order]
    cuts = np.flatnonzero(np.diff(sorted_bucket)) + 1
    for lo, hi in zip(np.concatenate([[0], cuts]).tolist(), np.concatenate([cuts, [len(order)]]).tolist()):
        at = order[lo:hi]
        chunk: Chunk = {"tag": tag}
        for name, col in columns.items():
            chunk[name] = [col[i] for i in at.tolist()] if isinstance(col, list) else col[at]
        yield int(sorted_bucket[lo]), chunk


def _gather(chunks: Iterable[Chunk], tag: str, names: Sequence[str]) -> dict[str, Any]:
    """The columns of every chunk with ``tag``, concatenated (empty arrays when there is none)."""
    picked = [c for c in chunks if c["tag"] == tag]
    out: dict[str, Any] = {}
    for name in names:
        parts = [c[name] for c in picked]
        if parts and isinstance(parts[0], list):
            out[name] = [x for p in parts for x in p]
        else:
            out[name] = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    return out


def _passed(chunks: Iterable[Chunk], tag: str, bucket: int) -> Rows:
    """The chunks with ``tag``, routed on to the same bucket (a table the next step joins with again)."""
    for c in chunks:
        if c["tag"] == tag:
            yield bucket, c


# --- 1. a partition's sketch as routed rows -----------------------------------------


def sketch_rows_routed(sketch: Sketch, pair_at: int, is_input: np.ndarray, job: ShuffleJob) -> Rows:
    """Band rows routed by band key and bins routed by member, of one partition's sketch.

    ``pair_at``: the member position of the partition's first member;
    ``is_input``: which of its members are input members (the input view's rows).
    """
    params = job.params
    members = pair_at + np.arange(len(is_input), dtype=np.int64)
    member_of_view = (members[is_input], members)
    views, bands, keys, ties, rows = [], [], [], [], []
    sig_views, sig_rows, sigs = [], [], []
    for view in (0, 1):
        key = sketch.load_keys(view)
        own = member_of_view[view]
        row = np.concatenate([own, own[sketch.load_extra(view)] | EXTRA])
        live = ~(key[:, : params.bands] == 0).all(axis=1)  # no shingle at all: never a candidate
        key, row = key[live], row[live]
        tie = key[:, params.bands] if key.shape[1] > params.bands else np.zeros(len(key), np.uint64)
        views.append(np.full(len(row) * params.bands, view, np.int8))
        bands.append(np.tile(np.arange(params.bands, dtype=np.int16), len(row)))
        keys.append(key[:, : params.bands].ravel())
        ties.append(np.repeat(tie, params.bands))
        rows.append(np.repeat(row, params.bands))
        sig_views.append(np.full(len(row), view, np.int8))
        sig_rows.append(row)
        sigs.append(sketch.load_sigs(view)[live])
    band_key = np.concatenate(keys)
    yield from _routed("band", bucket_of(band_key, job.buckets), {"view": np.concatenate(views), "band": np.concatenate(bands), "key": band_key, "tie": np.concatenate(ties), "row": np.concatenate(rows)})
    row = np.concatenate(sig_rows)
    yield from _routed("sig", bucket_of(row & MEMBER, job.buckets), {"view": np.concatenate(sig_views), "row": row, "sig": np.concatenate(sigs)})


# --- 2. candidate pairs per band key --------------------------------------------------


def bucket_pairs(bucket: int, chunks: list[Chunk], job: ShuffleJob) -> Rows:
    """The candidate row pairs of one bucket's band keys, routed by their first row's member; bins passed on."""
    got = _gather(chunks, "band", ("view", "band", "key", "tie", "row"))
    view, band, key, tie, row = got["view"], got["band"], got["key"], got["tie"], got["row"]
    order = np.lexsort((row, tie, key, band, view))
    view, band, key, row = view[order], band[order], key[order], row[order]
    same = (view[1:] == view[:-1]) & (band[1:] == band[:-1]) & (key[1:] == key[:-1])
    run = np.cumsum(np.concatenate([[True], ~same]))
    found_view, found_lo, found_hi = [], [], []
    for d in range(1, job.params.bucket_window + 1):
        hit = np.flatnonzero(run[d:] == run[:-d])
        if len(hit) == 0:
            break
        a, c = row[hit], row[hit + d]
        found_view.append(view[hit])
        found_lo.append(np.minimum(a, c))
        found_hi.append(np.maximum(a, c))
    if found_view:
        v, lo, hi = _unique3(np.concatenate(found_view), np.concatenate(found_lo), np.concatenate(found_hi))
        yield from _routed("cand", bucket_of(lo & MEMBER, job.buckets), {"view": v, "lo": lo, "hi": hi})
    yield from _passed(chunks, "sig", bucket)


def _unique3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.lexsort((c, b, a))
    a, b, c = a[order], b[order], c[order]
    first = np.ones(len(a), np.bool_)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (c[1:] != c[:-1])
    return a[first], b[first], c[first]


# --- 3. estimates ---------------------------------------------------------------------


def _lookup(table: dict[str, Any], view: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Positions in ``table`` (columns view, row) of each (view, row) asked for; every one must be there."""
    codes = (table["view"].astype(np.int64) << 42) | table["row"]
    order = np.argsort(codes)
    want = (view.astype(np.int64) << 42) | row
    at = order[np.searchsorted(codes[order], want)]
    assert (codes[at] == want).all(), "a candidate row without its bins"
    return at


def attach_first(bucket: int, chunks: list[Chunk], job: ShuffleJob) -> Rows:
    """Each candidate with its first row's bins, routed by its second row's member; bins passed on."""
    cand = _gather(chunks, "cand", ("view", "lo", "hi"))
    if len(cand["view"]):
        sig = _gather(chunks, "sig", ("view", "row", "sig"))
        first = sig["sig"][_lookup(sig, cand["view"], cand["lo"])]
        yield from _routed("cand", bucket_of(cand["hi"] & MEMBER, job.buckets), {**cand, "sig": first})
    yield from _passed(chunks, "sig", bucket)


def estimate(bucket: int, chunks: list[Chunk], job: ShuffleJob) -> Rows:
    """Each candidate's count of equal bins, as a pair of members (a < b), routed by the pair."""
    cand = _gather(chunks, "cand", ("view", "lo", "hi", "sig"))
    if len(cand["view"]) == 0:
        return
    sig = _gather(chunks, "sig", ("view", "row", "sig"))
    second = sig["sig"][_lookup(sig, cand["view"], cand["hi"])]
    equal = (cand["sig"] == second).sum(axis=1).astype(np.int16)
    lo, hi = cand["lo"] & MEMBER, cand["hi"] & MEMBER
    a, b = np.minimum(lo, hi), np.maximum(lo, hi)
    keep = a != b  # a record's two rows meeting each other
    columns = {"view": cand["view"][keep], "a": a[keep], "b": b[keep], "equal": equal[keep]}
    yield from _routed("est", bucket_of(columns["a"] * np.int64(0x5BD1E995) ^ columns["b"], job.buckets), columns)


def best_estimate(bucket: int, chunks: list[Chunk], job: ShuffleJob) -> Rows:
    """Each member pair once, with its best count (a pair may meet through extra rows too), routed by its first member."""
    got = _gather(chunks, "est", ("view", "a", "b", "equal"))
    if len(got["view"]) == 0:
        return
    order = np.lexsort((-got["equal"], got["b"], got["a"], got["view"]))
    view, a, b, equal = (got[k][order] for k in ("view", "a", "b", "equal"))
    first = np.ones(len(a), np.bool_)
    first[1:] = (view[1:] != view[:-1]) | (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    yield from _routed("cand", bucket_of(a[first], job.buckets), {"view": view[first], "a": a[first], "b": b[first], "equal": equal[first]})


def members_of(bucket: int, chunks: list[Chunk], job: ShuffleJob) -> Iterator[np.ndarray]:
    """The members a bucket's candidates involve (their texts are read again for the verification)."""
    got = _gather(chunks, "cand", ("a", "b"))
    yield np.unique(np.concatenate([got["a"], got["b"]]))


# --- 4. exact verification ------------------------------------------------------------


def texts_routed(members: np.ndarray, inputs: list[str], outputs: list[str], job: ShuffleJob) -> Rows:
    """Normalised texts of members (one partition's involved ones), routed by member."""
    yield from _routed("text", bucket_of(members, job.buckets), {"m": members, "input": inputs, "output": outputs})


def attach_text(bucket: int, chunks: list[Chunk], job: ShuffleJob) -> Rows:
    """Each candidate with its first member's texts, routed by its second member; texts passed on."""
    cand = _gather(chunks, "cand", ("view", "a", "b", "equal"))
    if len(cand["view"]):
        text = _gather(chunks, "text", ("m", "input", "output"))
        at = _lookup({"view": np.zeros(len(text["m"]), np.int8), "row": text["m"]}, np.zeros(len(cand["a"]), np.int8), cand["a"])
        columns = {**cand, "input": [text["input"][i] for i in at.tolist()], "output": [text["output"][i] for i in at.tolist()]}
        yield from _routed("cand", bucket_of(cand["b"], job.buckets), columns)
    yield from _passed(chunks, "text", bucket)


def verify_bucket(bucket: int, chunks: list[Chunk], job: ShuffleJob) -> Iterator[Chunk]:
    """The bucket's candidates filtered and verified exactly on their re-shingled texts: (view, a, b, equal, jaccard)."""
    cand = _gather(chunks, "cand", ("view", "a", "b", "equal", "input", "output"))
    if len(cand["view"]) == 0:
        return
    text = _gather(chunks, "text", ("m", "input", "output"))
    nodes = np.unique(np.concatenate([cand["a"], cand["b"]]))
    ins: list[str] = [""] * len(nodes)
    outs: list[str] = [""] * len(nodes)
    for m, i, o in zip(np.searchsorted(nodes, cand["a"]).tolist(), cand["input"], cand["output"]):
        ins[m], outs[m] = i, o
    known = np.isin(text["m"], nodes)
    for m, k in zip(np.searchsorted(nodes, text["m"][known]).tolist(), np.flatnonzero(known).tolist()):
        ins[m], outs[m] = text["input"][k], text["output"][k]
    params = job.params
    shingler = Shingler(ins, outs, params, np.arange(len(nodes)), boiler=job.boiler)
    sets_in, sets_out = _shingle_all(shingler, np.arange(len(nodes)), 1)
    judges = _judges(sets_in, sets_out, params)
    for view, judge in enumerate(judges):
        mine = cand["view"] == view
        a, b, equal = cand["a"][mine], cand["b"][mine], cand["equal"][mine]
        ia, ib = np.searchsorted(nodes, a), np.searchsorted(nodes, b)
        fits = fitting(judge, ia, ib, equal / params.num_perm, params)
        yield {"view": view, "a": a[fits], "b": b[fits], "equal": equal[fits], "jaccard": judge(ia[fits], ib[fits])}


def _judges(sets_in: FieldSets, sets_out: FieldSets, params: NearParams) -> list[Judge]:
    in_index = FieldIndex(sets_in)
    return [Judge([in_index], INPUT_PARTS, params.threshold), Judge([in_index, FieldIndex(sets_out)], PAIR_PARTS, params.threshold)]


# --- 5. on the driver: the same pairs as the driver path ------------------------------


def views_of(shingler: Shingler, pm: np.ndarray, verified: Iterable[Chunk], params: NearParams, with_similar: bool = True) -> NearViews:
    """The near-duplicate views from the executors' verified candidates, as ``neardup.verify_sketch`` finds them.

    ``verified``: ``verify_bucket``'s chunks. The rounds (likeliest first,
    pairs already linked skipped) run here on the candidates' numbers alone;
    the similar inputs (``neardup._similar``) read back the texts of the input
    pairs kept, a few records.
    """
    got: list[list[Chunk]] = [[], []]
    for chunk in verified:
        got[int(chunk["view"])].append(chunk)
    boiler = tuple(len(b) for b in shingler.boiler)
    views = []
    for view in (0, 1):
        cols = _gather([{**c, "tag": "v"} for c in got[view]], "v", ("a", "b", "equal", "jaccard"))
        a, b, equal, jac = cols["a"], cols["b"], cols["equal"], cols["jaccard"].astype(np.float64)
        order = np.lexsort((b, a))
        a, b, equal, jac = a[order], b[order], equal[order], jac[order]
        nodes = np.unique(np.concatenate([a, b]))
        fa, fb, fj, count = in_rounds(np.searchsorted(nodes, a), np.searchsorted(nodes, b), equal / params.num_perm, len(nodes), lambda ra, rb, at: jac[at], params)
        views.append(NearPairs(pm[nodes[fa]], pm[nodes[fb]], fj, "lsh", count, boiler))
    similar = None
    if with_similar:
        rows = np.unique(np.concatenate([views[0].a, views[0].b]))  # records, sorted
        sets_in, _ = _shingle_all(shingler, rows, params.threads)
        judge = Judge([FieldIndex(sets_in)], INPUT_PARTS, params.threshold)
        similar = _similar(shingler, views[0], views[1], pm, judge, rows, params)
    return NearViews(views[0], views[1], similar)
