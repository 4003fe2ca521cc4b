"""Krippendorff's alpha: published values, both computation paths, and an independent cross-check."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks import alpha as ka

NAN = math.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C:
# 4 observers x 12 units with missing values.
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
# Example A of the same paper: binary data, two observers, no missing values.
K2011_BINARY = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]

# Fleiss (1971) as reproduced in most textbooks: 10 subjects, 14 raters, 5 categories,
# each row the number of raters choosing each category; Fleiss' kappa = 0.210.
FLEISS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def from_matrix(matrix: list[list[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(units, observers, value codes, domain) from an observers x units matrix with NaN gaps."""
    data = np.asarray(matrix, dtype=float)
    observers, units = np.nonzero(~np.isnan(data))
    values = data[observers, units]
    domain = np.unique(values)
    return units, observers, np.searchsorted(domain, values), domain


def counts_of(matrix: list[list[float]]) -> tuple[ka.sp.csr_matrix, np.ndarray]:
    units, _, codes, domain = from_matrix(matrix)
    return ka.count_matrix(units, codes, len(matrix[0]), len(domain)), domain


def naive_alpha(units: list[list[float]], level: str) -> float:
    """Alpha straight from the definition: every ordered pair of values within each unit.

    Written independently of checks.alpha (pure Python, no coincidence matrix).
    """
    pairable = [u for u in units if len(u) >= 2]
    values = [v for u in pairable for v in u]
    n = len(values)
    domain = sorted(set(values))
    freq = {v: values.count(v) for v in domain}

    def delta(a: float, b: float) -> float:
        if level == "nominal":
            return float(a != b)
        if level == "interval":
            return (a - b) ** 2
        if level == "ratio":
            return ((a - b) / (a + b)) ** 2 if a + b else 0.0
        lo, hi = sorted((a, b))
        between = sum(freq[g] for g in domain if lo <= g <= hi)
        return (between - (freq[a] + freq[b]) / 2) ** 2

    observed = sum(
        delta(a, b) / (len(u) - 1) for u in pairable for i, a in enumerate(u) for j, b in enumerate(u) if i != j
    ) / n
    exp = sum(delta(a, b) for a, b in itertools.permutations(values, 2)) / (n * (n - 1))
    return 1 - observed / exp


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)]
)
@pytest.mark.parametrize("path", [ka.alpha_coincidence, ka.alpha_package])
def test_krippendorff_2011_worked_example(level: str, published: float, path) -> None:
    counts, domain = counts_of(K2011)
    assert round(path(counts, level, domain), 3) == published


def test_krippendorff_2011_binary_example() -> None:
    counts, domain = counts_of(K2011_BINARY)
    assert round(ka.alpha_coincidence(counts, "nominal", domain), 3) == 0.095


def test_fleiss_1971_kappa_from_alpha() -> None:
    # With complete data, alpha = 1 - (1 - kappa_Fleiss) (n - 1) / n over n pairable values.
    counts = ka.sp.csr_matrix(np.asarray(FLEISS, dtype=float))
    alpha = ka.alpha_coincidence(counts, "nominal")
    n = counts.sum()
    kappa = 1 - (1 - alpha) * n / (n - 1)
    assert round(kappa, 3) == 0.210
    assert alpha == pytest.approx(ka.alpha_package(counts, "nominal"), abs=1e-12)


@pytest.mark.parametrize("level", ka.LEVELS)
def test_both_paths_agree_on_worked_example(level: str) -> None:
    counts, domain = counts_of(K2011)
    assert ka.alpha_coincidence(counts, level, domain) == pytest.approx(ka.alpha_package(counts, level, domain), abs=1e-9)


def test_point_estimate_switches_path_by_memory() -> None:
    counts, domain = counts_of(K2011)
    assert ka.alpha_point(counts, "nominal", domain)[1] == "krippendorff"
    assert ka.alpha_point(counts, "nominal", domain, limit=10)[1] == "coincidence"


# units as lists of observed values; values small positive integers so every level applies
unit_lists = st.lists(st.lists(st.integers(1, 6), min_size=0, max_size=5), min_size=2, max_size=25)


def _encode(units: list[list[int]]) -> tuple[ka.sp.csr_matrix, np.ndarray]:
    domain = np.asarray(sorted({v for u in units for v in u}), dtype=float)
    rows = [i for i, u in enumerate(units) for _ in u]
    codes = np.searchsorted(domain, [v for u in units for v in u])
    return ka.count_matrix(np.asarray(rows, dtype=np.int64), codes, len(units), max(len(domain), 1)), domain


@settings(max_examples=60, deadline=None)
@given(unit_lists, st.sampled_from(ka.LEVELS))
def test_alpha_matches_independent_computation(units: list[list[int]], level: str) -> None:
    pairable = [u for u in units if len(u) >= 2]
    values = [v for u in pairable for v in u]
    if len(set(values)) < 2:
        return  # alpha undefined: no variation among pairable values
    counts, domain = _encode(units)
    expected = naive_alpha([[float(v) for v in u] for u in units], level)
    own = ka.alpha_coincidence(counts, level, domain)
    assert own == pytest.approx(expected, abs=1e-9)
    assert ka.alpha_package(counts, level, domain) == pytest.approx(own, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(unit_lists, st.sampled_from(ka.LEVELS))
def test_leave_one_out_matches_recomputation(units: list[list[int]], level: str) -> None:
    # annotator j gives the j-th value of each unit
    rows = np.asarray([i for i, u in enumerate(units) for _ in u], dtype=np.int64)
    raters = np.asarray([j for u in units for j in range(len(u))], dtype=np.int64)
    flat = [v for u in units for v in u]
    if len(set(flat)) < 2:
        return
    domain = np.asarray(sorted(set(flat)), dtype=float)
    codes = np.searchsorted(domain, flat)
    n_raters = int(raters.max()) + 1
    fast = ka.alpha_without_each(rows, raters, codes, len(units), len(domain), n_raters, level, domain)
    for a in range(n_raters):
        keep = raters != a
        slow = ka.alpha_coincidence(ka.count_matrix(rows[keep], codes[keep], len(units), len(domain)), level, domain)
        assert (math.isnan(fast[a]) and math.isnan(slow)) or fast[a] == pytest.approx(slow, abs=1e-9)


def test_bootstrap_is_seeded_and_brackets_the_estimate() -> None:
    rng = np.random.default_rng(5)
    truth = rng.integers(0, 4, 300)
    labels = np.where(rng.random((3, 300)) < 0.8, truth, rng.integers(0, 4, (3, 300)))
    raters, units = np.nonzero(np.ones_like(labels, dtype=bool))
    counts = ka.count_matrix(units, labels[raters, units], 300, 4)
    a = ka.alpha_coincidence(counts, "nominal")
    first = ka.bootstrap(counts, "nominal", samples=200, seed=7)
    assert np.array_equal(first, ka.bootstrap(counts, "nominal", samples=200, seed=7))
    assert not np.array_equal(first, ka.bootstrap(counts, "nominal", samples=200, seed=8))
    low, high = ka.interval(first, 0.95)
    assert low < a < high
    assert high - low < 0.2


@pytest.mark.parametrize("level", ka.LEVELS)
def test_bootstrap_resamples_equal_direct_alpha_of_resampled_units(level: str) -> None:
    # The vectorised bootstrap must give exactly the alpha of units drawn with replacement.
    counts, domain = counts_of(K2011)
    pairable = ka.pairable_rows(counts)
    sub = counts[pairable]
    draws = ka.bootstrap(counts, level, domain, samples=5, seed=3)
    # replay the same draws: few profiles -> multinomial over profiles, else unit indices
    first, inverse = ka.unique_rows(sub)
    freq = np.bincount(inverse).astype(float)
    w = ka._draws(np.random.default_rng(3), inverse, freq, 5)
    for b in range(5):
        rows = np.repeat(first, w[b].astype(int))
        direct = ka.alpha_coincidence(sub[rows], level, domain)
        assert (math.isnan(direct) and math.isnan(draws[b])) or draws[b] == pytest.approx(direct, abs=1e-9)


def test_unit_scores_and_confused_pairs() -> None:
    counts = ka.sp.csr_matrix(np.asarray([[2, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 2], [1, 0, 1]], dtype=float))
    scores = ka.unit_scores(counts, "nominal")
    assert scores[0] == 0 and scores[3] == 0
    assert scores[1] > 0 and scores[1] == pytest.approx(scores[2])
    pairs = ka.confused_pairs(counts, "nominal")
    assert {(p.c, p.k) for p in pairs} == {(0, 1), (1, 2), (0, 2)}
    assert sum(p.share for p in pairs) == pytest.approx(1.0)
    assert all(p.items == 1 for p in pairs)


def test_undefined_alpha_is_nan() -> None:
    counts = ka.sp.csr_matrix(np.asarray([[2.0, 0.0], [3.0, 0.0]]))
    assert math.isnan(ka.alpha_coincidence(counts, "nominal"))
    assert math.isnan(ka.alpha_package(counts, "nominal"))


def test_many_distinct_values_take_the_coincidence_path() -> None:
    rng = np.random.default_rng(0)
    units, values = 200, 300  # 200 x 300^2 cells: past the package limit, still affordable to check it
    truth = rng.integers(0, values, units)
    labels = np.where(rng.random((3, units)) < 0.7, truth, rng.integers(0, values, (3, units)))
    raters, rows = np.nonzero(np.ones_like(labels, dtype=bool))
    counts = ka.count_matrix(rows, labels[raters, rows], units, values)
    estimate, engine = ka.alpha_point(counts, "nominal")
    assert engine == "coincidence"
    assert estimate == pytest.approx(ka.alpha_package(counts, "nominal"), abs=1e-9)


@pytest.mark.parametrize("n_values", [5, 100])
def test_unique_rows_paths_agree(monkeypatch: pytest.MonkeyPatch, n_values: int) -> None:
    # integer keys (few values), padded rows (many values) and the per-row fallback must group alike
    rng = np.random.default_rng(1)
    rows = np.repeat(np.arange(400), 3)
    counts = ka.count_matrix(rows, rng.integers(0, min(n_values, 4), len(rows)) * (n_values // 4 or 1), 400, n_values)

    def partition(first: np.ndarray, inverse: np.ndarray) -> set[tuple[int, ...]]:
        return {tuple(np.flatnonzero(inverse == g).tolist()) for g in range(len(first))}

    fast = partition(*ka.unique_rows(counts))
    monkeypatch.setattr(ka, "BLOCK_CELLS", 1)
    monkeypatch.setattr(np, "log2", lambda x: 1e9)  # disable the integer-key path too
    assert partition(*ka.unique_rows(counts)) == fast
    assert 1 < len(fast) < 400
