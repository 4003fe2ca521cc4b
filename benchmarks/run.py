"""Benchmark runner: auditor stages against peers, measured in the same run.

    python benchmarks/run.py                 # 10k, 100k, 1M generated records
    python benchmarks/run.py --sizes 10000   # quick
    python benchmarks/run.py --sizes 1000000 --repeat 5 --no-peers --stages "orjson parse (floor)" "auditor load + exact count"
    python benchmarks/run.py --sizes 100000 1000000 --no-peers --stages "orjson parse (floor)" "auditor full audit"

Both generators run by default (``--kinds zipf realtext``, see generate.py):
the full audit prints, after its own line, one line per check with its wall
seconds, CPU-seconds (the process's threads and waited children), × floor,
CPU cost per byte of file and the process's peak memory after it (so the
check that sets the run's peak shows), and after both kinds the per-byte cost of each check
on the realtext file over its cost on the zipf file.

Every stage runs in a fresh subprocess so that its peak memory (max RSS) is
its own; its CPU seconds (all processes, user + system) are printed beside the
wall time, since on a shared machine CPU time says what a stage costs when
wall time says mostly who else was running. Ratios against the bare orjson parse pass over the same file are the
headline: absolute times drift on a shared machine, ratios much less.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = HERE / "data"

#: The floor every ratio is taken against: a bare orjson pass over the lines.
FLOOR = """
import orjson, sys
n = 0
with open(sys.argv[1], 'rb') as fh:
    for line in fh:
        orjson.loads(line); n += 1
print(n)
"""

# Each stage is a small program: it prints the number of records it handled.
STAGES: dict[str, str] = {
    "orjson parse (floor)": FLOOR,
    "auditor load": """
import sys
from auditor.load import load
data, info = load(sys.argv[1])
print(data.total_records)
""",
    "auditor load + exact count": """
import sys
from auditor.core.config import resolve
from auditor.core.context import Context
from auditor.features import exact_groups, input_groups, normalizer
from auditor.load import load
config = resolve(search=False)
data, _ = load(sys.argv[1], jobs=0, normalizer=normalizer(Context(dataset=None, config=config)))
ctx = Context(dataset=data, config=config)
# Counting as the foundation defines it: normalised exact groups and
# contradictions (the near-duplicate refinement is timed in the next stage).
ctx.cached(exact_groups), ctx.cached(input_groups)
print(data.total_records)
""",
    "auditor count check": """
import sys
from auditor.core.config import resolve
from auditor.core.context import Context
from auditor.load import load
from checks.count import CountCheck
data, _ = load(sys.argv[1], jobs=0)
ctx = Context(dataset=data, config=resolve(search=False))
CountCheck().run(ctx)  # effective examples include near-duplicate clusters
print(data.total_records)
""",
    "auditor duplicates check": """
import sys
from auditor.core.config import resolve
from auditor.core.context import Context
from auditor.load import load
from checks.duplicates import DuplicatesCheck
data, _ = load(sys.argv[1], jobs=0)
ctx = Context(dataset=data, config=resolve(search=False))
DuplicatesCheck().run(ctx)
print(data.total_records)
""",
    "auditor agreement check": """
import sys
from auditor.core.config import resolve
from auditor.core.context import Context
from auditor.load import load
from checks.agreement import AgreementCheck
data, _ = load(sys.argv[1], jobs=0)
ctx = Context(dataset=data, config=resolve(search=False))
r = AgreementCheck().run(ctx)
print(data.total_records)
""",
    "auditor full audit": """
import json, resource, sys, time
import auditor.core.pipeline as pipeline
# Each check's CPU-seconds beside its wall time: the process's (all threads) and its waited children's.
def cpu():
    c = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + c.ru_utime + c.ru_stime
per_check, guarded = {}, pipeline._guarded
def timed(check, ctx):
    w, c = time.perf_counter(), cpu()
    try:
        return guarded(check, ctx)
    finally:
        # The process's peak so far: the check that raises it is the one that sets the run's peak.
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        per_check[check.name] = [time.perf_counter() - w, cpu() - c, peak]
pipeline._guarded = timed
from auditor.api import audit
w, c = time.perf_counter(), cpu()
report = audit(sys.argv[1], config={})
total = [time.perf_counter() - w, cpu() - c]
load = [report.timing['load_seconds'], total[1] - sum(v[1] for v in per_check.values()), min(v[2] for v in per_check.values())]
print('CHECKS ' + json.dumps({'load (and the rest)': load, **per_check}))
print(report.metrics['count']['total_records'])
""",
}

# Peers, on the same file. datasketch is run on at most PEER_CAP records and
# its time scaled linearly (its cost per record is flat), as marked in the output.
PEER_CAP = 100_000
PEERS: dict[str, str] = {
    "peer: datasketch MinHash+LSH": """
import sys, itertools, orjson
from datasketch import MinHash, MinHashLSH
cap = int(sys.argv[2])
lsh = MinHashLSH(threshold=0.8, num_perm=128)
n = 0
with open(sys.argv[1], 'rb') as fh:
    for line in itertools.islice(fh, cap):
        r = orjson.loads(line)
        words = (r['instruction'] + ' ' + r['output']).lower().split()
        m = MinHash(num_perm=128)
        m.update_batch([' '.join(words[i:i + 5]).encode() for i in range(max(1, len(words) - 4))])
        lsh.query(m)
        lsh.insert(str(n), m)
        n += 1
print(n)
""",
    "peer: krippendorff package": """
import sys, orjson, numpy as np, krippendorff
items, labels = [], {}
with open(sys.argv[1], 'rb') as fh:
    for line in fh:
        r = orjson.loads(line)
        if 'annotations' in r:
            items.append({a['annotator']: labels.setdefault(a['label'], len(labels)) for a in r['annotations']})
coders = sorted({c for it in items for c in it})
matrix = np.full((len(coders), len(items)), np.nan)
for j, it in enumerate(items):
    for c, v in it.items():
        matrix[coders.index(c), j] = v
krippendorff.alpha(reliability_data=matrix, level_of_measurement='nominal')
print(len(items))
""",
}


def measure(code: str, path: Path, *extra: str) -> dict[str, float]:
    """Run a stage in a wrapper process whose children's max RSS is the stage's own peak."""
    wrapper = (
        "import resource, subprocess, sys, time, json;"
        "t = time.perf_counter();"
        "p = subprocess.run([sys.executable, '-c', sys.argv[1], *sys.argv[2:]], capture_output=True, text=True);"
        "w = time.perf_counter() - t;"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps({'rc': p.returncode, 'out': p.stdout, 'err': p.stderr[-2000:], 'seconds': w,"
        " 'cpu': u.ru_utime + u.ru_stime, 'peak_mib': u.ru_maxrss / 1024}))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, code, str(path), *extra],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    result = json.loads(proc.stdout)
    if result["rc"] != 0:
        raise RuntimeError(result["err"])
    checks = next((json.loads(line[7:]) for line in result["out"].splitlines() if line.startswith("CHECKS ")), {})
    return {
        "records": int(result["out"].split()[-1]),
        "seconds": result["seconds"],
        "cpu": result["cpu"],
        "peak_mib": result["peak_mib"],
        "checks": checks,
    }


def dataset(size: int, kind: str = "zipf") -> Path:
    # The zipf files keep their old names, so files generated before the second kind are reused.
    path = DATA / (f"gen_{size}.jsonl" if kind == "zipf" else f"{kind}_{size}.jsonl")
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(size), str(path), "--kind", kind], check=True)
    return path


def print_checks(r: dict[str, object], floor: dict[str, float], size_bytes: int) -> None:
    """The full audit's checks, one line each: wall, CPU, × floor (wall, and CPU against the floor's CPU), CPU ns per byte of file."""
    checks = r.get("checks") or {}
    assert isinstance(checks, dict)
    for name, (wall, cpu, peak) in checks.items():
        print(
            f"{'':>35}  {name:<22} {wall:8.2f} s (cpu {cpu:6.2f} s)  x{wall / floor['seconds']:6.2f} of floor"
            f" (cpu x{cpu / floor['cpu']:6.2f})  {cpu / size_bytes * 1e9:7.1f} ns/byte  peak so far {peak:6.0f} MiB",
            flush=True,
        )


def print_per_byte_ratios(rows: list[dict[str, object]], size: int) -> None:
    """Each check's CPU cost per byte on the realtext file over the zipf file's (issue 20: within 2x)."""
    audits = {r["kind"]: r for r in rows if r["size"] == size and r["stage"] == "auditor full audit" and r.get("checks")}
    if {"zipf", "realtext"} - audits.keys():
        return
    z, t = audits["zipf"], audits["realtext"]
    for name, (_, cpu_t, _) in t["checks"].items():  # type: ignore[union-attr]
        if name not in z["checks"]:  # type: ignore[operator]
            continue
        cpu_z = z["checks"][name][1]  # type: ignore[index]
        per_t, per_z = cpu_t / t["bytes"], cpu_z / z["bytes"]  # type: ignore[operator]
        ratio = per_t / per_z if per_z else float("inf")
        # A check that took under 0.05 CPU-seconds on both has no per-byte cost worth the name.
        flag = "  <-- over 2x" if not 0.5 <= ratio <= 2 and max(cpu_t, cpu_z) >= 0.05 else ""
        print(f"{size:>9,} rec  per-byte cost realtext / zipf  {name:<22} x{ratio:5.2f}{flag}", flush=True)


def machine() -> str:
    cpus = os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {cpus} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def run_size(size: int, kind: str, args: argparse.Namespace, rows: list[dict[str, object]]) -> None:
    path = dataset(size, kind)
    mb = path.stat().st_size / 1e6
    stages = [(n, c, ()) for n, c in STAGES.items() if n in args.stages or not args.stages]
    stages += [(n, c, (str(PEER_CAP),) if "datasketch" in n else ()) for n, c in PEERS.items() if not args.no_peers]
    ratios: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        floor = None
        floor_row: dict[str, float] = {}
        for name, code, extra in stages:
            r = measure(code, path, *extra)
            scaled = ""
            if r["records"] < size and "datasketch" in name:
                r["seconds"] *= size / r["records"]  # linear extrapolation, marked
                scaled = f" (run on {r['records']:,}, scaled)"
                r["records"] = size
            floor = floor or r["seconds"]
            floor_row = floor_row or {"seconds": r["seconds"], "cpu": r["cpu"]}
            r.update(stage=name, size=size, kind=kind, mb=mb, bytes=path.stat().st_size, ratio=r["seconds"] / floor, mb_per_s=mb / r["seconds"])
            rows.append(r)
            ratios.setdefault(name, []).append(r["ratio"])
            print(
                f"{size:>9,} rec {kind:<8} {mb:7.0f} MB  {name:<30} {r['seconds']:8.2f} s (cpu {r['cpu']:6.1f} s)  {size / r['seconds']:>10,.0f} rec/s"
                f"  peak {r['peak_mib']:7.0f} MiB  x{r['ratio']:.2f} of floor (cpu x{r['cpu'] / floor_row['cpu']:.2f}){scaled}",
                flush=True,
            )
            print_checks(r, floor_row, int(r["bytes"]))
    if args.repeat > 1:
        for name, values in ratios.items():
            print(f"{size:>9,} rec {kind:<8} {name:<30} median x{statistics.median(values):.2f} of floor (x{min(values):.2f} to x{max(values):.2f}, {len(values)} rounds)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--kinds", nargs="+", choices=("zipf", "realtext"), default=["zipf", "realtext"], help="generators (see generate.py)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--stages", nargs="*", default=[], help="only these stages (names as printed)")
    parser.add_argument("--no-peers", action="store_true", help="skip the peers")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds per size, each against its own floor; the median ratios are printed after"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rows = []
    for size in args.sizes:
        for kind in args.kinds:
            run_size(size, kind, args, rows)
        print_per_byte_ratios(rows, size)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
