"""Eval leakage and baseline repeats as a partitioned run finds them: a band-key join in the workers.

The eval set (or the baseline) is small and read whole on the driver; the
training set is not. Up to ``duplicates.exact_below`` distinct texts in the
pool of both sets, the in-memory search runs on the few records read back.
Above it, the driver counts the pool's boilerplate on its seeded sample (the
training records of the sample read back), sketches the other set once (the
``Probe``: MinHash band keys and 8-bit bins, about 280 bytes a distinct
record) and sends it, with the other set's normalised texts, to every
partition (on Spark: one broadcast). Each partition sketches its distinct
records, joins their band keys with the probe's, filters and verifies the
candidates exactly on its own texts, and returns the verified links only.
Every verification is of one pair of texts, so the links, and the findings
judged from them, are the in-memory engine's (``auditor.similarity.crossdup``).
Exact matches are equal hashes, from the hashes pass one measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from auditor.core.context import Context
from auditor.core.partitioned import Partitions
from auditor.core.records import Dataset
from auditor.features.near import BASELINE_VIEWS, EVAL_VIEWS, baseline_matches, cross_match, eval_matches, near_params, ours_indexed
from auditor.features.partitioned import HASHES
from auditor.features.texts import normalizer
from auditor.similarity import Boilerplate, Indexed, Links, NearParams, Normalizer, Probe, Shingler, join_links, pool_shingler, probe_of

ROLES = (("eval", EVAL_VIEWS, eval_matches), ("baseline", BASELINE_VIEWS, baseline_matches))


class CrossMatches:
    """``eval_matches`` and ``baseline_matches``, for the side sets the run was given."""

    requires = (HASHES,)

    def measure(self, part: Context) -> None:
        return None  # the join needs every partition's hashes first (the distinct records): see merge

    def merge(self, ctx: Context, parts: Sequence[None], partitions: Partitions) -> None:
        for role, views, feature in ROLES:
            other = ctx.others.get(role)
            if other is None:
                continue
            with ctx.progress.stage(f"matching the {role} set"):
                ctx.provide(feature, cross_match(ctx, other, views, _links(ctx, other, partitions, role)))


def _links(ctx: Context, other: Dataset, partitions: Partitions, role: str) -> dict[str, Links] | None:
    """The verified near links found in the workers; None when the pool is small enough to search in memory."""
    params: NearParams = ctx.cached(near_params)
    ours = ctx.cached(ours_indexed)
    theirs = Indexed.of(ctx.cached(normalizer), other.inputs, other.outputs)
    if len(ours.firsts["pair"]) + len(theirs.firsts["pair"]) <= params.exact_below:
        return None  # the in-memory search, on the few records it reads back
    n = len(ours.inputs)
    shingler = pool_shingler(ours, theirs, params)  # the boilerplate, from the pool's sample read back
    their_pm = theirs.firsts["pair"]
    probe = probe_of(shingler, their_pm + n, theirs.input_firsts(), their_pm, params)
    pm = ours.firsts["pair"]
    is_input = np.isin(pm, ours.firsts["input"])
    starts = partitions.starts
    bounds = np.searchsorted(pm, starts)
    rows = [(pm[lo:hi] - starts[k], is_input[lo:hi], int(starts[k])) for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:]))]
    job = JoinJob(ctx.cached(normalizer), params, shingler.boiler, probe, list(theirs.inputs), list(theirs.outputs))
    found = list(partitions.map(join_partition, rows, job, f"joining {len(rows)} partitions with the {role} set's band keys"))
    return {view: Links.concat([f[v] for f in found]) for v, view in enumerate(("input", "pair"))}


@dataclass(frozen=True)
class JoinJob:
    """What every partition joins with: the other set's sketch and normalised texts, the pool's boilerplate."""

    norm: Normalizer
    params: NearParams
    boiler: list[Boilerplate]
    probe: Probe
    inputs: list[str]  # the other set's normalised texts, every record (indexed by the probe's records)
    outputs: list[str]


def join_partition(part: Context, rows: tuple[np.ndarray, np.ndarray, int], job: JoinJob) -> tuple[Links, Links]:
    """In a worker: one partition's distinct records (``rows``: their positions, which are inputs' firsts,
    the partition's first record) joined with the probe and verified; the links name records run-wide."""
    at, is_input, start = rows
    ins = job.norm.many(part.dataset.inputs)
    outs = job.norm.many(part.dataset.outputs)
    # One set of columns: the partition's texts, then the other set's, as the in-memory pool lays them out.
    shingler = Shingler(ins + job.inputs, outs + job.outputs, job.params, at, boiler=job.boiler)
    return join_links(shingler, at, is_input, start, job.probe, len(ins), job.params)


CROSS_MATCHES = CrossMatches()
