"""Reference coverage on domain pairs from the shared sets: absolute cut against self-calibration.

Run: nice -n 10 python benchmarks/coverage_pairs.py [--embeddings MODEL_PATH]

For each pair, the training set is audited with a reference of 300 in-domain and
100 out-of-domain inputs, drawn with a fixed seed (75% covered by construction):
in-domain inputs are held out of the training set (300 distinct inputs, every
record with one of them leaves training) or come from a named test split;
out-of-domain inputs come from another set. Nothing is written to the repository:
the references exist only in memory. Printed: a markdown table with coverage
under coverage.calibration = 'absolute' (the old fixed cut) and 'training' (the
default), the in-domain and out-of-domain shares read as covered, the threshold,
the words of the three largest uncovered topics and the share of uncovered
inputs that are out-of-domain; then GSM8K train against its whole test split.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.real_data import SHARED  # noqa: E402

SEED = 17
IN_DOMAIN, OUT_OF_DOMAIN = 300, 100

# (training set, in-domain source: "held-out" or a file, out-of-domain file)
PAIRS = (
    ("gsm8k/train.jsonl", "gsm8k/test.jsonl", "gpteacher/canonical_roleplay.jsonl"),
    ("gsm8k/train.jsonl", "gsm8k/test.jsonl", "codealpaca/canonical_code_alpaca_2k.jsonl"),
    ("gsm8k/train.jsonl", "gsm8k/test.jsonl", "hh_rlhf_harmless_base_test/canonical.jsonl"),
    ("gpteacher/canonical_roleplay.jsonl", "held-out", "gpteacher/canonical_toolformer.jsonl"),
    ("gpteacher/canonical_roleplay.jsonl", "held-out", "hh_rlhf_harmless_base_test/canonical.jsonl"),
    ("gpteacher/canonical_toolformer.jsonl", "held-out", "gpteacher/canonical_roleplay.jsonl"),
    ("gpteacher/canonical_codegen.jsonl", "held-out", "hh_rlhf_harmless_base_test/canonical.jsonl"),
    ("gpteacher/canonical_codegen.jsonl", "codealpaca/canonical_code_alpaca_2k.jsonl", "gpteacher/canonical_roleplay.jsonl"),
    ("codealpaca/canonical_code_alpaca_2k.jsonl", "held-out", "gsm8k/test.jsonl"),
    ("hh_rlhf_harmless_base_test/canonical.jsonl", "held-out", "gpteacher/canonical_codegen.jsonl"),
    ("hh_rlhf_harmless_base_test/canonical.jsonl", "held-out", "gsm8k/test.jsonl"),
)


def pairs_of(relative: str) -> list[tuple[str, str]]:
    from auditor.load import load

    data, _ = load(SHARED / relative)
    return list(zip(data.inputs, data.outputs))


def short(relative: str) -> str:
    folder, name = relative.split("/", 1)
    stem = name.rsplit(".", 1)[0].replace("canonical_", "").replace("canonical", "")
    return folder if stem in ("", "train", "test") else stem


def build(train_file: str, source: str, other: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str]]:
    rng = random.Random(SEED)
    train = pairs_of(train_file)
    if source == "held-out":
        distinct = sorted({i for i, _ in train})
        held = set(rng.sample(distinct, IN_DOMAIN))
        inside = [(i, "") for i in sorted(held)]
        train = [p for p in train if p[0] not in held]
    else:
        inside = [(i, "") for i, _ in rng.sample(pairs_of(source), IN_DOMAIN)]
    outside = [(i, "") for i, _ in rng.sample(pairs_of(other), OUT_OF_DOMAIN)]
    ids = [f"in-{n}" for n in range(IN_DOMAIN)] + [f"out-{n}" for n in range(OUT_OF_DOMAIN)]
    return train, inside + outside, ids


def measure(train: list[tuple[str, str]], reference: list[tuple[str, str]], ids: list[str], **config: object) -> dict[str, object]:
    from checks.coverage import CoverageCheck
    from tests.helpers import make_context, make_dataset

    start = time.process_time()
    result = CoverageCheck().run(make_context(make_dataset(train), {"reference": make_dataset(reference, ids=ids)}, **config))
    seconds = time.process_time() - start
    m = result.metrics
    uncovered = {i for t in (f for f in result.findings if f.code == "COV005") for i in t.ids}
    if not uncovered:  # COV005 absent: read the uncovered inputs from the topics
        uncovered = {i for f in result.findings if f.code == "COV006" for i in f.ids}
    n_in = sum(1 for i in ids if i.startswith("in-"))
    n_out = len(ids) - n_in
    missed_in = sum(1 for i in uncovered if str(i).startswith("in-"))
    missed_out = sum(1 for i in uncovered if str(i).startswith("out-"))
    topics = m.get("uncovered_topics", [])
    return {
        "coverage": m["reference_coverage"],
        "in": 1 - missed_in / n_in if uncovered or m["reference_coverage"] == 1 else None,
        "out": 1 - missed_out / n_out if uncovered or m["reference_coverage"] == 1 else None,
        "threshold": m["similarity_threshold"],
        "topics": "; ".join(", ".join(t["top_terms"][:3]) for t in topics[:3]),
        "out_share": missed_out / len(uncovered) if uncovered else None,
        "cpu": seconds,
    }


def fmt(value: object, pattern: str = "{:.3f}") -> str:
    return "–" if value is None else pattern.format(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embeddings", default="", help="a local sentence-transformers model (path) for the dense path")
    args = parser.parse_args()
    extra = {"coverage__embeddings": args.embeddings} if args.embeddings else {}
    print("| training | in-domain + out-of-domain | absolute: coverage (in / out) | calibrated: coverage (in / out) | "
          "threshold | largest uncovered topics (calibrated) | out-of-domain share of uncovered | CPU s abs / cal |")
    print("|---|---|---|---|---|---|---|---|")
    for train_file, source, other in PAIRS:
        train, reference, ids = build(train_file, source, other)
        before = measure(train, reference, ids, coverage__calibration="absolute", **extra)
        after = measure(train, reference, ids, **extra)
        inside = "held-out" if source == "held-out" else short(source)
        print(
            f"| {short(train_file)} ({len(train):,}) | {inside} + {short(other)} | "
            f"{fmt(before['coverage'])} ({fmt(before['in'], '{:.2f}')} / {fmt(before['out'], '{:.2f}')}) | "
            f"**{fmt(after['coverage'])}** ({fmt(after['in'], '{:.2f}')} / {fmt(after['out'], '{:.2f}')}) | "
            f"{fmt(after['threshold'])} | {after['topics']} | {fmt(after['out_share'], '{:.0%}')} | "
            f"{before['cpu']:.1f} / {after['cpu']:.1f} |",
            flush=True,
        )
    from checks.coverage import CoverageCheck
    from tests.helpers import make_context, make_dataset

    train, test = pairs_of("gsm8k/train.jsonl"), pairs_of("gsm8k/test.jsonl")
    for mode in ("absolute", "training"):
        result = CoverageCheck().run(
            make_context(make_dataset(train), {"eval": make_dataset(test)}, coverage__calibration=mode, **extra)
        )
        codes = sorted({f.code for f in result.findings if f.code in ("COV005", "COV006")})
        print(f"GSM8K train vs --eval GSM8K test, {mode}: coverage {result.metrics['reference_coverage']:.4f}, "
              f"threshold {result.metrics['similarity_threshold']}, findings {codes or 'none'}")


if __name__ == "__main__":
    main()
