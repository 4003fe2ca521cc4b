"""Annotations carried by a minority of records, or only after the rows that decide the layout, are read."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from auditor.load import load


def _write(path: Path, n: int, labelled: range) -> None:
    rng = random.Random(7)
    with path.open("w") as fh:
        for i in range(n):
            row: dict[str, object] = {"input": f"question {i} about {rng.choice(['refunds', 'billing', 'login'])}", "output": f"answer {i}"}
            if i in labelled:
                truth = ["yes", "no"][i % 2]
                row["annotations"] = [{"annotator": "a1", "label": truth}, {"annotator": "a2", "label": truth if i % 10 else "no"}]
            fh.write(json.dumps(row) + "\n")


@pytest.mark.parametrize(
    "labelled",
    [range(850, 1000), range(0, 40), range(0, 1000, 25)],
    ids=["at-the-end", "few-in-the-head", "sparse"],
)
@pytest.mark.parametrize("jobs", [1, 2])
def test_minority_annotations_become_the_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, labelled: range, jobs: int) -> None:
    from auditor.load import parallel

    path = tmp_path / "d.jsonl"
    _write(path, 1000, labelled)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)  # jobs=2 then reads the file in forked ranges
    data, _ = load(path, jobs=jobs)
    assert data.fields.annotations == "annotations"
    assert data.annotations is not None and len(data.annotations) == len(data) == 1000
    carried = [i for i, a in enumerate(data.annotations) if a is not None]
    assert carried == list(labelled)
    assert data.unplanned == {}


def test_no_annotations_stays_none(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    _write(path, 300, range(0))
    data, _ = load(path)
    assert data.annotations is None and data.fields.annotations is None


def test_audit_measures_agreement_on_late_annotations(tmp_path: Path) -> None:
    """Before: 150 double-labelled records at the end of 1,000 gave AGR003 'no annotations were given'."""
    from auditor.api import audit

    path = tmp_path / "d.jsonl"
    _write(path, 1000, range(850, 1000))
    agreement = audit(path).to_dict()["checks"]["agreement"]
    assert agreement["metrics"]["units_pairable"] == 150 and agreement["metrics"]["annotators"] == 2
    assert "AGR003" not in {f["code"] for f in agreement["findings"]}
