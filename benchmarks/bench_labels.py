"""Cost of the label check (LBL001 confident learning, LBL002 spellings) at 100k records.

    nice -n 10 python benchmarks/bench_labels.py [--records 100000]

The file is a classification set of real text (``tests/synth_labels.py``'s
sources: GSM8K questions, Code Alpaca instructions, GPTeacher role-play
prompts, HH-RLHF first turns, the label being the source), drawn with
replacement up to ``--records`` with 15 % of each input's words dropped so
that inputs do not repeat verbatim, and 5 % of labels flipped (seeded). It
needs the shared datasets (``AUDITOR_SHARED_DATASETS``, default
``../shared/datasets``). Reported: CPU seconds of this process plus its
children (TF-IDF tokenises on two processes from 20,000 inputs on), wall
seconds and the load average, and the precision and recall of LBL001 on the
flipped labels. The target (issue 18): under 30 s at 100k records.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checks.labels import LabelsCheck  # noqa: E402
from tests.helpers import make_context, make_dataset  # noqa: E402
from tests.synth_labels import LABELS, source_inputs  # noqa: E402

SEED = 18
DROP = 0.15  # share of each input's words dropped, so drawn inputs do not repeat verbatim
FLIP = 0.05


def shared() -> Path:
    return Path(os.environ.get("AUDITOR_SHARED_DATASETS", ROOT.parent / "shared" / "datasets"))


def records(n: int) -> tuple[list[tuple[str, str]], set[int]]:
    pools = source_inputs(shared())
    rng = random.Random(SEED)
    pairs: list[tuple[str, str]] = []
    flipped: set[int] = set()
    for i in range(n):
        label = rng.choice(LABELS)
        words = [w for w in rng.choice(pools[label]).split() if rng.random() >= DROP]
        if rng.random() < FLIP:
            label = rng.choice([x for x in LABELS if x != label])
            flipped.add(i)
        pairs.append((" ".join(words), label))
    return pairs, flipped


def cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    if not shared().is_dir():
        raise SystemExit(f"the shared datasets are not at {shared()} (set AUDITOR_SHARED_DATASETS)")
    pairs, flipped = records(args.records)
    ctx = make_context(make_dataset(pairs))
    started_cpu, started = cpu(), time.perf_counter()
    result = LabelsCheck().run(ctx)
    seconds_cpu, seconds = cpu() - started_cpu, time.perf_counter() - started
    load = os.getloadavg()[0]
    flagged = {int(i) - 1 for f in result.findings if f.code == "LBL001" for i in f.ids}  # ids are 1-based
    true = len(flagged & flipped)
    print(f"| records | CPU s | wall s | load | flagged | precision | recall |")
    print(f"|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.records:,} | {seconds_cpu:.1f} | {seconds:.1f} | {load:.1f} | {len(flagged):,} | "
        f"{true / max(len(flagged), 1):.2f} | {true / max(len(flipped), 1):.2f} |"
    )


if __name__ == "__main__":
    main()
