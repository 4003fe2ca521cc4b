"""Coverage on real data: GSM8K train against its test split, with code instructions and role-play prompts mixed in."""

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
    # GSM8K's thin topics (ice cream, table seating, fishing) are long-tail themes of word problems
    # like the rest, not gaps: before the gate (checks.topicgap) they raised COV004 on 56 records.
    assert result.metrics["topics"] and any(t["thin"] for t in result.metrics["topics"])
    assert not [f for f in result.findings if f.code == "COV004"]


def test_gsm8k_test_is_mostly_covered_and_code_is_not(result: CheckResult) -> None:
    m = result.metrics
    assert m["calibration"]["mode"] == "training"
    low = next(f for f in result.findings if f.code == "COV005")
    uncovered = set(low.ids)
    code_uncovered = sum(1 for i in uncovered if str(i).startswith("code-")) / 300
    gsm_uncovered = sum(1 for i in uncovered if str(i).startswith("gsm-")) / 1319
    # TF-IDF cannot tell every string-counting instruction from a word problem (about a third
    # of these share GSM8K's vocabulary as much as word problems share it with each other).
    assert code_uncovered > 0.6 and gsm_uncovered < 0.05
    code_words = {"python", "javascript", "sql", "function", "array", "string", "code", "program"}
    assert any(code_words & set(t["top_terms"]) for t in m["uncovered_topics"])


def test_gsm8k_eval_set_is_covered_by_gsm8k_train(gsm8k: tuple[Dataset, Dataset]) -> None:
    train, _ = gsm8k
    test = make_dataset(read_pairs("gsm8k/test.jsonl"))
    result = CoverageCheck().run(make_context(train, {"eval": test}))
    assert result.metrics["reference_coverage"] >= 0.95
    assert not {"COV005", "COV006"} & {f.code for f in result.findings}


def test_three_quarters_in_domain_reads_three_quarters(gsm8k: tuple[Dataset, Dataset]) -> None:
    """300 unseen GSM8K questions and 100 role-play prompts, drawn with a seed: 75% covered by construction."""
    import random

    train, _ = gsm8k
    rng = random.Random(17)
    questions = rng.sample(read_pairs("gsm8k/test.jsonl"), 300)
    roles = rng.sample(read_pairs("gpteacher/canonical_roleplay.jsonl"), 100)
    ids = [f"gsm-{i}" for i in range(300)] + [f"role-{i}" for i in range(100)]
    result = CoverageCheck().run(make_context(train, {"reference": make_dataset(questions + roles, ids=ids)}))
    assert result.metrics["reference_coverage"] == pytest.approx(0.75, abs=0.05)
    low = next(f for f in result.findings if f.code == "COV005")
    assert sum(1 for i in low.ids if str(i).startswith("role-")) >= 0.8 * len(low.ids)
    # The named topics are the role-play prompts: each of the three largest is mostly role-play.
    topics = [f for f in result.findings if f.code == "COV006"]
    for finding in topics[:3]:
        assert sum(1 for i in finding.ids if str(i).startswith("role-")) >= 0.8 * len(finding.ids)


def test_gsm8k_lengths_and_outputs(result: CheckResult) -> None:
    lengths = result.metrics["lengths"]
    assert lengths["input"]["p50"] == pytest.approx(42, abs=3)
    assert "alike" in lengths["input_shift"]["sentence"]
    assert result.metrics["distinct_output_share"] == 1.0 and result.metrics["task_type"] == "generation"
    assert "COV007" not in {f.code for f in result.findings} and "COV008" not in {f.code for f in result.findings}
