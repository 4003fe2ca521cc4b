"""Scales judged at their level: the level a set of labels implies, and advice for rating scales.

Numeric ratings audited as nominal categories count a 4 against a 5 as far
apart as a 1 against a 5: alpha then understates agreement (POPQUORN
offensiveness, 1-5: nominal 0.134, ordinal 0.286), and "raters confuse '4' vs
'5'" says nothing useful. On a scale the useful questions are whether a rater
sits systematically higher or lower than the others, how far ratings of one
item spread, and which items spread the most.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Numbers are read as a scale only from this many distinct values: a 1-5 rating has five,
#: while three or four numbers are as often codes for categories (zheng2017's dog breeds
#: are 0-3), which the default nominal level already judges right.
MIN_SCALE_VALUES = 5
#: Whole-number ratings with at most this many distinct values are read as ordered
#: categories (a Likert scale: order known, spacing not); more values, as an interval scale.
ORDINAL_MAX_VALUES = 10
#: Raters and items named in advice.
TOP_RATERS = 3
TOP_ITEMS = 5
#: A rater's offset is only reported from this many shared items: fewer is noise.
MIN_OFFSET_ITEMS = 5


@dataclass(frozen=True)
class Inferred:
    level: str  # "ordinal" or "interval"
    reason: str  # "5 distinct whole numbers from 1 to 5"


def infer_level(labels: Sequence[str]) -> Inferred | None:
    """The level numeric labels imply; None for text labels, or for fewer than MIN_SCALE_VALUES numbers."""
    numbers: list[float] = []
    for label in labels:
        try:
            x = float(label)
        except ValueError:
            return None
        if not np.isfinite(x):
            return None
        numbers.append(x)
    distinct = sorted(set(numbers))
    if len(distinct) < MIN_SCALE_VALUES:
        return None
    whole = all(x.is_integer() for x in distinct)
    low, high = _fmt(distinct[0]), _fmt(distinct[-1])
    if whole and len(distinct) <= ORDINAL_MAX_VALUES:
        return Inferred("ordinal", f"{len(distinct)} distinct whole numbers from {low} to {high}")
    kind = "whole numbers" if whole else "numbers"
    return Inferred("interval", f"{len(distinct)} distinct {kind} from {low} to {high}")


def scale_advice(
    units: np.ndarray, raters: np.ndarray, values: np.ndarray, names: Sequence[str], ids: Sequence[Any], labels: Sequence[str]
) -> dict[str, Any]:
    """Each rater's systematic offset, the spread of ratings per item, and the widest items.

    ``values`` is each annotation's position on the scale (its number, or its
    rank for ordered text labels). A rater's offset is the mean, over the items
    they share with others, of their rating minus the mean of the others'
    ratings of that item: +0.8 means "rates 0.8 points higher than the others".
    """
    n = int(units.max()) + 1 if len(units) else 0
    count = np.bincount(units, minlength=n).astype(np.float64)
    total = np.bincount(units, weights=values, minlength=n)
    shared = count[units] >= 2
    others = (total[units] - values) / np.maximum(count[units] - 1, 1)
    diff = np.where(shared, values - others, 0.0)
    k = len(names)
    items = np.bincount(raters[shared], minlength=k)
    offset = np.bincount(raters, weights=diff, minlength=k) / np.maximum(items, 1)
    offsets = {
        names[i]: {"offset": round(float(offset[i]), 4), "items": int(items[i])} for i in range(k) if items[i] >= MIN_OFFSET_ITEMS
    }
    pairable = np.flatnonzero(count >= 2)
    low = np.full(n, np.inf)
    high = np.full(n, -np.inf)
    np.minimum.at(low, units, values)
    np.maximum.at(high, units, values)
    mean = total / np.maximum(count, 1)
    sq = np.bincount(units, weights=(values - mean[units]) ** 2, minlength=n)
    sd = np.sqrt(sq / np.maximum(count, 1))
    spread = high[pairable] - low[pairable]
    order = pairable[np.lexsort((pairable, -sd[pairable], -spread))] if len(pairable) else pairable
    widest = [
        {"id": ids[u], "low": _fmt(low[u]), "high": _fmt(high[u]), "sd": round(float(sd[u]), 4), "ratings": int(count[u])}
        for u in order[:TOP_ITEMS]
        if high[u] > low[u]
    ]
    span = float(values.max() - values.min()) if len(values) else 0.0
    return {
        "rater_offsets": dict(sorted(offsets.items(), key=lambda kv: -abs(kv[1]["offset"]))),
        "mean_item_sd": round(float(sd[pairable].mean()), 4) if len(pairable) else None,
        "mean_item_range": round(float(spread.mean()), 4) if len(pairable) else None,
        "items_spanning_half_the_scale": int((spread >= span / 2).sum()) if span > 0 else 0,
        "widest_items": widest,
        "scale": [labels[0], labels[-1]] if labels else [],
    }


def advice_text(advice: dict[str, Any]) -> str:
    """The remedy for a rating scale in words: offsets to calibrate, items to discuss, anchors to write."""
    parts = []
    biased = [(name, o) for name, o in advice["rater_offsets"].items() if abs(o["offset"]) >= 0.1][:TOP_RATERS]
    if biased:
        listed = ", ".join(
            f"{name!r} rates {abs(o['offset']):.2f} points {'higher' if o['offset'] > 0 else 'lower'} than the others "
            f"({o['items']} items)"
            for name, o in biased
        )
        parts.append(f"calibrate raters with a systematic offset: {listed}")
    if advice["mean_item_sd"] is not None:
        spread = f"ratings of one item spread by {advice['mean_item_sd']:.2f} points (SD) on average"
        if advice["widest_items"]:
            shown = "; ".join(f"{w['id']} ({w['low']} to {w['high']})" for w in advice["widest_items"][:3])
            spread += f", widest: {shown}"
        parts.append(spread + "; discuss the widest items and write an anchored example for each scale point")
    parts.append("relabel the most-disagreed items (AGR007) and measure agreement again")
    return "; ".join(parts)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"
