"""Hostile inputs: large or strange files still give a clear result in bounded time.

The large files are generated here, in tmp_path, rather than committed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import auditor
from auditor.load import dispatch as load_module
from auditor.runtime.errors import InputError
from auditor.load import load


def test_a_50_mb_single_line(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    big = "word " * 10_000_000
    path.write_text(json.dumps({"input": "summarise this", "output": big}) + "\n")
    data, info = load(path)
    assert data.valid_records == 1 and len(data.outputs[0]) == len(big) and info.bytes > 50_000_000


def test_a_50_mb_line_of_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(b'{"input": "q", "output": "a"}\n' + b"{" + b"x" * 50_000_000 + b"\n")
    data, _ = load(path)
    assert (data.valid_records, data.invalid_records) == (1, 1)
    assert len(data.problems[0].reason) < 200  # the reason never echoes the line


def test_a_million_tiny_lines(tmp_path: Path) -> None:
    path = tmp_path / "tiny.jsonl"
    path.write_bytes(b'{"input":"a","output":"b"}\n' * 1_000_000)
    report = auditor.audit(path, config={}, select=["CNT"])
    m = report.metrics["count"]
    assert (m["total_records"], m["valid_records"], m["effective_examples"]) == (1_000_000, 1_000_000, 1)


def test_mixed_line_endings_and_duplicate_keys(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"input": "a", "output": "1"}\r\n{"input": "b", "output": "2"}\n{"input": "c", "output": "x", "output": "3"}\r\n'
    )
    data, _ = load(path)
    assert data.inputs == ["a", "b", "c"] and data.outputs == ["1", "2", "3"]  # the last duplicate key wins


def test_parquet_with_unexpected_types(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "input": ["a", "b", "c"],
            "output": pa.array([1, 2, 3], pa.int64()),
            "meta": [{"k": 1}, {"k": 2}, {"k": 3}],
        }
    )
    pq.write_table(table, tmp_path / "d.parquet")
    data, _ = load(tmp_path / "d.parquet")
    assert data.valid_records == 0 and data.invalid_records == 3
    assert "wrong type: field 'output' is a number" in data.problems[0].reason


def test_a_file_that_disappears_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "gone.jsonl"
    path.write_text('{"input": "a", "output": "b"}\n')
    real = load_module.check_readable

    def vanish(p: Path) -> None:
        real(p)
        p.unlink()

    monkeypatch.setattr(load_module, "check_readable", vanish)
    with pytest.raises(InputError, match="cannot read"):
        load(path)


def test_a_file_that_grows_while_being_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes appended mid-read are either read or not; the fingerprint covers exactly what was read."""
    from auditor.load import readers

    path = tmp_path / "growing.jsonl"
    path.write_bytes(b'{"input": "a", "output": "b"}\n' * 10)
    real = readers._parse_lines

    def grow(*args, **kwargs):  # type: ignore[no-untyped-def]
        with path.open("ab") as fh:
            fh.write(b'{"input": "late", "output": "z"}\n')
        yield from real(*args, **kwargs)

    monkeypatch.setattr(readers, "_parse_lines", grow)
    data, info = load(path, jobs=1)
    late = len(b"{\"input\": \"late\", \"output\": \"z\"}\n")
    assert (data.valid_records, info.bytes) in ((10, 300), (11, 300 + late))
