"""Published alpha figures of real rater-level datasets (../shared/datasets/agreement, each SOURCE.md).

Skipped when the shared datasets are absent; nothing is copied into the repo
(files rebuilt with headers go to pytest's tmp_path).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from auditor.core.context import Context
from auditor.core.findings import CheckResult
from checks import alpha as ka
from checks.agreement import AgreementCheck
from tests.helpers import make_context, make_dataset

ROOT = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "agreement"

pytestmark = pytest.mark.slow


def need(*parts: str) -> Path:
    path = ROOT.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared dataset {path} is absent")
    return path


def run_file(path: Path, ids: list[Any], **config: Any) -> CheckResult:
    ds = make_dataset([("in", "out")] * len(ids), ids=ids)
    base = make_context(ds, **{f"agreement__{k}": v for k, v in config.items()})
    return AgreementCheck().run(Context(dataset=ds, config=base.config, paths={"annotations": path}))


def run_inline(annotations: list[Any], **config: Any) -> CheckResult:
    ds = make_dataset([("in", "out")] * len(annotations), annotations=annotations)
    return AgreementCheck().run(make_context(ds, **{f"agreement__{k}": v for k, v in config.items()}))


def ids_of(path: Path, column: str, sep: str = ",") -> list[str]:
    import pandas as pd

    return list(dict.fromkeys(pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)[column]))


@pytest.mark.parametrize(
    ("name", "level", "published"),
    [("dog", "nominal", 0.519418), ("duck", "nominal", 0.125501), ("emotion", "interval", 0.357485)],
)
def test_truth_inference_zheng2017(name: str, level: str, published: float) -> None:
    path = need("truth_inference_zheng2017", f"{name}_answer.csv")
    result = run_file(path, ids_of(path, "question"), level=level, bootstrap_samples=200)
    assert result.metrics["alpha"] == pytest.approx(published, abs=5e-7)
    assert result.metrics["alpha_ci_low"] < published < result.metrics["alpha_ci_high"]
    assert not result.metrics["duplicate_annotations"] and not result.metrics["unknown_items"]


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.133900), ("ordinal", 0.286489), ("interval", 0.287175)]
)
def test_popquorn_offensiveness_file_with_configured_label_column(level: str, published: float) -> None:
    path = need("popquorn_offensiveness", "raw_data.csv")
    result = run_file(path, ids_of(path, "instance_id"), level=level, label_column="offensiveness", bootstrap_samples=100)
    assert result.metrics["alpha"] == pytest.approx(published, abs=5e-7)
    assert result.metrics["annotators"] == 262 and result.metrics["units_pairable"] == 1500


def _lewidi2023(name: str) -> list[list[dict[str, str]]]:
    out = []
    for split in ("train", "dev", "test"):
        data = json.loads(need("lewidi2023", f"{name}_{split}.json").read_text())
        for record in data.values():
            annotators = str(record["annotators"]).split(",")
            labels = str(record["annotations"]).split(",")
            out.append([{"annotator": a.strip(), "label": v.strip()} for a, v in zip(annotators, labels)])
    return out


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.435492), ("ordinal", 0.657875), ("interval", 0.731755)]
)
def test_lewidi2023_convabuse_inline(level: str, published: float) -> None:
    result = run_inline(_lewidi2023("ConvAbuse"), level=level, bootstrap_samples=100)
    assert result.metrics["alpha"] == pytest.approx(published, abs=5e-7)


def test_lewidi2025_paraphrase_mapping_layout() -> None:
    annotations = []
    for split in ("train", "dev"):
        data = json.loads(need("lewidi2025", f"Paraphrase_{split}.json").read_text())
        annotations += [record["annotations"] for record in data.values()]
    for level, published in (("nominal", 0.151624), ("ordinal", 0.511205), ("interval", 0.473515)):
        assert run_inline(annotations, level=level, bootstrap_samples=0).metrics["alpha"] == pytest.approx(published, abs=5e-7)


def _gal(tmp_path: Path, name: str) -> tuple[Path, list[str], Any]:
    import pandas as pd

    frame = pd.read_csv(need("get_another_label", name, "labels.txt"), sep="\t", header=None, dtype=str,
                        keep_default_na=False, names=["worker", "item", "label"])  # fmt: skip
    path = tmp_path / f"{name}.csv"
    frame.to_csv(path, index=False)
    return path, list(dict.fromkeys(frame["item"])), frame


def _alpha_of(frame: Any) -> float:
    """Independent figure: pandas value counts straight into the krippendorff package."""
    import krippendorff

    counts = frame.groupby(["item", "label"]).size().unstack(fill_value=0).to_numpy()
    return float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))


def test_get_another_label_duplicates_keep_last(tmp_path: Path) -> None:
    path, ids, frame = _gal(tmp_path, "AdultContent2")
    # SOURCE.md's figure is for keep-first deduplication; the same rows through our path reproduce it
    first = frame.drop_duplicates(["worker", "item"], keep="first")
    items = {v: i for i, v in enumerate(ids)}
    labels = sorted(set(first["label"]))
    counts = ka.count_matrix(first["item"].map(items).to_numpy(), np.searchsorted(labels, first["label"]), len(ids), len(labels))
    assert ka.alpha_coincidence(counts, "nominal") == pytest.approx(0.316386, abs=5e-7)
    # the check keeps the last label: compare with the same policy computed independently
    result = run_file(path, ids, bootstrap_samples=100)
    # metrics carry 6 decimals
    assert result.metrics["alpha"] == pytest.approx(_alpha_of(frame.drop_duplicates(["worker", "item"], keep="last")), abs=5e-7)
    dup = next(f for f in result.findings if f.code == "AGR009")
    assert dup.details["duplicate_rows"] == 2922 and dup.details["conflicting"] == 149  # as SOURCE.md counts them
    assert result.metrics["annotators"] == 825 and result.metrics["units_pairable"] == 11040 - 411


@pytest.mark.parametrize(("name", "published"), [("BarzanMozafari", 0.405937), ("HITspam-UsingMTurk", 0.000639)])
def test_get_another_label_without_duplicates(tmp_path: Path, name: str, published: float) -> None:
    path, ids, _ = _gal(tmp_path, name)
    result = run_file(path, ids, bootstrap_samples=100)
    assert result.metrics["alpha"] == pytest.approx(published, abs=5e-7)
    assert "AGR001" in [f.code for f in result.findings]
