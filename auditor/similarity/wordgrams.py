"""Word, punctuation and line tokens of many texts, hashed in numpy, and k-grams of them.

The shingles of ``shingles`` split on whitespace only, so ``Question:`` and
``"What`` are single words: right for comparing whole texts, wrong for
finding the fixed wording of a prompt template, whose field labels and
quotes sit against the slot text (``Question: "{q}"``). Here a token is a run
of word bytes (anything but ASCII whitespace, control characters and ASCII
punctuation; every non-ASCII byte counts as a word byte), a single ASCII
punctuation mark, or a line break; other whitespace only separates. Texts
are lower-cased first. Every text also gets a start and an end token, so a
k-gram can say "at the very start" or "at the very end".

As in ``shingles``, no Python code runs per token: a chunk of texts is one
byte buffer, token hashes come from a polynomial prefix hash over it, and a
k-gram's hash combines its tokens' hashes with a few vector operations.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from auditor.similarity.shingles import _POWERS, chunks_by_bytes, mix64

WORD, PUNCT, LINE, START, END = 0, 1, 2, 3, 4

_PUNCT_BYTES = np.zeros(256, np.bool_)
_PUNCT_BYTES[list(b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")] = True
_START = np.uint64(0x6A09E667F3BCC909)  # two fixed 64-bit words no token hash is likely to equal
_END = np.uint64(0xBB67AE8584CAA73B)
_COMBINE = np.uint64(0x9E3779B97F4A7C15)  # odd: k-gram hashing is a bijection in each token

#: The same tokens as ``tokenize``, on a str (for the few texts shown to people).
TOKEN_RE = re.compile(r"[^\x00-\x20!-/:-@\[-`{-~]+|[!-/:-@\[-`{-~]|\n")


@dataclass(frozen=True)
class Tokens:
    """Tokens of a batch of texts: ``hashes[i]`` of kind ``kinds[i]`` belongs to text ``owner[i]``."""

    owner: np.ndarray  # int64, non-decreasing
    hashes: np.ndarray  # uint64
    kinds: np.ndarray  # uint8: WORD, PUNCT, LINE, START, END
    n_texts: int


@dataclass(frozen=True)
class Kgrams:
    """The k-grams of ``Tokens``: ``keys[i]`` starts at token ``first[i]`` of text ``owner[i]``."""

    first: np.ndarray  # int64 token index
    owner: np.ndarray  # int64
    keys: np.ndarray  # uint64
    k: int


def tokenize(texts: Sequence[str]) -> Tokens:
    """The tokens of every text, a start and an end token around each."""
    encoded = [t.lower().encode("utf-8", "surrogatepass") for t in texts]
    lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
    parts = [_chunk(encoded[lo:hi], lo) for lo, hi in chunks_by_bytes(lengths)]
    if not parts:
        return Tokens(np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0, np.uint8), 0)
    return Tokens(
        np.concatenate([p.owner for p in parts]),
        np.concatenate([p.hashes for p in parts]),
        np.concatenate([p.kinds for p in parts]),
        len(texts),
    )


def _chunk(encoded: Sequence[bytes], offset: int) -> Tokens:
    n = len(encoded)
    buf = np.frombuffer(b"\0".join(encoded), np.uint8)  # \0 separates texts like any whitespace
    size = len(buf)
    lengths = np.fromiter(map(len, encoded), np.int64, n)
    starts = np.zeros(n, np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    if size:
        line = buf == 10
        punct = _PUNCT_BYTES[buf]
        word = (buf > 32) & ~punct
        single = punct | line  # one byte, one token
        begin = single.copy()
        begin[0] |= word[0]
        begin[1:] |= word[1:] & ~word[:-1]
        end = single.copy()
        end[-1] |= word[-1]
        end[:-1] |= word[:-1] & ~word[1:]
        s = np.flatnonzero(begin)
        e = np.flatnonzero(end) + 1
        powers, inverses = _POWERS.upto(size)
        prefix = np.empty(size + 1, np.uint32)
        prefix[0] = 0
        body = prefix[1:]
        body[:] = buf
        np.multiply(body, powers[:size], out=body)
        np.cumsum(body, dtype=np.uint32, out=body)
        hashes = mix64(((prefix[e] - prefix[s]) * inverses[s]).astype(np.uint64))
        kinds = np.zeros(len(s), np.uint8)
        kinds[punct[s]] = PUNCT
        kinds[line[s]] = LINE
        text_start = np.zeros(size + 1, np.int32)
        text_start[starts[1:]] = 1
        np.cumsum(text_start, out=text_start)
        owner = text_start[s].astype(np.int64)
    else:
        hashes, kinds, owner = np.zeros(0, np.uint64), np.zeros(0, np.uint8), np.zeros(0, np.int64)
    # Room for a start and an end token around each text: token j of text i moves 2i + 1 places on.
    counts = np.bincount(owner, minlength=n)
    ends = np.cumsum(counts) + 2 * np.arange(1, n + 1) - 1  # each text's end token
    begins = ends - counts - 1
    total = len(hashes) + 2 * n
    out_h = np.empty(total, np.uint64)
    out_k = np.empty(total, np.uint8)
    out_o = np.empty(total, np.int64)
    at = np.arange(len(hashes)) + 2 * owner + 1
    out_h[at], out_k[at], out_o[at] = hashes, kinds, owner
    out_h[begins], out_k[begins], out_o[begins] = _START, START, np.arange(n)
    out_h[ends], out_k[ends], out_o[ends] = _END, END, np.arange(n)
    return Tokens(out_o + offset, out_h, out_k, n)


def kgrams(tokens: Tokens, k: int) -> Kgrams:
    """Every run of ``k`` consecutive tokens inside one text (start and end tokens included)."""
    m = len(tokens.hashes)
    if m < k:
        empty = np.zeros(0, np.int64)
        return Kgrams(empty, empty, np.zeros(0, np.uint64), k)
    first = np.flatnonzero(tokens.owner[: m - k + 1] == tokens.owner[k - 1 :])
    keys = tokens.hashes[first].copy()
    for j in range(1, k):
        keys *= _COMBINE  # wraps modulo 2**64, as intended
        keys += tokens.hashes[first + j]
    return Kgrams(first, tokens.owner[first], mix64(keys), k)


def holds(tokens: Tokens, grams: Kgrams, kind: int) -> np.ndarray:
    """Per k-gram: whether one of its tokens is of ``kind``."""
    flag = tokens.kinds == kind
    out = flag[grams.first].copy()
    for j in range(1, grams.k):
        out |= flag[grams.first + j]
    return out
