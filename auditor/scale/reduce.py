"""The reduce on the driver: per-record hashes into the groups the in-memory features hold.

The groups themselves are ``auditor.similarity.keys.Runs``, as in memory; what differs
here is that the texts are not in memory: contradictions are told apart by
hashes of the loosened outputs, and the task type by word counts measured
beside the hashes.
"""

from __future__ import annotations

import numpy as np

from auditor.features import InputGroups
from checks.tasks import guess_task
from auditor.similarity import Runs


def input_groups_of(runs: Runs, loose_hash: np.ndarray) -> InputGroups:
    """Repeated inputs split by whether their loosened outputs differ (``features.input_groups``)."""
    conflicts: list[list[int]] = []
    redundant: list[list[int]] = []
    for members in runs.groups():
        distinct = {(int(a), int(b)) for a, b in loose_hash[members]}
        (conflicts if len(distinct) > 1 else redundant).append(members)
    return InputGroups(conflicts=conflicts, redundant=redundant)


def task_of(configured: str, output_runs: Runs, words: np.ndarray) -> str:
    """``checks.tasks.task_type`` from output hashes and normalised word counts."""
    if configured != "auto":
        return configured
    n = len(words)
    return guess_task(output_runs.sizes, lambda: int(np.partition(words, n // 2)[n // 2]))
