"""What kind of task the data is, and which repeated inputs with different outputs contradict.

Shared judgement of the duplicates, count (through ``checks.effective``),
quality and coverage checks: the task type decides whether short outputs and
length rules apply and whether several outputs per input are valid by
design. The thresholds are the checks' config (``task``,
``duplicates.open_*``); the facts they judge (hashes, repeated-input groups)
are engine features in ``auditor.features``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from auditor.core.context import Context
from auditor.core.partitioned import Partitions
from auditor.features import HASHES, input_groups, norm_outputs, normalizer, output_runs
from auditor.similarity import Normalizer


def task_type(ctx: Context) -> str:
    """The configured task type, or a guess from the outputs when 'auto'.

    Classification: outputs are short labels drawn from a small set (at most
    50 distinct values covering at least 90% of records, median length at
    most three words). Anything else is treated as generation; 'open' (several
    valid outputs per input) is never guessed for the whole dataset, since a
    wrong guess would hide real contradictions; ``conflict_split`` may find it
    per category (template), where the evidence is much stronger.
    """
    configured = str(ctx.config["task"])
    if configured != "auto":
        return configured
    return guess_task(ctx.cached(output_runs).sizes, lambda: _median_words(ctx))


def _median_words(ctx: Context) -> int:
    return _median(words_of(ctx.cached(normalizer), ctx.cached(norm_outputs)))


def words_of(norm: Normalizer, texts: Sequence[str]) -> np.ndarray:
    """Word counts of normalised texts, as the task-type rule counts them."""
    if norm.whitespace:  # single spaces only: counting them is splitting, without the lists
        return np.fromiter((t.count(" ") + 1 if t else 0 for t in texts), np.int64, len(texts))
    return np.fromiter((len(t.split()) for t in texts), np.int64, len(texts))


def _median(words: np.ndarray) -> int:
    """The upper median, a word count of the data itself."""
    n = len(words)
    return int(np.partition(words, n // 2)[n // 2])


def guess_task(sizes: np.ndarray, median_words: Callable[[], int]) -> str:
    """The task-type rule of ``task_type`` on the records per distinct normalised output.

    ``median_words`` is asked only when the counts allow classification.
    """
    records, distinct_outputs = int(sizes.sum()), len(sizes)
    if records == 0:
        return "generation"
    top50_records = int(np.sort(sizes)[::-1][:50].sum())
    if top50_records < 0.9 * records or distinct_outputs > max(50, records // 20):
        return "generation"  # decided without looking at a single word
    if median_words() <= 3:
        return "classification"
    return "generation"


# --- repeated inputs: contradictions, or several valid outputs by design -------


@dataclass(frozen=True)
class ConflictSplit:
    """Input groups with different outputs, split into contradictions and open-task groups.

    ``open_categories`` are categories detected as open (several valid outputs
    per input by design); ``open_reason`` says why groups count as open.
    """

    contradictions: list[list[int]]
    open_groups: list[list[int]]
    open_categories: tuple[str, ...] = ()
    open_reason: str = ""

    @property
    def contradicting_records(self) -> int:
        return sum(len(g) for g in self.contradictions)


#: Raw fields that name where a record came from, tried when there is no category.
TASK_GROUP_FIELDS = ("template", "source", "task")


def task_groups(ctx: Context) -> list[str | None] | None:
    """Per record, the group whose task type is judged: the category, else a template or source field.

    Prompted datasets (T0, FLAN) carry the template that generated each record
    rather than a category; a template is exactly the unit that admits one or
    several valid outputs.
    """
    data = ctx.dataset
    if data.categories is not None:
        return data.categories
    for name in TASK_GROUP_FIELDS:
        column = data.extra.get(name)
        if column is not None:
            return [None if v is None else str(v) for v in column]
    return None


def conflict_split(ctx: Context) -> ConflictSplit:
    """Which repeated inputs with different outputs are contradictions.

    Task 'open' (configured): none are. Task 'auto' guessed as generation, with
    a category (template, source) column: a category is open when at least
    ``duplicates.open_min_groups`` of its repeated inputs, and at least
    ``duplicates.open_share`` of them, have several outputs; label noise hits
    a minority of repeats, a generate-a-review template hits them all.
    Otherwise (no categories, or a task set explicitly) every such group is a
    contradiction, since a wrong guess would hide real ones.
    """
    groups = ctx.cached(input_groups)
    kind = ctx.cached(task_type)
    if kind == "open":
        return ConflictSplit([], list(groups.conflicts), (), "task = 'open'")
    cats = task_groups(ctx)
    if str(ctx.config["task"]) != "auto" or kind != "generation" or cats is None or not groups.conflicts:
        return ConflictSplit(list(groups.conflicts), [])
    repeated: dict[str | None, int] = defaultdict(int)
    conflicting: dict[str | None, int] = defaultdict(int)
    for g in groups.redundant:
        repeated[cats[g[0]]] += 1
    for g in groups.conflicts:
        repeated[cats[g[0]]] += 1
        conflicting[cats[g[0]]] += 1
    min_groups = int(ctx.config["duplicates.open_min_groups"])
    share = float(ctx.config["duplicates.open_share"])
    open_cats = {
        c for c, k in conflicting.items() if c is not None and k >= min_groups and k >= share * repeated[c]
    }
    contradictions = [g for g in groups.conflicts if cats[g[0]] not in open_cats]
    opened = [g for g in groups.conflicts if cats[g[0]] in open_cats]
    reason = (
        f"in {len(open_cats)} categor{'y' if len(open_cats) == 1 else 'ies'} at least {share:.0%} of repeated "
        f"inputs (and at least {min_groups}) have several outputs, so several outputs are valid there by design"
        if open_cats
        else ""
    )
    return ConflictSplit(contradictions, opened, tuple(sorted(open_cats)), reason)


class TaskWords:
    """``task_type`` in a partitioned run (``auditor.core.partitioned.PartitionedFeature``).

    The rule needs the records per distinct output (from the hashes) and the
    median word count of the normalised outputs, which each partition counts
    while its outputs are in memory.
    """

    requires = (HASHES,)

    def measure(self, part: Context) -> np.ndarray:
        return words_of(part.cached(normalizer), part.cached(norm_outputs))

    def merge(self, ctx: Context, parts: Sequence[np.ndarray], partitions: Partitions) -> None:
        words = np.concatenate(list(parts)) if parts else np.zeros(0, np.int64)
        configured = str(ctx.config["task"])
        kind = configured if configured != "auto" else guess_task(ctx.cached(output_runs).sizes, lambda: _median(words))
        ctx.provide(task_type, kind)


TASK_WORDS = TaskWords()
