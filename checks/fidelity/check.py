"""The task-fidelity check: runs every rule of ``checks.fidelity.rules`` and words its flags.

Each rule returns record indices with a kind and a short note; one finding is
made per rule and kind, giving the share of the records the rule could
check (those whose instruction states a checkable constraint, whose output
claims to be code, ...) that fail, and a few examples with their notes.
The rules read only the texts of their own record and return no text, so the
check runs partitioned as well: each partition is measured apart, merged,
then judged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from auditor.core.context import Context
from auditor.core.findings import CheckResult, Finding
from auditor.core.partitioned import PartitionedFeature
from checks.fidelity.base import Hit, RuleResult, View, codes
from checks.fidelity.rules import RULES

#: Examples (id and note) a finding's details carry per kind.
EXAMPLES = 5

Measured = dict[str, RuleResult]  # code -> the rule's result


def measure_view(view: View, rules: Sequence[ModuleType] = RULES) -> Measured:
    return {rule.CODE.code: rule.find(view) for rule in rules}


class FidelityCheck:
    """TSK: does each output do the job its instruction asks for?"""

    name = "fidelity"
    codes = codes(RULES)
    features: tuple[PartitionedFeature, ...] = ()

    def run(self, ctx: Context) -> CheckResult:
        data = ctx.dataset
        if len(data) == 0:
            return CheckResult.skipped(self.name, "no valid records to judge")
        with ctx.progress.stage("fidelity: checking outputs against their instructions", total=len(RULES)) as advance:
            measured: Measured = {}
            view = View(data.inputs, data.outputs)  # one view: the instructions are split once for every rule
            for rule in RULES:
                measured[rule.CODE.code] = rule.find(view)
                advance(1)
        return self.judge(ctx, measured)

    # -- partitioned -------------------------------------------------------------

    def measure(self, part: Context) -> Measured:
        return measure_view(View(part.dataset.inputs, part.dataset.outputs))

    def merge(self, parts: Sequence[Measured], starts: Sequence[int]) -> Measured:
        return {rule.CODE.code: RuleResult.merge([p[rule.CODE.code] for p in parts], starts) for rule in RULES}

    def judge(self, ctx: Context, merged: Measured) -> CheckResult:
        n = len(ctx.dataset)
        if n == 0:
            return CheckResult.skipped(self.name, "no valid records to judge")
        ids = ctx.dataset.ids
        findings: list[Finding] = []
        metrics: dict[str, Any] = {"records": n}
        for rule in RULES:
            result = merged[rule.CODE.code]
            by_kind: dict[str, list[Hit]] = defaultdict(list)
            for hit in result.hits:
                by_kind[hit.kind].append(hit)
            metrics[rule.CODE.symbol] = {
                kind: {"checked": result.checked[kind], "flagged": len({h.index for h in by_kind.get(kind, [])})}
                for kind in sorted(set(result.checked) | set(by_kind))
            }
            for kind in rule.KINDS:
                hits = sorted(by_kind.get(kind, []), key=lambda h: h.index)
                if hits:
                    findings.append(_finding(rule, kind, hits, result.checked[kind], ids, ctx))
        return CheckResult(name=self.name, metrics=metrics, findings=tuple(findings))


def _finding(rule: ModuleType, kind: str, hits: list[Hit], checked: int, ids: Sequence[Any], ctx: Context) -> Finding:
    indices = list(dict.fromkeys(h.index for h in hits))
    checked = max(checked, len(indices))
    examples = [{"id": ids[h.index], "note": h.note} for h in hits[:EXAMPLES]]
    shown = "; ".join(f"id {e['id']}: {e['note']}" for e in examples[:2] if e["note"])
    message = f"{len(indices):,} of {checked:,} checked records ({len(indices) / checked:.1%}) {rule.KINDS[kind]}"
    if shown:
        message += f" (e.g. {shown})"
    # A rule may grade its own severity (e.g. by the share it flags); else its code's default.
    grade = getattr(rule, "severity", None)
    return rule.CODE.finding(
        message,
        rule.ACTION,
        [ids[i] for i in indices],
        severity=grade(len(indices), checked, len(ids), ctx.config) if grade else None,
        details={"kind": kind, "checked": checked, "examples": examples},
    )
