"""CountVectorizer's term counts and vocabulary, without its per-token Python loop.

The coverage check's TF-IDF space (``checks.textspace``) counts the terms of
every input with scikit-learn's ``CountVectorizer(lowercase=True,
token_pattern=TOKEN_PATTERN, stop_words="english", dtype=float32)``, whose
``_count_vocab`` runs Python code per token (the stop-word filter, a dict
lookup and a counter update): 2.4 CPU-seconds for 100k generated inputs, the
largest cost of the check after k-means. Here the same counts come from
C-level passes:

- an ASCII text's terms are its runs of two or more ASCII letters, lower-cased
  (the pattern ``[^\\W\\d_]{2,}`` matches exactly those in ASCII: digits and
  the underscore are excluded, every other ASCII character is a non-word
  character). One ``bytes.translate`` lower-cases the letters and blanks
  everything else, and ``split`` yields the runs; runs of one letter, like
  stop words, are simply not in the vocabulary looked up;
- any other text is tokenised as scikit-learn does (``findall`` on
  ``str.lower()``), since Unicode letters, digits and case rules do not reduce
  to a byte table;
- every token is looked up by ``map(dict.get)``, and the (row, term) pairs are
  counted by one ``np.unique``.

The results are equal, array for array (data, indices, indptr, dtypes), to
``CountVectorizer``'s: ``tests/test_termcounts.py`` compares them on random
and real texts.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy import sparse

from checks.stopwords import ENGLISH_STOP_WORDS

# Runs of two or more letters: numbers ("48", "2023") carry no topic and would
# crowd the top terms of maths or order-number data; identifiers split at
# digits and underscores ("item_count2" -> item, count). Without \b anchors the
# regex runs 1.5x faster than with them.
TOKEN_PATTERN = r"[^\W\d_]{2,}"
_TOKEN = re.compile(TOKEN_PATTERN)
# Byte table: A-Z lower-cased, a-z kept, every other byte a space (a separator for bytes.split).
_ASCII_LETTERS = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32 for c in range(256))
_INT32_MAX = np.iinfo(np.int32).max


def tokens(text: str) -> Sequence[str | bytes]:
    """The text's lower-cased letter runs: bytes for an ASCII text (one-letter runs included), else str
    (as CountVectorizer's tokenizer finds them, two letters or more)."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_LETTERS).split()
    return _TOKEN.findall(text.lower())


def lookup(vocabulary: Mapping[str, int]) -> dict[str | bytes, int]:
    """The column of every term CountVectorizer can count, keyed by its str and (ASCII terms) its bytes.

    A term of one character or a stop word is never counted by CountVectorizer
    (the pattern needs two letters; stop words are dropped before the lookup),
    so neither is a key here: the ASCII path's one-letter runs then miss.
    """
    usable = [(t, i) for t, i in vocabulary.items() if len(t) >= 2 and t not in ENGLISH_STOP_WORDS]
    keyed: dict[str | bytes, int] = dict(usable)
    keyed.update((t.encode("ascii"), i) for t, i in usable if t.isascii())
    return keyed


def count_terms(texts: Sequence[str], vocabulary: Mapping[str, int], keyed: dict[str | bytes, int] | None = None) -> sparse.csr_matrix:
    """``CountVectorizer(vocabulary=vocabulary, ...).transform(texts)``: (texts x terms) float32 counts.

    ``keyed`` is ``lookup(vocabulary)``, when the caller already built it
    (worker processes share the parent's).
    """
    keyed = lookup(vocabulary) if keyed is None else keyed
    n, width = len(texts), len(vocabulary)
    found = [tokens(t) for t in texts]
    lengths = np.fromiter(map(len, found), np.int64, n)
    flat = itertools.chain.from_iterable(found)
    column: Callable[[str | bytes, int], int] = keyed.get
    columns = np.fromiter(map(column, flat, itertools.repeat(-1)), np.int64, int(lengths.sum()))
    del found
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    hit = columns >= 0
    cells, counts = np.unique(rows[hit] * max(width, 1) + columns[hit], return_counts=True)
    row_of, column_of = np.divmod(cells, max(width, 1))
    # CountVectorizer's index width: 32 bits unless the non-zeros outgrow them.
    index = np.int64 if len(cells) > _INT32_MAX else np.int32
    indptr = np.zeros(n + 1, index)
    np.cumsum(np.bincount(row_of, minlength=n), out=indptr[1:])
    matrix = sparse.csr_matrix((counts.astype(np.float32), column_of.astype(index), indptr), shape=(n, width))
    matrix.has_sorted_indices = True  # np.unique sorted each row's columns, as CountVectorizer's sort_indices does
    return matrix


def fit_vocabulary(texts: Sequence[str], min_df: int = 1) -> set[str]:
    """``set(CountVectorizer(min_df=min_df, ...).fit(texts).vocabulary_)``: terms in at least ``min_df`` texts.

    Raises ValueError where CountVectorizer does: no term at all, or none left
    after the ``min_df`` cut.
    """
    frequency: Counter[str | bytes] = Counter(itertools.chain.from_iterable(set(tokens(t)) for t in texts))
    df: Counter[str] = Counter()
    for token, count in frequency.items():
        term = token.decode("ascii") if isinstance(token, bytes) else token
        if len(term) >= 2 and term not in ENGLISH_STOP_WORDS:
            df[term] += count
    if not df:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    if len(texts) < min_df:
        raise ValueError("max_df corresponds to < documents than min_df")
    kept = {t for t, count in df.items() if count >= min_df}
    if not kept:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    return kept
