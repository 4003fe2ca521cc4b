"""Benchmark the run history and clean(): what a scheduled run and a pipeline pre-step cost.

    nice -n 10 /work/venv/bin/python benchmarks/bench_history.py [records]

- History: 1,000 runs written one per open/write/close (as ``auditor check
  --history`` does), each with 120 metrics and 5 gaps; then all runs read back
  with trends and regressions computed (as ``auditor history`` does).
- clean(): exact duplicates dropped from a generated JSONL file, against the
  peer a team would write by hand: pandas ``read_json`` + normalise (case,
  whitespace) + ``drop_duplicates``, measured in the same run, with the number
  of records each drops.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def bench_history(folder: Path, runs: int = 1000, metrics: int = 120) -> None:
    from auditor.history import GapRow, History, Run
    from auditor.history.trends import regressions, trends

    rng = random.Random(7)
    names = [f"check{i % 6}.metric_{i}" for i in range(metrics)] + ["agreement.alpha", "quality.pii_records"]
    gaps = tuple(GapRow(f"CNT00{k}", "warning", "count", "a message of ordinary length " * 3, k) for k in range(5))
    path = folder / "h.sqlite"
    started = time.perf_counter()
    for k in range(runs):
        with History(path) as h:
            h.add(Run(label=f"batch {k}", verdict="READY", metrics={n: rng.random() for n in names}, gaps=gaps))
    write = time.perf_counter() - started
    started = time.perf_counter()
    with History(path) as h:
        recorded = h.runs()
    found = trends(recorded)
    named = regressions(found)
    read = time.perf_counter() - started
    print(f"history: {runs} runs x {len(names)} metrics + 5 gaps")
    print(f"  write (open, one transaction, close): {write / runs * 1000:.2f} ms per run")
    print(f"  read all runs + {len(found)} trends + {len(named)} regressions: {read:.2f} s")
    print(f"  file size: {path.stat().st_size / 1e6:.1f} MB ({path.stat().st_size / runs / 1024:.1f} KiB per run)")


def bench_clean(folder: Path, records: int) -> None:
    import pandas as pd
    from generate import generate

    import auditor

    data = folder / "data.jsonl"
    generate(records, data)
    started = time.perf_counter()
    result = auditor.clean(data, drop=["exact_duplicates"], config={})
    ours = time.perf_counter() - started
    dropped = sum(1 for d in result.dropped if d.reason == "exact_duplicates")

    started = time.perf_counter()
    frame = pd.read_json(data, lines=True)
    key = pd.DataFrame(
        {c: frame[c].astype(str).str.casefold().str.split().str.join(" ") for c in ("input", "output")}
    )
    peer_kept = frame[~key.duplicated(keep="first")]
    peer = time.perf_counter() - started
    print(f"clean exact duplicates, {records:,} records ({data.stat().st_size / 1e6:.0f} MB JSONL)")
    print(f"  auditor.clean (audit + drop + datasets.Dataset): {ours:.2f} s, dropped {dropped:,}, kept {len(result.data):,}")
    print(f"  pandas read_json + normalise + drop_duplicates:   {peer:.2f} s, dropped {len(frame) - len(peer_kept):,}")
    print(f"  ratio peer/ours: {peer / ours:.2f}x")


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        bench_history(Path(tmp))
        bench_clean(Path(tmp), records)


if __name__ == "__main__":
    main()
