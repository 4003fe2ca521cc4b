"""Reports built without running the checks, for the renderer tests and the benchmark.

``full_report`` carries the metrics every check family publishes (count,
agreement, duplicates, coverage, quality), so each chart has data, and records
whose text attacks the renderers: script and event-handler payloads, a
``</style>``, Markdown table breakers, CSV formulas and personal data.
"""

from __future__ import annotations

from typing import Any

from auditor.core.findings import CheckResult, CodeInfo, Severity
from auditor.core.records import Dataset, FieldMap
from auditor.core.verdict import gaps_of, verdict_of
from auditor.load import InputInfo
from auditor.report.model import Report

PAYLOADS = {
    "x-script": "<script>document.title='pwned'</script>",
    "x-img": "<img src=x onerror=\"document.title='pwned'\">",
    "x-style": "</style><h1 id=\"injected\">styled</h1><style>",
    "x-svg": "<svg onload=\"document.title='pwned'\"></svg>",
    "x-markdown": "a | b `tick` **bold** [link](http://evil.invalid) <b>html</b>",
    "x-formula": "=HYPERLINK(\"http://evil.invalid\",\"click\")",
    "x-pii": "mail jane.roe@gmail.com, card 4111 1111 1111 1111, call +44 20 7946 0958",
}
PII_VALUES = ("jane.roe@gmail.com", "4111 1111 1111 1111", "+44 20 7946 0958")

_PII = CodeInfo("QLT009", "personal-data", Severity.BLOCKER, "Personal data in records.", "why", "fix")
_NEAR = CodeInfo("DUP003", "near-duplicates", Severity.WARNING, "Near-duplicates.", "why", "fix")
_LOW = CodeInfo("AGR002", "low-agreement", Severity.BLOCKER, "Low agreement.", "why", "fix")
_THIN = CodeInfo("CNT002", "thin-category", Severity.BLOCKER, "Thin category.", "why", "fix")


def dataset(n: int = 60, *, payloads: bool = True) -> Dataset:
    cats = ["billing", "shipping", "returns", "account"]
    ids: list[Any] = [f"r{i}" for i in range(n)]
    inputs = [f"question {i} about {cats[i % 4]}" for i in range(n)]
    outputs = [f"answer {i}." for i in range(n)]
    if payloads:
        for record_id, text in PAYLOADS.items():
            ids.append(record_id)
            inputs.append(text)
            outputs.append(text)
    return Dataset(
        format="test/input-output",
        fields=FieldMap(input=("input",), output="output", category="category"),
        ids=ids,
        lines=list(range(1, len(ids) + 1)),
        inputs=inputs,
        outputs=outputs,
        categories=[cats[i % 4] if i < n else "<b>cat</b>" for i in range(len(ids))],
    )


def full_results(data: Dataset) -> dict[str, CheckResult]:
    flagged = [i for i in data.ids if str(i).startswith("x-")]
    return {
        "count": CheckResult(
            "count",
            metrics={
                "total_records": data.total_records,
                "valid_records": data.valid_records,
                "invalid_records": 0,
                "effective_examples": len(data) - 4,
                "min_examples": 500,
                "per_category": {"billing": 40, "shipping": 25, "returns": 12, "<b>cat</b>": 7},
                "min_per_category": 20,
            },
            findings=(
                _THIN.finding("category '<b>cat</b>' has 7 effective examples", "label 13 more", flagged,
                              details={"category": "<script>alert(1)</script>"}),
            ),
        ),
        "agreement": CheckResult(
            "agreement",
            metrics={
                "alpha": 0.61,
                "alpha_ci_low": 0.52,
                "alpha_ci_high": 0.70,
                "reliable_alpha": 0.8,
                "tentative_alpha": 0.667,
                "level": "nominal",
                "units_pairable": 120,
                "annotators": 3,
                "per_annotator": {
                    "ana": {"items": 100, "alpha_without": 0.58},
                    "ben": {"items": 90, "alpha_without": 0.74},
                    "<i>eve</i>": {"items": 80, "alpha_without": 0.55},
                },
                "pairwise_kappa": {"ana": {"ben": 0.41, "<i>eve</i>": 0.72}, "ben": {"<i>eve</i>": None}},
            },
            findings=(_LOW.finding("Krippendorff's alpha is 0.610", "rewrite the guidelines", (), count=120),),
        ),
        "duplicates": CheckResult(
            "duplicates",
            metrics={"exact_duplicate_groups": 2, "exact_duplicate_records": 3, "near_duplicate_clusters": 2,
                     "near_duplicate_records": 5, "conflicting_input_groups": 0, "conflicting_records": 0},
            findings=(
                _NEAR.finding(
                    "2 clusters of near-duplicates",
                    "keep one per cluster",
                    [data.ids[0], data.ids[1], data.ids[2], data.ids[3], data.ids[4], "x-script", "x-img"],
                    groups=["near-1", "near-1", "near-1", "near-2", "near-2", "near-3", "near-3"],
                    details={"largest_clusters": [{"group": "near-1", "input": PAYLOADS["x-pii"]}]},
                ),
            ),
        ),
        "coverage": CheckResult(
            "coverage",
            metrics={
                "categories": {"billing": 40, "shipping": 25, "returns": 12, "<b>cat</b>": 7},
                "imbalance_ratio": 5.7,
                "min_category_count": 7,
                "lengths": {
                    "unit": "words",
                    "input": {"min": 3, "p50": 14.0, "p90": 30.0, "p99": 55.0, "max": 80, "mean": 17.2},
                    "output": {"min": 2, "p50": 20.0, "p90": 41.0, "p99": 60.0, "max": 95, "mean": 23.0},
                    "reference_input": {"min": 4, "p50": 25.0, "p90": 70.0, "p99": 140.0, "max": 210, "mean": 33.1},
                },
                "topics": [
                    {"id": "T1", "size": 30, "share": 0.4, "top_terms": ["refund", "invoice"], "thin": False},
                    {"id": "T2", "size": 4, "share": 0.05, "top_terms": ["<script>", "x"], "thin": True},
                ],
                "reference_coverage": 0.82,
                "uncovered_topics": [
                    {"id": "U1", "size": 12, "share": 0.12, "top_terms": ["warranty", "repair"]},
                    {"id": "U2", "size": 6, "share": 0.06, "top_terms": ["gift", "card"]},
                ],
            },
        ),
        "quality": CheckResult(
            "quality",
            metrics={"empty_outputs": 0, "truncated_outputs": 0, "over_token_limit": 0, "refusals": 0, "pii_records": 1},
            findings=(_PII.finding("1 record holds personal data", "remove or mask it", ["x-pii"]),),
        ),
    }


def full_report(n: int = 60, *, payloads: bool = True) -> Report:
    data = dataset(n, payloads=payloads)
    results = full_results(data)
    gaps = gaps_of(results)
    return Report(
        verdict=verdict_of(gaps),
        gaps=gaps,
        checks=results,
        input=InputInfo(path="data/<b>train</b>.jsonl", format="jsonl/input-output", bytes=1234, sha256="0" * 64),
        config={"min_examples": 500},
        timing={"load_seconds": 0.1, "checks_seconds": {"count": 0.01}, "total_seconds": 0.2},
        dataset=data,
    )


#: Rubric agreement metrics as the agreement check publishes them (``checks.agreement_rubric.summary``):
#: the weakest criterion at the top level, every criterion under ``criteria``; one criterion never rated.
RUBRIC_CRITERIA: dict[str, dict[str, Any]] = {
    "correct": {"alpha": 0.932, "alpha_ci_low": 0.872, "alpha_ci_high": 0.978, "level": "nominal", "scale": "pass/fail",
                "tentative_alpha": 0.7, "reliable_alpha": 0.85},
    "<b>complete</b>": {"alpha": 0.206, "alpha_ci_low": 0.055, "alpha_ci_high": 0.352, "level": "nominal", "scale": "pass/fail",
                        "tentative_alpha": 0.7, "reliable_alpha": 0.85},
    "tone": {"alpha": 0.914, "alpha_ci_low": 0.86, "alpha_ci_high": 0.958, "level": "ordinal", "scale": "1-5",
             "tentative_alpha": 0.7, "reliable_alpha": 0.85},
    "concise": {"alpha": None, "level": "nominal", "scale": "pass/fail", "units_pairable": 0},
}  # fmt: skip


def with_rubric(report: Report) -> Report:
    """``report`` with the agreement check's metrics of a rubric run (``RUBRIC_CRITERIA``)."""
    agreement = report.checks["agreement"]
    weakest = RUBRIC_CRITERIA["<b>complete</b>"]
    metrics = {
        "alpha": weakest["alpha"], "alpha_ci_low": weakest["alpha_ci_low"], "alpha_ci_high": weakest["alpha_ci_high"],
        "level": "nominal", "weakest_criterion": "<b>complete</b>", "units_pairable": 120, "annotators": 2,
        "rubric": [{"name": n, "question": "?", "scale": c["scale"]} for n, c in RUBRIC_CRITERIA.items()],
        "criteria": RUBRIC_CRITERIA,
    }  # fmt: skip
    checks = {**report.checks, "agreement": CheckResult("agreement", metrics=metrics, findings=agreement.findings)}
    return Report(**{**report.__dict__, "checks": checks})
