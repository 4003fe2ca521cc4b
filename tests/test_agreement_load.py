"""Reading annotations: inline, long-form files, wide columns, and the input policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.load.annotations import AnnotationInputError, clean, label_key, read_annotations

OPTIONS: dict[str, Any] = {
    "item_column": "",
    "annotator_column": "",
    "label_column": "",
    "annotator_columns": [],
    "annotator_prefix": "",
}


def rows(raw) -> list[tuple[int, str, Any]]:
    return list(zip(raw.items, raw.annotators, raw.labels))


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (None, None),
        (float("nan"), None),
        ("nan", "nan"),
        ("None", "None"),
        ("  refund ", "refund"),
        ("", ""),
        (3, "3"),
        (3.0, "3"),
        (2.5, "2.5"),
        (True, "true"),
        (["b", "a", "b"], "a,b"),
    ],
)
def test_label_key(value: Any, key: str | None) -> None:
    assert label_key(value) == key


@pytest.mark.parametrize(
    "entry",
    [
        [{"annotator": "a1", "label": "x"}, {"annotator": "a2", "label": "y"}],
        {"a1": "x", "a2": "y"},
        '[{"rater": "a1", "rating": "x"}, {"rater": "a2", "rating": "y"}]',
        [{"worker": "a1", "answer": "x"}, {"worker": "a2", "answer": "y"}],
    ],
)
def test_inline_layouts(entry: Any) -> None:
    raw = read_annotations([1, 2], [entry, None], {}, None, OPTIONS)
    assert raw is not None and raw.source == "inline annotations"
    assert rows(raw) == [(0, "a1", "x"), (0, "a2", "y")]
    assert not raw.anonymous


def test_inline_configured_field_names_and_anonymous_lists() -> None:
    options = {**OPTIONS, "annotator_column": "who", "label_column": "says"}
    raw = read_annotations([1], [[{"who": "a", "says": "x"}]], {}, None, options)
    assert rows(raw) == [(0, "a", "x")]
    raw = read_annotations([1], [["x", "y"]], {}, None, OPTIONS)
    assert rows(raw) == [(0, "#1", "x"), (0, "#2", "y")] and raw.anonymous


def test_inline_malformed_entries_are_listed() -> None:
    raw = read_annotations([1, 2, 3], [42, "[not json", [{"annotator": "a", "label": "x"}]], {}, None, OPTIONS)
    assert raw.malformed == [0, 1]
    assert rows(raw) == [(2, "a", "x")]


def test_no_annotations_anywhere() -> None:
    assert read_annotations([1, 2], None, {}, None, OPTIONS) is None
    assert read_annotations([1, 2], [None, None], {}, None, OPTIONS) is None


def test_clean_keeps_last_duplicate_and_counts_conflicts() -> None:
    raw = read_annotations(
        [1, 2],
        [
            [
                {"annotator": "a", "label": "x"},
                {"annotator": "a", "label": "y"},
                {"annotator": "a", "label": "x"},
                {"annotator": "b", "label": "x"},
            ],
            [{"annotator": "a", "label": "z"}, {"annotator": "a", "label": "z"}, {"annotator": "b", "label": ""}],
        ],
        {},
        None,
        OPTIONS,
    )
    ann = clean(raw)
    assert sorted(zip(ann.items, ann.annotators, ann.labels)) == [(0, "a", "x"), (0, "b", "x"), (1, "a", "z")]
    assert ann.duplicate_rows == 3
    assert ann.conflicting_duplicates == 1  # only the dropped "y" differs from the kept "x"; agreeing repeats are not conflicts
    assert ann.duplicate_items == [0, 1]
    assert ann.empty_items == [1]


def test_nan_and_none_strings_stay_categories() -> None:
    raw = read_annotations([1], [{"a": "nan", "b": "None", "c": None, "d": float("nan")}], {}, None, OPTIONS)
    ann = clean(raw)
    assert sorted(ann.labels) == ["None", "nan"]
    assert ann.missing == 2


def _write(path: Path, kind: str, records: list[dict[str, Any]]) -> Path:
    if kind == "csv":
        import pandas as pd

        pd.DataFrame(records).to_csv(path, index=False)
    elif kind == "tsv":
        import pandas as pd

        pd.DataFrame(records).to_csv(path, index=False, sep="\t")
    elif kind == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
    elif kind == "json":
        path.write_text(json.dumps(records))
    else:
        import pandas as pd

        pd.DataFrame(records).to_parquet(path)
    return path


@pytest.mark.parametrize("kind", ["csv", "tsv", "jsonl", "json", "parquet"])
def test_long_form_file(tmp_path: Path, kind: str) -> None:
    records = [
        {"item_id": "r1", "annotator": "a", "label": "nan"},
        {"item_id": "r1", "annotator": "b", "label": "None"},
        {"item_id": "r2", "annotator": "a", "label": "x"},
        {"item_id": "ghost", "annotator": "a", "label": "x"},
        {"item_id": "ghost", "annotator": "b", "label": "x"},
    ]
    path = _write(tmp_path / f"ann.{kind}", kind, records)
    raw = read_annotations(["r1", "r2"], None, {}, path, OPTIONS)
    assert raw.source == f"file ann.{kind}"
    assert rows(raw) == [(0, "a", "nan"), (0, "b", "None"), (1, "a", "x")]
    assert raw.unknown_items == {"ghost": 2}


def test_file_takes_precedence_and_numeric_ids_match(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "csv", [{"question": 1, "worker": 7, "answer": 2}, {"question": 2, "worker": 7, "answer": 3}])
    raw = read_annotations([1, 2], [["inline"], None], {}, path, OPTIONS)
    assert rows(raw) == [(0, "7", "2"), (1, "7", "3")]


def test_file_configured_columns_and_three_column_guess(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "csv", [{"instance_id": "1", "user_id": "u", "offensiveness": "2.0", "text": "t"}])
    with pytest.raises(AnnotationInputError, match="label"):
        read_annotations(["1"], None, {}, path, OPTIONS)
    raw = read_annotations(["1"], None, {}, path, {**OPTIONS, "label_column": "offensiveness"})
    assert rows(raw) == [(0, "u", "2.0")]
    path = _write(tmp_path / "b.csv", "csv", [{"id": "1", "rater": "u", "verdict": "ok"}])
    assert rows(read_annotations(["1"], None, {}, path, OPTIONS)) == [(0, "u", "ok")]


def test_file_errors_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(AnnotationInputError, match="does not exist"):
        read_annotations([1], None, {}, tmp_path / "missing.csv", OPTIONS)
    bad = tmp_path / "a.xlsx"
    bad.write_text("x")
    with pytest.raises(AnnotationInputError, match="unknown format"):
        read_annotations([1], None, {}, bad, OPTIONS)
    broken = tmp_path / "b.parquet"
    broken.write_text("not parquet")
    with pytest.raises(AnnotationInputError, match="cannot read"):
        read_annotations([1], None, {}, broken, OPTIONS)


def test_jsonl_bad_lines_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": 1, "annotator": "a", "label": "x"}\n{broken\n\n[1, 2]\n')
    raw = read_annotations([1], None, {}, path, OPTIONS)
    assert rows(raw) == [(0, "a", "x")]
    assert raw.malformed == [2, 4]  # line numbers: the blank line 3 is skipped, not a problem


def test_wide_columns_and_prefix() -> None:
    extra = {"label_a": ["x", "y", None], "label_b": ["x", "", "z"], "other": [1, 2, 3]}
    raw = read_annotations([1, 2, 3], None, extra, None, {**OPTIONS, "annotator_prefix": "label_"})
    assert raw.source == "columns label_a, label_b"
    assert rows(raw) == [(0, "a", "x"), (1, "a", "y"), (0, "b", "x"), (2, "b", "z")]
    raw = read_annotations([1, 2, 3], None, extra, None, {**OPTIONS, "annotator_columns": ["label_b", "label_a"]})
    assert rows(raw)[0] == (0, "label_b", "x")
    with pytest.raises(AnnotationInputError, match="not found"):
        read_annotations([1], None, extra, None, {**OPTIONS, "annotator_columns": ["nope"]})
    with pytest.raises(AnnotationInputError, match="prefix"):
        read_annotations([1], None, extra, None, {**OPTIONS, "annotator_prefix": "zz"})
