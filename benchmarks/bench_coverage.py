"""Coverage check speed and memory on real data (run: nice -n 10 /work/venv/bin/python benchmarks/bench_coverage.py).

Cases, each in a fresh subprocess so its peak RSS is its own:

  check     the whole coverage check, 100,000 training inputs against 10,000 reference inputs
  peer      scikit-learn's brute-force cosine NearestNeighbors (k=1) on the same TF-IDF rows:
            the usual way to do this, and the correctness reference for our nearest similarities
  nearest   our chunked sparse top-1 alone on the same rows, for the ratio against the peer
  topics    TF-IDF + topics (fit on a seeded sample, assign all in chunks) for 1,000,000 inputs

Training inputs: self_instruct T0 (55k), GPTeacher (14k), CodeAlpaca 2k, GSM8K train, cycled to
the size wanted. Reference: GSM8K test, self-instruct user-oriented predictions, HH-RLHF
harmless test prompts, cycled to 10,000. Inputs are instruction + ("\\n\\n" + input).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
sys.path.insert(0, str(ROOT))

TRAIN_FILES = (
    "self_instruct_t0_50k/canonical.jsonl",
    "gpteacher/canonical_codegen.jsonl",
    "gpteacher/canonical_roleplay.jsonl",
    "gpteacher/canonical_toolformer.jsonl",
    "codealpaca/canonical_code_alpaca_2k.jsonl",
    "gsm8k/canonical_train.jsonl",
)
REFERENCE_FILES = (
    "gsm8k/test.jsonl",
    "self_instruct_eval/canonical_predictions.jsonl",
    "hh_rlhf_harmless_base_test/canonical.jsonl",
)


def read_inputs(files: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for name in files:
        with (DATASETS / name).open("rb") as fh:
            for line in fh:
                if line.strip():
                    r = orjson.loads(line)
                    if "question" in r:
                        out.append(r["question"])
                    else:
                        out.append(r.get("instruction", "") + ("\n\n" + r["input"] if r.get("input") else ""))
    return out


def cycled(texts: list[str], n: int) -> list[str]:
    # Later rounds get a distinct tail word so repeated texts are not identical rows.
    return [texts[i % len(texts)] + ("" if i < len(texts) else f" {i // len(texts)}") for i in range(n)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def case_check(n_train: int, n_ref: int) -> dict[str, object]:
    from checks.coverage import CoverageCheck
    from tests.helpers import make_context, make_dataset

    train = cycled(read_inputs(TRAIN_FILES), n_train)
    ref = cycled(read_inputs(REFERENCE_FILES), n_ref)
    data = make_dataset([(t, "") for t in train])
    other = make_dataset([(t, "") for t in ref])
    start = time.perf_counter()
    result = CoverageCheck().run(make_context(data, {"reference": other}))
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 2),
        "reference_coverage": result.metrics["reference_coverage"],
        "topics": len(result.metrics["topics"]),
        "uncovered_topics": [(t["size"], t["top_terms"][:3]) for t in result.metrics["uncovered_topics"]],
        "findings": [f.code for f in result.findings],
    }


def _rows(n_train: int, n_ref: int):  # type: ignore[no-untyped-def]
    from checks.textspace import build_space

    space = build_space(cycled(read_inputs(TRAIN_FILES), n_train), cycled(read_inputs(REFERENCE_FILES), n_ref))
    return space.reference, space.train


def case_nearest(n_train: int, n_ref: int) -> dict[str, object]:
    from threadpoolctl import threadpool_limits

    from checks.reference import nearest

    ref, train = _rows(n_train, n_ref)
    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        found = nearest(ref, train)
    seconds = time.perf_counter() - start
    Path("/tmp/bench_coverage_ours.json").write_text(json.dumps(found.similarity.tolist()))
    return {"seconds": round(seconds, 2), "mean_similarity": round(float(found.similarity.mean()), 5)}


def case_peer(n_train: int, n_ref: int) -> dict[str, object]:
    import numpy as np
    from sklearn.neighbors import NearestNeighbors

    ref, train = _rows(n_train, n_ref)
    start = time.perf_counter()
    distances, _ = NearestNeighbors(n_neighbors=1, metric="cosine", algorithm="brute").fit(train).kneighbors(ref)
    seconds = time.perf_counter() - start
    peer = 1.0 - distances[:, 0]
    # Rows sharing no term with training: sklearn reports cosine distance 1, i.e. similarity 0, as we do.
    ours = np.array(json.loads(Path("/tmp/bench_coverage_ours.json").read_text()))
    return {
        "seconds": round(seconds, 2),
        "max_abs_difference_from_ours": float(np.abs(peer - ours).max()) if ours.size == peer.size else None,
    }


def case_topics(n: int) -> dict[str, object]:
    from threadpoolctl import threadpool_limits

    from checks.textspace import build_space
    from checks.topics import cluster

    texts = cycled(read_inputs(TRAIN_FILES), n)
    start = time.perf_counter()
    space = build_space(texts)
    vectorised = time.perf_counter() - start
    with threadpool_limits(limits=1, user_api="blas"):
        topics = cluster(space.train, space.terms, max_topics=40, seed=0, sample_size=20_000)
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 2),
        "tfidf_seconds": round(vectorised, 2),
        "topics": topics.k,
        "largest": [(t.size, list(t.top_terms[:3])) for t in topics.topics[:5]],
    }


CASES = {
    "check": lambda: case_check(100_000, 10_000),
    "nearest": lambda: case_nearest(100_000, 10_000),
    "peer": lambda: case_peer(100_000, 10_000),
    "topics": lambda: case_topics(1_000_000),
}


def main() -> None:
    if len(sys.argv) > 1:
        name = sys.argv[1]
        out = CASES[name]()
        out["peak_rss_mb"] = round(peak_rss_mb())
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU seconds of the whole case (loading included), workers too: on a shared machine
        # wall time depends on the neighbours, CPU time does not.
        out["cpu_seconds_total"] = round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 1)
        out["load_average"] = round(os.getloadavg()[0], 2)
        print(json.dumps({"case": name, **out}))
        return
    if not DATASETS.is_dir():
        sys.exit(f"{DATASETS} is absent")
    for name in CASES:  # one at a time: the machine is shared
        done = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True)
        print(done.stdout.strip() or done.stderr.strip()[-2000:], flush=True)


if __name__ == "__main__":
    main()
