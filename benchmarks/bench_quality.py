"""Benchmark the quality check: 1,000,000 synthetic support records, and the real T0 file.

Run: nice -n 10 /work/venv/bin/python benchmarks/bench_quality.py [--records N] [--peer-records N]

The headline is the ratio against the peer measured in the same run: the
straightforward design (every rule's full regex on every text, one Python call
per text and rule, case-insensitive alternations for the phrase lists), timed
on a slice and reported as records per second. Records are generated with a
seeded random.Random, so every run audits the same data.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.privacy.pii import kinds_in  # noqa: E402
from checks.quality import QualityCheck  # noqa: E402
from checks.quality_rules.encoding import damage_kind  # noqa: E402
from checks.quality_rules.phrases import BOILERPLATE, REFUSALS  # noqa: E402
from checks.quality_rules.scan import ScanOptions, scan  # noqa: E402
from auditor.features.tokens import estimate_tokens  # noqa: E402
from checks.quality_rules.truncation import truncation_reason  # noqa: E402
from tests.helpers import make_context, make_dataset  # noqa: E402

T0 = ROOT.parent / "shared" / "datasets" / "self_instruct_t0_50k" / "canonical.jsonl"

CATEGORIES = ["billing", "shipping", "returns", "account", "technical", "cancellation"]
OPENERS = ["Hi,", "Hello,", "Good morning,", "Hey there,", ""]
ASKS = [
    "I was charged twice for my order {n} and I would like one of the payments refunded.",
    "My parcel {n} has not arrived yet although the tracking page said it was delivered on Monday.",
    "I want to return the jacket from order {n} because the size is wrong, how do I do that?",
    "I cannot log in to my account since the password reset e-mail never arrives.",
    "The app crashes every time I open the settings page on my phone after the last update.",
    "Please cancel my subscription {n} at the end of this billing period, I no longer need it.",
]
REPLIES = [
    "Thanks for reaching out. I have checked order {n} and can confirm the duplicate charge; the refund of the "
    "second payment has been issued and will show on your statement within five business days.",
    "I'm sorry the parcel has not reached you. I have opened an investigation with the carrier for shipment {n} "
    "and we will send a replacement free of charge if it is not found within 48 hours.",
    "You can return the jacket within 30 days. Open your orders page, choose order {n}, select the item and print "
    "the prepaid label; once the parcel is scanned we refund you automatically.",
    "I have resent the reset link and also whitelisted our sending address for your mailbox. If it still does not "
    "arrive in ten minutes, reply here and I will reset the password for you manually.",
    "Thanks for the report. Version 4.2.1, released today, fixes the crash on the settings page; please update from "
    "the store and restart the app. If it persists, send us the crash log from the help menu.",
    "Your subscription {n} is set to end on the last day of this billing period. You keep full access until then and "
    "will not be charged again. We are sorry to see you go.",
]
PLANTED = [
    ("", None),
    ("As an AI language model, I cannot access your account.", None),
    ("Our agent will call you back on (555) 123-4567 today.", None),
    ("Please email me at jane.roe@gmail.com.", None),
    ("The refund for order was issued and it should appear on your statement within five business days if the", None),
    ("TODO", None),
    ("Your cafÃ© voucher is attached.", None),
]


def synthetic(n: int, seed: int = 0) -> tuple[list[tuple[str, str]], list[str]]:
    """Support messages and replies, ~700 characters a record, about 1% with a planted defect."""
    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    cats: list[str] = []
    for i in range(n):
        k = rng.randrange(6)
        order = rng.randrange(10_000_000, 99_999_999)
        ask = f"{rng.choice(OPENERS)} {ASKS[k].format(n=order)} Thanks, customer {i}".strip()
        reply = REPLIES[k].format(n=order) + (" Is there anything else I can help with?" if rng.random() < 0.5 else "")
        if rng.random() < 0.01:
            reply = rng.choice(PLANTED)[0]
        pairs.append((ask, reply))
        cats.append(CATEGORIES[k])
    return pairs, cats


def peer_records_per_second(pairs: list[tuple[str, str]]) -> float:
    """The straightforward design: every rule's full pattern on every text, one call per text and rule."""
    refusal = re.compile("|".join(re.escape(p) for p in REFUSALS), re.IGNORECASE)
    boiler = re.compile("|".join(re.escape(p) for p in BOILERPLATE) + r"|\bTODO\b", re.IGNORECASE)
    start = time.process_time()
    for inp, out in pairs:
        for text in (inp, out):
            kinds_in(text)
            damage_kind(text)
            estimate_tokens(text)
        if out.strip():
            refusal.search(out)
            boiler.search(out)
            truncation_reason(out, 8)
            len(out.split())
    return len(pairs) / (time.process_time() - start)


def scan_records_per_second(pairs: list[tuple[str, str]], language: str = "") -> float:
    """The chunked, gated pass alone (the same per-text rules as the peer), CPU time."""
    inputs, outputs = [a for a, _ in pairs], [b for _, b in pairs]
    start = time.process_time()
    scan(inputs, outputs, ScanOptions(language=language))
    return len(pairs) / (time.process_time() - start)


def timed_check(pairs: list[tuple[str, str]], categories: list[str] | None, task: str) -> tuple[float, dict]:
    data = make_dataset(pairs, categories=categories)
    ctx = make_context(data, task=task)
    start, cpu = time.perf_counter(), time.process_time()
    result = QualityCheck().run(ctx)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    # On a shared machine wall time includes waiting for a core; CPU time is what the check costs.
    print(f"  (wall {wall:.1f} s, CPU {cpu:.1f} s)")
    return wall, {**result.metrics, "_cpu": cpu}


def metrics_cpu(metrics: dict) -> float:
    return float(metrics["_cpu"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--peer-records", type=int, default=50_000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")

    t = time.perf_counter()
    pairs, cats = synthetic(args.records)
    chars = sum(len(a) + len(b) for a, b in pairs)
    print(f"generated {len(pairs):,} records ({chars / 1e6:,.0f} M characters) in {time.perf_counter() - t:.1f} s")

    seconds, metrics = timed_check(pairs, cats, task="generation")
    ours = len(pairs) / seconds
    print(f"quality check, {len(pairs):,} records: {seconds:.1f} s ({ours:,.0f} records/s, {chars / seconds / 1e6:.1f} M chars/s)")
    print(
        "  found: "
        + ", ".join(f"{k}={metrics[k]}" for k in ("empty_outputs", "truncated_outputs", "refusals", "pii_records", "encoding_damaged", "boilerplate_outputs"))
    )
    print(f"  CPU: {len(pairs) / metrics_cpu(metrics):,.0f} records/s")
    sample = pairs[: args.peer_records]
    peer = peer_records_per_second(sample)
    gated = scan_records_per_second(sample)
    print(f"same {len(sample):,} records, CPU: per-text peer {peer:,.0f} records/s, chunked gated scan {gated:,.0f} records/s: {gated / peer:.1f}x")
    print(f"  scan with quality.language = 'en' (optional check): {scan_records_per_second(sample, 'en'):,.0f} records/s CPU")
    del pairs, cats

    if T0.is_file():
        import orjson

        rows = [orjson.loads(line) for line in T0.open("rb")]
        t0 = [(r["instruction"], r["output"]) for r in rows]
        t0_chars = sum(len(a) + len(b) for a, b in t0)
        seconds, metrics = timed_check(t0, None, task="generation")
        print(f"T0 ({len(t0):,} records, {t0_chars / 1e6:.0f} M characters): {seconds:.1f} s wall ({len(t0) / metrics_cpu(metrics):,.0f} records/s CPU)")
        peer = peer_records_per_second(t0)
        gated = scan_records_per_second(t0)
        print(f"T0, CPU: per-text peer {peer:,.0f} records/s, chunked gated scan {gated:,.0f} records/s: {gated / peer:.1f}x")
    else:
        print(f"T0 absent ({T0}); skipped")


if __name__ == "__main__":
    main()
