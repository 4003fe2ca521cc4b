from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.history import History, Run
from auditor.history.render import render_json, render_svg, render_table, sparkline, write_plot
from auditor.history.trends import HIGHER, LOWER, direction, number, regressions, trends


@pytest.mark.parametrize(
    ("metric", "better"),
    [
        ("agreement.alpha", HIGHER),
        ("agreement.alpha_ci_low", HIGHER),
        ("count.effective_examples", HIGHER),
        ("coverage.reference_coverage", HIGHER),
        ("duplicates.exact_duplicate_records", LOWER),
        ("duplicates.near_duplicate_clusters", LOWER),
        ("duplicates.conflicting_records", LOWER),
        ("duplicates.baseline_duplicate_records", LOWER),
        ("duplicates.leaked_records", LOWER),
        ("quality.pii_records", LOWER),
        ("quality.empty_outputs", LOWER),
        ("quality.empty_output_share", LOWER),
        ("quality.over_token_limit", LOWER),
        ("count.invalid_records", LOWER),
        ("count.removed_exact_duplicates", LOWER),
        ("expectations.failed", LOWER),
        ("count.total_records", None),
        ("count.min_examples", None),
        ("count.per_category.pii", None),  # a category named "pii", not a count of personal data
        ("agreement.annotators", None),
        ("quality.nonempty", None),
    ],
)
def test_direction_table(metric: str, better: str | None) -> None:
    assert direction(metric) == better


@pytest.mark.parametrize(("value", "text"), [(640.0, "640"), (0.84, "0.84"), (0.8412, "0.841"), (0.7, "0.7"), (-3.0, "-3"), (0.0004, "0")])
def test_number(value: float, text: str) -> None:
    assert number(value) == text


def batch_runs(values: dict[str, list[float]]) -> list[Run]:
    n = len(next(iter(values.values())))
    return [
        Run(id=k + 11, label=f"batch {k + 11}", verdict="READY", time=f"2026-01-{k + 1:02d}", metrics={m: v[k] for m, v in values.items()})
        for k in range(n)
    ]


def test_the_regression_sentence() -> None:
    runs = batch_runs({"agreement.alpha": [0.82, 0.84, 0.71], "quality.pii_records": [3, 1, 4], "count.total_records": [100, 50, 10]})
    found = regressions(trends(runs))
    assert [r.sentence() for r in found] == [
        "alpha fell from 0.84 to 0.71 between batch 12 and batch 13",
        "pii_records rose from 1 to 4 between batch 12 and batch 13",
    ]
    assert [r.sentence() for r in regressions(trends(runs, ["alpha"]), latest_only=True)] == [found[0].sentence()]


def test_ambiguous_short_names_stay_full() -> None:
    runs = batch_runs({"a.empty_outputs": [0, 2], "b.empty_outputs": [0, 3]})
    assert [r.name for r in regressions(trends(runs))] == ["a.empty_outputs", "b.empty_outputs"]


def test_tolerance_and_metric_selection() -> None:
    runs = batch_runs({"agreement.alpha": [0.800, 0.7995], "count.effective_examples": [1000, 900], "count.per_category.x": [5, 1]})
    assert [r.metric for r in regressions(trends(runs))] == ["count.effective_examples"]
    assert [t.metric for t in trends(runs, ["count"])] == ["count.effective_examples", "count.per_category.x"]
    assert [t.metric for t in trends(runs, ["agreement.alpha"])] == ["agreement.alpha"]


def test_metric_missing_in_some_runs() -> None:
    runs = batch_runs({"count.effective_examples": [10, 20, 30]})
    runs.append(Run(id=99, label="later", verdict="READY", metrics={"agreement.alpha": 0.5}))
    by_name = {t.metric: t for t in trends(runs)}
    assert len(by_name["count.effective_examples"].points) == 3 and len(by_name["agreement.alpha"].points) == 1
    assert regressions(list(by_name.values())) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=12))
def test_improving_series_never_regress(values: list[float]) -> None:
    up = sorted(values)
    assert regressions(trends(batch_runs({"agreement.alpha": up, "quality.pii_records": up[::-1]}))) == []
    # ... and every strict bad step of a series is named exactly once.
    runs = batch_runs({"agreement.alpha": values})
    bad = sum(1 for a, b in zip(values, values[1:]) if b < a and a - b > 0.01 * abs(a))
    assert len(regressions(trends(runs))) == bad


def test_renderers(tmp_path: Path) -> None:
    runs = batch_runs({"agreement.alpha": [0.82, 0.84, 0.71], "count.effective_examples": [500, 520, 530]})
    runs[2] = Run(id=13, label="<script>x</script> & co", verdict="READY", metrics=runs[2].metrics)
    found = trends(runs)
    named = regressions(found)
    table = render_table(found, named, runs=3)
    assert "agreement.alpha" in table and "regressed" in table
    assert "alpha fell from 0.84 to 0.71 between batch 12 and <script>x</script> & co" in table
    svg = render_svg(found, named)
    ET.fromstring(svg)  # well-formed: every label escaped
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "#c62828" in svg
    assert '"sentence": "alpha fell' in render_json(found, named, runs=3)
    write_plot(tmp_path / "t.svg", found, named)
    assert (tmp_path / "t.svg").read_text() == svg
    assert sparkline([1, 1]) == "▄▄" and sparkline([0, 1]) == "▁█"


def test_png_needs_matplotlib(tmp_path: Path) -> None:
    runs = batch_runs({"agreement.alpha": [0.9, 0.7]})
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        from auditor.runtime.errors import AuditorError

        with pytest.raises(AuditorError, match="needs matplotlib"):
            write_plot(tmp_path / "t.png", trends(runs))
        return
    runs[1] = Run(id=12, label="batch $5 $x^2$", verdict="READY", metrics=runs[1].metrics)  # not math
    write_plot(tmp_path / "t.png", trends(runs), regressions(trends(runs)))
    assert (tmp_path / "t.png").read_bytes().startswith(b"\x89PNG")


def test_history_command_names_regressions_and_alerts(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import main

    db = tmp_path / "h.sqlite"
    with History(db) as h:
        for k, alpha in enumerate([0.82, 0.84, 0.71]):
            h.add(Run(label=f"batch {k + 11}", verdict="READY", metrics={"agreement.alpha": alpha, "count.total_records": 100 + k}))
    runner = CliRunner()
    result = runner.invoke(main, ["history", "--history", str(db), "--plot", str(tmp_path / "t.svg")])
    assert result.exit_code == 0, result.output
    assert "alpha fell from 0.84 to 0.71 between batch 12 and batch 13" in result.output
    assert "count.total_records" not in result.output  # no known direction: shown only when asked
    assert (tmp_path / "t.svg").is_file()
    assert "count.total_records" in runner.invoke(main, ["history", "--history", str(db), "--all"]).output
    assert runner.invoke(main, ["history", "--history", str(db), "--fail-on-regression"]).exit_code == 1
    with History(db) as h:
        h.add(Run(label="batch 14", verdict="READY", metrics={"agreement.alpha": 0.85}))
    # The old regression is still named, but the latest run is fine: no alert.
    result = runner.invoke(main, ["history", "--history", str(db), "--fail-on-regression", "--metric", "alpha"])
    assert result.exit_code == 0 and "between batch 12 and batch 13" in result.output
