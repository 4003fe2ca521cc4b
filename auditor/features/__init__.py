"""Shared features: what several checks need from the texts, computed once per run.

A feature is a plain function of the ``Context`` (``ctx.cached(exact_groups)``
computes it on first use and keeps it); a check that is switched off costs
nothing. ``texts``: normalised texts, hashes, exact and repeated-input
groups; ``taskgroups``: each record's task group (a field, else the prompt template its input shares, ``templates``); ``near``: near-duplicate pairs and clusters, and matches against
another dataset. All of it is built on ``auditor.similarity``; none of it
judges: thresholds and verdicts belong to the checks. ``partitioned``: the
same features as a partitioned run computes them without the texts
(``HASHES``, ``REPEATED_INPUTS``, ``NEAR_DUPLICATES``; ``crosspart``: ``CROSS_MATCHES``, the
side sets' matches by a band-key join), for a check's
``features`` (see ``auditor.core.partitioned``). ``tokens``: the run's token
counter (``ctx.cached(token_counter)``: exact where a tokenizer is available
offline, else the estimate; any check may count with it) and the token budget
the config names (``token_budget``).
"""

from auditor.features.near import (
    NearClusters,
    baseline_inputs,
    baseline_matches,
    cross_match,
    eval_matches,
    input_reps,
    near_clusters,
    near_duplicates,
    near_input_clusters,
    near_params,
    pair_reps,
    similar_input_clusters,
)
from auditor.features.crosspart import CROSS_MATCHES
from auditor.features.partitioned import HASHES, NEAR_DUPLICATES, REPEATED_INPUTS
from auditor.features.taskgroups import TASK_GROUP_FIELDS, TEMPLATE_NODES, GroupField, TemplateNodes, group_field, template_nodes
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
    raw_output_words,
    pair_hashes,
    pair_runs,
)
from auditor.features.tokens import TokenCounter, token_budget, token_counter

__all__ = [
    "TokenCounter",
    "token_budget",
    "token_counter",
    "CROSS_MATCHES",
    "HASHES",
    "NEAR_DUPLICATES",
    "baseline_inputs",
    "baseline_matches",
    "eval_matches",
    "REPEATED_INPUTS",
    "TASK_GROUP_FIELDS",
    "TEMPLATE_NODES",
    "ExactGroups",
    "GroupField",
    "InputGroups",
    "NearClusters",
    "TemplateNodes",
    "cross_match",
    "exact_groups",
    "group_field",
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
    "raw_output_words",
    "pair_hashes",
    "pair_reps",
    "pair_runs",
    "similar_input_clusters",
    "template_nodes",
]
