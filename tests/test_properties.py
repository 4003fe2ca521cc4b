"""Properties of the whole pipeline, over random small datasets (hypothesis).

For every check: the same input and seed give the same findings; shuffling the
records changes no count; counts add up; alpha stays within its bounds.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import auditor

WORDS = ["refund", "parcel", "invoice", "password", "late", "broken", "order", "account", "the", "my", "is", "not"]
LABELS = ["billing", "shipping", "account"]

record = st.fixed_dictionaries(
    {
        "input": st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
        "output": st.one_of(st.just(""), st.lists(st.sampled_from(WORDS), min_size=1, max_size=15).map(" ".join)),
        "category": st.sampled_from(LABELS),
        "annotations": st.lists(
            st.fixed_dictionaries({"annotator": st.sampled_from(["a", "b", "c"]), "label": st.sampled_from(LABELS)}),
            max_size=3,
        ),
    }
)

# Metrics that describe the set, not the order of its records. Effective counts
# per category are not among them: when copies of one example sit in two
# categories, the first one read is the one kept.
ORDER_FREE = {
    "count": ("total_records", "valid_records", "invalid_records", "effective_examples", "per_category_records"),
    "duplicates": ("exact_duplicate_groups", "exact_duplicate_records", "conflicting_input_groups", "conflicting_records"),
    "quality": ("empty_outputs", "truncated_outputs", "refusals", "pii_records", "malformed_chats"),
}


def _write(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _summary(report: auditor.Report) -> dict[str, Any]:
    d = report.to_dict()
    d.pop("timing")
    d["input"].pop("path")
    return d


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(record, min_size=1, max_size=40), seed=st.integers(0, 2**16))
def test_deterministic_and_order_free(tmp_path: Path, rows: list[dict[str, Any]], seed: int) -> None:
    first = auditor.audit(_write(tmp_path / "a.jsonl", rows), config={}, seed=seed, jobs=1)
    again = auditor.audit(_write(tmp_path / "b.jsonl", rows), config={}, seed=seed, jobs=1)
    assert _summary(first) == _summary(again)

    shuffled = rows[:]
    random.Random(seed).shuffle(shuffled)
    moved = auditor.audit(_write(tmp_path / "c.jsonl", shuffled), config={}, seed=seed, jobs=1)
    for check, keys in ORDER_FREE.items():
        if check in first.metrics:
            for key in keys:
                assert first.metrics[check].get(key) == moved.metrics[check].get(key), (check, key)

    count = first.metrics["count"]
    assert count["valid_records"] + count["invalid_records"] == count["total_records"] == len(rows)
    assert 0 <= count["effective_examples"] <= count["valid_records"]
    alpha = first.metrics.get("agreement", {}).get("alpha")
    if alpha is not None and not (isinstance(alpha, float) and math.isnan(alpha)):
        assert -1.0 <= alpha <= 1.0
        low, high = first.metrics["agreement"]["alpha_ci_low"], first.metrics["agreement"]["alpha_ci_high"]
        if low is not None and high is not None:
            assert low <= high
