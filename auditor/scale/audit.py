"""The partitioned audit, stage by stage.

1. Cut the file into partitions at line starts; detect the layout once on the head.
2. Pass one (map): each partition -> ``measure.PartFeatures`` (hashes, lengths,
   quality measures, grouping codes; no text). The sha256 fingerprint is
   computed in a thread beside it.
3. Reduce: exact groups, input groups (contradictions), representatives, the
   task type; a Dataset whose text columns are read back on demand.
4. Near-duplicates: above ``duplicates.exact_below`` distinct pairs, the
   boilerplate shingles are counted on the same seeded sample of records as
   in memory (read back by offset), pass two (map) sketches each partition's
   distinct records (MinHash band keys and 8-bit bins), and the driver finds
   and verifies candidates exactly, re-reading only the records involved.
   Below it, the exhaustive search runs on the records read back.
5. The same checks judge: count and duplicates run unchanged on the seeded
   features, quality judges the merged measures; checks that need every text
   (agreement, coverage, expectations, plugins) are reported as skipped.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from auditor.config import Config, resolve
from auditor.context import Context, Progress
from auditor.errors import InputError
from auditor.features import (
    input_groups,
    input_keys,
    input_reps,
    input_runs,
    near_duplicates,
    near_params,
    norm_inputs,
    norm_outputs,
    normalizer,
    output_keys,
    output_runs,
    pair_reps,
    pair_runs,
    task_type,
)
from auditor.load import GROUP_FIELDS, InputInfo, readers
from auditor.load.detect import FieldOverrides
from auditor.load.parallel import worker_count
from auditor.neardup import NearParams, NearViews, Shingler, Sketch, near_views, sketch_all, verify_sketch
from auditor.scale.spill import SpilledSketch
from auditor.records import Dataset
from auditor.report.model import Report
from auditor.scale.engines import Engine, make_engine
from auditor.scale.lazy import IntColumn, LazyColumn, RecordReader
from auditor.scale.measure import Encoded, MeasureJob, PartFeatures, measure_partition
from auditor.scale.partitions import Layout, Partition, cut, detect_layout, read, streamable
from auditor.scale.reduce import input_groups_of, task_of
from auditor.text import Normalizer
from checks.base import Check, CheckResult, CodeInfo, Severity
from checks.quality import Measures, QualityCheck

ENGINES = ("auto", "memory", "stream", "spark")
#: The checks a partitioned run judges; every other check is reported as skipped.
PARTITIONED = ("count", "duplicates", "quality")


def choose_engine(cfg: Config, source: Any) -> tuple[str, str]:
    """The engine that will run, and why (for the log and the report's config)."""
    asked = str(cfg["scale.engine"])
    if asked == "memory":
        return "memory", "asked"
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


def audit_partitioned(path: Path, cfg: Config, engine_name: str, progress: Progress, started: float) -> Report:
    from auditor.api import _keep_fields, run  # here: auditor.api imports this module

    fields = FieldOverrides.from_config(cfg.section("fields"))
    layout = detect_layout(path, fields, tuple(dict.fromkeys((*GROUP_FIELDS, *_keep_fields(cfg)))))
    if layout is None:
        raise InputError(f"{path}: no JSON object in its first lines; use --engine memory to see every unreadable line")
    cfg = resolve(search=False, base=cfg, overrides={"scale.engine": engine_name})
    engine = make_engine(engine_name, worker_count(int(cfg["jobs"])), str(cfg["scale.spark_master"]))
    try:
        partitions = cut(path, int(float(cfg["scale.partition_mb"]) * (1 << 20)))
        ctx, info, measures, starts = _reduce(path, partitions, layout, cfg, engine, progress)
        loaded = time.perf_counter()
        _near(ctx, partitions, starts, layout, engine, progress)
        checks = _checks(measures)
        return run(ctx, info, started=started, load_seconds=loaded - started, checks=checks)
    finally:
        engine.close()






def _stage(progress: Progress, name: str, total: int, results: Iterator[Any]) -> Iterator[Any]:
    with progress.stage(name, total=total) as advance:
        for r in results:
            yield r
            advance(1)


def _reduce(
    path: Path, partitions: list[Partition], layout: Layout, cfg: Config, engine: Engine, progress: Progress
) -> tuple[Context, InputInfo, Measures, np.ndarray]:
    """Pass one and the reduce: the context with every shared feature but near-duplicates seeded."""
    norm = Normalizer.from_config(cfg.section("normalize"))
    from checks.quality_rules.tokens import token_budget

    job = MeasureJob(layout, norm, dict(cfg.section("quality")), token_budget(cfg).tokens)
    hashing = readers.Hashing()
    # The sha256 fingerprint runs in a thread beside the map; it starts once the
    # first result is in, so the local engine has forked its workers already and
    # no worker inherits a running thread.
    fingerprint = readers.Fingerprint(path, hashing)
    parts: list[PartFeatures] = []
    label = f"{engine.name}: measuring {len(partitions)} partitions on {engine.workers} workers"
    for part in _stage(progress, label, len(partitions), engine.map(measure_partition, partitions, job)):
        parts.append(part)
        fingerprint.start()
    fingerprint.join()

    starts = np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)
    n = int(starts[-1])
    template = layout.template
    data = Dataset(format=template.format, fields=template.fields, source=str(path))
    for p in parts:
        data.ids.extend(p.ids)
        data.problems.extend(p.problems)
        data.blank_lines += p.blank_lines
        p.ids = []
    lines = np.concatenate([p.lines for p in parts]) if parts else np.zeros(0, np.int64)
    data.lines = IntColumn(lines)  # type: ignore[assignment]  # read by exports, row by row
    if template.categories is not None:
        data.categories = _decode([p.categories for p in parts])
    for name in layout.kept:
        data.extra[name] = _decode([p.extra[name] for p in parts])
    reader = RecordReader(
        str(path),
        np.concatenate([p.offsets for p in parts]) if parts else np.zeros(0, np.int64),
        np.concatenate([p.lengths for p in parts]) if parts else np.zeros(0, np.int64),
        lines,
        layout,
        norm,
    )
    # Text columns: the in-memory checks index them for the few records a finding shows.
    data.inputs = LazyColumn(reader, "input")  # type: ignore[assignment]
    data.outputs = LazyColumn(reader, "output")  # type: ignore[assignment]
    if template.messages is not None:
        data.messages = LazyColumn(reader, "messages")  # type: ignore[assignment]
    if template.annotations is not None:
        data.annotations = LazyColumn(reader, "annotations")  # type: ignore[assignment]

    measures = Measures.merge([p.quality for p in parts], starts[:-1].tolist())
    input_hash, output_hash, loose_hash = (_joined(parts, name) for name in ("input_hash", "output_hash", "loose_hash"))
    words = np.concatenate([p.norm_output_words for p in parts]) if parts else np.zeros(0, np.int64)
    del parts

    ctx = Context(dataset=data, config=cfg, progress=progress)
    with progress.stage("grouping hashes"):
        # The hashes measured by the workers; exact groups and representatives
        # follow from them as in memory. Contradictions and the task type need
        # the texts there, so they come from what the workers measured instead.
        ctx.provide(normalizer, norm)
        ctx.provide(input_keys, input_hash)
        ctx.provide(output_keys, output_hash)
        ctx.provide(norm_inputs, LazyColumn(reader, "input", normalised=True))
        ctx.provide(norm_outputs, LazyColumn(reader, "output", normalised=True))
        ctx.provide(input_groups, input_groups_of(ctx.cached(input_runs), loose_hash))
        ctx.provide(task_type, task_of(str(cfg["task"]), ctx.cached(output_runs), words))
        ctx.cached(pair_runs)  # sorted here, inside this progress stage
    assert len(data.ids) == n
    info = InputInfo(path=str(path), format=data.format, bytes=hashing.bytes, sha256=hashing.hexdigest())
    return ctx, info, measures, starts


def _joined(parts: list[PartFeatures], name: str) -> np.ndarray:
    """One per-partition (n, 2) hash column, over all partitions."""
    return np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros((0, 2), np.uint64)


def _decode(columns: list[Encoded | None]) -> list[Any]:
    """Per-partition codes back to one list of values, every equal value one shared object."""
    canonical: dict[Any, Any] = {}
    out: list[Any] = []
    for col in columns:
        if col is None:
            continue
        values = [canonical.setdefault(v, v) for v in col.values]
        out.extend(values[c] for c in col.codes.tolist())
    return out


# --- near-duplicates --------------------------------------------------------------


def _near(ctx: Context, partitions: list[Partition], starts: np.ndarray, layout: Layout, engine: Engine, progress: Progress) -> None:
    params: NearParams = ctx.cached(near_params)
    pm, _ = ctx.cached(pair_reps)
    im, _ = ctx.cached(input_reps)
    ins, outs = ctx.cached(norm_inputs), ctx.cached(norm_outputs)
    with progress.stage("near-duplicates"):
        if len(pm) <= params.exact_below:
            views = near_views(ins, outs, pm, im, params)
        else:
            shingler = Shingler(ins, outs, params, pm)  # the boilerplate, from the seeded sample read back
            views = _sketched(ctx, partitions, starts, layout, engine, progress, shingler, pm, im, params)
    ctx.provide(near_duplicates, views)


def _sketched(
    ctx: Context,
    partitions: list[Partition],
    record_starts: np.ndarray,
    layout: Layout,
    engine: Engine,
    progress: Progress,
    shingler: Shingler,
    pm: np.ndarray,
    im: np.ndarray,
    params: NearParams,
) -> NearViews:
    """Pass two: band keys and bins of each partition's distinct records, then the exact verification."""
    in_rows = np.searchsorted(pm, im)
    is_input = np.zeros(len(pm), np.bool_)
    is_input[in_rows] = True
    items = []
    bounds = np.searchsorted(pm, record_starts)
    for k, part in enumerate(partitions):
        lo, hi = bounds[k], bounds[k + 1]
        items.append((part, pm[lo:hi] - record_starts[k], is_input[lo:hi]))
    job = SketchJob(layout, ctx.cached(normalizer), params, shingler.boiler)
    label = f"{engine.name}: sketching {len(partitions)} partitions for near-duplicates"
    sketch = SpilledSketch()  # partitions arrive in order: their rows follow each other
    try:
        for part_sketch in _stage(progress, label, len(items), engine.map(sketch_partition, items, job)):
            sketch.add(part_sketch)
        return verify_sketch(shingler, pm, in_rows, sketch, params)
    finally:
        sketch.close()


class SketchJob:
    def __init__(self, layout: Layout, norm: Normalizer, params: NearParams, boiler: list[np.ndarray]) -> None:
        self.layout, self.norm, self.params, self.boiler = layout, norm, params, boiler


def sketch_partition(item: tuple[Partition, np.ndarray, np.ndarray], job: SketchJob) -> Sketch:
    part, rows, is_input = item
    data = read(part, job.layout).data
    ins = job.norm.many(data.inputs)
    outs = job.norm.many(data.outputs)
    shingler = Shingler(ins, outs, job.params, rows, boiler=job.boiler)
    return sketch_all(shingler, rows, is_input, job.params)


# --- judging ------------------------------------------------------------------------


class _Judged:
    """The quality check judging the merged measures of every partition."""

    def __init__(self, check: QualityCheck, measures: Measures) -> None:
        self.check, self.measures = check, measures
        self.name: str = check.name
        self.codes: tuple[CodeInfo, ...] = check.codes

    def run(self, ctx: Context) -> CheckResult:
        from checks.quality_rules.tokens import token_counter

        return self.check.judge(ctx, self.measures, ctx.cached(token_counter))


class _Skipped:
    def __init__(self, check: Check) -> None:
        self.name: str = check.name
        self.codes: tuple[CodeInfo, ...] = check.codes

    def run(self, ctx: Context) -> CheckResult:
        ran = ", ".join(PARTITIONED)
        engine = ctx.config["scale.engine"]
        reason = f"not run by the {engine} engine, which holds no text (it runs {ran}): use --engine memory for this check"
        if self.name == "agreement":
            # Agreement is a readiness criterion: not measuring it must weigh in
            # the verdict exactly as missing annotations do, never read as a pass.
            from checks.agreement import NOT_MEASURED

            required = bool(ctx.config["agreement.required"])
            finding = NOT_MEASURED.finding(
                f"Agreement was not measured: the {engine} engine does not run the agreement check.",
                "Run `auditor check` with --engine memory on the annotated records (a file of them alone is small "
                "enough), or set agreement.required = false if agreement is measured elsewhere.",
                severity=Severity.BLOCKER if required else Severity.WARNING,
            )
            return CheckResult(name=self.name, metrics={"skipped": reason}, findings=(finding,))
        return CheckResult.skipped(self.name, reason)


def _checks(measures: Measures) -> list[Any]:
    from auditor.registry import all_checks

    out: list[Any] = []
    for check in all_checks():
        if isinstance(check, QualityCheck):
            out.append(_Judged(check, measures))
        elif check.name in PARTITIONED:
            out.append(check)
        else:
            out.append(_Skipped(check))
    return out
