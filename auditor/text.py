"""Text normalisation and hashing used to compare records.

One definition, used by the count, duplicates and every other check that asks
"are these two texts the same?".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import xxhash

if TYPE_CHECKING:
    import numpy as np

#: Texts normalised per numpy batch: large enough that numpy's per-call cost
#: vanishes, small enough that the batch's temporaries stay a few MB.
BATCH_CHARS = 4 << 20

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
        """``self(t)`` for each text (batched: see ``hashes``)."""
        out: list[str] = []
        for buffer, starts, ends, slow in self._batches(texts):
            if slow is None:  # the whole batch went through numpy
                text = buffer.decode("ascii")
                out += [text[a:b] for a, b in zip(starts, ends)]
            else:
                out += [
                    slow[k].decode("utf-8", "surrogatepass") if k in slow else buffer[a:b].decode("ascii")
                    for k, (a, b) in enumerate(zip(starts, ends))
                ]
        return out

    def hashes(self, texts: Iterable[str]) -> list[int]:
        """``hash128(self(t))`` for each text, without building the normalised strings.

        The exact count hashes every input and output of every audit; this is
        its hot path (about 1.5 ns per byte against 6 for one text at a time).
        """
        h = xxhash.xxh3_128_intdigest
        out: list[int] = []
        for buffer, starts, ends, slow in self._batches(texts):
            view = memoryview(buffer)
            if slow is None:
                out += [h(view[a:b]) for a, b in zip(starts, ends)]
            else:
                out += [h(slow[k]) if k in slow else h(view[a:b]) for k, (a, b) in enumerate(zip(starts, ends))]
        return out

    def _batches(self, texts: Iterable[str]) -> Iterator[tuple[bytes, list[int], list[int], dict[int, bytes] | None]]:
        """Per batch of about ``BATCH_CHARS``: one buffer of normalised ASCII text, each
        text's start and end in it, and the texts normalised one by one instead
        ({index in batch: key}), None when none were.
        """
        import numpy as np

        if not isinstance(texts, Sequence):
            texts = list(texts)
        lengths = np.fromiter(map(len, texts), np.int64, len(texts))
        reach = np.cumsum(lengths)  # characters up to and including each text
        start = 0
        while start < len(texts):
            before = int(reach[start - 1]) if start else 0
            # The batch ends with the first text that brings it to BATCH_CHARS (one text at least).
            stop = max(start + 1, min(len(texts), int(np.searchsorted(reach, before + BATCH_CHARS)) + 1))
            yield self._batch(texts[start:stop], lengths[start:stop])
            start = stop

    def _batch(self, texts: Sequence[str], lengths: np.ndarray) -> tuple[bytes, list[int], list[int], dict[int, bytes] | None]:
        import numpy as np

        joined = "".join(texts)
        slow: dict[int, bytes] = {}
        if not joined.isascii():  # the non-ASCII texts take the general path; they stay in the buffer as empty strings
            slow = {k: self.key(t) for k, t in enumerate(texts) if not t.isascii()}
            joined = "".join("" if k in slow else t for k, t in enumerate(texts))
            lengths = lengths.copy()
            lengths[list(slow)] = 0
        ends = np.cumsum(lengths)
        starts = ends - lengths
        table = _TABLES[self.casefold, self.whitespace]
        buffer = joined.encode("ascii")
        if table is not None:
            buffer = buffer.translate(table)  # one C pass over the batch, ~1 ns a byte
        if self.whitespace and buffer:
            space = np.frombuffer(buffer, np.uint8) == 32
            # A text starting or ending with whitespace is stripped one by one
            # (rare); every other text's runs of spaces are interior, and one
            # space per run survives: the last, since the next byte is not a space.
            nonempty = ends > starts
            edged = np.zeros(len(texts), bool)
            edged[nonempty] = space[starts[nonempty]] | space[ends[nonempty] - 1]
            for k in np.flatnonzero(edged).tolist():
                slow[k] = self.key(texts[k])
            drops = np.flatnonzero(space[:-1] & space[1:])
            if drops.size:  # usually a few per batch ("\n\n" between paragraphs): count them by search, not a pass
                starts = starts - np.searchsorted(drops, starts)
                ends = ends - np.searchsorted(drops, ends)
                buffer = np.delete(np.frombuffer(buffer, np.uint8), drops).tobytes()
        return buffer, starts.tolist(), ends.tolist(), slow or None

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
