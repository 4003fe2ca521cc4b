"""Checks and features that run a partition at a time: measure, merge, judge.

A partitioned engine (``auditor.scale``: the stream engine, Spark) never holds
the texts. It cuts a file into partitions and, in a worker, reads each one
and hands a ``Context`` over its records (the run's config; a cache shared by
everything measured on that partition) to every unit's ``measure``, which
returns compact numbers and no text. The driver gathers those in partition
order and merges them. The engine knows no check and no feature by name:

- a check says it can run partitioned by implementing ``PartitionedCheck``
  (``measure`` a partition, ``merge`` the partitions' results, ``judge``
  them with the run's context); ``features`` names the shared features its
  judgement reads from the context;
- each such feature implements ``PartitionedFeature``: ``measure`` a
  partition, then ``merge`` on the driver, seeding the run's context with
  its value (``Context.provide``) before any check judges. A feature that
  needs a second look at the records (near-duplicates: its boilerplate and
  sketch depend on every partition's hashes) gets it through the
  ``Partitions`` handle.

Checks that do not implement the protocol are reported as not run (see
``ReportsNotRun`` in ``auditor.core.protocol``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable

from auditor.core.findings import CheckResult
from auditor.core.protocol import Check

if TYPE_CHECKING:
    import numpy as np

    from auditor.core.context import Context

A = TypeVar("A")
J = TypeVar("J")
R = TypeVar("R")


class Partitions(Protocol):
    """The driver's handle on the partitions of a run, lent to ``PartitionedFeature.merge``."""

    engine: str  # "stream" or "spark", for progress labels
    starts: np.ndarray  # each partition's first record index, then the record count

    def map(self, fn: Callable[[Context, A, J], R], args: Sequence[A], job: J, label: str) -> Iterator[R]:
        """``fn(partition context, args[k], job)`` for every partition k, in a worker, results in order.

        ``fn`` must be a module-level function and ``job`` picklable: they travel to the workers.
        """
        ...


Chunk = Any  # what a routed row carries: numpy arrays in a tuple or dict, picklable


class Routed(Protocol):
    """Rows ``(bucket, chunk)`` left in the cluster, to be grouped by bucket (``Shuffles``)."""

    def then(self, fn: Callable[[int, list[Chunk], J], Iterable[tuple[int, Chunk]]], job: J, label: str) -> Routed:
        """Group the rows by bucket in the cluster; ``fn(bucket, its chunks, job)`` in an executor yields new rows."""
        ...

    def union(self, other: Routed) -> Routed:
        """Both sets of rows: grouped together by the next ``then`` or ``collect``."""
        ...

    def collect(self, fn: Callable[[int, list[Chunk], J], Iterable[R]], job: J, label: str) -> Iterator[R]:
        """Group the rows by bucket; ``fn(bucket, its chunks, job)`` in an executor, its results on the driver."""
        ...


@runtime_checkable
class Shuffles(Partitions, Protocol):
    """An optional capability of ``Partitions``: group keyed rows in the cluster instead of on the driver.

    A feature routes each partition's rows to buckets (a hash of their key
    modulo ``buckets``, so equal keys meet) in chunks, and reduces each
    bucket in an executor; only what the last reduce yields reaches the
    driver. An engine that offers it (Spark) shuffles; one that does not
    (the stream engine) leaves the feature its driver path.
    """

    buckets: int  # how many reducer buckets rows are routed to

    def route(self, fn: Callable[[Context, A, J], Iterable[tuple[int, Chunk]]], args: Sequence[A], job: J, label: str) -> Routed:
        """``fn(partition context, args[k], job)`` for every partition k, in a worker: its ``(bucket, chunk)`` rows."""
        ...


@runtime_checkable
class PartitionedFeature(Protocol):
    """A shared feature computed a partition at a time."""

    @property
    def requires(self) -> tuple[PartitionedFeature, ...]:
        """Features whose values this one's ``merge`` reads: the engine merges them first."""
        ...

    def measure(self, part: Context) -> Any:
        """In a worker: what this feature needs from one partition's records (picklable, no text)."""
        ...

    def merge(self, ctx: Context, parts: Sequence[Any], partitions: Partitions) -> None:
        """On the driver: the partitions' results (in order) into the feature's value, via ``ctx.provide``."""
        ...


@runtime_checkable
class MergesInCluster(Protocol):
    """A feature whose value an engine that shuffles (``Shuffles``) computes in the cluster instead.

    The engine then leaves it out of pass one (nothing of it comes back to
    the driver) and calls ``merge_in_cluster`` where it would call ``merge``.
    """

    def merge_in_cluster(self, ctx: Context, partitions: Shuffles) -> None: ...


@runtime_checkable
class PartitionedCheck(Check, Protocol):
    """A check that can judge a file it never holds: measure each partition, merge, judge."""

    @property
    def features(self) -> tuple[PartitionedFeature, ...]:
        """The shared features ``judge`` reads from the context; the engine computes them partitioned."""
        ...

    def measure(self, part: Context) -> Any:
        """In a worker: this check's numbers for one partition's records (picklable, no text)."""
        ...

    def merge(self, parts: Sequence[Any], starts: Sequence[int]) -> Any:
        """On the driver: the partitions' results, in order (``starts[k]``: partition k's first record)."""
        ...

    def judge(self, ctx: Context, merged: Any) -> CheckResult:
        """The check's result from the merged numbers and the context's features."""
        ...


class FromFeatures(ABC):
    """For a check whose ``run`` reads only shared features (and a few records by index):
    partitioned, it measures nothing of its own and judges with ``run``.

    The text columns of a partitioned run are read back from the file on
    demand, so indexing a few of them (the examples a finding shows) is cheap;
    a check that walks every text must measure instead.
    """

    features: tuple[PartitionedFeature, ...] = ()

    @abstractmethod
    def run(self, context: Context) -> CheckResult: ...

    def measure(self, part: Context) -> None:
        return None

    def merge(self, parts: Sequence[Any], starts: Sequence[int]) -> None:
        return None

    def judge(self, ctx: Context, merged: Any) -> CheckResult:
        return self.run(ctx)


def in_order(features: Sequence[PartitionedFeature]) -> list[PartitionedFeature]:
    """The features and everything they require, each once, every one after what it requires."""
    out: list[PartitionedFeature] = []

    def visit(feature: PartitionedFeature) -> None:
        if any(f is feature for f in out):
            return
        for needed in feature.requires:
            visit(needed)
        out.append(feature)

    for feature in features:
        visit(feature)
    return out
