"""Where the default audit's CPU goes, by stage, without a profiler's overhead.

    python benchmarks/stages.py benchmarks/data/gen_100000.jsonl
    python benchmarks/stages.py benchmarks/data/realtext_100000.jsonl --min 0.1

Runs ``auditor.api.audit`` once with the defaults and prints, largest first,
the CPU-seconds (this process's threads and its waited children: the text
space's tokenising workers) and wall seconds of every check, of every shared
feature the first time a check asks for it (``Context.cached``: a feature's
figure includes the features it asks for), of every fidelity rule, and of the
coverage check's steps. cProfile sees only the main thread and inflates
Python-heavy code 1.3-2.5x; these are the plain figures. scikit-learn is
imported before the audit (after the OpenMP wait policy the audit sets) and
its import reported apart, so the coverage figures are its work alone.
"""

from __future__ import annotations

import argparse
import importlib
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: Functions timed by module and name (each call's CPU and wall added up).
STEPS = {
    "checks.textspace": ["_count", "_prune", "_transform_chunks"],
    "checks.topics": ["_assign", "_describe"],
    "checks.coverage": ["judge_thin"],
}
COVERAGE_STEPS = ["_categories", "_lengths", "_diversity", "_topics", "_reference"]


def cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        wall, used = time.perf_counter(), cpu()
        try:
            return fn(*args, **kwargs)
        finally:
            total = totals[name]
            total[0] += cpu() - used
            total[1] += time.perf_counter() - wall
            total[2] += 1

    return run


def instrument() -> None:
    from auditor.core import context, pipeline
    from checks.coverage import CoverageCheck
    from checks.fidelity.rules import RULES

    cached = context.Context.cached

    def cached_timed(self: context.Context, feature: Callable[[context.Context], Any]) -> Any:
        if feature in self._cache:
            return self._cache[feature]
        return timed("feature " + getattr(feature, "__qualname__", repr(feature)), lambda: cached(self, feature))()

    context.Context.cached = cached_timed  # type: ignore[method-assign]
    guarded = pipeline._guarded
    pipeline._guarded = lambda check, ctx: timed("CHECK " + check.name, guarded)(check, ctx)
    for module, names in STEPS.items():
        loaded = importlib.import_module(module)
        for name in names:
            setattr(loaded, name, timed(f"{module}.{name}", getattr(loaded, name)))
    for name in COVERAGE_STEPS:
        setattr(CoverageCheck, name, timed("coverage." + name, getattr(CoverageCheck, name)))
    for rule in RULES:
        rule.find = timed("fidelity rule " + rule.__name__.rsplit(".", 1)[-1], rule.find)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path")
    parser.add_argument("--min", type=float, default=0.03, help="hide stages under this many CPU-seconds")
    args = parser.parse_args()
    instrument()
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as audit() does (auditor.runtime.openmp), before scikit-learn loads OpenMP
    used = cpu()
    import sklearn.cluster  # noqa: F401
    import sklearn.decomposition  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401

    totals["import scikit-learn (before the audit)"] = [cpu() - used, 0.0, 1]
    from auditor.api import audit

    wall, used = time.perf_counter(), cpu()
    audit(args.path, config={})
    wall, used = time.perf_counter() - wall, cpu() - used
    print(f"{'CPU s':>8} {'wall s':>8}  calls  stage")
    for name, (stage_cpu, stage_wall, calls) in sorted(totals.items(), key=lambda kv: -kv[1][0]):
        if stage_cpu >= args.min:
            print(f"{stage_cpu:8.2f} {stage_wall:8.2f}  {int(calls):5d}  {name}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{used:8.2f} {wall:8.2f}         the whole audit (load included), peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
