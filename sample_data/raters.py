"""Simulated raters: fill a sheet from `auditor sample` as raters of known reliability would.

``python sample_data/generate.py rate SHEET OUT --config RUBRIC.toml [--unclear NAME] [--seed N]``

Each item has a true answer per criterion, fixed by its id (most outputs
pass; ratings lean high), so raters filling separate sheets meet the same truth. A rater gives the true answer with probability ``reliability`` and
otherwise a draw from the scale's usual answers, so two raters agree beyond
chance with alpha = reliability^2: 0.97 gives alpha about 0.94 (a clear
criterion), 0.55 about 0.30 (a criterion the raters read differently; name it
with ``--unclear``). Seeded: the same sheet, seed and reliabilities give the
same answers. Reads and writes ``.csv`` or ``.jsonl`` sheets.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

CLEAR, UNCLEAR = 0.97, 0.55
#: How often an output truly passes, and how true ratings spread on a 1-N scale (top points most likely).
PASS_RATE = 0.8


def truth(scale: str, rng: random.Random) -> str:
    if scale == "pass/fail":
        return "pass" if rng.random() < PASS_RATE else "fail"
    top = int(scale.split("-")[1])
    return str(rng.choices(range(1, top + 1), weights=range(1, top + 1))[0])


def rate(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    scales: Mapping[str, str],
    reliability: Mapping[str, float],
    seed: int = 0,
) -> list[dict[str, Any]]:
    """The rows with every answer column (``rater`` or ``rater:criterion``) filled."""
    rng = random.Random(seed)
    out = []
    for row in rows:
        filled = dict(row)
        # The true answer belongs to the item, not to the sheet: raters filling their own sheets meet the same truth.
        truths = {c: truth(s, random.Random(f"{row.get('id')}:{c}")) for c, s in scales.items()}
        for column in columns:
            _, _, criterion = column.partition(":")
            r = reliability.get(criterion, CLEAR)
            filled[column] = truths[criterion] if rng.random() < r else truth(scales[criterion], rng)
        out.append(filled)
    return out


def read_rows(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return rows, list(rows[0]) if rows else []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader), list(reader.fieldnames or [])


def write_rows(path: Path, rows: Sequence[Mapping[str, Any]], header: Sequence[str]) -> None:
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(dict(r), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(prog="generate.py rate", description=__doc__.split("\n\n")[0])
    parser.add_argument("sheet", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--config", type=Path, required=True, help="the auditor.toml whose agreement.rubric the sheet rates")
    parser.add_argument("--unclear", action="append", default=[], help="a criterion the raters read differently (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    import tomllib

    rubric = tomllib.loads(args.config.read_text(encoding="utf-8")).get("agreement", {}).get("rubric", [])
    scales = {str(c["name"]): str(c.get("scale", "pass/fail")) for c in rubric}
    rows, header = read_rows(args.sheet)
    columns = [c for c in header if ":" in c and c.partition(":")[2] in scales]
    reliability = {name: UNCLEAR if name in args.unclear else CLEAR for name in scales}
    write_rows(args.out, rate(rows, columns, scales, reliability, args.seed), header)
    print(f"{args.out}: {len(rows)} items rated in {len(columns)} columns (unclear: {', '.join(args.unclear) or 'none'})", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
