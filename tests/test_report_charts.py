"""SVG charts: well-formed, sized, labels escaped, drawn only from metrics that exist."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from auditor.report import charts
from tests.report_builders import dataset, full_results

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything not well-formed: an unescaped label would
    assert root.tag == f"{SVG}svg"
    assert float(root.get("width", 0)) > 0 and float(root.get("height", 0)) > 0
    return root


BUILDERS = {
    "bars": lambda: charts.bars([("<script>", 3), ("b&c", 30)], label="<t>", minimum=20),
    "columns": lambda: charts.columns({2: 5, 3: 1}, label="sizes", x_label="size", y_label="n"),
    "ranges": lambda: charts.ranges({"input": {"min": 1, "p50": 5, "p90": 9, "p99": 12, "max": 20, "mean": 6}}, label="len"),
    "heatmap": lambda: charts.heatmap({"<a>": {"b": 0.5, "c": None}, "b": {"c": -0.3}}, label="kappa"),
    "interval": lambda: charts.interval(0.61, 0.52, 0.7, thresholds={"tentative": 0.667, "reliable": 0.8}, label="alpha"),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_builders_are_well_formed_and_escape_labels(name: str) -> None:
    svg = BUILDERS[name]()
    root = parse(svg)
    assert "<script" not in svg and "<a>" not in svg
    assert len(list(root.iter())) > 3


def test_bars_below_minimum_are_red_and_long_lists_are_summed() -> None:
    svg = charts.bars([("low", 3), ("high", 30)], label="x", minimum=20)
    assert svg.count(f'fill="{charts.BAD}"') == 1
    many = charts.bars([(f"c{i}", i) for i in range(50)], label="x")
    assert "20 more" in many and many.count("<rect") == charts.MAX_BARS + 1


@pytest.mark.parametrize(
    ("check", "titles"),
    [
        ("count", ["Effective examples per category"]),
        ("agreement", ["Krippendorff's alpha", "Pairwise agreement between annotators", "Alpha without each annotator"]),
        ("duplicates", ["Duplicate and conflict group sizes"]),
        ("coverage", ["Records per category", "Length distributions", "Training topics", "Reference coverage by topic"]),
        ("quality", []),
    ],
)
def test_charts_for_each_family(check: str, titles: list[str]) -> None:
    result = full_results(dataset(20))[check]
    drawn = charts.charts_for(check, result.metrics, result.findings)
    assert [c.title for c in drawn] == titles
    for chart in drawn:
        parse(chart.svg)


@pytest.mark.parametrize("check", ["count", "agreement", "duplicates", "coverage", "quality", "plugin"])
def test_absent_metrics_give_no_chart(check: str) -> None:
    assert charts.charts_for(check, {}, ()) == []


def test_agreement_matrix_found_under_another_key() -> None:
    metrics = {"alpha": 0.9, "kappa_matrix": {"a": {"b": 0.8}}}
    assert [c.title for c in charts.charts_for("agreement", metrics)][-1] == "Pairwise agreement between annotators"


def test_length_quantiles_found_under_flat_keys() -> None:
    metrics = {"input_length": {"min": 1, "p50": 3, "max": 9}, "output_length_words": {"min": 2, "max": 7}}
    (chart,) = charts.charts_for("coverage", metrics)
    assert chart.title == "Length distributions" and "input length" in chart.svg


def test_cluster_sizes_from_groups() -> None:
    result = full_results(dataset(20))["duplicates"]
    assert charts.cluster_sizes(result.findings) == {2: 2, 3: 1}
