"""Self-calibrated coverage on arrays: k-neighbour scores, the training spread, and the topic-gap words.

The same functions serve TF-IDF rows (sparse) and sentence embeddings (dense),
so every property is checked on both; the embeddings test proper skips without
sentence-transformers, these do not.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.preprocessing import normalize

import checks.reference as reference_module
from checks.calibration import MIN_BELOW, calibrate, covered, judge, minimum_inputs
from checks.contrast import Background, distinctive_terms, log_odds_z
from checks.coverage import CoverageCheck
from checks.reference import COPY_SIMILARITY, neighbour_scores
from tests.helpers import make_context, make_dataset


def blobs(centres: np.ndarray, n: int, spread: float, seed: int) -> np.ndarray:
    """L2-normalised points scattered around the given centres, n per centre."""
    rng = np.random.default_rng(seed)
    points = np.repeat(centres, n, axis=0) + rng.normal(scale=spread, size=(len(centres) * n, centres.shape[1]))
    return normalize(points).astype(np.float32)


CENTRES = np.eye(16)[:4] * 3  # four in-domain topics on four axes
ELSEWHERE = np.eye(16)[8:10] * 3  # two topics the training data lacks


def brute(rows: np.ndarray, train: np.ndarray, k: int, skip: bool) -> tuple[np.ndarray, np.ndarray]:
    sims = rows @ train.T
    copies = (sims >= COPY_SIMILARITY).sum(axis=1)
    if skip:
        sims = np.where(sims >= COPY_SIMILARITY, 0.0, sims)
    sims = np.maximum(sims, 0.0)
    kk = min(k, train.shape[0])
    return np.sort(sims, axis=1)[:, ::-1][:, :kk].sum(axis=1) / k, copies


@pytest.mark.parametrize(
    ("m", "n", "k", "density", "seed"),
    [(30, 50, 1, 0.2, 0), (30, 50, 5, 0.2, 1), (7, 3, 10, 0.5, 2), (40, 200, 10, 0.05, 3), (1, 1, 1, 1.0, 4), (25, 60, 60, 0.3, 5)],
)
@pytest.mark.parametrize("skip", [False, True])
def test_neighbour_scores_match_brute_force(m: int, n: int, k: int, density: float, seed: int, skip: bool) -> None:
    ref = normalize(sparse.random(m, 40, density=density, random_state=seed, format="csr", dtype=np.float32))
    train = normalize(sparse.random(n, 40, density=density, random_state=seed + 100, format="csr", dtype=np.float32))
    train = sparse.vstack([train, ref[: m // 3]]).tocsr()  # some exact copies of reference rows
    expected, expected_copies = brute(ref.toarray(), train.toarray(), k, skip)
    for rows, against in ((ref, train), (ref.toarray(), train.toarray())):
        scores, copies = neighbour_scores(rows, against, k, skip_copies=skip)
        np.testing.assert_allclose(scores, expected, atol=1e-6)
        if skip:
            np.testing.assert_array_equal(copies, expected_copies)


def test_neighbour_scores_are_the_same_in_many_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    ref = normalize(sparse.random(100, 30, density=0.2, random_state=1, format="csr", dtype=np.float32))
    train = normalize(sparse.random(120, 30, density=0.2, random_state=2, format="csr", dtype=np.float32))
    whole, _ = neighbour_scores(ref, train, 7)
    monkeypatch.setattr(reference_module, "CHUNK_CELLS", 1)  # 8 rows per chunk
    chunked, _ = neighbour_scores(ref, train, 7)
    np.testing.assert_array_equal(whole, chunked)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.lists(st.floats(0, 1, width=32), min_size=0, max_size=30), min_size=1, max_size=12),
    k=st.integers(1, 12),
)
def test_top_mean_of_sparse_rows_is_exact(values: list[list[float]], k: int) -> None:
    # Ties, rows shorter than k and empty rows: the floor from segment maxima is exact.
    _assert_top_mean_exact(values, k, 40)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.lists(st.floats(0, 1, width=32), min_size=0, max_size=5),
            st.lists(st.sampled_from([0.0, 0.25, 0.5, 1.0]), min_size=30, max_size=200),
            st.lists(st.floats(0, 1, width=32), min_size=30, max_size=200),
        ),
        min_size=1,
        max_size=8,
    ),
    k=st.integers(1, 4),
)
def test_top_mean_of_long_sparse_rows_is_exact(values: list[list[float]], k: int) -> None:
    # Rows long enough for the segment floor, among short and empty ones, the last row long or not.
    _assert_top_mean_exact(values, k, 200)


def _assert_top_mean_exact(values: list[list[float]], k: int, width: int) -> None:
    data = [v for row in values for v in row[:width]]
    indptr = np.cumsum([0] + [len(row[:width]) for row in values])
    indices = [j for row in values for j in range(len(row[:width]))]
    product = sparse.csr_matrix((np.array(data, dtype=np.float32), indices, indptr), shape=(len(values), width))
    row_of = np.repeat(np.arange(len(values), dtype=np.int32), np.diff(product.indptr))
    got = reference_module._top_mean_csr(product, row_of, k)
    expected = [sorted(row[:width], reverse=True)[:k] for row in values]
    np.testing.assert_allclose(got, [sum(e) / k for e in expected], atol=1e-6)


@pytest.mark.parametrize("dense", [True, False])
def test_a_reference_drawn_like_the_training_data_is_covered_and_another_is_not(dense: bool) -> None:
    train = blobs(CENTRES, 500, 0.6, seed=1)
    same = blobs(CENTRES, 250, 0.6, seed=2)
    other = blobs(ELSEWHERE, 50, 0.6, seed=3)
    reference = np.vstack([same, other])
    if not dense:
        train, reference = sparse.csr_matrix(np.maximum(train, 0)), sparse.csr_matrix(np.maximum(reference, 0))
        train, reference = normalize(train), normalize(reference)
    judged = judge(train, reference, mode="training", quantile=0.02, neighbours=10, sample=2000, absolute=0.3, seed=0)
    assert judged.metrics["mode"] == "training"
    in_domain = judged.covered[: len(same)].mean()
    # Conformal: at least 98% in expectation; 1,000 draws leave a few points of noise.
    assert in_domain >= 0.95
    assert judged.covered[len(same) :].mean() <= 0.05


def test_copies_in_the_training_set_do_not_raise_the_bar() -> None:
    train = blobs(CENTRES, 300, 0.6, seed=4)
    rng = np.random.default_rng(5)
    # Every other training input gets three near-copies (a few words changed), as templated sets have.
    copies = np.repeat(train[::2], 3, axis=0) + rng.normal(scale=0.02, size=(len(train[::2]) * 3, train.shape[1]))
    padded = np.vstack([train, normalize(copies).astype(np.float32)])
    clean = calibrate(train, neighbours=10, quantile=0.02, sample=5000, seed=0)
    noisy = calibrate(padded, neighbours=10, quantile=0.02, sample=5000, seed=0)
    assert clean.threshold is not None and noisy.threshold is not None
    assert noisy.with_copies > 0.4 * noisy.sampled
    # The same padding with copies counted as neighbours raises the bar more than twice as much. What
    # remains is a family counting several times among the neighbours of other inputs (documented).
    counted, _ = neighbour_scores(padded, padded, 11)  # the row itself is one of its 11
    counted = (counted * 11 - 1) / 10
    assert noisy.threshold - clean.threshold < 0.045
    assert float(np.quantile(counted, 0.02)) - clean.threshold > 0.06


def test_too_few_training_inputs_fall_back_to_the_absolute_threshold() -> None:
    needed = minimum_inputs(0.02)
    assert needed == math.ceil(MIN_BELOW / 0.02) == 150
    train = blobs(CENTRES, 30, 0.6, seed=6)  # 120 inputs
    scale = calibrate(train, neighbours=10, quantile=0.02, sample=2000, seed=0)
    assert scale.threshold is None and "fewer than the 150 needed" in scale.reason
    judged = judge(train, train[:5], mode="training", quantile=0.02, neighbours=10, sample=2000, absolute=0.3, seed=0)
    assert judged.metrics["mode"] == "absolute" and judged.threshold == 0.3
    assert "too few training inputs" in judged.rule and "fallback_reason" in judged.metrics


def test_large_training_sets_are_sampled_with_the_seed() -> None:
    train = blobs(CENTRES, 800, 0.6, seed=7)
    first = calibrate(train, neighbours=10, quantile=0.02, sample=500, seed=3)
    again = calibrate(train, neighbours=10, quantile=0.02, sample=500, seed=3)
    other = calibrate(train, neighbours=10, quantile=0.02, sample=500, seed=4)
    full = calibrate(train, neighbours=10, quantile=0.02, sample=10_000, seed=3)
    assert first == again and first.sampled == 500 and full.sampled == 3200
    assert first.threshold is not None and other.threshold is not None and full.threshold is not None
    assert abs(first.threshold - full.threshold) < 0.05 and abs(other.threshold - full.threshold) < 0.05
    # A sample below the minimum the quantile needs is raised to it.
    assert calibrate(train, neighbours=10, quantile=0.02, sample=10, seed=3).sampled == 150


def test_the_threshold_is_the_conformal_rank() -> None:
    train = blobs(CENTRES, 100, 0.6, seed=8)
    scale = calibrate(train, neighbours=3, quantile=0.05, sample=10_000, seed=0)
    scores, _ = neighbour_scores(train, train, 3, skip_copies=True)
    rank = math.floor(0.05 * (len(train) + 1))
    assert scale.threshold == pytest.approx(float(np.sort(scores)[rank - 1]))


def test_sparse_and_dense_rows_calibrate_alike() -> None:
    train = normalize(sparse.random(400, 60, density=0.1, random_state=9, format="csr", dtype=np.float32))
    as_sparse = calibrate(train, neighbours=5, quantile=0.02, sample=300, seed=1)
    as_dense = calibrate(train.toarray(), neighbours=5, quantile=0.02, sample=300, seed=1)
    assert as_sparse.threshold == pytest.approx(as_dense.threshold, abs=1e-6)


def test_nothing_in_common_is_never_covered() -> None:
    assert covered(np.array([0.0, 0.1, 0.3], dtype=np.float32), 0.0).tolist() == [False, True, True]


def test_absolute_mode_keeps_the_nearest_neighbour_cut() -> None:
    train = blobs(CENTRES, 100, 0.6, seed=10)
    ref = blobs(CENTRES, 10, 0.6, seed=11)
    judged = judge(train, ref, mode="absolute", quantile=0.02, neighbours=10, sample=2000, absolute=0.5, seed=0)
    best = (ref @ train.T).max(axis=1)
    np.testing.assert_allclose(judged.scores, best, atol=1e-6)
    assert judged.covered.tolist() == (best >= 0.5).tolist() and judged.expected_uncovered is None


# --- topic-gap words ----------------------------------------------------------


def test_log_odds_prefers_words_the_background_lacks() -> None:
    background = Background(np.array([300.0, 0.0, 7000.0]), 7473)
    z = log_odds_z(np.array([3.0, 3.0, 9.0]), 10, background)
    assert z[1] > z[0] > 0 > z[2] - 1  # absent from training > common in training; a domain word ~ 0
    assert z[1] == pytest.approx(5.7, abs=0.1) and z[0] == pytest.approx(3.7, abs=0.1)


def test_distinctive_terms_skip_what_the_training_data_shares() -> None:
    # Columns: 0 "minutes" (in most training texts), 1 "potion" (in none), 2 "wizard" (in 2), 3 "once" (one row).
    background = Background(np.array([6000.0, 0.0, 2.0, 0.0]), 7000)
    rows = sparse.csr_matrix(np.array([[1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 1, 1], [1, 1, 1, 0]], dtype=np.float32))
    assert distinctive_terms(rows, background, 3) == [2, 1, 3]  # shared first, then by z; "minutes" never


# --- the check --------------------------------------------------------------


def test_repeated_training_inputs_count_once() -> None:
    vocabulary = words(60, 12)
    rng = np.random.default_rng(12)
    texts = [" ".join(rng.choice(vocabulary, 6, replace=False)) for _ in range(300)]
    ref = make_dataset([(" ".join(rng.choice(vocabulary, 6, replace=False)), "") for _ in range(50)])
    once = CoverageCheck().run(make_context(make_dataset([(t, "x") for t in texts]), {"reference": ref})).metrics
    twice = CoverageCheck().run(make_context(make_dataset([(t, "x") for t in texts * 3]), {"reference": ref})).metrics
    assert once["calibration"]["distinct_training_inputs"] == twice["calibration"]["distinct_training_inputs"] == 300
    # Equal but for the IDF weights, which count every record (smoothing shifts them slightly).
    assert once["similarity_threshold"] == pytest.approx(twice["similarity_threshold"], abs=0.005)
    assert once["reference_coverage"] == pytest.approx(twice["reference_coverage"], abs=0.021)


def words(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), 6)) for _ in range(n)]


def test_chance_misses_of_a_like_reference_name_no_topic() -> None:
    vocabulary = words(80, 13)
    rng = np.random.default_rng(13)
    train = make_dataset([(" ".join(rng.choice(vocabulary, 8, replace=False)), "x") for _ in range(600)])
    ref = make_dataset([(" ".join(rng.choice(vocabulary, 8, replace=False)), "") for _ in range(300)])
    result = CoverageCheck().run(make_context(train, {"reference": ref}))
    m = result.metrics
    assert m["calibration"]["mode"] == "training"
    assert m["uncovered_reference_records"] <= m["calibration"]["expected_uncovered"]
    assert not {"COV005", "COV006"} & {f.code for f in result.findings}
