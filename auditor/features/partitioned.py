"""The shared features of ``auditor.features`` as a partitioned run computes them.

Each object implements ``auditor.core.partitioned.PartitionedFeature``: a
worker measures one partition's records (hashes, no text), the driver merges
the partitions into exactly the value the in-memory feature computes, and
provides it to the run's context. A check lists the ones it reads in its
``features``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from auditor.core.context import Context
from auditor.core.partitioned import Partitions, Shuffles
from auditor.similarity.groupshuffle import as_lists, gathered, groups_in_bucket, hashes_routed
from auditor.similarity.lshshuffle import Chunk
from auditor.features.distinctrows import PartRows, part_rows
from auditor.features.nearshuffle import shuffled, sketch_of
from auditor.features.near import near_duplicates, near_params
from auditor.features.texts import InputGroups, input_groups, input_keys, input_runs, norm_inputs, norm_outputs, normalizer, output_keys, output_runs, pair_runs
from auditor.similarity import Boilerplate, NearParams, NearViews, Normalizer, Runs, Shingler, Sketch, SpilledSketch, hash_rows, loose, near_views, verify_sketch


def _rows(parts: Sequence[np.ndarray]) -> np.ndarray:
    """Per-partition (n, 2) hash rows, over all partitions."""
    return np.concatenate(list(parts)) if parts else np.zeros((0, 2), np.uint64)


def _encoded(texts: Sequence[str]) -> list[bytes]:
    return [t.encode("utf-8", "surrogatepass") for t in texts]


class Hashes:
    """``input_keys`` and ``output_keys``: the 128-bit hashes of every normalised input and output."""

    requires: tuple[()] = ()

    def measure(self, part: Context) -> tuple[np.ndarray, np.ndarray]:
        # The normalised outputs are kept whole in the partition's cache (one
        # partition's worth): the loosened outputs and the task type's word
        # counts are measured from them too.
        part.provide(norm_outputs, part.cached(normalizer).many(part.dataset.outputs))
        outs = _encoded(part.cached(norm_outputs))
        return part.cached(normalizer).hashes(part.dataset.inputs), hash_rows(outs, len(outs))

    def merge(self, ctx: Context, parts: Sequence[tuple[np.ndarray, np.ndarray]], partitions: Partitions) -> None:
        with ctx.progress.stage("grouping hashes"):
            ctx.provide(input_keys, _rows([p[0] for p in parts]))
            ctx.provide(output_keys, _rows([p[1] for p in parts]))
            ctx.cached(pair_runs)  # sorted here, inside this progress stage

    def merge_in_cluster(self, ctx: Context, partitions: Shuffles) -> None:
        """The runs of equal hashes, and the repeated inputs (``RepeatedInputs``), grouped in the cluster:
        the driver receives the groups of two or more records, never a record's hashes."""
        n = len(ctx.dataset)
        firsts = partitions.starts[:-1].tolist()
        routed = partitions.route(_hashes_routed, firsts, partitions.buckets, "hashing partitions for the grouping")
        found = list(routed.collect(groups_in_bucket, None, "grouping hashes in the cluster"))
        with ctx.progress.stage("grouping hashes"):
            conflicts, redundant = gathered(found, "conflicts"), gathered(found, "redundant")
            inputs = (np.concatenate([conflicts[0], redundant[0]]), np.concatenate([conflicts[1], redundant[1]]))
            ctx.provide(input_runs, Runs.of_groups(n, *inputs))
            ctx.provide(pair_runs, Runs.of_groups(n, *gathered(found, "pairs")))
            ctx.provide(output_runs, Runs.of_groups(n, *gathered(found, "outputs")))
            ctx.provide(input_groups, InputGroups(conflicts=as_lists(*conflicts), redundant=as_lists(*redundant)))


HASHES = Hashes()


class RepeatedInputs:
    """``input_groups``: repeated inputs, split by whether their loosened outputs differ.

    In memory the few outputs of repeated inputs are loosened and compared as
    text; here the texts are gone, so each record's loosened normalised output
    is hashed beside the others and groups are told apart by those hashes.
    """

    requires = (HASHES,)

    def measure(self, part: Context) -> np.ndarray:
        loosened = [loose(t).encode("utf-8", "surrogatepass") for t in part.cached(norm_outputs)]
        return hash_rows(loosened, len(loosened))

    def merge(self, ctx: Context, parts: Sequence[np.ndarray], partitions: Partitions) -> None:
        ctx.provide(input_groups, input_groups_of(ctx.cached(input_runs), _rows(parts)))

    def merge_in_cluster(self, ctx: Context, partitions: Shuffles) -> None:
        return None  # HASHES, merged first, grouped the repeated inputs in the cluster with the rest


def input_groups_of(runs: Runs, loose_hash: np.ndarray) -> InputGroups:
    """Repeated inputs split by whether their loosened outputs differ (``features.input_groups``)."""
    conflicts: list[list[int]] = []
    redundant: list[list[int]] = []
    for members in runs.groups():
        distinct = {(int(a), int(b)) for a, b in loose_hash[members]}
        (conflicts if len(distinct) > 1 else redundant).append(members)
    return InputGroups(conflicts=conflicts, redundant=redundant)


REPEATED_INPUTS = RepeatedInputs()


def _hashes_routed(part: Context, first: int, buckets: int) -> Iterator[tuple[int, Chunk]]:
    """In a worker: a partition's hash rows (as pass one measures them), routed for ``groups_in_bucket``."""
    inputs, outputs = HASHES.measure(part)
    yield from hashes_routed(first, inputs, outputs, REPEATED_INPUTS.measure(part), buckets)


class NearDuplicates:
    """``near_duplicates``: verified near pairs among the distinct inputs and input-output pairs.

    Up to ``duplicates.exact_below`` distinct pairs, the exhaustive search runs
    on the records read back. Above it the boilerplate shingles are counted on
    the same seeded sample of records as in memory (read back by offset); a
    second pass sketches each partition's distinct records (MinHash band keys
    and 8-bit bins, kept on disk), and the driver finds and verifies the
    candidates exactly, reading back only the records involved.
    """

    requires = (HASHES,)

    def measure(self, part: Context) -> None:
        return None  # its pass needs every partition's hashes first: see merge

    def merge(self, ctx: Context, parts: Sequence[None], partitions: Partitions) -> None:
        params: NearParams = ctx.cached(near_params)
        # The distinct records without the representatives of every record (``pair_reps``, ``input_reps``): not
        # kept through this stage, the largest of the run; the duplicates' judgement computes them when it needs them.
        pairs, inputs = ctx.cached(pair_runs), ctx.cached(input_runs)
        pm = pairs.firsts()
        ins, outs = ctx.cached(norm_inputs), ctx.cached(norm_outputs)
        with ctx.progress.stage("near-duplicates"):
            if len(pm) <= params.exact_below:
                views = near_views(ins, outs, pm, inputs.firsts(), params)
            else:
                shingler = Shingler(ins, outs, params, pm)  # the boilerplate, from the seeded sample read back
                rows = part_rows(pairs, inputs, partitions.starts)
                if isinstance(partitions, Shuffles):  # band keys grouped and candidates verified in the cluster
                    views = shuffled(partitions, ctx.cached(normalizer), shingler, pm, rows, params)
                else:
                    views = _sketched(ctx, partitions, shingler, pm, inputs.firsts(), rows, params)
        ctx.provide(near_duplicates, views)


def _sketched(ctx: Context, partitions: Partitions, shingler: Shingler, pm: np.ndarray, im: np.ndarray, rows: list[PartRows], params: NearParams) -> NearViews:
    """Pass two: band keys and bins of each partition's distinct records, then the exact verification."""
    in_rows = np.searchsorted(pm, im)
    job = SketchJob(ctx.cached(normalizer), params, shingler.boiler)
    sketch = SpilledSketch()  # partitions arrive in order: their rows follow each other
    try:
        for part_sketch in partitions.map(sketch_partition, rows, job, f"sketching {len(rows)} partitions for near-duplicates"):
            sketch.add(part_sketch)
        return verify_sketch(shingler, pm, in_rows, sketch, params)
    finally:
        sketch.close()


@dataclass(frozen=True)
class SketchJob:
    norm: Normalizer
    params: NearParams
    boiler: list[Boilerplate]


def sketch_partition(part: Context, rows: PartRows, job: SketchJob) -> Sketch:
    at, is_input = rows.expand()
    return sketch_of(part, at, is_input, job.norm, job.params, job.boiler)


NEAR_DUPLICATES = NearDuplicates()
