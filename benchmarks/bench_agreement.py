"""Agreement benchmark: alpha + bootstrap speed, memory with many labels, CI width vs evidence.

Run from the repo root: ``nice -n 10 /work/venv/bin/python benchmarks/bench_agreement.py``.
Each case runs in its own subprocess so its peak memory (ru_maxrss) is its own.
The peer is the ``krippendorff`` package, measured in the same run.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks import alpha as ka  # noqa: E402

SHARED = ROOT.parent / "shared" / "datasets" / "agreement"


def synthetic(units: int, annotators: int, labels: int, accuracy: float = 0.7, missing: float = 0.1, seed: int = 1):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, labels, units)
    given = np.where(rng.random((annotators, units)) < accuracy, truth, rng.integers(0, labels, (annotators, units)))
    raters, rows = np.nonzero(rng.random((annotators, units)) >= missing)
    return rows, raters, given[raters, rows]


def timed(fn, *args, **kwargs) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- cases (each run in a subprocess) -----------------------------------------


def case_large(level: str) -> dict[str, Any]:
    """100,000 units x 5 annotators x 10 categories: alpha + 1,000-resample bootstrap."""
    import krippendorff

    rows, raters, codes = synthetic(100_000, 5, 10)
    values = np.arange(10, dtype=float)
    counts = ka.count_matrix(rows, codes, 100_000, 10)
    own, t_own = timed(ka.alpha_coincidence, counts, level, values)
    (point, engine), t_point = timed(ka.alpha_point, counts, level, values)
    draws, t_boot = timed(ka.bootstrap, counts, level, values, samples=1000, seed=0)
    _, t_loo = timed(ka.alpha_without_each, rows, raters, codes, 100_000, 10, 5, level, values)
    # peer: the bootstrap as 1,000 package calls on resampled units (10 timed, scaled)
    dense = counts.toarray()
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(10):
        krippendorff.alpha(value_counts=dense[rng.integers(0, len(dense), len(dense))], value_domain=values, level_of_measurement=level)
    t_peer_boot = (time.perf_counter() - start) * 100
    low, high = ka.interval(draws, 0.95)
    return {
        "case": f"100k x 5 x 10 {level}", "alpha": own, "ci": [low, high], "engine": engine,
        "point_coincidence_s": t_own, "point_used_s": t_point, "bootstrap_1000_s": t_boot,
        "alpha_plus_bootstrap_s": t_point + t_boot, "leave_one_out_s": t_loo,
        "peer_bootstrap_1000_s_est": t_peer_boot, "abs_diff_paths": abs(own - point), "peak_mb": peak_mb(),
    }  # fmt: skip


def case_many_labels() -> dict[str, Any]:
    """20,000 units x 5 annotators x 500 distinct labels: the coincidence path."""
    rows, raters, codes = synthetic(20_000, 5, 500)
    counts = ka.count_matrix(rows, codes, 20_000, 500)
    (point, engine), t_point = timed(ka.alpha_point, counts, "nominal")
    draws, t_boot = timed(ka.bootstrap, counts, "nominal", samples=1000, seed=0)
    return {
        "case": "20k x 5 x 500 nominal", "alpha": point, "engine": engine, "point_s": t_point, "bootstrap_1000_s": t_boot,
        "package_cells": int(len(ka.pairable_rows(counts)) * 500**2), "peak_mb": peak_mb(),
    }  # fmt: skip


def case_package_many_labels(units: int) -> dict[str, Any]:
    """The package on a slice of the 500-label data, to measure how its memory grows."""
    rows, raters, codes = synthetic(units, 5, 500)
    counts = ka.count_matrix(rows, codes, units, 500)
    base = peak_mb()
    value, t = timed(ka.alpha_package, counts, "nominal")
    own = ka.alpha_coincidence(counts, "nominal")
    return {"case": f"package {units} x 5 x 500", "alpha": value, "seconds": t, "peak_mb": peak_mb(), "base_mb": base,
            "abs_diff_paths": abs(value - own)}  # fmt: skip


def case_continuous() -> dict[str, Any]:
    """20,000 units x 5 annotators, continuous scores (~68k distinct values), interval and ordinal."""
    rng = np.random.default_rng(2)
    truth = rng.normal(size=20_000)
    scores = (truth + rng.normal(scale=0.6, size=(5, 20_000))).round(4)
    raters, rows = np.nonzero(np.ones((5, 20_000), dtype=bool))
    values, codes = np.unique(scores[raters, rows], return_inverse=True)
    counts = ka.count_matrix(rows, codes, 20_000, len(values))
    out: dict[str, Any] = {"case": f"20k x 5 continuous ({len(values)} values)"}
    for level in ("interval", "ordinal"):
        (point, engine), t_point = timed(ka.alpha_point, counts, level, values)
        _, t_boot = timed(ka.bootstrap, counts, level, values, samples=1000, seed=0)
        out[level] = {"alpha": point, "engine": engine, "point_s": t_point, "bootstrap_1000_s": t_boot}
    out["peak_mb"] = peak_mb()
    return out


def case_real() -> dict[str, Any]:
    """Whole check (alpha, bootstrap, leave-one-out, kappa, pairs, disagreed items) on real files."""
    import pandas as pd

    from auditor.core.context import Context
    from checks.agreement import AgreementCheck
    from tests.helpers import make_context, make_dataset

    out: dict[str, Any] = {"case": "real datasets, whole check"}
    sets = {
        "zheng2017 dog": (SHARED / "truth_inference_zheng2017" / "dog_answer.csv", "question", {}),
        "popquorn (interval)": (SHARED / "popquorn_offensiveness" / "raw_data.csv", "instance_id",
                                {"agreement__level": "interval", "agreement__label_column": "offensiveness"}),
    }  # fmt: skip
    gal = SHARED / "get_another_label" / "AdultContent2" / "labels.txt"
    if gal.exists():
        frame = pd.read_csv(gal, sep="\t", header=None, names=["worker", "item", "label"], dtype=str, keep_default_na=False)
        tmp = Path("/tmp/bench_agreement_adultcontent2.csv")
        frame.to_csv(tmp, index=False)
        sets["AdultContent2 (92,721 rows, 825 annotators)"] = (tmp, "item", {})
    for name, (path, id_col, config) in sets.items():
        if not path.exists():
            continue
        ids = list(dict.fromkeys(pd.read_csv(path, dtype=str, keep_default_na=False)[id_col]))
        ds = make_dataset([("in", "out")] * len(ids), ids=ids)
        ctx = make_context(ds, **config)
        ctx = Context(dataset=ds, config=ctx.config, paths={"annotations": path})
        result, t = timed(AgreementCheck().run, ctx)
        out[name] = {"alpha": result.metrics["alpha"], "ci": [result.metrics["alpha_ci_low"], result.metrics["alpha_ci_high"]],
                     "seconds": t}  # fmt: skip
    return out


def case_whole_check() -> dict[str, Any]:
    """The whole check on 100,000 records x 5 inline annotations (reading, policy, alpha, bootstrap, diagnostics)."""
    from checks.agreement import AgreementCheck
    from tests.helpers import make_context, make_dataset

    rows, raters, codes = synthetic(100_000, 5, 10)
    inline: list[list[dict[str, str]]] = [[] for _ in range(100_000)]
    for r, a, c in zip(rows.tolist(), raters.tolist(), codes.tolist()):
        inline[r].append({"annotator": f"a{a}", "label": f"L{c}"})
    ds = make_dataset([("in", "out")] * 100_000, annotations=inline, categories=[f"c{i % 8}" for i in range(100_000)])
    result, t = timed(AgreementCheck().run, make_context(ds))
    return {"case": "whole check, 100k records x 5 inline annotations, 8 categories", "alpha": result.metrics["alpha"],
            "seconds": t, "peak_mb": peak_mb()}  # fmt: skip


def case_ci_width() -> dict[str, Any]:
    """Width of the 95% bootstrap interval by number of double-labelled items (alpha ~0.75, 2 annotators, 4 labels)."""
    out: dict[str, Any] = {"case": "CI width vs pairable units"}
    for units in (25, 50, 100, 200, 400, 1000):
        widths, alphas = [], []
        for seed in range(20):
            rows, raters, codes = synthetic(units, 2, 4, accuracy=0.82, missing=0.0, seed=seed)
            counts = ka.count_matrix(rows, codes, units, 4)
            alphas.append(ka.alpha_coincidence(counts, "nominal"))
            low, high = ka.interval(ka.bootstrap(counts, "nominal", samples=1000, seed=seed), 0.95)
            widths.append(high - low)
        out[str(units)] = {"median_alpha": float(np.median(alphas)), "median_ci_width": float(np.median(widths))}
    return out


CASES = {
    "large_nominal": lambda: case_large("nominal"),
    "large_ordinal": lambda: case_large("ordinal"),
    "large_interval": lambda: case_large("interval"),
    "many_labels": case_many_labels,
    "package_100": lambda: case_package_many_labels(100),
    "package_200": lambda: case_package_many_labels(200),
    "continuous": case_continuous,
    "real": case_real,
    "whole_check": case_whole_check,
    "ci_width": case_ci_width,
}


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(CASES[sys.argv[1]](), default=float))
        return
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, cores {len(__import__('os').sched_getaffinity(0))}")
    for name in CASES:
        proc = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True, cwd=ROOT)
        print(proc.stdout.strip() or proc.stderr.strip().splitlines()[-1], flush=True)


if __name__ == "__main__":
    main()
