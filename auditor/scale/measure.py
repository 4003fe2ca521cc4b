"""The map of a partitioned run: one partition's records, measured in a worker, and no text back.

Per record the engine keeps its id, line and byte span and the grouping
columns dictionary-encoded; everything else comes from the partitioned units
(``auditor.core.partitioned``): the shared features the checks name (hashes of
the normalised texts, ...) and the checks' own measures (the quality scan's
hits, lengths and token counts). Each unit measures a ``Context`` over the
partition's records whose cache they share, so the outputs are normalised
once per partition however many units read them.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from auditor.core.columns import index_width, narrow
from auditor.core.config import Config
from auditor.core.context import Context
from auditor.core.partitioned import PartitionedCheck
from auditor.core import systems
from auditor.core.records import Dataset, LoadNote, LoadProblem
from auditor.runtime.errors import AuditorError
from auditor.scale.ids import PackedIds
from auditor.scale.partitions import Layout, Partition, Read, read


@dataclass(frozen=True)
class MeasureJob:
    """What every partition of pass one is measured with (picklable: it travels to the workers)."""

    layout: Layout
    config: Config
    units: tuple[Any, ...]  # PartitionedFeature and PartitionedCheck objects, in the order their results come back


@dataclass
class Encoded:
    """A column as small integer codes into its distinct values."""

    codes: np.ndarray  # per record, in the narrowest width
    values: list[Any]

    @classmethod
    def of(cls, column: list[Any]) -> Encoded:
        index: dict[Any, int] = {}
        codes = np.fromiter((index.setdefault(_hashable(v), len(index)) for v in column), np.int32, len(column))
        return cls(narrow(codes, len(index)), list(index))  # 1 byte a record for up to 127 values, as the driver keeps it


def _hashable(value: Any) -> Any:
    """The value, or its text when it cannot be a dict key; grouping reads str(value) either way."""
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


@dataclass
class PartFeatures:
    number: int
    ids: PackedIds | list[Any]
    lines: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    categories: Encoded | None
    extra: dict[str, Encoded]
    measured: list[Any]  # per unit of the job, in its order
    # The partition's system prompts (``auditor.core.systems``): the distinct hashes, and those two of its
    # records share. The driver tells from them which prompts two records of the whole run share.
    systems: tuple[np.ndarray, np.ndarray] | None = None
    problems: list[LoadProblem] = field(default_factory=list)
    blank_lines: int = 0
    notes: list[LoadNote] = field(default_factory=list)
    # A Spark source's valid records as JSON lines in compressed blocks, for the driver's read-back copy (offsets
    # point into the uncompressed lines): a ``spill.Packed``, whose bytes an executor in local mode wrote to the
    # file ``raw_path`` instead.
    raw: Any = None
    raw_path: str | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Failed:
    """What a check's ``measure`` raised in a worker: the check fails when it runs (AUD001), not the audit."""

    error: Exception


def _measure(unit: Any, ctx: Context) -> Any:
    try:
        return unit.measure(ctx)
    except AuditorError:
        raise  # bad configuration or input: the user must fix it (exit 2), as in memory
    except Exception as exc:  # a check's own failure; a shared feature's stops the run (nothing could read it)
        if isinstance(unit, PartitionedCheck):
            return Failed(_portable(exc))
        raise


def _portable(exc: Exception) -> Exception:
    """The error itself when it survives the trip back from the worker, else its words."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # any exception a third-party check defines may refuse pickling
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def measure_partition(part: Partition, job: MeasureJob) -> PartFeatures:
    return measure_read(part.number, read(part, job.layout), job)


def measure_read(number: int, got: Read, job: MeasureJob) -> PartFeatures:
    """One partition's records, as read, measured by every unit of the job."""
    data = got.data
    ctx = Context(dataset=data, config=job.config)
    return PartFeatures(
        number=number,
        ids=PackedIds.pack(data.ids),  # about 19 bytes an id on the driver, not 70
        lines=np.asarray(data.lines, index_width(max(data.lines, default=0) + 1)),  # 32 bits while lines fit
        offsets=got.offsets,
        lengths=got.lengths,
        categories=Encoded.of(data.categories) if data.categories is not None else None,
        extra={k: Encoded.of(v) for k, v in data.extra.items()},
        measured=[_measure(unit, ctx) for unit in job.units],
        systems=_systems(data),
        problems=data.problems,
        blank_lines=got.blank_lines,
        notes=data.notes,
    )


def _systems(data: Dataset) -> tuple[np.ndarray, np.ndarray] | None:
    if data.system_ends is None:
        return None
    hashes = systems.prompt_hashes(data.inputs, data.system_ends, bool(data.fields.messages))[1]
    return np.unique(hashes), systems.repeated(hashes)


def on_records(item: tuple[Partition, Any], work: tuple[Layout, Config, Callable[[Context, Any, Any], Any], Any]) -> Any:
    """A further pass: ``fn(context over the partition's records, the partition's argument, job)``."""
    part, arg = item
    layout, config, fn, job = work
    return fn(Context(dataset=read(part, layout).data, config=config), arg, job)
