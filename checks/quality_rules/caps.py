"""A length cap, found from the data's own length distribution.

A generation or export step that stops at a maximum length (``max_tokens`` = 256,
a 2,048-character column) leaves a signature no natural set of texts has: a pile
of outputs at (nearly) one length at the top of the distribution, most of them
ending open (no full stop, or the "..." an exporter appends). A natural tail
thins out towards its maximum, so the test compares the top window with the
windows just below it; no length is assumed.

- Window: lengths within ``TOLERANCE`` (1 %) of a candidate cap, at least one unit
  (a character or a token): whitespace trimmed after the cut or an appended
  ellipsis move a capped text by a few characters.
- Pile: under the null hypothesis that the density does not rise at the top, the
  top window holds at most a quarter of the texts in it and the three equal
  windows below; a one-sided binomial test must reject that at ``ALPHA`` (1e-6:
  a dataset is tested at the distinct lengths of its longest tenth, once per length
  measure and task group, and a false cap would flag a whole pile). With nothing below,
  that takes ten texts.
- Cut passages, not a label or a format of fixed size: the pile's texts have a median
  of at least ``min_words`` words and differ (no word count is shared by half of the
  pile: a label repeated at one length has one), at least half of them end open, and
  at least twice the share of the other long texts (those above half the cap end open).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

TOLERANCE = 0.01
ALPHA = 1e-6
TOP_SHARE = 0.1  # the cap is looked for among the longest tenth: texts from another source may sit above it


@dataclass(frozen=True)
class Cap:
    length: int  # the top of the pile, in the measure's units
    members: np.ndarray  # indices (into the lengths given) of the texts in the pile


def find_cap(lengths: np.ndarray, ends_open: np.ndarray, words: np.ndarray, min_words: int) -> Cap | None:
    """The cap ``lengths`` show, or None. ``ends_open[i]``: text i ends without closing punctuation or on "...";
    ``words[i]``: its word count."""
    n = int(lengths.size)
    if n < 10:
        return None
    order = np.sort(lengths)
    tops = np.unique(order[int(n * (1 - TOP_SHARE)) :])[::-1]
    width = np.maximum(1.0, TOLERANCE * tops)
    lo = tops - width
    # Counts in (lo, top] and in the three windows below, all at once.
    top_count = np.searchsorted(order, tops, "right") - np.searchsorted(order, lo, "right")
    below = np.searchsorted(order, lo, "right") - np.searchsorted(order, lo - 3 * width, "right")
    best = None
    for k in np.argsort(-top_count, kind="stable"):
        if top_count[k] < 10 or best is not None:
            break
        if _binomial_tail(int(top_count[k]), int(top_count[k] + below[k]), 0.25) < ALPHA:
            best = k
    if best is None:
        return None
    cap, floor = float(tops[best]), float(lo[best])
    members = np.flatnonzero((lengths > floor) & (lengths <= cap))
    pile_words = words[members]
    if float(np.median(pile_words)) < min_words or np.bincount(pile_words).max() * 2 >= len(members):
        return None  # labels, or one text repeated: no word count is shared by half of a pile of cut passages
    others = (lengths > cap / 2) & (lengths <= floor)
    share = float(ends_open[members].mean())
    base = float(ends_open[others].mean()) if others.any() else 0.0
    if share < 0.5 or share < 2 * base:
        return None
    return Cap(int(cap), members)


def _binomial_tail(k: int, n: int, p: float) -> float:
    """An upper bound on P[X >= k] for X ~ Binomial(n, p), k/n > p: the Chernoff bound exp(-n KL(k/n || p)).

    Exact when k = n (p ** n), conservative otherwise (a bound under ALPHA is a p-value under it),
    and free of scipy, whose import alone costs more than this whole check."""
    q = k / n
    if q <= p:
        return 1.0
    kl = q * math.log(q / p) + ((1 - q) * math.log((1 - q) / (1 - p)) if q < 1 else 0.0)
    return math.exp(-n * kl)
