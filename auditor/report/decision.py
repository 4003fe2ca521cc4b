"""The decision table: prompting against fine-tuning, from the decision check's metrics.

Rows of plain text that each renderer lays out in its own way (terminal, Markdown,
HTML). Built from the report's metrics only, so it shows what the JSON says: a
figure the check could not estimate (no price given) reads "not estimated".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NOT_ESTIMATED = "not estimated"
HEADER = ("", "prompted model", "fine-tuned model")


def _money(value: Any, currency: str) -> str:
    return NOT_ESTIMATED if value is None else f"{value:,.2f} {currency}".rstrip()


def decision_rows(metrics: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(what, prompted model, fine-tuned model) rows; empty when the decision check did not run."""
    if "training_tokens" not in metrics:
        return []
    currency = str(metrics.get("currency") or "")
    rows = [("quality: share of the target", _share(metrics), "")]
    cost = metrics.get("training_cost")
    training = f"{metrics['training_tokens']:,} tokens ({metrics['epochs']} epochs)"
    rows.append(("training", "none", f"{training}, {_money(cost, currency) if cost is not None else 'cost ' + NOT_ESTIMATED}"))
    prompt, extra, answer = metrics.get("prompt_tokens") or 0.0, metrics.get("prompt_extra_tokens") or 0, metrics.get("answer_tokens") or 0.0
    rows.append(("tokens a call (in + out)", f"{prompt + extra:,.0f} + {answer:,.0f}", f"{prompt:,.0f} + {answer:,.0f}"))
    calls = metrics.get("calls_per_day")
    per_day = f"a day ({calls:,} calls)" if calls is not None else "a day (calls not given)"
    rows.append((per_day, _money(metrics.get("prompted_daily_cost"), currency), _money(metrics.get("tuned_daily_cost"), currency)))
    rows.append(("a year", _money(metrics.get("prompted_yearly_cost"), currency), _money(metrics.get("tuned_yearly_cost"), currency)))
    rows.append(("break-even", "", _break_even(metrics)))
    return rows


def _share(metrics: Mapping[str, Any]) -> str:
    share = metrics.get("prompt_share")
    if share is None:
        if metrics.get("baseline_form") is None:
            return "not asked (no --prompt-baseline)"
        return "no target given" if metrics.get("baseline_score") is not None else "no usable score"
    low, high = metrics.get("prompt_share_ci_low"), metrics.get("prompt_share_ci_high")
    interval = f" ({low:.1%} to {high:.1%})" if low is not None and high is not None else ""
    return f"{share:.1%}{interval}"


def _break_even(metrics: Mapping[str, Any]) -> str:
    day = metrics.get("break_even_day")
    if day is not None:
        return f"day {day:,}"
    return "never" if metrics.get("breaks_even") is False else NOT_ESTIMATED
