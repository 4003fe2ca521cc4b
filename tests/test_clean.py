from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import auditor
from auditor.cleaning import DROPS, CleanResult, check_drops
from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Severity
from auditor.runtime.errors import AuditorError

REPO = Path(__file__).resolve().parents[1]
NOT_READY = REPO / "sample_data" / "support_not_ready.jsonl"


def rows() -> list[dict[str, Any]]:
    """Eight records: r1 twice more (case and spacing), r3 once more, r5 with an empty output."""
    return [
        {"id": "r1", "input": "Where is my parcel?", "output": "It ships today."},
        {"id": "r2", "input": "Cancel my order", "output": "Done, it is cancelled."},
        {"id": "r3", "input": "Reset my password", "output": "Use the link we sent."},
        {"id": "r4", "input": "WHERE IS MY PARCEL?", "output": "it ships today."},
        {"id": "r5", "input": "Hello?", "output": ""},
        {"id": "r6", "input": "Reset my password", "output": "Use the link we sent."},
        {"id": "r7", "input": "Where  is my parcel?", "output": "It ships   today."},
        {"id": "r8", "input": "Refund please", "output": "Refunded."},
    ]


def frame_checksum(frame: Any) -> str:
    import pandas as pd

    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=True).values.tobytes()).hexdigest()


def test_exact_duplicates_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows()) + "\n{broken\n")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = auditor.clean(path, drop=["exact_duplicates"], config={})
    assert isinstance(result, CleanResult)
    import datasets

    assert isinstance(result.data, datasets.Dataset)
    assert result.data["id"] == ["r1", "r2", "r3", "r5", "r8"]
    assert result.data.column_names == ["id", "input", "output"]
    assert [(d.id, d.reason, d.group) for d in result.dropped] == [
        ("r4", "exact_duplicates", "exact-1"),
        ("r6", "exact_duplicates", "exact-2"),
        ("r7", "exact_duplicates", "exact-1"),
        (9, "unreadable", None),
    ]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_dataframe_in_dataframe_out_original_untouched() -> None:
    import pandas as pd

    frame = pd.DataFrame(rows())
    copy = frame.copy(deep=True)
    checksum = frame_checksum(frame)
    result = auditor.clean(frame, drop=["exact_duplicates"], config={})
    assert isinstance(result.data, pd.DataFrame)
    assert list(result.data["id"]) == ["r1", "r2", "r3", "r5", "r8"]
    assert list(result.data.index) == [0, 1, 2, 4, 7]  # rows keep their labels
    result.data.loc[0, "output"] = "changed"  # the result is its own frame
    assert frame_checksum(frame) == checksum
    pd.testing.assert_frame_equal(frame, copy)


def test_hf_dataset_in_dataset_out_original_untouched() -> None:
    import datasets

    ds = datasets.Dataset.from_list(rows())
    fingerprint, before = ds._fingerprint, ds.to_list()
    result = auditor.clean(ds, drop=["exact_duplicates"], config={})
    assert isinstance(result.data, datasets.Dataset)
    assert result.data["id"] == ["r1", "r2", "r3", "r5", "r8"]
    assert ds._fingerprint == fingerprint and ds.to_list() == before and len(ds) == 8


def test_one_split_of_a_dataset_dict() -> None:
    import datasets

    dd = datasets.DatasetDict({"train": datasets.Dataset.from_list(rows()), "test": datasets.Dataset.from_list(rows()[:2])})
    report = auditor.audit(dd["train"], config={}, min_examples=1)
    assert report.metrics["count"]["valid_records"] == 8 and report.metrics["count"]["effective_examples"] == 5
    assert auditor.audit(dd["test"], config={}, min_examples=1).metrics["count"]["valid_records"] == 2
    assert auditor.clean(dd["train"], drop=["exact_duplicates"], config={}).data["id"] == ["r1", "r2", "r3", "r5", "r8"]
    assert len(dd["train"]) == 8


def test_reusing_a_report_and_default_drops() -> None:
    import pandas as pd

    frame = pd.DataFrame(rows())
    report = auditor.audit(frame, config={}, min_examples=1)
    result = auditor.clean(frame, report=report)  # default drops: those whose check is installed
    assert result.report is report
    assert {d.reason for d in result.dropped} <= {"exact_duplicates", "near_duplicates", "empty_outputs"}
    assert "r4" not in set(result.data["id"])


@pytest.mark.parametrize(
    ("drop", "words"),
    [
        (["no_such_thing"], "unknown drop 'no_such_thing'"),
        (["exact_duplicates", "bogus"], "unknown drop 'bogus'"),
    ],
)
def test_bad_drop_names(drop: list[str], words: str) -> None:
    with pytest.raises(AuditorError, match=words):
        check_drops(drop, set())


def test_drop_of_a_check_not_installed_is_a_clear_error() -> None:
    with pytest.raises(AuditorError, match=r"needs the duplicates check \(DUP003\), which is not installed"):
        check_drops(["near_duplicates"], {"CNT001"})
    with pytest.raises(AuditorError, match=r"needs the quality check \(QLT002\)"):
        check_drops(["empty_outputs"], set())
    assert check_drops(["exact_duplicates"], set()) == ["exact_duplicates"]  # computable by the engine


def test_every_drop_names_a_real_code_pattern() -> None:
    from auditor.core.findings import CODE_PATTERN

    assert all(CODE_PATTERN.match(d.code) for d in DROPS.values())
    assert len({d.code for d in DROPS.values()}) == len(DROPS)


# A stand-in for the duplicates and quality checks, so the finding-driven path
# (groups, keep-first, drop-all, ids of other datasets) is tested before they merge.
NEAR = CodeInfo("DUP003", "near-duplicates", Severity.WARNING, "s", "w", "f")
EXACT = CodeInfo("DUP001", "exact-duplicates", Severity.WARNING, "s", "w", "f")
EMPTY = CodeInfo("QLT002", "empty-output", Severity.BLOCKER, "s", "w", "f")


class FakeDuplicates:
    name = "duplicates"
    codes = (EXACT, NEAR)

    def run(self, ctx: Context) -> CheckResult:
        return CheckResult(
            self.name,
            findings=(
                EXACT.finding("m", "a", ["r1", "r4", "r7"], groups=["exact-1"] * 3),
                # a near cluster listed out of order, plus a baseline record that is not in this data
                NEAR.finding("m", "a", ["r8", "r2", "baseline.jsonl:9"], groups=["near-1", "near-1", "near-1"]),
            ),
        )


class FakeQuality:
    name = "quality"
    codes = (EMPTY,)

    def run(self, ctx: Context) -> CheckResult:
        return CheckResult(self.name, findings=(EMPTY.finding("m", "a", ["r5"]),))


@pytest.fixture
def fake_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.core import registry
    from checks.count import CountCheck

    monkeypatch.setattr(registry, "all_checks", lambda: (CountCheck(), FakeDuplicates(), FakeQuality()))


@pytest.mark.usefixtures("fake_checks")
def test_findings_decide_what_is_dropped() -> None:
    import pandas as pd

    frame = pd.DataFrame(rows())
    result = auditor.clean(frame, drop=["exact_duplicates", "near_duplicates", "empty_outputs"], config={})
    assert list(result.data["id"]) == ["r1", "r2", "r3", "r6"]  # r6 is not flagged by the fake check
    assert [(d.id, d.reason, d.code, d.group) for d in result.dropped] == [
        ("r4", "exact_duplicates", "DUP001", "exact-1"),
        ("r5", "empty_outputs", "QLT002", "QLT002-1"),
        ("r7", "exact_duplicates", "DUP001", "exact-1"),
        ("r8", "near_duplicates", "DUP003", "near-1"),  # the first by position (r2) is kept
    ]
    assert auditor.clean(frame, config={}).data["id"].tolist() == ["r1", "r2", "r3", "r6"]


class OverlappingDuplicates(FakeDuplicates):
    def run(self, ctx: Context) -> CheckResult:
        return CheckResult(
            self.name,
            findings=(
                EXACT.finding("m", "a", ["r1", "r4"], groups=["exact-1"] * 2),
                NEAR.finding("m", "a", ["r4", "r7"], groups=["near-1"] * 2),  # r4 goes as an exact copy
            ),
        )


def test_a_cluster_overlapping_a_dropped_record_still_keeps_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from auditor.core import registry
    from checks.count import CountCheck

    monkeypatch.setattr(registry, "all_checks", lambda: (CountCheck(), OverlappingDuplicates()))
    result = auditor.clean(pd.DataFrame(rows()), drop=["exact_duplicates", "near_duplicates"], config={})
    assert [d.id for d in result.dropped] == ["r4"]
    assert "r7" in set(result.data["id"])


TEXTS = ["a", "A", "b", " a ", "c d", "C  D", ""]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(TEXTS), st.sampled_from(TEXTS)), min_size=1, max_size=25))
def test_clean_invariants(pairs: list[tuple[str, str]]) -> None:
    import pandas as pd

    from auditor.similarity.normalize import Normalizer

    frame = pd.DataFrame({"id": [f"x{i}" for i in range(len(pairs))], "input": [p[0] for p in pairs], "output": [p[1] for p in pairs]})
    before = frame.copy(deep=True)
    result = auditor.clean(frame, drop=["exact_duplicates"], config={})
    pd.testing.assert_frame_equal(frame, before)  # never modified
    valid = result.report.metrics["count"]["valid_records"]
    dropped = [d for d in result.dropped if d.reason != "unreadable"]
    assert len(result.data) + len(dropped) == valid
    assert len(result.data) + len(result.dropped) == len(frame)  # every row is kept or accounted for
    norm = Normalizer.from_config({"unicode": "NFKC", "casefold": True, "whitespace": True})
    keys = [(norm(i), norm(o)) for i, o in zip(result.data["input"], result.data["output"])]
    assert len(keys) == len(set(keys))  # no exact duplicate left
    # The kept record of each group is its first occurrence.
    first: dict[tuple[str, str], str] = {}
    for rid, i, o in zip(frame["id"], frame["input"], frame["output"]):
        first.setdefault((norm(i), norm(o)), rid)
    assert set(result.data["id"]) <= set(first.values())
