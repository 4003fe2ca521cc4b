"""Bytes each step of the cluster reduce shuffles, per record: the scale model's network figure.

    python benchmarks/shuffle_bytes.py benchmarks/data/gen_100000.jsonl

Runs the stream engine with an in-process ``Shuffles`` (the steps Spark runs,
``auditor.similarity.lshshuffle`` and ``groupshuffle``, rows grouped by bucket
in a dict) and counts the pickled bytes of every chunk routed by each step:
what Spark writes to its shuffle files before its own (lz4) compression. The
findings are those of the Spark engine (tests/test_scale_shuffle.py).
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.api import audit  # noqa: E402
from auditor.scale import audit as scale_audit  # noqa: E402

BYTES: dict[str, int] = defaultdict(int)
CPU: dict[str, float] = defaultdict(float)


class Routed:
    def __init__(self, rows: list[tuple[int, bytes]]) -> None:
        self.rows = rows

    def _groups(self) -> list[tuple[int, list[Any]]]:
        grouped: dict[int, list[Any]] = defaultdict(list)
        for bucket, blob in self.rows:
            grouped[bucket].append(pickle.loads(blob))
        return sorted(grouped.items())

    def then(self, fn: Callable[[int, list[Any], Any], Iterable[tuple[int, Any]]], job: Any, label: str) -> Routed:
        t = time.process_time()
        rows = _pickled(label, (row for bucket, chunks in self._groups() for row in fn(bucket, chunks, job)))
        CPU[label] += time.process_time() - t
        return Routed(rows)

    def union(self, other: Routed) -> Routed:
        return Routed(self.rows + other.rows)

    def collect(self, fn: Callable[[int, list[Any], Any], Iterable[Any]], job: Any, label: str) -> Iterator[Any]:
        t = time.process_time()
        out = [r for bucket, chunks in self._groups() for r in fn(bucket, chunks, job)]
        BYTES[f"{label} (to the driver)"] += sum(len(pickle.dumps(r, protocol=5)) for r in out)
        CPU[label] += time.process_time() - t
        return iter(out)


def _pickled(label: str, rows: Iterable[tuple[int, Any]]) -> list[tuple[int, bytes]]:
    out = []
    for bucket, chunk in rows:
        blob = pickle.dumps(chunk, protocol=5)
        BYTES[label] += len(blob)
        out.append((bucket, blob))
    return out


def listed(part: Any, arg: Any, job: tuple[Callable[..., Iterable[Any]], Any]) -> list[tuple[int, bytes]]:
    return [(bucket, pickle.dumps(chunk, protocol=5)) for bucket, chunk in job[0](part, arg, job[1])]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", type=Path)
    parser.add_argument("--buckets", type=int, default=16)
    args = parser.parse_args()

    class InProcess(scale_audit._Partitions):
        buckets = args.buckets

        def route(self, fn: Any, items: Any, job: Any, label: str) -> Routed:
            t = time.process_time()
            rows = [row for part in self.map(listed, items, (fn, job), label) for row in part]
            BYTES[label] += sum(len(blob) for _, blob in rows)
            CPU[label] += time.process_time() - t
            return Routed(rows)

    scale_audit._Partitions = InProcess  # type: ignore[misc]
    report = audit(args.path, config={}, engine="stream", jobs=1)
    n = report.metrics["count"]["total_records"]
    print(f"{n:,} records, {args.buckets} buckets; pickled bytes routed by each step (per record), CPU s of the step in this process")
    for label, size in BYTES.items():
        print(f"  {label}: {size / 1e6:,.1f} MB ({size / n:,.0f} B/record), CPU {CPU.get(label.split(' (')[0], 0):.1f} s")
    total = sum(v for k, v in BYTES.items() if "driver" not in k)
    print(f"  shuffled in all: {total / 1e6:,.1f} MB ({total / n:,.0f} B/record)")
    m = report.metrics["duplicates"]
    print(f"  findings: {m['exact_duplicate_records']} exact-duplicate records, {m['near_duplicate_records']} near, {m['near_candidates']} candidates verified")


if __name__ == "__main__":
    main()
