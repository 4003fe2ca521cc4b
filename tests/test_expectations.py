"""The expectations check: rules from the config and a suite JSON, run with great_expectations.

great_expectations takes seconds to import, so one module-scoped run covers
every kind of outcome; the configuration errors are raised before it is needed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.core.findings import CheckResult, Severity, Status
from auditor.runtime.errors import ConfigError
from checks.expectations import ExpectationsCheck, configured_rules, load_suite
from tests.code_samples import Sample, with_odd
from tests.helpers import make_context, make_dataset

REPO = Path(__file__).resolve().parents[1]
SAMPLE_SUITE = REPO / "sample_data" / "expectations" / "support_suite.json"


def _dataset() -> Any:
    # Planted problems: id 3 twice, an empty and an over-long output, a category outside the set, a missing one.
    return make_dataset(
        [("q1", "fine"), ("q2", ""), ("q3", "x" * 5000), ("q4", "ok"), ("q5", "good")],
        categories=["billing", "weird", None, "shipping", "returns"],
        ids=[1, 2, 3, 3, 5],
    )


@pytest.fixture(scope="module")
def result() -> CheckResult:
    ctx = make_context(
        _dataset(),
        expectations__suite=str(SAMPLE_SUITE),
        expectations__rules=[
            {"type": "expect_column_values_to_match_regex", "column": "nope", "regex": "a"},
            {"type": "expect_table_row_count_to_be_between", "min_value": 10, "severity": "info"},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "output"}},
        ],
    )
    return ExpectationsCheck().run(ctx)


def _by_type(result: CheckResult) -> dict[str, Any]:
    return {f.details["expectation"]: f for f in result.findings}


def test_metrics_count_evaluated_and_failed(result: CheckResult) -> None:
    assert result.metrics == {"evaluated": 7, "failed": 5, "errored": 1, "passed": 1}
    assert result.status is Status.FAIL


@pytest.mark.parametrize(
    ("expectation", "ids", "share"),
    [
        ("expect_column_values_to_be_unique", (3, 3), 0.4),
        ("expect_column_value_lengths_to_be_between", (2, 3), 0.4),
        ("expect_column_values_to_be_in_set", (2,), 0.25),  # the null is not judged by in_set
        ("expect_column_values_to_not_be_null", (3,), 0.2),
    ],
)
def test_each_failure_names_parameters_share_and_records(result: CheckResult, expectation: str, ids: tuple, share: float) -> None:
    finding = _by_type(result)[expectation]
    assert finding.code == "EXP001"
    assert finding.ids == ids
    assert finding.details["unexpected_share"] == pytest.approx(share)
    assert expectation in finding.message and f"{share:.1%}" in finding.message
    assert finding.details["kwargs"]["column"] in finding.message


def test_suite_meta_severity_and_rule_severity_apply(result: CheckResult) -> None:
    found = _by_type(result)
    assert found["expect_column_values_to_not_be_null"].severity is Severity.WARNING  # meta.severity in the suite
    assert found["expect_table_row_count_to_be_between"].severity is Severity.INFO
    assert found["expect_table_row_count_to_be_between"].details["observed_value"] == 5
    assert found["expect_column_values_to_be_unique"].severity is Severity.BLOCKER


def test_an_expectation_that_cannot_run_is_reported(result: CheckResult) -> None:
    errored = _by_type(result)["expect_column_values_to_match_regex"]
    assert errored.code == "EXP002" and "nope" in errored.message


def test_nothing_configured_is_skipped() -> None:
    result = ExpectationsCheck().run(make_context(_dataset()))
    assert result.status is Status.SKIPPED and result.metrics == {"evaluated": 0, "failed": 0}


def test_suite_can_come_from_ctx_paths() -> None:
    ctx = make_context(_dataset())
    ctx.paths = {"expectations": SAMPLE_SUITE}
    assert [r.type for r in configured_rules(ctx)][:2] == ["expect_column_values_to_be_unique", "expect_column_value_lengths_to_be_between"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"name": "x"}', "not an expectation suite"),
        ("[1, 2]", "not an expectation suite"),
        ('{"expectations": [{"kwargs": {}}]}', "needs a 'type'"),
        ('{"expectations": [{"type": "expect_x", "kwargs": [1]}]}', "must be a table"),
        ('{"expectations": [{"type": "expect_x", "kwargs": {}, "meta": {"severity": "fatal"}}]}', "severity"),
    ],
)
def test_a_file_that_is_not_a_suite_is_one_clear_config_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "suite.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as err:
        load_suite(path)
    assert "\n" not in str(err.value)


def test_missing_suite_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_suite(tmp_path / "absent.json")


def test_sample_suite_loads_in_both_layouts(tmp_path: Path) -> None:
    rules = load_suite(SAMPLE_SUITE)
    assert [r.type for r in rules] == [
        "expect_column_values_to_be_unique",
        "expect_column_value_lengths_to_be_between",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_null",
    ]
    legacy = {"expectation_suite_name": "old", "expectations": [{"expectation_type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}}]}
    path = tmp_path / "legacy.json"
    path.write_text(json.dumps(legacy))
    assert load_suite(path)[0].kwargs == {"column": "id"}


def test_unknown_expectation_type_is_a_config_error() -> None:
    ctx = make_context(_dataset(), expectations__rules=[{"type": "expect_the_moon"}])
    with pytest.raises(ConfigError, match="expect_the_moon"):
        ExpectationsCheck().run(ctx)


def test_runs_offline_quietly_and_leaves_no_files(tmp_path: Path) -> None:
    # A fresh interpreter in an empty folder with an empty HOME: nothing may be written there,
    # nothing printed, and no socket opened.
    script = f"""
import socket, sys
sys.path.insert(0, {str(REPO)!r})
def refuse(*a, **k):
    raise AssertionError("network access attempted")
socket.socket.connect = refuse
socket.create_connection = refuse
from tests.helpers import make_context, make_dataset
from checks.expectations import ExpectationsCheck
ctx = make_context(make_dataset([("q", "a"), ("q2", "")]),
                   expectations__rules=[{{"type": "expect_column_value_lengths_to_be_between", "column": "output", "min_value": 1}}])
r = ExpectationsCheck().run(ctx)
assert r.metrics["failed"] == 1, r.metrics
"""
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    (tmp_path / "home").mkdir()
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run([sys.executable, "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == ""
    assert "%|" not in done.stderr  # no progress bar
    assert sorted(p.name for p in work.rglob("*")) == []
    assert sorted(p.name for p in (tmp_path / "home").rglob("*")) == []


# --- one sample per code, run by the registry meta-test (tests/test_registry_samples.py) ---

_OUTPUT_LEN_RULE = {"type": "expect_column_value_lengths_to_be_between", "column": "output", "min_value": 1, "max_value": 20}

CODE_SAMPLES: dict[str, Sample] = {
    "EXP001": Sample(with_odd({"input": "Explain the refund policy.", "output": "A much longer answer than the rule allows for any output."}), {"expectations.rules": [_OUTPUT_LEN_RULE]}),
    "EXP002": Sample(with_odd({"input": "q", "output": "a"}), {"expectations.rules": [{"type": "expect_column_values_to_not_be_null", "column": "no_such_column"}]}),
}
