"""Benchmark of the duplicates check: speed, memory and accuracy, side by side with datasketch.

Run from the repository root (each part is a separate run, to stay under ~5 minutes):

    nice -n 10 /work/venv/bin/python benchmarks/bench_duplicates.py scale 1000000
    nice -n 10 /work/venv/bin/python benchmarks/bench_duplicates.py peer 20000
    nice -n 10 /work/venv/bin/python benchmarks/bench_duplicates.py t0 [--peer]
    nice -n 10 /work/venv/bin/python benchmarks/bench_duplicates.py toolformer
    nice -n 10 /work/venv/bin/python benchmarks/bench_duplicates.py real
    nice -n 10 /work/venv/bin/python benchmarks/bench_duplicates.py family 40 200 2000 20000

scale: the whole check on n synthetic records (about 1 KB each), wall time and peak RSS.
peer: near-duplicate search of ours (LSH path forced) and of datasketch MinHash + MinHashLSH
      (128 permutations, word 5-grams, threshold 0.8) on the same records; recall against
      exhaustive exact Jaccard; datasketch throughput extrapolated linearly to 1M.
t0 / toolformer: record-level precision and recall against exhaustive exact Jaccard >= 0.8 on word
      5-grams of the normalised pair (input + output together, and output alone), with and without
      the boilerplate rule.
real: what the check finds on every instruction dataset in ../shared/datasets.
family: effective examples of a family of near-copies (one text, one word changed per copy) of each size.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from pathlib import Path

import numpy as np
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from auditor.similarity import NearParams, Normalizer, near_views  # noqa: E402
from checks.duplicates import DuplicatesCheck  # noqa: E402
from tests.helpers import make_context, make_dataset  # noqa: E402
from tests.synth_duplicates import generate  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets"
REAL = {
    "gsm8k": "gsm8k/canonical_train.jsonl",
    "codealpaca": "codealpaca/canonical_code_alpaca_2k.jsonl",
    "gpteacher-codegen": "gpteacher/canonical_codegen.jsonl",
    "gpteacher-roleplay": "gpteacher/canonical_roleplay.jsonl",
    "gpteacher-toolformer": "gpteacher/canonical_toolformer.jsonl",
    "hh_rlhf": "hh_rlhf_harmless_base_test/canonical.jsonl",
    "self_instruct_eval": "self_instruct_eval/canonical_predictions.jsonl",
    "t0": "self_instruct_t0_50k/canonical.jsonl",
}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(path: Path) -> tuple[list[str], list[str], list[str | None]]:
    """instruction + ("\\n\\n" + input), output, and the template/model field as a category when present."""
    ins, outs, cats = [], [], []
    with path.open("rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            ins.append(r["instruction"] + ("\n\n" + r["input"] if r.get("input") else ""))
            outs.append(r["output"])
            cats.append(r.get("template"))
    return ins, outs, cats


def firsts(keys: list) -> np.ndarray:
    seen: dict = {}
    for i, k in enumerate(keys):
        seen.setdefault(k, i)
    return np.fromiter(seen.values(), np.int64, len(seen))


def records_of(a: np.ndarray, b: np.ndarray) -> set[int]:
    return set(a.tolist()) | set(b.tolist())


def pr(found: set[int], truth: set[int]) -> tuple[float, float]:
    tp = len(found & truth)
    return tp / max(len(found), 1), tp / max(len(truth), 1)


# --- scale ----------------------------------------------------------------------


def _write_synthetic(n: int, path: Path) -> None:
    syn = generate(n, seed=0)
    with path.open("wb") as fh:
        for i, o in zip(syn.inputs, syn.outputs):
            fh.write(orjson.dumps({"input": i, "output": o}) + b"\n")


def scale(n: int) -> None:
    """Generate in a child process (its memory is not ours), then load the JSONL and run the check."""
    import multiprocessing
    import tempfile

    path = Path(tempfile.gettempdir()) / f"auditor_synth_{n}.jsonl"
    if not path.exists():
        t = time.perf_counter()
        child = multiprocessing.get_context("spawn").Process(target=_write_synthetic, args=(n, path))
        child.start()
        child.join()
        print(f"generated {path} in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    ins, outs = [], []
    with path.open("rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            ins.append(r["input"])
            outs.append(r["output"])
    ds = make_dataset(list(zip(ins, outs)))
    del ins, outs
    gc.collect()
    print(f"loaded {n:,} records ({path.stat().st_size / 1e6:,.0f} MB JSONL) in {time.perf_counter() - t:.1f}s; RSS {peak_mb():,.0f} MB")
    ctx = make_context(ds)
    t = time.perf_counter()
    result = DuplicatesCheck().run(ctx)
    took = time.perf_counter() - t
    m = result.metrics
    print(f"whole duplicates check: {took:.1f}s = {n / took:,.0f} records/s; peak RSS of the process {peak_mb():,.0f} MB")
    keys = ("exact_duplicate_records", "near_duplicate_clusters", "near_duplicate_records", "near_candidates", "near_method")
    print({k: m[k] for k in keys})


# --- peer: datasketch -----------------------------------------------------------


def _datasketch(texts: list[str], threshold: float) -> tuple[set[int], float, float]:
    from datasketch import MinHash, MinHashLSH

    t = time.perf_counter()
    sigs = []
    for text in texts:
        words = text.split()
        grams = {" ".join(words[i : i + 5]).encode() for i in range(max(len(words) - 4, 1))}
        m = MinHash(num_perm=128, seed=1)
        m.update_batch(list(grams))
        sigs.append(m)
    t_sig = time.perf_counter() - t
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    found: set[int] = set()
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j != i and sigs[i].jaccard(sigs[j]) >= threshold:  # the estimated-Jaccard check
                found.update((i, j))
    return found, t_sig, time.perf_counter() - t


def peer(n: int) -> None:
    syn = generate(n, seed=1, exact_share=0.0)
    norm = Normalizer()
    ins, outs = norm.many(syn.inputs), norm.many(syn.outputs)
    pm, im = firsts(list(zip(ins, outs))), firsts(ins)
    t = time.perf_counter()
    truth = near_views(ins, outs, pm, im, NearParams(exact_below=10**9, boilerplate_share=1.0)).pairs
    t_exact = time.perf_counter() - t
    near_views(ins[:50], outs[:50], np.arange(50), np.arange(50), NearParams(exact_below=0))  # imports, tables
    t = time.perf_counter()
    ours = near_views(ins, outs, pm, im, NearParams(exact_below=0, boilerplate_share=1.0)).pairs
    t_ours = time.perf_counter() - t
    t = time.perf_counter()
    ours_pair = near_views(ins, outs, pm, np.zeros(0, np.int64), NearParams(exact_below=0, boilerplate_share=1.0)).pairs
    t_pair = time.perf_counter() - t
    t = time.perf_counter()
    near_views(ins, outs, pm, im, NearParams(exact_below=0))
    t_rule = time.perf_counter() - t
    texts = [i + " " + o for i, o in zip(ins, outs)]  # datasketch sees the pair as one text
    found, t_sig, t_ds = _datasketch(texts, 0.8)
    truth_recs = records_of(truth.a, truth.b)
    p_o, r_o = pr(records_of(ours.a, ours.b), truth_recs)
    p_d, r_d = pr(found, truth_recs)
    print(f"{n:,} records, {len(truth_recs):,} in near-duplicate pairs (exhaustive exact, {t_exact:.1f}s)")
    p_p, r_p = pr(records_of(ours_pair.a, ours_pair.b), truth_recs)
    print(f"ours, pair view only (what datasketch does): {t_pair:.1f}s = {n / t_pair:,.0f} rec/s; P={p_p:.4f} R={r_p:.4f}")
    print(f"ours, input and pair views: {t_ours:.1f}s = {n / t_ours:,.0f} rec/s; P={p_o:.4f} R={r_o:.4f}")
    print(f"ours, both views + boilerplate rule (the check's default): {t_rule:.1f}s = {n / t_rule:,.0f} rec/s")
    print(
        f"datasketch MinHash+MinHashLSH: {t_ds:.1f}s = {n / t_ds:,.0f} rec/s (signatures alone {n / t_sig:,.0f}/s); "
        f"P={p_d:.4f} R={r_d:.4f}; 1M records extrapolated: {t_ds * 1e6 / n / 60:.1f} min"
    )
    print(f"throughput ratio ours / datasketch: pair view {t_ds / t_pair:.1f}x, both views {t_ds / t_ours:.1f}x, default {t_ds / t_rule:.1f}x")


# --- real data: T0 and Toolformer vs exhaustive exact ---------------------------


def versus_exact(name: str, with_peer: bool = False) -> None:
    ins, outs, _ = load(DATA / REAL[name])
    norm = Normalizer()
    ins, outs = norm.many(ins), norm.many(outs)
    pm, im = firsts(list(zip(ins, outs))), firsts(ins)
    print(f"{name}: {len(ins):,} records, {len(pm):,} distinct pairs")
    for share in (1.0, 0.05):
        t = time.perf_counter()
        truth = near_views(ins, outs, pm, im, NearParams(exact_below=10**9, boilerplate_share=share)).pairs
        t_exact = time.perf_counter() - t
        t = time.perf_counter()
        ours = near_views(ins, outs, pm, im, NearParams(exact_below=0, boilerplate_share=share))
        t_lsh = time.perf_counter() - t
        truth_recs = records_of(truth.a, truth.b)
        p, r = pr(records_of(ours.pairs.a, ours.pairs.b), truth_recs)
        label = "no boilerplate rule" if share >= 1.0 else f"boilerplate_share={share}"
        print(
            f"  {label}: exact {len(truth):,} pairs / {len(truth_recs):,} records in {t_exact:.1f}s; "
            f"LSH (both views) {t_lsh:.1f}s, {ours.pairs.candidates:,} verified: record P={p:.4f} R={r:.4f}; "
            f"boilerplate shingles {truth.boilerplate}"
        )
        if share >= 1.0:
            plain = truth_recs
            plain_pairs = truth
        else:
            lost = plain - truth_recs
            print(f"  the boilerplate rule removes {len(lost):,} records from near-duplicate pairs, adds {len(truth_recs - plain):,}")
            _explain(ins, plain_pairs, truth, lost)
    if with_peer:
        found, _, t_ds = _datasketch([i + " " + o for i, o in zip(ins, outs)], 0.8)
        plain_recs = plain
        p, r = pr(found, plain_recs)
        print(f"  datasketch (no boilerplate rule): {t_ds:.1f}s record P={p:.4f} R={r:.4f}")


def _explain(ins: list[str], plain, ruled, lost: set[int]) -> None:
    """Show what the pairs the rule drops have in common: their shared first line (the tool / template)."""
    if not lost:
        return
    kept = {(int(a), int(b)) for a, b in zip(ruled.a, ruled.b)}
    dropped = [(int(a), int(b), j) for a, b, j in zip(plain.a, plain.b, plain.jaccard) if (int(a), int(b)) not in kept]
    heads: dict[str, int] = {}
    same_head = 0
    for a, b, _ in dropped:
        ha, hb = ins[a].split(" ")[:6], ins[b].split(" ")[:6]
        same_head += ha == hb
        heads[" ".join(ha)] = heads.get(" ".join(ha), 0) + 1
    js = np.array([j for *_, j in dropped])
    print(
        f"  dropped pairs: {len(dropped):,}, Jaccard median {np.median(js):.3f} (min {js.min():.3f}); "
        f"{same_head / len(dropped):.0%} share their first 6 words; most common openings: "
        + "; ".join(f"{h!r} x{c}" for h, c in sorted(heads.items(), key=lambda kv: -kv[1])[:3])
    )


# --- what the check finds on each real dataset ----------------------------------


def real() -> None:
    for name, rel in REAL.items():
        path = DATA / rel
        if not path.exists():
            print(f"{name}: absent")
            continue
        ins, outs, cats = load(path)
        ds = make_dataset(list(zip(ins, outs)), categories=cats if any(c is not None for c in cats) else None)
        ctx = make_context(ds)
        t = time.perf_counter()
        result = DuplicatesCheck().run(ctx)
        took = time.perf_counter() - t
        m = result.metrics
        codes = ", ".join(f"{f.code}({f.severity.value}) {f.size}" for f in result.findings)
        print(
            f"{name}: {m['records']:,} records in {took:.1f}s; exact {m['exact_duplicate_records']} in {m['exact_duplicate_groups']} groups; "
            f"conflicting inputs {m['conflicting_input_groups']} ({m['conflicting_records']} records); open {m['open_input_groups']}; "
            f"near {m['near_duplicate_records']} in {m['near_duplicate_clusters']} clusters ({m['near_method']}); "
            f"near-duplicate inputs {m['near_input_clusters']} clusters, of them differing by a small edit {m['similar_input_clusters']}; boilerplate {m['boilerplate_shingles']}; "
            f"effective {m['effective_examples']:,}; findings: {codes}"
        )


# --- a family of near-copies (issue 17) -------------------------------------------


def family(sizes: list[int]) -> None:
    """One 100-word text copied with one word changed per copy, same output, among 1,000 other
    records: effective examples should be 1 + 1,000 at any size."""
    from checks.effective import effective
    from tests.synth_duplicates import near_copy_families

    others = generate(1000, seed=5, near_share=0.0, exact_share=0.0)
    for size in sizes:
        fam = near_copy_families(size, seed=size)
        ds = make_dataset(list(zip(fam.inputs + others.inputs, fam.outputs + others.outputs)))
        ctx = make_context(ds)
        t, c = time.perf_counter(), time.process_time()
        eff = ctx.cached(effective)
        print(
            f"family of {size:,} (+1,000 others): {eff.count:,} effective examples (want 1,001), "
            f"{eff.removed_near:,} near-duplicates left out; {time.perf_counter() - t:.1f}s wall, {time.process_time() - c:.1f}s cpu"
        )


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "peer"
    if what == "scale":
        scale(int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
    elif what == "peer":
        peer(int(sys.argv[2]) if len(sys.argv) > 2 else 20_000)
    elif what in ("t0", "toolformer"):
        versus_exact("t0" if what == "t0" else "gpteacher-toolformer", with_peer="--peer" in sys.argv)
    elif what == "real":
        real()
    elif what == "family":
        family([int(x) for x in sys.argv[2:]] or [40, 200, 2_000, 20_000])
    else:
        raise SystemExit(__doc__)
