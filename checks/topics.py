"""Topics: cluster TF-IDF rows and describe each cluster in words.

Method (the same for training inputs and for uncovered reference inputs):

1. k = round(sqrt(n / 2)), at least 2 and at most ``max_topics``: the usual
   rule of thumb for k-means, which grows slower than n so that topics stay
   readable, capped so a report never lists more than a person reads.
2. On a seeded sample of at most ``sample_size`` rows: TruncatedSVD to at
   most 100 dimensions (latent semantic analysis, which k-means on raw sparse
   TF-IDF lacks: there one giant cluster swallows everything), rows
   re-normalised, then MiniBatchKMeans seeded with the run's seed.
3. Every row is then projected and assigned in chunks, so a million inputs
   never need more than one chunk of dense vectors at a time. Rows far from
   every centre are clustered again on their own (see ``_split_residue``):
   k-means alone absorbs small distinct groups into big topics.
4. Each topic is described by the terms with the highest mean TF-IDF over its
   members (exact, over all members, through one sparse product), its size,
   and the member closest to its centre as the example. Given a ``background``
   (the training inputs, when the rows are uncovered reference inputs), the
   terms are instead those that most set the topic apart from the background
   (``checks.contrast``): what the training data lacks, not what the domain shares.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from checks.contrast import Background, distinctive_terms

__all__ = ["Background", "Topic", "Topics", "choose_k", "cluster"]

TOP_TERMS = 5
# 100 LSA dimensions is the range the scikit-learn text-clustering guide
# recommends: enough to separate topics, small enough for fast assignment.
SVD_DIMENSIONS = 100
CHUNK_ROWS = 50_000
# Cosine (in LSA space) below which an input is unlike the topic it was put in.
RESIDUE_CLOSENESS = 0.2


@dataclass(frozen=True)
class Topic:
    index: int  # position in size order, 0 = largest
    size: int
    top_terms: tuple[str, ...]
    members: np.ndarray  # row indices, closest to the centre first
    cohesion: float  # mean cosine of members to the centre in LSA space


@dataclass(frozen=True)
class Topics:
    labels: np.ndarray  # topic index per row
    topics: tuple[Topic, ...]

    @property
    def k(self) -> int:
        return len(self.topics)


def choose_k(n: int, max_topics: int) -> int:
    """k = round(sqrt(n / 2)) within [2, max_topics], and never more than n."""
    if n <= 1:
        return n
    return max(1, min(n, max_topics, max(2, round(math.sqrt(n / 2)))))


def cluster(
    matrix: sparse.csr_matrix,
    terms: np.ndarray,
    *,
    max_topics: int,
    seed: int,
    sample_size: int = 20_000,
    background: Background | None = None,
    exact: bool = False,
) -> Topics:
    """Cluster the rows of an L2-normalised TF-IDF matrix into described topics.

    ``exact`` (a small set's space, see ``checks.textspace.SMALL_TEXTS``): exact
    LSA and numpy k-means (``checks.exactcluster``) instead of scikit-learn's
    randomized SVD and mini-batch k-means; the rest of the method is the same.
    """
    n = matrix.shape[0]
    k = choose_k(n, max_topics)
    if k <= 1 or matrix.shape[1] < 2:
        return _single_topic(matrix, terms, background)
    if exact:
        assigned = _assign_exact(matrix, k, max_topics, seed)
    else:
        assigned = _assign(matrix, k, max_topics, seed, sample_size)
    if assigned is None:
        return _single_topic(matrix, terms, background)
    labels, closeness, k = assigned
    return _describe(matrix, terms, labels, closeness, k, background)


def _dimensions(rows: sparse.csr_matrix) -> int:
    return int(min(SVD_DIMENSIONS, rows.shape[1] - 1, rows.shape[0] - 1))


def _assign(
    matrix: sparse.csr_matrix, k: int, max_topics: int, seed: int, sample_size: int
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Labels, closeness to the own centre and the number of topics, with scikit-learn (any size)."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    n = matrix.shape[0]
    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=sample_size, replace=False)) if n > sample_size else np.arange(n)
    fit_rows = matrix[sample]
    dims = _dimensions(fit_rows)
    if dims < 1:
        return None
    svd = TruncatedSVD(n_components=dims, algorithm="randomized", n_iter=5, random_state=seed)
    with np.errstate(invalid="ignore", divide="ignore"):  # degenerate sets: zero variance ratios, harmless
        reduced = normalize(svd.fit_transform(fit_rows))
    k = min(k, _distinct_rows(reduced))
    if k <= 1:
        return None
    kmeans = MiniBatchKMeans(
        n_clusters=k,
        random_state=seed,
        n_init=3,
        batch_size=min(4096, max(256, len(sample))),
        max_iter=100,
        reassignment_ratio=0.0,
    ).fit(reduced)
    centres = normalize(kmeans.cluster_centers_)

    labels = np.empty(n, dtype=np.int32)
    closeness = np.empty(n, dtype=np.float32)
    for start in range(0, n, CHUNK_ROWS):
        block = normalize(svd.transform(matrix[start : start + CHUNK_ROWS]))
        scores = block @ centres.T
        labels[start : start + CHUNK_ROWS] = scores.argmax(axis=1)
        closeness[start : start + CHUNK_ROWS] = scores.max(axis=1)

    def fit(points: np.ndarray, clusters: int) -> tuple[np.ndarray, np.ndarray]:
        fitted = KMeans(n_clusters=clusters, random_state=seed, n_init=3).fit(points)
        return fitted.labels_, normalize(fitted.cluster_centers_)

    k += _split_residue(lambda rows: normalize(svd.transform(matrix[rows])), fit, normalize, labels, closeness, k, max_topics)
    return labels, closeness, k


def _assign_exact(matrix: sparse.csr_matrix, k: int, max_topics: int, seed: int) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The same steps as ``_assign`` with exact LSA over every row and numpy k-means (small sets)."""
    from checks.exactcluster import kmeans, lsa_rows, unit_rows

    dims = _dimensions(matrix)
    if dims < 1:
        return None
    reduced = unit_rows(lsa_rows(matrix, dims))
    k = min(k, _distinct_rows(reduced))
    if k <= 1:
        return None
    centres = unit_rows(kmeans(reduced, k, seed)[1])
    scores = reduced @ centres.T
    labels = scores.argmax(axis=1).astype(np.int32)
    closeness = scores.max(axis=1).astype(np.float32)

    def fit(points: np.ndarray, clusters: int) -> tuple[np.ndarray, np.ndarray]:
        inner, found = kmeans(points, clusters, seed)
        return inner, unit_rows(found)

    k += _split_residue(lambda rows: reduced[rows], fit, unit_rows, labels, closeness, k, max_topics)
    return labels, closeness, k


def _split_residue(
    reduced_of: Callable[[np.ndarray], np.ndarray],
    fit: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]],
    unit: Callable[[np.ndarray], np.ndarray],
    labels: np.ndarray,
    closeness: np.ndarray,
    k: int,
    max_topics: int,
) -> int:
    """Give inputs unlike every topic topics of their own; returns how many were added.

    k-means splits large clouds before it isolates a small distinct group (ten
    refund questions among a thousand billing ones join the nearest big
    topic), yet small distinct groups are exactly the thin topics to report.
    Inputs whose cosine to their own centre is below RESIDUE_CLOSENESS (about
    1% of real instruction data: 0.4% of GSM8K, 1.2% of CodeAlpaca) are
    clustered again on their own, with the same rule for k over a quarter of
    the topic budget, and each group becomes an extra topic. ``reduced_of``
    gives rows' unit LSA vectors, ``fit`` clusters them (labels, unit centres).
    """
    residue = np.flatnonzero(closeness < RESIDUE_CLOSENESS)
    if residue.size < 2:
        return 0
    reduced = reduced_of(residue)
    extra = min(choose_k(residue.size, max(2, max_topics // 4)), _distinct_rows(reduced))
    if extra < 1:
        return 0
    if extra == 1:
        inner = np.zeros(residue.size, dtype=np.int32)
        centres = unit(reduced.mean(axis=0, keepdims=True))
    else:
        inner, centres = fit(reduced, extra)
    labels[residue] = k + inner
    closeness[residue] = np.einsum("ij,ij->i", reduced, centres[inner])
    return extra


def _distinct_rows(reduced: np.ndarray) -> int:
    # k-means cannot place more centres than there are distinct points.
    return int(np.unique(np.round(reduced, 6), axis=0).shape[0])


def _single_topic(matrix: sparse.csr_matrix, terms: np.ndarray, background: Background | None = None) -> Topics:
    n = matrix.shape[0]
    if n == 0:
        return Topics(labels=np.zeros(0, dtype=np.int32), topics=())
    return _describe(matrix, terms, np.zeros(n, dtype=np.int32), np.ones(n, dtype=np.float32), 1, background)


def _describe(
    matrix: sparse.csr_matrix,
    terms: np.ndarray,
    labels: np.ndarray,
    closeness: np.ndarray,
    k: int,
    background: Background | None = None,
) -> Topics:
    n = matrix.shape[0]
    sizes = np.bincount(labels, minlength=k)
    # Renumber by size (largest first; ties by first member) so ids are stable and readable.
    first = np.full(k, n, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(n))
    order = [int(c) for c in sorted(np.flatnonzero(sizes), key=lambda c: (-sizes[c], first[c]))]
    remap = np.full(k, -1, dtype=np.int32)
    remap[order] = np.arange(len(order), dtype=np.int32)
    labels = remap[labels]

    indicator = sparse.csr_matrix(
        (np.ones(n, dtype=np.float32), (labels, np.arange(n))), shape=(len(order), n)
    )
    sums = (indicator @ matrix).toarray() if matrix.shape[1] else np.zeros((len(order), 0))
    weight = sums / np.maximum(sizes[order], 1)[:, None]
    if len(order) > 1:
        # Rank terms by how much more a topic uses them than the whole set does:
        # words every topic shares ("write", "given") then stop crowding the description.
        weight = weight - np.asarray(matrix.mean(axis=0)).ravel()[None, :]
    by_topic = np.argsort(labels, kind="stable")
    bounds = np.cumsum(np.bincount(labels, minlength=len(order)))
    topics = []
    for index in range(len(order)):
        members = by_topic[(bounds[index - 1] if index else 0) : bounds[index]]
        members = members[np.argsort(-closeness[members], kind="stable")]
        if background is not None:
            top = distinctive_terms(matrix[np.sort(members)], background, TOP_TERMS)
        else:
            row = weight[index]
            top = [int(t) for t in np.argsort(-row, kind="stable")[:TOP_TERMS] if row[t] > 0]
        topics.append(
            Topic(
                index=index,
                size=int(members.size),
                top_terms=tuple(str(terms[t]) for t in top),
                members=members,
                cohesion=float(closeness[members].mean()),
            )
        )
    return Topics(labels=labels, topics=tuple(topics))
