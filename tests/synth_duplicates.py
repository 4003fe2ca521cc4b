"""Seeded synthetic records with planted exact and near-duplicates, for the duplicates tests and benchmark.

Text is built from a Zipf-distributed vocabulary of fixed-width pseudo-words,
so a million records (about 1 GB) are generated with numpy in seconds rather
than by joining words in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_LETTERS = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", np.uint8)


@dataclass(frozen=True)
class Synthetic:
    inputs: list[str]
    outputs: list[str]
    near_of: dict[int, int]  # planted near-copy -> its original
    exact_of: dict[int, int]  # planted exact copy -> its original


def _vocab(rng: np.random.Generator, size: int, width: int) -> np.ndarray:
    words = _LETTERS[rng.integers(0, 26, (size, width + 1))]
    words[:, width] = ord(" ")
    return words


def _texts(rng: np.random.Generator, vocab: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    ranks = np.minimum(rng.zipf(1.15, int(lengths.sum())) - 1, len(vocab) - 1)
    flat = rng.permutation(len(vocab))[ranks]
    return np.split(flat, np.cumsum(lengths)[:-1])


def _render(vocab: np.ndarray, word_ids: list[np.ndarray]) -> list[str]:
    width = vocab.shape[1]
    flat = np.concatenate(word_ids)
    blob = vocab[flat].tobytes().decode("ascii")
    ends = np.cumsum([len(w) * width for w in word_ids])
    starts = np.concatenate([[0], ends[:-1]])
    return [blob[s : e - 1] for s, e in zip(starts.tolist(), ends.tolist())]


def generate(
    n: int,
    seed: int = 0,
    near_share: float = 0.1,
    exact_share: float = 0.02,
    input_words: tuple[int, int] = (30, 90),
    output_words: tuple[int, int] = (40, 160),
    changes: int = 3,
) -> Synthetic:
    """``n`` records; ``near_share`` of them near-copies (up to ``changes`` words replaced), ``exact_share`` exact copies."""
    rng = np.random.default_rng(seed)
    vocab = _vocab(rng, 50_000, 5)
    ins = _texts(rng, vocab, rng.integers(*input_words, n))
    outs = _texts(rng, vocab, rng.integers(*output_words, n))
    kinds = rng.random(n)
    near_of: dict[int, int] = {}
    exact_of: dict[int, int] = {}
    for i in np.flatnonzero(kinds < near_share + exact_share).tolist():
        if i == 0:
            continue
        j = int(rng.integers(0, i))
        if kinds[i] < exact_share:
            ins[i], outs[i] = ins[j], outs[j]
            exact_of[i] = j
        else:
            # Change words anywhere in the pair, so the input changes too (else it would be a contradiction).
            both = np.concatenate([ins[j], outs[j]])
            where = rng.integers(0, len(both), int(rng.integers(1, changes + 1)))
            where[0] = rng.integers(0, len(ins[j]))
            both[where] = rng.integers(0, len(vocab), len(where))
            ins[i], outs[i] = both[: len(ins[j])], both[len(ins[j]) :]
            near_of[i] = j
    return Synthetic(_render(vocab, ins), _render(vocab, outs), near_of, exact_of)


def near_copy_families(size: int, families: int = 1, seed: int = 0, words: int = 100, output_words: int = 3) -> Synthetic:
    """``families`` families of ``size`` records: a ``words``-word text copied with one word replaced per
    copy (at a random position), every copy with its family's one output.

    The slot-filled template of issue 17: a family of any size is one example,
    though its shared text is common enough to count as boilerplate.
    """
    rng = np.random.default_rng(seed)
    vocab = _vocab(rng, 50_000, 5)
    base = rng.integers(0, len(vocab), (families, words))
    texts = np.repeat(base, size, axis=0)
    where = rng.integers(0, words, len(texts))
    rows = np.arange(len(texts))
    # A replacement differs from the word it replaces: every copy is a distinct text.
    texts[rows, where] = (texts[rows, where] + rng.integers(1, len(vocab), len(texts))) % len(vocab)
    outs = np.repeat(rng.integers(0, len(vocab), (families, output_words)), size, axis=0)
    first = {i: i - i % size for i in range(len(texts)) if i % size}
    return Synthetic(_render(vocab, list(texts)), _render(vocab, list(outs)), first, {})
