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


def records(pairs) -> set[int]:
    return set(pairs.a.tolist()) | set(pairs.b.tolist())


@pytest.mark.slow
def test_toolformer_lsh_matches_exhaustive_and_the_rule_removes_only_tool_header_matches():
    ins, outs = load(TOOLFORMER)
    pm, im = firsts(list(zip(ins, outs))), firsts(ins)
    exact = near_views(ins, outs, pm, im, NearParams(exact_below=10**9))
    lsh = near_views(ins, outs, pm, im, NearParams(exact_below=0))
    for view in ("inputs", "pairs", "similar"):
        truth, found = records(getattr(exact, view)), records(getattr(lsh, view))
        assert len(truth & found) / len(found) >= 0.95, view
        assert len(truth & found) / len(truth) >= 0.95, view
    assert exact.pairs.boilerplate[0] > 100  # the tool descriptions

    # Without the rule, inputs that share a tool header are alike whatever their task: the rule
    # removes tens of thousands of such input pairs, and every pair it removes (of inputs or of
    # whole examples) shares the header. Normalised text starts "toolformer: enabled toolformer
    # access: <tools> <tool description>".
    plain = near_views(ins, outs, pm, im, NearParams(exact_below=10**9, boilerplate_share=1.0))
    for view, least in (("inputs", 50_000), ("pairs", 100)):
        kept = set(zip(getattr(exact, view).a.tolist(), getattr(exact, view).b.tolist()))
        every = set(zip(getattr(plain, view).a.tolist(), getattr(plain, view).b.tolist()))
        dropped = every - kept
        assert len(dropped) > least, view
        assert all(ins[a][:60] == ins[b][:60] for a, b in dropped), view
        assert kept <= every, view  # the rule only removes pairs
