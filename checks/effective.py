"""Effective examples: the one definition the readiness count uses.

Valid records, keeping one per exact-duplicate group and one per
near-duplicate cluster, and leaving out every record whose input has
contradicting outputs until the team resolves them (repeated inputs of an
open task, where several outputs are valid, stay in). The count and the
duplicates check both read this, so the count never uses two definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.core.context import Context
from auditor.features import NEAR_DUPLICATES, exact_groups, near_clusters
from checks.tasks import TASK_GROUP_FEATURES, conflict_split

#: The shared features the rule reads, for a partitioned run (``auditor.core.partitioned``).
FEATURES = (*TASK_GROUP_FEATURES, NEAR_DUPLICATES)


@dataclass(frozen=True)
class Effective:
    keep: np.ndarray  # per valid record, bool (a byte a record, not a list's 8-byte pointer)
    removed_exact: int  # records beyond the first of each exact-duplicate group
    removed_near: int  # records beyond the first of each near-duplicate cluster (exact copies not counted again)
    removed_conflicting: int  # records in groups with contradicting outputs

    @property
    def count(self) -> int:
        return int(np.count_nonzero(self.keep))


def effective(ctx: Context) -> Effective:
    n = len(ctx.dataset)
    keep = np.ones(n, np.bool_)
    removed_exact = 0
    for group in ctx.cached(exact_groups).groups:
        for i in group[1:]:
            if keep[i]:
                keep[i] = False
                removed_exact += 1
    removed_conflicting = 0
    for group in ctx.cached(conflict_split).contradictions:
        for i in group:
            if keep[i]:
                keep[i] = False
                removed_conflicting += 1
    removed_near = 0
    for group in ctx.cached(near_clusters).groups:
        # The first record still kept stands for the cluster; exact copies are already out.
        kept = [i for i in group if keep[i]]
        for i in kept[1:]:
            keep[i] = False
            removed_near += 1
    return Effective(keep=keep, removed_exact=removed_exact, removed_near=removed_near, removed_conflicting=removed_conflicting)
