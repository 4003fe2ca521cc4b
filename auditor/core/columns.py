"""Per-record columns a partitioned run's driver holds without a Python object per record.

A list of ten million category strings costs 8 bytes a record in pointers
alone, and every list derived from it (the grouping values a check builds,
each record's task-group name) as much again. ``Coded`` keeps such a column
as one small integer per record (1 byte for up to 127 distinct values) and
its distinct values once; it is a read-only ``Sequence``, so code that
indexes or iterates a list reads it unchanged, and code that groups records
(``members``, ``relabel``) works on the codes without unpacking them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, overload

import numpy as np


def width_for(high: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer width that holds -1 to ``high``."""
    for width in (np.int8, np.int16, np.int32):
        if high <= np.iinfo(width).max:
            return width
    return np.int64


def narrow(values: np.ndarray, high: int) -> np.ndarray:
    """``values`` (integers in [-1, high]) in the smallest signed width that holds them."""
    return values.astype(width_for(high), copy=False)


def index_width(n: int) -> type[np.signedinteger[Any]]:
    """The integer width for record positions below ``n``: 4 bytes a record while they fit, not 8."""
    return np.int32 if n < 2**31 else np.int64


class Coded(Sequence[Any]):
    """A read-only column: ``values[codes[i]]`` for record i."""

    def __init__(self, codes: np.ndarray, values: Sequence[Any]) -> None:
        self.codes = narrow(np.asarray(codes), len(values))
        self.values = list(values)

    @classmethod
    def concat(cls, parts: Sequence[tuple[np.ndarray, Sequence[Hashable]]]) -> Coded:
        """Per-partition (codes, distinct values) as one column; equal values share one code (and one object).

        The codes are written once, in their final width (1 byte a record for up to 127 values): no 32-bit
        copy of the column is built first."""
        index: dict[Any, int] = {}
        remaps = [np.fromiter((index.setdefault(v, len(index)) for v in values), np.int64, len(values)) for _, values in parts]
        joined = np.empty(sum(len(codes) for codes, _ in parts), width_for(len(index)))
        at = 0
        for (codes, _), remap in zip(parts, remaps):
            joined[at : at + len(codes)] = remap[codes]
            at += len(codes)
        return cls(joined, list(index))

    def __len__(self) -> int:
        return len(self.codes)

    @overload
    def __getitem__(self, i: int) -> Any: ...

    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            values = self.values
            return [values[c] for c in self.codes[i].tolist()]
        return self.values[int(self.codes[i])]

    def __iter__(self) -> Iterator[Any]:
        values = self.values
        for start in range(0, len(self.codes), 1 << 16):  # a batch of Python ints at a time, never the whole column
            for c in self.codes[start : start + (1 << 16)].tolist():
                yield values[c]

    def __eq__(self, other: object) -> bool:  # equal to any sequence holding the same values, as a list is
        if isinstance(other, Coded | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable-sequence semantics: unhashable, like a list

    def relabel(self, fn: Callable[[Any], Hashable]) -> Coded:
        """The column mapped through ``fn``: equal results share one code, numbered in order of first appearance
        (what ``index.setdefault(fn(v), len(index))`` over the records gives)."""
        mapped = [fn(v) for v in self.values]
        if not len(self.codes):
            return Coded(self.codes, [])
        present, first = np.unique(self.codes, return_index=True)
        index: dict[Any, int] = {}
        remap = np.full(len(mapped), -1, width_for(len(mapped)))  # so that remap[codes] is narrow already
        for code in present[np.argsort(first, kind="stable")].tolist():  # codes in order of first appearance
            remap[code] = index.setdefault(mapped[code], len(index))
        return Coded(remap[self.codes], list(index))

    def counts(self) -> np.ndarray:
        """Records per code."""
        return np.bincount(self.codes.astype(np.int64), minlength=len(self.values))

    def members(self) -> dict[Any, np.ndarray]:
        """Each distinct value's records (ascending), values in sorted order: what grouping the unpacked list by
        sorting its objects gives, from one sort of the small codes."""
        merged = self.relabel(lambda v: v)  # equal values under different codes become one
        order = np.argsort(merged.codes, kind="stable")
        bounds = np.searchsorted(merged.codes[order], np.arange(len(merged.values) + 1))
        by_value = {merged.values[c]: order[bounds[c] : bounds[c + 1]] for c in range(len(merged.values))}
        return {v: by_value[v] for v in sorted(by_value)}
