"""Exact groups, repeated inputs and repeated outputs as a shuffle: the reduce step of a cluster run.

Each partition routes its records' 128-bit hashes (normalised input,
normalised output, loosened output) by the input's hash, and its outputs'
hashes by the output's, so every record sharing a key meets in one bucket
(``auditor.core.partitioned.Shuffles``). A bucket groups its records as the
driver would (``Runs``, ``input_groups_of``) and yields only the groups of
two or more records: the driver receives the flagged records, not every
record's hashes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from auditor.similarity.keys import Runs, _fold, pair_keys
from auditor.similarity.lshshuffle import Chunk, Rows, _gather, _routed, bucket_of


def hashes_routed(first: int, inputs: np.ndarray, outputs: np.ndarray, loosened: np.ndarray, buckets: int) -> Rows:
    """A partition's hash rows (``first``: its first record's index), routed by input and by output."""
    index = first + np.arange(len(inputs), dtype=np.int64)
    yield from _routed("in", bucket_of(_fold(inputs), buckets), {"i": index, "input": inputs, "output": outputs, "loose": loosened})
    yield from _routed("out", bucket_of(_fold(outputs), buckets), {"i": index, "output": outputs})


def _flat(groups: Sequence[Sequence[int]], index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups of a bucket's rows as record indices, one after another, and their sizes."""
    sizes = np.fromiter((len(g) for g in groups), np.int64, len(groups))
    flat = np.fromiter((i for g in groups for i in g), np.int64, int(sizes.sum()))
    return index[flat], sizes


def groups_in_bucket(bucket: int, chunks: list[Chunk], job: Any) -> Iterator[Chunk]:
    """A bucket's repeated pairs, repeated inputs (those whose loosened outputs differ apart) and repeated outputs."""
    got = _gather(chunks, "in", ("i", "input", "output", "loose"))
    order = np.argsort(got["i"])  # rows in record order: groups come out ascending, as on the driver
    index = got["i"][order]
    ins, outs, loose = (got[k][order].reshape(-1, 2) for k in ("input", "output", "loose"))
    runs = Runs.of(ins)
    out: Chunk = {}
    repeated = runs.groups()
    conflict = np.fromiter((len({(int(a), int(b)) for a, b in loose[g]}) > 1 for g in repeated), np.bool_, len(repeated))
    out["conflicts"] = _flat([g for g, c in zip(repeated, conflict) if c], index)
    out["redundant"] = _flat([g for g, c in zip(repeated, conflict) if not c], index)
    out["pairs"] = _flat(Runs.of(pair_keys(ins, outs)).groups(), index)
    got = _gather(chunks, "out", ("i", "output"))
    order = np.argsort(got["i"])
    out["outputs"] = _flat(Runs.of(got["output"][order].reshape(-1, 2)).groups(), got["i"][order])
    yield out


def gathered(results: Sequence[Chunk], name: str) -> tuple[np.ndarray, np.ndarray]:
    """One kind of group from every bucket, ordered by first member (as ``Runs.groups`` orders them)."""
    members = [r[name][0] for r in results]
    sizes = [r[name][1] for r in results]
    flat = np.concatenate(members) if members else np.zeros(0, np.int64)
    size = np.concatenate(sizes) if sizes else np.zeros(0, np.int64)
    starts = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
    order = np.argsort(flat[starts]) if len(size) else np.zeros(0, np.int64)
    pieces = [flat[starts[k] : starts[k] + size[k]] for k in order.tolist()]
    return (np.concatenate(pieces) if pieces else np.zeros(0, np.int64)), size[order]


def as_lists(members: np.ndarray, sizes: np.ndarray) -> list[list[int]]:
    return [g.tolist() for g in np.split(members, np.cumsum(sizes)[:-1])] if len(sizes) else []
