"""Word k-gram shingles of many texts at once, hashed with numpy.

No Python code runs per word or per shingle: the texts of a chunk are joined
into one byte buffer, a polynomial prefix hash over its bytes is built with one
``cumsum``, and the hash of any byte span (a shingle: k whitespace-separated
words and the single spaces between them) is then two lookups, a subtraction
and a multiplication by the inverse power of the span's start. Arithmetic is
modulo 2**32 (numpy's uint32 wraps: half the memory traffic of uint64), with
an odd base so it is invertible; a splitmix64 finaliser then spreads the 32
bits over 64, which MinHash binning needs. 32 bits suffice because shingles are
only compared within one pair of texts or against a small boilerplate set: two
different shingles of a pair of 200-shingle texts collide with probability
about 1e-5, which moves a Jaccard value by under 0.01.

Texts with fewer than ``k`` words still get one shingle, the whole text, so a
three-word instruction is compared as a unit rather than dropped; texts with
no words get none.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_BASE = 0x9E3779B1  # odd: invertible modulo 2**32
_BASE_INV = pow(_BASE, -1, 2**32)
# Bytes of text hashed per chunk: big enough that numpy's per-call overhead
# vanishes, small enough that the chunk's work arrays stay in the tens of MB.
CHUNK_BYTES = 4 << 20


class _Powers:
    """BASE**i and BASE**-i modulo 2**32 for i up to the largest chunk seen (grown, never shrunk)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pow = np.ones(1, np.uint32)
        self.inv = np.ones(1, np.uint32)

    def upto(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if len(self.pow) <= n:
                # Doubling, from what this call needs: a small file's powers take microseconds,
                # where a floor of 2 * CHUNK_BYTES cost 0.2 s of every small audit.
                size = max(n + 1, 2 * len(self.pow))
                self.pow = np.cumprod(np.full(size, _BASE, np.uint32), dtype=np.uint32) * np.uint32(_BASE_INV)
                self.inv = np.cumprod(np.full(size, _BASE_INV, np.uint32), dtype=np.uint32) * np.uint32(_BASE)
            return self.pow, self.inv


_POWERS = _Powers()


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, in place on a uint64 array: every input bit moves every output bit."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


@dataclass(frozen=True)
class Shingles:
    """Shingle hashes of a batch of texts: ``hashes[i]`` belongs to text ``owner[i]``."""

    owner: np.ndarray  # int32 or int64, non-decreasing
    hashes: np.ndarray  # uint64
    n_texts: int
    # With ``edges``: per text, the hashes of its first and last 1..k-1 words (the k-grams a text
    # padded with k-1 boundary marks would add), row of zeros for texts of fewer than k words.
    edges: np.ndarray | None = None


def encode(texts: Sequence[str]) -> list[bytes]:
    return [t.encode("utf-8", "surrogatepass") for t in texts]


def take(column: Sequence[str], rows: list[int]) -> list[str]:
    """``[column[i] for i in rows]``, in one batch when the column computes its texts on demand.

    A column with a ``take`` method (``auditor.features.texts.NormalisedTexts``: a
    field normalised a batch at a time, never held whole) is asked for the batch.
    """
    batch = getattr(column, "take", None)
    return batch(rows) if batch is not None else [column[i] for i in rows]


def sizes(column: Sequence[str], rows: list[int]) -> np.ndarray:
    """The length of each text of ``rows``, for sizing chunks only (an on-demand column gives its source's)."""
    given = getattr(column, "sizes", None)
    if given is not None:
        return np.asarray(given(rows), np.int64)
    return np.fromiter((len(column[i]) for i in rows), np.int64, len(rows))


_EDGE_MARKS = (0x243F6A8885A308D3, 0x13198A2E03707344)  # a text's start and end: never equal to a k-gram's hash


def shingle(encoded: Sequence[bytes], k: int, salt: int = 0, edges: bool = False) -> Shingles:
    """Hash the word k-grams of every text; ``salt`` keeps fields (input, output) apart.

    ``edges`` adds each text's boundary grams: its first and its last j words
    for j = 1..k-1, hashed apart from k-grams. They are not part of the text's
    set; they tell whether the words near a text's edges are shared with other
    texts, which the k-grams alone cannot (a word near the start is in fewer
    than k of them).
    """
    n = len(encoded)
    if n == 0:
        return _nothing(0, k, edges)
    lengths = np.fromiter(map(len, encoded), np.int64, n)
    # One whitespace byte between texts: a word never spans two texts.
    buf = np.frombuffer(b"\n".join(encoded), np.uint8)
    starts = np.zeros(n, np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    size = len(buf)
    if size == 0:
        return _nothing(n, k, edges)
    powers, inverses = _POWERS.upto(size)

    # Space and control bytes separate words (one compare, far cheaper than a lookup table).
    word = buf > 32
    # Word starts: a word byte after a space (or at 0); ends (exclusive): a word byte before a space.
    edge = np.empty(size + 1, np.bool_)
    edge[0] = word[0]
    np.not_equal(word[1:], word[:-1], out=edge[1:-1])
    edge[-1] = word[-1]
    marks = np.flatnonzero(edge)
    w_start, w_end = marks[0::2], marks[1::2]
    if len(w_start) == 0:
        return _nothing(n, k, edges)
    # Owner of each word: a running count of text starts, read at the word's first byte
    # (one pass over the bytes beats a binary search per word).
    # One slot past the end: an empty last text starts there.
    first_byte = np.zeros(size + 1, np.int32)
    first_byte[starts[1:]] = 1
    np.cumsum(first_byte, out=first_byte)
    w_owner = first_byte[w_start]  # int32: half the memory of the largest arrays kept
    words_per_text = np.bincount(w_owner, minlength=n)

    prefix = np.empty(size + 1, np.uint32)
    prefix[0] = 0
    body = prefix[1:]
    body[:] = buf  # widen first: a mixed-type multiply goes through numpy's slow casting loop
    np.multiply(body, powers[:size], out=body)
    np.cumsum(body, dtype=np.uint32, out=body)

    # Full k-grams: word i to word i+k-1 inside one text.
    if len(w_start) >= k:
        last = np.arange(k - 1, len(w_start))
        first = last - (k - 1)
        ok = w_owner[first] == w_owner[last]
        first, last = first[ok], last[ok]
    else:
        first = last = np.zeros(0, np.int64)
    # Short texts (1..k-1 words): one shingle spanning the whole text.
    short = np.flatnonzero((words_per_text > 0) & (words_per_text < k))
    if len(short):
        word_offsets = np.zeros(n + 1, np.int64)
        np.cumsum(words_per_text, out=word_offsets[1:])
        first = np.concatenate([first, word_offsets[short]])
        last = np.concatenate([last, word_offsets[short + 1] - 1])
        order = np.argsort(first, kind="stable")
        first, last = first[order], last[order]
    s, e = w_start[first], w_end[last]
    h = ((prefix[e] - prefix[s]) * inverses[s]).astype(np.uint64)
    if salt:
        h ^= np.uint64(salt & 0xFFFFFFFFFFFFFFFF)
    edge_hashes = _edges(prefix, inverses, w_start, w_end, words_per_text, k, salt) if edges else None
    return Shingles(w_owner[first], mix64(h), n, edge_hashes)


def _nothing(n: int, k: int, edges: bool) -> Shingles:
    """No shingle at all (texts without a word)."""
    return Shingles(np.zeros(0, np.int64), np.zeros(0, np.uint64), n, np.zeros((n, 2 * (k - 1)), np.uint64) if edges else None)


def _edges(
    prefix: np.ndarray, inverses: np.ndarray, w_start: np.ndarray, w_end: np.ndarray, words: np.ndarray, k: int, salt: int
) -> np.ndarray:
    n = len(words)
    out = np.zeros((n, 2 * (k - 1)), np.uint64)
    texts = np.flatnonzero(words >= k)
    if len(texts) == 0 or k < 2:
        return out
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(words, out=offsets[1:])
    j = np.arange(1, k)
    first = np.concatenate([np.repeat(offsets[texts], k - 1), (offsets[texts + 1][:, None] - j).ravel()])
    last = np.concatenate([(offsets[texts][:, None] + j - 1).ravel(), np.repeat(offsets[texts + 1] - 1, k - 1)])
    s, e = w_start[first], w_end[last]
    h = ((prefix[e] - prefix[s]) * inverses[s]).astype(np.uint64)
    half = len(texts) * (k - 1)
    h[:half] ^= np.uint64((salt ^ _EDGE_MARKS[0]) & 0xFFFFFFFFFFFFFFFF)
    h[half:] ^= np.uint64((salt ^ _EDGE_MARKS[1]) & 0xFFFFFFFFFFFFFFFF)
    mix64(h)
    out[texts, : k - 1] = h[:half].reshape(-1, k - 1)
    out[texts, k - 1 :] = h[half:].reshape(-1, k - 1)
    return out


def concat(parts: Sequence[Shingles]) -> Shingles:
    """Batches of texts one after the other: owners renumbered, edge grams kept when every batch has them."""
    if not parts:
        return Shingles(np.zeros(0, np.int64), np.zeros(0, np.uint64), 0)
    owners, offset = [], 0
    for part in parts:
        owners.append(part.owner + offset)  # a Python int keeps the owners' dtype (int32 from shingle)
        offset += part.n_texts
    edges = np.concatenate([p.edges for p in parts]) if all(p.edges is not None for p in parts) else None
    return Shingles(np.concatenate(owners), np.concatenate([p.hashes for p in parts]), offset, edges)


def chunks_by_bytes(lengths: np.ndarray, budget: int = CHUNK_BYTES) -> list[tuple[int, int]]:
    """Split consecutive texts into [lo, hi) runs of about ``budget`` bytes each."""
    n = len(lengths)
    if n == 0:
        return []
    ends = np.cumsum(lengths + 1)
    cuts = np.searchsorted(ends, np.arange(budget, int(ends[-1]) + budget, budget), side="right")
    bounds = sorted({0, n, *(int(c) for c in cuts if 0 < c < n)})
    # A text longer than the budget forms its own chunk; searchsorted already puts it alone or with neighbours.
    return list(zip(bounds[:-1], bounds[1:]))
