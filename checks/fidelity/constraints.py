"""TSK002: outputs that break a verifiable constraint their own instruction states.

The constraints are parsed by ``checks.fidelity.instructions`` (IFEval's types,
only where the wording is unambiguous) and counted by
``checks.fidelity.counting``; each kind is reported on its own, with the share
of the records stating it that break it. A count is only checked when the
output has the shape it needs (items in a list or a short enumeration).
"""

from __future__ import annotations

import re

from auditor.core.findings import CodeInfo, Severity
from checks.fidelity import counting
from checks.fidelity.base import RuleResult, View
from checks.fidelity.instructions import Constraint, constraints
from checks.quality_rules.language import detected_language

CODE = CodeInfo(
    code="TSK002",
    symbol="constraint-violated",
    severity=Severity.WARNING,
    summary="Outputs that break a checkable constraint of their own instruction: a length in words, sentences, "
    "paragraphs or items, a format (JSON, table, numbered or bulleted list, yes/no), letter case, language, "
    "a required start or end, a word to include or avoid.",
    why="An example whose answer ignores what its instruction asked (five items when three were asked, English when "
    "French was) teaches the model that instructions are optional: it learns to ignore exactly the constraints "
    "users will give it.",
    fix="Rewrite the outputs to follow their instruction, or change the instruction to what the output does; a "
    "template whose outputs all break it (e.g. 'in 2 or 3 sentences' over longer summaries) needs its wording fixed.",
    threshold="any record; a constraint is only checked when the instruction states it unambiguously in an order "
    "(imperative) sentence, outside quoted material",
)

KINDS = {
    "words": "break the word count their instruction states",
    "sentences": "break the sentence count their instruction states",
    "paragraphs": "break the paragraph count their instruction states",
    "items": "list a different number of items than their instruction asks for",
    "bullets": "are not the bulleted list (or number of bullets) their instruction asks for",
    "numbered": "are not the numbered list their instruction asks for",
    "json": "hold no JSON where their instruction asks for JSON",
    "table": "hold no table where their instruction asks for a table",
    "yes-no": "do not answer yes or no where their instruction asks for yes or no",
    "case": "break the letter case their instruction asks for",
    "language": "are not in the language their instruction asks for",
    "starts": "do not start the way their instruction asks",
    "ends": "do not end the way their instruction asks",
    "includes": "leave out a word their instruction says to include",
    "excludes": "use a word their instruction says to avoid",
    "code-only": "wrap their code in prose where their instruction asks for code only",
}
ACTION = "rewrite these outputs to follow their instruction (or fix the instruction when a whole template breaks it)"

_STRIP = " \t\n\"'*#>`_"
_FENCED = re.compile(r"```.*?(?:```|$)", re.S)
# Words outside the code block that make it prose around code, not a label ("Python:") or a file name.
_PROSE_WORDS = 6


def _bounds_note(c: Constraint, got: int) -> str | None:
    if got < c.low or (c.high and got > c.high):
        return f"{c.describe()}, has {got}"
    return None


def _yes_no(output: str) -> str | None:
    first = re.match(r"[A-Za-z]+", output.lstrip(_STRIP))
    return None if first and first.group(0).lower() in ("yes", "no") else "asks for yes or no, answers otherwise"


def _case(output: str, which: str) -> str | None:
    cased = [ch for ch in output if ch.isalpha() and ch.upper() != ch.lower()]
    if len(cased) < 3:
        return None
    wrong = sum(1 for ch in cased if (ch.islower() if which == "upper" else ch.isupper()))
    return f"asks for {which}case, {wrong} of {len(cased)} letters are not" if wrong else None


def _word_in(word: str, output: str) -> bool:
    if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", output, re.I):
        return True
    # An inflected form ("run" -> "running", "happy" -> "happiness") still uses the word.
    stem = word[: max(4, len(word) - 2)] if " " not in word else word
    return len(word) >= 4 and re.search(rf"(?<!\w){re.escape(stem)}", output, re.I) is not None


def judgeable(c: Constraint, output: str) -> bool:
    """Whether the output has the shape the constraint needs: items need a list or an enumeration,
    code-only needs a fenced block to tell the code from the prose. The rest always can be judged."""
    if c.kind == "items":
        return counting.items(output) is not None
    if c.kind == "code-only":
        return "```" in output
    return True


def violation(c: Constraint, output: str) -> str | None:
    """What ``output`` does against constraint ``c``, or None when it keeps it (or cannot be judged)."""
    kind = c.kind
    if kind == "words":
        return _bounds_note(c, counting.words(output))
    if kind == "sentences":
        return _bounds_note(c, counting.sentences(output))
    if kind == "paragraphs":
        return _bounds_note(c, counting.paragraphs(output))
    if kind == "items":
        got = counting.items(output)
        return None if got is None else _bounds_note(c, got)
    if kind == "code-only":
        prose = counting.words(_FENCED.sub(" ", output)) if "```" in output else 0
        return f"asks for code only, has {prose} words outside its code block" if prose >= _PROSE_WORDS else None
    if kind == "bullets":
        return _bounds_note(c, counting.list_lines(output))
    if kind == "numbered":
        return None if counting.numbered_lines(output) >= 2 else "asks for a numbered list, has none"
    if kind == "json":
        return None if ("{" in output or "[" in output) else "asks for JSON, has no object or array"
    if kind == "table":
        has = "|" in output or "\t" in output or "<table" in output.lower() or len(re.findall(r"\S {2,}\S", output)) >= 4
        return None if has else "asks for a table, has none"
    if kind == "yes-no":
        return _yes_no(output)
    if kind == "case":
        return _case(output, c.value)
    if kind == "language":
        other = detected_language(output, c.value)
        return f"asks for {c.value}, looks like {other}" if other else None
    if kind == "starts":
        return None if output.lstrip(_STRIP).lower().startswith(c.value.lower()) else f"asks to start with {c.value!r}"
    if kind == "ends":
        end = c.value.lower().rstrip(".!? ")
        return None if output.rstrip(_STRIP + ".!?").lower().endswith(end) else f"asks to end with {c.value!r}"
    if kind == "includes":
        return None if _word_in(c.value, output) else f"asks to include {c.value!r}"
    if kind == "excludes":
        return f"asks to avoid {c.value!r}, uses it" if re.search(rf"(?<!\w){re.escape(c.value)}(?!\w)", output, re.I) else None
    return None


def find(view: View) -> RuleResult:
    result = RuleResult()
    for i, instruction in enumerate(view.instructions):
        output = view.outputs[i].strip()
        if not output:
            continue
        for c in constraints(instruction):
            if not judgeable(c, output):
                continue
            result.checked[c.kind] += 1
            note = violation(c, output)
            if note is not None:
                result.flag(i, c.kind, note)
    return result
