"""Token totals for the training budget and the production averages.

The run's token counter (``quality.tokenizer``) counts exactly when a tokenizer
is available offline, else estimates. An exact tokenizer counts about 2.5 million
characters a second (bpe-openai, cl100k_base, measured on T0's 71 M characters in
28 s), so a million records would take minutes: beyond ``EXACT_SAMPLE`` texts, a
seeded sample is counted exactly and the cheap estimate of every text is scaled by
the sample's exact-to-estimate ratio. With 5,000 texts the ratio's standard error
is a few tenths of a percent, far inside what prices and epochs already move.

A partitioned run (the stream and Spark engines) samples ``PARTITION_SAMPLE``
texts of each partition instead, and the partitions' totals add up: a ratio
estimate per partition, so no partition needs to know the file's size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

EXACT_SAMPLE = 5000
# A 64 MB partition holds some 50,000 records: 1,000 of them counted exactly is a 2 % sample.
PARTITION_SAMPLE = 1000


@dataclass(frozen=True)
class TokenTotal:
    """Tokens of a list of texts (or of record pairs) and how they were had."""

    total: float
    items: int
    counted: int  # items counted exactly (0: all estimated)

    @property
    def mean(self) -> float:
        return self.total / self.items if self.items else 0.0

    @property
    def exact(self) -> bool:
        return self.items > 0 and self.counted == self.items

    def __add__(self, other: TokenTotal) -> TokenTotal:
        return TokenTotal(self.total + other.total, self.items + other.items, self.counted + other.counted)


def token_total(
    texts: Sequence[str],
    estimate: Callable[[Sequence[str]], Sequence[int]],
    exact: Callable[[Sequence[str]], Sequence[int]] | None,
    seed: int | Sequence[int],
    sample: int = EXACT_SAMPLE,
) -> TokenTotal:
    """Tokens of ``texts``: estimated when ``exact`` is None; otherwise counted exactly up to
    ``sample`` texts, and beyond that exactly on a seeded sample of that many, scaled to all."""
    n = len(texts)
    if n == 0:
        return TokenTotal(0.0, 0, 0)
    if exact is not None and n <= sample:
        return TokenTotal(float(sum(exact(texts))), n, n)
    estimated = np.asarray(estimate(texts), dtype=np.int64)
    total = float(estimated.sum())
    if exact is None:
        return TokenTotal(total, n, 0)
    picked = np.sort(np.random.default_rng(seed).choice(n, size=sample, replace=False))
    sample_exact = sum(exact([texts[i] for i in picked.tolist()]))
    sample_estimate = int(estimated[picked].sum())
    ratio = sample_exact / sample_estimate if sample_estimate else 1.0
    return TokenTotal(total * ratio, n, sample)
