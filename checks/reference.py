"""Nearest training neighbour of every reference input, without an n x m matrix.

TF-IDF rows are sparse and L2-normalised, so cosine similarity is a sparse dot
product. Reference rows are taken a chunk at a time; each chunk's product with
the transposed training matrix is sparse (only pairs sharing a term are
stored), and its row maxima are read straight from the CSR data with
``np.maximum.reduceat``. Peak memory is one chunk's product, bounded by
sizing chunks to the training set; the answer is exact, not approximate.

Measured before choosing this: an LSA projection with top-k candidates
re-scored exactly found the true nearest neighbour for only 17-66% of GSM8K
test questions, shifting coverage by 10-36 points, while the exact sparse
product runs 10,000 references against 100,000 training inputs in seconds.
Embeddings (dense, normalised) take the same chunked route with a dense product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

# Entries of one chunk's product (sparse nnz or dense cells) to aim for: about
# 20 million is 160-240 MB, far below the 4 GB budget while keeping chunks large
# enough that per-chunk overhead does not dominate.
CHUNK_CELLS = 20_000_000


@dataclass(frozen=True)
class Nearest:
    similarity: np.ndarray  # float32, best cosine per reference row (0 when nothing is shared)
    index: np.ndarray  # int64, training row of that best match (-1 when none)


def chunk_rows(n_train: int, lo: int = 8, hi: int = 2048) -> int:
    return int(min(hi, max(lo, CHUNK_CELLS // max(n_train, 1))))


def nearest(reference: sparse.csr_matrix | np.ndarray, train: sparse.csr_matrix | np.ndarray) -> Nearest:
    """Best cosine similarity of each reference row to any training row (rows L2-normalised)."""
    m = reference.shape[0]
    best = np.zeros(m, dtype=np.float32)
    where = np.full(m, -1, dtype=np.int64)
    if m == 0 or train.shape[0] == 0:
        return Nearest(best, where)
    step = chunk_rows(train.shape[0])
    if sparse.issparse(train):
        train_t = sparse.csr_matrix(train).T.tocsr()
        reference = sparse.csr_matrix(reference)
        for start in range(0, m, step):
            product = (reference[start : start + step] @ train_t).tocsr()
            _row_max(product, best[start : start + step], where[start : start + step])
    else:
        dense_train = np.asarray(train, dtype=np.float32)
        for start in range(0, m, step):
            scores = np.asarray(reference[start : start + step], dtype=np.float32) @ dense_train.T
            cols = scores.argmax(axis=1)
            best[start : start + step] = scores[np.arange(len(cols)), cols]
            where[start : start + step] = cols
    return Nearest(best, where)


def _row_max(product: sparse.csr_matrix, best: np.ndarray, where: np.ndarray) -> None:
    """Row maxima and their columns of a CSR matrix whose rows may be empty."""
    indptr, data = product.indptr, product.data
    filled = np.flatnonzero(np.diff(indptr) > 0)
    if filled.size == 0:
        return
    # reduceat over the starts of non-empty rows only: an empty row would
    # otherwise yield its neighbour's first entry instead of nothing.
    maxima = np.maximum.reduceat(data, indptr[filled])
    best[filled] = np.maximum(maxima, 0.0)
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    row_best = np.zeros(len(indptr) - 1, dtype=data.dtype)
    row_best[filled] = maxima
    is_max = data == row_best[rows]
    # First column reaching the maximum in each row (data is in row order).
    hits = np.flatnonzero(is_max)
    first_hit = np.unique(rows[hits], return_index=True)
    where[first_hit[0]] = product.indices[hits[first_hit[1]]]


def coverage_share(similarity: np.ndarray, threshold: float) -> float:
    return float((similarity >= threshold).mean()) if similarity.size else 1.0
