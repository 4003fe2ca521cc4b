"""TSK006: worked solutions whose final answer does not follow from their last step.

Math word-problem sets end each solution with its answer on a line of its own
(GSM8K writes ``#### 72``): graders and trainers read that line alone, so it
must be what the working arrived at. The last line of the working that holds
a number must hold the final answer (in digits, or a number word up to twenty: 'it took
three days'), rounded to the decimals the answer shows,
or the same amount in cents or percent (x100 or /100: 'costs $0.25 a can' and
'#### 25' for a question asked in cents). Calculator annotations are left out
before reading, so the number compared is the one a reader sees.

Not judged: a final answer that is not a single number (an expression, a
word, two values), and a solution without a number in its working.
"""

from __future__ import annotations

import re
from fractions import Fraction

from auditor.core.findings import CodeInfo, Severity
from checks.fidelity.arithmetic import severity
from checks.fidelity.base import RuleResult, View
from checks.fidelity.numbers import NUMBER, agrees, decimals, numbers_in, parse_number

__all__ = ["ACTION", "CODE", "KINDS", "find", "severity"]

CODE = CodeInfo(
    code="TSK006",
    symbol="final-answer-mismatch",
    severity=Severity.BLOCKER,
    summary="Worked solutions whose final answer line (#### 72) is not the number their last step arrives at.",
    why="The final answer line is what graders, filters and reward models read: a solution whose working ends "
    "on 64 and whose answer says 66 teaches the model that the answer need not follow from the reasoning, and "
    "one of the two is wrong.",
    fix="Read each listed solution and correct the working or the answer (the finding gives both numbers), or "
    "drop the record.",
    threshold="a blocker when two or more solutions slip and the slip rate among the solutions with a final "
    "answer line is at least fidelity.arithmetic_blocker_share = 2% with 95% confidence, a warning below",
)

KINDS = {"final-answer": "end on a final answer that is not the number their last step arrives at"}
ACTION = "correct the working or the final answer of these solutions (each example gives both) or drop them"

_FINAL = re.compile(rf"\n[ \t]*####[ \t]*(-?[$€£]?\s?(?:{NUMBER}))[ \t]*%?\.?[ \t]*$")
_ANNOTATION = re.compile(r"<<[^<>\n]{0,300}>>")


def _follows(final: Fraction, shown: int, stated: list[Fraction]) -> bool:
    """Whether the final answer is one of the last step's numbers, as written or in cents/percent."""
    for value in stated:
        for scaled in (value, value * 100, value / 100):
            if agrees(scaled, final, shown):
                return True
    return False


def find(view: View) -> RuleResult:
    result = RuleResult()
    for i, output in enumerate(view.outputs):
        if "####" not in output:
            continue
        m = _FINAL.search(output.rstrip())
        if m is None:
            continue
        written = m.group(1).replace("$", "").replace("€", "").replace("£", "").replace(" ", "")
        final = parse_number(written.lstrip("-"))
        if final is None:
            continue
        working = _ANNOTATION.sub("", output[: m.start()])
        last = next((line for line in reversed(working.splitlines()) if any(c.isdigit() for c in line)), None)
        if last is None:
            continue
        result.checked["final-answer"] += 1
        stated = numbers_in(last, words=True)
        if not _follows(final, decimals(written), stated):
            shown = ", ".join(f"{float(v):g}" for v in stated[-3:])
            result.flag(i, "final-answer", f"final answer {m.group(1).strip()}; the last step's numbers are {shown}")
    return result
