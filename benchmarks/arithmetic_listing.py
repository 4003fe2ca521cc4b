"""Every calculator annotation of a worked-solution set verified, and every wrong step listed.

    python benchmarks/arithmetic_listing.py [FILE ...]     # default: GSM8K train and test

For each file: how many calculator annotations (``<<48/2=24>>``) there are,
how many could be evaluated, how many are wrong (each listed); then the
records TSK005 flags for a wrong 'a op b = c' in the prose and TSK006 for a
final answer line that is not the last step's number, each with its note.
The listing is what benchmarks/fidelity_checkable.md records and judges.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.load import load  # noqa: E402
from benchmarks.real_data import SHARED  # noqa: E402
from checks.fidelity import arithmetic, final_answer  # noqa: E402
from checks.fidelity.base import View  # noqa: E402
from checks.fidelity.numbers import stated_matches  # noqa: E402

DEFAULT = ("gsm8k/train.jsonl", "gsm8k/test.jsonl")


def annotations(outputs: list[str]) -> tuple[int, int, list[tuple[int, str]], list[tuple[int, str]]]:
    """(annotations, evaluated, wrong ones, ones not evaluated) over all outputs, with their record index."""
    total = evaluated = 0
    wrong: list[tuple[int, str]] = []
    unjudged: list[tuple[int, str]] = []
    for i, output in enumerate(outputs):
        for body in arithmetic._ANNOTATION.findall(output):
            total += 1
            parts = arithmetic.annotation_parts(body)
            holds = None if parts is None else stated_matches(*parts)
            evaluated += holds is not None
            if holds is False:
                wrong.append((i, body))
            elif holds is None:
                unjudged.append((i, body))
    return total, evaluated, wrong, unjudged


def report(path: Path) -> None:
    data = load(path)[0]
    view = View(data.inputs, data.outputs)
    total, evaluated, wrong, unjudged = annotations(data.outputs)
    print(f"\n### {path.relative_to(SHARED)} ({len(data):,} records)\n")
    print(f"- calculator annotations: {total:,}; evaluated: {evaluated:,}; wrong: {len(wrong)}")
    for label, found in (("wrong", wrong), ("not evaluated", unjudged)):
        for i, body in found:
            print(f"  - {label}, line {data.lines[i]}: <<{body}>>")
    for rule, label in ((arithmetic, "TSK005 wrong arithmetic"), (final_answer, "TSK006 final answer")):
        found = rule.find(view)
        checked = ", ".join(f"{k} {v:,}" for k, v in sorted(found.checked.items()))
        print(f"\n{label}: {len(found.hits)} flagged (records checked: {checked})\n")
        print("| line | kind | note |\n|---:|---|---|")
        for h in found.hits:
            print(f"| {data.lines[h.index]} | {h.kind} | {h.note.replace('|', '/')} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", help="JSONL/JSON files (default: GSM8K train and test in the shared datasets)")
    args = parser.parse_args(argv)
    paths = [Path(f) for f in args.files] or [SHARED / rel for rel in DEFAULT]
    for path in paths:
        if path.exists():
            report(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
