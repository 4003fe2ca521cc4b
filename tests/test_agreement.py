"""The agreement check end to end, from a Context built without files."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.context import Context
from auditor.core.findings import CheckResult, Finding, Severity
from auditor.core.protocol import Check
from auditor.core.registry import all_codes
from checks.agreement import AgreementCheck, pairwise_kappa, place_labels
from tests.code_samples import Sample, labelled, lines, noisy_annotators, numbered, swapped
from tests.helpers import make_context, make_dataset

LABELS = ("a", "b", "c", "d")


def synth(n: int, accuracy: Mapping[str, float], labels: Sequence[str] = LABELS, seed: int = 0) -> list[list[dict[str, str]]]:
    """Inline annotations: each annotator gives the true label with their accuracy, else a random one."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        truth = rng.choice(labels)
        out.append(
            [{"annotator": name, "label": truth if rng.random() < acc else rng.choice(labels)} for name, acc in accuracy.items()]
        )
    return out


def run(annotations: Sequence[Any] | None, n: int | None = None, *, categories: Sequence[str] | None = None,
        paths: Mapping[str, Path] | None = None, **config: Any) -> CheckResult:  # fmt: skip
    n = n if n is not None else len(annotations or [])
    ds = make_dataset([(f"in {i}", "out") for i in range(n)], annotations=annotations, categories=categories)
    ctx = make_context(ds, **{f"agreement__{k}": v for k, v in config.items()})
    if paths:
        ctx = Context(dataset=ctx.dataset, config=ctx.config, paths=dict(paths))
    return AgreementCheck().run(ctx)


def codes(result: CheckResult) -> list[str]:
    return [f.code for f in result.findings]


def finding(result: CheckResult, code: str) -> Finding:
    return next(f for f in result.findings if f.code == code)


def test_is_a_registered_check_with_documented_codes() -> None:
    check = AgreementCheck()
    assert isinstance(check, Check)
    registered = all_codes()
    for info in check.codes:
        assert registered[info.code][0] == "agreement"
        assert info.code.startswith("AGR") and info.summary and info.why and info.fix


def test_no_annotations_is_a_blocker_sized_in_items() -> None:
    result = run(None, n=40)
    f = finding(result, "AGR003")
    assert f.severity is Severity.BLOCKER and f.count == 40  # fewer records than the minimum: label them all
    assert "40 items" in f.action
    assert result.metrics["alpha"] is None and result.metrics["units_pairable"] == 0
    assert run(None, n=500).findings[0].count == 100


def test_no_annotations_is_a_warning_when_not_required() -> None:
    assert finding(run(None, n=10, required=False), "AGR003").severity is Severity.WARNING


def test_single_labels_only_are_not_measured() -> None:
    result = run([[{"annotator": "a", "label": "x"}]] * 30 + [None] * 10)
    f = finding(result, "AGR003")
    assert "no item has labels from two or more annotators" in f.message
    assert "starting with the 30 that already have one label" in f.action


def test_undefined_alpha_when_everyone_uses_one_label() -> None:
    f = finding(run([{"a": "x", "b": "x"}] * 20, n=50), "AGR003")
    assert "'x'" in f.message and f.count == 30
    assert "no variation" in f.action


@pytest.mark.parametrize(
    ("accuracy", "expected"),
    [(0.95, set()), (0.85, {"AGR002"}), (0.75, {"AGR001"})],
)
def test_verdict_policy(accuracy: float, expected: set[str]) -> None:
    result = run(synth(200, {"a1": accuracy, "a2": accuracy, "a3": accuracy}))
    assert {c for c in codes(result) if c in ("AGR001", "AGR002")} == expected
    m = result.metrics
    assert m["alpha_ci_low"] < m["alpha"] < m["alpha_ci_high"]
    for key in ("alpha", "alpha_ci_low", "alpha_ci_high", "level", "units_pairable", "annotators", "per_annotator"):
        assert key in m
    assert m["units_pairable"] == 200 and m["annotators"] == 3
    assert m["per_annotator"]["a1"]["items"] == 200
    json.dumps(m)  # the report must be able to serialise every metric


def test_blocker_names_confused_pairs_and_annotators() -> None:
    rng = random.Random(3)
    annotations = []
    for _ in range(200):
        truth = rng.choice(LABELS)
        swapped = {"a": "b", "b": "a"}.get(truth, truth)  # z reads 'a' and 'b' the other way round
        annotations.append([{"annotator": "x", "label": truth}, {"annotator": "y", "label": truth},
                            {"annotator": "z", "label": swapped}])  # fmt: skip
    result = run(annotations)
    f = finding(result, "AGR001")
    assert "'a' vs 'b'" in f.action and "'z'" in f.action
    assert "95% CI" in f.message
    assert result.metrics["confused_pairs"][0]["labels"] == ["a", "b"]
    outlier = finding(result, "AGR005")
    assert "'z'" in outlier.message and set(outlier.groups or ()) == {"z"} and len(outlier.ids) == 200


def test_judging_on_the_lower_bound_is_stricter() -> None:
    annotations = synth(60, {"a1": 0.9, "a2": 0.9})
    on_estimate = run(annotations, min_pairable_units=10)
    on_bound = run(annotations, min_pairable_units=10, judge_on="lower_bound")
    assert on_estimate.metrics["alpha"] >= 0.8 > on_bound.metrics["alpha_ci_low"]
    assert "AGR002" not in codes(on_estimate) and "AGR001" not in codes(on_estimate)
    assert {"AGR001", "AGR002"} & set(codes(on_bound))
    assert "lower bound" in next(f for f in on_bound.findings if f.code in ("AGR001", "AGR002")).message


def test_too_little_overlap_counts_items_to_double_annotate() -> None:
    annotations = synth(40, {"a1": 0.95, "a2": 0.95}) + [[{"annotator": "a1", "label": "a"}]] * 20
    f = finding(run(annotations), "AGR004")
    assert f.count == 60 and "label 60 more items" in f.action and "the 20 that already have one label" in f.action


def test_per_category_alpha_and_low_category_gap() -> None:
    good = synth(60, {"a1": 0.97, "a2": 0.97}, seed=1)
    bad = synth(60, {"a1": 0.4, "a2": 0.4}, seed=2)
    result = run(good + bad, categories=["billing"] * 60 + ["refund"] * 60)
    per = result.metrics["per_category"]
    assert per["billing"]["alpha"] > 0.8 > per["refund"]["alpha"] and per["refund"]["units_pairable"] == 60
    f = finding(result, "AGR006")
    assert "'refund'" in f.message and f.ids == tuple(range(61, 121))


def test_disagreed_items_most_disagreed_first() -> None:
    annotations = [{"a": "x", "b": "x", "c": "x"}] * 50 + [{"a": "x", "b": "x", "c": "y"}, {"a": "x", "b": "y", "c": "z"}]
    f = finding(run(annotations, min_pairable_units=10), "AGR007")
    assert f.ids == (52, 51) and f.severity is Severity.INFO
    assert f.details["most_disagreed"][0]["labels"] == {"x": 1, "y": 1, "z": 1}


def test_input_problems_are_findings_not_crashes() -> None:
    annotations: list[Any] = [{"a": "x", "b": "x"}] * 10
    annotations += [
        [{"annotator": "a", "label": "x"}, {"annotator": "a", "label": "x"}, {"annotator": "b", "label": "x"}],
        [{"annotator": "a", "label": "y"}, {"annotator": "a", "label": "x"}, {"annotator": "b", "label": "y"}],
        {"a": "", "b": "x"},
        "garbage",
    ]
    result = run(annotations)
    dup = finding(result, "AGR009")
    assert dup.count == 2 and dup.details["conflicting"] == 1 and dup.severity is Severity.WARNING
    assert dup.ids == (11, 12)
    unusable = finding(result, "AGR010")
    assert set(unusable.ids) == {13, 14} and "empty label" in unusable.message


def test_agreeing_duplicates_are_info() -> None:
    result = run([[{"annotator": "a", "label": "x"}, {"annotator": "a", "label": "x"}, {"annotator": "b", "label": "y"}]] * 5)
    assert finding(result, "AGR009").severity is Severity.INFO


def test_nan_and_none_labels_are_categories() -> None:
    result = run([{"a": "nan", "b": "nan"}, {"a": "None", "b": "None"}, {"a": "nan", "b": "None"}] * 10)
    assert result.metrics["labels"] == 2 and result.metrics["missing_labels"] == 0
    assert result.metrics["alpha"] is not None


def test_ordinal_needs_an_order_for_text_labels() -> None:
    annotations = [{"r1": "low", "r2": "low"}, {"r1": "high", "r2": "mid"}, {"r1": "mid", "r2": "mid"}] * 10
    unordered = run(annotations, level="ordinal")
    assert "AGR010" in codes(unordered) and unordered.metrics["off_scale_labels"] == 60
    ordered = run(annotations, level="ordinal", label_order=["low", "mid", "high"])
    assert "AGR010" not in codes(ordered) and ordered.metrics["alpha"] > run(annotations).metrics["alpha"]


def test_interval_ratings_merge_numeric_spellings_and_flag_text() -> None:
    annotations = [{"r1": 4, "r2": "4.0"}, {"r1": 5, "r2": 4}, {"r1": "2", "r2": 1}, {"r1": "n/a", "r2": 3}] * 10
    result = run(annotations, level="interval")
    assert result.metrics["labels"] == 5  # 1..5; "4" and "4.0" are one value on the scale
    assert result.metrics["off_scale_labels"] == 10
    assert "'n/a'" in finding(result, "AGR010").message


def test_annotations_file_with_unknown_items(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    lines = ["item_id,annotator,label"]
    for i in range(1, 31):
        lines += [f"{i},a,x{i % 3}", f"{i},b,x{i % 3}"]
    lines += ["999,a,x1", "998,a,x1", "998,b,x1"]
    path.write_text("\n".join(lines) + "\n")
    result = run(None, n=30, paths={"annotations": path})
    assert result.metrics["source"] == "file labels.csv" and result.metrics["alpha"] == 1.0
    f = finding(result, "AGR008")
    assert f.count == 2 and f.details["rows"] == 3 and f.details["unknown_ids"] == ["999", "998"]


def test_unreadable_annotations_file_is_a_blocker(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("foo,bar\n1,2\n")
    f = finding(run(None, n=3, paths={"annotations": path}), "AGR011")
    assert f.severity is Severity.BLOCKER and "agreement.item_column" in f.message


def test_wide_form_from_extra_columns() -> None:
    ds = make_dataset([(f"in {i}", "out") for i in range(30)])
    rng = random.Random(0)
    truth = [rng.choice(LABELS) for _ in range(30)]
    ds.extra = {"label_a1": truth, "label_a2": truth, "label_a3": [t if i % 10 else "d" for i, t in enumerate(truth)]}  # type: ignore[attr-defined]
    ctx = make_context(ds, agreement__annotator_prefix="label_")
    result = AgreementCheck().run(ctx)
    assert result.metrics["source"] == "columns label_a1, label_a2, label_a3"
    assert set(result.metrics["per_annotator"]) == {"a1", "a2", "a3"}
    assert 0.8 < result.metrics["alpha"] < 1.0


def test_deterministic_for_a_seed() -> None:
    annotations = synth(150, {"a1": 0.85, "a2": 0.85, "a3": 0.7})
    assert run(annotations).metrics == run(annotations).metrics
    assert run(annotations).metrics["alpha_ci_low"] != run(annotations, bootstrap_samples=999).metrics["alpha_ci_low"]


def test_bootstrap_off() -> None:
    result = run(synth(150, {"a1": 0.75, "a2": 0.75}), bootstrap_samples=0)
    assert result.metrics["alpha_ci_low"] is None and "AGR001" in codes(result)
    assert "CI" not in finding(result, "AGR001").message


def test_pairwise_kappa_cohen_textbook_example() -> None:
    # Cohen's kappa textbook example: 50 proposals, yes/yes 20, yes/no 5, no/yes 10, no/no 15 -> kappa 0.4.
    import numpy as np

    pairs = [(1, 1)] * 20 + [(1, 0)] * 5 + [(0, 1)] * 10 + [(0, 0)] * 15
    units = np.repeat(np.arange(50), 2)
    raters = np.tile([0, 1], 50)
    values = np.asarray([v for p in pairs for v in p])
    kappa = pairwise_kappa(units, raters, values, ["A", "B"], "nominal", None)
    assert round(kappa["A"]["B"], 3) == 0.4


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=2, max_size=40), st.sampled_from(["nominal", "ordinal", "interval"]))
def test_kappa_matches_scikit_learn(pairs: list[tuple[int, int]], level: str) -> None:
    import numpy as np
    from sklearn.metrics import cohen_kappa_score

    y1, y2 = np.asarray([p[0] for p in pairs]), np.asarray([p[1] for p in pairs])
    values = np.arange(5, dtype=float)
    ours = pairwise_kappa(np.r_[np.arange(len(pairs)), np.arange(len(pairs))], np.r_[np.zeros(len(pairs), int), np.ones(len(pairs), int)],
                          np.r_[y1, y2], ["A", "B"], level, values).get("A", {}).get("B")  # fmt: skip
    if len(pairs) < 5:
        assert ours is None
        return
    weights = {"nominal": None, "ordinal": "linear"}.get(level, "quadratic")
    with np.errstate(all="ignore"):
        theirs = cohen_kappa_score(y1, y2, labels=np.arange(5), weights=weights)
    if np.isnan(theirs):
        assert ours is None
    else:
        assert ours == pytest.approx(theirs, abs=1e-6)


def test_place_labels() -> None:
    scale = place_labels(["3", "1", "1.0", "x"], "interval", [])
    assert scale.names == ["1", "3"] and scale.code_of == {"1": 0, "1.0": 0, "3": 1}
    assert place_labels(["b", "a"], "nominal", []).names == ["a", "b"]
    ordinal = place_labels(["hi", "lo"], "ordinal", ["lo", "mid", "hi"])
    assert ordinal.code_of == {"hi": 2, "lo": 0}


# --- one sample per code, run by the registry meta-test (tests/test_registry_samples.py) ---

_ANNOTATIONS_CSV = ["item_id,annotator,label", *[f"{i},{a},x{i % 3}" for i in range(1, 31) for a in "ab"], "999,a,x1"]

_RUBRIC = {"agreement.rubric": [{"name": "complete", "question": "Does the reply answer everything asked?", "scale": "pass/fail"}]}
# r1 fails every fourth item, r2 every third: they agree on little beyond chance (AGR012), a majority fails some (AGR013)
_SHEET = ["id,r1:complete,r2:complete", *[f"s{i},{'fail' if i % 4 == 0 else 'pass'},{'fail' if i % 3 == 0 else 'pass'}" for i in range(60)]]
_SCALE = [[(a, str(1 + (i + (k if i % 2 else 0)) % 5)) for k, a in enumerate(("a1", "a2", "a3"))] for i in range(60)]

CODE_SAMPLES: dict[str, Sample] = {
    "AGR001": Sample(labelled(noisy_annotators(200, {"a1": 0.75, "a2": 0.75, "a3": 0.75}))),
    "AGR002": Sample(labelled(noisy_annotators(200, {"a1": 0.85, "a2": 0.85, "a3": 0.85}))),
    "AGR003": Sample(lines(numbered(5))),
    "AGR004": Sample(labelled(noisy_annotators(40, {"a1": 0.95, "a2": 0.95}) + [[("a1", "a")]] * 20)),
    "AGR005": Sample(labelled(swapped(200))),
    "AGR006": Sample(
        labelled(noisy_annotators(60, {"a1": 0.97, "a2": 0.97}, seed=1) + noisy_annotators(60, {"a1": 0.4, "a2": 0.4}, seed=2),
                  categories=["billing"] * 60 + ["refund"] * 60)
    ),
    "AGR007": Sample(
        labelled([[("a", "x"), ("b", "x"), ("c", "x")]] * 50 + [[("a", "x"), ("b", "y"), ("c", "z")]]),
        {"agreement.min_pairable_units": 10},
    ),
    "AGR008": Sample(lines([{"input": f"item {i}", "output": f"output {i}."} for i in range(1, 31)]),
                     files={"annotations": ("labels.csv", _ANNOTATIONS_CSV)}),
    "AGR009": Sample(labelled([[("a", "x"), ("b", "x")]] * 10 + [[("a", "x"), ("a", "y"), ("b", "y")]])),
    "AGR010": Sample(labelled([[("a", "x"), ("b", "x")]] * 10 + [[("a", ""), ("b", "x")]])),
    "AGR011": Sample(lines(numbered(3)), files={"annotations": ("labels.csv", ["foo,bar", "1,2"])}),
    "AGR012": Sample(lines(numbered(60)), _RUBRIC, files={"annotations": ("sheet.csv", _SHEET)}),
    "AGR013": Sample(lines(numbered(60)), _RUBRIC, files={"annotations": ("sheet.csv", _SHEET)}),
    "AGR014": Sample(labelled(_SCALE)),
}
