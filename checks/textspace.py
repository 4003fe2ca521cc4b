"""The TF-IDF space the coverage check compares and clusters inputs in.

One vocabulary serves the training and the reference inputs: it holds the
words only the reference uses (exactly the words that describe what training
lacks). Tokenising is the largest cost of the whole check, so:

- up to ``VOCAB_SAMPLE`` training inputs, one ``fit_transform`` pass over
  everything (every term seen twice is kept);
- beyond, the vocabulary comes from a seeded sample of training inputs (terms
  seen twice there) plus every reference term (a reference term matters as
  soon as one training input shares it), and all inputs are then counted in
  chunks, on two processes when the machine has two cores. This path counts
  with ``checks.termcounts`` (CountVectorizer's vocabulary and counts, equal
  array for array, without its Python code per token: 2.9 -> 1.6 CPU-s at
  100k generated inputs).

Document frequencies, the ``MAX_DF`` cut and the IDF weights are always
computed over all inputs, not the sample.

Below ``SMALL_TEXTS`` texts the same counts and weights are computed here, in
numpy, instead of by scikit-learn (whose import alone, about a second, costs
more than the rest of a few-hundred-record audit); the space is marked
``small`` so that the topics use their exact small-set method too
(``checks.topics``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass

import re
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from auditor.runtime.children import quiet_signals
from checks.stopwords import ENGLISH_STOP_WORDS
from checks.termcounts import TOKEN_PATTERN, count_terms, fit_vocabulary, lookup

if TYPE_CHECKING:  # imported where a large space is built, not with the module
    from sklearn.feature_extraction.text import CountVectorizer

# A term used by more than half the texts ("how", "many" in maths data) says
# nothing about topic or similarity, and dropping it keeps the sparse
# neighbour products small.
MAX_DF = 0.5
# Vocabulary cap: beyond 2**18 terms the extra ones are typos and identifiers
# seen twice, which cost memory and add no topic.
MAX_TERMS = 1 << 18
# Training inputs whose vocabulary is read in full; beyond, a seeded sample.
VOCAB_SAMPLE = 20_000
# Texts per chunk handed to a worker process.
CHUNK_TEXTS = 25_000
# Below this many texts (training and reference together) the space is built
# without scikit-learn and the topics take the exact small-set path. 1,000 is
# where CountVectorizer's min_df starts at 2 (so below it the small path never
# prunes by count), it lies under the smallest shared real set (GSM8K test,
# 1,319 records), whose reports therefore do not move, and the exact topics'
# cost there (a 1,000 x 1,000 eigendecomposition, ~0.1 s) is still a tenth of
# the scikit-learn import it saves.
SMALL_TEXTS = 1_000


@dataclass(frozen=True)
class TextSpace:
    """L2-normalised TF-IDF rows for the training and (optional) reference inputs."""

    train: sparse.csr_matrix
    reference: sparse.csr_matrix | None
    terms: np.ndarray  # term of each column
    small: bool = False  # built without scikit-learn (fewer than SMALL_TEXTS texts)


def _counter(**options: object) -> CountVectorizer:
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(lowercase=True, token_pattern=TOKEN_PATTERN, stop_words="english", dtype=np.float32, **options)  # type: ignore[arg-type]


def build_space(train: Sequence[str], reference: Sequence[str] | None = None, seed: int = 0) -> TextSpace:
    """Fit one TF-IDF vocabulary on both sets and return their rows."""
    texts = list(train) + list(reference or [])
    n = len(train)
    if len(texts) < SMALL_TEXTS:
        counts, terms = _prune(*_count_small(texts))
        matrix = _tfidf(counts) if terms.size else sparse.csr_matrix((len(texts), 0), dtype=np.float32)
        return TextSpace(train=matrix[:n], reference=None if reference is None else matrix[n:], terms=terms, small=True)
    from sklearn.feature_extraction.text import TfidfTransformer

    try:
        counts, terms = _count(texts, n, seed)
    except ValueError:  # no text has a single usable word
        counts, terms = sparse.csr_matrix((len(texts), 0), dtype=np.float32), np.array([], dtype=object)
    counts, terms = _prune(counts, terms)
    if terms.size:
        matrix = TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32).tocsr()
    else:
        matrix = sparse.csr_matrix((len(texts), 0), dtype=np.float32)
    return TextSpace(train=matrix[:n], reference=None if reference is None else matrix[n:], terms=terms)


def _count(texts: list[str], n_train: int, seed: int) -> tuple[sparse.csr_matrix, np.ndarray]:
    if n_train <= VOCAB_SAMPLE:
        # Small sets keep every term; from 1,000 texts on a term must occur twice (drops typos, not topics).
        counter = _counter(min_df=2 if len(texts) >= 1000 else 1)
        return counter.fit_transform(texts).tocsr(), counter.get_feature_names_out()
    rng = np.random.default_rng(seed)
    sample = rng.choice(n_train, size=VOCAB_SAMPLE, replace=False)
    # CountVectorizer's vocabulary and counts, by checks.termcounts (no Python code per token).
    vocabulary = fit_vocabulary([texts[i] for i in sample], min_df=2)
    if len(texts) > n_train:
        try:
            vocabulary |= fit_vocabulary(texts[n_train:])
        except ValueError:  # the reference has no usable word
            pass
    terms = np.array(sorted(vocabulary), dtype=object)
    return _transform_chunks({t: i for i, t in enumerate(terms)}, texts), terms


_TOKEN = re.compile(TOKEN_PATTERN)


def _count_small(texts: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """CountVectorizer's counts with _counter()'s options (every term kept), without scikit-learn."""
    vocabulary: dict[str, int] = {}
    columns: list[int] = []
    counts_of: list[int] = []
    row_ends = [0]
    for text in texts:
        seen: dict[int, int] = {}
        for token in _TOKEN.findall(text.lower()):
            if token not in ENGLISH_STOP_WORDS:
                column = vocabulary.setdefault(token, len(vocabulary))
                seen[column] = seen.get(column, 0) + 1
        columns.extend(seen)
        counts_of.extend(seen.values())
        row_ends.append(len(columns))
    # Columns in alphabetical order of their terms, as CountVectorizer sorts its vocabulary.
    terms = np.array(sorted(vocabulary), dtype=object)
    rank = np.empty(len(vocabulary), dtype=np.int64)
    rank[[vocabulary[t] for t in terms]] = np.arange(len(vocabulary))
    counts = sparse.csr_matrix(
        (np.array(counts_of, dtype=np.float32), rank[np.array(columns, dtype=np.int64)], np.array(row_ends, dtype=np.int64)),
        shape=(len(texts), len(vocabulary)),
    )
    counts.sort_indices()
    return counts, terms


def _tfidf(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """TfidfTransformer(sublinear_tf=True)'s weights (smoothed IDF, L2 rows), in float32, without scikit-learn."""
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
    idf = np.log(np.float32(n + 1) / (df + 1)) + 1
    matrix = counts.astype(np.float32, copy=True)
    matrix.data = (np.log(matrix.data) + 1) * idf[matrix.indices]
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1), dtype=np.float64).ravel())
    norms[norms == 0] = 1
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr)).astype(np.float32)
    return matrix


# Set just before the worker pool forks, so the texts reach workers by copy-on-write, not pickling.
_SHARED: tuple[dict[str, int], dict[str | bytes, int], list[str]] | None = None


def _work(bounds: tuple[int, int]) -> sparse.csr_matrix:
    assert _SHARED is not None
    vocabulary, keyed, texts = _SHARED
    return count_terms(texts[bounds[0] : bounds[1]], vocabulary, keyed)


def _transform_chunks(vocabulary: dict[str, int], texts: list[str]) -> sparse.csr_matrix:
    global _SHARED
    bounds = [(s, min(s + CHUNK_TEXTS, len(texts))) for s in range(0, len(texts), CHUNK_TEXTS)]
    workers = min(2, os.cpu_count() or 1, len(bounds))
    _SHARED = (vocabulary, lookup(vocabulary), texts)
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            # Workers only tokenise (pure Python and numpy): no OpenMP or BLAS state is used after the fork.
            with multiprocessing.get_context("fork").Pool(workers, initializer=quiet_signals) as pool:
                parts = pool.map(_work, bounds, chunksize=1)
        else:
            parts = [_work(b) for b in bounds]
    finally:
        _SHARED = None
    return sparse.vstack(parts, format="csr")


def _prune(counts: sparse.csr_matrix, terms: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Drop terms in more than MAX_DF of the texts (from 10 texts on) and keep the MAX_TERMS most frequent."""
    if terms.size == 0:
        return counts, terms
    df = np.bincount(counts.indices, minlength=terms.size)
    keep = np.ones(terms.size, dtype=bool)
    if counts.shape[0] >= 10:
        keep &= df <= MAX_DF * counts.shape[0]
    keep &= df > 0
    if keep.sum() > MAX_TERMS:
        cutoff = np.sort(df[keep])[-MAX_TERMS]
        keep &= df >= cutoff
    if keep.all():
        return counts, terms
    columns = np.flatnonzero(keep)
    return counts[:, columns].tocsr(), terms[columns]
