"""Coded columns (a partitioned run's per-record categories and grouping fields) against the plain lists.

The driver of a partitioned run keeps a category or grouping field as one small
code per record (``auditor.core.columns.Coded``); every judgement that groups
records by it must see exactly what it sees on the list the in-memory engine
holds: the same values, group sizes, members, breakdowns and task-group
numbering.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.columns import Coded, index_width, narrow
from auditor.features.taskgroups import group_field
from auditor.scale.measure import Encoded
from checks.quality_rules.groups import GroupField, breakdown, members


def coded(column: list[object], cuts: tuple[int, ...]) -> Coded:
    """The column as pass one sends it: each partition encoded apart, then joined on the driver."""
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(column)), len(column)]
    parts = [Encoded.of(column[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]
    return Coded.concat([(p.codes, p.values) for p in parts])


COLUMNS = {
    "empty": ([], ()),
    "one group": (["a"] * 5, (2,)),
    "missing and empty values": (["a", None, "", "b", None, "a", ""], (1, 4)),
    "order of first appearance differs by partition": (["z", "y", "x", "x", "y", "z", "w"], (3,)),
    "a value named like the missing marker": (["(none)", None, "b", "(none)"], (2,)),
    "numbers and their text": ([1, "1", 2, 1, None, "2"], (3,)),
    "unicode": (["café", "cafe", "日本", "café"], (1, 2, 3)),
    "many groups": ([f"t{i % 300}" for i in range(2000)], (500, 1000, 1999)),
}


@pytest.mark.parametrize("column,cuts", COLUMNS.values(), ids=COLUMNS.keys())
def test_coded_column_reads_as_the_list(column: list[object], cuts: tuple[int, ...]) -> None:
    col = coded(column, cuts)
    assert len(col) == len(column)
    assert list(col) == column and col == column
    assert [col[i] for i in range(len(column))] == column
    assert col[1:4] == column[1:4]
    if column:
        assert col[-1] == column[-1]


@pytest.mark.parametrize("column,cuts", COLUMNS.values(), ids=COLUMNS.keys())
def test_grouping_a_coded_column_judges_as_the_list(column: list[object], cuts: tuple[int, ...]) -> None:
    plain, packed = GroupField.of("template", column), GroupField.of("template", coded(column, cuts))
    assert list(packed.values) == plain.values
    assert list(packed.totals.items()) == list(plain.totals.items())  # same sizes, same order
    want, got = members(plain.values), members(packed.values)
    assert list(got) == list(want)
    for key in want:
        assert got[key].tolist() == want[key].tolist()
    flagged = list(range(0, len(column), 3))
    assert breakdown(flagged, packed, 0.8, 0.3, 2, 0.5) == breakdown(flagged, plain, 0.8, 0.3, 2, 0.5)


@pytest.mark.parametrize("column,cuts", COLUMNS.values(), ids=COLUMNS.keys())
def test_relabel_numbers_values_in_order_of_first_appearance(column: list[object], cuts: tuple[int, ...]) -> None:
    """What the task groups' ``index.setdefault(name, len(index))`` over the records gives."""
    index: dict[object, int] = {}
    plain = [index.setdefault(str(v), len(index)) for v in column]
    got = coded(column, cuts).relabel(str)
    assert got.codes.tolist() == plain and got.values == list(index)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "", None, "(none)", "é"]), max_size=60),
    st.lists(st.integers(0, 60), max_size=4),
)
def test_coded_grouping_property(column: list[object], cuts: list[int]) -> None:
    plain, packed = GroupField.of("source", column), GroupField.of("source", coded(column, tuple(cuts)))
    assert list(packed.values) == plain.values and list(packed.totals.items()) == list(plain.totals.items())
    assert {k: v.tolist() for k, v in members(packed.values).items()} == {k: v.tolist() for k, v in members(plain.values).items()}
    assert list(members(packed.values)) == list(members(plain.values))


def test_task_group_field_from_a_coded_column() -> None:
    """A raw grouping field (template) keeps its codes, its values as the text the list path makes."""
    from auditor.core.config import resolve
    from auditor.core.context import Context
    from auditor.core.records import Dataset, FieldMap

    column = ["t1", 2, None, "t1", 2]
    data = Dataset(format="jsonl/alpaca", fields=FieldMap(("instruction",), "output"), ids=list(range(5)), inputs=["x"] * 5, outputs=["y"] * 5)
    data.extra["template"] = coded(column, (2,))  # type: ignore[assignment]
    field = group_field(Context(dataset=data, config=resolve(search=False)))
    assert field is not None and field.name == "template"
    assert list(field.values) == ["t1", "2", None, "t1", "2"]


@pytest.mark.parametrize(
    "high,width",
    [(0, np.int8), (127, np.int8), (128, np.int16), (40_000, np.int32), (2**31, np.int64)],
)
def test_codes_take_the_narrowest_width(high: int, width: type) -> None:
    assert narrow(np.array([-1, 0, high]), high).dtype == width
    assert index_width(2**31 - 1) is np.int32 and index_width(2**31) is np.int64
