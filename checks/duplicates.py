"""DUP: exact and near-duplicates, contradicting outputs, leakage into the eval set, repeats of earlier batches.

Texts are compared after normalisation (``normalize.*``: NFKC, case folding,
whitespace). Near-duplicate examples are word 5-gram sets with a true Jaccard
similarity of at least ``duplicates.threshold``, of input and output together
and of the output alone (two answers to one input are never copies of one
example), found by MinHash LSH (or exhaustively for small sets) with
boilerplate shared by many records left out; see ``auditor.similarity.neardup``.
Similar inputs (DUP004) differ by an edit shorter than a shingle, are
compared within a task group, and count only when they make one request
(``checks.samerequest``: not another question on a shared passage, not
another slot value the outputs repeat). Effective examples (``checks.effective``) keep
one record per exact group and per near cluster and leave out contradictions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Finding, RecordId, Severity
from auditor.core.partitioned import FromFeatures
from auditor.core.records import Dataset
from auditor.features import (
    CROSS_MATCHES,
    baseline_inputs,
    baseline_matches,
    eval_matches,
    exact_groups,
    input_groups,
    near_clusters,
    near_input_clusters,
    near_params,
    norm_outputs,
    normalizer,
    similar_input_clusters,
)
from auditor.similarity import CrossMatch, hash128, loose
from checks.effective import FEATURES as EFFECTIVE_FEATURES
from checks.effective import effective
from checks.samerequest import Tokens, different_requests
from checks.tasks import ConflictSplit, conflict_split, task_grouping, task_groups, task_type

EXACT = CodeInfo(
    code="DUP001",
    symbol="exact-duplicates",
    severity=Severity.WARNING,
    summary="Records whose input and output are identical after normalisation.",
    why="Copies add no information, over-weight the copied examples in training and inflate the example "
    "count the readiness rule depends on; many of them usually mean a broken export or collection step.",
    fix="Keep one record of each group (the effective count already does) and find the step that copied them.",
    threshold="info below duplicates.warning_share = 1% of records, warning from it, blocker from "
    "duplicates.blocker_share = 20%",
)
CONFLICT = CodeInfo(
    code="DUP002",
    symbol="contradicting-outputs",
    severity=Severity.WARNING,
    summary="One input (after normalisation) with different outputs.",
    why="Training on the same input with different targets teaches the model that the answer is arbitrary; "
    "outputs differing only in whitespace, case or trailing punctuation are not counted.",
    fix="For each group decide which output is right (every output is listed), fix or drop the others; "
    "if several outputs are valid by design, set task = 'open'.",
    threshold="warning for any; blocker from duplicates.conflict_blocker_share = 5% of records",
)
NEAR = CodeInfo(
    code="DUP003",
    symbol="near-duplicates",
    severity=Severity.WARNING,
    summary="Clusters of examples within Jaccard 0.8 of each other (word 5-grams of input and output together, "
    "and of the output alone), beyond exact copies.",
    why="Examples that differ by a word or a sentence teach the same thing twice and inflate the count just "
    "as exact copies do.",
    fix="Review each cluster (the group id ties it together in the export) and keep one example, or make "
    "the others genuinely different.",
    threshold="duplicates.threshold = 0.8 Jaccard on the whole example and on its output; severity by the same "
    "shares as DUP001",
)
NEAR_INPUT = CodeInfo(
    code="DUP004",
    symbol="similar-inputs-different-outputs",
    severity=Severity.INFO,
    summary="Near-identical inputs (one edit shorter than a shingle apart) whose examples are not near-duplicates: "
    "similar questions, different answers.",
    why="Either the small input change really changes the answer (fine), or the outputs are inconsistent, "
    "which teaches contradictions just as identical inputs would.",
    fix="Skim each cluster and check the outputs agree where the inputs mean the same thing.",
    threshold="duplicates.threshold = 0.8 Jaccard on the inputs, fewer than duplicates.shingle_size words of each "
    "in no shingle of the other, within one task group; answers every input of the cluster holds (a span, an "
    "offered option) are left out unless the inputs differ by punctuation alone; a record is reported only with "
    "another that makes the same request: not when the differing words are at least a third of the content words "
    "of the one line (or sentence) that changed, itself under half its input (another question on shared context), "
    "nor when each output repeats a replaced word of its own input that the other does not, or an added number "
    "or proper noun (another slot value)",
)
OPEN = CodeInfo(
    code="DUP005",
    symbol="several-valid-outputs",
    severity=Severity.INFO,
    summary="Repeated inputs with several outputs in an open task (several valid outputs by design).",
    why="For generation tasks with many valid answers (write a review, ask a question) several outputs per "
    "input add variety rather than contradiction.",
    fix="Nothing if this is by design; set task = 'generation' to have them treated as contradictions.",
    threshold="task = 'open', or a task group (category, template field, or inferred instruction wording) with "
    ">= duplicates.open_share = 60% of repeated inputs varying (and >= duplicates.open_min_groups = 5)",
)
LEAK = CodeInfo(
    code="DUP006",
    symbol="eval-leakage",
    severity=Severity.BLOCKER,
    summary="Training examples that duplicate or near-duplicate an eval example (input or pair).",
    why="A model trained on its eval items scores well on them without having learned the task: the eval "
    "result stops measuring anything.",
    fix="Remove the listed records from the training set (or the matched items from the eval set).",
    threshold="any record; Jaccard >= duplicates.threshold on the input or on the pair",
)
BASELINE = CodeInfo(
    code="DUP007",
    symbol="baseline-duplicates",
    severity=Severity.WARNING,
    summary="Examples of this batch that duplicate or near-duplicate data already accepted (the baseline).",
    why="A new batch that repeats earlier data adds no training signal and is paid for twice.",
    fix="Drop the listed records from the batch, or ask the supplier for new examples instead.",
    threshold="any record; Jaccard >= duplicates.threshold on the pair",
)

BASELINE_CONFLICT = CodeInfo(
    code="DUP008",
    symbol="baseline-contradictions",
    severity=Severity.WARNING,
    summary="Inputs of this batch already accepted in the baseline with a different output.",
    why="Merged into the accepted data, the two answers to one input teach the model to contradict itself; "
    "either the guidelines changed between batches or one of the labels is wrong.",
    fix="Decide which output is right (the details show both), then fix the batch record or the accepted one.",
    threshold="any record whose normalised input equals a baseline input and whose output differs beyond "
    "whitespace, case and trailing punctuation",
)

_EXCERPT = 500  # characters of each text shown in details: enough to judge, small enough for a report


_PUNCTUATION = re.compile(r"[^\w\s]+")


def _not_drawn_from_inputs(ctx: Context, records: list[int], outs: Sequence[str]) -> list[int]:
    """The records of a similar-input cluster whose output is not drawn from the inputs.

    An output every input of the cluster holds as a whole word run (a name, a
    span, an offered option, 'more' of 'more or less') picks from the shared
    text: near-identical questions picking different spans are contrast
    questions ('more' vs 'less', 'most' vs 'least likely'), each answer right.
    Unless the inputs differ by punctuation alone: then one question has two answers.
    """
    norm = ctx.cached(normalizer)
    inputs = norm.many([ctx.dataset.inputs[i] for i in records])
    if len({" ".join(_PUNCTUATION.sub(" ", t).split()) for t in inputs}) == 1:
        return records
    kept = []
    for i in records:
        answer = outs[i].strip(" .,;:!?'\"")
        word = re.compile(r"(?<!\w)" + re.escape(answer) + r"(?!\w)") if answer else None
        if word is None or not all(word.search(t) for t in inputs):
            kept.append(i)
    return kept


# Other inputs a record is compared with, at most, before it is left unflagged: a cluster of
# thousands of requests that each differ (a slot filled thousands of ways) would otherwise cost
# a comparison per pair. Reaching the cap can only drop a flag, never raise one.
PARTNERS = 64


def _asked_again(ctx: Context, records: list[int], outs: Sequence[str], family: dict[int, int]) -> list[int]:
    """The records of a similar-input cluster with another record that makes the same request
    (``checks.samerequest``) with another output, outside its own example family."""
    inputs = {i: ctx.dataset.inputs[i] for i in records}
    tokens = {text: Tokens.of(text) for text in set(inputs.values())}
    other: dict[tuple[int, int], bool] = {}  # the segment/slot verdict of a pair of records

    def asked_again(i: int) -> bool:
        compared = 0
        for j in records:
            if j == i or outs[i] == outs[j] or family.get(i, -1 - i) == family.get(j, -1 - j):
                continue
            if inputs[i] == inputs[j]:
                return True
            key = (min(i, j), max(i, j))
            if key not in other:
                if compared == PARTNERS:
                    return False
                compared += 1
                other[key] = different_requests(tokens[inputs[key[0]]], tokens[inputs[key[1]]], outs[key[0]], outs[key[1]])
            if not other[key]:
                return True
        return False

    return [i for i in records if asked_again(i)]


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


class DuplicatesCheck(FromFeatures):
    """Finds exact and near-duplicates, contradictions, eval leakage and repeats of a baseline.

    It reads shared features (those of the effective-example rule) and a few
    records by index, so a partitioned run judges it unchanged.
    """

    name = "duplicates"
    codes = (EXACT, CONFLICT, NEAR, NEAR_INPUT, OPEN, LEAK, BASELINE, BASELINE_CONFLICT)
    features = (*EFFECTIVE_FEATURES, CROSS_MATCHES)  # the side sets' matches: a join in the workers

    def run(self, ctx: Context) -> CheckResult:
        n = len(ctx.dataset)
        if n == 0:
            return CheckResult.skipped(self.name, "no valid records to compare")
        exact = ctx.cached(exact_groups)
        split = ctx.cached(conflict_split)
        near = ctx.cached(near_clusters)
        near_inputs = ctx.cached(near_input_clusters)
        eff = ctx.cached(effective)
        params = ctx.cached(near_params)
        metrics: dict[str, Any] = {
            "records": n,
            "exact_duplicate_groups": len(exact.groups),
            "exact_duplicate_records": exact.extra_records,
            "repeated_input_groups": len(ctx.cached(input_groups).conflicts) + len(ctx.cached(input_groups).redundant),
            "conflicting_input_groups": len(split.contradictions),
            "conflicting_records": split.contradicting_records,
            "open_input_groups": len(split.open_groups),
            "open_categories": list(split.open_categories),
            "same_answer_input_groups": len(split.equivalent),
            "task_groups": ctx.cached(task_groups).to_metrics(),
            "near_duplicate_clusters": len(near.groups),
            "near_duplicate_records": near.extra_records,
            "near_duplicate_pairs": len(near.pairs),
            "near_input_clusters": len(near_inputs.groups),
            "near_input_records": near_inputs.extra_records,
            "near_method": near.pairs.method,
            "near_candidates": near.pairs.candidates,
            "boilerplate_shingles": {"input": near.pairs.boilerplate[0], "output": near.pairs.boilerplate[-1]},
            "duplicate_share": round((exact.extra_records + near.extra_records) / n, 6),
            "effective_examples": eff.count,
        }
        findings: list[Finding] = []
        if exact.groups:
            what = "repeat another record exactly after normalisation"
            findings.append(self._copies(ctx, EXACT, exact.groups, exact.extra_records, "exact", what))
        if split.contradictions:
            findings.append(self._conflicts(ctx, split.contradictions))
        if near.groups:
            what = f"are near-duplicates (Jaccard >= {params.threshold:g} on word shingles) of another record"
            findings.append(self._copies(ctx, NEAR, near.groups, near.extra_records, "near", what))
        similar_inputs = ctx.cached(similar_input_clusters)
        metrics["similar_input_clusters"] = len(similar_inputs.groups)
        similar = self._similar_inputs(ctx, similar_inputs.groups, near.groups)
        if similar:
            findings.append(similar)
        if split.open_groups:
            findings.append(self._open(ctx, split.open_groups, split.open_reason))
        if "eval" in ctx.others:
            leak = ctx.cached(eval_matches)
            metrics["leaked_records"] = len(leak)
            if len(leak):
                findings.append(self._cross(ctx, leak, "eval", LEAK))
        if "baseline" in ctx.others:
            repeat = ctx.cached(baseline_matches)
            metrics["baseline_duplicate_records"] = len(repeat)
            if len(repeat):
                findings.append(self._cross(ctx, repeat, "baseline", BASELINE))
            against = self._baseline_contradictions(ctx, ctx.others["baseline"], split)
            metrics["baseline_conflicting_records"] = against.size if against else 0
            if against:
                findings.append(against)
        return CheckResult(name=self.name, metrics=metrics, findings=tuple(findings))

    def _baseline_contradictions(self, ctx: Context, baseline: Dataset, split: ConflictSplit) -> Finding | None:
        """Batch records whose input was accepted before with another output."""
        if ctx.cached(task_type) == "open":
            return None
        norm = ctx.cached(normalizer)
        accepted: dict[int, tuple[set[str], int]] = {}
        for j, (inp, out) in enumerate(zip(baseline.inputs, baseline.outputs)):
            answers, _ = accepted.setdefault(hash128(norm(inp)), (set(), j))
            answers.add(loose(norm(out)))
        tasks = ctx.cached(task_groups)
        open_group = [g.kind == "open" for g in tasks.groups]
        ids: list[Any] = []
        labels: list[str | None] = []
        shown: list[dict[str, str]] = []
        outs = ctx.cached(norm_outputs)
        data = ctx.dataset
        for i in ctx.cached(baseline_inputs).tolist():  # the few records whose input the baseline holds
            seen = accepted.get(hash128(norm(data.inputs[i])))
            if seen is None or loose(outs[i]) in seen[0]:
                continue
            if open_group[tasks.of_record[i]]:
                continue  # several valid outputs by design in this group
            j = seen[1]
            ids.append(ctx.dataset.ids[i])
            labels.append(f"baseline:{baseline.ids[j]}")
            if len(shown) < 20:
                shown.append(
                    {
                        "id": str(ctx.dataset.ids[i]),
                        "baseline_id": str(baseline.ids[j]),
                        "input": _excerpt(ctx.dataset.inputs[i]),
                        "output": _excerpt(ctx.dataset.outputs[i]),
                        "baseline_output": _excerpt(baseline.outputs[j]),
                    }
                )
        if not ids:
            return None
        return BASELINE_CONFLICT.finding(
            f"{_plural(len(ids), 'record')} of this batch answer an input already accepted in the baseline "
            "with a different output",
            "decide which answer is right for each pair shown, then fix the batch record or the accepted one",
            ids,
            groups=labels,
            details={"examples": shown},
        )

    # --- severity by share ------------------------------------------------------

    def _by_share(self, ctx: Context, extra: int) -> Severity:
        share = extra / max(len(ctx.dataset), 1)
        if share >= float(ctx.config["duplicates.blocker_share"]):
            return Severity.BLOCKER
        if share >= float(ctx.config["duplicates.warning_share"]):
            return Severity.WARNING
        return Severity.INFO

    # --- findings ---------------------------------------------------------------

    def _grouped(self, ctx: Context, groups: Sequence[Sequence[int]], prefix: str) -> tuple[list[RecordId], list[str]]:
        ids = ctx.dataset.ids
        out_ids: list[RecordId] = []
        out_groups: list[str] = []
        for k, g in enumerate(groups, 1):
            out_ids.extend(ids[i] for i in g)
            out_groups.extend([f"{prefix}-{k}"] * len(g))
        return out_ids, out_groups

    def _largest(self, ctx: Context, groups: Sequence[Sequence[int]], prefix: str, limit: int = 10) -> list[dict[str, Any]]:
        ids, inputs = ctx.dataset.ids, ctx.dataset.inputs
        ranked = sorted(range(len(groups)), key=lambda k: (-len(groups[k]), k))[:limit]
        return [
            {"group": f"{prefix}-{k + 1}", "size": len(groups[k]), "ids": [ids[i] for i in groups[k][:20]], "input": _excerpt(inputs[groups[k][0]])}
            for k in ranked
        ]

    def _copies(self, ctx: Context, info: CodeInfo, groups: list[list[int]], extra: int, prefix: str, what: str) -> Finding:
        """DUP001 and DUP003: groups of copies, graded by the share of records beyond the first of each."""
        ids, labels = self._grouped(ctx, groups, prefix)
        unit = "group" if prefix == "exact" else "cluster"
        return info.finding(
            f"{_plural(extra, 'record')} ({extra / len(ctx.dataset):.1%}) {what}, in {_plural(len(groups), unit)} "
            f"(largest: {max(len(g) for g in groups)} records)",
            f"keep one record per {unit}: drop {extra} and find the step that produced them",
            ids,
            severity=self._by_share(ctx, extra),
            groups=labels,
            count=extra,
            details={f"{unit}s": len(groups), f"largest_{unit}s": self._largest(ctx, groups, prefix)},
        )

    def _conflicts(self, ctx: Context, groups: list[list[int]]) -> Finding:
        n = len(ctx.dataset)
        data = ctx.dataset
        outs = ctx.cached(norm_outputs)
        records = sum(len(g) for g in groups)
        share = records / n
        blocker = share >= float(ctx.config["duplicates.conflict_blocker_share"])
        ids, labels = self._grouped(ctx, groups, "conflict")
        shown = [
            {
                "group": f"conflict-{k}",
                "input": _excerpt(data.inputs[g[0]]),
                "distinct_outputs": len({outs[i] for i in g}),
                "outputs": [{"id": data.ids[i], "output": _excerpt(data.outputs[i])} for i in g],
            }
            for k, g in enumerate(groups, 1)
        ]
        return CONFLICT.finding(
            f"{_plural(len(groups), 'input')} ha{'ve' if len(groups) != 1 else 's'} different outputs "
            f"({_plural(records, 'record')}, {share:.1%}); these records are left out of the effective count",
            f"decide the right output for each of the {len(groups)} groups (all outputs are in the details) "
            "and fix or drop the others",
            ids,
            severity=Severity.BLOCKER if blocker else Severity.WARNING,
            groups=labels,
            count=records,
            details={"groups": shown},
        )

    def _similar_inputs(self, ctx: Context, input_clusters: list[list[int]], pair_clusters: list[list[int]]) -> Finding | None:
        cluster_of: dict[int, int] = {i: k for k, g in enumerate(pair_clusters) for i in g}
        outs = ctx.cached(norm_outputs)
        grouping = task_grouping(ctx)  # a field's or the inferred template groups; None for one task
        groups = grouping[1] if grouping else None
        flagged = []
        for cluster in input_clusters:
            # Outputs are compared within a task group: under two templates one input asks two things.
            by_group: dict[Any, list[int]] = {}
            for i in cluster:
                by_group.setdefault(None if groups is None else groups[i], []).append(i)
            for g in by_group.values():
                g = _not_drawn_from_inputs(ctx, g, outs)
                # The same example family (or the same output) throughout is a near-duplicate, not a disagreement.
                families = {cluster_of.get(i, -1 - i) for i in g}
                if len(families) > 1 and len({outs[i] for i in g}) > 1:
                    g = _asked_again(ctx, g, outs, cluster_of)
                    if g:
                        flagged.append(g)
        if not flagged:
            return None
        ids, labels = self._grouped(ctx, flagged, "similar-input")
        return NEAR_INPUT.finding(
            f"{_plural(len(flagged), 'cluster')} of near-identical inputs ({_plural(len(ids), 'record')}) have "
            "outputs that are not near-duplicates",
            "check that outputs agree wherever the inputs mean the same thing",
            ids,
            groups=labels,
            details={"clusters": len(flagged), "largest_clusters": self._largest(ctx, flagged, "similar-input")},
        )

    def _open(self, ctx: Context, groups: list[list[int]], reason: str) -> Finding:
        ids, labels = self._grouped(ctx, groups, "open")
        return OPEN.finding(
            f"{_plural(len(groups), 'input')} have several outputs ({_plural(len(ids), 'record')}), treated as "
            f"valid variety: {reason}",
            "nothing if several outputs are valid by design; set task = 'generation' to treat them as contradictions",
            ids,
            groups=labels,
            details={"groups": len(groups), "largest_groups": self._largest(ctx, groups, "open")},
        )

    def _cross(self, ctx: Context, match: CrossMatch, role: str, info: CodeInfo) -> Finding:
        data, other = ctx.dataset, ctx.others[role]
        ids = [data.ids[i] for i in match.index]
        labels = [f"{role}:{other.ids[j]}" for j in match.other]
        exact = sum(1 for j in match.jaccard if j >= 1.0)
        matched_other = len(set(match.other))
        examples = [
            {"id": data.ids[i], f"{role}_id": other.ids[j], "jaccard": round(jac, 3), "via": via, "input": _excerpt(data.inputs[i])}
            for i, j, jac, via in list(zip(match.index, match.other, match.jaccard, match.via))[:20]
        ]
        what = "eval items" if role == "eval" else "baseline records"
        return info.finding(
            f"{_plural(len(ids), 'record')} ({len(ids) / len(data):.1%}) duplicate {matched_other} {what} "
            f"({exact} exactly, {len(ids) - exact} near, Jaccard >= {ctx.cached(near_params).threshold:g})",
            f"remove the {len(ids)} listed records from the training data" if role == "eval" else f"drop the {len(ids)} listed records from this batch",
            ids,
            groups=labels,
            details={f"{role}_records_matched": matched_other, "exact": exact, "examples": examples},
        )
