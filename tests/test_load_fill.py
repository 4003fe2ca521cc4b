"""The batched fast path of the loader maps exactly as the row-by-row path does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import auditor.load.columns as load_module
from auditor.load import empty_like, fill
from auditor.load.columns import _fill_rows
from auditor.core.records import Dataset, FieldMap, LoadProblem

# Field values of every kind a JSON line can hold, plain text most often.
_VALUE = st.one_of(
    st.text(max_size=6),
    st.text(max_size=6),
    st.sampled_from(["", "  ", "x\n"]),
    st.none(),
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
)
_FIELDS = ("instruction", "input", "output", "prompt", "completion", "id", "category", "template")
_OBJ = st.dictionaries(st.sampled_from(_FIELDS), _VALUE, max_size=len(_FIELDS))
# Clean records of every layout (text fields, int or text ids), so whole batches take the fast path.
_TEXT = st.one_of(st.text(max_size=5), st.sampled_from(["", " ", "a  b "]))
_CLEAN = st.fixed_dictionaries(
    {k: _TEXT for k in ("instruction", "output", "prompt", "completion")},
    optional={
        "input": st.one_of(_TEXT, st.none()),
        "id": st.one_of(st.integers(-2, 2), st.text(max_size=2), st.none()),
        "category": st.one_of(_TEXT, st.none()),
        "template": _VALUE,
    },
)
# A row is a parsed object on its line, sometimes not an object, sometimes a load problem.
_ROW = st.one_of(_CLEAN, _CLEAN, _CLEAN, _OBJ, st.integers(), st.just("not an object"), st.just(None))

LAYOUTS = {
    "alpaca": FieldMap(input=("instruction", "input"), output="output", category="category", id="id", optional=("input",)),
    # Optional fields on both sides of the required one (a system prompt first, a passage after).
    "question-response": FieldMap(input=("prompt", "instruction", "input"), output="output", id="id", optional=("prompt", "input")),
    "prompt-completion": FieldMap(input=("prompt",), output="completion", id="id"),
    "input-output": FieldMap(input=("prompt",), output="completion"),
}


def _rows(values: list[Any]) -> list[Any]:
    rows: list[Any] = []
    for n, v in enumerate(values, 1):
        rows.append(LoadProblem(n, "malformed JSON") if v is None else (n, v))
    return rows


def _dataset(fmap: FieldMap) -> Dataset:
    data = Dataset(format="jsonl/x", fields=fmap, categories=[] if fmap.category else None)
    return empty_like(data, ["template"])


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@settings(max_examples=150, deadline=None)
@given(values=st.lists(_ROW, max_size=25), batch=st.integers(1, 8))
def test_batched_fill_equals_row_by_row(layout: str, values: list[Any], batch: int) -> None:
    rows = _rows(values)
    fmap = LAYOUTS[layout]
    fast, slow = _dataset(fmap), _dataset(fmap)
    old = load_module.FILL_BATCH
    load_module.FILL_BATCH = batch  # small batches: clean and odd rows meet at every boundary
    try:
        fill(fast, rows, layout, ["template"])
    finally:
        load_module.FILL_BATCH = old
    _fill_rows(slow, rows, layout, ["template"])
    for column in ("ids", "lines", "inputs", "outputs", "categories", "extra", "problems"):
        assert getattr(fast, column) == getattr(slow, column), column
    assert [type(i) for i in fast.ids] == [type(i) for i in slow.ids]  # 1 and "1" are different ids


def test_a_clean_batch_takes_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    fmap = LAYOUTS["alpaca"]
    data = _dataset(fmap)
    rows = [(n, {"instruction": f"q{n}", "input": "", "output": "a", "id": n, "category": "c"}) for n in range(1, 6)]
    monkeypatch.setattr(load_module, "_fill_rows", lambda *a: pytest.fail("clean rows went row by row"))
    fill(data, rows, "alpaca", ["template"])
    assert data.inputs == [f"q{n}" for n in range(1, 6)] and data.categories == ["c"] * 5


@pytest.mark.parametrize("enabled", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_found_it(tmp_path: Any, enabled: bool) -> None:
    import gc

    from auditor.runtime.errors import InputError
    from auditor.load import load

    path = tmp_path / "d.jsonl"
    path.write_text('{"input": "q", "output": "a"}\n')
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        load(path)
        assert gc.isenabled() is enabled
        with pytest.raises(InputError):
            load(tmp_path / "missing.jsonl")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
