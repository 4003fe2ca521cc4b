"""Scales judged at their level: the inferred level, the nominal-numeric warning, and scale advice."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from auditor.core.findings import CheckResult, Severity
from checks.agreement import AgreementCheck
from checks.agreement_scale import infer_level, scale_advice
from tests.helpers import make_context, make_dataset

ROOT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "agreement"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["1", "2", "3", "4", "5"], ("ordinal", "5 distinct whole numbers from 1 to 5")),
        ([str(i) for i in range(1, 26)], ("interval", "25 distinct whole numbers from 1 to 25")),
        (["0.5", "1.5", "2.25", "3", "4.5"], ("interval", "5 distinct numbers from 0.5 to 4.5")),
        (["0", "1", "2", "3"], None),  # four numbers are as often category codes (zheng2017's dog breeds)
        (["1", "2"], None),  # two values: every level gives the same alpha
        (["1", "2", "3", "4", "x"], None),
        (["good", "bad", "ok"], None),
        (["1", "nan", "3", "4", "5"], None),
    ],
)
def test_infer_level(labels: list[str], expected: tuple[str, str] | None) -> None:
    found = infer_level(labels)
    assert (None if found is None else (found.level, found.reason)) == expected


def run(annotations: list[Any], **config: Any) -> CheckResult:
    ds = make_dataset([(f"in {i}", "out") for i in range(len(annotations))], annotations=annotations)
    return AgreementCheck().run(make_context(ds, **{f"agreement__{k}": v for k, v in config.items()}))


def ratings(n: int = 200, offset: dict[str, int] | None = None, seed: int = 0) -> list[list[dict[str, Any]]]:
    """Three raters on a 1-5 scale: the item's true rating +/- 1 now and then, plus each rater's own offset."""
    rng = random.Random(seed)
    offset = offset or {}
    out = []
    for _ in range(n):
        true = rng.randint(1, 5)
        row = []
        for a in ("ana", "ben", "hi"):
            value = true + (rng.choice((-1, 1)) if rng.random() < 0.3 else 0) + offset.get(a, 0)
            row.append({"annotator": a, "label": min(5, max(1, value))})
        out.append(row)
    return out


def test_numeric_labels_are_judged_as_a_scale_when_no_level_is_set() -> None:
    result = run(ratings())
    assert result.metrics["level"] == "ordinal" and result.metrics["level_inferred"] is True
    (note,) = [f for f in result.findings if f.code == "AGR014"]
    assert note.severity is Severity.INFO and "5 distinct whole numbers from 1 to 5" in note.message
    assert note.details["alpha_nominal"] < note.details["alpha"]


def test_numeric_scale_judged_nominally_is_warned_with_the_scale_figure() -> None:
    result = run(ratings(), level="nominal")
    (warning,) = [f for f in result.findings if f.code == "AGR014"]
    assert warning.severity is Severity.WARNING and "agreement.level = 'ordinal'" in warning.action
    assert warning.details["alpha_ordinal"] == pytest.approx(run(ratings(), level="ordinal").metrics["alpha"], abs=1e-6)
    assert not [f for f in run(ratings(), level="interval").findings if f.code == "AGR014"]  # chosen: nothing to say


def test_scale_advice_names_the_rater_who_rates_higher() -> None:
    result = run(ratings(offset={"hi": 1}), level="interval")
    advice = result.metrics["scale_advice"]
    first, figures = next(iter(advice["rater_offsets"].items()))
    assert first == "hi" and 0.6 < figures["offset"] < 1.0  # +1, less where 5 caps it
    assert abs(advice["rater_offsets"]["ana"]["offset"]) < 0.6
    assert advice["widest_items"] and advice["mean_item_sd"] > 0
    gap = next(f for f in result.findings if f.code in ("AGR001", "AGR002"))
    assert "'hi' rates 0." in gap.action and "points higher than the others" in gap.action and "confuse" not in gap.action


def test_scale_advice_offsets_by_hand() -> None:
    # item 0: a=1, b=3; item 1: a=2, b=4; item 2: a=5 alone. a is 2 lower than b on both shared items.
    units, raters, values = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 0, 1, 0]), np.array([1.0, 3, 2, 4, 5])
    advice = scale_advice(units, raters, values, ["a", "b"], ["i0", "i1", "i2"], ["1", "5"])
    assert advice["rater_offsets"] == {}  # fewer than 5 shared items each: no offset is named
    units5 = np.concatenate([units[:4] + 2 * k for k in range(3)])
    raters5, values5 = np.tile(raters[:4], 3), np.tile(values[:4], 3)
    advice = scale_advice(units5, raters5, values5, ["a", "b"], [f"i{k}" for k in range(6)], ["1", "5"])
    assert advice["rater_offsets"] == {"a": {"offset": -2.0, "items": 6}, "b": {"offset": 2.0, "items": 6}}
    assert advice["mean_item_sd"] == 1.0 and advice["widest_items"][0] == {"id": "i0", "low": "1", "high": "3", "sd": 1.0, "ratings": 2}


def test_text_labels_keep_confused_pairs() -> None:
    labels = [[{"annotator": a, "label": random.Random(i * 3 + k).choice("xyz")} for k, a in enumerate("ab")] for i in range(120)]
    result = run(labels)
    assert result.metrics["level"] == "nominal" and "level_inferred" not in result.metrics
    assert "scale_advice" not in result.metrics and "confuse" in next(f for f in result.findings if f.code == "AGR001").action


@pytest.mark.slow
def test_popquorn_levels_against_the_krippendorff_package(tmp_path: Path) -> None:
    """Issue 19's example: numeric ratings audited nominally vs at their level, both equal to the package."""
    import krippendorff
    import pandas as pd

    from auditor.core.context import Context

    path = ROOT / "popquorn_offensiveness" / "raw_data.csv"
    if not path.exists():
        pytest.skip(f"shared dataset {path} is absent")
    frame = pd.read_csv(path)
    matrix = frame.pivot_table(index="user_id", columns="instance_id", values="offensiveness", aggfunc="last").to_numpy()
    package = {level: float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)) for level in ("nominal", "ordinal", "interval")}
    ids = list(dict.fromkeys(frame["instance_id"].astype(str)))
    ds = make_dataset([("in", "out")] * len(ids), ids=ids)

    def check(**config: Any) -> CheckResult:
        base = make_context(ds, agreement__label_column="offensiveness", agreement__bootstrap_samples=100,
                            **{f"agreement__{k}": v for k, v in config.items()})  # fmt: skip
        return AgreementCheck().run(Context(dataset=ds, config=base.config, paths={"annotations": path}))

    inferred = check()
    assert inferred.metrics["level"] == "ordinal" and inferred.metrics["alpha"] == pytest.approx(package["ordinal"], abs=5e-7)
    note = next(f for f in inferred.findings if f.code == "AGR014")
    assert note.details["alpha_nominal"] == pytest.approx(package["nominal"], abs=5e-7)
    nominal = check(level="nominal")
    assert nominal.metrics["alpha"] == pytest.approx(package["nominal"], abs=5e-7)
    warning = next(f for f in nominal.findings if f.code == "AGR014")
    assert warning.severity is Severity.WARNING and warning.details["alpha_ordinal"] == pytest.approx(package["ordinal"], abs=5e-7)
    interval = check(level="interval")
    assert interval.metrics["alpha"] == pytest.approx(package["interval"], abs=5e-7)
    assert interval.metrics["scale_advice"]["rater_offsets"] and "confuse" not in next(
        f for f in interval.findings if f.code == "AGR001").action  # fmt: skip
    assert (round(package["nominal"], 6), round(package["interval"], 6)) == (0.1339, 0.287175)
