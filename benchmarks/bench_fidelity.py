"""Cost of the task-fidelity rules (TSK), per rule, against a bare parse of the same file.

    nice -n 10 python benchmarks/bench_fidelity.py [--records 100000] [--listing]

Measured on the real T0 file (55k prompt-style records) and on a generated
file of ``--records`` alpaca-style records (benchmarks/generate.py, seed 7).
Times are CPU seconds of this process (best of 3): on a machine shared with
other jobs, wall time measures the neighbours as much as the code.
"Bare parse" is orjson over every line, the floor any audit pays; the rules
are timed on the loaded texts, each alone, plus the instruction split they
share. ``--listing`` also prints every code_alpaca 2k and GPTeacher codegen
output that claims to be Python and does not parse, with the parse error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.load import load  # noqa: E402
from benchmarks.generate import generate  # noqa: E402
from benchmarks.real_data import SHARED  # noqa: E402
from checks.fidelity.base import View  # noqa: E402
from checks.fidelity.rules import RULES  # noqa: E402

REPEATS = 3


def best(fn: object, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.process_time()
        fn()  # type: ignore[operator]
        times.append(time.process_time() - started)
    return min(times)


def bare_parse(path: Path) -> float:
    def parse() -> None:
        with path.open("rb") as fh:
            for line in fh:
                if line.strip():
                    orjson.loads(line)

    return best(parse)


def measure(name: str, path: Path) -> None:
    floor = bare_parse(path)
    data = load(path)[0]
    split = best(lambda: View(data.inputs, data.outputs).instructions)
    print(f"| {name} | {len(data):,} | bare parse | {floor:.2f} s | 1.00× |")
    print(f"| {name} | | instruction split (shared) | {split:.2f} s | {split / floor:.2f}× |")
    total = split
    for rule in RULES:
        def run(rule: object = rule) -> None:
            view = View(data.inputs, data.outputs)
            view.instructions  # noqa: B018  # the split is timed apart
            rule.find(view)  # type: ignore[attr-defined]

        seconds = best(run) - split
        total += seconds
        found = rule.find(View(data.inputs, data.outputs))
        print(f"| {name} | | {rule.CODE.code} {rule.CODE.symbol} ({len(found.hits):,} flagged of {sum(found.checked.values()):,} checked) "
              f"| {seconds:.2f} s | {seconds / floor:.2f}× |")
    print(f"| {name} | | all TSK rules | {total:.2f} s | {total / floor:.2f}× |", flush=True)


def listing() -> None:
    from checks.fidelity import parsing

    for rel in ("codealpaca/code_alpaca_2k.json", "gpteacher/canonical_codegen.jsonl"):
        data = load(SHARED / rel)[0]
        found = parsing.find(View(data.inputs, data.outputs))
        python = [h for h in found.hits if h.kind.startswith("python")]
        print(f"\n{rel}: {found.checked['python']} outputs claim Python, {len(python)} do not parse\n")
        print("| id (line) | kind | parse error |\n|---:|---|---|")
        for h in python:
            print(f"| {data.ids[h.index]} | {h.kind} | {h.note} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--listing", action="store_true")
    args = parser.parse_args(argv)
    print("| file | records | stage | CPU seconds (best of 3) | × bare parse |\n|---|---:|---|---:|---:|")
    t0 = SHARED / "self_instruct_t0_50k/canonical.jsonl"
    if t0.exists():
        measure("T0", t0)
    with tempfile.TemporaryDirectory(prefix="auditor-bench-fidelity-") as tmp:
        path = Path(tmp) / "generated.jsonl"
        generate(args.records, path)
        measure(f"generated {args.records // 1000}k", path)
    if args.listing:
        listing()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
