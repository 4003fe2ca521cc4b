"""Exact LSA and seeded k-means for small sets, in numpy (no scikit-learn).

The topics of a large set use scikit-learn's randomized TruncatedSVD and
MiniBatchKMeans, which approximate to stay fast on a million rows. Below a
thousand rows the exact methods are cheaper than importing scikit-learn at
all (about a second) and need no approximation:

- ``lsa_rows``: the rows' coordinates on the top singular directions, U_k S_k,
  which is what TruncatedSVD.fit_transform returns; computed from the
  eigendecomposition of the n x n Gram matrix X X^T (n <= 1,000: at most a
  1,000 x 1,000 symmetric eigenproblem, about 0.1 s).
- ``kmeans``: Lloyd's algorithm from greedy k-means++ seeds (the seeding
  scikit-learn uses), ``n_init`` seeded restarts, the lowest inertia kept.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse

MAX_ITER = 300
# Lloyd stops when no point changes cluster, or when centres move less than this (squared, summed).
TOLERANCE = 1e-10


def lsa_rows(matrix: sparse.csr_matrix, dims: int) -> np.ndarray:
    """Each row's coordinates on the ``dims`` leading singular directions (U_k S_k), exactly."""
    gram = (matrix @ matrix.T).toarray().astype(np.float64)
    values, vectors = np.linalg.eigh(gram)
    order = np.argsort(-values, kind="stable")[:dims]
    return vectors[:, order] * np.sqrt(np.clip(values[order], 0.0, None))


def unit_rows(points: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1; zero rows stay zero (as sklearn.preprocessing.normalize does)."""
    norms = np.linalg.norm(points, axis=1)
    norms[norms == 0] = 1.0
    return points / norms[:, None]


def kmeans(points: np.ndarray, k: int, seed: int, n_init: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Labels and centres of the best of ``n_init`` seeded k-means runs (lowest inertia)."""
    rng = np.random.default_rng(seed)
    squared = np.einsum("ij,ij->i", points, points)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for _ in range(n_init):
        centres = _seed(points, squared, k, rng)
        labels, centres, inertia = _lloyd(points, squared, centres)
        if best is None or inertia < best[0]:
            best = (inertia, labels, centres)
    assert best is not None
    return best[1], best[2]


def _distances(points: np.ndarray, squared: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Squared Euclidean distance of every point to every centre."""
    out = squared[:, None] - 2.0 * (points @ centres.T) + np.einsum("ij,ij->i", centres, centres)[None, :]
    return np.maximum(out, 0.0)


def _seed(points: np.ndarray, squared: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++: each new centre is the best of 2 + log k candidates drawn by squared distance."""
    n = points.shape[0]
    trials = 2 + int(math.log(k))
    chosen = [int(rng.integers(n))]
    closest = _distances(points, squared, points[chosen])[:, 0]
    for _ in range(1, k):
        total = closest.sum()
        if total <= 0:  # every point sits on a centre already: any further choice is a duplicate
            candidates = rng.integers(n, size=trials)
        else:
            candidates = np.searchsorted(np.cumsum(closest), rng.random(trials) * total)
            candidates = np.minimum(candidates, n - 1)
        to_candidates = np.minimum(closest[:, None], _distances(points, squared, points[candidates]))
        best = int(np.argmin(to_candidates.sum(axis=0)))
        chosen.append(int(candidates[best]))
        closest = to_candidates[:, best]
    return points[chosen].copy()


def _lloyd(points: np.ndarray, squared: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    k = centres.shape[0]
    labels = np.full(points.shape[0], -1, dtype=np.int64)
    for _ in range(MAX_ITER):
        distances = _distances(points, squared, centres)
        new = distances.argmin(axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        moved = _centres(points, labels, distances, k)
        shift = float(((moved - centres) ** 2).sum())
        centres = moved
        if shift <= TOLERANCE:
            break
    distances = _distances(points, squared, centres)
    labels = distances.argmin(axis=1)
    return labels.astype(np.int32), centres, float(distances[np.arange(points.shape[0]), labels].sum())


def _centres(points: np.ndarray, labels: np.ndarray, distances: np.ndarray, k: int) -> np.ndarray:
    """Member means; an emptied cluster takes the point farthest from its own centre."""
    sizes = np.bincount(labels, minlength=k)
    sums = np.zeros((k, points.shape[1]))
    np.add.at(sums, labels, points)
    centres = sums / np.maximum(sizes, 1)[:, None]
    empty = np.flatnonzero(sizes == 0)
    if empty.size:
        far = np.argsort(-distances[np.arange(points.shape[0]), labels], kind="stable")[: empty.size]
        centres[empty] = points[far]
    return centres
