"""The near-duplicate search on real data, against exhaustive exact Jaccard (skipped when the data is absent).

T0 (55k long records) takes minutes exhaustively, so it lives in
benchmarks/bench_duplicates.py (``t0``); Toolformer is small enough for a test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from auditor.similarity.neardup import NearParams, near_views
from auditor.similarity.normalize import Normalizer

DATA = Path(__file__).resolve().parents[2] / "shared" / "datasets"
TOOLFORMER = DATA / "gpteacher" / "canonical_toolformer.jsonl"


def load(path: Path) -> tuple[list[str], list[str]]:
    """Normalised inputs and outputs, read by the real loader."""
    from auditor.load import load as load_dataset

    if not path.exists():
        pytest.skip(f"{path} is absent (real datasets live in ../shared/datasets)")
    data, _ = load_dataset(path)
    norm = Normalizer()
    return norm.many(data.inputs), norm.many(data.outputs)


def firsts(keys: list) -> np.ndarray:
    seen: dict = {}
    for i, k in enumerate(keys):
        seen.setdefault(k, i)
    return np.fromiter(seen.values(), np.int64, len(seen))


@pytest.mark.slow
def test_toolformer_lsh_matches_exhaustive_and_boilerplate_is_the_only_difference():
    ins, outs = load(TOOLFORMER)
    pm, im = firsts(list(zip(ins, outs))), firsts(ins)
    exact = near_views(ins, outs, pm, im, NearParams(exact_below=10**9)).pairs
    lsh = near_views(ins, outs, pm, im, NearParams(exact_below=0)).pairs
    truth = set(exact.a.tolist()) | set(exact.b.tolist())
    found = set(lsh.a.tolist()) | set(lsh.b.tolist())
    assert len(truth & found) / len(found) >= 0.95
    assert len(truth & found) / len(truth) >= 0.95
    assert exact.boilerplate[0] > 100  # the tool descriptions

    # Without the rule, pairs the rule drops all share the tool header and only it:
    # their Jaccard over what is not boilerplate is below the threshold by construction.
    plain = near_views(ins, outs, pm, im, NearParams(exact_below=10**9, boilerplate_share=1.0)).pairs
    kept = set(zip(exact.a.tolist(), exact.b.tolist()))
    dropped = [(a, b) for a, b in zip(plain.a.tolist(), plain.b.tolist()) if (a, b) not in kept]
    assert len(dropped) > 1000
    # Normalised text starts "toolformer: enabled toolformer access: <tools> <tool description>".
    assert all(ins[a][:60] == ins[b][:60] for a, b in dropped)
    assert kept <= set(zip(plain.a.tolist(), plain.b.tolist()))  # the rule only removes pairs
