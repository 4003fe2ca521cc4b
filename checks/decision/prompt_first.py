"""Prompt first: prompting's share of the target quality, judged against decision.prompt_share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from auditor.core.context import Context
from auditor.core.findings import Finding
from auditor.load.annotations import id_key
from auditor.load.prompt_baseline import PER_ITEM, PromptBaseline, number, prompt_baseline
from auditor.runtime.errors import ConfigError, InputError
from checks.decision import baseline as rule
from checks.decision.codes import NO_TARGET, NOT_ASKED, PROMPTING_SUFFICES, UNUSABLE_ROWS, WARRANTED

FIVE = ", ".join(rule.TECHNIQUE_TEXT[t] for t in rule.TECHNIQUES)


def prompt_first(ctx: Context, cfg: Mapping[str, Any], metrics: dict[str, Any]) -> list[Finding]:
    base = ctx.cached(prompt_baseline)
    configured = list(cfg["techniques_tried"])
    metrics.update(
        baseline_form=None, baseline_metric=None, baseline_score=None, baseline_items=None, baseline_pass_rate=None,
        target_quality=cfg["target_quality"], prompt_share=None, prompt_share_ci_low=None, prompt_share_ci_high=None,
        techniques_not_tried=rule.not_tried(configured),
    )  # fmt: skip
    if base is None:
        return [
            NOT_ASKED.finding(
                "no prompt baseline was given: whether prompting alone reaches the target quality was not asked",
                "score the best prompt-only system on the eval set and pass it with --prompt-baseline FILE",
            )
        ]
    floor, ceiling = base.score_range or (float(cfg["score_min"]), float(cfg["score_max"]))
    if not floor < ceiling:
        raise ConfigError(f"decision.score_min ({floor:g}) must be below decision.score_max ({ceiling:g})")
    target = cfg["target_quality"] if cfg["target_quality"] is not None else base.target
    tried = [*base.techniques, *configured]
    metrics.update(
        baseline_form=base.form, baseline_metric=base.metric or "score", target_quality=target,
        techniques_not_tried=rule.not_tried(tried),
    )  # fmt: skip
    findings: list[Finding] = []
    interval: tuple[float, float] | None = None
    if base.form == PER_ITEM:
        items, unusable = _items(ctx, base, floor, ceiling)
        if unusable is not None:
            findings.append(unusable)
        if not items.scores:
            return findings
        scores = np.asarray(items.scores, dtype=np.float64)
        score = float(scores.mean())
        interval = rule.bootstrap_mean(scores, int(cfg["bootstrap_samples"]), float(cfg["confidence"]), ctx.seed)
        metrics["baseline_items"] = len(items.scores)
        if items.passed:
            metrics["baseline_pass_rate"] = round(sum(items.passed) / len(items.passed), 6)
    else:
        assert base.score is not None  # the reader refuses a summary without one
        score = base.score
        if not floor <= score <= ceiling:
            raise InputError(
                f"prompt baseline {base.source}: the score {score:g} lies outside the score range {floor:g} to {ceiling:g} "
                "(set the file's 'range', or decision.score_min and decision.score_max)"
            )
    metrics["baseline_score"] = round(score, 6)
    if target is None:
        findings.append(
            NO_TARGET.finding(
                f"prompting alone scores {score:.4g} ({metrics['baseline_metric']}), but no target quality was given, "
                "so its share of the target is unknown",
                "set decision.target_quality (in the baseline's score units) or a 'target' in the baseline file",
            )
        )
        return findings
    if not floor < target <= ceiling:
        raise InputError(f"the target quality {target:g} must lie above {floor:g} and at most {ceiling:g}, the baseline's score range")
    share = rule.share_of_target(score, target, floor)
    metrics["prompt_share"] = round(share, 6)
    if interval is not None:
        metrics["prompt_share_ci_low"] = round(rule.share_of_target(interval[0], target, floor), 6)
        metrics["prompt_share_ci_high"] = round(rule.share_of_target(interval[1], target, floor), 6)
    eval_set = ctx.others.get("eval")
    eval_items = None if eval_set is None else len(eval_set)
    findings.append(_judged(metrics, float(cfg["prompt_share"]), float(cfg["confidence"]), base, cfg["target_quality"], eval_items))
    return findings


def _items(ctx: Context, base: PromptBaseline, floor: float, ceiling: float) -> tuple[rule.ScoredItems, Finding | None]:
    eval_set = ctx.others.get("eval")
    eval_ids = None if eval_set is None else {id_key(i) for i in eval_set.ids}
    items = rule.sort_items(base.ids, [number(s) for s in base.scores], base.passed, base.rows, floor, ceiling, eval_ids, id_key)
    for row in base.unreadable_rows:
        items.reject("row not a JSON object", f"line {row}")
    rejected = sum(len(v) for v in items.unusable.values())
    if not rejected:
        return items, None
    reasons = "; ".join(f"{len(v):,} {reason}" for reason, v in items.unusable.items())
    used = f"{len(items.scores):,} usable rows remain" if items.scores else "no usable row remains, so prompting's share is not measured"
    unchecked = "" if eval_set is not None else " (ids were not checked against an eval set: none was given with --eval)"
    ids = [i for reason, v in items.unusable.items() for i in v if reason != "no id" and not str(i).startswith("line ")]
    finding = UNUSABLE_ROWS.finding(
        f"{rejected:,} of {len(base.ids) + len(base.unreadable_rows):,} rows of prompt baseline {base.source} cannot be "
        f"used ({reasons}); {used}{unchecked}",
        "export the baseline again from the eval run that scored the --eval set, one numeric score per item within the score range",
        ids,
        count=rejected,
        details={"unusable": {reason: [str(i) for i in v[:20]] for reason, v in items.unusable.items()}},
    )
    return items, finding


def _judged(
    metrics: Mapping[str, Any], threshold: float, confidence: float, base: PromptBaseline, configured_target: Any, eval_items: int | None
) -> Finding:
    share, target, score = metrics["prompt_share"], metrics["target_quality"], metrics["baseline_score"]
    low, high = metrics["prompt_share_ci_low"], metrics["prompt_share_ci_high"]
    evidence = f"{metrics['baseline_metric']} {score:.4g} against a target of {target:.4g}"
    if low is not None:
        evidence += f"; {confidence:.0%} interval {low:.1%} to {high:.1%} over {metrics['baseline_items']:,} items"
        if eval_items is not None and metrics["baseline_items"] < eval_items:
            evidence += f" of the {eval_items:,} in the eval set"
        if low < threshold <= high:
            evidence += f", which straddles {threshold:.0%}: more eval items would settle it"
    details: dict[str, Any] = {"share": share, "threshold": threshold, "techniques_not_tried": metrics["techniques_not_tried"]}
    if configured_target is not None and base.target is not None and base.target != configured_target:
        details["file_target"] = base.target  # decision.target_quality is the team's policy and wins
    missing = [rule.TECHNIQUE_TEXT[t] for t in metrics["techniques_not_tried"]]
    if rule.reaches(share, threshold):
        todo = f"not yet tried: {', '.join(missing)}" if missing else f"all five techniques ({FIVE}) are recorded as tried"
        action = (
            f"try {', '.join(missing)} and measure again; fine-tune only if prompting stays below {threshold:.0%} of the target"
            if missing
            else f"prompting is within {1 - share:.1%} of the target: check that the target is right before paying for training data"
        )
        return PROMPTING_SUFFICES.finding(
            f"prompting alone reaches {share:.1%} of the target quality ({evidence}), at or above the {threshold:.0%} "
            f"at which fine-tuning starts to be justified; {todo}",
            action,
            details=details,
        )
    return WARRANTED.finding(
        f"prompting alone reaches {share:.1%} of the target quality ({evidence}), below {threshold:.0%}: "
        "fine-tuning is warranted on this evidence",
        "go ahead once the data is ready; keep the baseline to compare the fine-tuned model with",
        details=details,
    )


