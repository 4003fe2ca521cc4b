"""Audit every real instruction dataset in ../shared/datasets and print a Markdown table.

    python benchmarks/real_data.py > /tmp/real.md

Each file is audited with the defaults (as a new user would run it), one
process at a time; the table gives the verdict, the effective count, the
gaps by code and the wall time.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "datasets"

FILES = (
    "gsm8k/train.jsonl",
    "gsm8k/test.jsonl",
    "codealpaca/code_alpaca_2k.json",
    "gpteacher/canonical_codegen.jsonl",
    "gpteacher/canonical_roleplay.jsonl",
    "gpteacher/canonical_toolformer.jsonl",
    "hh_rlhf_harmless_base_test/canonical.jsonl",
    "self_instruct_eval/canonical_predictions.jsonl",
    "self_instruct_t0_50k/canonical.jsonl",
)


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    from auditor.api import audit

    print("| file | records | effective | verdict | gaps (code × findings) | seconds |")
    print("|---|---:|---:|---|---|---:|")
    for rel in FILES:
        path = SHARED / rel
        if not path.exists():
            continue
        started = time.perf_counter()
        report = audit(path, config={})
        seconds = time.perf_counter() - started
        count = report.metrics["count"]
        codes = Counter(g.finding.code for g in report.gaps)
        gaps = ", ".join(f"{c}×{n}" if n > 1 else c for c, n in sorted(codes.items()))
        print(
            f"| {rel} | {count['total_records']:,} | {count['effective_examples']:,} | {report.verdict} | {gaps} | {seconds:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
