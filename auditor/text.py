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
        if self.unicode != "none" and not (text.isascii()):
            # ASCII text is already in every normal form; skipping it is the
            # common case and saves most of the cost on English data.
            text = unicodedata.normalize(self.unicode, text)
        if self.casefold:
            text = text.casefold()
        if self.whitespace:
            # str.split() splits on every Unicode whitespace character.
            text = " ".join(text.split())
        return text

    def many(self, texts: Iterable[str]) -> list[str]:
        return [self(t) for t in texts]

    @classmethod
    def from_config(cls, section: dict[str, object]) -> Normalizer:
        return cls(
            unicode=str(section.get("unicode", "NFKC")),
            casefold=bool(section.get("casefold", True)),
            whitespace=bool(section.get("whitespace", True)),
        )


def loose(text: str) -> str:
    """A normalised text with trailing punctuation removed (for contradiction tests)."""
    return text.rstrip(_TRAILING)


def hash128(text: str) -> int:
    """A 128-bit hash: collisions are negligible even at hundreds of millions of texts."""
    return xxhash.xxh3_128_intdigest(text.encode("utf-8", "surrogatepass"))
