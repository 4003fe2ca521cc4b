"""Self-calibrated coverage: the training set's own spread says how similar a reference input must be.

A fixed similarity cut says nothing about a given dataset: GSM8K word problems
about different objects share few words, so a cut of 0.3 called 13% of GSM8K's
own test split uncovered. Here the training set measures itself:

- score: the mean cosine similarity of an input to its ``k`` most similar
  distinct training inputs (``coverage.neighbours``; ``checks.reference.neighbour_scores``);
- scale: the same score for a seeded sample of distinct training inputs, each
  measured against the others, leaving out the input itself and every copy of it
  (similarity >= ``COPY_SIMILARITY``: exact duplicates, a few words changed);
- threshold: the conformal quantile of the scale, the r-th smallest of the s
  sampled scores with r = floor(q (s + 1)), q = ``coverage.calibration_quantile``.

A reference input scoring below the threshold is farther from the training
inputs than all but a fraction q of training inputs are from theirs. For a
reference drawn like the training data this misfires with probability at most
q: a sampled training input is scored against n - 1 others just as a new input
is scored against n, so the two scores are exchangeable and the new one is
below the r-th smallest of s + 1 with probability at most r / (s + 1) <= q.

What would distort the scale, and what is done about it:

- duplicates and near-copies: a training input's copy is not a neighbour, it is
  the same example; counted, a set padded with slot-filled copies would demand
  copy-like similarity from every new input. On self-instruct T0 (84% of inputs
  have a near-copy), keeping them put the 5% quantile at 0.77 and read 56% of
  T0 inputs from unseen passages as uncovered; leaving them out, 96% are covered.
  Neighbours are distinct inputs only, so a 50-times repeated input does not fill
  a reference input's k slots on its own;
- tiny training sets: with fewer than ``MIN_BELOW / q`` distinct inputs the
  quantile would rest on fewer than ``MIN_BELOW`` scores below it; the absolute
  threshold (``coverage.min_similarity``) is used and the metrics say why;
- huge training sets: the scale is measured on a seeded sample of
  ``coverage.calibration_sample`` inputs, each against all the others;
- an input sharing nothing with any training input (score 0) is never covered,
  even when the training inputs share nothing with each other either.

The same calibration serves TF-IDF rows and sentence embeddings: it only needs
L2-normalised rows, sparse or dense.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from checks.reference import COPY_SIMILARITY, neighbour_scores

# Scores below the threshold that the calibration needs at the least: fewer, and
# the quantile is an accident of which inputs were drawn.
MIN_BELOW = 3
SPREAD_QUANTILES = (0.01, 0.02, 0.05, 0.1, 0.5)


@dataclass(frozen=True)
class Calibration:
    """The training set's spread and the threshold drawn from it (``threshold`` None: too few inputs)."""

    threshold: float | None
    quantile: float
    neighbours: int
    distinct_inputs: int
    sampled: int
    with_copies: int  # sampled inputs with at least one copy left out of their neighbours
    spread: dict[str, float]
    reason: str = ""

    def to_metrics(self) -> dict[str, Any]:
        return {
            "quantile": self.quantile,
            "neighbours": self.neighbours,
            "distinct_training_inputs": self.distinct_inputs,
            "sampled_training_inputs": self.sampled,
            "sampled_with_copies": self.with_copies,
            "copy_similarity": COPY_SIMILARITY,
            "training_spread": self.spread,
            **({"fallback_reason": self.reason} if self.reason else {}),
        }


def minimum_inputs(quantile: float) -> int:
    """Distinct training inputs needed to calibrate at ``quantile``."""
    return math.ceil(MIN_BELOW / quantile)


def calibrate(
    train: sparse.csr_matrix | np.ndarray, *, neighbours: int, quantile: float, sample: int, seed: int
) -> Calibration:
    """Measure the spread of distinct, L2-normalised training rows and draw the coverage threshold from it."""
    n = train.shape[0]
    k = max(1, min(neighbours, n - 1))
    needed = minimum_inputs(quantile)
    if n < needed:
        return Calibration(
            threshold=None,
            quantile=quantile,
            neighbours=k,
            distinct_inputs=n,
            sampled=0,
            with_copies=0,
            spread={},
            reason=f"{n} distinct training inputs, fewer than the {needed} needed to place a "
            f"{quantile:.0%} quantile on {MIN_BELOW} or more of them",
        )
    rng = np.random.default_rng(seed)
    size = max(sample, needed)  # a sample smaller than the minimum would undo it
    rows = np.sort(rng.choice(n, size=size, replace=False)) if n > size else np.arange(n)
    scores, copies = neighbour_scores(train[rows], train, k, skip_copies=True)
    s = scores.size
    rank = math.floor(quantile * (s + 1))  # >= MIN_BELOW because s >= needed
    ordered = np.sort(scores)
    return Calibration(
        threshold=float(ordered[rank - 1]),
        quantile=quantile,
        neighbours=k,
        distinct_inputs=n,
        sampled=int(s),
        # Every row is its own copy (similarity 1 with itself); more than one is a duplicate or near-copy.
        with_copies=int(np.count_nonzero(copies > 1)),
        spread={f"p{round(q * 100)}": round(float(np.quantile(scores, q)), 4) for q in SPREAD_QUANTILES},
    )


def covered(scores: np.ndarray, threshold: float) -> np.ndarray:
    """Which scores reach the threshold; a score of 0 (nothing in common with any training input) never does."""
    return (scores >= threshold) & (scores > 0)


@dataclass(frozen=True)
class Judgement:
    """Every reference input's score and whether it is covered, with the rule that decided."""

    scores: np.ndarray  # float32 per reference input: mean similarity to k neighbours, or the nearest one's
    covered: np.ndarray  # bool per reference input
    threshold: float
    rule: str  # the rule in words, for messages
    metrics: dict[str, Any]
    # Calibrated mode: uncovered inputs a reference drawn like the training data would
    # still show at most (99% binomial bound at the quantile); None in absolute mode.
    expected_uncovered: int | None = None


def judge(
    train: sparse.csr_matrix | np.ndarray,
    reference: sparse.csr_matrix | np.ndarray,
    *,
    mode: str,
    quantile: float,
    neighbours: int,
    sample: int,
    absolute: float,
    seed: int,
) -> Judgement:
    """Score the reference rows against distinct training rows and decide which are covered.

    ``mode`` "training" calibrates on the training rows (falling back to ``absolute``
    when they are too few); "absolute" keeps the fixed cut on the nearest training row.
    """
    metrics: dict[str, Any] = {"mode": "absolute"}
    if mode == "training":
        scale = calibrate(train, neighbours=neighbours, quantile=quantile, sample=sample, seed=seed)
        metrics.update(scale.to_metrics())
        if scale.threshold is not None:
            metrics["mode"] = "training"
            scores, _ = neighbour_scores(reference, train, scale.neighbours)
            k = scale.neighbours
            rule = (
                f"mean similarity to the {k} most similar training input{'s' * (k != 1)} below "
                f"{scale.threshold:.3f}, a level {1 - quantile:.0%} of training inputs reach among the others"
            )
            from scipy.stats import binom

            expected = int(binom.ppf(0.99, scores.size, quantile))
            metrics["expected_uncovered"] = expected
            return Judgement(scores, covered(scores, scale.threshold), scale.threshold, rule, metrics, expected)
    scores, _ = neighbour_scores(reference, train, 1)
    rule = f"nearest similarity below {absolute:g}"
    if "fallback_reason" in metrics:
        rule += " (too few training inputs to calibrate)"
    return Judgement(scores, scores >= absolute, absolute, rule, metrics)
