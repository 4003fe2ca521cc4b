"""Benchmark runner: auditor stages against peers, measured in the same run.

    python benchmarks/run.py                 # 10k, 100k, 1M generated records
    python benchmarks/run.py --sizes 10000   # quick

Every stage runs in a fresh subprocess so that its peak memory (max RSS) is
its own. Ratios against the bare orjson parse pass over the same file are the
headline: absolute times drift on a shared machine, ratios much less.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"

# Each stage is a small program: it prints the number of records it handled.
STAGES: dict[str, str] = {
    "orjson parse (floor)": """
import orjson, sys
n = 0
with open(sys.argv[1], 'rb') as fh:
    for line in fh:
        orjson.loads(line); n += 1
print(n)
""",
    "auditor load": """
import sys
from auditor.load import load
data, info = load(sys.argv[1])
print(data.total_records)
""",
    "auditor load + count": """
import sys
from auditor.api import audit
report = audit(sys.argv[1], config={}, select=['CNT'])
print(report.metrics['count']['total_records'])
""",
}


def measure(code: str, path: Path) -> dict[str, float]:
    """Run a stage in a wrapper process whose children's max RSS is the stage's own peak."""
    wrapper = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter();"
        "p = subprocess.run([sys.executable, '-c', sys.argv[1], sys.argv[2]], capture_output=True, text=True);"
        "w = time.perf_counter() - t;"
        "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr[-2000:], 'seconds': w, 'peak_mib': m / 1024}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, code, str(path)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    result = json.loads(proc.stdout)
    if result["rc"] != 0:
        raise RuntimeError(result["err"])
    return {"records": int(result["out"].split()[-1]), "seconds": result["seconds"], "peak_mib": result["peak_mib"]}


def dataset(size: int) -> Path:
    path = DATA / f"gen_{size}.jsonl"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(path)], check=True)
    return path


def machine() -> str:
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {cpus} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rows = []
    for size in args.sizes:
        path = dataset(size)
        mb = path.stat().st_size / 1e6
        floor = None
        for name, code in STAGES.items():
            r = measure(code, path)
            floor = floor or r["seconds"]
            r.update(stage=name, size=size, mb=mb, ratio=r["seconds"] / floor, mb_per_s=mb / r["seconds"])
            rows.append(r)
            print(
                f"{size:>9,} rec {mb:7.0f} MB  {name:<24} {r['seconds']:7.2f} s  {r['records'] / r['seconds']:>10,.0f} rec/s"
                f"  {r['mb_per_s']:6.0f} MB/s  peak {r['peak_mib']:7.0f} MiB  x{r['ratio']:.2f} of floor",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
