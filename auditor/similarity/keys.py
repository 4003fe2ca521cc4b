"""Hash keys of records, and the runs of records that share one.

Records are compared by 128-bit hashes of their normalised texts, held as
(n, 2) uint64 rows, high word first (``Normalizer.hashes``); a pair key is
the input's row and the output's side by side, (n, 4). Grouping sorts one
64-bit word folded from each row instead of counting Python ints: at a
million records, counting 256-bit pair keys as ints took 0.5 s and about
60 MB, and a full lexicographic sort of the rows 0.4 s (2 columns) to
0.8 s (4 columns); the folded word sorts in 0.05 s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.core.columns import index_width
from auditor.runtime.gcpause import pausing

#: Odd multiplier of the fold (the 64-bit golden ratio): folding is then a
#: bijection in each column, so rows that differ in one word never collide.
_MIX = np.uint64(0x9E3779B97F4A7C15)


def _fold(keys: np.ndarray) -> np.ndarray:
    """One uint64 per row, equal for equal rows (and almost never otherwise: hash words are uniform)."""
    word = keys[:, 0].copy()
    for c in range(1, keys.shape[1]):
        word *= _MIX  # wraps modulo 2**64, as intended
        word += keys[:, c]
    return word


@dataclass(frozen=True)
class Runs:
    """Records grouped by key: each distinct key is one run of records.

    Equal keys are adjacent in ``order``; neither the runs nor the records
    within a run come in a meaningful order (``groups`` and
    ``representatives`` put them in record order).
    """

    order: np.ndarray  # record indices
    bounds: np.ndarray  # run k is order[bounds[k]:bounds[k + 1]]

    @classmethod
    def of(cls, keys: np.ndarray) -> Runs:
        n = len(keys)
        if n == 0:
            return cls(np.zeros(0, np.int64), np.zeros(1, np.int64))
        word = _fold(keys)
        order = np.argsort(word)  # not stable (three times faster): runs are put in record order where it matters
        sorted_word = word[order]
        new = np.ones(n, np.bool_)
        new[1:] = sorted_word[1:] != sorted_word[:-1]
        del sorted_word
        # Neighbours with equal words must have equal keys; two different keys
        # with one word (about 2**-64 a pair) send the grouping to the full sort.
        joined = np.flatnonzero(~new[1:])
        if joined.size and (keys[order[joined]] != keys[order[joined + 1]]).any():
            return cls._by_full_sort(keys)
        return cls(order, np.append(np.flatnonzero(new), n))

    @classmethod
    def _by_full_sort(cls, keys: np.ndarray) -> Runs:
        order = np.lexsort(keys.T[::-1])  # first column most significant
        sorted_keys = keys[order]
        new = np.ones(len(keys), np.bool_)
        new[1:] = (sorted_keys[1:] != sorted_keys[:-1]).any(axis=1)
        return cls(order, np.append(np.flatnonzero(new), len(keys)))

    @classmethod
    def of_groups(cls, n: int, members: np.ndarray, sizes: np.ndarray) -> GroupedRuns:
        """The runs of ``n`` records whose repeated keys are known as groups (a grouping done elsewhere):
        ``members`` holds the groups one after another, ``sizes`` their lengths; every other record is a run alone."""
        return GroupedRuns(n, members, sizes)

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.bounds)

    def _firsts(self) -> np.ndarray:
        """The lowest record index of each run."""
        if len(self.order) == 0:
            return np.zeros(0, np.int64)
        return np.minimum.reduceat(self.order, self.bounds[:-1])

    @pausing  # tens of thousands of small lists: see auditor.runtime.gcpause
    def groups(self) -> list[list[int]]:
        """Records sharing a key: runs of two or more, each ascending, ordered by first member."""
        repeated = np.flatnonzero(self.sizes > 1)
        repeated = repeated[np.argsort(self._firsts()[repeated])]
        order, bounds = self.order, self.bounds
        return [sorted(order[bounds[r] : bounds[r + 1]].tolist()) for r in repeated.tolist()]

    def representatives(self) -> tuple[np.ndarray, np.ndarray]:
        """The first record of each distinct key (ascending), and for each record the first record with its key."""
        first = self._firsts().astype(np.int64)
        rep = np.empty(len(self.order), np.int64)
        rep[self.order] = np.repeat(first, self.sizes)
        return np.sort(first), rep

    def firsts(self) -> np.ndarray:
        """``representatives()[0]`` alone: the first record of each distinct key, ascending."""
        return np.sort(self._firsts().astype(np.int64))

    def repeats(self) -> np.ndarray:
        """The records whose key an earlier record has, ascending: every record but the firsts."""
        return self.links()[0]

    def links(self) -> tuple[np.ndarray, np.ndarray]:
        """Each record whose key an earlier record has (ascending), and that key's first record (int64 both)."""
        first = np.repeat(self._firsts(), self.sizes)
        return _links(self.order, first)

    def run_ids(self) -> np.ndarray:
        """Per record, its run's number (records of one run share it, and only they do)."""
        width = index_width(len(self.order))
        out = np.empty(len(self.order), width)
        out[self.order] = np.repeat(np.arange(len(self.bounds) - 1, dtype=width), self.sizes)
        return out


@dataclass(frozen=True)
class GroupedRuns:
    """``Runs`` known by their repeated keys only, the grouping done elsewhere (in a cluster's buckets).

    It holds the groups of two or more records and the record count, not a
    position per record: a partitioned run's driver keeps three of these (the
    inputs, the pairs, the outputs), which as ``Runs`` cost 24 bytes a record.
    Every other record is a run alone. It answers what the run's features ask
    of ``Runs`` with the same values: the groups, the representatives, the run
    sizes (their multiset: runs come in no meaningful order) and run numbers.
    """

    n: int
    members: np.ndarray  # the groups' records, one group after another
    group_sizes: np.ndarray

    @property
    def sizes(self) -> np.ndarray:
        """Records per run: the groups', then a 1 for every record alone."""
        alone = self.n - len(self.members)
        return np.concatenate([self.group_sizes.astype(np.int64), np.ones(alone, np.int64)])

    def _starts(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.group_sizes)[:-1]]).astype(np.int64) if len(self.group_sizes) else np.zeros(0, np.int64)

    @pausing  # tens of thousands of small lists: see auditor.runtime.gcpause
    def groups(self) -> list[list[int]]:
        """Records sharing a key: runs of two or more, each ascending, ordered by first member."""
        starts, sizes = self._starts().tolist(), self.group_sizes.tolist()
        found = [sorted(self.members[s : s + k].tolist()) for s, k in zip(starts, sizes) if k > 1]
        found.sort(key=lambda g: g[0])
        return found

    def representatives(self) -> tuple[np.ndarray, np.ndarray]:
        """The first record of each distinct key (ascending), and for each record the first record with its key."""
        width = index_width(self.n)
        rep = np.arange(self.n, dtype=width)
        if len(self.group_sizes):
            first = np.minimum.reduceat(self.members, self._starts()).astype(width)
            rep[self.members] = np.repeat(first, self.group_sizes)
        is_first = rep == np.arange(self.n, dtype=width)
        return np.flatnonzero(is_first).astype(width), rep

    def firsts(self) -> np.ndarray:
        """``representatives()[0]`` alone, without a position per record: at ten million records the
        representatives cost a partitioned run's driver 16 bytes a record and twice that while computed."""
        return np.delete(np.arange(self.n, dtype=index_width(self.n)), self.repeats())

    def repeats(self) -> np.ndarray:
        """The records whose key an earlier record has, ascending: the groups' members but their first."""
        return self.links()[0]

    def links(self) -> tuple[np.ndarray, np.ndarray]:
        """Each record whose key an earlier record has (ascending), and that key's first record (int64 both):
        what ``representatives()[1]`` says of the records it does not map to themselves, in bytes per repeat."""
        if not len(self.group_sizes):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        first = np.repeat(np.minimum.reduceat(self.members, self._starts()), self.group_sizes)
        return _links(self.members, first)

    def run_ids(self) -> np.ndarray:
        """Per record, its run's number (records of one run share it, and only they do)."""
        groups = len(self.group_sizes)
        width = index_width(self.n + groups)
        out = np.arange(groups, groups + self.n, dtype=width)
        out[self.members] = np.repeat(np.arange(groups, dtype=width), self.group_sizes)
        return out


def _links(records: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(records, first)`` where a record is not its run's first, ordered by record."""
    later = records != first
    rec, fst = records[later].astype(np.int64), first[later].astype(np.int64)
    order = np.argsort(rec, kind="stable")
    return rec[order], fst[order]


def pair_keys(input_keys: np.ndarray, output_keys: np.ndarray) -> np.ndarray:
    """(n, 4) uint64: both 128-bit hashes side by side, as ``text.pair_key`` puts them in one int."""
    return np.concatenate([input_keys, output_keys], axis=1)
