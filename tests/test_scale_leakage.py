"""Eval leakage (DUP006) and baseline repeats (DUP007, DUP008) on the partitioned engines equal the in-memory engine's.

The planted training set of tests/test_scale.py, cut into kilobyte
partitions, against an eval set holding exact copies of training records,
near copies (one word of the input changed), inputs asked again with
another answer, and new items; and against its clean twin (new items
only). With ``duplicates.exact_below`` at 50 the pool takes the band-key
join (the path of large sets: the eval set's band keys sent to every
partition, candidates verified there); with the default the pool is small
enough for the exhaustive search, as in memory. The spark tests read a
Parquet training set and a gzipped JSON lines eval set through Spark and
share the test session's local Spark session (tests/conftest.py).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from auditor.api import audit
from auditor.cli import main
from auditor.runtime.errors import InputError
from tests.test_scale import KB, checks_of, write_planted

JOIN = {"duplicates__exact_below": 50}  # the band-key join the large sets take
STREAM = {"engine": "stream", "scale__partition_mb": 16 * KB, "jobs": 2}


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.startswith('{"')]


def _new_item(rng: np.random.Generator, k: int) -> dict[str, Any]:
    words = " ".join(f"zq{int(w)}x" for w in rng.integers(0, 10_000, 30))
    return {"id": f"new{k}", "input": f"a question never asked before {words}", "output": f"an answer of its own {k} {words[:40]}"}


def write_eval(train: Path, path: Path, seed: int = 5) -> Path:
    """Eval items: exact and near copies of training records, inputs asked again, and new items (written gzipped)."""
    rng = np.random.default_rng(seed)
    records = [r for r in _records(train) if len(r["input"].split()) >= 40 and r["output"]]
    picked = rng.choice(len(records), 36, replace=False).tolist()
    items: list[dict[str, Any]] = []
    for k, at in enumerate(picked):
        rec = records[at]
        if k % 3 == 0:  # an exact copy
            items.append({"id": f"exact{k}", "input": rec["input"], "output": rec["output"]})
        elif k % 3 == 1:  # a near copy: one word of the input replaced
            words = rec["input"].split()
            words[len(words) // 2] = "changed"
            items.append({"id": f"near{k}", "input": " ".join(words), "output": rec["output"]})
        else:  # the same input, another answer: leaked through the input view
            items.append({"id": f"asked{k}", "input": rec["input"], "output": f"a different answer number {k}"})
    items += [_new_item(rng, k) for k in range(40)]
    order = rng.permutation(len(items))
    with gzip.open(path, "wt") as fh:
        fh.writelines(json.dumps(items[i]) + "\n" for i in order)
    return path


def write_clean(path: Path, seed: int = 6) -> Path:
    rng = np.random.default_rng(seed)
    with gzip.open(path, "wt") as fh:
        fh.writelines(json.dumps(_new_item(rng, k)) + "\n" for k in range(60))
    return path


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("leakage")
    train = write_planted(root / "train.jsonl")
    parquet = root / "train.parquet"
    pq.write_table(pa.Table.from_pylist(_records(train)), parquet, row_group_size=64)  # Spark reads it in several partitions
    return {"train": train, "parquet": parquet, "eval": write_eval(train, root / "eval.jsonl.gz"), "clean": write_clean(root / "clean.jsonl.gz")}


def _duplicates(report: Any) -> dict[str, Any]:
    return checks_of(report)["duplicates"]


def _codes(dup: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["code"]: f for f in dup["findings"]}


@pytest.mark.parametrize("config", [JOIN, {}], ids=["join", "exhaustive"])
def test_stream_eval_leakage_equals_memory(sets: dict[str, Path], config: dict[str, Any]) -> None:
    memory = checks_of(audit(sets["train"], config={}, eval=sets["eval"], engine="memory", **config))
    stream = checks_of(audit(sets["train"], config={}, eval=sets["eval"], **STREAM, **config))
    assert stream == memory
    leak = _codes(memory["duplicates"])["DUP006"]
    # Every planted leak is found: 12 exact copies, 12 near copies, 12 inputs asked again (some train records repeat).
    assert leak["details"]["eval_records_matched"] == 36
    assert 0 < leak["details"]["exact"] < leak["count"]
    assert {e["via"] for e in leak["details"]["examples"]} <= {"input", "pair"}


def _leaked(report: Any) -> tuple[list[Any], list[str]]:
    (leak,) = [f for f in report.checks["duplicates"].findings if f.code == "DUP006"]
    return list(leak.ids), list(leak.groups)


def test_the_join_finds_what_the_exhaustive_search_finds(sets: dict[str, Path]) -> None:
    exhaustive = _leaked(audit(sets["train"], config={}, eval=sets["eval"], engine="memory"))
    assert _leaked(audit(sets["train"], config={}, eval=sets["eval"], engine="memory", **JOIN)) == exhaustive
    assert len(exhaustive[0]) == 47  # every copy of the 36 leaked items' training records


def test_stream_clean_twin_leaks_nothing(sets: dict[str, Path]) -> None:
    dup = _duplicates(audit(sets["train"], config={}, eval=sets["clean"], **STREAM, **JOIN))
    assert dup["metrics"]["leaked_records"] == 0 and "DUP006" not in _codes(dup)


def test_stream_baselines_equal_memory(sets: dict[str, Path], tmp_path: Path) -> None:
    # Two baseline files: their ids are prefixed with the file's name, as in memory.
    memory = checks_of(audit(sets["train"], config={}, baseline=[sets["eval"], sets["clean"]], engine="memory", **JOIN))
    stream = checks_of(audit(sets["train"], config={}, baseline=[sets["eval"], sets["clean"]], **STREAM, **JOIN))
    assert stream == memory
    codes = _codes(memory["duplicates"])
    assert {"DUP007", "DUP008"} <= set(codes)
    assert all(e["baseline_id"].startswith("eval.jsonl.gz:") for e in codes["DUP007"]["details"]["examples"])


def test_stream_still_refuses_what_it_cannot_run(sets: dict[str, Path]) -> None:
    with pytest.raises(InputError, match="reference"):
        audit(sets["train"], config={}, engine="stream", reference=sets["eval"])


# --- spark -----------------------------------------------------------------------------


def test_spark_parquet_train_and_gzipped_eval_equal_memory(spark: Any, sets: dict[str, Path]) -> None:
    # One run matches an eval set and a baseline (given as a file: URI): each Spark run costs seconds.
    sides: dict[str, Any] = {"eval": sets["eval"], "baseline": [sets["eval"]]}
    memory = checks_of(audit(sets["parquet"], config={}, engine="memory", **sides, **JOIN))
    uris = {"eval": str(sets["eval"]), "baseline": [f"file://{sets['eval']}"]}
    got = checks_of(audit(str(sets["parquet"]), config={}, engine="spark", scale__partition_mb=64 * KB, **uris, **JOIN))
    assert got == memory
    codes = _codes(got["duplicates"])
    assert codes["DUP006"]["details"]["eval_records_matched"] == 36 and {"DUP007", "DUP008"} <= set(codes)
    clean = _duplicates(audit(str(sets["parquet"]), config={}, eval=str(sets["clean"]), engine="spark", scale__partition_mb=64 * KB, **JOIN))
    assert clean["metrics"]["leaked_records"] == 0 and "DUP006" not in _codes(clean)


@pytest.mark.parametrize(
    ("flag", "given", "said"),
    [
        ("--eval", "nosuch://bucket/eval.jsonl", "--eval nosuch://bucket/eval.jsonl: this Spark has no connector for nosuch://"),
        ("--eval", "{root}/missing.jsonl.gz", "--eval {root}/missing.jsonl.gz: no such file or folder"),
        ("--baseline", "{root}/train.parquet.txt", "--baseline {root}/train.parquet.txt: no such file"),
        ("--eval", "{root}/cut.jsonl.gz", "--eval {root}/cut.jsonl.gz: Spark cannot read it: "),
    ],
)
def test_spark_unreadable_side_sets_are_one_line_and_exit_2(spark: Any, sets: dict[str, Path], flag: str, given: str, said: str) -> None:
    root = str(sets["train"].parent)
    whole = sets["eval"].read_bytes()
    (sets["train"].parent / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])  # a gzip cut short: Hadoop's codec fails
    result = CliRunner().invoke(main, ["check", str(sets["parquet"]), "--engine", "spark", flag, given.format(root=root), "--no-history", "--quiet"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert said.format(root=root) in line
