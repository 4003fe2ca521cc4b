"""The small-set path of the coverage check: TF-IDF, LSA and k-means without scikit-learn (issue 20).

Below ``checks.textspace.SMALL_TEXTS`` texts the space is counted and weighted
in numpy and the topics use exact LSA and numpy k-means, so that a
few-hundred-record audit does not import scikit-learn. These tests hold the
numpy counts and weights to scikit-learn's, the exact LSA to a dense SVD, and
the k-means to planted clusters; the size cut itself; and the sample audit's
imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

import checks.textspace as textspace
from checks.exactcluster import kmeans, lsa_rows, unit_rows
from checks.stopwords import ENGLISH_STOP_WORDS

REPO = Path(__file__).resolve().parents[1]
WORDS = "the billing refund Parcel parcel délai 42 item_count2 x of naïve ÉTÉ code_review and über we're".split()


def test_stop_words_are_scikit_learns() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as theirs

    assert ENGLISH_STOP_WORDS == theirs


def _both(train: list[str], reference: list[str] | None, monkeypatch: pytest.MonkeyPatch) -> tuple[textspace.TextSpace, textspace.TextSpace]:
    small = textspace.build_space(train, reference)
    monkeypatch.setattr(textspace, "SMALL_TEXTS", 0)
    large = textspace.build_space(train, reference)
    monkeypatch.setattr(textspace, "SMALL_TEXTS", 1_000)
    return small, large


@settings(max_examples=40, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from(WORDS) | st.text(max_size=6), max_size=12), min_size=1, max_size=40),
    with_reference=st.booleans(),
)
def test_small_space_equals_scikit_learns(docs: list[list[str]], with_reference: bool) -> None:
    texts = [" ".join(d) for d in docs]
    split = len(texts) // 2 if with_reference else len(texts)
    reference = texts[split:] if with_reference else None
    with pytest.MonkeyPatch.context() as monkeypatch:
        small, large = _both(texts[:split], reference, monkeypatch)
    assert small.small and not large.small
    assert small.terms.tolist() == large.terms.tolist()
    assert small.train.dtype == large.train.dtype == np.float32
    np.testing.assert_allclose(small.train.toarray(), large.train.toarray(), atol=1e-6)
    if reference is not None:
        assert small.reference is not None and large.reference is not None
        np.testing.assert_allclose(small.reference.toarray(), large.reference.toarray(), atol=1e-6)


def test_the_size_cut_counts_training_and_reference_texts() -> None:
    texts = [f"ticket about topic{i % 7} number {i}" for i in range(textspace.SMALL_TEXTS)]
    assert textspace.build_space(texts[:-1]).small
    assert not textspace.build_space(texts).small
    assert not textspace.build_space(texts[:-1], texts[-1:]).small


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exact_lsa_is_the_dense_svd(seed: int) -> None:
    rng = np.random.default_rng(seed)
    matrix = sparse.random(60, 40, density=0.2, format="csr", random_state=seed, dtype=np.float32)
    matrix.data = rng.random(matrix.nnz).astype(np.float32)
    u, s, _ = np.linalg.svd(matrix.toarray().astype(np.float64), full_matrices=False)
    dims = 10
    got = lsa_rows(matrix, dims)
    assert got.shape == (60, dims)
    np.testing.assert_allclose(np.linalg.norm(got, axis=0), s[:dims], rtol=1e-6)
    # Singular vectors are defined up to sign: compare each column with its sign aligned.
    expected = u[:, :dims] * s[:dims]
    signs = np.sign((got * expected).sum(axis=0))
    np.testing.assert_allclose(got * signs, expected, atol=1e-6)


def test_kmeans_finds_planted_clusters_and_is_seeded() -> None:
    rng = np.random.default_rng(7)
    centres = unit_rows(rng.normal(size=(5, 20)))
    truth = np.repeat(np.arange(5), [80, 40, 20, 10, 5])
    points = unit_rows(centres[truth] + rng.normal(scale=0.05, size=(truth.size, 20)))
    labels, found = kmeans(points, 5, seed=3)
    assert found.shape == (5, 20)
    # One found cluster per planted one, whatever the numbering.
    assert {(int(t), int(lab)) for t, lab in zip(truth, labels)} == {(int(t), int(labels[truth == t][0])) for t in range(5)}
    assert len(set(labels.tolist())) == 5
    again, _ = kmeans(points, 5, seed=3)
    np.testing.assert_array_equal(labels, again)


def test_kmeans_with_more_clusters_than_distinct_points_keeps_every_label_valid() -> None:
    points = unit_rows(np.array([[1.0, 0.0]] * 6 + [[0.0, 1.0]] * 3))
    labels, centres = kmeans(points, 4, seed=0)
    assert labels.min() >= 0 and labels.max() < 4 and np.isfinite(centres).all()


def test_the_sample_audit_does_not_import_scikit_learn() -> None:
    code = (
        "import sys; from auditor.api import audit;"
        "audit('sample_data/support_ready.jsonl');"
        "print(sorted(m for m in ('sklearn', 'pandas', 'scipy.stats') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
