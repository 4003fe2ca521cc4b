"""TSK011: outputs that run on into another example: a new 'Instruction:', or 'Input:' and 'Output:' blocks.

Generated sets keep the generator's template: an output that answers and then
goes on with '18. Instruction: Identify the noun ...' (the cleaned-Alpaca
project's 'merged instructions'), or with 'Input: ... Output: ...' pairs, is
two or more training examples glued into one target. The model learns to keep
writing new tasks after its answer.

Flagged when, after the output's first line, a line starts with an
'Instruction:' label, or with both an 'Input:' and an 'Output:' (or
'Response:') label. Not flagged when the input itself uses these labels or
asks for input and output pairs (examples written that way on purpose).
"""

from __future__ import annotations

import re

from auditor.core.findings import CodeInfo, Severity
from checks.fidelity.base import RuleResult, View

CODE = CodeInfo(
    code="TSK011",
    symbol="merged-examples",
    severity=Severity.WARNING,
    summary="Outputs that run on into another example: after the answer, a new 'Instruction:' or "
    "'Input:'/'Output:' block.",
    why="Each is several training examples glued into one target: the model learns to go on writing new tasks "
    "and answers after its own answer. The cleaned-Alpaca project lists these as merged instructions.",
    fix="Cut each output after its own answer (the rest may be kept as separate records), or drop the records; "
    "look at the generator's stop sequence.",
    threshold="any record whose input does not use the labels itself",
)

KINDS = {"merged": "run on after their answer into another example ('Instruction:' or 'Input:'/'Output:' blocks)"}
ACTION = "cut these outputs after their own answer (keep the rest as separate records if useful) or drop them"

_LABEL = re.compile(r"^[ \t]*(?:#+[ \t]*)?(?:\d+\.[ \t]*)?(Instruction|Input|Output|Response)[ \t]*:", re.M | re.I)
_ASKS_PAIRS = re.compile(r"\binput\b.{0,60}\boutput\b|\boutput\b.{0,60}\binput\b|\bexamples?\b.{0,40}\bformat\b", re.I | re.S)


def find(view: View) -> RuleResult:
    result = RuleResult()
    for i, output in enumerate(view.outputs):
        if "nput:" not in output and "nstruction:" not in output and "NPUT:" not in output and "NSTRUCTION:" not in output:
            continue
        text = output.lstrip()
        start = text.find("\n")  # after the first line: an answer may begin with its own label
        if start < 0:
            continue
        found = list(_LABEL.finditer(text, start))
        labels = {m.group(1).lower() for m in found}
        merged = "instruction" in labels or ("input" in labels and labels & {"output", "response"})
        if not merged:
            continue
        inp = view.inputs[i]
        if _LABEL.search(inp) or _ASKS_PAIRS.search(inp[:2000]):
            continue
        at = text.count("\n", 0, found[0].start()) + 1
        result.flag(i, "merged", f"line {at} starts another example: {found[0].group(0).strip()!r}")
    for kind in KINDS:  # every output can be checked: the share is of all records
        result.checked[kind] = len(view)
    return result
