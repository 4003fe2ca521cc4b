"""Effective examples: the one definition the readiness count uses.

Valid records, keeping one per exact-duplicate group (identical after
normalisation, or the same input with outputs equal up to trailing
punctuation), and leaving out every
record whose input has contradicting outputs until the team resolves them.
The duplicates check refines the same definition with near-duplicate clusters
by registering them here, so the count never uses two definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.context import Context
from auditor.features import exact_groups, input_groups, task_type


@dataclass(frozen=True)
class Effective:
    keep: list[bool]  # per valid record
    removed_exact: int  # records beyond the first of each exact-duplicate group
    removed_near: int  # records beyond the first of each near-duplicate cluster
    removed_conflicting: int  # records in groups with contradicting outputs

    @property
    def count(self) -> int:
        return sum(self.keep)


def effective(ctx: Context) -> Effective:
    n = len(ctx.dataset)
    keep = [True] * n
    removed_exact = 0
    groups = ctx.cached(input_groups)
    # Same input with outputs equal up to trailing punctuation teach the same
    # thing as exact duplicates: one of each is kept.
    for group in (*ctx.cached(exact_groups).groups, *groups.redundant):
        for i in group[1:]:
            if keep[i]:
                keep[i] = False
                removed_exact += 1
    removed_conflicting = 0
    if ctx.cached(task_type) != "open":
        for group in groups.conflicts:
            for i in group:
                if keep[i]:
                    keep[i] = False
                    removed_conflicting += 1
    return Effective(keep=keep, removed_exact=removed_exact, removed_near=0, removed_conflicting=removed_conflicting)
