"""A side set of a Spark run (the eval set, a baseline), read through Spark and held whole on the driver.

A side set is small (thousands to tens of thousands of records) and is
matched against the training set by a band-key join in the executors
(``auditor.features.crosspart``), which needs its texts in one place. It is
read as the main source is (``sparksource``: any file system the session
has, JSON lines gzipped or not, Parquet; the loader's line parser and
layout detection, so its records, ids and load problems are the in-memory
loader's), then its partitions are collected in order. As in memory, its
layout is detected on its own, with the user's field names as a fallback.
A missing connector, a path matching nothing or an unreadable file is one
line naming the flag, before the main source is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from auditor.core.config import Config
from auditor.core.records import Dataset
from auditor.load.detect import FieldOverrides
from auditor.load.limits import Limits
from auditor.load.parallel import worker_count
from auditor.runtime.errors import InputError
from auditor.scale.engines import SparkEngine
from auditor.scale.partitions import Layout
from auditor.scale.sparksource import ReadJob, SparkSource, head_layout, locate, numbering, rdd_of, read_items


def read_side(cfg: Config, flag: str, source: str, fields: FieldOverrides, limits: Limits) -> Dataset:
    """The side set at ``source`` (``flag``: "--eval" or "--baseline", for messages), every record on the driver."""
    engine = SparkEngine(str(cfg["scale.spark_master"]), worker_count(int(cfg["jobs"])))  # the run's session: one per process
    session = engine.session
    partition_bytes = int(float(cfg["scale.partition_mb"]) * (1 << 20))
    try:
        src = locate(session, source, None)
        rdd, piece_of = rdd_of(session, src, partition_bytes)
        layout = _layout(rdd, src, fields, limits)
        job = ReadJob(src.kind, layout, numbering(rdd, piece_of, src), len(src.pieces) > 1)
        parts = list(engine.map_partitions(rdd, _records, job))
    except InputError as exc:
        raise InputError(f"{flag} {exc}") from None
    data = Dataset(format=layout.template.format, fields=layout.template.fields, source=src.label)
    if layout.template.categories is not None:
        data.categories = []
    for part in parts:
        data.ids.extend(part.ids)
        data.lines.extend(part.lines)
        start = len(data.inputs)
        data.inputs.extend(part.inputs)
        data.add_system_ends(start, part.system_ends)
        data.outputs.extend(part.outputs)
        if data.categories is not None and part.categories is not None:
            data.categories.extend(part.categories)
        data.problems.extend(part.problems)
        data.notes.extend(part.notes)
        data.blank_lines += part.blank_lines
    return data


def _layout(rdd: Any, src: SparkSource, fields: FieldOverrides, limits: Limits) -> Layout:
    """Detected on its own first; with the user's field names when that fails (as ``api._load_other``)."""
    detect = replace(limits, max_bad_run=0)
    try:
        layout = head_layout(rdd, src, FieldOverrides(), (), detect)
    except InputError:
        if fields == FieldOverrides():
            raise
        layout = None
    if layout is None and fields != FieldOverrides():
        layout = head_layout(rdd, src, fields, (), detect)
    if layout is None:
        raise InputError(f"{src.label}: no JSON object in its first lines or rows")
    return layout


def _records(k: int, items: Iterable[Any], job: ReadJob) -> Dataset:
    """In an executor: partition k's records, texts included (a side set is small)."""
    got, _ = read_items(k, items, job, keep_raw=False)
    data: Dataset = got.data
    data.blank_lines += got.blank_lines
    return data
