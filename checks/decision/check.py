"""DEC: the decision questions next to the data verdict.

Prompt first: fine-tuning is worth its cost only when the best prompt-only
system (few-shot examples, chain of thought, structured outputs, system-prompt
refinement, prompt chaining) stays below ``decision.prompt_share`` (80 %) of the
target quality. Then the money: what training on this file costs, and what the
prompted and the fine-tuned model cost at production volume. Every part is
optional and offline; a figure that needs a price the team has not given is
"not estimated", never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.core.context import Context
from auditor.core.findings import CheckResult, Finding
from auditor.core.partitioned import PartitionedFeature
from checks.decision.budget import EXACT_SAMPLE, PARTITION_SAMPLE, TokenTotal
from checks.decision.codes import CODES
from checks.decision import costs
from checks.decision.costs import Training, production_economics, training_budget
from checks.decision.prompt_first import prompt_first


class DecisionCheck:
    """The prompt-first rule, the training budget and production economics.

    Partitioned (stream and Spark engines), each partition's tokens are
    measured apart and added up; the baseline and the prices need no text.
    """

    name = "decision"
    codes = CODES
    features: tuple[PartitionedFeature, ...] = ()

    def run(self, ctx: Context) -> CheckResult:
        return self.judge(ctx, costs.measure(ctx, EXACT_SAMPLE))

    def measure(self, part: Context) -> Training:
        return costs.measure(part, PARTITION_SAMPLE)

    def merge(self, parts: Sequence[Training], starts: Sequence[int]) -> Training:
        empty = TokenTotal(0.0, 0, 0)
        return Training(sum((p.inputs for p in parts), empty), sum((p.outputs for p in parts), empty))

    def judge(self, ctx: Context, merged: Training) -> CheckResult:
        cfg = ctx.config.section("decision")
        metrics: dict[str, Any] = {}
        findings: list[Finding] = []
        findings += prompt_first(ctx, cfg, metrics)
        findings += training_budget(ctx, cfg, metrics, merged)
        findings += production_economics(ctx, cfg, metrics, merged)
        return CheckResult(name=self.name, metrics=metrics, findings=tuple(findings))

