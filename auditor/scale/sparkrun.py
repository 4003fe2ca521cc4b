"""A Spark source audited: the map in the executors over whatever Spark reads, the reduce as the stream engine's.

Stages: list the source and detect its layout (``sparksource``); count each
partition's lines, so every record gets the line (or row) number it has in
its file and ids match the in-memory engine's; pass one in the executors
(the same ``measure_read`` as the stream engine: no text back beyond the
valid records' JSON lines); then the stream engine's reduce
(``audit.reduce_measures``), whose further passes (the near-duplicate
sketch) run in the executors again over the same partitions.

The driver keeps a copy of the valid records as JSON lines, in compressed
blocks in an anonymous temporary file (``spill``), written as partitions
arrive: the reduce reads back by offset the records a finding shows, the
boilerplate sample and the contradictions' outputs, as the stream engine
reads its file. The grouping, the candidate search and the exact
verification run in the cluster (``SparkPartitions``).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, TypeVar

import numpy as np

from auditor.core.config import Config, resolve
from auditor.core.context import Context, Progress
from auditor.core.partitioned import MergesInCluster, PartitionedCheck, in_order
from auditor.core.protocol import Check
from auditor.core.records import Dataset
from auditor.load import GROUP_FIELDS, InputInfo
from auditor.load.detect import FieldOverrides
from auditor.load.limits import Limits
from auditor.load.parallel import worker_count
from auditor.runtime.allocator import give_back_large_blocks
from auditor.runtime.errors import InputError
from auditor.scale.audit import NotMeasured, Prepared, RecordReaderAt, _stage, assemble, prepared, reduce_measures
from auditor.scale.engines import SparkEngine
from auditor.scale.shuffle import SparkRouted
from auditor.scale.gather import Gathered
from auditor.scale.measure import MeasureJob, PartFeatures, measure_read
from auditor.scale.spill import Spill, pack
from auditor.scale.sparksource import ReadJob, head_layout, locate, numbering, rdd_of, read_items

A = TypeVar("A")
J = TypeVar("J")
R = TypeVar("R")


def audit_spark(
    source: str | None, table: str | None, cfg: Config, progress: Progress, keep: Sequence[str], checks: Sequence[Check], others: Mapping[str, Dataset] | None = None
) -> Prepared:
    """Measure a Spark source (path, glob or URI; or ``table``) for ``checks`` (``keep``: raw fields some check asked for;
    ``others``: the side sets, an eval set or a baseline, read whole: ``sparkside``)."""
    # The driver holds a few per-record arrays for the run and builds dataset-sized temporaries stage after stage:
    # each freed one goes back to the system, not to a heap that keeps its high-water mark (``allocator``).
    give_back_large_blocks()
    fields = FieldOverrides.from_config(cfg.section("fields"))
    limits = Limits.from_config({**cfg.section("load"), "max_memory_share": 0})
    # The Config itself, not its values: a key keeps where it was set (the token budget tells a
    # given quality.max_tokens from the default by it), as on the stream path.
    cfg = resolve(search=False, base=cfg, overrides={"scale.engine": "spark"})
    engine = SparkEngine(str(cfg["scale.spark_master"]), worker_count(int(cfg["jobs"])))
    session = engine.session
    partition_bytes = int(float(cfg["scale.partition_mb"]) * (1 << 20))
    with progress.stage("spark: listing the source"):
        src = locate(session, source, table)
        rdd, piece_of = rdd_of(session, src, partition_bytes)
        layout = head_layout(rdd, src, fields, tuple(dict.fromkeys((*GROUP_FIELDS, *keep))), replace(limits, max_bad_run=0))
    if layout is None:
        raise InputError(f"{src.label}: no JSON object in its first lines or rows")
    with progress.stage(f"spark: counting the lines of {len(piece_of)} partitions"):
        read_job = ReadJob(src.kind, layout, numbering(rdd, piece_of, src), len(src.pieces) > 1)
    partitioned = [c for c in checks if isinstance(c, PartitionedCheck)]
    features = in_order([f for c in partitioned for f in c.features])
    # Features the cluster computes (the grouping of hashes) are not measured in pass one: nothing of theirs reaches the driver.
    units = tuple(NotMeasured(f) if isinstance(f, MergesInCluster) else f for f in features)
    job = MeasureJob(layout, cfg, (*units, *partitioned))
    gathered, spill = _pass_one(engine, rdd, read_job, job, progress)
    ctx, measured, starts = assemble(gathered, job, src.label, RecordReaderAt(f"{src.label} (the driver's copy of its records)", spill), progress)
    ctx.others = dict(others or {})
    loaded = time.perf_counter()
    info = InputInfo(path=src.label, format=ctx.dataset.format, bytes=src.bytes, sha256=None)
    handle = SparkPartitions(engine, rdd, read_job, cfg, starts, progress)
    judged = reduce_measures(ctx, measured, starts, features, partitioned, handle)
    return prepared(ctx, info, checks, partitioned, judged, loaded)


def _pass_one(engine: SparkEngine, rdd: Any, read_job: ReadJob, job: MeasureJob, progress: Progress) -> tuple[Gathered, Spill]:
    """Every partition measured in the executors; their records' lines spilled to an anonymous file as they arrive.

    The executors compress each partition's lines in blocks (``spill.pack``).
    In local mode they write them to a file of a temporary folder and the
    driver appends it to the copy: a partition's lines (a gzipped part is one
    partition, however large) never pass through the JVM's heap as a task
    result. On a cluster they come back with the task's result.
    Each partition's columns are folded into arrays sized by the counting
    pass as it arrives (``Gathered``), then dropped.
    """
    n = rdd.getNumPartitions()
    gathered = Gathered(len(job.units), capacity=read_job.numbering.total, lengths=False)
    label = f"spark: measuring {n} partitions on {engine.workers} cores"
    spill = Spill()
    try:
        with tempfile.TemporaryDirectory(prefix="auditor-spark-") as folder:
            work = (read_job, job, folder if engine.local else None)
            for part in _stage(progress, label, n, engine.map_partitions(rdd, measure_items, work)):
                gathered.add(part, spill.size)
                if part.raw_path is not None:
                    spill.append_file(part.raw_path, part.raw)
                else:
                    spill.append(part.raw)
                part.raw = None
    except BaseException:
        spill.close()
        raise
    spill.done()
    return gathered, spill


def measure_items(k: int, items: Iterable[Any], work: tuple[ReadJob, MeasureJob, str | None]) -> PartFeatures:
    """In an executor: partition k read and measured as the stream engine measures a byte range."""
    read_job, job, folder = work
    got, raw = read_items(k, items, read_job, keep_raw=True)
    part = measure_read(k, got, job)
    part.lengths = np.zeros(0, np.int32)  # the driver's copy holds the lines one after the other: no length needed
    part.raw = pack(raw)
    del raw
    if folder is not None:
        part.raw_path = os.path.join(folder, f"part-{k:06d}")
        with open(part.raw_path, "wb") as fh:
            fh.write(part.raw.data)
        part.raw = replace(part.raw, data=b"")
    return part


def on_items(k: int, items: Iterable[Any], work: tuple[ReadJob, Config, Callable[[Context, Any, Any], Any], Any, Sequence[Any]]) -> Any:
    """In an executor: a further pass, ``fn(context over partition k's records, its argument, job)``."""
    read_job, config, fn, job, args = work
    got, _ = read_items(k, items, read_job, keep_raw=False)
    return fn(Context(dataset=got.data, config=config), args[k], job)


class SparkPartitions:
    """``auditor.core.partitioned.Shuffles`` over a Spark source: a further map in the executors, and rows grouped there."""

    engine = "spark"

    def __init__(self, spark: SparkEngine, rdd: Any, read_job: ReadJob, cfg: Config, starts: np.ndarray, progress: Progress) -> None:
        self._spark, self._rdd, self._read_job, self._config = spark, rdd, read_job, cfg
        self.starts, self.progress = starts, progress
        # Reducer buckets: a few per core, and no fewer than the source's partitions (a bucket's rows fit one executor).
        self.buckets = max(rdd.getNumPartitions(), 4 * spark.workers)

    def route(self, fn: Callable[[Context, A, J], Iterable[tuple[int, Any]]], args: Sequence[A], job: J, label: str) -> SparkRouted:
        shared = self._spark.session.sparkContext.broadcast((self._read_job, self._config, fn, job, list(args)))

        def run(k: int, items: Iterable[Any]) -> Iterable[tuple[int, Any]]:
            read_job, config, f, j, a = shared.value
            got, _ = read_items(k, items, read_job, keep_raw=False)
            return f(Context(dataset=got.data, config=config), a[k], j)

        return SparkRouted(self._spark.session.sparkContext, self._rdd.mapPartitionsWithIndex(run), self.buckets, self.progress)

    def map(self, fn: Callable[[Context, A, J], R], args: Sequence[A], job: J, label: str) -> Iterator[R]:
        n = self._rdd.getNumPartitions()
        work = (self._read_job, self._config, fn, job, list(args))
        yield from _stage(self.progress, f"spark: {label}", n, self._spark.map_partitions(self._rdd, on_items, work))
