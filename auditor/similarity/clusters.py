"""Clusters from pairwise links: connected components (union-find) over record indices."""

from __future__ import annotations

import numpy as np


def components(n: int, a: np.ndarray, b: np.ndarray) -> list[list[int]]:
    """Groups of two or more indices linked directly or through others, each sorted, ordered by first member."""
    if len(a) == 0:
        return []
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    # Only the linked records are nodes: the graph is as large as the links, not as the dataset
    # (ten million records, a few hundred thousand links: the driver of a partitioned run holds no n-sized graph).
    linked = np.unique(np.concatenate([a, b]))
    ia, ib = np.searchsorted(linked, a), np.searchsorted(linked, b)
    graph = coo_matrix((np.ones(len(ia), np.int8), (ia, ib)), shape=(len(linked), len(linked)))
    _, lab = connected_components(graph, directed=False)
    order = np.argsort(lab, kind="stable")  # linked is sorted, so members stay sorted within a label
    lab, members = lab[order], linked[order]
    cuts = np.flatnonzero(np.diff(lab)) + 1
    groups = [g.tolist() for g in np.split(members, cuts) if len(g) > 1]
    groups.sort(key=lambda g: g[0])
    return groups
