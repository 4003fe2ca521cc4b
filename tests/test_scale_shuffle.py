"""The cluster reduce's steps (``auditor.similarity.lshshuffle``, ``groupshuffle``) without Spark.

An in-process ``Shuffles`` (rows grouped by bucket in a dict, each chunk
pickled as a shuffle would) lends the stream engine the capability Spark
offers, so the same steps run: the findings equal the in-memory engine's
whatever the number of buckets (one bucket: everything meets; many: pairs
straddle buckets at every join).
"""

from __future__ import annotations

import pickle
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.api import audit
from auditor.scale import audit as scale_audit
from tests.test_scale import KB, checks_of, write_planted

LSH = {"duplicates__exact_below": 50}


class LocalRouted:
    def __init__(self, rows: list[tuple[int, Any]]) -> None:
        self.rows = rows

    def _groups(self) -> list[tuple[int, list[Any]]]:
        grouped: dict[int, list[Any]] = defaultdict(list)
        for bucket, chunk in self.rows:
            grouped[bucket].append(pickle.loads(pickle.dumps(chunk)))  # what crosses a shuffle is a pickle
        return sorted(grouped.items(), reverse=True)  # any bucket order: the driver must not depend on it

    def then(self, fn: Callable[[int, list[Any], Any], Iterable[tuple[int, Any]]], job: Any, label: str) -> LocalRouted:
        return LocalRouted([row for bucket, chunks in self._groups() for row in fn(bucket, chunks, job)])

    def union(self, other: LocalRouted) -> LocalRouted:
        return LocalRouted(self.rows + other.rows)

    def collect(self, fn: Callable[[int, list[Any], Any], Iterable[Any]], job: Any, label: str) -> Iterator[Any]:
        for bucket, chunks in self._groups():
            yield from fn(bucket, chunks, job)


def listed(part: Any, arg: Any, job: tuple[Callable[..., Iterable[Any]], Any]) -> list[Any]:
    return list(job[0](part, arg, job[1]))


def shuffling(buckets: int) -> type:
    class LocalShuffles(scale_audit._Partitions):
        def route(self, fn: Any, args: Any, job: Any, label: str) -> LocalRouted:
            self.buckets = buckets
            return LocalRouted([row for rows in self.map(listed, args, (fn, job), label) for row in rows])

    LocalShuffles.buckets = buckets  # type: ignore[attr-defined]
    return LocalShuffles


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_planted(tmp_path_factory.mktemp("shuffle") / "planted.jsonl")


@pytest.mark.parametrize("buckets", [1, 3, 17])
def test_the_cluster_reduce_equals_memory_for_any_bucket_count(planted: Path, buckets: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.features import partitioned

    def on_the_driver(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a driver path of the reduce ran")

    monkeypatch.setattr(partitioned, "_sketched", on_the_driver)
    monkeypatch.setattr(scale_audit, "_Partitions", shuffling(buckets))
    memory = checks_of(audit(planted, config={}, engine="memory", **LSH))
    got = checks_of(audit(planted, config={}, engine="stream", scale__partition_mb=48 * KB, jobs=1, **LSH))
    assert got == memory
