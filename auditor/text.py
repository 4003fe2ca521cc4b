"""Text normalisation and hashing used to compare records.

One definition, used by the count, duplicates and every other check that asks
"are these two texts the same?".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import xxhash

# Characters stripped from the end of an output before two outputs are compared
# for contradiction: "Paris." and "paris" say the same thing.
_TRAILING = " \t\r\n.!?;:,…。！？"


@dataclass(frozen=True)
class Normalizer:
    unicode: str = "NFKC"  # "NFKC", "NFC" or "none"
    casefold: bool = True
    whitespace: bool = True

    def __call__(self, text: str) -> str:
        if text.isascii():
            return self.key(text).decode("ascii")
        return self._full(text)

    def _full(self, text: str) -> str:
        """The general path, for text with non-ASCII characters."""
        if self.unicode != "none":
            text = unicodedata.normalize(self.unicode, text)  # type: ignore[arg-type]
        if self.casefold:
            text = text.casefold()
        if self.whitespace:
            # str.split() splits on every Unicode whitespace character.
            text = " ".join(text.split())
        return text

    def key(self, text: str) -> bytes:
        """``self(text)`` as UTF-8 bytes, computed on bytes for ASCII text.

        Normalising every record goes through here. For ASCII text, NFKC is the
        identity, case folding is lower-casing and every whitespace character
        is a single byte, so one byte-translate does both, and the costly
        split-and-join runs only when a run of spaces is actually present.
        """
        if text.isascii():
            b = text.encode("ascii")
            table = _TABLES[self.casefold, self.whitespace]
            if table is not None:
                b = b.translate(table)
            if self.whitespace:
                b = b" ".join(b.split()) if b"  " in b else b.strip()
            return b
        return self._full(text).encode("utf-8", "surrogatepass")

    def many(self, texts: Iterable[str]) -> list[str]:
        return [self(t) for t in texts]

    @classmethod
    def from_config(cls, section: dict[str, object]) -> Normalizer:
        return cls(
            unicode=str(section.get("unicode", "NFKC")),
            casefold=bool(section.get("casefold", True)),
            whitespace=bool(section.get("whitespace", True)),
        )


# ASCII whitespace as str.split() sees it (including the \x1c-\x1f separators).
_ASCII_SPACE = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_TABLES = {
    (True, True): bytes.maketrans(_UPPER + _ASCII_SPACE, _UPPER.lower() + b" " * len(_ASCII_SPACE)),
    (True, False): bytes.maketrans(_UPPER, _UPPER.lower()),
    (False, True): bytes.maketrans(_ASCII_SPACE, b" " * len(_ASCII_SPACE)),
    (False, False): None,
}


def loose(text: str) -> str:
    """A normalised text with trailing punctuation removed (for contradiction tests)."""
    return text.rstrip(_TRAILING)


def hash128(text: str) -> int:
    """A 128-bit hash: collisions are negligible even at hundreds of millions of texts."""
    return xxhash.xxh3_128_intdigest(text.encode("utf-8", "surrogatepass"))


def hash_many(texts: Iterable[str]) -> list[int]:
    """``hash128`` of each (already normalised) text."""
    h = xxhash.xxh3_128_intdigest
    return [h(t.encode("utf-8", "surrogatepass")) for t in texts]


def pair_key(input_hash: int, output_hash: int) -> int:
    """One key for an input-output pair from the two texts' hashes, side by side.

    Exact (no second hashing), and ("ab", "c") stays apart from ("a", "bc").
    """
    return (input_hash << 128) | output_hash
