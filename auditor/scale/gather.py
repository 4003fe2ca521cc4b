"""Pass one's per-record columns, gathered on the driver as the partitions' results arrive.

Each partition's piece of a column (its records' lines, byte offsets, ids) is
copied into the run's array when the partition arrives and dropped at once,
so the driver never holds a column twice: once in pieces, then joined. With
the number of records known beforehand (a Spark source's counting pass) the
arrays are allocated once; otherwise they grow by half as pieces arrive. A
column is kept in the narrowest width its values need so far (32-bit
positions, until a value does not fit): the executors send narrow pieces too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from auditor.core.columns import index_width
from auditor.core import systems
from auditor.core.records import LoadNote, LoadProblem
from auditor.scale.ids import PackedIds
from auditor.scale.measure import Encoded, PartFeatures


class Filling:
    """A non-negative integer column filled piece by piece, 32-bit while every value fits."""

    def __init__(self, capacity: int = 0, width: type[np.integer[Any]] = np.int32) -> None:
        self._array: np.ndarray = np.empty(capacity, width)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def put(self, values: np.ndarray, shift: int = 0) -> None:
        """Append ``values + shift``."""
        n = len(values)
        if not n:
            return
        high = int(values.max()) + shift
        if high > np.iinfo(self._array.dtype).max:
            self._array = self._array.astype(index_width(high + 1))  # once, when the first value passes 2**31
        if self._n + n > len(self._array):
            grown = np.empty(max(self._n + n, len(self._array) + len(self._array) // 2), self._array.dtype)
            grown[: self._n] = self._array[: self._n]
            self._array = grown
        np.add(values, shift, out=self._array[self._n : self._n + n], dtype=np.int64, casting="unsafe")  # fits: checked above
        self._n += n

    def done(self) -> np.ndarray:
        """The values put; copied out when much of the room went unused (a view would keep it all)."""
        if self._n >= len(self._array) - len(self._array) // 8:
            return self._array[: self._n]
        return self._array[: self._n].copy()


class IdsFilling:
    """``PackedIds`` of every partition, appended one partition at a time."""

    def __init__(self, capacity: int = 0) -> None:
        self._data = bytearray()  # grows in place (realloc): no second copy of the ids' bytes
        self._ends = Filling(capacity)
        self._kinds = Filling(capacity, np.int8)
        self._plain: list[Any] | None = None  # ids neither str nor int: kept as they are, as ``PackedIds.pack`` does

    def put(self, ids: PackedIds | list[Any]) -> None:
        if self._plain is None and isinstance(ids, PackedIds):
            data, ends, kinds = ids.parts()
            self._ends.put(ends, len(self._data))
            self._kinds.put(kinds)
            self._data += data
            return
        if self._plain is None:
            self._plain = list(self.done())
        self._plain.extend(ids)

    def done(self) -> PackedIds | list[Any]:
        if self._plain is not None:
            return self._plain
        return PackedIds(self._data, self._ends.done(), self._kinds.done())


class Gathered:
    """Pass one's results, folded in partition by partition (``add``): the engine's per-record columns joined as they
    arrive, and each unit's result kept by partition for its merge (narrow already: the workers pack them)."""

    def __init__(self, units: int, capacity: int = 0, lengths: bool = True) -> None:
        """``capacity``: records expected (an upper bound: the lines of the source), 0 when unknown;
        ``lengths``: keep each record's line length (not for a copy whose lines follow each other)."""
        self.ids = IdsFilling(capacity)
        self.lines = Filling(capacity)
        self.offsets = Filling(capacity)
        self.lengths = Filling(capacity) if lengths else None
        self.categories: list[Encoded] = []
        self.extra: dict[str, list[Encoded]] = {}
        self.measured: list[list[Any]] = [[] for _ in range(units)]
        self.counts: list[int] = []
        self.problems: list[LoadProblem] = []
        self.notes: list[LoadNote] = []
        self.blank_lines = 0
        self.systems: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, part: PartFeatures, shift: int = 0) -> None:
        """Partition ``part`` folded in (its offsets moved by ``shift``); its per-record pieces are dropped."""
        self.counts.append(len(part))
        self.ids.put(part.ids)
        self.lines.put(part.lines)
        self.offsets.put(part.offsets, shift)
        if self.lengths is not None:
            self.lengths.put(part.lengths)
        if part.categories is not None:
            self.categories.append(part.categories)
        for name, column in part.extra.items():
            self.extra.setdefault(name, []).append(column)
        for k, result in enumerate(part.measured):
            self.measured[k].append(result)
        self.problems.extend(part.problems)
        self.notes.extend(part.notes)
        self.blank_lines += part.blank_lines
        if part.systems is not None:
            self.systems.append(part.systems)
        part.ids, part.lines, part.offsets, part.lengths, part.measured = [], _NONE, _NONE, _NONE, []

    def shared_systems(self) -> np.ndarray:
        """The system prompts two records of the run share: in one partition, or in two (each partition
        lists its prompts once). At most a hash a record, for a run whose every prompt is its record's own."""
        distinct = np.empty(sum(len(p[0]) for p in self.systems), np.uint64)
        within, at = [], 0
        for k, (values, repeated) in enumerate(self.systems):
            distinct[at : at + len(values)] = values
            at += len(values)
            within.append(repeated)
            self.systems[k] = _NO_SYSTEMS  # dropped once copied: the hashes are held once
        return systems.union(systems.repeated(distinct, in_place=True), *within)

    def starts(self) -> np.ndarray:
        """Each partition's first record, then the record count."""
        return np.concatenate([[0], np.cumsum(self.counts, dtype=np.int64)]).astype(np.int64)


_NONE = np.zeros(0, np.int64)
_NO_SYSTEMS = (np.zeros(0, np.uint64), np.zeros(0, np.uint64))
