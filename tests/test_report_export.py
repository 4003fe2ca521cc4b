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


def test_eval_findings_carry_the_eval_record_not_the_training_one(tmp_path: Path) -> None:
    # Line numbers are the ids of both files: eval line 3 and training line 3 share the id 3.
    # A finding about the eval data (COV005/COV006 name it in their details) must show the
    # eval record; the training record with the same id was shown before.
    train = tmp_path / "train.jsonl"
    questions = [f"Where is my parcel {i}? It has not arrived and the tracking page shows no update." for i in range(60)]
    train.write_text("".join(json.dumps({"input": q, "output": f"Parcel {i} is on its way."}) + "\n" for i, q in enumerate(questions)))
    evals = tmp_path / "eval.jsonl"
    poems = [f"Compose a sonnet about {w} in the voice of a medieval troubadour." for w in ("autumn", "glaciers", "owls", "lanterns", "tides", "comets")]
    evals.write_text("".join(json.dumps({"input": p, "output": "A sonnet."}) + "\n" for p in poems))
    from auditor.api import audit

    report = audit(train, eval=evals, config={})
    got = [r for r in rows(report) if r["code"] in ("COV005", "COV006")]
    assert got, "the eval set's sonnets should be uncovered by parcel questions"
    for row in got:
        assert row["dataset"] == "eval" and row["input"] == poems[int(row["line"]) - 1], row
        assert "parcel" not in row["input"]
    csv_text = render_csv(report)
    assert csv_text.splitlines()[0].split(",")[6] == "dataset"
