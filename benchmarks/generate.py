"""Deterministic generator of realistic fine-tuning records, at any size.

    python benchmarks/generate.py 1000000 benchmarks/data/1m.jsonl

Lengths follow real instruction data (log-normal word counts: inputs around
30 words, outputs around 100, long tails), words come from a Zipf-distributed
vocabulary of 30,000 pseudo-words, and a known share of records are planted
exact duplicates (2 %) and near duplicates (2 %, a few words changed). Each
record has a category (12, unevenly sized) and 5 % carry three annotations.
The same size and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import orjson

VOCAB = 30_000
CATEGORIES = [f"task_{i:02d}" for i in range(12)]
CATEGORY_P = np.array([0.2, 0.15, 0.12, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04, 0.03, 0.01])
EXACT_SHARE = 0.02
NEAR_SHARE = 0.02
ANNOTATED_SHARE = 0.05


def vocabulary(rng: np.random.Generator) -> np.ndarray:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 11, size=VOCAB)
    words = ["".join(rng.choice(letters, size=n)) for n in lengths]
    return np.array(words, dtype=object)


def generate(n: int, out: Path, seed: int = 7, batch: int = 20_000) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    vocab = vocabulary(rng)
    ranks = np.arange(1, VOCAB + 1)
    p = 1.0 / ranks**1.07
    p /= p.sum()
    cdf = np.cumsum(p)
    planted = {"exact": 0, "near": 0}
    recent: list[dict[str, object]] = []
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as fh:
        written = 0
        while written < n:
            size = min(batch, n - written)
            in_len = np.clip(rng.lognormal(3.3, 0.7, size).astype(int), 3, 2000)
            out_len = np.clip(rng.lognormal(4.3, 0.8, size).astype(int), 1, 4000)
            words = np.searchsorted(cdf, rng.random(int(in_len.sum() + out_len.sum())))
            words = np.minimum(words, VOCAB - 1)
            cats = rng.choice(len(CATEGORIES), size=size, p=CATEGORY_P)
            kind = rng.random(size)
            pos = 0
            lines = []
            for i in range(size):
                a, b = int(in_len[i]), int(out_len[i])
                rid = written + i + 1
                if recent and kind[i] < EXACT_SHARE:
                    src = recent[int(rng.integers(len(recent)))]
                    rec = {**src, "id": f"g{rid}"}
                    planted["exact"] += 1
                elif recent and kind[i] < EXACT_SHARE + NEAR_SHARE:
                    src = recent[int(rng.integers(len(recent)))]
                    text = str(src["output"]).split(" ")
                    for _ in range(max(1, len(text) // 40)):
                        text[int(rng.integers(len(text)))] = str(vocab[int(rng.integers(VOCAB))])
                    rec = {**src, "id": f"g{rid}", "output": " ".join(text)}
                    planted["near"] += 1
                else:
                    inp = " ".join(vocab[words[pos : pos + a]])
                    outp = " ".join(vocab[words[pos + a : pos + a + b]])
                    rec = {"id": f"g{rid}", "category": CATEGORIES[cats[i]], "instruction": inp.capitalize() + "?", "input": "", "output": outp.capitalize() + "."}
                    if kind[i] > 1 - ANNOTATED_SHARE:
                        true = CATEGORIES[cats[i]]
                        rec["annotations"] = [
                            {"annotator": f"a{j}", "label": true if rng.random() < 0.85 else CATEGORIES[int(rng.integers(12))]}
                            for j in range(3)
                        ]
                    if len(recent) < 2000:
                        recent.append(rec)
                    else:
                        recent[int(rng.integers(2000))] = rec
                pos += a + b
                lines.append(orjson.dumps(rec))
            fh.write(b"\n".join(lines) + b"\n")
            written += size
    return planted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    planted = generate(args.records, args.out, args.seed)
    print(f"wrote {args.records} records to {args.out} ({args.out.stat().st_size / 1e6:.0f} MB); planted {planted}", file=sys.stderr)


if __name__ == "__main__":
    main()
