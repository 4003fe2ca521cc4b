"""Partitioned engines (stream, spark) against the orjson floor, with the memory of every process.

    python benchmarks/bench_scale.py benchmarks/data/gen_1000000.jsonl --engines floor stream spark
    python benchmarks/bench_scale.py benchmarks/data/gen_10000000.jsonl --engines floor stream
    python benchmarks/bench_scale.py data/1m.parquet --engines spark --findings /tmp/findings   # any source Spark reads

With --findings DIR each run writes the JSON of its partitioned checks (count,
duplicates, quality) to DIR/<engine>-<source name>.json, to compare engines
and sources record for record (``cmp`` them, or diff).

Each run is a fresh process tree. A sampler reads /proc every half second and
records the CPU seconds of the whole tree (each process's user and system
time when last seen, and what parents count of children they waited for), the 1-minute load average's range, and the peak of the summed proportional set size (PSS: shared pages split
between the processes that share them, so forked workers are not counted
twice) over the driver and every descendant (workers, Spark's JVM and Python
workers), and the driver's own peak RSS. Figures go to stdout and, with
--json, to a file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import FLOOR  # noqa: E402 - the same floor program as the end-to-end runner

PROGRAMS = {
    "floor": FLOOR,
    "engine": """
import contextlib, sys, time

class Log:  # each stage's wall time on stderr: where the time goes
    @contextlib.contextmanager
    def stage(self, name, total=None):
        t = time.perf_counter()
        yield lambda n: None
        rss = open("/proc/self/status").read().split("VmRSS:")[1].split()[0]
        print(f"  stage {name}: {time.perf_counter() - t:.1f} s, driver RSS after it {int(rss) // 1024:,} MiB",
              file=sys.stderr, flush=True)

from auditor.api import audit
report = audit(sys.argv[1], config={}, engine=sys.argv[2], progress=Log())
m = report.metrics
print(m['count']['total_records'], m['duplicates'].get('exact_duplicate_records'), m['duplicates'].get('near_duplicate_records'),
      m['count']['effective_examples'], report.verdict, file=sys.stderr)
if len(sys.argv) > 3:
    import json
    from auditor.report import json as json_report
    data = json.loads(json_report.render(report))
    with open(sys.argv[3], "w") as fh:
        json.dump({c: data["checks"][c] for c in ("count", "duplicates", "quality")}, fh, indent=1, sort_keys=True)
print(m['count']['total_records'])
""",
}


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _tree(root: int) -> list[int]:
    kids = _children()
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, []))
    return out


def _kib(pid: int, path: str, field: str) -> int:
    try:
        with open(f"/proc/{pid}/{path}") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> tuple[int, float, float]:
    """A process's parent, its own user plus system CPU seconds so far, and those of its children it has waited for."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0, 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def _tree_cpu(seen: dict[int, tuple[int, float, float]]) -> float:
    """The CPU seconds of a process tree from its processes as last seen: each one's own time, plus what each
    parent counts of children it waited for beyond the time of those children the sampler saw (Spark's Python
    workers can start and end between two samples)."""
    total = sum(own for _, own, _ in seen.values())
    for pid, (_, _, waited) in seen.items():
        seen_children = sum(own for parent, own, _ in seen.values() if parent == pid)
        total += max(0.0, waited - seen_children)
    return total


def _load() -> float:
    with open("/proc/loadavg") as fh:
        return float(fh.read().split()[0])


def run(name: str, code: str, *args: str) -> dict[str, float | str]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = {"pss": 0, "driver_rss": 0, "processes": 0}
    cpu: dict[int, tuple[int, float, float]] = {}  # each process's parent and CPU seconds when last seen
    loads = [_load()]

    def sample() -> None:
        while proc.poll() is None:
            pids = _tree(proc.pid)
            pss = sum(_kib(p, "smaps_rollup", "Pss:") for p in pids)
            peak["pss"] = max(peak["pss"], pss)
            peak["driver_rss"] = max(peak["driver_rss"], _kib(proc.pid, "status", "VmRSS:"))
            peak["processes"] = max(peak["processes"], len(pids))
            for p in pids:
                parent, own, waited = _cpu_seconds(p)
                if own or waited:
                    cpu[p] = parent, own, waited
            loads.append(_load())
            time.sleep(0.5)

    err_lines: list[str] = []

    def relay() -> None:  # each stage's line as it ends, with the time: a run cut short still says where it was
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)
            if line.startswith("  stage "):
                print(f"{time.strftime('%H:%M:%S')} {line.rstrip()} (load {_load():.1f})", flush=True)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    relayer = threading.Thread(target=relay, daemon=True)
    relayer.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait()
    relayer.join()
    seconds = time.perf_counter() - started
    sampler.join()
    err = "".join(err_lines)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} failed:\n{err[-3000:]}")
    lines = [line for line in err.splitlines() if line.strip()]
    tail = lines[-1:]
    return {
        "run": name,
        "records": int(out.split()[-1]),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(_tree_cpu(cpu), 1),
        "load_average": f"{min(loads):.1f}-{max(loads):.1f}",
        "peak_pss_mib": round(peak["pss"] / 1024),
        "driver_peak_rss_mib": round(peak["driver_rss"] / 1024),
        "processes": peak["processes"],
        "stages": [line.strip() for line in lines if line.startswith("  stage ")],
        "summary": tail[0] if tail else "",
    }


def _findings(folder: Path | None, engine: str, path: Path) -> list[str]:
    if folder is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    return [str(folder / f"{engine}-{path.name}.json")]


def machine() -> str:
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{platform.machine()}, {os.cpu_count()} cores (shared), {mem:.0f} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--engines", nargs="+", default=["floor", "stream", "spark"], help="floor, memory, stream, spark")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--findings", type=Path, help="write each run's count/duplicates/quality JSON here")
    args = parser.parse_args()
    size = sum(p.stat().st_size for p in args.path.rglob("*")) if args.path.is_dir() else args.path.stat().st_size
    print(f"machine: {machine()}; file {args.path.name}: {size / 1e9:.2f} GB", flush=True)
    rows = []
    floor = None
    for engine in args.engines:
        r = run(engine, PROGRAMS["floor"], str(args.path)) if engine == "floor" else run(engine, PROGRAMS["engine"], str(args.path), engine, *_findings(args.findings, engine, args.path))
        floor = floor or (r["seconds"] if engine == "floor" else None)
        r["records_per_s"] = round(r["records"] / r["seconds"])  # type: ignore[operator]
        r["x_floor"] = round(r["seconds"] / floor, 1) if floor else ""  # type: ignore[operator]
        rows.append(r)
        print(
            f"{engine:<7} {r['records']:>11,} rec {r['seconds']:8.1f} s ({r['cpu_seconds']:,} CPU s, load {r['load_average']})"
            f" {r['records_per_s']:>9,} rec/s  "
            f"peak PSS {r['peak_pss_mib']:>6,} MiB (driver RSS {r['driver_peak_rss_mib']:,} MiB, {r['processes']} processes)"
            f"  x{r['x_floor']} of floor  {r['summary']}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "file": str(args.path), "bytes": size, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
