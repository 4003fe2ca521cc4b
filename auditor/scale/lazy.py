"""Text columns read back from the file on demand, for the few records a stage needs.

A partitioned run keeps no text; findings show an excerpt of a few records
and near-duplicate verification re-shingles only the records of candidate
pairs. ``LazyColumn`` answers ``column[i]`` by reading record i's line again
by its byte offset (and normalising it, for the normalised columns), so the
in-memory code that indexes columns runs unchanged. Iterating a whole column
is refused: that would be the in-memory path, slower.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from auditor.load import fill, jsonvalues
from auditor.core.records import LoadProblem
from auditor.scale.partitions import Layout
from auditor.scale.spill import Spill
from auditor.similarity import Normalizer

# Records kept once read (the involved records of a verification round), bounded by count and by their estimated
# size in memory: a scan that reads each record of a few percent of ten million once (the contradictions' outputs)
# would otherwise hold 200,000 parsed records, about 600 MB, on the driver.
CACHE_RECORDS = 200_000
CACHE_BYTES = 128 << 20


def _cost(raw: bytes) -> int:
    """About what a record read from ``raw`` holds in memory: its texts twice (as read and normalised), a dict."""
    return 2 * len(raw) + 256


class RecordReader:
    """Reads records by index: one ``pread`` of the record's line, parsed and mapped as the loader does."""

    def __init__(
        self,
        path: str,
        offsets: np.ndarray,
        lengths: np.ndarray | None,
        lines: np.ndarray,
        layout: Layout,
        normalizer: Normalizer,
        spill: Spill | None = None,
    ) -> None:
        """``spill``: the lines are read from this copy (a Spark source's), not from ``path`` (then only named in
        messages). ``lengths`` None: the records' lines follow each other, one newline apart, to the end of the
        file (the copy), so each one's length is where the next starts: 4 bytes a record not held."""
        self.path = path
        self.offsets = offsets
        self.lengths = lengths
        self.lines = lines
        self.layout = layout
        self.normalizer = normalizer
        self.reads = 0  # records read from the file (for the report and tests)
        self._cache: dict[int, dict[str, Any]] = {}
        self._cached_bytes = 0
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._spill = spill  # owned from here on

    def __len__(self) -> int:
        return len(self.offsets)

    def _file(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDONLY)
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def __del__(self) -> None:  # the report keeps the columns for exports; the descriptor goes with them
        self.close()

    def _length(self, i: int) -> int:
        if self.lengths is not None:
            return int(self.lengths[i])
        if i + 1 < len(self.offsets):
            end = int(self.offsets[i + 1])
        else:
            end = self._spill.size if self._spill is not None else os.fstat(self._file()).st_size
        return end - int(self.offsets[i]) - 1

    def record(self, i: int) -> dict[str, Any]:
        hit = self._cache.get(i)
        if hit is not None:
            return hit
        if self._spill is not None:
            raw = self._spill.read(int(self.offsets[i]), self._length(i))
        else:
            raw = os.pread(self._file(), self._length(i), int(self.offsets[i]))
        line = int(self.lines[i])
        part = self.layout.empty()
        try:
            fill(part, [(line, jsonvalues.loads(raw.removeprefix(b"\xef\xbb\xbf")))], self.layout.layout, list(self.layout.kept))
        except ValueError:  # orjson's error, or a value the careful parser rejects
            part.problems.append(LoadProblem(line, "invalid JSON"))
        if len(part) != 1:  # the file changed since it was read: say so rather than show another record
            raise RuntimeError(f"{self.path} changed during the audit: line {line} no longer reads ({part.problems[0].reason})")
        rec: dict[str, Any] = {
            "input": part.inputs[0],
            "request": part.requests[0],
            "output": part.outputs[0],
            "messages": part.messages[0] if part.messages is not None else None,
            "annotations": part.annotations[0] if part.annotations is not None else None,
        }
        with self._lock:
            self.reads += 1
            if len(self._cache) >= CACHE_RECORDS or self._cached_bytes >= CACHE_BYTES:
                self._cache.clear()
                self._cached_bytes = 0
            self._cache[i] = rec
            self._cached_bytes += _cost(raw)
        return rec

    def value(self, i: int, field: str, normalised: bool) -> Any:
        rec = self.record(i)
        if not normalised:
            return rec[field]
        key = "norm_" + field
        if key not in rec:
            rec[key] = self.normalizer(rec[field])
        return rec[key]


class LazyColumn(Sequence[Any]):
    """One field of every valid record, read on demand through a RecordReader."""

    def __init__(self, reader: RecordReader, field: str, normalised: bool = False) -> None:
        self.reader = reader
        self.field = field
        self.normalised = normalised

    def __len__(self) -> int:
        return len(self.reader)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        index = int(i)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.reader.value(index, self.field, self.normalised)

    def __iter__(self) -> Iterator[Any]:
        raise TypeError(
            f"the {self.field} column of a partitioned run is read record by record on demand; "
            "a stage that needs every text runs only with --engine memory"
        )


class IntColumn(Sequence[int]):
    """A numpy integer column that hands out Python ints (reports serialise what they index)."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return self.values[i].tolist()
        return int(self.values[i])

    def __iter__(self) -> Iterator[int]:
        return iter(self.values.tolist())
