"""The spark engine reads what Spark reads and finds exactly what the in-memory engine finds.

A folder of gzipped JSON lines parts, a Parquet file cut into several Spark
partitions, and a table (a temporary view) each hold the planted records of
tests/test_scale.py; the engine's findings equal the in-memory engine's on the
same records, field by field. Sources Spark cannot read are one line and exit 2.
All tests share the test session's local Spark session (tests/conftest.py).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from auditor.api import audit
from auditor.cli import main
from auditor.runtime.errors import InputError
from tests.test_scale import KB, checks_of, write_planted

LSH = {"duplicates__exact_below": 50}  # this small set takes the MinHash-LSH path the large runs take


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_planted(tmp_path_factory.mktemp("spark") / "planted.jsonl")


@pytest.fixture(scope="module")
def planted_memory(planted: Path) -> dict[str, Any]:
    return checks_of(audit(planted, config={}, engine="memory", **LSH))


@pytest.fixture(scope="module")
def planted_parquet(planted: Path) -> Path:
    rows = [json.loads(line) for line in planted.read_text().splitlines() if line.startswith("{\"")]
    path = planted.with_suffix(".parquet")
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=64)  # small row groups: Spark splits the file
    return path


def _without_places(checks: dict[str, Any]) -> dict[str, Any]:
    """The reports with each load problem's ' (file, line n)' suffix taken off (only a multi-file source says it)."""
    text = json.dumps(checks)
    import re

    return json.loads(re.sub(r" \(part-\d+\.jsonl\.gz, line \d+\)", "", text))


def test_a_folder_of_gzipped_parts_equals_memory_on_the_whole_file(spark: Any, planted: Path, planted_memory: dict[str, Any], tmp_path: Path) -> None:
    lines = planted.read_text().splitlines(keepends=True)
    folder = tmp_path / "parts"
    folder.mkdir()
    cuts = [0, 230, 470, len(lines)]  # bad and blank lines fall in every part
    for k, (lo, hi) in enumerate(zip(cuts, cuts[1:])):
        with gzip.open(folder / f"part-{k:04d}.jsonl.gz", "wt") as fh:
            fh.writelines(lines[lo:hi])
    (folder / "_SUCCESS").write_text("")  # what Spark writes beside its parts: not data
    with gzip.open(folder / "part-000.jsonl.gz", "wt"):  # an empty first part: the layout comes from the next
        pass
    report = audit(str(folder), config={}, engine="spark", **LSH)
    got = checks_of(report)
    assert got != planted_memory  # its load problems say where they are...
    assert _without_places(got) == planted_memory  # ...and nothing else differs
    problems = report.dataset.problems
    first_bad = next(p for p in problems if "invalid JSON" in p.reason)
    part, line = first_bad.reason.rsplit("(", 1)[1].rstrip(")").split(", line ")
    assert lines[first_bad.line - 1].startswith("{not json")
    assert first_bad.line == cuts[int(part[5:9])] + int(line)


def test_parquet_cut_in_partitions_equals_memory(spark: Any, planted_parquet: Path) -> None:
    memory = checks_of(audit(planted_parquet, config={}, engine="memory", **LSH))
    assert checks_of(audit(str(planted_parquet), config={}, engine="spark", scale__partition_mb=64 * KB, **LSH)) == memory


def test_a_table_equals_memory_on_its_rows(spark: Any, planted_parquet: Path) -> None:
    spark.session.read.parquet(str(planted_parquet)).createOrReplaceTempView("planted_table")
    memory = checks_of(audit(planted_parquet, config={}, engine="memory", **LSH))
    assert checks_of(audit(None, config={}, engine="spark", table="planted_table", **LSH)) == memory


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("s3a://no-bucket/x.jsonl", "no connector for s3a://"),
        ("/nonexistent/folder/*.jsonl", "no such file or folder"),
    ],
)
def test_an_unreadable_source_is_one_line_and_exit_2(spark: Any, source: str, said: str) -> None:
    with pytest.raises(InputError, match=said):
        audit(source, config={}, engine="spark")
    result = CliRunner().invoke(main, ["check", source, "--engine", "spark", "--quiet"])
    assert result.exit_code == 2
    assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_missing_table_and_table_without_spark(spark: Any, planted: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--table", "no_such_db.no_table", "--engine", "spark", "--quiet"])
    assert result.exit_code == 2 and "--table no_such_db.no_table" in result.stderr
    result = CliRunner().invoke(main, ["check", "--table", "db.name", "--engine", "memory", "--quiet"])
    assert result.exit_code == 2 and "needs --engine spark" in result.stderr
    result = CliRunner().invoke(main, ["check", str(planted), "--table", "db.name", "--engine", "spark", "--quiet"])
    assert result.exit_code == 2 and "not both" in result.stderr


def test_field_overrides_apply_to_the_spark_schema(spark: Any, planted: Path, tmp_path: Path) -> None:
    # Columns no layout rule knows: only --input-field/--output-field say which they are, in both engines.
    rows = [json.loads(line) for line in planted.read_text().splitlines() if line.startswith("{\"")][:300]
    renamed = [{"qq": r["input"], "aa": r["output"], "id": r["id"], "category": r["category"]} for r in rows]
    path = tmp_path / "renamed.parquet"
    pq.write_table(pa.Table.from_pylist(renamed), path, row_group_size=50)
    fields = {"fields__input": "qq", "fields__output": "aa"}
    memory = checks_of(audit(path, config={}, engine="memory", **fields))
    got = checks_of(audit(str(path), config={}, engine="spark", scale__partition_mb=16 * KB, **fields))
    assert got == memory and got["count"]["metrics"]["total_records"] == 300


def test_records_come_back_compressed_when_executors_are_elsewhere(spark: Any, planted_parquet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a cluster the executors cannot write to the driver's disk: their records' lines come back in the task results.
    from auditor.scale.engines import SparkEngine

    started = SparkEngine.__init__

    def remote(self: SparkEngine, master: str, workers: int) -> None:
        started(self, master, workers)
        self.local = False

    monkeypatch.setattr(SparkEngine, "__init__", remote)
    memory = checks_of(audit(planted_parquet, config={}, engine="memory", **LSH))
    report = audit(str(planted_parquet), config={}, engine="spark", scale__partition_mb=64 * KB, **LSH)
    assert checks_of(report) == memory
    assert report.dataset.inputs[5] == pq.read_table(planted_parquet).column("input")[5].as_py()  # read back from the driver's copy


def test_the_cli_reads_a_uri_unmangled(spark: Any, planted: Path, planted_memory: dict[str, Any], tmp_path: Path) -> None:
    # A Path would fold file:///x into file:/x; with --engine spark SOURCE stays the string given.
    out = tmp_path / "report.json"
    uri = planted.as_uri()
    args = ["check", uri, "--engine", "spark", "--format", "json", "-o", str(out), "--quiet", "--config", str(tmp_path / "none.toml")]
    (tmp_path / "none.toml").write_text("[duplicates]\nexact_below = 50\n")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.stderr  # NOT_READY, as in memory
    report = json.loads(out.read_text())
    assert report["input"]["path"] == uri and report["config"]["scale"]["engine"] == "spark"
    assert {name: report["checks"][name] for name in planted_memory} == planted_memory


@pytest.mark.parametrize("rel", ["codealpaca/canonical_code_alpaca_2k.jsonl", "gsm8k/test.jsonl"])
def test_a_real_set_gzipped_equals_memory(spark: Any, shared_datasets: Path, rel: str, tmp_path: Path) -> None:
    source = shared_datasets / rel
    gz = tmp_path / (source.name + ".gz")
    gz.write_bytes(gzip.compress(source.read_bytes()))
    # The estimate, named: with an exact tokenizer (the 'auto' default where bpe-openai is installed)
    # the decision check counts up to 5,000 records exactly in memory but samples 1,000 per partition
    # in a partitioned run (checks/decision/budget.py), so its token figures differ by design.
    estimate = {"quality": {"tokenizer": "estimate"}}
    memory = checks_of(audit(source, config=estimate, engine="memory", **LSH))
    assert checks_of(audit(str(gz), config=estimate, engine="spark", **LSH)) == memory


def test_a_damaged_gzip_part_is_one_line_and_exit_2(spark: Any, tmp_path: Path) -> None:
    whole = gzip.compress(b"".join(json.dumps({"input": f"q{i}", "output": f"a{i}"}).encode() + b"\n" for i in range(2000)))
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    result = CliRunner().invoke(main, ["check", str(cut), "--engine", "spark", "--quiet"])
    assert result.exit_code == 2
    assert "Spark cannot read it: java.io.EOFException" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_the_reduce_runs_in_the_cluster(spark: Any, planted_parquet: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Grouping and the near-duplicate search have driver paths (the stream engine's): here they fail if called,
    # so the findings below come from the groups, candidates and verified pairs the cluster sent back.
    from auditor.features import partitioned

    def on_the_driver(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a driver path of the reduce ran")

    for owner, name in ((partitioned.Hashes, "merge"), (partitioned.RepeatedInputs, "merge"), (partitioned, "_sketched"), (partitioned, "verify_sketch")):
        monkeypatch.setattr(owner, name, on_the_driver)
    memory = checks_of(audit(planted_parquet, config={}, engine="memory", **LSH))
    got = checks_of(audit(str(planted_parquet), config={}, engine="spark", scale__partition_mb=32 * KB, **LSH))
    assert got == memory
    assert got["duplicates"]["metrics"]["near_method"] == "lsh" and got["duplicates"]["metrics"]["near_duplicate_records"] > 0


def test_grouping_fields_held_as_codes_judge_as_memory(spark: Any, planted: Path, tmp_path: Path) -> None:
    """The driver keeps categories and a raw template field as codes (``Coded``), not a list a record:
    task groups, the quality breakdowns and the effective count come out as in memory, missing, empty
    and marker-named values included."""
    from auditor.core.columns import Coded

    rows = [json.loads(line) for line in planted.read_text().splitlines() if line.startswith("{\"")]
    for i, row in enumerate(rows):
        row["template"] = ["t-alpha", "t-beta", None, "", "(none)"][i % 5]
        row["category"] = ["c1", None, "c2"][i % 3] if i % 2 else row.get("category")
    path = tmp_path / "grouped.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=64)
    memory = checks_of(audit(path, config={}, engine="memory", **LSH))
    report = audit(str(path), config={}, engine="spark", scale__partition_mb=64 * KB, **LSH)
    assert isinstance(report.dataset.categories, Coded) and isinstance(report.dataset.extra["template"], Coded)
    assert checks_of(report) == memory
