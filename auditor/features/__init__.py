"""Shared features: what several checks need from the texts, computed once per run.

A feature is a plain function of the ``Context`` (``ctx.cached(exact_groups)``
computes it on first use and keeps it); a check that is switched off costs
nothing. ``texts``: normalised texts, hashes, exact and repeated-input
groups; ``near``: near-duplicate pairs and clusters, and matches against
another dataset. All of it is built on ``auditor.similarity``; none of it
judges: thresholds and verdicts belong to the checks. ``partitioned``: the
same features as a partitioned run computes them without the texts
(``HASHES``, ``REPEATED_INPUTS``, ``NEAR_DUPLICATES``), for a check's
``features`` (see ``auditor.core.partitioned``). ``tokens``: the run's token
counter (``ctx.cached(token_counter)``: exact where a tokenizer is available
offline, else the estimate; any check may count with it) and the token budget
the config names (``token_budget``).
"""

from auditor.features.near import (
    NearClusters,
    cross_match,
    input_reps,
    near_clusters,
    near_duplicates,
    near_input_clusters,
    near_params,
    pair_reps,
)
from auditor.features.partitioned import HASHES, NEAR_DUPLICATES, REPEATED_INPUTS
from auditor.features.texts import (
    ExactGroups,
    InputGroups,
    exact_groups,
    input_groups,
    input_hashes,
    input_keys,
    input_runs,
    norm_inputs,
    norm_outputs,
    normalizer,
    output_hashes,
    output_keys,
    output_runs,
    pair_hashes,
    pair_runs,
)
from auditor.features.tokens import TokenCounter, token_budget, token_counter

__all__ = [
    "TokenCounter",
    "token_budget",
    "token_counter",
    "HASHES",
    "NEAR_DUPLICATES",
    "REPEATED_INPUTS",
    "ExactGroups",
    "InputGroups",
    "NearClusters",
    "cross_match",
    "exact_groups",
    "input_groups",
    "input_hashes",
    "input_keys",
    "input_reps",
    "input_runs",
    "near_clusters",
    "near_duplicates",
    "near_input_clusters",
    "near_params",
    "norm_inputs",
    "norm_outputs",
    "normalizer",
    "output_hashes",
    "output_keys",
    "output_runs",
    "pair_hashes",
    "pair_reps",
    "pair_runs",
]
