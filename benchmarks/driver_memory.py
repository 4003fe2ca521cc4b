"""Where a partitioned run's driver spends its memory, stage by stage (tracemalloc).

    python benchmarks/driver_memory.py /work/bigdata/gen_300000.parquet --engine spark
    python benchmarks/driver_memory.py data.jsonl --engine stream --top 15
    python benchmarks/driver_memory.py data.parquet --watch auditor.similarity.boilerplate:Shingler.__init__

With ``--watch module:function`` (or ``module:Class.method``) the function
is reported like a stage: what it held and the peak it reached inside.

Runs one audit in this process with Python's allocation tracing on (numpy
reports its arrays to it) and prints, at every stage's start and end, the
traced bytes held then, the peak since the previous line (what the stage's
temporaries added), and the process's RSS; with ``--top N`` the N allocation
sites holding the most at each stage's end. Traced bytes are the driver's
Python and numpy heap only: the JVM and the workers are other processes.
Tracing slows allocation-heavy stages about twofold; memory figures are
exact, wall times are not the benchmark's (``bench_scale.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _rss_mib() -> int:
    with open("/proc/self/status") as fh:
        return int(fh.read().split("VmRSS:")[1].split()[0]) // 1024


class Traced:
    """A progress that reports tracemalloc's figures at each stage boundary."""

    def __init__(self, top: int) -> None:
        self.top = top
        self.started = time.perf_counter()
        self.depth = 0
        self.peaks: list[tuple[str, int]] = []

    def _line(self, what: str) -> None:
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        self.peaks.append((what, peak))
        print(
            f"{time.perf_counter() - self.started:8.1f} s {'  ' * self.depth}{what}: held {current / 2**20:8.1f} MiB,"
            f" peak since last {peak / 2**20:8.1f} MiB, RSS {_rss_mib():,} MiB",
            file=sys.stderr,
            flush=True,
        )

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        self._line(f"start {name}")
        self.depth += 1
        try:
            yield lambda n: None
        finally:
            self.depth -= 1
            self._line(f"end {name}")
            if self.top:
                for stat in tracemalloc.take_snapshot().statistics("lineno")[: self.top]:
                    print(f"{'':12}{stat.size / 2**20:8.1f} MiB {stat.traceback[0]}", file=sys.stderr)


def watch(progress: Traced, target: str) -> None:
    """Wrap ``module:name`` (or ``module:Class.name``) so that each call is reported like a stage."""
    import functools
    import importlib

    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *outer, name = path.split(".")
    for part in outer:
        owner = getattr(owner, part)
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with progress.stage(f"[{path}]"):
            return fn(*args, **kwargs)

    setattr(owner, name, wrapped)
    if not outer:  # modules that imported the function by name call their own reference
        for mod in list(sys.modules.values()):
            if getattr(mod, name, None) is fn:
                setattr(mod, name, wrapped)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--engine", default="spark")
    parser.add_argument("--top", type=int, default=0, help="allocation sites to list at each stage's end")
    parser.add_argument("--watch", nargs="*", default=[], help="functions to report like stages: module:name or module:Class.name")
    args = parser.parse_args()
    from auditor.api import audit

    tracemalloc.start()
    progress = Traced(args.top)
    for target in args.watch:
        watch(progress, target)
    report = audit(args.path, config={}, engine=args.engine, progress=progress)
    progress._line("report built")
    m = report.metrics
    records = m["count"]["total_records"]
    worst = max(progress.peaks, key=lambda p: p[1])
    print(
        f"{records:,} records, {report.verdict}; highest traced peak {worst[1] / 2**20:.1f} MiB"
        f" ({worst[1] / max(records, 1):.0f} B a record) before '{worst[0]}'",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
