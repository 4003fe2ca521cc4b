"""The JSON report validates against the schema kept in the repo (auditor/report/schema.json)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.api import audit
from auditor.report import json as json_report
from tests.report_builders import full_report

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p.name for p in (REPO / "sample_data").glob("*.jsonl"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(files("auditor.report").joinpath("schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_reports_validate(name: str, validator: jsonschema.Draft202012Validator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "sample_data")
    validator.validate(json.loads(json_report.render(audit(REPO / "sample_data" / name, config={}))))


def test_report_with_every_family_validates(validator: jsonschema.Draft202012Validator) -> None:
    validator.validate(json.loads(json_report.render(full_report())))


def _broken(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, last = path.split(".")
    node: Any = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is KeyError:
        del node[last]
    else:
        node[last] = value
    return doc


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("verdict", "MAYBE"),
        ("schema_version", "2.0"),
        ("gaps.0.code", "cnt1"),
        ("gaps.0.severity", "info"),  # info findings are never gaps
        ("gaps.0.count", -1),
        ("checks.count.status", "great"),
        ("input.sha256", "xyz"),
        ("checks.count.findings", KeyError),
    ],
)
def test_schema_rejects_broken_reports(validator: jsonschema.Draft202012Validator, path: str, value: Any) -> None:
    doc = _broken(json.loads(json_report.render(full_report())), path, value)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(doc)
