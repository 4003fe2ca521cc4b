"""checks.termcounts gives CountVectorizer's counts and vocabulary exactly (the coverage check's
TF-IDF space, and with it its topics, must not move): random texts over a hard alphabet, real
instructions, and the whole sampled text space against the scikit-learn path it replaced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

import checks.textspace as textspace
from checks.termcounts import count_terms, fit_vocabulary

# ASCII letters of both cases, digits, the underscore, punctuation and control characters, and
# non-ASCII letters whose case rules are special: final sigma, dotted I (lowers to two code points),
# sharp s, a superscript digit (a letter to the pattern: not a decimal digit), CJK, Cyrillic, a combining mark.
ALPHABET = list("abcxyzABCXYZ019_-'. \t\n\x0b\x1f,;:!?") + list("éÉΣσςİıßẞ²中文дЖ\u0301\u00a0")
TEXT = st.text(alphabet=ALPHABET, max_size=40)
WORDS = st.lists(st.sampled_from("the and cat dog Dog CAT x a1 zz ZZ ab_cd résumé ΣΟΦΙΑ café über 中文 İstanbul".split()), max_size=8)


def _counter(**options: Any) -> Any:
    return textspace._counter(**options)


def _equal(fast: sparse.csr_matrix, slow: sparse.csr_matrix) -> None:
    assert type(fast) is type(slow) and fast.shape == slow.shape
    for name in ("data", "indices", "indptr"):
        a, b = getattr(fast, name), getattr(slow, name)
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a, b, err_msg=name)


def _texts(draw: st.DrawFn) -> list[str]:
    return draw(st.lists(st.one_of(TEXT, WORDS.map(" ".join)), min_size=1, max_size=12))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_counts_equal_countvectorizer(data: st.DataObject) -> None:
    texts = _texts(data.draw)
    try:
        fitted = sorted(_counter().fit(texts).vocabulary_)
    except ValueError:  # nothing but stop words and single letters
        fitted = []
    # Terms CountVectorizer never counts sit in the vocabulary too: a stop word, one letter, digits, capitals.
    extra = data.draw(st.lists(st.sampled_from(["the", "x", "a1", "ZZ", "zz", "ab", "é"]), unique=True))
    terms = sorted(set(fitted) | set(extra))
    if not terms:
        return
    vocabulary = {t: i for i, t in enumerate(terms)}
    _equal(count_terms(texts, vocabulary), _counter(vocabulary=vocabulary).transform(texts))


@settings(max_examples=150, deadline=None)
@given(data=st.data(), min_df=st.integers(1, 3))
def test_vocabulary_equals_countvectorizer(data: st.DataObject, min_df: int) -> None:
    texts = _texts(data.draw)
    try:
        theirs: set[str] | type[ValueError] = set(_counter(min_df=min_df).fit(texts).vocabulary_)
    except ValueError:
        theirs = ValueError
    try:
        ours: set[str] | type[ValueError] = fit_vocabulary(texts, min_df)
    except ValueError:
        ours = ValueError
    assert ours == theirs


def _old_count(texts: list[str], n_train: int, seed: int) -> tuple[sparse.csr_matrix, np.ndarray]:
    """textspace._count's sampled path as it was, all in scikit-learn (one process)."""
    rng = np.random.default_rng(seed)
    sample = rng.choice(n_train, size=textspace.VOCAB_SAMPLE, replace=False)
    vocabulary = set(_counter(min_df=2).fit([texts[i] for i in sample]).vocabulary_)
    if len(texts) > n_train:
        try:
            vocabulary |= set(_counter().fit(texts[n_train:]).vocabulary_)
        except ValueError:
            pass
    terms = np.array(sorted(vocabulary), dtype=object)
    counts = _counter(vocabulary={t: i for i, t in enumerate(terms)}).transform(texts)
    return counts, terms


def _inputs(path: Path, limit: int) -> list[str]:
    from auditor.load import load

    return list(load(path)[0].inputs[:limit])


def test_sampled_space_equals_scikit_learn_on_real_text(shared_datasets: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.generate import generate

    generate(1_500, tmp_path / "realtext.jsonl", kind="realtext")  # numbers, URLs, code, nine scripts
    train = _inputs(shared_datasets / "self_instruct_t0_50k/canonical.jsonl", 1_500) + _inputs(tmp_path / "realtext.jsonl", 1_500)
    reference = _inputs(shared_datasets / "codealpaca/code_alpaca_2k.json", 400) + ["", "42 17", "ΣΟΦΙΑ σοφίας İstanbul"]
    assert sum(not t.isascii() for t in train) > 100
    monkeypatch.setattr(textspace, "VOCAB_SAMPLE", 1_000)  # the sampled path, as above 20,000 inputs
    monkeypatch.setattr(textspace, "CHUNK_TEXTS", 700)
    fast = textspace.build_space(train, reference, seed=3)
    monkeypatch.setattr(textspace, "_count", _old_count)
    slow = textspace.build_space(train, reference, seed=3)
    assert list(fast.terms) == list(slow.terms)
    assert fast.reference is not None and slow.reference is not None
    _equal(fast.train, slow.train)
    _equal(fast.reference, slow.reference)


def test_a_broken_shortcut_is_caught() -> None:
    """The comparison above can fail: counting one-letter runs (a plausible slip of the ASCII path) differs."""
    texts = ["a cat sat on a mat", "I am x"]
    vocabulary = {"a": 0, "cat": 1, "mat": 2, "sat": 3, "x": 4}
    slow = _counter(vocabulary=vocabulary).transform(texts)
    broken = count_terms(texts, vocabulary, keyed={**{t: i for t, i in vocabulary.items()}, **{t.encode(): i for t, i in vocabulary.items()}})
    with pytest.raises(AssertionError):
        _equal(broken, slow)
    _equal(count_terms(texts, vocabulary), slow)
