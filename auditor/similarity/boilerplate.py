"""Boilerplate: text that many records carry (a system prompt, a tool description, a template).

A shingle found in at least ``boilerplate_share`` of the distinct texts of a
field (and in at least ``boilerplate_min_records`` of them) is boilerplate.
Records are judged by what they do not share with everybody: boilerplate is
left out of their sets before comparing, so two tasks that only share a tool
description are not alike.

Unless what a text adds is shorter than one shingle: a text whose own words
(covered by no boilerplate shingle) are fewer than k is a copy of the shared
text with a slot filled or a word changed. Left without its boilerplate it
would hold only the shingles around its edit, unlike those of any other copy,
and a family of copies common enough to be boilerplate would remove its own
evidence (issue 17: 200 one-word variants of one text counted as 200
examples). Such a *slot* text keeps its whole set, and it is compared whole
with other slot texts and apart from boilerplate with the rest: two copies
of one template are alike, while a slot text and one that adds a sentence of
its own are judged on what each adds (``FieldSets``).

Own words are counted as if each text were padded with k-1 marks at both
ends, so that every word lies in k shingles wherever it stands: the *edge
grams* (a text's first and last j words, j < k) are hashed apart and their
document frequency counted like shingles'. Without them a copy edited among
its first k words would count the template words before the edit as its own.

Document frequency is counted exactly up to ``_DF_SAMPLE`` records and on a
seeded sample of that many above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from auditor.similarity.jaccard import SetIndex, sorted_unique
from auditor.similarity.shingles import Shingles, chunks_by_bytes, concat, encode, shingle, sizes, take

_DF_SAMPLE = 5_000  # distinct texts: a 5% share is then known to +-0.3% (one standard error)
FIELD_SALTS = (0, 0x5BD1E9955BD1E995)  # input shingles and output shingles never match each other


class BoilerplateParams(Protocol):
    """What the shingler reads of ``neardup.NearParams``."""

    @property
    def shingle_size(self) -> int: ...

    @property
    def boilerplate_share(self) -> float: ...

    @property
    def boilerplate_min_records(self) -> int: ...

    @property
    def seed(self) -> int: ...


@dataclass(frozen=True)
class Boilerplate:
    """One field's boilerplate: the 32-bit keys of shared k-grams, and of shared edge grams."""

    shingles: np.ndarray
    edges: np.ndarray

    @classmethod
    def none(cls) -> Boilerplate:
        return cls(np.zeros(0, np.uint64), np.zeros(0, np.uint64))

    def __len__(self) -> int:
        return len(self.shingles)

    @staticmethod
    def holds(keys: np.ndarray, hashes: np.ndarray) -> np.ndarray:
        """Whether each hash (any shape) is among ``keys`` (sorted 32-bit keys)."""
        if len(keys) == 0:
            return np.zeros(hashes.shape, np.bool_)
        low = hashes & np.uint64(0xFFFFFFFF)
        pos = np.minimum(np.searchsorted(keys, low), len(keys) - 1)
        return keys[pos] == low


def own_words(owner: np.ndarray, common: np.ndarray, shared_edges: np.ndarray, k: int) -> np.ndarray:
    """Per text, its words in no shared k-gram, from its k-grams in word order (``common`` marks the shared ones).

    With the text padded by k-1 marks at each end every word lies in k grams,
    so a run of r grams that are not shared leaves exactly r-k+1 words
    uncovered (none when r < k) wherever it lies. The padded grams are the edge
    grams (``shared_edges``: per text, its first then its last 1..k-1 words);
    those not shared extend the run at that end (a shorter prefix of a shared
    prefix is shared too, so counting them is enough).
    """
    n = len(shared_edges)
    m = len(owner)
    if m == 0:
        return np.zeros(n, np.int64)
    half = shared_edges.shape[1] // 2
    lead = half - shared_edges[:, :half].sum(axis=1)
    trail = half - shared_edges[:, half:].sum(axis=1)
    first = np.ones(m, np.bool_)
    first[1:] = owner[1:] != owner[:-1]
    last = np.ones(m, np.bool_)
    last[:-1] = first[1:]
    mine = ~common
    starts = mine & (first | np.concatenate([[True], common[:-1]]))
    ends = mine & (last | np.concatenate([common[1:], [True]]))
    s, e = np.flatnonzero(starts), np.flatnonzero(ends)
    who = owner[s]
    r = e - s + 1 + np.where(first[s], lead[who], 0) + np.where(last[e], trail[who], 0)
    return np.bincount(who, weights=np.maximum(r - k + 1, 0), minlength=n).astype(np.int64)


@dataclass(frozen=True)
class FieldSets:
    """One field's shingle sets of a batch of texts.

    ``whole``: the set each text is sketched by: boilerplate left out, but for
    slot texts. ``apart``: the slot texts' shingles without boilerplate (owner:
    the text's row). ``slot``: per text, fewer than k own words beside
    boilerplate. ``trimmed``: per text, boilerplate was left out of ``whole``.
    """

    whole: Shingles
    apart: Shingles
    slot: np.ndarray
    trimmed: np.ndarray

    @property
    def n_texts(self) -> int:
        return self.whole.n_texts

    def discounted(self) -> Shingles:
        """Every text's set apart from boilerplate (``apart`` for slot texts, ``whole`` for the rest)."""
        if not self.slot.any():
            return self.whole
        keep = ~self.slot[self.whole.owner]
        owner = np.concatenate([self.whole.owner[keep], self.apart.owner])
        hashes = np.concatenate([self.whole.hashes[keep], self.apart.hashes])
        order = np.argsort(owner, kind="stable")
        return Shingles(owner[order], hashes[order], self.n_texts)

    @classmethod
    def concat(cls, parts: Sequence[FieldSets]) -> FieldSets:
        return cls(
            concat([p.whole for p in parts]),
            concat([p.apart for p in parts]),
            np.concatenate([p.slot for p in parts] + [np.zeros(0, np.bool_)]),
            np.concatenate([p.trimmed for p in parts] + [np.zeros(0, np.bool_)]),
        )

    def subset(self, rows: np.ndarray) -> FieldSets:
        """The sets of texts ``rows`` (sorted positions), renumbered 0..len(rows)-1."""
        return FieldSets(_subset(self.whole, rows), _subset(self.apart, rows), self.slot[rows], self.trimmed[rows])


def _subset(sh: Shingles, rows: np.ndarray) -> Shingles:
    where = np.full(sh.n_texts, -1, np.int64)
    where[rows] = np.arange(len(rows))
    new = where[sh.owner]
    keep = new >= 0
    return Shingles(new[keep], sh.hashes[keep], len(rows))


class Shingler:
    """Shingle sets of chosen records, per field (input, output), with boilerplate discounted."""

    def __init__(
        self,
        inputs: Sequence[str],
        outputs: Sequence[str],
        params: BoilerplateParams,
        members: np.ndarray,
        boiler: Sequence[Boilerplate] | None = None,
    ) -> None:
        self.fields = (inputs, outputs)
        self.params = params
        # A partitioned run computes the boilerplate once on the driver and hands it to every partition.
        self.boiler = list(boiler) if boiler is not None else [self._boilerplate(col, members, f) for f, col in enumerate(self.fields)]

    def _boilerplate(self, column: Sequence[str], members: np.ndarray, field: int) -> Boilerplate:
        p = self.params
        if p.boilerplate_share >= 1.0 or len(members) == 0:
            return Boilerplate.none()
        sample = members
        if len(members) > _DF_SAMPLE:
            rng = np.random.default_rng(p.seed)
            sample = np.sort(rng.choice(members, _DF_SAMPLE, replace=False))
        distinct = list(dict.fromkeys(take(column, sample.tolist())))
        lengths = np.fromiter(map(len, distinct), np.int64, len(distinct))
        parts = [shingle(encode(distinct[lo:hi]), p.shingle_size, FIELD_SALTS[field], edges=True) for lo, hi in chunks_by_bytes(lengths)]
        # The floor scales with sampling so it means the same number of records either way.
        floor = p.boilerplate_min_records * len(sample) / max(len(members), 1)
        cutoff = max(p.boilerplate_share * len(distinct), floor, 2.0)
        grams = concat(parts)
        edges = grams.edges if grams.edges is not None else np.zeros((0, 0), np.uint64)
        edges = edges[edges.any(axis=1)]  # texts of fewer than k words have no edge grams
        found = []
        for sh in (grams, Shingles(np.repeat(np.arange(len(edges)), edges.shape[1]), edges.ravel(), len(edges))):
            index = SetIndex.build(sh)  # one entry per (text, shingle): document frequency
            values, df = sorted_unique(index.keys & np.uint64(0xFFFFFFFF), counts=True)
            found.append(values[df >= cutoff])
        return Boilerplate(found[0], found[1])

    def positional(self, idx: np.ndarray) -> Shingles:
        """The inputs' shingles of records ``idx`` in word order, none left out, with their edge grams."""
        column = self.fields[0]
        rows = idx.tolist()
        lengths = sizes(column, rows)
        k = self.params.shingle_size
        parts = [shingle(encode(take(column, rows[lo:hi])), k, FIELD_SALTS[0], edges=True) for lo, hi in chunks_by_bytes(lengths)]
        return concat(parts) if parts else Shingles(np.zeros(0, np.int64), np.zeros(0, np.uint64), 0, np.zeros((0, 2 * (k - 1)), np.uint64))

    def __call__(self, idx: np.ndarray) -> tuple[FieldSets, FieldSets]:
        rows = idx.tolist()
        out: list[FieldSets] = []
        k = self.params.shingle_size
        for f, column in enumerate(self.fields):
            boiler = self.boiler[f]
            n = len(rows)
            sh = shingle(encode(take(column, rows)), k, FIELD_SALTS[f], edges=len(boiler) > 0)
            slot = np.zeros(n, np.bool_)
            trimmed = np.zeros(n, np.bool_)
            apart = Shingles(np.zeros(0, np.int64), np.zeros(0, np.uint64), n)
            if len(boiler) and len(sh.hashes):
                assert sh.edges is not None
                common = boiler.holds(boiler.shingles, sh.hashes)
                has = np.bincount(sh.owner[common], minlength=n) > 0
                own = own_words(sh.owner, common, boiler.holds(boiler.edges, sh.edges), k)
                slot = has & (own < k)
                trimmed = has & ~slot
                in_slot = slot[sh.owner]
                apart = Shingles(sh.owner[in_slot & ~common], sh.hashes[in_slot & ~common], n)
                keep = ~common | in_slot
                sh = Shingles(sh.owner[keep], sh.hashes[keep], n)
            out.append(FieldSets(Shingles(sh.owner, sh.hashes, n), apart, slot, trimmed))
        return out[0], out[1]
