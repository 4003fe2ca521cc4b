"""Which thin topics are real gaps (COV004): coherent, isolated, and more than one item.

A topic k-means leaves small is not by itself a kind of input the set lacks.
Read on real data (benchmarks/precision.md), none of 21 sampled thin-topic
flags was one: k-means leaves small bags of words (GSM8K's "team, meter and
employees"), small slices of a kind the set is full of (near-identical
weather lookups just outside the topic, TF-IDF cosine 0.7-0.8), and one
prompt repeated (four Captain Hook role-plays). A thin topic is reported
only when, in the TF-IDF space the topics were built in:

- it is **more than one item**: its members do not collapse into a single
  item once copies (TF-IDF cosine >= ``COPY_COSINE``) are merged; a lone
  input counts as one item and is judged by isolation alone;
- it is **coherent**: the median member's nearest *other item* in the
  topic is at least as close as the data's median nearest neighbour (the
  members resemble each other as much as inputs typically resemble their
  closest one), so a bag of words is not a topic;
- it is **isolated**: every member's nearest input outside the topic is
  no closer than the nearest neighbour of the ``ISOLATION_QUANTILE`` least
  neighboured of the data's inputs, so like inputs do not abound outside it.

Both bars are calibrated on the audited data itself: the nearest-neighbour
cosine of a seeded sample of its distinct inputs (copies set aside, so a
set with repeated prompts does not read as everyone having a twin). The gate
reads only the TF-IDF rows, so it is the same after either topic path
(exact numpy LSA below 1,000 texts, scikit-learn above), and it costs a few
sparse products: ``SAMPLE`` rows and the thin topics' members against the
distinct inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

# Two inputs this close in TF-IDF are one item worded twice (the near-duplicate
# bar of duplicates.threshold, read as a cosine).
COPY_COSINE = 0.8
# Inputs whose nearest-neighbour similarity calibrates isolation: a tenth
# quantile of 1,000 draws is within a few hundredths of the population's.
SAMPLE = 1_000
ISOLATION_QUANTILE = 0.1
# Same-size groups drawn from the data's topics that calibrate coherence, and the
# quantile of theirs a thin topic must reach: as coherent as the lower quartile
# of groups the data's own topics hold.
GROUPS = 200
COHERENCE_QUANTILE = 0.25
# Rows per sparse product: bounds the memory of one product on a million inputs.
CHUNK_ROWS = 128


@dataclass(frozen=True)
class Calibration:
    """The data's isolation bar."""

    isolated: float  # ISOLATION_QUANTILE of the nearest-neighbour cosine among distinct inputs
    sampled: int  # distinct inputs it was measured on


@dataclass(frozen=True)
class Judged:
    """One thin topic's verdict: ``reason`` is "gap" or why it is not one."""

    reason: str  # "gap", "one item", "incoherent", "closer outside" or "not isolated"
    items: int  # distinct items after merging copies
    inner: float | None  # median cosine of a member to its nearest other item (None: one item)
    coherent: float  # the bar inner had to reach (same-size groups from the data's topics)
    outer: float  # highest cosine of a member to an input outside the topic
    joined: tuple[int, ...]  # the thin topics (positions in the list judged) judged together

    @property
    def gap(self) -> bool:
        return self.reason == "gap"


def judge_thin(matrix: sparse.csr_matrix, labels: np.ndarray, topics: Sequence[np.ndarray], seed: int) -> tuple[Calibration, list[Judged]]:
    """The calibration and a verdict per thin topic (its member row indices) of L2-normalised TF-IDF rows.

    Thin topics one of whose members has its nearest outside input in the
    other are judged as one: k-means may cut one small distinct group in two,
    and each half would then fail isolation on the other.
    """
    reps, of_row = _distinct(matrix)
    distinct = matrix[reps]
    calibration = _calibrate(distinct, seed)
    members = [np.unique(of_row[m]) for m in topics]
    sizes = [len(m) for m in topics]
    thin = np.zeros(distinct.shape[0], dtype=bool)
    for rows in members:
        thin[rows] = True
    of_distinct = labels[reps]
    pools = [p for p in (np.flatnonzero((of_distinct == t) & ~thin) for t in np.unique(of_distinct)) if p.size]
    rng = np.random.default_rng(seed)
    verdicts: list[Judged | None] = [None] * len(topics)
    for joined in _unions(distinct, members):
        union = np.unique(np.concatenate([members[t] for t in joined]))
        bar = _coherence_bar(distinct, pools, union.size, rng)
        verdict = _judge(distinct, union, sum(sizes[t] for t in joined), calibration, bar, tuple(joined))
        for t in joined:
            verdicts[t] = verdict
    return calibration, [v for v in verdicts if v is not None]


def _unions(distinct: sparse.csr_matrix, members: list[np.ndarray]) -> list[list[int]]:
    """Groups of thin topics linked when a member's nearest input outside its topic lies in the other."""
    topic_of = np.full(distinct.shape[0], -1)
    for t, rows in enumerate(members):
        topic_of[rows] = t
    links = np.zeros((len(members), len(members)), dtype=bool)
    for t, rows in enumerate(members):
        products = sparse.csr_matrix(distinct[rows] @ distinct.T)
        products.data[np.isin(products.indices, rows)] = -1.0
        nearest = np.asarray(products.argmax(axis=1)).ravel()
        for other in topic_of[nearest]:
            if other >= 0:
                links[t, other] = True
    count, of_topic = connected_components(sparse.csr_matrix(links), directed=False)
    return [[int(t) for t in np.flatnonzero(of_topic == c)] for c in range(count)]


def _distinct(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """One row per distinct TF-IDF vector, and each row's distinct index.

    Rows are told apart by two seeded random projections (identical rows have
    identical projections; distinct ones collide with probability ~0).
    """
    rng = np.random.default_rng(0)
    keys = np.round(matrix @ rng.standard_normal((matrix.shape[1], 2)), 9)
    _, reps, of_row = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    return reps, of_row.ravel()


def _calibrate(distinct: sparse.csr_matrix, seed: int) -> Calibration:
    d = distinct.shape[0]
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(d, size=SAMPLE, replace=False)) if d > SAMPLE else np.arange(d)
    nearest = np.zeros(sample.size)
    if d > 1:
        for start in range(0, sample.size, CHUNK_ROWS):
            rows = sample[start : start + CHUNK_ROWS]
            nearest[start : start + rows.size] = _row_max(distinct[rows] @ distinct.T, exclude=[np.array([r]) for r in rows])
    isolated = float(np.quantile(nearest, ISOLATION_QUANTILE)) if nearest.size else 0.0
    return Calibration(isolated, int(sample.size))


def _row_max(products: sparse.spmatrix, exclude: Sequence[np.ndarray]) -> np.ndarray:
    """Each row's largest entry outside the columns ``exclude[row]`` (0 when none is stored)."""
    products = sparse.csr_matrix(products)
    out = np.zeros(products.shape[0])
    for r in range(products.shape[0]):
        lo, hi = products.indptr[r], products.indptr[r + 1]
        values = products.data[lo:hi][~np.isin(products.indices[lo:hi], exclude[r])]
        if values.size:
            out[r] = max(0.0, float(values.max()))
    return out


def _inner(sims: np.ndarray) -> tuple[int, float | None]:
    """Items (rows merged at COPY_COSINE) among rows with cosines ``sims``, and the median row's
    cosine to its nearest other item (None for one item)."""
    items, item_of = connected_components(sparse.csr_matrix(sims >= COPY_COSINE), directed=False)
    if items < 2:
        return int(items), None
    # Nearest *other item*: a member's own copies say nothing about the topic's coherence.
    sims = sims.copy()
    sims[item_of[:, None] == item_of[None, :]] = -np.inf
    return int(items), float(np.median(sims.max(axis=1)))


def _coherence_bar(distinct: sparse.csr_matrix, pools: list[np.ndarray], rows: int, rng: np.random.Generator) -> float:
    """The COHERENCE_QUANTILE of ``_inner`` over GROUPS groups of ``rows`` inputs drawn from one large topic each.

    A thin topic's members have few candidates for a nearest neighbour, so the
    data's nearest-neighbour similarity (drawn from every input) would hold
    them to a bar no small group meets; groups of the same size drawn from the
    data's own topics are the fair comparison.
    """
    usable = [p for p in pools if p.size >= rows]
    if not usable or rows < 2:
        return 0.0
    weights = np.array([p.size for p in usable], dtype=np.float64)
    picks = rng.choice(len(usable), size=GROUPS, p=weights / weights.sum())
    found = []
    for pick in picks:
        group = distinct[rng.choice(usable[pick], size=rows, replace=False)]
        found.append(_inner((group @ group.T).toarray())[1])
    values = [v for v in found if v is not None]
    return float(np.quantile(values, COHERENCE_QUANTILE)) if values else 0.0


def _judge(distinct: sparse.csr_matrix, members: np.ndarray, size: int, calibration: Calibration, bar: float, joined: tuple[int, ...]) -> Judged:
    """``members``: the topic's distinct rows; ``size``: its records (copies included); ``bar``: its coherence bar."""
    rows = distinct[members]
    outer = float(_row_max(rows @ distinct.T, exclude=[members] * members.size).max())
    items, inner = _inner((rows @ rows.T).toarray())
    if items == 1 and size > 1:
        reason = "one item"
    elif inner is not None and (inner <= 0.0 or inner < bar):  # members that share no word are no topic
        reason = "incoherent"
    elif inner is not None and inner <= outer:
        reason = "closer outside"
    elif outer > calibration.isolated:
        reason = "not isolated"
    else:
        reason = "gap"
    return Judged(reason, items, None if inner is None else round(inner, 4), round(bar, 4), round(outer, 4), joined)
