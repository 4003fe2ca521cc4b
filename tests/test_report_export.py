"""The findings export: every flagged example with the record's own fields, JSONL and CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from auditor.cli import main
from auditor.report.export import neutralise, render_csv, render_jsonl, rows
from tests.report_builders import PAYLOADS, PII_VALUES, full_report

REPO = Path(__file__).resolve().parents[1]
NOT_READY = REPO / "sample_data" / "support_not_ready.jsonl"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=x", "'\t=x"),
        ("\r=x", "'\r=x"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (None, ""),
        (42, "42"),
        ([{"role": "user", "content": "=x"}], '[{"role":"user","content":"=x"}]'),
    ],
)
def test_neutralise(cell: object, written: str) -> None:
    assert neutralise(cell) == written


@given(st.text(max_size=40))
def test_no_cell_starts_a_formula(text: str) -> None:
    assert not neutralise(text).startswith(("=", "+", "-", "@", "\t", "\r"))


def test_rows_carry_record_fields_and_every_id() -> None:
    report = full_report()
    got = list(rows(report))
    assert len(got) == sum(len(f.ids) for _, f in report.findings())
    pii = next(r for r in got if r["id"] == "x-pii")
    assert pii["input"] == "mail [email], card [card], call [phone]" and pii["category"] == "<b>cat</b>"
    assert {"code", "severity", "check", "group", "message", "line", "output"} <= set(pii)
    near = [r for r in got if r["code"] == "DUP003"]
    assert [r["group"] for r in near][:3] == ["near-1"] * 3


def test_csv_is_neutralised_masked_and_round_trips() -> None:
    text = render_csv(full_report())
    for value in PII_VALUES:
        assert value not in text
    table = list(csv.DictReader(io.StringIO(text)))
    formula = next(r for r in table if r["id"] == "x-formula")
    assert formula["input"] == "'" + PAYLOADS["x-formula"]
    assert all(not v.startswith(("=", "+", "-", "@")) for r in table for v in r.values())
    script = next(r for r in table if r["id"] == "x-script")
    assert script["output"] == PAYLOADS["x-script"]  # CSV is data, not markup: text kept as written


def test_jsonl_rows_are_json() -> None:
    lines = render_jsonl(full_report()).splitlines()
    assert all(json.loads(line)["code"] for line in lines)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_cli_export(tmp_path: Path, suffix: str) -> None:
    from auditor.api import audit

    expected = [i for _, f in audit(NOT_READY).findings() if f.code == "CNT002" for i in f.ids]
    export = tmp_path / f"flagged{suffix}"
    result = CliRunner().invoke(main, ["check", str(NOT_READY), "-q", "--export-findings", str(export)])
    assert result.exit_code == 1
    text = export.read_text()
    if suffix == ".csv":
        table = list(csv.DictReader(io.StringIO(text)))
        thin = [r for r in table if r["code"] == "CNT002"]
        assert [r["id"] for r in thin] == [str(i) for i in expected]
        assert all(r["category"] and r["input"] for r in thin)  # the record's own fields came along
    else:
        rows_ = [json.loads(line) for line in text.splitlines()]
        assert [r["id"] for r in rows_ if r["code"] == "CNT002"] == expected


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_cli_formats(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(main, ["check", str(NOT_READY), "--format", fmt, "--output", str(out)])
    assert result.exit_code == 1 and "NOT_READY" in out.read_text()
    printed = CliRunner().invoke(main, ["check", str(NOT_READY), "--format", fmt])
    assert "NOT_READY" in printed.stdout
