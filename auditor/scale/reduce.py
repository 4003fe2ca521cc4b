"""The reduce on the driver: per-record hashes into the groups the in-memory features hold.

Same definitions as ``auditor.features`` (indices sharing a key, groups of two
or more, ordered by their first member; the first record of each distinct
key represents it), computed by sorting fixed-width hash rows instead of
counting Python objects: ten million 256-bit pair keys as Python ints would
cost gigabytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from auditor.features import InputGroups, guess_task


@dataclass(frozen=True)
class Runs:
    """Records sorted by key; each distinct key is one run of equal keys."""

    order: np.ndarray  # record indices sorted by key, ties in index order
    bounds: np.ndarray  # run k is order[bounds[k]:bounds[k + 1]]

    @classmethod
    def of(cls, keys: np.ndarray) -> Runs:
        n = len(keys)
        if n == 0:
            return cls(np.zeros(0, np.int64), np.zeros(1, np.int64))
        order = np.lexsort(keys.T[::-1])  # stable, first column most significant
        sk = keys[order]
        new = np.ones(n, np.bool_)
        new[1:] = (sk[1:] != sk[:-1]).any(axis=1)
        del sk
        return cls(order, np.append(np.flatnonzero(new), n))

    @property
    def sizes(self) -> np.ndarray:
        return np.diff(self.bounds)

    def groups(self) -> list[list[int]]:
        """Runs of two or more, each ascending, ordered by first member (as ``features._groups_of``)."""
        repeated = np.flatnonzero(self.sizes > 1)
        firsts = self.order[self.bounds[repeated]]
        order, bounds = self.order, self.bounds
        return [order[bounds[r] : bounds[r + 1]].tolist() for r in repeated[np.argsort(firsts, kind="stable")]]

    def representatives(self) -> tuple[np.ndarray, np.ndarray]:
        """As ``features.representatives``: the first record of each distinct key (ascending), and each record's."""
        first = self.order[self.bounds[:-1]]
        rep = np.empty(len(self.order), np.int64)
        rep[self.order] = np.repeat(first, self.sizes)
        return np.sort(first), rep


def input_groups_of(runs: Runs, loose_hash: np.ndarray) -> InputGroups:
    """Repeated inputs split by whether their loosened outputs differ (``features.input_groups``)."""
    conflicts: list[list[int]] = []
    redundant: list[list[int]] = []
    for members in runs.groups():
        distinct = {(int(a), int(b)) for a, b in loose_hash[members]}
        (conflicts if len(distinct) > 1 else redundant).append(members)
    return InputGroups(conflicts=conflicts, redundant=redundant)


def task_of(configured: str, output_runs: Runs, words: np.ndarray) -> str:
    """``features.task_type`` from output hashes and normalised word counts."""
    if configured != "auto":
        return configured
    n = len(words)
    if n == 0:
        return "generation"
    sizes = output_runs.sizes
    top = np.sort(sizes)[::-1][:50]
    return guess_task(n, len(sizes), int(top.sum()), lambda: int(np.partition(words, n // 2)[n // 2]))


def pair_keys(input_hash: np.ndarray, output_hash: np.ndarray) -> np.ndarray:
    """(n, 4) uint64: both 128-bit hashes side by side, as ``text.pair_key`` puts them in one int."""
    return np.concatenate([input_hash, output_hash], axis=1)
