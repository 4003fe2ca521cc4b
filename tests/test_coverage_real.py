"""Coverage on real data: GSM8K train against its test split, with code instructions mixed in."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from auditor.core.findings import CheckResult
from auditor.core.records import Dataset
from checks.coverage import CoverageCheck
from tests.helpers import make_context, make_dataset

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"

pytestmark = pytest.mark.slow


def read_pairs(relative: str, limit: int | None = None) -> list[tuple[str, str]]:
    """input = instruction + ("\\n\\n" + input if input); GSM8K's question/answer as they are."""
    path = DATASETS / relative
    if not path.is_file():
        pytest.skip(f"{path} is absent (real datasets live in ../shared/datasets)")
    out: list[tuple[str, str]] = []
    with path.open("rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = orjson.loads(line)
            if "question" in record:
                out.append((record["question"], record["answer"]))
            else:
                text = record.get("instruction", "") + ("\n\n" + record["input"] if record.get("input") else "")
                out.append((text, record.get("output", "")))
            if limit is not None and len(out) >= limit:
                break
    return out


@pytest.fixture(scope="module")
def gsm8k() -> tuple[Dataset, Dataset]:
    train = make_dataset(read_pairs("gsm8k/train.jsonl"))
    test = read_pairs("gsm8k/test.jsonl")
    code = read_pairs("codealpaca/canonical_code_alpaca_2k.jsonl", 300)
    ids = [f"gsm-{i}" for i in range(len(test))] + [f"code-{i}" for i in range(len(code))]
    return train, make_dataset(test + code, ids=ids)


@pytest.fixture(scope="module")
def result(gsm8k: tuple[Dataset, Dataset]) -> CheckResult:
    train, reference = gsm8k
    return CoverageCheck().run(make_context(train, {"reference": reference}))


def test_gsm8k_topics_describe_maths_word_problems(result: CheckResult) -> None:
    topics = result.metrics["topics"]
    assert 40 <= len(topics) <= 50  # the sqrt rule caps at 40, plus the residue topics
    assert sum(t["size"] for t in topics) == 7473
    words = {w for t in topics for w in t["top_terms"]}
    assert {"cost", "hours", "miles", "years", "pounds"} <= words
    thin = [f for f in result.findings if f.code == "COV004"]
    assert all(f.severity.value == "info" for f in thin)  # long-tail themes of clean data are no gap


def test_gsm8k_test_is_mostly_covered_and_code_is_not(result: CheckResult) -> None:
    m = result.metrics
    assert 0.6 < m["reference_coverage"] < 0.9
    low = next(f for f in result.findings if f.code == "COV005")
    uncovered = set(low.ids)
    code_uncovered = sum(1 for i in uncovered if str(i).startswith("code-")) / 300
    gsm_uncovered = sum(1 for i in uncovered if str(i).startswith("gsm-")) / 1319
    assert code_uncovered > 0.75 and gsm_uncovered < 0.25
    code_words = {"python", "javascript", "sql", "function", "array", "string", "code", "program"}
    assert any(code_words & set(t["top_terms"]) for t in m["uncovered_topics"])


def test_gsm8k_lengths_and_outputs(result: CheckResult) -> None:
    lengths = result.metrics["lengths"]
    assert lengths["input"]["p50"] == pytest.approx(42, abs=3)
    assert "alike" in lengths["input_shift"]["sentence"]
    assert result.metrics["distinct_output_share"] == 1.0 and result.metrics["task_type"] == "generation"
    assert "COV007" not in {f.code for f in result.findings} and "COV008" not in {f.code for f in result.findings}
