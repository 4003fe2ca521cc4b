"""Engines that run a map over partitions: forked local processes (a file's byte ranges), or pyspark (an RDD's partitions).

Both yield the results in partition order, a few at a time, so the driver
can fold each into its arrays and drop it: the driver never holds every
partition's result twice. Workers hold one partition at a time.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from auditor.runtime.children import quiet_signals
from auditor.runtime.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    name: str
    workers: int

    def map(self, fn: Callable[[T, Any], R], items: Sequence[T], job: Any) -> Iterator[R]: ...

    def close(self) -> None: ...


class LocalEngine:
    """A pool of forked processes, one partition per task (``jobs`` workers; 0 = one per core)."""

    name = "stream"

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def map(self, fn: Callable[[T, Any], R], items: Sequence[T], job: Any) -> Iterator[R]:
        if self.workers == 1 or len(items) == 1:
            for item in items:
                yield fn(item, job)
            return
        # Fork: workers inherit the imported modules; the job is sent once per worker, not per task.
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(min(self.workers, len(items)), initializer=_set_job, initargs=(fn, job)) as pool:
            yield from pool.imap(_run_item, items, chunksize=1)

    def close(self) -> None:
        pass


_JOB: tuple[Callable[..., Any], Any] | None = None


def _set_job(fn: Callable[..., Any], job: Any) -> None:
    global _JOB
    quiet_signals()
    _JOB = (fn, job)


def _run_item(item: Any) -> Any:
    assert _JOB is not None
    fn, job = _JOB
    return fn(item, job)


class SparkEngine:
    """A pyspark session, and a map over an RDD's partitions in the executors (``auditor.scale.sparkrun``).

    The session is local by default (``scale.spark_master`` empty:
    ``local[<jobs>]``, bound to the loopback interface), with the UI off and
    quiet; Python workers import this very package (its folder is put on their
    PYTHONPATH; on a cluster, auditor must be installed on the executors).
    """

    name = "spark"

    def __init__(self, master: str, workers: int) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise InputError("--engine spark needs pyspark: pip install 'auditor[spark]' (and a Java runtime)") from None
        root = str(Path(__file__).resolve().parents[2])
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        self.workers = max(1, workers)
        self.local = not master or master.startswith("local")  # executors share the driver's disk
        if self.local:
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        quiet = f"-Dlog4j2.configurationFile={Path(__file__).with_name('log4j2.properties').as_uri()}"
        builder = (
            SparkSession.builder.master(master or f"local[{self.workers}]")
            .appName("auditor")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            # Results come back one partition at a time (toLocalIterator); a partition's features are megabytes.
            .config("spark.driver.maxResultSize", "0")
            .config("spark.python.worker.reuse", "true")
            .config("spark.driver.extraJavaOptions", quiet)
        )
        if self.local:  # nothing listens beyond this machine; a cluster's executors must reach the driver
            builder = builder.config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
        with warnings.catch_warnings():  # pyspark warns about pandas versions; it does not use pandas here
            warnings.simplefilter("ignore", FutureWarning)
            self.session = builder.getOrCreate()
        self.session.sparkContext.setLogLevel("FATAL")  # a failed job reaches the auditor, which says why in one line

    def map_partitions(self, rdd: Any, fn: Callable[[int, Iterable[Any], Any], R], job: Any) -> Iterator[R]:
        """``fn(k, partition k's items, job)`` for every partition of ``rdd``, in the executors; results in order."""
        shared = self.session.sparkContext.broadcast((fn, job))

        def run(k: int, items: Iterable[Any]) -> Iterable[R]:
            f, j = shared.value
            yield f(k, items, j)

        return self._waves(rdd.mapPartitionsWithIndex(run), rdd.getNumPartitions())

    def _waves(self, rdd: Any, n: int) -> Iterator[Any]:
        """Results in partition order, a wave of two partitions per core at a time.

        ``collect`` would hold every partition's result at once (the sketches of
        ten million records twice over); ``toLocalIterator`` runs one partition
        at a time, leaving a core idle. A wave keeps every core busy and the
        driver's extra memory at a few partitions' results.
        """
        sc = self.session.sparkContext
        wave = 2 * self.workers
        for lo in range(0, n, wave):
            yield from sc.runJob(rdd, lambda part: part, list(range(lo, min(lo + wave, n))))

    def close(self) -> None:
        """The session stays up for the next run in this process (starting one costs seconds)."""
