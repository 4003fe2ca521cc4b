from __future__ import annotations

import json
from pathlib import Path

import pytest

import auditor
from auditor.runtime.errors import NotReadyError

REPO = Path(__file__).resolve().parents[1]
READY = REPO / "sample_data" / "support_ready.jsonl"
NOT_READY = REPO / "sample_data" / "support_not_ready.jsonl"


def test_audit_path_and_report_api() -> None:
    report = auditor.audit(READY, config={})
    assert report.verdict == "READY" and report.ready and report.exit_code == 0
    assert report.metrics["count"]["effective_examples"] == 640
    assert report.raise_if_not_ready() is report
    d = report.to_dict()
    assert {"schema_version", "tool", "input", "config", "timing", "verdict", "gaps", "checks"} <= set(d)
    assert set(d["input"]) == {"path", "format", "bytes", "sha256"}


def test_not_ready_raises_typed_error_with_report() -> None:
    report = auditor.audit(NOT_READY, config={})
    with pytest.raises(NotReadyError) as err:
        report.raise_if_not_ready()
    assert err.value.report is report and "NOT_READY" in str(err.value)
    gap = report.to_dict()["gaps"][0]
    assert set(gap) == {"code", "severity", "check", "message", "action", "count", "example_ids"}


def test_overrides_and_in_memory_sources() -> None:
    import datasets
    import pandas as pd

    rows = [json.loads(line) for line in READY.read_text().splitlines()]
    frame = pd.DataFrame(rows)
    assert auditor.audit(frame, config={}).metrics["count"]["valid_records"] == 640
    ds = datasets.Dataset.from_pandas(frame.drop(columns=["annotations"]))
    report = auditor.audit(ds, config={}, min_examples=1000, count__min_per_category=200)
    assert report.verdict == "NOT_READY"
    # the annotations were dropped from this copy, so agreement was not measured either
    assert {g.finding.code for g in report.gaps} == {"CNT001", "CNT002", "AGR003"}
    assert report.input.path is None and report.input.format == "hf-dataset/input-output"


def test_config_file_path_and_mapping(tmp_path: Path) -> None:
    cfg = tmp_path / "a.toml"
    cfg.write_text("min_examples = 2000\n")
    assert auditor.audit(READY, cfg).verdict == "NOT_READY"
    assert auditor.audit(READY, {"min_examples": 10}).metrics["count"]["min_examples"] == 10
