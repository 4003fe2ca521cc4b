"""A rubric: the team's criteria for judging an output, as the config states them.

Generation tasks have no label to agree on; what people must agree on is a
judgement of each output against the team's criteria. ``agreement.rubric`` lists
them: a name, the question a rater answers, and a scale (``pass/fail`` or
``1-N``, e.g. ``1-5``). The scale decides the level alpha is computed at:
nominal for pass/fail, ordinal for a rating scale (its points are ordered, their
spacing is not known to be equal). The sheet writer, the annotation readers and
the agreement check all read the rubric through :func:`rubric_of`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.runtime.errors import ConfigError

PASS_FAIL = "pass/fail"
PASS, FAIL = "pass", "fail"
_RATING = re.compile(r"^\s*1\s*-\s*(\d{1,2})\s*$")

#: An example rubric for ``auditor init``: written out commented, never in force by default.
EXAMPLE: tuple[dict[str, str], ...] = (
    {"name": "correct", "question": "Is every statement in the reply factually correct for this request?", "scale": PASS_FAIL},
    {"name": "complete", "question": "Does the reply answer everything the customer asked?", "scale": PASS_FAIL},
    {"name": "tone", "question": "How well does the reply's tone fit the customer's situation?", "scale": "1-5"},
)


@dataclass(frozen=True)
class Criterion:
    name: str
    question: str
    scale: str  # "pass/fail" or "1-N"

    @property
    def points(self) -> int | None:
        """The top of a rating scale (5 for "1-5"); None for pass/fail."""
        m = _RATING.match(self.scale)
        return int(m.group(1)) if m else None

    @property
    def level(self) -> str:
        """The level of measurement the scale implies: nominal for pass/fail, ordinal for ratings."""
        return "nominal" if self.points is None else "ordinal"

    @property
    def labels(self) -> list[str]:
        """Every value on the scale, lowest first (fail before pass)."""
        return [FAIL, PASS] if self.points is None else [str(i) for i in range(1, self.points + 1)]

    def fails(self, label: str) -> bool | None:
        """Whether one rating fails the criterion; None when the label is off the scale.

        A rating fails below the scale's middle (1-2 on 1-5, 1-3 on 1-7): the
        rater says the output falls short more than it meets the criterion.
        """
        text = label.strip().lower()
        if self.points is None:
            return {FAIL: True, PASS: False, "false": True, "true": False, "0": True, "1": False}.get(text)
        try:
            value = float(text)
        except ValueError:
            return None
        if not 1 <= value <= self.points:
            return None
        return value < (self.points + 1) / 2

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "question": self.question, "scale": self.scale}


def parse_rubric(entries: Sequence[Any], origin: str = "agreement.rubric") -> list[Criterion]:
    """Criteria from the config's list of tables; ConfigError names the entry that is wrong."""
    out: list[Criterion] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"{origin}[{i}]"
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where} must be a table with name, question and scale, got {entry!r}")
        unknown = sorted(set(map(str, entry)) - {"name", "question", "scale"})
        if unknown:
            raise ConfigError(f"{where}: unknown key{'s' * (len(unknown) > 1)} {', '.join(map(repr, unknown))} (use name, question, scale)")
        name = entry.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_ -]*", name.strip() or "-"):
            raise ConfigError(f"{where}.name must be a short name of letters, digits, '_', '-' or spaces, got {name!r}")
        name = name.strip()
        if name in seen:
            raise ConfigError(f"{where}.name {name!r} is used twice")
        seen.add(name)
        question = entry.get("question", "")
        if not isinstance(question, str):
            raise ConfigError(f"{where}.question must be text, got {question!r}")
        scale = entry.get("scale", PASS_FAIL)
        m = _RATING.match(scale) if isinstance(scale, str) else None
        if not (isinstance(scale, str) and (scale.strip().lower() == PASS_FAIL or (m and 2 <= int(m.group(1)) <= 10))):
            raise ConfigError(f"{where}.scale must be 'pass/fail' or a rating scale '1-N' (N from 2 to 10), got {scale!r}")
        out.append(Criterion(name, question.strip(), PASS_FAIL if not m else f"1-{int(m.group(1))}"))
    return out


def rubric_of(config: Any) -> list[Criterion]:
    """The configured rubric (empty when none): ``config`` is a Config or the agreement section."""
    entries = config.get("rubric") if isinstance(config, Mapping) else config.get("agreement.rubric")
    return parse_rubric(entries or [])
