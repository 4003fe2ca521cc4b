"""What --eval costs on a partitioned engine: the band-key join of an eval set with every partition.

    python benchmarks/bench_leakage.py 100000 10000 --engines memory stream spark
    python benchmarks/bench_leakage.py 1000000 10000 --engines stream --eval-only

Writes (once, deterministic) a training set of TRAIN records
(``generate.py``) and an eval set of EVAL records: 2.5% exact copies of
training records, 2.5% near copies (one word of the input replaced) and new
records (``generate.py`` with another seed). Each engine audits the training
set with and without ``--eval``; the difference is the join's cost. Reported:
wall and CPU seconds (the driver's and its children's: forked workers; Spark's
JVM and Python workers are not children of this process, so a Spark run's
CPU column is the driver's only), the join stage's wall time, the bytes sent
to every partition (the probe: band keys and 8-bit bins of the eval set's
distinct records, and their normalised texts), and the leaked records found.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "benchmarks" / "data"


def _write(train_n: int, eval_n: int) -> tuple[Path, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    train = DATA / f"gen_{train_n}.jsonl"
    if not train.exists():
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), str(train_n), str(train)], check=True)
    evals = DATA / f"eval_{eval_n}_of_{train_n}.jsonl"
    if evals.exists():
        return train, evals
    fresh = DATA / f"gen_{eval_n}_seed7.jsonl"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), str(eval_n), str(fresh), "--seed", "7"], check=True)
    copied = eval_n // 20  # 5%: half exact, half near
    step = max(1, train_n // copied)
    out: list[str] = []
    with train.open() as fh:
        for i, line in enumerate(fh):
            if i % step or len(out) >= copied:
                continue
            rec = json.loads(line)
            if len(out) % 2:
                words = str(rec.get("input", rec.get("instruction", ""))).split()
                if words:
                    words[len(words) // 2] = "changed"
                    rec["input" if "input" in rec else "instruction"] = " ".join(words)
            out.append(json.dumps(rec))
    with fresh.open() as fh:
        out += [line.rstrip("\n") for _, line in zip(range(eval_n - len(out)), fh)]
    evals.write_text("\n".join(out) + "\n")
    return train, evals


class Log:
    """Each stage's wall time: where the time goes."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Any]:
        t = time.perf_counter()
        yield lambda n: None
        self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - t


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _texts_bytes(evals: Path) -> int:
    """The pickled size of the eval set's normalised texts, sent beside the probe (``crosspart.JoinJob``)."""
    from auditor.core.config import resolve
    from auditor.load import load
    from auditor.similarity import Normalizer

    data = load(evals)[0]
    norm = Normalizer.from_config(resolve(search=False).section("normalize"))
    return len(pickle.dumps((norm.many(data.inputs), norm.many(data.outputs))))


def run(train: Path, evals: Path | None, engine: str) -> dict[str, Any]:
    from auditor.api import audit
    from auditor.features import crosspart

    sent: list[int] = []
    probe_of = crosspart.probe_of

    def measured(*args: Any, **kwargs: Any) -> Any:
        probe = probe_of(*args, **kwargs)
        sent.append(probe.nbytes)
        return probe

    crosspart.probe_of = measured  # type: ignore[assignment]
    log = Log()
    wall, cpu = time.perf_counter(), _cpu()
    report = audit(train, config={}, engine=engine, eval=evals, progress=log)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    crosspart.probe_of = probe_of  # type: ignore[assignment]
    dup = report.metrics["duplicates"]
    join = {k: round(v, 1) for k, v in log.stages.items() if "eval" in k}
    return {"engine": engine, "eval": evals is not None, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "join_stages_s": join,
            "probe_bytes": sent[0] if sent else None, "texts_bytes": _texts_bytes(evals) if sent else None, "leaked_records": dup.get("leaked_records")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("train", type=int)
    parser.add_argument("eval", type=int)
    parser.add_argument("--engines", nargs="+", default=["stream"])
    parser.add_argument("--eval-only", action="store_true", help="skip the runs without --eval (the join's stages are timed apart anyway)")
    args = parser.parse_args()
    train, evals = _write(args.train, args.eval)
    print(f"load average {os.getloadavg()[0]:.1f}; {train.name} {train.stat().st_size / 1e6:.0f} MB, {evals.name} {evals.stat().st_size / 1e6:.1f} MB", flush=True)
    for engine in args.engines:
        for side in (evals,) if args.eval_only else (None, evals):
            print(json.dumps(run(train, side, engine)), f"(load average {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
