"""How many items to double-label: the sample size at which alpha's interval is narrow enough.

The rule simulates the agreement study it plans. Raters of reliability ``r``
give an item's true value with probability ``r`` and a value drawn from the
scale's distribution otherwise; two such raters agree beyond chance with
alpha = r^2, so ``r = sqrt(alpha)`` gives the alpha assumed (or observed).

A first guess comes from alpha's 95 % spread over many simulated studies,
which shrinks as 1/sqrt(N). The interval the check reports is a bootstrap
over one study's items, and it scatters from study to study (about +/-15 % at
150-250 items), so the rule then simulates studies of the guessed size, runs
the check's own bootstrap on each, and rescales N until the bootstrap width of
nine studies in ten is within the target. Every draw is seeded.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from checks import alpha as ka

#: Studies simulated per round: the first guess's spread, then the bootstrap widths.
SPREAD_STUDIES = 300
BOOTSTRAP_STUDIES = 100
BOOTSTRAP_SAMPLES = 200
#: The share of studies whose interval must be within the target, and the margin that
#: absorbs the rule's own estimate of that quantile (100 studies: a few % either way).
COVERAGE = 0.90
MARGIN = 0.97
START = 200
MIN_ITEMS = 30


@dataclass(frozen=True)
class SampleSize:
    items: int
    alpha: float
    width: float  # the typical (median) 95 % bootstrap width expected at ``items``
    target: float

    def reasoning(self, basis: str) -> str:
        """One line: "150 items: at alpha 0.80 (assumed) the 95 % interval is about ±0.09 (agreement.ci_width 0.20)"."""
        return (
            f"{self.items} items: at alpha {self.alpha:.2f} ({basis}) the 95 % interval of alpha is about "
            f"±{self.width / 2:.3f} (agreement.ci_width {self.target:.2f} in {COVERAGE:.0%} of simulated samples)"
        )


def items_for_width(
    target: float,
    alpha: float,
    probs: Sequence[float],
    level: str = "nominal",
    values: Sequence[float] | None = None,
    raters: int = 2,
    seed: int = 0,
) -> SampleSize:
    """The fewest items for which alpha's 95 % bootstrap interval is no wider than ``target`` in 90 % of studies."""
    alpha = float(min(max(alpha, 0.05), 0.99))  # outside, the model has no reliable raters to simulate
    rng = np.random.default_rng(seed)
    scale = np.arange(len(probs), dtype=np.float64) if values is None else np.asarray(values, dtype=np.float64)
    n = START
    width = spread(alpha_complete(simulate(n, alpha, probs, raters, SPREAD_STUDIES, rng), level, scale))
    n = max(MIN_ITEMS, math.ceil(n * (width / target) ** 2))
    typical = width
    for _ in range(2):
        widths = bootstrap_widths(simulate(n, alpha, probs, raters, BOOTSTRAP_STUDIES, rng), level, scale, rng)
        quantile, typical = float(np.quantile(widths, COVERAGE)), float(np.median(widths))
        grown = max(MIN_ITEMS, math.ceil(n * (quantile / (target * MARGIN)) ** 2))
        typical *= math.sqrt(n / grown)
        n = grown
    return SampleSize(items=n, alpha=alpha, width=typical, target=target)


def bootstrap_widths(counts: np.ndarray, level: str, values: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The check's own bootstrap interval width for each simulated study."""
    studies = counts.shape[0]
    out = np.empty(studies)
    for s in range(studies):
        matrix = sp.csr_matrix(counts[s])
        draws = ka.bootstrap(matrix, level, values, samples=BOOTSTRAP_SAMPLES, seed=int(rng.integers(2**31)))
        low, high = ka.interval(draws, 0.95)
        out[s] = high - low
    return out


def spread(alphas: np.ndarray) -> float:
    """The central 95 % width of simulated alphas."""
    finite = alphas[np.isfinite(alphas)]
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(high - low)


def simulate(n: int, alpha: float, probs: Sequence[float], raters: int, sims: int, rng: np.random.Generator) -> np.ndarray:
    """``sims`` simulated studies of ``n`` items rated by ``raters`` raters of reliability sqrt(alpha).

    Returns value counts ``[study, item, value]``.
    """
    p = np.asarray(probs, dtype=np.float64)
    cum = np.cumsum(p / p.sum())[:-1]
    truth = np.searchsorted(cum, rng.random((sims, n)), side="right")
    keep = rng.random((sims, n, raters)) < math.sqrt(alpha)
    noise = np.searchsorted(cum, rng.random((sims, n, raters)), side="right")
    ratings = np.where(keep, truth[:, :, None], noise)
    return (ratings[..., None] == np.arange(len(p))).sum(axis=2).astype(np.float64)


def alpha_complete(counts: np.ndarray, level: str, values: np.ndarray) -> np.ndarray:
    """Krippendorff's alpha of many studies at once: ``counts[s, u, c]`` values c given to unit u in study s.

    Every unit has the same number of ratings (a complete design, as simulated).
    Coincidences o_ck = sum_u (n_uc n_uk - [c = k] n_uc) / (m - 1); alpha =
    1 - (n - 1) sum o_ck d_ck / sum n_c n_k d_ck.
    """
    m = counts.sum(axis=2)[:, :1, None]  # ratings per unit (the same for all)
    o = np.einsum("suc,suk->sck", counts, counts)
    nc = counts.sum(axis=1)  # (s, v)
    o -= np.einsum("sc,ck->sck", nc, np.eye(counts.shape[2]))
    o /= (m[:, 0, 0] - 1)[:, None, None]
    total = nc.sum(axis=1)
    delta = _delta(level, values, nc)
    observed = (o * delta).sum(axis=(1, 2))
    expected = (nc[:, :, None] * nc[:, None, :] * delta).sum(axis=(1, 2)) / (total - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 1.0 - observed / expected


def _delta(level: str, values: np.ndarray, nc: np.ndarray) -> np.ndarray:
    v = len(values)
    if level == "nominal":
        return np.broadcast_to(1.0 - np.eye(v), (nc.shape[0], v, v))
    if level == "ordinal":  # Krippendorff's ordinal metric: marginal mass between the two ranks
        cum = np.cumsum(nc, axis=1)
        lo, hi = np.minimum.outer(np.arange(v), np.arange(v)), np.maximum.outer(np.arange(v), np.arange(v))
        between = cum[:, hi] - np.where(lo > 0, cum[:, np.maximum(lo - 1, 0)], 0.0)
        d = between - (nc[:, lo] + nc[:, hi]) / 2
        return d * d
    d = np.subtract.outer(values, values)
    return np.broadcast_to(d * d, (nc.shape[0], v, v))
