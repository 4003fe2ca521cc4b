"""What fine-tuning costs: the training budget, and inference at production volume against prompting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.core.context import Context
from auditor.core.findings import Finding
from checks.decision.budget import TokenTotal, token_total
from checks.decision.codes import BUDGET, ECONOMICS
from checks.decision.economics import break_even_day, call_cost, never_breaks_even, per_million


@dataclass(frozen=True)
class Training:
    """Tokens of the training records' inputs and outputs: all a judgement needs of the texts."""

    inputs: TokenTotal
    outputs: TokenTotal


def measure(ctx: Context, sample: int) -> Training:
    """The training records' tokens (a partition's, in a partitioned run)."""
    estimate, exact, _ = ctx.cached(counting)
    # Seeded by the run's seed and the first record's line: each partition draws its own sample.
    seed = [ctx.seed, int(ctx.dataset.lines[0]) if len(ctx.dataset) else 0]
    data = ctx.dataset
    return Training(
        token_total(data.inputs, estimate, exact, seed, sample), token_total(data.outputs, estimate, exact, seed, sample)
    )


def counting(ctx: Context) -> tuple[Any, Any, str]:
    """(estimate, exact or None, the counter's name): the run's one token counter, as the quality check uses it.

    A feature (``ctx.cached(counting)``): a tokenizer takes a moment to load, and is loaded once a run.
    """
    from auditor.features.tokens import make_counter, token_counter

    # The engine's feature, so the model family the quality check counts for is the one counted here.
    counter = ctx.cached(token_counter)
    estimate = counter.count_many if not counter.exact else make_counter("estimate").count_many
    return estimate, (counter.count_many if counter.exact else None), counter.name


def _tokens(ctx: Context, texts: Sequence[str]) -> TokenTotal:
    estimate, exact, _ = ctx.cached(counting)
    return token_total(texts, estimate, exact, ctx.seed)


def _how(total: TokenTotal, name: str) -> str:
    if total.counted == 0:
        return "estimated offline (set quality.tokenizer to count exactly)"
    if total.exact:
        return f"counted with {name}"
    return f"counted with {name} on a seeded sample of {total.counted:,} and scaled to all {total.items:,}"


def _money(value: float | None, currency: str) -> str:
    return "not estimated" if value is None else f"{value:,.2f} {currency}".rstrip()


def training_budget(ctx: Context, cfg: Mapping[str, Any], metrics: dict[str, Any], training: Training) -> list[Finding]:
    inputs, outputs = training.inputs, training.outputs
    examples = inputs.items
    per_epoch = inputs.total + outputs.total
    epochs = int(cfg["epochs"])
    total = per_epoch * epochs
    cost = per_million(total, cfg["training_price"])
    name = ctx.cached(counting)[2]
    metrics.update(
        training_examples=examples,
        tokens_per_example=round(per_epoch / examples, 1) if examples else 0.0,
        training_tokens_per_epoch=round(per_epoch),
        epochs=epochs,
        training_tokens=round(total),
        token_counting=name,
        tokens_exact=inputs.exact and outputs.exact,
        tokens_counted=inputs.counted,
        training_cost=_round(cost),
        currency=str(cfg["currency"]),
    )
    price = (
        f"cost {_money(cost, str(cfg['currency']))} at {cfg['training_price']:g} per million training tokens"
        if cost is not None
        else "cost not estimated: no decision.training_price (per million training tokens) is set, and none is built in"
    )
    return [
        BUDGET.finding(
            f"{examples:,} examples of {metrics['tokens_per_example']:,.0f} tokens on average, {_how(inputs, name)}: "
            f"{metrics['training_tokens_per_epoch']:,} training tokens per epoch, {metrics['training_tokens']:,} for "
            f"{epochs} epoch{'s' * (epochs != 1)}; {price}",
            "set decision.epochs to the epochs you will train and decision.training_price to your provider's current price",
        )
    ]


def production_economics(ctx: Context, cfg: Mapping[str, Any], metrics: dict[str, Any], training: Training) -> list[Finding]:
    currency = str(cfg["currency"])
    prompts_from, prompts = _lengths(ctx, ("reference", "eval"), "inputs", training.inputs)
    answers_from, answers = _lengths(ctx, ("eval", "reference"), "outputs", training.outputs)
    extra = int(cfg["prompt_extra_tokens"])
    calls = cfg["calls_per_day"]
    prompted = call_cost(calls, prompts.mean + extra, answers.mean, cfg["prompted_input_price"], cfg["prompted_output_price"])
    tuned = call_cost(calls, prompts.mean, answers.mean, cfg["tuned_input_price"], cfg["tuned_output_price"])
    day = break_even_day(metrics["training_cost"], prompted.daily, tuned.daily)
    never = never_breaks_even(prompted.daily, tuned.daily, metrics["training_cost"])
    metrics.update(
        calls_per_day=calls,
        prompt_tokens=round(prompts.mean, 1),
        prompt_extra_tokens=extra,
        answer_tokens=round(answers.mean, 1),
        prompt_tokens_from=prompts_from,
        answer_tokens_from=answers_from,
        prompted_daily_cost=_round(prompted.daily),
        prompted_yearly_cost=_round(prompted.yearly),
        tuned_daily_cost=_round(tuned.daily),
        tuned_yearly_cost=_round(tuned.yearly),
        break_even_day=day,
        breaks_even=None if day is None and not never else not never,
    )
    lengths = (
        f"{prompts.mean:,.0f}{f' + {extra:,}' if extra else ''} prompt and {answers.mean:,.0f} answer tokens a call "
        f"(prompts from the {prompts_from} set, answers from the {answers_from} set)"
    )
    if calls is None:
        message = f"production economics not estimated: no decision.calls_per_day is set; {lengths}"
    else:
        message = (
            f"at {calls:,} calls a day of {lengths}: the prompted model costs {_money(prompted.daily, currency)} a day "
            f"({_money(prompted.yearly, currency)} a year), the fine-tuned model {_money(tuned.daily, currency)} a day "
            f"({_money(tuned.yearly, currency)} a year); {_break_even(day, never, metrics['training_cost'], currency)}"
        )
    return [
        ECONOMICS.finding(
            message,
            "set decision.calls_per_day and both models' prices per million input and output tokens "
            "(decision.prompted_input_price, prompted_output_price, tuned_input_price, tuned_output_price)",
        )
    ]


def _break_even(day: int | None, never: bool, training: float | None, currency: str) -> str:
    if never:
        return "fine-tuning never pays for its training: the fine-tuned model costs as much or more a day"
    if day is None:
        return "the break-even day is not estimated (a price is missing)"
    return f"fine-tuning pays for its training ({_money(training, currency)}) on day {day:,}"


def _lengths(ctx: Context, order: tuple[str, ...], column: str, training: TokenTotal) -> tuple[str, TokenTotal]:
    """Average tokens of prompts (or answers) from the first set that has them: production-like sets before training."""
    for name in order:
        other = ctx.others.get(name)
        if other is not None and len(other) and any(getattr(other, column)):
            return name, _tokens(ctx, getattr(other, column))
    return "training", training


def _round(value: float | None) -> float | None:
    # Six decimals: a cost of a few cents must not round to a different figure in the JSON.
    return None if value is None else round(value, 6)
