"""Records of one set of texts that duplicate or near-duplicate records of another (eval set, baseline).

Exact matches are equal hashes of the normalised texts. Near matches are
found with the same shingling, boilerplate rule and verification as within
one set, the boilerplate counted on the seeded sample of the pool of both
sets' distinct texts, in one of two ways by the pool's size:

- up to ``exact_below`` distinct texts, the pool is searched exhaustively
  (``near_views``) and only links that cross from one set to the other are kept;
- above it, a band-key join: their records (the small side: an eval set, a
  baseline) are sketched once (``Probe``: each row's MinHash band keys and
  8-bit bins), ours a chunk at a time; every row of ours sharing a key with a
  row of theirs in the same band is a candidate (all of them: no bucket
  window, no round skips, so no link of ours is lost to a link among our own
  records), filtered by the estimate and the set sizes as within one set,
  and every remaining pair is verified exactly. Each verification concerns
  one pair of texts, so a partitioned run joins every partition on its own
  and finds exactly these links (``auditor.features.crosspart``).

``auditor.features`` feeds it the audited dataset's normalised texts and
hashes, computed once per run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from auditor.similarity.jaccard import sorted_unique
from auditor.similarity.keys import Runs, pair_keys
from auditor.similarity.neardup import INPUT_PARTS, PAIR_PARTS, FieldIndex, Judge, NearParams, Shingler, fitting, near_views, sketch_all
from auditor.similarity.normalize import Normalizer, ints, pair_key

_NONE = np.zeros(0, np.int64)
VIEWS = ("input", "pair")  # view 0 compares inputs, view 1 whole examples (``neardup``)


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

    inputs: Sequence[str]
    outputs: Sequence[str]
    keys: dict[str, list[int]]
    firsts: dict[str, np.ndarray]
    reps: dict[str, np.ndarray]

    @classmethod
    def of(cls, norm: Normalizer, inputs: list[str], outputs: list[str], requests: Sequence[str] | None = None) -> Indexed:
        """A set given by its raw texts; ``requests``: its inputs as compared (``Dataset.requests``), the
        whole inputs when None. Exact matches hash the whole inputs."""
        in_rows, out_rows = norm.hashes(inputs), norm.hashes(outputs)
        in_ints = ints(in_rows)
        reps = {"input": Runs.of(in_rows).representatives(), "pair": Runs.of(pair_keys(in_rows, out_rows)).representatives()}
        return cls(
            norm.many(requests if requests is not None else inputs),
            norm.many(outputs),
            {"input": in_ints, "pair": [pair_key(i, o) for i, o in zip(in_ints, ints(out_rows))]},
            {v: r[0] for v, r in reps.items()},
            {v: r[1] for v, r in reps.items()},
        )

    def input_firsts(self) -> np.ndarray:
        """Which of the distinct pairs' first records are also the first of their distinct input."""
        return np.isin(self.firsts["pair"], self.firsts["input"])


@dataclass(frozen=True)
class Links:
    """One view's verified near links: our record, their record (index into their dataset), Jaccard; sorted by (ours, theirs)."""

    ours: np.ndarray
    theirs: np.ndarray
    jaccard: np.ndarray

    @classmethod
    def concat(cls, parts: Sequence[Links]) -> Links:
        """Links of consecutive runs of our records (partitions in order): still sorted."""
        if not parts:
            return cls(_NONE, _NONE, np.zeros(0))
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("ours", "theirs", "jaccard")))


class Pool(Sequence[str]):
    """Two text columns read as one (ours, then theirs), without copying either."""

    def __init__(self, first: Sequence[str], second: Sequence[str]) -> None:
        self.first, self.second = first, second

    def __len__(self) -> int:
        return len(self.first) + len(self.second)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...

    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self.first)
        return self.first[i] if i < n else self.second[i - n]

    def __iter__(self) -> Iterator[str]:
        yield from self.first
        yield from self.second


def pool_shingler(ours: Indexed, theirs: Indexed, params: NearParams) -> Shingler:
    """The shingler of both sets' texts (ours, then theirs), its boilerplate counted on the pool's distinct pairs."""
    n = len(ours.inputs)
    members = np.concatenate([ours.firsts["pair"], theirs.firsts["pair"] + n])
    return Shingler(Pool(ours.inputs, theirs.inputs), Pool(ours.outputs, theirs.outputs), params, members)


@dataclass(frozen=True)
class Probe:
    """Their side of the band-key join, per view (0 inputs, 1 pairs): each row's band keys and 8-bit
    bins and the record it sketches (their index); rows without a shingle left out.

    A record with a slot field has a second row (``neardup.Sketch``). Small
    (about 280 bytes a distinct record): what a partitioned run sends to every partition.
    """

    keys: tuple[np.ndarray, np.ndarray]
    sigs: tuple[np.ndarray, np.ndarray]
    records: tuple[np.ndarray, np.ndarray]

    @property
    def nbytes(self) -> int:
        return sum(int(x.nbytes) for x in (*self.keys, *self.sigs, *self.records))


def probe_of(shingler: Shingler, rows: np.ndarray, is_input: np.ndarray, records: np.ndarray, params: NearParams) -> Probe:
    """Their distinct pairs' rows ``rows`` of the shingler's columns sketched (``records``: their index of each)."""
    keys, sigs, recs = _sketched(shingler, rows, is_input, records, params)
    return Probe((keys[0], keys[1]), (sigs[0], sigs[1]), (recs[0], recs[1]))


def _sketched(shingler: Shingler, rows: np.ndarray, is_input: np.ndarray, records: np.ndarray, params: NearParams) -> tuple[list[np.ndarray], ...]:
    """Per view, the band keys, bins and record of every row of a sketch of ``rows`` (the one call into the sketch)."""
    sketch = sketch_all(shingler, rows, is_input, params)
    inputs = np.flatnonzero(is_input)
    keys, sigs, recs = [], [], []
    for view in (0, 1):
        k = sketch.load_keys(view)[:, : params.bands]
        extra = sketch.load_extra(view)
        at = np.concatenate([np.arange(len(k) - len(extra)), extra])
        if view == 0:  # input rows are positions among the input members
            at = inputs[at]
        live = ~(k == 0).all(axis=1)  # no shingle at all: never a candidate (as within one set)
        keys.append(k[live])
        sigs.append(sketch.load_sigs(view)[live])
        recs.append(records[at[live]])
        sketch.drop(view)
    return keys, sigs, recs


def _join(keys: np.ndarray, sigs: np.ndarray, records: np.ndarray, probe: Probe, view: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Record pairs (ours, theirs) with a row each sharing a band key in one band, each once with its
    best estimate (share of equal bins), sorted by (ours, theirs)."""
    theirs = probe.keys[view]
    found = []
    for band in range(theirs.shape[1] if len(theirs) else 0):
        order = np.argsort(theirs[:, band], kind="stable")
        sorted_keys = theirs[order, band]
        lo = np.searchsorted(sorted_keys, keys[:, band], "left")
        count = np.searchsorted(sorted_keys, keys[:, band], "right") - lo
        hit = np.flatnonzero(count)
        if len(hit) == 0:
            continue
        per = count[hit]
        mine = np.repeat(hit, per)
        step = np.arange(int(per.sum())) - np.repeat(np.cumsum(per) - per, per)
        found.append(mine.astype(np.int64) << 32 | order[np.repeat(lo[hit], per) + step].astype(np.int64))
    if not found:
        return _NONE, _NONE, np.zeros(0)
    codes, _ = sorted_unique(np.concatenate(found), in_place=True)
    ra, rb = codes >> 32, codes & 0xFFFFFFFF
    estimate = np.empty(len(ra))
    chunk = 1 << 16  # bounds the (pairs x bins) temporary
    for at in range(0, len(ra), chunk):
        estimate[at : at + chunk] = (sigs[ra[at : at + chunk]] == probe.sigs[view][rb[at : at + chunk]]).mean(axis=1)
    a, b = records[ra], probe.records[view][rb]
    order = np.lexsort((-estimate, b, a))
    a, b, estimate = a[order], b[order], estimate[order]
    first = np.ones(len(a), np.bool_)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[first], b[first], estimate[first]


def join_links(shingler: Shingler, rows: np.ndarray, is_input: np.ndarray, start: int, probe: Probe, their_base: int, params: NearParams) -> tuple[Links, Links]:
    """Our distinct pairs at ``rows`` of the shingler's columns (record ``start + row``) joined with
    ``probe`` and verified exactly; their record j is row ``their_base + j`` of the columns."""
    none = Links(_NONE, _NONE, np.zeros(0))
    if len(rows) == 0:
        return none, none
    keys, sigs, recs = _sketched(shingler, rows, is_input, rows + start, params)
    cands = [_join(keys[v], sigs[v], recs[v], probe, v) for v in (0, 1)]
    del keys, sigs
    if not any(len(c[0]) for c in cands):
        return none, none
    ours = np.unique(np.concatenate([cands[0][0], cands[1][0]]))
    theirs = np.unique(np.concatenate([cands[0][1], cands[1][1]]))
    sets_in, sets_out = shingler(np.concatenate([ours - start, theirs + their_base]))
    in_index = FieldIndex(sets_in)
    judges = (Judge([in_index], INPUT_PARTS, params.threshold), Judge([in_index, FieldIndex(sets_out)], PAIR_PARTS, params.threshold))
    links = []
    for judge, (a, b, estimate) in zip(judges, cands):
        ia, ib = np.searchsorted(ours, a), len(ours) + np.searchsorted(theirs, b)
        fits = fitting(judge, ia, ib, estimate, params)
        a, b, ia, ib = a[fits], b[fits], ia[fits], ib[fits]
        jac = judge(ia, ib) if len(ia) else np.zeros(0)
        ok = jac >= params.threshold
        links.append(Links(a[ok], b[ok], jac[ok]))
    return links[0], links[1]


def near_links(ours: Indexed, theirs: Indexed, views: tuple[str, ...], params: NearParams) -> dict[str, Links]:
    """Per view, the verified near links of our distinct texts to theirs (exhaustive or by the band-key join)."""
    n = len(ours.inputs)
    pool = {v: np.concatenate([ours.firsts[v], theirs.firsts[v] + n]) for v in VIEWS}
    if len(pool["pair"]) > params.exact_below:
        shingler = pool_shingler(ours, theirs, params)
        their_pm = theirs.firsts["pair"]
        probe = probe_of(shingler, their_pm + n, theirs.input_firsts(), their_pm, params)
        pm = ours.firsts["pair"]
        joined = join_links(shingler, pm, np.isin(pm, ours.firsts["input"]), 0, probe, n, params)
        return dict(zip(VIEWS, joined))
    found = near_views(Pool(ours.inputs, theirs.inputs), Pool(ours.outputs, theirs.outputs), pool["pair"], pool["input"] if "input" in views else _NONE, params, with_similar=False)
    out = {}
    for view, pairs in zip(VIEWS, (found.inputs, found.pairs)):
        crossing = (pairs.a < n) & (pairs.b >= n)  # a < b always, so ours come first
        out[view] = Links(pairs.a[crossing], pairs.b[crossing] - n, pairs.jaccard[crossing])
    return out


def exact_index(theirs: Indexed) -> dict[str, dict[int, int]]:
    """Per view, each of their distinct keys and the first record holding it."""
    return {v: {theirs.keys[v][j]: j for j in theirs.firsts[v].tolist()} for v in VIEWS}


def exact_links(keys: Mapping[str, Sequence[int] | Mapping[int, int]], firsts: dict[str, np.ndarray], index: dict[str, dict[int, int]], start: int = 0) -> dict[str, Links]:
    """Per view, our distinct records (``firsts``, record numbers) whose key (``keys[view][record - start]``)
    is one of theirs (``exact_index``): a partitioned run finds them partition by partition."""
    out = {}
    for view in VIEWS:
        mine, theirs = keys[view], index[view]
        hits = [(i, theirs[mine[i - start]]) for i in firsts[view].tolist() if mine[i - start] in theirs]
        a, b = (np.asarray(x, np.int64) for x in zip(*hits)) if hits else (_NONE, _NONE)
        out[view] = Links(a, b, np.ones(len(a)))
    return out


def match_sets(
    ours: Indexed, theirs: Indexed, views: tuple[str, ...], params: NearParams, links: dict[str, Links] | None = None, exact: dict[str, Links] | None = None
) -> CrossMatch:
    """Our records whose input (view "input") or pair (view "pair") matches one of ``theirs``.

    ``links`` and ``exact``: the near and the exact links, when a partitioned run found them in its
    workers (else ``near_links`` and ``exact_links`` of ``ours.keys``).
    """
    n = len(ours.inputs)
    if links is None:
        links = near_links(ours, theirs, views, params)
    if exact is None:
        exact = exact_links(ours.keys, ours.firsts, exact_index(theirs))
    # Per record: the best match of its view's first copy, the earlier view keeping a tie.
    best_jac, best_other, best_view = np.full(n, -1.0), np.zeros(n, np.int64), np.zeros(n, np.int64)
    for v, view in enumerate(views):
        # Exact matches first: they hold even for texts without a single word.
        hit: dict[int, tuple[float, int]] = {i: (1.0, j) for i, j in zip(exact[view].ours.tolist(), exact[view].theirs.tolist())}
        near = links[view]
        for a, b, jac in zip(near.ours.tolist(), near.theirs.tolist(), near.jaccard.tolist()):
            if a not in hit or jac > hit[a][0]:
                hit[a] = (jac, b)
        if not hit:
            continue
        firsts = np.fromiter(hit, np.int64, len(hit))
        jac_of, other_of = np.full(n, -1.0), np.zeros(n, np.int64)
        jac_of[firsts] = [m[0] for m in hit.values()]
        other_of[firsts] = [m[1] for m in hit.values()]
        rep = ours.reps[view]
        better = jac_of[rep] > best_jac
        best_jac[better], best_other[better], best_view[better] = jac_of[rep][better], other_of[rep][better], v
    index = np.flatnonzero(best_jac >= 0)
    return CrossMatch(
        index=index.tolist(),
        other=best_other[index].tolist(),
        jaccard=best_jac[index].tolist(),
        via=[views[v] for v in best_view[index].tolist()],
    )
