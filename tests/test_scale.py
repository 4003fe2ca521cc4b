"""The partitioned engines (stream, spark) find exactly what the in-memory engine finds.

Small files cut into many kilobyte partitions, so duplicate pairs, repeated
inputs and bad lines straddle partition boundaries. The spark tests share one
local session (module scope); with CI set they fail rather than skip when
pyspark or Java is missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.api import audit
from auditor.core.config import resolve
from auditor.report import json as json_report
from auditor.runtime.errors import InputError
from auditor.scale import choose_engine
from tests.synth_duplicates import generate, near_copy_families

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted((REPO / "sample_data").glob("*.jsonl"))
PARTITIONED = ("count", "duplicates", "quality", "decision")
KB = 1 / 1024  # scale.partition_mb of one kilobyte


def checks_of(report: Any) -> dict[str, Any]:
    data = json.loads(json_report.render(report))
    return {name: data["checks"][name] for name in PARTITIONED}


def write_planted(path: Path, n: int = 700, seed: int = 3) -> Path:
    """Records with planted exact and near copies, contradictions, defects, bad and blank lines."""
    syn = generate(n, seed=seed, near_share=0.08, exact_share=0.04)
    # Common enough to be boilerplate: its copies keep their whole sets and a second sketch row.
    family = near_copy_families(80, seed=seed, words=60)
    rng = np.random.default_rng(seed)
    lines: list[str] = []
    for i, (inp, out) in enumerate(zip(syn.inputs, syn.outputs)):
        rec: dict[str, Any] = {"id": f"r{i}", "input": inp, "output": out, "category": f"c{i % 5}", "template": f"t{i % 3}"}
        if i % 97 == 50:  # the same input as an early record with another answer: a contradiction
            rec["input"] = syn.inputs[int(rng.integers(0, 40))]
        if i % 89 == 7:
            rec["output"] = ""
        if i % 101 == 13:
            rec["output"] = "I'm sorry, but as an AI language model I cannot help with that."
        if i % 113 == 21:
            rec["input"] += " write to jane.doe@example.com"
        lines.append(json.dumps(rec))
        if i % 7 == 0 and i < 7 * len(family.inputs):  # a family of near-copies, spread over partitions
            j = i // 7
            lines.append(json.dumps({"id": f"f{j}", "input": family.inputs[j], "output": family.outputs[j], "category": "family"}))
        if i % 150 == 149:
            lines.append("{not json")
        if i % 211 == 3:
            lines.append("")
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_planted(tmp_path_factory.mktemp("scale") / "planted.jsonl")


@pytest.fixture(scope="module")
def planted_memory(planted: Path) -> dict[str, Any]:
    # exact_below=50 sends this small set down the MinHash-LSH path the large runs take.
    return checks_of(audit(planted, config={}, engine="memory", duplicates__exact_below=50))


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_stream_equals_memory_on_the_samples(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "sample_data")
    memory = checks_of(audit(sample, config={}, engine="memory"))
    stream = audit(sample, config={}, engine="stream", scale__partition_mb=4 * KB, jobs=2)
    assert checks_of(stream) == memory
    assert stream.config["scale"]["engine"] == "stream"
    for name in ("coverage", "expectations"):
        assert stream.checks[name].status is not None and stream.checks[name].status.value == "skipped"
        assert "--engine memory" in (stream.checks[name].note or "")
    # Agreement is a readiness criterion: not measured is a blocker, as for data without annotations.
    (gap,) = [g for g in stream.gaps if g.check == "agreement"]
    assert (gap.finding.code, gap.finding.severity.value) == ("AGR003", "blocker") and stream.verdict == "NOT_READY"


def test_stream_agreement_not_measured_is_a_warning_when_not_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "sample_data")
    report = audit(SAMPLES[0], config={}, engine="stream", agreement__required=False)
    (gap,) = [g for g in report.gaps if g.check == "agreement"]
    assert (gap.finding.code, gap.finding.severity.value) == ("AGR003", "warning")


def test_stream_equals_memory_with_planted_defects_across_partitions(planted: Path, planted_memory: dict[str, Any]) -> None:
    stream = checks_of(audit(planted, config={}, engine="stream", duplicates__exact_below=50, scale__partition_mb=16 * KB, jobs=2))
    assert stream == planted_memory
    dup = stream["duplicates"]["metrics"]
    assert dup["exact_duplicate_groups"] > 0 and dup["near_duplicate_clusters"] > 0 and dup["conflicting_input_groups"] > 0
    assert dup["near_method"] == "lsh" and dup["boilerplate_shingles"]["input"] > 0
    count = stream["count"]["metrics"]
    assert count["invalid_records"] == 4 and count["blank_lines"] > 0


def test_bad_lines_are_counted_with_their_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = [json.dumps({"input": f"question {i} about things", "output": f"answer {i} in full words."}) for i in range(30)]
    lines = good[:5] + ["{broken", ""] + good[5:20] + ['{"input": "no output here"}', "[1, 2]"] + good[20:]
    path.write_text("\n".join(lines) + "\n")
    memory = checks_of(audit(path, config={}, engine="memory"))
    stream = checks_of(audit(path, config={}, engine="stream", scale__partition_mb=KB / 4, jobs=1))
    assert stream == memory
    unreadable = next(f for f in stream["count"]["findings"] if f["code"] == "CNT003")
    assert unreadable["details"]["lines"] == [6, 23, 24]
    assert stream["count"]["metrics"]["blank_lines"] == 1


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kb=st.floats(min_value=0.5, max_value=600))
def test_partition_count_never_changes_the_result(kb: float, planted: Path, planted_memory: dict[str, Any]) -> None:
    stream = audit(planted, config={}, engine="stream", duplicates__exact_below=50, scale__partition_mb=kb * KB, jobs=1)
    assert checks_of(stream) == planted_memory


def test_auto_streams_only_large_files(tmp_path: Path, planted: Path) -> None:
    assert choose_engine(resolve(search=False), planted)[0] == "memory"
    assert choose_engine(resolve(search=False, overrides={"scale.auto_bytes": 1000}), planted)[0] == "stream"
    frame_like = object()
    assert choose_engine(resolve(search=False, overrides={"scale.auto_bytes": 1}), frame_like)[0] == "memory"
    gz = tmp_path / "x.jsonl.gz"
    gz.write_bytes(b"")
    assert choose_engine(resolve(search=False, overrides={"scale.auto_bytes": 1}), gz)[0] == "memory"
    with pytest.raises(InputError, match="gzipped"):
        choose_engine(resolve(search=False, overrides={"scale.engine": "stream"}), gz)


def test_stream_refuses_side_inputs_rather_than_ignoring_them(planted: Path) -> None:
    # --eval and --baseline run (tests/test_scale_leakage.py); the checks reading these do not.
    for side in ("reference", "annotations", "expectations"):
        with pytest.raises(InputError, match=side):
            audit(planted, config={}, engine="stream", **{side: planted})


def test_cli_engine_flag(planted: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import main

    runs = {
        engine: CliRunner().invoke(main, ["check", str(planted), "--engine", engine, "--format", "json", "--no-history"])
        for engine in ("memory", "stream")
    }
    assert runs["memory"].exit_code == runs["stream"].exit_code
    reports = {e: json.loads(r.stdout) for e, r in runs.items()}
    assert reports["stream"]["config"]["scale"]["engine"] == "stream"
    assert reports["stream"]["checks"]["duplicates"]["findings"] == reports["memory"]["checks"]["duplicates"]["findings"]


# --- spark (the session is the test session's: tests/conftest.py) ---------------------


def test_spark_equals_stream_and_memory(spark: Any, planted: Path, planted_memory: dict[str, Any]) -> None:
    got = checks_of(audit(planted, config={}, engine="spark", duplicates__exact_below=50, scale__partition_mb=96 * KB))
    assert got == planted_memory


def test_spark_on_a_sample(spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = REPO / "sample_data" / "support_not_ready.jsonl"
    monkeypatch.chdir(REPO / "sample_data")
    memory = checks_of(audit(sample, config={}, engine="memory"))
    assert checks_of(audit(sample, config={}, engine="spark", scale__partition_mb=8 * KB)) == memory


def test_text_columns_read_back_by_offset_and_refuse_a_full_scan(planted: Path) -> None:
    report = audit(planted, config={}, engine="stream", scale__partition_mb=16 * KB, jobs=1)
    memory = audit(planted, config={}, engine="memory")
    data, want = report.dataset, memory.dataset
    assert data is not None and want is not None
    for i in (0, 1, len(want) // 2, len(want) - 1):
        assert (data.ids[i], data.lines[i], data.inputs[i], data.outputs[i]) == (want.ids[i], want.lines[i], want.inputs[i], want.outputs[i])
    assert data.categories == want.categories and data.extra["template"] == want.extra["template"]
    with pytest.raises(TypeError, match="--engine memory"):
        list(data.inputs)


def test_the_record_cache_is_bounded_by_its_size(planted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan reading many records once (the contradictions' outputs) keeps at most the budget, and every read is
    still the record's own."""
    from auditor.scale import lazy

    report = audit(planted, config={}, engine="stream", scale__partition_mb=16 * KB, jobs=1)
    memory = audit(planted, config={}, engine="memory")
    assert report.dataset is not None and memory.dataset is not None
    column, want = report.dataset.outputs, memory.dataset.outputs
    assert isinstance(column, lazy.LazyColumn)
    reader = column.reader
    reader._cache.clear()
    reader._cached_bytes = 0
    monkeypatch.setattr(lazy, "CACHE_BYTES", 4 * KB)
    one_record = max(lazy._cost(line.rstrip(b"\n")) for line in planted.read_bytes().splitlines())
    for i in range(len(want)):
        assert column[i] == want[i]
        assert reader._cached_bytes <= 4 * KB + one_record  # the budget, passed by one record at most
    assert 0 < len(reader._cache) < len(want)


def test_a_file_changed_during_the_audit_is_said_so(tmp_path: Path) -> None:
    from auditor.scale.lazy import LazyColumn

    path = write_planted(tmp_path / "moving.jsonl", n=60)
    report = audit(path, config={}, engine="stream", scale__partition_mb=4 * KB, jobs=1)
    assert report.dataset is not None
    column = report.dataset.outputs
    assert isinstance(column, LazyColumn)
    column.reader._cache.clear()
    path.write_bytes(b"x" * path.stat().st_size)  # same size, other bytes: every offset now points at garbage
    with pytest.raises(RuntimeError, match="changed during the audit: line 7 "):
        column[5]


def test_a_pretty_printed_json_document_is_not_streamed(tmp_path: Path) -> None:
    doc = tmp_path / "one.json"
    doc.write_text('{\n  "data": [{"input": "a", "output": "b"}]\n}\n')
    lines = tmp_path / "lines.json"
    lines.write_text('{"input": "a", "output": "b"}\n')
    cfg = resolve(search=False, overrides={"scale.auto_bytes": 1})
    assert choose_engine(cfg, doc)[0] == "memory"
    assert choose_engine(cfg, lines)[0] == "stream"
