"""Eval leakage and baseline repeats as a partitioned run finds them: a band-key join in the workers.

The eval set (or the baseline) is small and read whole on the driver; the
training set is not, and the driver holds none of its texts or per-record
hashes. One further pass over the partitions looks each distinct record's
hashes up among the other set's (exact matches), and returns every record
whose input the other set holds (a baseline's contradictions, DUP008, are
judged on those few). Up to
``duplicates.exact_below`` distinct texts in the pool of both sets, the near
matches come from the in-memory search on the few records read back. Above
it, the driver counts the pool's boilerplate on its seeded sample (the
training records of the sample read back), sketches the other set once (the
``Probe``: MinHash band keys and 8-bit bins, about 0.56 KB a distinct record)
and sends it, with the other set's normalised texts, to every partition (on
Spark: in the pass's one broadcast). The same pass sketches each
partition's distinct records, joins their band keys with the probe's,
filters and verifies the candidates exactly on its own texts, and returns
the verified links only. Every verification is of one pair of texts, so the
links, and the findings judged from them, are the in-memory engine's
(``auditor.similarity.crossdup``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from auditor.core.context import Context
from auditor.core.partitioned import Partitions
from auditor.core.records import Dataset
from auditor.features.near import BASELINE_VIEWS, EVAL_VIEWS, baseline_inputs, baseline_matches, eval_matches, input_reps, near_params, pair_reps
from auditor.features.partitioned import HASHES
from auditor.features.texts import norm_inputs, norm_outputs, normalizer
from auditor.similarity import (
    Boilerplate,
    CrossMatch,
    Indexed,
    Links,
    NearParams,
    Normalizer,
    Probe,
    Shingler,
    exact_index,
    exact_links,
    ints,
    join_links,
    match_sets,
    near_links,
    pair_key,
    pool_shingler,
    probe_of,
)

VIEWS = ("input", "pair")  # the order of join_links's views
ROLES = (("eval", EVAL_VIEWS, eval_matches), ("baseline", BASELINE_VIEWS, baseline_matches))


class CrossMatches:
    """``eval_matches`` and ``baseline_matches``, for the side sets the run was given."""

    requires = (HASHES,)

    def measure(self, part: Context) -> None:
        return None  # the join needs every partition's hashes first (the distinct records): see merge

    def merge(self, ctx: Context, parts: Sequence[None], partitions: Partitions) -> None:
        for role, views, feature in ROLES:
            other = ctx.others.get(role)
            if other is not None:
                with ctx.progress.stage(f"matching the {role} set"):
                    matched, asked = _matched(ctx, other, views, partitions, role)
                ctx.provide(feature, matched)
                if role == "baseline":
                    ctx.provide(baseline_inputs, asked)


def _matched(ctx: Context, other: Dataset, views: tuple[str, ...], partitions: Partitions, role: str) -> tuple[CrossMatch, np.ndarray]:
    """The matches, and our records whose input is one of the other set's (every copy: DUP008 reads them)."""
    params: NearParams = ctx.cached(near_params)
    inputs, pairs = ctx.cached(input_reps), ctx.cached(pair_reps)
    # No keys: exact matches are looked up in the partitions, where the hashes are.
    ours = Indexed(ctx.cached(norm_inputs), ctx.cached(norm_outputs), {}, {"input": inputs[0], "pair": pairs[0]}, {"input": inputs[1], "pair": pairs[1]})
    theirs = Indexed.of(ctx.cached(normalizer), other.inputs, other.outputs, other.requests_beside(ctx.dataset))
    n = len(ours.inputs)
    probe, boiler = None, []
    if len(ours.firsts["pair"]) + len(theirs.firsts["pair"]) > params.exact_below:
        shingler = pool_shingler(ours, theirs, params)  # the boilerplate, from the pool's sample read back
        their_pm = theirs.firsts["pair"]
        probe, boiler = probe_of(shingler, their_pm + n, theirs.input_firsts(), their_pm, params), shingler.boiler
    pm = ours.firsts["pair"]
    is_input = np.isin(pm, ours.firsts["input"])
    starts = partitions.starts
    bounds = np.searchsorted(pm, starts)
    rows = [(pm[lo:hi] - starts[k], is_input[lo:hi], int(starts[k])) for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:]))]
    texts = (list(theirs.inputs), list(theirs.outputs)) if probe is not None else ([], [])
    asked = frozenset(theirs.keys["input"])
    job = JoinJob(ctx.cached(normalizer), params, boiler, probe, exact_index(theirs), asked, *texts)
    what = "looking up" if probe is None else "joining"
    found = list(partitions.map(join_partition, rows, job, f"{what} {len(rows)} partitions with the {role} set's hashes and band keys"))
    exact = {view: Links.concat([f[0][view] for f in found]) for view in VIEWS}
    records = np.concatenate([f[2] for f in found] + [np.zeros(0, np.int64)])
    if probe is None:
        return match_sets(ours, theirs, views, params, near_links(ours, theirs, views, params), exact), records
    near = {view: Links.concat([f[1][view] for f in found if f[1] is not None]) for view in VIEWS}
    return match_sets(ours, theirs, views, params, near, exact), records


@dataclass(frozen=True)
class JoinJob:
    """What every partition is matched with: the other set's keys, sketch and normalised texts, the pool's boilerplate."""

    norm: Normalizer
    params: NearParams
    boiler: list[Boilerplate]
    probe: Probe | None  # None: the near matches are searched on the driver (a small pool)
    exact: dict[str, dict[int, int]]  # per view, their distinct keys and the first record of each
    asked: frozenset[int]  # their inputs' keys: our records asking one of them are returned, every copy
    inputs: list[str]  # with a probe, the other set's normalised texts, every record (indexed by the probe's records)
    outputs: list[str]


Found = tuple[dict[str, Links], dict[str, Links] | None, np.ndarray]  # exact links, near links (with a probe), records asking


def join_partition(part: Context, rows: tuple[np.ndarray, np.ndarray, int], job: JoinJob) -> Found:
    """In a worker: one partition's distinct records (``rows``: their positions, which are inputs' firsts,
    the partition's first record) matched exactly and, with a probe, joined and verified; records run-wide."""
    at, is_input, start = rows
    data = part.dataset
    local = at.tolist()
    every_input = ints(job.norm.hashes(data.inputs))
    in_ints = [every_input[r] for r in local]
    out_ints = ints(job.norm.hashes([data.outputs[r] for r in local]))
    keys = {"input": dict(zip(local, in_ints)), "pair": {r: pair_key(i, o) for r, i, o in zip(local, in_ints, out_ints)}}
    exact = exact_links(keys, {"input": at[is_input] + start, "pair": at + start}, job.exact, start)
    asking = np.asarray([r for r, key in enumerate(every_input) if key in job.asked], np.int64) + start
    if job.probe is None:
        return exact, None, asking
    ins = job.norm.many(data.requests)
    outs = job.norm.many(data.outputs)
    # One set of columns: the partition's texts, then the other set's, as the in-memory pool lays them out.
    shingler = Shingler(ins + job.inputs, outs + job.outputs, job.params, at, boiler=job.boiler)
    return exact, dict(zip(VIEWS, join_links(shingler, at, is_input, start, job.probe, len(ins), job.params))), asking


CROSS_MATCHES = CrossMatches()
