"""Record ids packed in one buffer: what a partitioned run's driver keeps of every record's id.

A list of ten million id strings costs about 70 bytes an id (the str object
and the list's pointer); packed as UTF-8 bytes with an end offset and a kind
each, an id of 10 characters costs 19. Ids come back packed from the workers
and are unpacked one at a time, for the few records a finding shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

from auditor.core.columns import index_width

_STR, _INT = 0, 1


class PackedIds(Sequence[Any]):
    """A read-only sequence of record ids (str or int), packed."""

    def __init__(self, data: bytes | bytearray, ends: np.ndarray, kinds: np.ndarray) -> None:
        self._data, self._ends, self._kinds = data, ends, kinds

    @classmethod
    def pack(cls, ids: Sequence[Any]) -> PackedIds | list[Any]:
        """The ids packed, or the list itself when some id is neither str nor int (nothing is lost)."""
        kinds = np.fromiter((_INT if type(i) is int else _STR if type(i) is str else -1 for i in ids), np.int8, len(ids))
        if (kinds < 0).any():
            return list(ids)
        encoded = [str(i).encode("utf-8", "surrogatepass") for i in ids]
        ends = np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)))
        # 32-bit ends while they fit: the driver receives them as they are.
        return cls(b"".join(encoded), ends.astype(index_width(int(ends[-1]) + 1 if len(ends) else 1)), kinds)

    def parts(self) -> tuple[bytes | bytearray, np.ndarray, np.ndarray]:
        """The packed bytes, each id's end offset in them and each id's kind (str or int)."""
        return self._data, self._ends, self._kinds

    def __len__(self) -> int:
        return len(self._ends)

    def _one(self, i: int) -> Any:
        start = int(self._ends[i - 1]) if i > 0 else 0
        text = self._data[start : int(self._ends[i])].decode("utf-8", "surrogatepass")
        return int(text) if self._kinds[i] == _INT else text

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._one(i) for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(index)
        return self._one(index % n if index < 0 else index)

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self._one(i)
