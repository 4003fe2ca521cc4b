"""Length distributions in words, and how the reference's differ from training's.

Words (whitespace-separated) stand in for tokens: they need no tokenizer, and
a ratio of word lengths is close to the ratio of token lengths, which is what
the plain-words finding states.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

QUANTILES = (0.5, 0.9, 0.99)
# A shift must be significant at this level as well as large, so a reference
# of 20 inputs does not raise a finding on chance alone.
SIGNIFICANCE = 0.01
# Medians this many times apart are worth a sentence of their own.
MEDIAN_RATIO = 1.5


def word_lengths(texts: Sequence[str]) -> np.ndarray:
    return np.fromiter((len(t.split()) for t in texts), dtype=np.int64, count=len(texts))


def summary(lengths: np.ndarray) -> dict[str, Any]:
    """min, p50, p90, p99, max and mean, in words."""
    if lengths.size == 0:
        return {}
    out: dict[str, Any] = {"min": int(lengths.min())}
    for q, value in zip(QUANTILES, np.quantile(lengths, QUANTILES)):
        out[f"p{round(q * 100)}"] = round(float(value), 2)
    out["max"] = int(lengths.max())
    out["mean"] = round(float(lengths.mean()), 2)
    return out


@dataclass(frozen=True)
class Shift:
    """How reference lengths compare with training lengths."""

    ks_statistic: float
    p_value: float
    out_of_range_share: float  # reference items longer than the longest training item
    max_ratio: float  # longest reference / longest training
    median_ratio: float  # median reference / median training
    sentence: str  # the comparison in plain words

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE

    def to_dict(self) -> dict[str, Any]:
        return {
            "ks_statistic": round(self.ks_statistic, 4),
            "p_value": float(f"{self.p_value:.3g}"),
            "out_of_range_share": round(self.out_of_range_share, 4),
            "max_ratio": round(self.max_ratio, 2),
            "median_ratio": round(self.median_ratio, 2),
            "sentence": self.sentence,
        }


def compare(train: np.ndarray, reference: np.ndarray, noun: str = "input") -> Shift | None:
    """Two-sample Kolmogorov-Smirnov test plus a sentence a person can act on."""
    if train.size == 0 or reference.size == 0:
        return None
    from scipy.stats import ks_2samp

    result = ks_2samp(train, reference)
    train_max, ref_max = int(train.max()), int(reference.max())
    train_med, ref_med = float(np.median(train)), float(np.median(reference))
    beyond = float((reference > train_max).mean())
    max_ratio = ref_max / max(train_max, 1)
    median_ratio = ref_med / max(train_med, 1.0)
    return Shift(
        ks_statistic=float(result.statistic),
        p_value=float(result.pvalue),
        out_of_range_share=beyond,
        max_ratio=max_ratio,
        median_ratio=median_ratio,
        sentence=_sentence(noun, train_max, ref_max, train_med, ref_med, beyond),
    )


def _sentence(noun: str, train_max: int, ref_max: int, train_med: float, ref_med: float, beyond: float) -> str:
    medians = f"median {ref_med:g} words against {train_med:g} in training"
    if ref_max > train_max:
        ratio = ref_max / max(train_max, 1)
        return (
            f"reference {noun}s are up to {ratio:.1f}x longer than any training {noun} "
            f"({beyond:.1%} exceed the longest training {noun}, {train_max} words; {medians})"
        )
    if ref_med >= MEDIAN_RATIO * max(train_med, 1.0):
        return f"reference {noun}s are longer than training {noun}s ({medians})"
    if train_med >= MEDIAN_RATIO * max(ref_med, 1.0):
        return f"reference {noun}s are shorter than training {noun}s ({medians})"
    return f"reference and training {noun} lengths are alike ({medians})"
