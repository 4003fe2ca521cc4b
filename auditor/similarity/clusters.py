"""Clusters from pairwise links: connected components (union-find) over record indices."""

from __future__ import annotations

import numpy as np


def components(n: int, a: np.ndarray, b: np.ndarray) -> list[list[int]]:
    """Groups of two or more indices linked directly or through others, each sorted, ordered by first member."""
    if len(a) == 0:
        return []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(a), np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    linked = np.unique(np.concatenate([a, b]))
    lab = labels[linked]
    order = np.argsort(lab, kind="stable")  # linked is sorted, so members stay sorted within a label
    lab, members = lab[order], linked[order]
    cuts = np.flatnonzero(np.diff(lab)) + 1
    groups = [g.tolist() for g in np.split(members, cuts) if len(g) > 1]
    groups.sort(key=lambda g: g[0])
    return groups
