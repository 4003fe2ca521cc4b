"""Golden JSON reports for the sample datasets (timings and machine paths left out).

Regenerate after an intended change with: UPDATE_GOLDEN=1 pytest tests/test_golden.py
and review the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from auditor.api import audit
from auditor.report import json as json_report

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
SAMPLES = sorted(p.name for p in (REPO / "sample_data").glob("*.jsonl"))


def stable(report_json: str) -> dict[str, Any]:
    data = json.loads(report_json)
    data.pop("timing")
    data["tool"].pop("version")
    data["input"]["path"] = Path(data["input"]["path"]).name
    return data


@pytest.mark.parametrize("name", SAMPLES)
def test_golden_report(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "sample_data")  # no config file found upward but the repo's own
    report = audit(REPO / "sample_data" / name, config={})
    got = stable(json_report.render(report))
    path = GOLDEN / (name.replace(".jsonl", ".json"))
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert got == json.loads(path.read_text())


def test_sample_data_is_reproducible(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen", REPO / "sample_data" / "generate.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    gen.HERE = tmp_path
    gen.main()
    decision = sorted(f"decision/{p.name}" for p in (REPO / "sample_data" / "decision").iterdir())
    assert decision == ["decision/auditor.toml", "decision/prompt_baseline.csv", "decision/support_eval.jsonl"]
    for name in [*SAMPLES, *decision]:
        assert (tmp_path / name).read_bytes() == (REPO / "sample_data" / name).read_bytes(), name
