"""The decision family's finding codes: what each means, why it matters, how to act on it."""

from __future__ import annotations

from auditor.core.findings import CodeInfo, Severity

NOT_ASKED = CodeInfo(
    code="DEC001",
    symbol="prompt-baseline-missing",
    severity=Severity.INFO,
    summary="No prompt baseline was given, so whether prompting alone is enough was not asked.",
    why="Fine-tuning pays only when prompting cannot reach the quality needed: a team that has not measured its best "
    "prompt-only system may spend weeks on data a better prompt makes unnecessary.",
    fix="Score the best prompt-only system on the eval set and pass the scores with --prompt-baseline FILE (per item: "
    "id, score; or a summary: metric, score, target, techniques). Raise this code's severity to make the question "
    "mandatory.",
)
PROMPTING_SUFFICES = CodeInfo(
    code="DEC002",
    symbol="prompting-reaches-target",
    severity=Severity.WARNING,
    summary="Prompting alone already reaches at least 80 % of the target quality: fine-tuning is not yet justified.",
    why="Within a fifth of the target, prompt techniques not yet tried usually close the gap for a fraction of the "
    "cost of collecting, labelling and training on data, and without a model to maintain.",
    fix="Try the techniques the finding lists (few-shot examples, chain of thought, structured outputs, "
    "system-prompt refinement, prompt chaining) and measure again; fine-tune when they stay below the share.",
    threshold="decision.prompt_share = 0.8 of decision.target_quality",
)
WARRANTED = CodeInfo(
    code="DEC003",
    symbol="fine-tuning-warranted",
    severity=Severity.INFO,
    summary="Prompting alone stays below 80 % of the target quality: fine-tuning is warranted on this evidence.",
    why="When the best prompt-only system is far from the target, more prompting rarely closes the gap; training on "
    "good data is the next step.",
    fix="Nothing to fix: the remaining findings say whether the data is ready for it.",
    threshold="decision.prompt_share = 0.8 of decision.target_quality",
)
NO_TARGET = CodeInfo(
    code="DEC004",
    symbol="baseline-without-target",
    severity=Severity.INFO,
    summary="A prompt baseline was given without a target quality, so its share of the target is unknown.",
    why="The prompt-first rule compares prompting with the quality the task needs; a score alone does not say "
    "whether fine-tuning is justified.",
    fix="Set decision.target_quality (in the baseline's score units) or a 'target' in the baseline file.",
)
UNUSABLE_ROWS = CodeInfo(
    code="DEC005",
    symbol="baseline-rows-unusable",
    severity=Severity.WARNING,
    summary="Rows of the prompt baseline cannot be used: no id, a score that is not a number or off the score "
    "range, a repeated id, or an id the eval set does not have.",
    why="Prompting's share of the target is computed from the usable rows only; scores for other items, or on "
    "another scale, would make it say something about a different eval set.",
    fix="Export the baseline again from the eval run that scored the --eval set, with one numeric score per item "
    "within the range (decision.score_min to decision.score_max, or the file's 'range').",
)
BUDGET = CodeInfo(
    code="DEC006",
    symbol="training-budget",
    severity=Severity.INFO,
    summary="What training on this file costs: tokens per example, training tokens for the epochs, and the cost "
    "when a price is given.",
    why="Hosted fine-tuning bills every token of the training file once per epoch; the budget is known before "
    "the job starts.",
    fix="Nothing to fix. Set decision.training_price (per million training tokens) for the cost, and "
    "decision.epochs to the epochs you will train.",
)
ECONOMICS = CodeInfo(
    code="DEC007",
    symbol="production-economics",
    severity=Severity.INFO,
    summary="The prompted and the fine-tuned model's inference cost per day and per year at production volume, "
    "and the day fine-tuning has paid for its training.",
    why="A model ten times the price may be fine for occasional work but not for fifty thousand calls a day; "
    "the break-even day puts the training cost against the daily saving.",
    fix="Nothing to fix. Set decision.calls_per_day and the four inference prices (decision.prompted_input_price, "
    "prompted_output_price, tuned_input_price, tuned_output_price) for the figures.",
)

CODES = (NOT_ASKED, PROMPTING_SUFFICES, WARRANTED, NO_TARGET, UNUSABLE_ROWS, BUDGET, ECONOMICS)
