"""Near-duplicates grouped in the cluster: the partition steps of ``similarity.lshshuffle`` and their wiring.

Used by ``partitioned.NearDuplicates`` when the engine's ``Partitions`` can
shuffle (``auditor.core.partitioned.Shuffles``, Spark): band keys, bins and
the texts of candidate pairs are routed between executors, and the driver
receives the candidates that passed the filters with their exact Jaccard
(``lshshuffle.views_of`` keeps from them exactly the pairs the driver path
keeps), and, between two steps, the members those candidates involve.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from auditor.core.context import Context
from auditor.core.partitioned import Shuffles
from auditor.features.distinctrows import PartRows
from auditor.similarity import NearParams, NearViews, Normalizer, Shingler, Sketch, sketch_all
from auditor.similarity.lshshuffle import (
    Chunk,
    ShuffleJob,
    attach_first,
    attach_text,
    best_estimate,
    bucket_pairs,
    estimate,
    members_of,
    sketch_rows_routed,
    texts_routed,
    verify_bucket,
    views_of,
)


@dataclass(frozen=True)
class RouteJob:
    norm: Normalizer
    shuffle: ShuffleJob


def sketch_of(part: Context, at: np.ndarray, is_input: np.ndarray, norm: Normalizer, params: NearParams, boiler: list) -> Sketch:  # type: ignore[type-arg]
    """Band keys and bins of a partition's members ``at`` (its own record indices)."""
    ins = norm.many(part.dataset.requests)
    outs = norm.many(part.dataset.outputs)
    shingler = Shingler(ins, outs, params, at, boiler=boiler)
    return sketch_all(shingler, at, is_input, params)


def sketch_routed(part: Context, rows: PartRows, job: RouteJob) -> Iterator[tuple[int, Chunk]]:
    at, is_input = rows.expand()
    sketch = sketch_of(part, at, is_input, job.norm, job.shuffle.params, list(job.shuffle.boiler))
    yield from sketch_rows_routed(sketch, rows.first_row, is_input, job.shuffle)


def texts_for(part: Context, rows: tuple[np.ndarray, np.ndarray], job: RouteJob) -> Iterator[tuple[int, Chunk]]:
    at, members = rows
    picked = at.tolist()
    requests = part.dataset.requests
    ins = job.norm.many([requests[i] for i in picked])
    outs = job.norm.many([part.dataset.outputs[i] for i in picked])
    yield from texts_routed(members, ins, outs, job.shuffle)


def shuffled(partitions: Shuffles, norm: Normalizer, shingler: Shingler, pm: np.ndarray, rows: list[PartRows], params: NearParams) -> NearViews:
    """Pass two and the verification in the cluster: the near-duplicate views the driver path finds.

    ``pm``: the distinct pairs' first records, ascending; ``rows``: each partition's share of them."""
    record_starts = partitions.starts
    bounds = np.searchsorted(pm, record_starts)
    job = RouteJob(norm, ShuffleJob(params, partitions.buckets, shingler.boiler))
    sj = job.shuffle
    candidates = (
        partitions.route(sketch_routed, rows, job, f"sketching {len(rows)} partitions for near-duplicates")
        .then(bucket_pairs, sj, "candidate pairs by band key")
        .then(attach_first, sj, "candidates meet their first row's bins")
        .then(estimate, sj, "candidates meet their second row's bins")
        .then(best_estimate, sj, "each candidate once")
    )
    involved = list(candidates.collect(members_of, sj, "members of the candidates"))
    members = np.unique(np.concatenate(involved)) if involved else np.zeros(0, np.int64)
    cut = np.searchsorted(members, bounds)
    texts = [(pm[members[lo:hi]] - record_starts[k], members[lo:hi]) for k, (lo, hi) in enumerate(zip(cut[:-1], cut[1:]))]
    read = partitions.route(texts_for, texts, job, f"reading the texts of {len(members)} candidates' records")
    verified = candidates.union(read).then(attach_text, sj, "candidates meet their first record's texts").collect(verify_bucket, sj, "verifying candidates")
    return views_of(shingler, pm, verified, params)
