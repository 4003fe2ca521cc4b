"""The prompt-first rule: how much of the target quality prompting alone already reaches.

Prompting's share of the target is measured from the score scale's floor:
``(score - lowest) / (target - lowest)``, which is ``score / target`` on a 0-1
(or 0-100) scale and keeps a 1-5 rating from looking 20 % better than it is.
With per-item scores, a percentile bootstrap over the items gives the share's
interval (seeded, so a run is reproducible).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: The five prompt techniques to exhaust before fine-tuning, in the order they are usually tried.
TECHNIQUES = ("few-shot", "chain-of-thought", "structured-output", "system-prompt", "prompt-chaining")
TECHNIQUE_TEXT = {
    "few-shot": "few-shot examples",
    "chain-of-thought": "chain of thought",
    "structured-output": "structured outputs",
    "system-prompt": "system-prompt refinement",
    "prompt-chaining": "prompt chaining",
}
# How teams write them in a results file: each normalised (lower case, words joined by '-') first.
_ALIASES = {
    "few-shot-examples": "few-shot", "fewshot": "few-shot", "few-shot-prompting": "few-shot", "in-context-examples": "few-shot",
    "cot": "chain-of-thought", "chain-of-thoughts": "chain-of-thought", "step-by-step": "chain-of-thought",
    "structured-outputs": "structured-output", "json-mode": "structured-output", "json-schema": "structured-output",
    "system-prompt-refinement": "system-prompt", "system-prompts": "system-prompt", "prompt-refinement": "system-prompt",
    "prompt-chain": "prompt-chaining", "chaining": "prompt-chaining", "prompt-chains": "prompt-chaining",
}  # fmt: skip


def technique(name: str) -> str:
    """A technique's canonical name, or the normalised name when it is not one of the five."""
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    return _ALIASES.get(key, key)


def not_tried(tried: Iterable[str]) -> list[str]:
    done = {technique(t) for t in tried}
    return [t for t in TECHNIQUES if t not in done]


def share_of_target(score: float, target: float, floor: float) -> float:
    return (score - floor) / (target - floor)


def reaches(share: float, threshold: float) -> bool:
    """At or above the threshold, judged after rounding: 0.72 / 0.9 is 0.7999999999999999 in floats, and is 80 %."""
    return round(share, 9) >= threshold


def bootstrap_mean(scores: np.ndarray, samples: int, confidence: float, seed: int) -> tuple[float, float] | None:
    """Percentile interval of the mean of ``scores`` over ``samples`` resamples of the items; None below 2 items."""
    n = scores.size
    if n < 2 or samples <= 0:
        return None
    rng = np.random.default_rng(seed)
    means = np.empty(samples, dtype=np.float64)
    # Resamples drawn a block at a time so that a large eval set never needs samples x n indices at once.
    block = max(1, 2_000_000 // n)
    for start in range(0, samples, block):
        k = min(block, samples - start)
        means[start : start + k] = scores[rng.integers(0, n, size=(k, n))].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class ScoredItems:
    """Per-item rows sorted into usable scores and the rows that cannot be used, by reason."""

    ids: list[Any] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    passed: list[bool] = field(default_factory=list)
    unusable: dict[str, list[Any]] = field(default_factory=dict)  # reason -> ids (or row numbers)

    def reject(self, reason: str, what: Any) -> None:
        self.unusable.setdefault(reason, []).append(what)


def sort_items(
    ids: Sequence[Any],
    scores: Sequence[float | None],
    passed: Sequence[Any] | None,
    rows: Sequence[int],
    floor: float,
    ceiling: float,
    eval_ids: set[str] | None,
    key: Any,
) -> ScoredItems:
    """Usable items, in file order: a finite score within [floor, ceiling], an id given once and (with an eval set) in it."""
    out = ScoredItems()
    seen: set[str] = set()
    for i, (item, score) in enumerate(zip(ids, scores)):
        k = key(item)
        if item is None or k == "":
            out.reject("no id", f"row {rows[i]}")
        elif score is None:
            out.reject("score not a number", item)
        elif not floor <= score <= ceiling:
            out.reject(f"score outside {floor:g}-{ceiling:g}", item)
        elif k in seen:
            out.reject("id repeated", item)
        elif eval_ids is not None and k not in eval_ids:
            out.reject("id not in the eval set", item)
        else:
            seen.add(k)
            out.ids.append(item)
            out.scores.append(score)
            if passed is not None:
                out.passed.append(_truthy(passed[i]))
    return out


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y", "pass", "passed")
    return bool(value)
