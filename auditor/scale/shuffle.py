"""Rows grouped by bucket in a Spark cluster: ``auditor.core.partitioned.Routed`` on RDDs.

Each row is ``(bucket, chunk)``: a chunk holds many keyed rows as numpy
columns, so a shuffle moves a few large pickles instead of millions of Python
tuples. ``then`` groups the chunks by bucket (``groupByKey`` into ``buckets``
Spark partitions, bucket b to partition b) and runs the step on each group in
an executor; nothing runs until ``collect``, whose results come back to the
driver a wave of buckets at a time. A routed set used twice is recomputed from its
shuffle files, which Spark keeps: the steps before it do not run again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from auditor.core.context import Progress

J = TypeVar("J")
R = TypeVar("R")


def _identity(bucket: int) -> int:
    return bucket


class SparkRouted:
    def __init__(self, sc: Any, rdd: Any, buckets: int, progress: Progress) -> None:
        self._sc, self._rdd, self.buckets, self._progress = sc, rdd, buckets, progress

    def _grouped(self, fn: Callable[[int, list[Any], Any], Iterable[Any]], job: Any) -> Any:
        shared = self._sc.broadcast((fn, job))

        def run(row: tuple[int, Iterable[Any]]) -> Iterable[Any]:
            f, j = shared.value
            return f(row[0], list(row[1]), j)

        return self._rdd.groupByKey(self.buckets, _identity).flatMap(run)

    def then(self, fn: Callable[[int, list[Any], J], Iterable[tuple[int, Any]]], job: J, label: str) -> SparkRouted:
        return SparkRouted(self._sc, self._grouped(fn, job), self.buckets, self._progress)

    def union(self, other: Any) -> SparkRouted:
        return SparkRouted(self._sc, self._rdd.union(other._rdd), self.buckets, self._progress)

    def collect(self, fn: Callable[[int, list[Any], J], Iterable[R]], job: J, label: str) -> Iterator[R]:
        """The step's results, a wave of buckets per Spark job: every core busy, a few buckets' results held at a time
        (``toLocalIterator`` would run one job per bucket, thousands of them on a large set)."""
        grouped = self._grouped(fn, job)
        wave = 2 * max(1, self._sc.defaultParallelism)
        with self._progress.stage(f"spark: {label}"):
            for lo in range(0, self.buckets, wave):
                yield from self._sc.runJob(grouped, lambda rows: rows, list(range(lo, min(lo + wave, self.buckets))))
