"""The TF-IDF space the coverage check compares and clusters inputs in.

One vectoriser is fitted on the training inputs together with the reference
inputs, in a single tokenising pass (``fit_transform``): the vocabulary then
holds the words only the reference uses (exactly the words that describe what
training lacks), and nothing is tokenised twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

# Words of two or more letters: numbers ("48", "2023") and mixed tokens carry
# no topic and would crowd the top terms of maths or order-number data.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
# A term used by more than half the texts ("how", "many" in maths data) says
# nothing about topic or similarity, and dropping it keeps the sparse
# neighbour products small.
MAX_DF = 0.5
# Vocabulary cap: beyond 2**18 terms the extra ones are typos and identifiers
# seen twice, which cost memory and add no topic.
MAX_TERMS = 1 << 18


@dataclass(frozen=True)
class TextSpace:
    """L2-normalised TF-IDF rows for the training and (optional) reference inputs."""

    train: sparse.csr_matrix
    reference: sparse.csr_matrix | None
    terms: np.ndarray  # term of each column

    @property
    def empty(self) -> bool:
        return self.terms.size == 0


def build_space(train: Sequence[str], reference: Sequence[str] | None = None) -> TextSpace:
    """Fit one TF-IDF vocabulary on both sets and return their rows.

    Small sets keep every term (``min_df=1``); from 1,000 texts on, a term must
    occur twice, which drops typos without losing topics.
    """
    texts = list(train) + list(reference or [])
    vectorizer = TfidfVectorizer(
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        stop_words="english",
        sublinear_tf=True,
        min_df=2 if len(texts) >= 1000 else 1,
        max_df=MAX_DF if len(texts) >= 10 else 1.0,
        max_features=MAX_TERMS,
        dtype=np.float32,
    )
    try:
        matrix = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # no text has a single usable word
        empty = sparse.csr_matrix((len(texts), 0), dtype=np.float32)
        matrix, terms = empty, np.array([], dtype=object)
    else:
        terms = vectorizer.get_feature_names_out()
    n = len(train)
    return TextSpace(
        train=matrix[:n],
        reference=None if reference is None else matrix[n:],
        terms=terms,
    )
