"""Text features: the normalised texts, their 128-bit hashes, and the groups equal hashes form.

Each feature is a function of the context, computed once per run through
``Context.cached``: e.g. ``ctx.cached(exact_groups)``. These are facts about
the records (which are equal after normalisation, which share an input);
what they mean for readiness is judged by the checks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from auditor.core.context import Context
from auditor.runtime.gcpause import pausing
from auditor.similarity import Normalizer, Runs, ints, loose, pair_key, pair_keys


def normalizer(ctx: Context) -> Normalizer:
    return Normalizer.from_config(ctx.config.section("normalize"))


def norm_inputs(ctx: Context) -> list[str]:
    return ctx.cached(normalizer).many(ctx.dataset.inputs)


def norm_outputs(ctx: Context) -> list[str]:
    return ctx.cached(normalizer).many(ctx.dataset.outputs)


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
    if ctx.is_cached(norm_outputs):
        outs = ctx.cached(norm_outputs)
        loosened = {i: loose(outs[i]) for i in varied}
    else:
        outs = ctx.dataset.outputs
        loosened = dict(zip(varied, map(loose, ctx.cached(normalizer).many([outs[i] for i in varied]))))
    conflicts: list[list[int]] = []
    redundant: list[list[int]] = []
    for g, d in zip(groups, distinct):
        differ = len(d) > 1 and len({loosened[i] for i in d}) > 1
        (conflicts if differ else redundant).append(g)
    return InputGroups(conflicts=conflicts, redundant=redundant)
