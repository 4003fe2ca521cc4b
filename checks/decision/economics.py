"""The arithmetic of the decision: training cost, inference cost per day and year, break-even.

Prices are per million tokens, in the team's currency, and only ever come from
the config: prices change every few months, so a built-in one would be a made-up
figure. Whatever a price is missing for is ``None`` ("not estimated"), never 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MILLION = 1_000_000
DAYS_PER_YEAR = 365


def per_million(tokens: float, price: float | None) -> float | None:
    """The cost of ``tokens`` at ``price`` per million tokens; None without a price."""
    return None if price is None else tokens * price / MILLION


@dataclass(frozen=True)
class CallCost:
    """One model's cost of serving production traffic."""

    input_tokens: float  # per call
    output_tokens: float  # per call
    daily: float | None  # None: a price is missing
    yearly: float | None


def call_cost(calls_per_day: int | None, input_tokens: float, output_tokens: float, input_price: float | None, output_price: float | None) -> CallCost:
    """Daily and yearly cost of ``calls_per_day`` calls of the given average lengths."""
    if calls_per_day is None or input_price is None or output_price is None:
        return CallCost(input_tokens, output_tokens, None, None)
    per_call = (input_tokens * input_price + output_tokens * output_price) / MILLION
    daily = calls_per_day * per_call
    return CallCost(input_tokens, output_tokens, daily, daily * DAYS_PER_YEAR)


def break_even_day(training_cost: float | None, prompted_daily: float | None, tuned_daily: float | None) -> int | None:
    """The first day on which fine-tuning has paid for its training: ceil(training / daily saving).

    None when it cannot be said (a cost not estimated) or never happens (the
    fine-tuned model costs as much or more per day, or saves too little for
    the days to be counted); ``never_breaks_even`` tells those apart.
    """
    if training_cost is None or prompted_daily is None or tuned_daily is None:
        return None
    saving = prompted_daily - tuned_daily
    if saving <= 0:
        return None
    days = training_cost / saving
    if not math.isfinite(days):  # a saving of a fraction of a cent a day: no day in sight
        return None
    # Rounded first: prices times token averages carry float noise, and 10.000000000000002
    # days must be day 10, not day 11.
    return max(1, math.ceil(round(days, 9)))


def never_breaks_even(prompted_daily: float | None, tuned_daily: float | None, training_cost: float | None = None) -> bool:
    if prompted_daily is None or tuned_daily is None:
        return False
    saving = prompted_daily - tuned_daily
    return saving <= 0 or (training_cost is not None and not math.isfinite(training_cost / saving))
