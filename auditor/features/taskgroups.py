"""Which task each record belongs to: a field that names it, else the prompt template its input was made from.

A fact per record, no judgement: ``group_field`` is the category, else a
template, source or task field (``TASK_GROUP_FIELDS``); without one,
``template_nodes`` finds the fixed instruction wording that prompted and
multi-task sets share (``auditor.features.templates``) and places each
record at the deepest template node whose wording its input holds (-1: none).
What a group's outputs mean (labels, short answers, several valid outputs)
is judged in ``checks.tasks``.

The inference reads a seeded sample of distinct inputs (``tasks.sample``),
so its cost is bounded whatever the set's size, then assigns every distinct
input in one tokenising pass (skipped when the sample shows no shared
wording, as for a free-form set). ``TEMPLATE_NODES`` computes the same
per-record nodes in a partitioned run: the driver reads the same sample
back by offset (the distinct inputs come from the merged hashes, so the
sample and the tree are identical), and every partition assigns its own
records in a worker; assignment depends on a record's input alone, so the
nodes equal the in-memory ones record for record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from auditor.core.columns import Coded, narrow
from auditor.core.context import Context
from auditor.core.partitioned import Partitions
from auditor.features.partitioned import HASHES
from auditor.features.templates import EMPTY, TemplateTree, assign, infer
from auditor.features.texts import input_runs

#: Raw fields that name where a record came from, tried in order when there is no category.
TASK_GROUP_FIELDS = ("template", "source", "task")


@dataclass(frozen=True)
class GroupField:
    """The field whose values are the records' task groups (``category`` or a raw field's name)."""

    name: str
    values: Sequence[str | None]  # a list, or a partitioned run's ``Coded`` column


def group_field(ctx: Context) -> GroupField | None:
    """The category, else a template, source or task field; None when the records carry none.

    Prompted datasets (T0, FLAN) carry the template that generated each record
    rather than a category; a template is exactly the unit that admits one or
    several valid outputs.
    """
    data = ctx.dataset
    if data.categories is not None:
        return GroupField("category", data.categories if isinstance(data.categories, Coded) else list(data.categories))
    for name in TASK_GROUP_FIELDS:
        column = data.extra.get(name)
        if isinstance(column, Coded):
            return GroupField(name, column.relabel(_text))
        if column is not None:
            return GroupField(name, [_text(v) for v in column])
    return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class TemplateNodes:
    """Each record's template node (-1: its input holds no shared wording), and the tree."""

    tree: TemplateTree
    node: np.ndarray  # per record, in the narrowest integer width that holds the tree's nodes
    distinct_inputs: int
    sampled: int

    @property
    def found(self) -> bool:
        return len(self.tree) > 0


def template_sample(ctx: Context) -> tuple[np.ndarray, np.ndarray, int]:
    """The distinct inputs' first records, the seeded sample of them the tree is built on, and its support.

    The minimum support (``tasks.min_records`` distinct inputs in the whole
    set) is scaled to the sample, as a share of the distinct inputs.
    """
    firsts, _ = ctx.cached(input_runs).representatives()
    size = int(ctx.config["tasks.sample"])
    if len(firsts) > size:
        pick = np.sort(np.random.default_rng(ctx.seed).choice(len(firsts), size, replace=False))
        sample = firsts[pick]
    else:
        sample = firsts
    support = round(int(ctx.config["tasks.min_records"]) * len(sample) / max(len(firsts), 1))
    return firsts, sample, support


def _tree(ctx: Context) -> tuple[TemplateTree, int, int]:
    if not ctx.config["tasks.infer"] or group_field(ctx) is not None or not len(ctx.dataset):
        return EMPTY, 0, 0
    firsts, sample, support = template_sample(ctx)
    inputs = ctx.dataset.inputs
    tree, _ = infer([inputs[int(i)] for i in sample], support)
    return tree, len(firsts), len(sample)


def template_nodes(ctx: Context) -> TemplateNodes:
    n = len(ctx.dataset)
    tree, distinct, sampled = _tree(ctx)
    if not len(tree):
        return TemplateNodes(tree, np.full(n, -1, np.int8), distinct, sampled)
    firsts, rep = ctx.cached(input_runs).representatives()
    inputs = ctx.dataset.inputs
    nodes = assign(tree, [inputs[int(i)] for i in firsts])  # repeated inputs are assigned once
    per_record = np.full(n, -1, np.int64)
    per_record[firsts] = nodes
    return TemplateNodes(tree, narrow(per_record[rep], len(tree)), distinct, sampled)


class TemplateNodesFeature:
    """``template_nodes`` in a partitioned run (``auditor.core.partitioned.PartitionedFeature``).

    The tree needs the distinct inputs, known only once every partition's
    hashes are merged: the driver reads the seeded sample back by offset and
    builds the tree; a second pass assigns each partition's records.
    """

    requires = (HASHES,)

    def measure(self, part: Context) -> None:
        return None  # the tree needs every partition's hashes first: see merge

    def merge(self, ctx: Context, parts: Sequence[None], partitions: Partitions) -> None:
        with ctx.progress.stage("task groups"):
            tree, distinct, sampled = _tree(ctx)
            if not len(tree):
                ctx.provide(template_nodes, TemplateNodes(tree, np.full(len(ctx.dataset), -1, np.int8), distinct, sampled))
                return
            count = len(partitions.starts) - 1
            found = partitions.map(assign_partition, [None] * count, tree, f"assigning task groups in {count} partitions")
            # Each partition's nodes narrowed as they arrive: 1 or 2 bytes a record, not 8.
            node = np.concatenate([narrow(f, len(tree)) for f in found]) if count else np.zeros(0, np.int8)
            ctx.provide(template_nodes, TemplateNodes(tree, node, distinct, sampled))


def assign_partition(part: Context, _: None, tree: TemplateTree) -> np.ndarray:
    return assign(tree, list(part.dataset.inputs))


TEMPLATE_NODES = TemplateNodesFeature()
