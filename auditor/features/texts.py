"""Text features: the normalised texts, their 128-bit hashes, and the groups equal hashes form.

Each feature is a function of the context, computed once per run through
``Context.cached``: e.g. ``ctx.cached(exact_groups)``. These are facts about
the records (which are equal after normalisation, which share an input);
what they mean for readiness is judged by the checks.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from auditor.core.context import Context
from auditor.runtime.gcpause import pausing
from auditor.similarity import Normalizer, Runs, ints, loose, pair_key, pair_keys


def normalizer(ctx: Context) -> Normalizer:
    return Normalizer.from_config(ctx.config.section("normalize"))


class NormalisedTexts(Sequence[str]):
    """A field's texts normalised on demand, a batch at a time, never all held at once.

    Holding every normalised input and output for the whole run cost as much
    memory as the texts themselves (1.1 GB at a million records, a third of
    the run's peak). Readers that need them all (the near-duplicate pass, the
    task-type rule's word counts) go a batch at a time (``take``, iteration),
    and the rest read a few records (``column[i]``); each batch is normalised
    by the same ``Normalizer.many``, so the texts are the ones a list held.
    """

    def __init__(self, norm: Normalizer, texts: Sequence[str]) -> None:
        self.norm = norm
        self.texts = texts

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return self.take(list(range(*i.indices(len(self)))))
        return self.norm(self.texts[i])

    def take(self, rows: list[int]) -> list[str]:
        """``[self[i] for i in rows]``, normalised in one batch."""
        texts = self.texts
        return self.norm.many([texts[i] for i in rows])

    def sizes(self, rows: list[int]) -> np.ndarray:
        """The source texts' lengths: what sizing a batch needs, without normalising."""
        texts = self.texts
        return np.fromiter((len(texts[i]) for i in rows), np.int64, len(rows))

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self.texts), _ITER_TEXTS):
            yield from self.norm.many(self.texts[start : start + _ITER_TEXTS])


# Texts normalised per step when a reader walks a whole column.
_ITER_TEXTS = 1 << 14


def norm_inputs(ctx: Context) -> Sequence[str]:
    """The normalised inputs the similarity engine compares: the requests, system prompts cut off
    (``Dataset.requests`` says why); the exact-duplicate hashes (``input_keys``) hash whole inputs."""
    return NormalisedTexts(ctx.cached(normalizer), ctx.dataset.requests)


def norm_outputs(ctx: Context) -> Sequence[str]:
    return NormalisedTexts(ctx.cached(normalizer), ctx.dataset.outputs)


def raw_output_words(ctx: Context) -> np.ndarray:
    """Per record, the whitespace-separated words of its output as written (the coverage check's
    lengths; the task-type rule's counts of the normalised outputs start from them)."""
    return np.fromiter((len(t.split()) for t in ctx.dataset.outputs), np.int64, len(ctx.dataset))


def _keys(ctx: Context, column: str) -> np.ndarray:
    # Hashed straight from the raw texts (the count needs no normalised
    # copies), or taken from the loader when it already did it.
    norm = ctx.cached(normalizer)
    texts: list[str] = getattr(ctx.dataset, column)
    ready = ctx.dataset.hashes.get((column, norm))
    return ready if ready is not None and len(ready) == len(texts) else norm.hashes(texts)


def input_keys(ctx: Context) -> np.ndarray:
    """Per record, the 128-bit hash of its normalised input as a (2,) uint64 row."""
    return _keys(ctx, "inputs")


def output_keys(ctx: Context) -> np.ndarray:
    return _keys(ctx, "outputs")


def input_runs(ctx: Context) -> Runs:
    return Runs.of(ctx.cached(input_keys))


def output_runs(ctx: Context) -> Runs:
    return Runs.of(ctx.cached(output_keys))


def pair_runs(ctx: Context) -> Runs:
    return Runs.of(pair_keys(ctx.cached(input_keys), ctx.cached(output_keys)))


# The same hashes as Python ints, for the checks that look records up in dicts.


def input_hashes(ctx: Context) -> list[int]:
    return ints(ctx.cached(input_keys))


def output_hashes(ctx: Context) -> list[int]:
    return ints(ctx.cached(output_keys))


def pair_hashes(ctx: Context) -> list[int]:
    """One key per input-output pair: both 128-bit hashes side by side in one int."""
    return [pair_key(i, o) for i, o in zip(ctx.cached(input_hashes), ctx.cached(output_hashes))]


@dataclass(frozen=True)
class ExactGroups:
    """Records whose normalised input-output pairs are identical."""

    groups: list[list[int]]  # record indices, first member is the one kept

    @property
    def extra_records(self) -> int:
        return sum(len(g) - 1 for g in self.groups)


def exact_groups(ctx: Context) -> ExactGroups:
    return ExactGroups(ctx.cached(pair_runs).groups())


@dataclass(frozen=True)
class InputGroups:
    """Records sharing a normalised input, split by whether their outputs agree.

    ``conflicts`` hold groups whose outputs differ beyond whitespace, case and
    trailing punctuation; ``redundant`` hold groups whose outputs all agree.
    """

    conflicts: list[list[int]]
    redundant: list[list[int]]

    @property
    def conflicting_records(self) -> int:
        return sum(len(g) for g in self.conflicts)


@pausing  # a dict and a list per repeated input: see auditor.runtime.gcpause
def input_groups(ctx: Context) -> InputGroups:
    groups = ctx.cached(input_runs).groups()
    # Outputs with one hash are equal after normalisation; only groups with
    # several are compared loosely (trailing punctuation aside), one output per
    # hash, all normalised in one batch: a few percent of the outputs, where
    # normalising every output would cost seconds at a million records.
    flat = np.fromiter(itertools.chain.from_iterable(groups), np.int64)
    hi, lo = (ctx.cached(output_keys)[flat].T.tolist() if len(flat) else ([], []))
    distinct: list[list[int]] = []  # per group, one member per distinct output hash
    at = 0
    for g in groups:
        seen: dict[tuple[int, int], int] = {}
        for k, i in enumerate(g, at):
            seen.setdefault((hi[k], lo[k]), i)
        distinct.append(list(seen.values()))
        at += len(g)
    varied = [i for d in distinct if len(d) > 1 for i in d]
    outs = ctx.dataset.outputs
    loosened = dict(zip(varied, map(loose, ctx.cached(normalizer).many([outs[i] for i in varied]))))
    conflicts: list[list[int]] = []
    redundant: list[list[int]] = []
    for g, d in zip(groups, distinct):
        differ = len(d) > 1 and len({loosened[i] for i in d}) > 1
        (conflicts if differ else redundant).append(g)
    return InputGroups(conflicts=conflicts, redundant=redundant)
