"""Text normalisation and hashing used to compare records.

One definition, used by the count, duplicates and every other check that asks
"are these two texts the same?".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import xxhash

if TYPE_CHECKING:
    import numpy as np

#: Characters normalised per batch: large enough that numpy's per-call cost
#: vanishes, small enough that the batch's temporaries are reused by the
#: allocator instead of mapped afresh each time (4M-character batches hashed
#: at 3.6 ns a byte, 256K ones at 2.1).
BATCH_CHARS = 1 << 18

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
        text = self._fold(text)
        if self.whitespace:
            # str.split() splits on every Unicode whitespace character.
            text = " ".join(text.split())
        return text

    def _fold(self, text: str) -> str:
        """The Unicode form and case folding of ``_full``, without the whitespace step."""
        if self.unicode != "none":
            text = unicodedata.normalize(self.unicode, text)  # type: ignore[arg-type]
        if self.casefold:
            text = text.casefold()
        return text

    def _folded_bytes(self, text: str) -> bytes | None:
        """A non-ASCII text folded and encoded, for the batch's byte buffer to finish like an ASCII
        one; None when only ``_full`` can (whitespace outside ASCII left after folding).

        Splitting and joining each such text was most of their cost (realtext: 0.3 of 0.47 s
        for 38k texts). In UTF-8 a byte below 0x80 is always that ASCII character, and
        case folding never yields 'A'-'Z' (so the buffer's lower-casing leaves these texts
        alone): squeezing the ASCII whitespace of the bytes is ``" ".join(text.split())``
        when no other whitespace is there.
        """
        folded = self._fold(text)
        if self.whitespace:
            # After NFKC four are left: four substring tests (immediate for a string without
            # characters that wide) cost a quarter of a search for all nineteen.
            if any(map(folded.__contains__, _NFKC_WIDE_SPACES)) if self.unicode == "NFKC" else _WIDE_SPACE.search(folded):
                return None
        return folded.encode("utf-8", "surrogatepass")

    def key(self, text: str) -> bytes:
        """``self(text)`` as UTF-8 bytes, computed on bytes for ASCII text.

        Normalising every record goes through here. For ASCII text, NFKC is the
        identity, case folding is lower-casing and every whitespace character
        is a single byte, so one byte-translate does both, and the costly
        split-and-join runs only when a run of spaces is actually present.
        """
        if text.isascii():
            return self._ascii_key(text.encode("ascii"))
        return self._full(text).encode("utf-8", "surrogatepass")

    def _ascii_key(self, b: bytes) -> bytes:
        table = _TABLES[self.casefold, self.whitespace]
        if table is not None:
            b = b.translate(table)
        if self.whitespace:
            b = b" ".join(b.split()) if b"  " in b else b.strip()
        return b

    def word_counts(self, texts: Sequence[str], raw: np.ndarray) -> np.ndarray:
        """``len(self(t).split())`` of each text, given ``raw``: ``len(t.split())`` of each.

        Folding an ASCII text changes none of its whitespace, so its raw count
        stands; only the others are folded (NFKC can make a space of a
        character that was none) and counted again. No text is normalised.
        """
        counts = raw.copy()
        for k, t in enumerate(texts):
            if not t.isascii():
                counts[k] = len(self._fold(t).split())
        return counts

    def many(self, texts: Iterable[str]) -> list[str]:
        """``self(t)`` for each text (batched: see ``hashes``)."""
        out: list[str] = []
        for batch, lengths in _batches(texts):
            buffer, starts, ends, slow = self._squeeze(*self._ascii_part(batch, lengths))
            if slow is None and buffer.isascii():  # the whole batch went through numpy, a character a byte
                text = buffer.decode("ascii")
                out += [text[a:b] for a, b in zip(starts, ends)]
            else:
                slow = slow or {}
                out += [
                    slow[k].decode("utf-8", "surrogatepass") if k in slow else buffer[a:b].decode("utf-8", "surrogatepass")
                    for k, (a, b) in enumerate(zip(starts, ends))
                ]
        return out

    def hashes(self, texts: Iterable[str]) -> np.ndarray:
        """``hash128(self(t))`` of each text as (n, 2) uint64 rows, high word first.

        The exact count hashes every input and output of every audit; this is
        its hot path (about 2 ns a byte against 6 for one text at a time),
        and the normalised strings are never built. ``ints`` turns the rows
        into the Python ints ``hash128`` returns.
        """
        import numpy as np

        rows = [self._digests(*self._squeeze(*self._ascii_part(batch, lengths))) for batch, lengths in _batches(texts)]
        return np.concatenate(rows) if rows else np.zeros((0, 2), np.uint64)

    def hash_encoded(self, buffer: bytes, lengths: np.ndarray) -> np.ndarray:
        """``hashes`` of texts given as their UTF-8 bytes back to back, with each text's length in bytes.

        For a process that holds no strings: the side hasher of a large load.
        """
        return self._digests(*self._squeeze(*self._wide_part(buffer, lengths)))

    # A batch goes through three steps: its texts into one buffer of bytes
    # (ASCII ones as they are, the others folded and encoded; the few that
    # only ``_full`` can normalise are set aside with their keys, their length
    # in the buffer zero), that buffer normalised at once, then each text hashed.

    def _ascii_part(self, texts: Sequence[str], lengths: np.ndarray) -> tuple[bytes, np.ndarray, dict[int, bytes]]:
        """The first step for strings (``lengths`` in characters)."""
        joined = "".join(texts)
        if joined.isascii():  # the common case: one copy, and a character is a byte
            return joined.encode("ascii"), lengths, {}
        wide = [k for k, t in enumerate(texts) if not t.isascii()]
        return self._refill(wide, lengths, lambda a, b: "".join(texts[a:b]).encode("ascii"), lambda k: texts[k])

    def _wide_part(self, buffer: bytes, lengths: np.ndarray) -> tuple[bytes, np.ndarray, dict[int, bytes]]:
        """The first step for UTF-8 bytes (``lengths`` in bytes)."""
        import numpy as np

        if buffer.isascii():
            return buffer, lengths, {}
        starts = np.cumsum(lengths) - lengths
        # A text's highest byte says whether it is ASCII: one reduction over the
        # batch (empty texts are left out: they would read their neighbour's byte).
        filled = np.flatnonzero(lengths > 0)
        wide = filled[np.maximum.reduceat(np.frombuffer(buffer, np.uint8), starts[filled]) >= 0x80].tolist()
        at = starts.tolist() + [len(buffer)]
        view = memoryview(buffer)
        return self._refill(wide, lengths, lambda a, b: view[at[a] : at[b]], lambda k: bytes(view[at[k] : at[k + 1]]).decode("utf-8", "surrogatepass"))

    def _refill(
        self, wide: list[int], lengths: np.ndarray, run: Callable[[int, int], bytes | memoryview], text: Callable[[int], str]
    ) -> tuple[bytes, np.ndarray, dict[int, bytes]]:
        """The batch's buffer: the runs of ASCII texts between the ``wide`` ones (``run(a, b)``: texts a to b,
        encoded), each wide one (``text(k)``) folded and encoded, or set aside with its key."""
        pieces: list[bytes | memoryview] = []
        slow: dict[int, bytes] = {}
        lengths = lengths.copy()
        done = 0
        for k in wide:
            pieces.append(run(done, k))
            folded = self._folded_bytes(text(k))
            if folded is None:
                slow[k] = self._full(text(k)).encode("utf-8", "surrogatepass")
                lengths[k] = 0
            else:
                pieces.append(folded)
                lengths[k] = len(folded)
            done = k + 1
        pieces.append(run(done, len(lengths)))
        return b"".join(pieces), lengths, slow

    def _squeeze(
        self, buffer: bytes, lengths: np.ndarray, slow: dict[int, bytes]
    ) -> tuple[bytes, list[int], list[int], dict[int, bytes] | None]:
        """Normalise an ASCII buffer of texts at once: the normalised bytes, each
        text's start and end in them, and the texts normalised one by one
        instead ({index: key}; None when none were).
        """
        import numpy as np

        ends = np.cumsum(lengths)
        starts = ends - lengths
        table = _TABLES[self.casefold, self.whitespace]
        if table is not None:
            buffer = buffer.translate(table)  # one C pass over the batch, ~1 ns a byte
        if self.whitespace and buffer:
            space = np.frombuffer(buffer, np.uint8) == 32
            nonempty = ends > starts
            edged = np.zeros(len(lengths), bool)
            edged[nonempty] = space[starts[nonempty]] | space[ends[nonempty] - 1]
            if edged.any():
                # Texts starting or ending with whitespace (most, in some real
                # datasets) are stripped by moving their bounds in to their
                # first and last other byte; a blank text becomes empty.
                solid = np.flatnonzero(~space)
                k = np.flatnonzero(edged)
                first = np.searchsorted(solid, starts[k])
                last = np.searchsorted(solid, ends[k]) - 1
                blank = first > last
                if blank.all():
                    ends[k] = starts[k]
                else:
                    first[blank] = last[blank] = last.max()  # any valid index: not used
                    starts[k] = np.where(blank, starts[k], solid[first])
                    ends[k] = np.where(blank, starts[k], solid[last] + 1)
            # Every run of spaces left inside a text is interior, and one space
            # per run survives: the last, since the next byte is not a space.
            drops = np.flatnonzero(space[:-1] & space[1:])
            if drops.size:  # usually a few per batch ("\n\n" between paragraphs): count them by search, not a pass
                starts = starts - np.searchsorted(drops, starts)
                ends = ends - np.searchsorted(drops, ends)
                buffer = np.delete(np.frombuffer(buffer, np.uint8), drops).tobytes()
        return buffer, starts.tolist(), ends.tolist(), slow or None

    @staticmethod
    def _digests(normalised: bytes, starts: list[int], ends: list[int], slow: dict[int, bytes] | None) -> np.ndarray:
        view = memoryview(normalised)
        if slow is None:
            return hash_rows(map(view.__getitem__, map(slice, starts, ends)), len(starts))
        return hash_rows((slow[k] if k in slow else view[a:b] for k, (a, b) in enumerate(zip(starts, ends))), len(starts))

    @classmethod
    def from_config(cls, section: dict[str, object]) -> Normalizer:
        return cls(
            unicode=str(section.get("unicode", "NFKC")),
            casefold=bool(section.get("casefold", True)),
            whitespace=bool(section.get("whitespace", True)),
        )


# Whitespace outside ASCII (str.isspace), and what of it can be left after NFKC and case folding
# (NFKC turns the rest into a space; tests/test_text.py checks every character).
_WIDE_SPACE = re.compile("[" + "".join(chr(c) for c in range(0x80, 0x3001) if chr(c).isspace()) + "]")
_NFKC_WIDE_SPACES = ("\x85", "\u1680", "\u2028", "\u2029")
# ASCII whitespace as str.split() sees it (including the \x1c-\x1f separators).
_ASCII_SPACE = b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"
_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_TABLES = {
    (True, True): bytes.maketrans(_UPPER + _ASCII_SPACE, _UPPER.lower() + b" " * len(_ASCII_SPACE)),
    (True, False): bytes.maketrans(_UPPER, _UPPER.lower()),
    (False, True): bytes.maketrans(_ASCII_SPACE, b" " * len(_ASCII_SPACE)),
    (False, False): None,
}



def _batches(texts: Iterable[str]) -> Iterator[tuple[Sequence[str], np.ndarray]]:
    """The texts in batches of about ``BATCH_CHARS`` characters (one text at least), with their lengths."""
    import numpy as np

    if not isinstance(texts, Sequence):
        texts = list(texts)
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    reach = np.cumsum(lengths)  # characters up to and including each text
    start = 0
    while start < len(texts):
        before = int(reach[start - 1]) if start else 0
        stop = max(start + 1, min(len(texts), int(np.searchsorted(reach, before + BATCH_CHARS)) + 1))
        yield texts[start:stop], lengths[start:stop]
        start = stop


def hash_rows(encoded: Iterable[bytes | memoryview], count: int) -> np.ndarray:
    """``hash128`` of each already normalised and encoded text, as (n, 2) uint64 rows, high word first.

    The digest is the 128-bit integer's big-endian bytes, so the values are
    exactly those of ``hash128``, without a Python int per text.
    """
    import numpy as np

    raw = b"".join(map(xxhash.xxh3_128_digest, encoded))
    return np.frombuffer(raw, ">u8").astype(np.uint64).reshape(count, 2)


def ints(rows: np.ndarray) -> list[int]:
    """(n, 2) hash rows as the Python ints ``hash128`` gives, for keys of dicts and sets."""
    # Two flat lists, not rows.tolist(): a million two-item lists cost four times as much.
    return [(hi << 64) | lo for hi, lo in zip(rows[:, 0].tolist(), rows[:, 1].tolist())]


def loose(text: str) -> str:
    """A normalised text with trailing punctuation removed (for contradiction tests)."""
    return text.rstrip(_TRAILING)


def hash128(text: str) -> int:
    """A 128-bit hash: collisions are negligible even at hundreds of millions of texts."""
    return xxhash.xxh3_128_intdigest(text.encode("utf-8", "surrogatepass"))


def pair_key(input_hash: int, output_hash: int) -> int:
    """One key for an input-output pair from the two texts' hashes, side by side.

    Exact (no second hashing), and ("ab", "c") stays apart from ("a", "bc").
    """
    return (input_hash << 128) | output_hash
