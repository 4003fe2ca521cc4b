"""Pass one's columns gathered partition by partition (``auditor.scale.gather``) against joining them at the end.

The driver of a partitioned run folds each partition's per-record columns
into the run's arrays as the partition arrives (preallocated from the
counting pass on Spark, grown otherwise) instead of holding every piece and
concatenating. The values must be exactly the concatenation's, whatever the
cut into partitions, the capacity guessed and the widths the pieces come in.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.scale.gather import Filling, Gathered, IdsFilling
from auditor.scale.ids import PackedIds
from auditor.scale.measure import Encoded, PartFeatures

pieces = st.lists(st.lists(st.integers(0, 2**40), max_size=30), max_size=8)


@settings(max_examples=200, deadline=None)
@given(pieces, st.integers(0, 300), st.integers(0, 2**33))
def test_filling_equals_the_concatenation(parts: list[list[int]], capacity: int, shift: int) -> None:
    filling = Filling(capacity)
    for values in parts:
        filling.put(np.asarray(values, np.int64), shift)
    expected = np.concatenate([np.asarray(v, np.int64) + shift for v in parts]) if parts else np.zeros(0, np.int64)
    got = filling.done()
    assert got.tolist() == expected.tolist()
    assert len(filling) == len(expected)


@pytest.mark.parametrize(
    "parts, width",
    [
        ([[0, 5], [2**31 - 1]], np.int32),  # every value fits 32 bits: 4 bytes a record
        ([[0, 5], [2**31]], np.int64),  # one does not: widened once, the earlier values kept
        ([[2**31 - 10]], np.int32),
    ],
)
def test_filling_is_32_bit_while_every_value_fits(parts: list[list[int]], width: type) -> None:
    filling = Filling(3)
    for values in parts:
        filling.put(np.asarray(values, np.int32 if max(values) < 2**31 else np.int64))
    got = filling.done()
    assert got.dtype == width
    assert got.tolist() == [v for p in parts for v in p]


def test_filling_keeps_no_unused_room() -> None:
    filling = Filling(1000)
    filling.put(np.arange(10, dtype=np.int32))
    got = filling.done()
    assert got.base is None or got.base.nbytes <= 2 * got.nbytes  # a copy, not a view of the 1000 slots


ids = st.lists(st.one_of(st.text(max_size=6), st.integers(-(2**40), 2**40)), max_size=20)


@settings(max_examples=200, deadline=None)
@given(st.lists(ids, max_size=6), st.integers(0, 50))
def test_ids_filled_by_partition_equal_the_ids(parts: list[list[object]], capacity: int) -> None:
    filling = IdsFilling(capacity)
    for part in parts:
        filling.put(PackedIds.pack(part))
    assert list(filling.done()) == [i for p in parts for i in p]


def test_ids_that_cannot_be_packed_stay_as_they_are() -> None:
    filling = IdsFilling(4)
    filling.put(PackedIds.pack(["a", 1]))
    filling.put(PackedIds.pack([2.5, "b"]))  # a float id: the partition sends a plain list
    filling.put(PackedIds.pack(["c"]))
    assert filling.done() == ["a", 1, 2.5, "b", "c"]


def _part(number: int, ids: list[object], first_line: int, offsets: list[int], category: list[str]) -> PartFeatures:
    n = len(ids)
    return PartFeatures(
        number=number,
        ids=PackedIds.pack(ids),
        lines=np.arange(first_line, first_line + n, dtype=np.int32),
        offsets=np.asarray(offsets, np.int32),
        lengths=np.full(n, 7, np.int32),
        categories=Encoded.of(category),
        extra={},
        measured=[np.arange(n), f"unit result {number}"],
        blank_lines=number,
    )


@pytest.mark.parametrize("capacity", [0, 5, 100])
def test_gathered_partitions_hold_what_they_sent(capacity: int) -> None:
    gathered = Gathered(2, capacity=capacity)
    parts = [_part(0, ["a", "b"], 1, [0, 10], ["x", "y"]), _part(1, [], 3, [], []), _part(2, [7, "c", "d"], 4, [0, 5, 9], ["y", "y", "z"])]
    for part, shift in zip(parts, (0, 20, 20)):
        gathered.add(part, shift)
        assert len(part.lines) == 0 and part.measured == []  # the piece is dropped once folded in
    assert list(gathered.ids.done()) == ["a", "b", 7, "c", "d"]
    assert gathered.lines.done().tolist() == [1, 2, 4, 5, 6]
    assert gathered.offsets.done().tolist() == [0, 10, 20, 25, 29]
    assert gathered.lengths is not None and gathered.lengths.done().tolist() == [7] * 5
    assert gathered.starts().tolist() == [0, 2, 2, 5]
    assert gathered.measured[1] == ["unit result 0", "unit result 1", "unit result 2"]
    assert [c.values for c in gathered.categories] == [["x", "y"], [], ["y", "z"]]
    assert gathered.blank_lines == 3


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 6), max_size=12), max_size=6))
def test_the_shared_system_prompts_are_those_two_records_of_the_run_carry(parts: list[list[int]]) -> None:
    """Each partition sends its distinct prompts and those repeated inside it (``measure._systems``); the
    driver's answer is the whole run's: a prompt twice in one partition, or once in each of two."""
    from auditor.core import systems

    gathered = Gathered(2)  # _part's two unit results
    for k, prompts in enumerate(parts):
        part = _part(k, [f"r{k}.{i}" for i in range(len(prompts))], 0, list(range(len(prompts))), ["c"] * len(prompts))
        hashes = np.asarray(prompts, np.uint64)
        part.systems = (np.unique(hashes), systems.repeated(hashes)) if prompts else None
        gathered.add(part)
    every = [p for prompts in parts for p in prompts]
    assert gathered.shared_systems().tolist() == sorted({p for p in every if every.count(p) > 1})
