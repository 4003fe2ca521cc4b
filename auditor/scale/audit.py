"""The partitioned audit, stage by stage.

1. Cut the file into partitions at line starts; detect the layout once on the head.
2. Pass one (map): each partition's records are read in a worker and every
   partitioned unit measures them (``auditor.core.partitioned``): the shared
   features the partitioned checks name, and the checks themselves. Beside
   them the worker keeps each record's id, line, byte span and grouping
   columns (``measure.PartFeatures``): no text. The sha256 fingerprint is
   computed in a thread meanwhile.
3. Reduce: a Dataset whose text columns are read back on demand; each
   feature merges its partitions into the run's context (in the order their
   requirements set; a feature may run a further pass, as near-duplicates
   does), and each check merges its own.
4. Judge: every partitioned check judges its merged numbers with the
   context; checks that do not implement the protocol (they need every text
   in memory) are reported as not run. The report is built by the caller.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from auditor.core.columns import Coded
from auditor.core.config import Config, resolve
from auditor.core.context import Context, Progress
from auditor.core.findings import CheckResult, CodeInfo
from auditor.core.partitioned import MergesInCluster, PartitionedCheck, Partitions, Shuffles, in_order
from auditor.core.protocol import Check, ReportsNotRun
from auditor.core.records import Dataset
from auditor.features import norm_inputs, norm_outputs, normalizer
from auditor.load import GROUP_FIELDS, InputInfo, readers
from auditor.load.detect import FieldOverrides
from auditor.load.limits import Limits
from auditor.load.parallel import worker_count
from auditor.runtime.allocator import return_free_pages
from auditor.runtime.errors import AuditorError, InputError
from auditor.scale.engines import Engine, LocalEngine
from auditor.scale.gather import Gathered
from auditor.scale.spill import Spill
from auditor.scale.lazy import IntColumn, LazyColumn, RecordReader
from auditor.scale.measure import Encoded, Failed, MeasureJob, measure_partition, on_records
from auditor.scale.partitions import Layout, Partition, cut, detect_layout, streamable
from auditor.similarity import Normalizer

ENGINES = ("auto", "memory", "stream", "spark")

A = TypeVar("A")
J = TypeVar("J")
R = TypeVar("R")


def choose_engine(cfg: Config, source: Any) -> tuple[str, str]:
    """The engine that will run, and why (for the log and the report's config)."""
    asked = str(cfg["scale.engine"])
    if asked == "memory":
        return "memory", "asked"
    if asked == "spark" and (source is None or isinstance(source, str | os.PathLike)):
        return "spark", "asked"  # anything Spark reads: listed, and refused if need be, by the Spark session
    if not isinstance(source, str | os.PathLike):
        if asked == "auto":
            return "memory", "an in-memory source"
        raise InputError(f"--engine {asked} reads a JSON lines file; pass a path, not a {type(source).__name__}")
    path = Path(source)
    why = streamable(path) if path.exists() else "missing"
    if why is not None:
        if asked == "auto" or why == "missing":
            return "memory", f"{path.name} is {why}"
        raise InputError(f"--engine {asked} reads JSON lines files in partitions; {path} is {why}: use --engine memory")
    if asked != "auto":
        return asked, "asked"
    limit = int(cfg["scale.auto_bytes"]) or _physical_memory() // 8
    size = path.stat().st_size
    if size > limit:
        return "stream", f"{size / 1e9:.1f} GB is above scale.auto_bytes ({limit / 1e9:.1f} GB)"
    return "memory", f"{size / 1e9:.2f} GB fits in memory (scale.auto_bytes {limit / 1e9:.1f} GB)"


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 8 << 30


@dataclass
class Prepared:
    """A partitioned run ready to judge: the context, the input's fingerprint, the checks to run."""

    context: Context
    info: InputInfo
    checks: list[Check]
    loaded: float  # perf_counter when the partitions were measured and merged


def audit_partitioned(
    path: Path, cfg: Config, engine_name: str, progress: Progress, keep: Sequence[str], checks: Sequence[Check], others: Mapping[str, Dataset] | None = None
) -> Prepared:
    """Measure ``path`` partition by partition for ``checks`` (``keep``: raw fields some check asked for;
    ``others``: the side sets, an eval set or a baseline, read whole)."""
    fields = FieldOverrides.from_config(cfg.section("fields"))
    section = {**cfg.section("load"), "max_memory_share": 0}  # partitions bound memory by their size
    limits = Limits.from_config(section)
    layout = detect_layout(path, fields, tuple(dict.fromkeys((*GROUP_FIELDS, *keep))), limits)
    if layout is None:
        raise InputError(f"{path}: no JSON object in its first lines; use --engine memory to see every unreadable line")
    cfg = resolve(search=False, base=cfg, overrides={"scale.engine": engine_name})
    partitioned = [c for c in checks if isinstance(c, PartitionedCheck)]
    features = in_order([f for c in partitioned for f in c.features])
    engine = LocalEngine(worker_count(int(cfg["jobs"])))
    try:
        partitions = cut(path, int(float(cfg["scale.partition_mb"]) * (1 << 20)))
        job = MeasureJob(layout, cfg, (*features, *partitioned))
        ctx, info, measured, starts = _pass_one(path, partitions, job, engine, progress)
        ctx.others = dict(others or {})
        loaded = time.perf_counter()
        handle = _Partitions(engine, partitions, layout, cfg, starts, progress)
        judged = reduce_measures(ctx, measured, starts, features, partitioned, handle)
    finally:
        engine.close()
    return prepared(ctx, info, checks, partitioned, judged, loaded)


def reduce_measures(
    ctx: Context, measured: list[list[Any]], starts: np.ndarray, features: list[Any], partitioned: list[PartitionedCheck], handle: Partitions
) -> dict[int, Check]:
    """The reduce: each check merges its partitions, then each feature merges into the context."""
    # Each unit's partition results are dropped once merged: the checks' first
    # (their merge is pure), so they are gone before a feature's second pass.
    # After each merge the partitions' results, freed, go back to the system (``return_free_pages``), so the
    # next stage's temporaries raise the peak from what the run holds, not from what it held.
    judged: dict[int, Check] = {}
    for k, check in enumerate(partitioned, len(features)):
        judged[id(check)] = _Judged(check, _merged(check, measured[k], starts[:-1].tolist()))
        measured[k] = []
        return_free_pages()
    for k, feature in enumerate(features):
        if isinstance(handle, Shuffles) and isinstance(feature, MergesInCluster):
            feature.merge_in_cluster(ctx, handle)
        else:
            feature.merge(ctx, measured[k], handle)
        measured[k] = []
        return_free_pages()
    return judged


class NotMeasured:
    """A feature left out of pass one: the engine computes it in the cluster (``MergesInCluster``)."""

    def __init__(self, feature: Any) -> None:
        self.feature = feature

    def measure(self, part: Context) -> None:
        return None


def prepared(ctx: Context, info: InputInfo, checks: Sequence[Check], partitioned: list[PartitionedCheck], judged: dict[int, Check], loaded: float) -> Prepared:
    ran = ", ".join(c.name for c in partitioned)
    return Prepared(ctx, info, [judged.get(id(c)) or _NotRun(c, ran) for c in checks], loaded)


def _stage(progress: Progress, name: str, total: int, results: Iterator[Any]) -> Iterator[Any]:
    with progress.stage(name, total=total) as advance:
        for r in results:
            yield r
            advance(1)


def _pass_one(
    path: Path, partitions: list[Partition], job: MeasureJob, engine: Engine, progress: Progress
) -> tuple[Context, InputInfo, list[list[Any]], np.ndarray]:
    """Pass one: the context (records, grouping columns, lazy texts) and each unit's results by partition."""
    hashing = readers.Hashing()
    # The sha256 fingerprint runs in a thread beside the map; it starts once the
    # first result is in, so the local engine has forked its workers already and
    # no worker inherits a running thread.
    fingerprint = readers.Fingerprint(path, hashing)
    gathered = Gathered(len(job.units))
    label = f"{engine.name}: measuring {len(partitions)} partitions on {engine.workers} workers"
    for part in _stage(progress, label, len(partitions), engine.map(measure_partition, partitions, job)):
        gathered.add(part)
        fingerprint.start()
    fingerprint.join()

    ctx, measured, starts = assemble(gathered, job, str(path), RecordReaderAt(str(path)), progress)
    info = InputInfo(path=str(path), format=ctx.dataset.format, bytes=hashing.bytes, sha256=hashing.hexdigest())
    return ctx, info, measured, starts


@dataclass(frozen=True)
class RecordReaderAt:
    """Where the records' lines are read back from: a file by path, or a copy of them (a Spark source's)."""

    path: str
    spill: Spill | None = None


def assemble(gathered: Gathered, job: MeasureJob, source: str, at: RecordReaderAt, progress: Progress) -> tuple[Context, list[list[Any]], np.ndarray]:
    """The context of a partitioned run (records, grouping columns, lazy texts) and each unit's results by partition."""
    cfg, layout = job.config, job.layout
    norm = Normalizer.from_config(cfg.section("normalize"))
    starts = gathered.starts()
    n = int(starts[-1])
    template = layout.template
    # Which system prompts are boilerplate is known once every partition is in: each partition read from
    # here on (a further pass, a record read back) gets it through the layout's template (``empty_like``).
    template.shared_systems = gathered.shared_systems()
    data = Dataset(format=template.format, fields=template.fields, source=source, shared_systems=template.shared_systems)
    data.ids = gathered.ids.done()  # type: ignore[assignment]  # read by index, row by row
    data.problems, data.notes, data.blank_lines = gathered.problems, gathered.notes, gathered.blank_lines
    # Per record on the driver: the line (32 bits while lines fit), and the offset and length of its line in the
    # file read back (32 bits while they fit: a copy passes 4 GB at a few million records; no length for a copy).
    lines = gathered.lines.done()
    data.lines = IntColumn(lines)  # type: ignore[assignment]  # read by exports, row by row
    if template.categories is not None:
        data.categories = _decode(gathered.categories)  # type: ignore[assignment]  # a Sequence, 1 byte a record
    for name in layout.kept:
        data.extra[name] = _decode(gathered.extra.get(name, []))  # type: ignore[assignment]
    reader = RecordReader(
        at.path,
        gathered.offsets.done(),
        None if at.spill is not None or gathered.lengths is None else gathered.lengths.done(),  # a copy: its lines follow each other
        lines,
        layout,
        norm,
        spill=at.spill,
    )
    # Text columns: the in-memory checks index them for the few records a finding shows.
    data.inputs = LazyColumn(reader, "input")  # type: ignore[assignment]
    data.outputs = LazyColumn(reader, "output")  # type: ignore[assignment]
    if template.messages is not None:
        data.messages = LazyColumn(reader, "messages")  # type: ignore[assignment]
    if template.annotations is not None:
        data.annotations = LazyColumn(reader, "annotations")  # type: ignore[assignment]
    measured = gathered.measured
    assert len(data.ids) == n

    ctx = Context(dataset=data, config=cfg, progress=progress)
    # The texts, normalised, are read back by offset for the few records a feature needs.
    ctx.provide(normalizer, norm)
    ctx.provide(norm_inputs, LazyColumn(reader, "request", normalised=True))  # as features.norm_inputs
    ctx.provide(norm_outputs, LazyColumn(reader, "output", normalised=True))
    return ctx, measured, starts


def _decode(columns: list[Encoded]) -> Coded:
    """Per-partition codes as one column of codes into the distinct values (every equal value one shared object)."""
    return Coded.concat([(col.codes, col.values) for col in columns])


class _Partitions:
    """``auditor.core.partitioned.Partitions``: a further map over the partitions, for a feature's merge."""

    def __init__(self, engine: Engine, partitions: list[Partition], layout: Layout, cfg: Config, starts: np.ndarray, progress: Progress) -> None:
        self._engine, self.partitions, self.layout, self.config = engine, partitions, layout, cfg
        self.engine: str = engine.name
        self.starts, self.progress = starts, progress

    def map(self, fn: Callable[[Context, A, J], R], args: Sequence[A], job: J, label: str) -> Iterator[R]:
        items = list(zip(self.partitions, args))
        work = (self.layout, self.config, fn, job)
        yield from _stage(self.progress, f"{self.engine}: {label}", len(items), self._engine.map(on_records, items, work))


# --- judging ------------------------------------------------------------------------


def _merged(check: PartitionedCheck, parts: list[Any], starts: list[int]) -> Any:
    """The check's merge of its partitions, or the error its measure or merge raised."""
    failed = next((p for p in parts if isinstance(p, Failed)), None)
    if failed is not None:
        return failed
    try:
        return check.merge(parts, starts)
    except AuditorError:
        raise
    except Exception as exc:  # raised again when the check runs, inside the pipeline's guard
        return Failed(exc)


class _Judged:
    """A partitioned check judging its merged measures."""

    def __init__(self, check: PartitionedCheck, merged: Any) -> None:
        self.check, self.merged = check, merged
        self.name: str = check.name
        self.codes: tuple[CodeInfo, ...] = check.codes

    def run(self, ctx: Context) -> CheckResult:
        if isinstance(self.merged, Failed):
            # A check that raised while measuring or merging fails like one that
            # raises in memory: AUD001 for it, and the run goes on.
            raise self.merged.error
        return self.check.judge(ctx, self.merged)


class _NotRun:
    """A check the engine cannot run (it needs every text): skipped, or what the check says that means."""

    def __init__(self, check: Check, ran: str) -> None:
        self.check, self.ran = check, ran
        self.name: str = check.name
        self.codes: tuple[CodeInfo, ...] = check.codes

    def run(self, ctx: Context) -> CheckResult:
        engine = ctx.config["scale.engine"]
        reason = f"not run by the {engine} engine, which holds no text (it runs {self.ran}): use --engine memory for this check"
        if isinstance(self.check, ReportsNotRun):
            return self.check.not_run(ctx, reason)
        return CheckResult.skipped(self.name, reason)
