from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.text import Normalizer, hash128, loose


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
