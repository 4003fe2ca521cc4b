from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.similarity.normalize import Normalizer, hash128, ints, loose


@pytest.mark.parametrize(
    "a,b,same",
    [
        ("Hello   World", "hello world", True),
        ("tab\there", "tab here", True),
        ("ﬁne", "fine", True),  # ligature, NFKC
        ("Ｆｕｌｌ", "full", True),  # full width
        ("non\u00a0breaking", "non breaking", True),
        ("Straße", "strasse", True),  # casefold, not lower
        ("hello", "hallo", False),
    ],
)
def test_normalizer_equates_what_it_should(a: str, b: str, same: bool) -> None:
    n = Normalizer()
    assert (n(a) == n(b)) is same


def test_normalizer_options() -> None:
    assert Normalizer(casefold=False)("A  b") == "A b"
    assert Normalizer(whitespace=False)("A  b") == "a  b"
    assert Normalizer(unicode="none", casefold=False)("ﬁ") == "ﬁ"


@given(st.text())
def test_normalizer_is_idempotent(text: str) -> None:
    n = Normalizer()
    once = n(text)
    assert n(once) == once
    assert "  " not in once and once == once.strip()


@given(st.text(), st.text())
def test_hash_separates_different_texts(a: str, b: str) -> None:
    assert (hash128(a) == hash128(b)) == (a == b)


def test_loose_strips_trailing_punctuation_only() -> None:
    assert loose("paris.") == "paris" and loose("a. b!") == "a. b"


@given(st.text(alphabet=st.characters(max_codepoint=127)) | st.text(), st.booleans(), st.booleans())
def test_fast_key_equals_normalised_text(text: str, casefold: bool, whitespace: bool) -> None:
    n = Normalizer(casefold=casefold, whitespace=whitespace)
    # The byte path must agree with the general one on every text.
    assert n.key(text) == n._full(text).encode("utf-8", "surrogatepass")
    assert n(text) == n._full(text)


# Texts mixing everything the batched path treats differently: runs of ASCII
# whitespace (interior, leading, trailing), the \x1c-\x1f separators str.split
# sees as spaces, NUL, non-ASCII letters and spaces, empty strings.
_PIECES = st.sampled_from(["a", "B", " ", "  ", "\t", "\n", "\r\n", "\x1c", "\x00", "é", "ß", "\u00a0", "ﬁ", ".", "Zz9", "",
                           # non-ASCII texts go through the batch's bytes unless whitespace NFKC keeps is left
                           "É", "\u0130", "\u017f", "Σ", "\u3000", "\u2003", "\u2028", "\x85", "\u1680", "\ud800", "字"])
_TEXTS = st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=40)


@given(texts=_TEXTS, casefold=st.booleans(), whitespace=st.booleans(), unicode=st.sampled_from(["NFKC", "none"]))
def test_batched_normalisation_equals_one_at_a_time(texts: list[str], casefold: bool, whitespace: bool, unicode: str) -> None:
    n = Normalizer(unicode=unicode, casefold=casefold, whitespace=whitespace)
    expected = [n(t) for t in texts]
    assert n.many(texts) == expected
    assert ints(n.hashes(texts)) == [hash128(e) for e in expected]
    assert ints(n.hashes(iter(texts))) == ints(n.hashes(texts))  # any iterable, not only lists
    # From UTF-8 bytes, as a process that holds no strings receives them.
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    lengths = np.array([len(e) for e in encoded], np.int64)
    assert ints(n.hash_encoded(b"".join(encoded), lengths)) == [hash128(e) for e in expected]


def test_case_folding_never_gives_ascii_capitals() -> None:
    """What lets folded non-ASCII texts share the batch's byte translation (see Normalizer._folded_bytes).
    Case folding maps each character on its own, so every character is enough, whatever NFKC made."""
    capitals = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert not [hex(c) for c in range(0x110000) if capitals.intersection(chr(c).casefold())]


def test_whitespace_left_by_nfkc() -> None:
    """The non-ASCII whitespace NFKC and case folding can leave (Normalizer._folded_bytes tests only for it).
    NFKC decomposes character by character and composes only letters, so every character is enough."""
    import unicodedata

    from auditor.similarity.normalize import _NFKC_WIDE_SPACES, _WIDE_SPACE

    wide = {chr(c) for c in range(0x80, 0x110000) if chr(c).isspace()}
    assert set(_WIDE_SPACE.pattern[1:-1]) == wide
    left = {ch for c in range(0x110000) for ch in unicodedata.normalize("NFKC", chr(c)).casefold() if ch in wide}
    assert left == set(_NFKC_WIDE_SPACES)


@settings(deadline=None)  # the first example imports checks.tasks
@given(texts=_TEXTS, casefold=st.booleans(), whitespace=st.booleans(), unicode=st.sampled_from(["NFKC", "NFC", "none"]))
def test_word_counts_equal_those_of_the_normalised_texts(texts: list[str], casefold: bool, whitespace: bool, unicode: str) -> None:
    """The task-type rule's word counts, taken from the written texts' counts (issue 20) instead of normalising."""
    from checks.tasks import words_of

    n = Normalizer(unicode=unicode, casefold=casefold, whitespace=whitespace)
    texts = [*texts, "a\u00a8b", "x\u2028y"]  # NFKC makes a space of U+00A8; U+2028 stays whitespace
    raw = np.array([len(t.split()) for t in texts], np.int64)
    assert n.word_counts(texts, raw).tolist() == words_of(n, n.many(texts)).tolist()


def test_batches_split_large_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.similarity.normalize as text

    monkeypatch.setattr(text, "BATCH_CHARS", 7)  # every few texts a new batch: boundaries are exercised
    texts = ["Hello  World ", "x", "", "  lead", "a\tb\nc", "Ünï  Code", "tail  "] * 5
    n = Normalizer()
    assert n.many(texts) == [n(t) for t in texts]
    assert ints(n.hashes(texts)) == [hash128(n(t)) for t in texts]


@settings(deadline=None)  # the first example imports auditor.features
@given(texts=_TEXTS, rows=st.lists(st.integers(0, 39), max_size=20))
def test_on_demand_normalised_texts_equal_the_whole_list(texts: list[str], rows: list[int]) -> None:
    """auditor.features.texts.NormalisedTexts (issue 20: the run no longer holds every
    normalised text) reads exactly what the list ``Normalizer.many`` made."""
    from auditor.features.texts import NormalisedTexts

    norm = Normalizer()
    whole = norm.many(texts)
    lazy = NormalisedTexts(norm, texts)
    rows = [r for r in rows if r < len(texts)]
    assert len(lazy) == len(whole) and list(lazy) == whole
    assert [lazy[i] for i in range(len(texts))] == whole
    assert lazy.take(rows) == [whole[i] for i in rows] and lazy[1:5] == whole[1:5]
    assert lazy.sizes(rows).tolist() == [len(texts[i]) for i in rows]
