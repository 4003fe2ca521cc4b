"""Report rendering at scale: a 1,000,000-record report with findings in every family.

The report is built directly (a synthetic Dataset and synthetic findings with
the metrics each check family publishes), so this measures the renderers
alone. Peers measured in the same run: the terminal report (rich) and the
JSON report on the same Report; the headline is HTML time against the
terminal's. Targets: HTML within 10 s and under 10 MB.

Run: nice -n 10 /work/venv/bin/python benchmarks/bench_reports.py [--records N]
"""

from __future__ import annotations

import argparse
import gc
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.core.findings import CheckResult, CodeInfo, Severity  # noqa: E402
from auditor.core.records import Dataset, FieldMap  # noqa: E402
from auditor.core.verdict import gaps_of, verdict_of  # noqa: E402
from auditor.load import InputInfo  # noqa: E402
from auditor.report.model import Report  # noqa: E402
from tests.report_builders import full_results  # noqa: E402

WORDS = "refund invoice order shipping delivery account password cancel subscription warranty tracking parcel".split()


def dataset(n: int, seed: int = 0) -> Dataset:
    """``n`` records from 1,000 word variants; one input in ten carries an e-mail address to mask."""
    rng = random.Random(seed)
    cats = ["billing", "shipping", "returns", "account", "technical", "cancellation"]
    ins = [" ".join(rng.choices(WORDS, k=20)) for _ in range(1000)]
    outs = [" ".join(rng.choices(WORDS, k=30)) for _ in range(1000)]
    return Dataset(
        format="bench/input-output",
        fields=FieldMap(input=("input",), output="output", category="category"),
        ids=[f"rec-{i:07d}" for i in range(n)],
        lines=list(range(1, n + 1)),
        inputs=[f"{ins[i % 1000]} #{i}" + (f" mail a{i}@example.com" if i % 10 == 0 else "") for i in range(n)],
        outputs=[outs[(i * 7) % 1000] for i in range(n)],
        categories=[cats[i % len(cats)] for i in range(n)],
    )


def report(n: int) -> Report:
    data = dataset(n)
    results = full_results(data)  # every family's metrics and charts
    ids = data.ids
    near = CodeInfo("DUP003", "near-duplicates", Severity.WARNING, "s", "w", "f")
    pii = CodeInfo("QLT009", "personal-data", Severity.BLOCKER, "s", "w", "f")
    empty = CodeInfo("QLT001", "empty-output", Severity.WARNING, "s", "w", "f")
    flagged_near = ids[: n // 5]  # 20% of records in near-duplicate clusters of 4
    results["duplicates"] = CheckResult(
        "duplicates",
        metrics=results["duplicates"].metrics,
        findings=(
            near.finding(f"{len(flagged_near)} near-duplicates", "keep one per cluster", flagged_near,
                         groups=[f"near-{i // 4}" for i in range(len(flagged_near))]),
        ),
    )
    results["quality"] = CheckResult(
        "quality",
        metrics=results["quality"].metrics,
        findings=(
            pii.finding(f"{n} records hold personal data", "mask it", ids),  # every record
            # from the end backwards: finding these rows scans the whole id column
            empty.finding("empty outputs", "fill them", ids[::-50]),
        ),
    )
    conflict = CodeInfo("DUP002", "conflicting-outputs", Severity.BLOCKER, "s", "w", "f")
    results["duplicates"] = CheckResult(
        "duplicates",
        metrics=results["duplicates"].metrics,
        findings=results["duplicates"].findings
        # one finding per contradicting input group, as a check may well report them
        + tuple(conflict.finding(f"input group {k} has 2 different outputs", "pick one", ids[-2 * k - 2 : len(ids) - 2 * k])
                for k in range(20_000)),
    )
    gaps = gaps_of(results)
    return Report(
        verdict=verdict_of(gaps),
        gaps=gaps,
        checks=results,
        input=InputInfo(path="bench.jsonl", format="jsonl/input-output", bytes=None, sha256=None),
        config={},
        timing={"total_seconds": 0.0},
        dataset=data,
    )


def timed(fn: Callable[[], str], repeat: int = 3) -> tuple[float, int]:
    best = float("inf")
    size = 0
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
        size = len(out.encode("utf-8"))
    return best, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--export", type=int, default=0, metavar="N",
                        help="also time the full CSV export (every flagged id) on a report of N records")
    args = parser.parse_args()
    from auditor.report import html, markdown, terminal
    from auditor.report import json as json_report

    started = time.perf_counter()
    rep = report(args.records)
    flagged = sum(len(f.ids) for _, f in rep.findings())
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
          f"2 shared cores; built report of {args.records:,} records, {flagged:,} flagged ids "
          f"in {time.perf_counter() - started:.1f} s")
    rows = [
        ("html", lambda: html.render(rep)),
        ("markdown", lambda: markdown.render(rep)),
        ("terminal (peer)", lambda: terminal.render(rep, width=80, color=False)),
        ("json (peer)", lambda: json_report.render(rep)),
    ]
    if args.export:
        from auditor.report.export import render_csv

        small = report(args.export)
        small_rows = sum(len(f.ids) for _, f in small.findings())
        rows.append((f"csv export, {small_rows:,} rows", lambda: render_csv(small)))
    results = {}
    for name, fn in rows:
        seconds, size = timed(fn, repeat=1 if "export" in name else 3)
        if "export" in name:
            print(f"{'  per exported row':<30} {seconds / small_rows * 1e6:8.1f} us")
        results[name] = seconds
        print(f"{name:<30} {seconds:8.3f} s  {size / 1e6:8.2f} MB")
    for peer in ("terminal (peer)", "json (peer)"):
        print(f"html / {peer.split()[0]}: {results['html'] / results[peer]:.2f}x")
    ok_time = results["html"] < 10
    ok_size = len(html.render(rep).encode()) < 10e6
    print(f"targets: html < 10 s {'met' if ok_time else 'MISSED'}, html < 10 MB {'met' if ok_size else 'MISSED'}")


if __name__ == "__main__":
    main()
