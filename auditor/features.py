"""Shared features: computed once per run through ``Context.cached``.

Each feature is a function of the context. Checks ask for them by function,
e.g. ``ctx.cached(exact_groups)``; nothing here judges or reports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import xxhash

from auditor.context import Context
from auditor.forkmap import fork_map
from auditor.load.parallel import worker_count
from auditor.text import Normalizer, loose


def normalizer(ctx: Context) -> Normalizer:
    return Normalizer.from_config(ctx.config.section("normalize"))


def norm_inputs(ctx: Context) -> list[str]:
    """Normalised input texts (kept in memory: only for checks that need the text itself)."""
    return ctx.cached(normalizer).many(ctx.dataset.inputs)


def norm_outputs(ctx: Context) -> list[str]:
    return ctx.cached(normalizer).many(ctx.dataset.outputs)


def _hashes_of(ctx: Context, texts: list[str]) -> list[int]:
    # Hash straight from the raw text, one record at a time, so that a million
    # normalised copies never sit in memory just to be hashed.
    key = ctx.cached(normalizer).key
    h = xxhash.xxh3_128_intdigest

    def work(start: int, stop: int) -> list[int]:
        return [h(key(t)) for t in texts[start:stop]]

    return fork_map(work, len(texts), worker_count(int(ctx.config["jobs"])))


def input_hashes(ctx: Context) -> list[int]:
    return _hashes_of(ctx, ctx.dataset.inputs)


def output_hashes(ctx: Context) -> list[int]:
    return _hashes_of(ctx, ctx.dataset.outputs)


def pair_hashes(ctx: Context) -> list[int]:
    """One key per input-output pair: both 128-bit hashes side by side in one int."""
    return [(i << 128) | o for i, o in zip(ctx.cached(input_hashes), ctx.cached(output_hashes))]


def _groups_of(keys: list[int]) -> list[list[int]]:
    """Indices sharing a key, groups of two or more, ordered by first member."""
    # Counting runs in C; only keys seen twice or more get a Python-level list.
    repeated = {k for k, n in Counter(keys).items() if n > 1}
    if not repeated:
        return []
    buckets: dict[int, list[int]] = defaultdict(list)
    for index, key in enumerate(keys):
        if key in repeated:
            buckets[key].append(index)
    return list(buckets.values())  # dicts keep insertion order: first members ascend


@dataclass(frozen=True)
class ExactGroups:
    """Records whose normalised input-output pairs are identical."""

    groups: list[list[int]]  # record indices, first member is the one kept

    @property
    def extra_records(self) -> int:
        return sum(len(g) - 1 for g in self.groups)


def exact_groups(ctx: Context) -> ExactGroups:
    return ExactGroups(_groups_of(ctx.cached(pair_hashes)))


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


def input_groups(ctx: Context) -> InputGroups:
    outputs = ctx.dataset.outputs
    norm = ctx.cached(normalizer)
    conflicts: list[list[int]] = []
    redundant: list[list[int]] = []
    for members in _groups_of(ctx.cached(input_hashes)):
        distinct = {loose(norm(outputs[i])) for i in members}
        (conflicts if len(distinct) > 1 else redundant).append(members)
    return InputGroups(conflicts=conflicts, redundant=redundant)


def task_type(ctx: Context) -> str:
    """The configured task type, or a guess from the outputs when 'auto'.

    Classification: outputs are short labels drawn from a small set (at most
    50 distinct values covering at least 90% of records, median length at
    most three words). Anything else is treated as generation; 'open' (several
    valid outputs per input) is never guessed, since a wrong guess would hide
    real contradictions.
    """
    configured = str(ctx.config["task"])
    if configured != "auto":
        return configured
    outs = ctx.dataset.outputs
    if not outs:
        return "generation"
    counts: dict[int, int] = defaultdict(int)
    for key in ctx.cached(output_hashes):
        counts[key] += 1
    top = sorted(counts.values(), reverse=True)[:50]
    # A strided sample of 5,000 is enough to tell labels from prose.
    step = max(1, len(outs) // 5000)
    words = sorted(len(o.split()) for o in outs[::step])
    if sum(top) >= 0.9 * len(outs) and words[len(words) // 2] <= 3 and len(counts) <= max(50, len(outs) // 20):
        return "classification"
    return "generation"
