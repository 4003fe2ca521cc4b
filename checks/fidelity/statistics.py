"""TSK007: outputs that state a wrong sum, mean, median, maximum, minimum, count, product or sort of
numbers the input gives.

Judged only when all of this holds, so a flag is a wrong answer and not a
misreading:
- the instruction asks for exactly one of these statistics of the numbers as
  a whole ('Calculate the median of the following data set', 'Sort this array
  in descending order'), with no qualifier that changes which numbers count
  (prime, even, first three, second largest, pairs that add up to ...);
- the input holds one list of numbers (bracketed, or a comma-separated line),
  repeated copies of it aside;
- the output is that statistic alone: one number (a short sentence around it
  is fine: 'The median is 4.5.'), or for a sort a list of the same numbers.
The value is computed exactly. A mean or median is accepted rounded to the
decimals the output shows (4.5 as '4.5', 6.8 as '6.80'), but not a fraction
written as a whole number unless the instruction asks to round: the median
of 1, 2, 4, 5, 8, 9 is 4.5, not 5. A sort with no direction asked may go
either way.
"""

from __future__ import annotations

import re
from fractions import Fraction

from auditor.core.findings import CodeInfo, Severity
from checks.fidelity.arithmetic import severity
from checks.fidelity.base import RuleResult, View
from checks.fidelity.caseless import Caseless
from checks.fidelity.numbers import decimals

__all__ = ["ACTION", "CODE", "KINDS", "find", "severity"]

CODE = CodeInfo(
    code="TSK007",
    symbol="wrong-statistic",
    severity=Severity.BLOCKER,
    summary="Outputs that state a wrong sum, mean, median, maximum, minimum, count, product or sort of numbers "
    "given in the input.",
    why="These are the easiest answers to check and the ones a model is trusted to get right; a wrong one in the "
    "training data (a median of 5 for 1, 2, 4, 5, 8, 9) teaches the model the wrong method, not a typo.",
    fix="Recompute the listed answers (each example gives the stated and the true value) or drop the records.",
    threshold="a blocker when two or more records slip and the slip rate among the records checked is at "
    "least fidelity.arithmetic_blocker_share = 2% with 95% confidence, a warning below",
)

STATS = ("sum", "mean", "median", "maximum", "minimum", "count", "product", "sort")
KINDS = {s: f"ask for the {s} of numbers the input gives and state a wrong one" for s in STATS}
KINDS["sort"] = "ask to sort numbers the input gives and list them out of order or changed"
KINDS["count"] = "ask how many numbers the input gives and state a wrong count"
ACTION = "recompute these answers (each example gives the stated and the true value) or drop these records"

_ASKS = {
    "sum": r"\b(?:sum|total)\s+of\s+(?:all\s+)?(?:the\s+)?(?:first\s+\d+\s+)?(?:numbers|elements|items|values|integers|entries|list|array|"
    r"data|following|given|these)\b|\badd\s+up\s+(?:all\s+)?(?:the|these)\s+numbers\b",
    "mean": r"\b(?:the\s+)?(?:arithmetic\s+)?(?:mean|average)\s+(?:value\s+)?of\b|\b(?:calculate|compute|find|determine|"
    r"what\s+is)\s+the\s+(?:arithmetic\s+)?(?:mean|average)\b",
    "median": r"\bmedian\b",
    "maximum": r"\b(?:maximum|max|largest|biggest|greatest|highest)\s+(?:number|value|element|integer|item|entry|of)\b|"
    r"\b(?:the\s+)?(?:maximum|max)\b",
    "minimum": r"\b(?:minimum|min|smallest|lowest|least)\s+(?:number|value|element|integer|item|entry|of)\b|"
    r"\b(?:the\s+)?(?:minimum|min)\b",
    "count": r"\bcount\s+(?:the\s+)?(?:number\s+of\s+)?(?:numbers|elements|items|integers|values|entries)\b|"
    r"\bhow\s+many\s+(?:numbers|elements|items|integers|values|entries)\b",
    "product": r"\bproduct\s+of\s+(?:all\s+)?(?:the\s+)?(?:numbers|elements|items|values|integers|list|array|following|"
    r"given|these)\b",
    "sort": r"\b(?:sort|order|arrange|rearrange)\b",
}
# Searched in the lower-cased instruction (see caseless): real text names 'sum', 'order', 'min' ... often.
_ASK = {name: Caseless(pattern) for name, pattern in _ASKS.items()}
# Substrings every wording of each statistic contains: its pattern runs only where one is found.
_NEEDLES = {
    "sum": ("sum", "total", "add up"),
    "mean": ("mean", "average"),
    "median": ("median",),
    "maximum": ("max", "largest", "biggest", "greatest", "highest"),
    "minimum": ("min", "smallest", "lowest", "least"),
    "count": ("count", "how many"),
    "product": ("product",),
    "sort": ("sort", "order", "arrange"),
}
_NEEDLE = re.compile("|".join(sorted({n for ns in _NEEDLES.values() for n in ns}, key=len, reverse=True)))
_BY_NEEDLE = {n: [s for s, ns in _NEEDLES.items() if n in ns] for ns in _NEEDLES.values() for n in ns}
#: Instructions longer than this are not a plain request for a statistic (a passage, a story problem).
MAX_INSTRUCTION_CHARS = 300
# Qualifiers that change which numbers count, or ask for something else than the statistic itself.
_QUALIFIED = re.compile(
    r"\b(?:prime|even|odd|positive|negative|unique|distinct|first|last|second|third|\d+(?:st|nd|rd|th)|k-?th|"
    r"pairs?|two\s+numbers|sub-?arrays?|sub-?lists?|contiguous|consecutive|difference|absolute|digits?|squares?|"
    r"cubes?|index|indices|position|frequency|occurrences?|missing|duplicates?|common|weighted|moving|rolling|"
    r"cumulative|running|greater|less|more|fewer|above|below|between|except|excluding|without|divisible|multiples?|"
    r"adjacent|alternate|every|each|row|column|matrix|2d|string|words?|letters?|characters?|vowels?|length|"
    r"target|given\s+number|add\s+up\s+to|sums?\s+(?:up\s+)?to|closest|nearest|top|bottom|percent|percentage|"
    r"alphabetical|reverse|lexicograph\w*|frequency|mode|range|standard|variance|deviation|whether|if|check|"
    r"is\s+(?:in|sorted)|ascending\s+or\s+descending|key|by\s+\w+|dictionar\w+|tuples?|objects?|names?)\b",
    re.I,
)
_ROUND = re.compile(r"\bround|\bnearest\b|\binteger\b|\bwhole\s+number", re.I)
_DESCENDING = re.compile(r"\bdescending|\bdecreasing|\bhighest\s+to\s+lowest|\blargest\s+to\s+smallest|\breverse", re.I)
_ASCENDING = re.compile(r"\bascending|\bincreasing|\blowest\s+to\s+highest|\bsmallest\s+to\s+largest", re.I)

_SIGNED = r"-?(?:\d+(?:\.\d+)?|\.\d+)"
_BRACKETED = re.compile(rf"[\[({{]\s*({_SIGNED}(?:\s*,\s*{_SIGNED})+)\s*,?\s*[\])}}]")
_BARE_LINE = re.compile(rf"^[ \t]*(?:[A-Za-z_ ]{{1,20}}[:=][ \t]*)?({_SIGNED}(?:[ \t]*[,;][ \t]*{_SIGNED})+)[ \t]*\.?[ \t]*$", re.M)
_NUMBER = re.compile(rf"(?<![\w.])({_SIGNED})(?![\w.]*\d)")
_CODE = re.compile(r"[{};]|\+=|==|=>|::|\b(?:def|return|function|let|var|const|print|console|import|lambda|int|float)\b")
#: Outputs longer than this many words are explanations or code, not the statistic alone.
MAX_OUTPUT_WORDS = 20


def _values(text: str) -> list[Fraction]:
    return [Fraction(v) for v in re.findall(_SIGNED, text)]


def given_numbers(text: str) -> list[Fraction] | None:
    """The one list of numbers a text gives (copies of it aside), or None when there is none or several."""
    found = [m.group(1) for m in _BRACKETED.finditer(text)] + [m.group(1) for m in _BARE_LINE.finditer(text)]
    lists = {tuple(_values(f)) for f in found}
    if len(lists) != 1:
        return None
    (only,) = lists
    return list(only) if len(only) >= 2 else None


def asked(instruction: str) -> str | None:
    """The one statistic an instruction names, or None (none, or several)."""
    if len(instruction) > MAX_INSTRUCTION_CHARS:
        return None
    # One pass of all the needles (a C-level scan), then each named statistic's own pattern.
    low = instruction.lower()
    named = {stat for needle in _NEEDLE.findall(low) for stat in _BY_NEEDLE[needle]}
    names = [name for name in _NEEDLES if name in named and _ASK[name].search(instruction, low)]
    return names[0] if len(names) == 1 else None


def qualified(instruction: str, count: int) -> bool:
    """Whether the instruction narrows or changes the numbers the statistic is of.

    ``count``: how many numbers the input gives: 'the first 10 numbers' of ten is all of them.
    """
    plain = re.sub(rf"\b(?:first|all)\s+(?:{count}|the)\b", " ", _without_lists(instruction), flags=re.I)
    return _QUALIFIED.search(plain) is not None


def _without_lists(text: str) -> str:
    return _BRACKETED.sub(" ", text)


def _true(stat: str, numbers: list[Fraction]) -> Fraction | None:
    ordered = sorted(numbers)
    n = len(numbers)
    if stat == "sum":
        return sum(numbers, Fraction(0))
    if stat == "mean":
        return sum(numbers, Fraction(0)) / n
    if stat == "median":
        return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    if stat == "maximum":
        return ordered[-1]
    if stat == "minimum":
        return ordered[0]
    if stat == "count":
        return Fraction(n)
    if stat == "product":
        out = Fraction(1)
        for v in numbers:
            out *= v
        return out
    return None


def _show(value: Fraction) -> str:
    return f"{float(value):,.4f}".rstrip("0").rstrip(".")


def _judge(stat: str, instruction: str, numbers: list[Fraction], output: str) -> tuple[bool, str] | None:
    """(wrong, note) for an output that states the statistic alone, None when it does not."""
    text = output.strip()
    if not text or "\n" in text or len(text.split()) > MAX_OUTPUT_WORDS or _CODE.search(text):
        return None  # an explanation or code, not the statistic alone
    if stat == "sort":
        stated = [m.group(1) for m in _NUMBER.finditer(text)]
        values = [Fraction(v) for v in stated]
        if len(values) != len(numbers):
            return None
        down, up = sorted(numbers, reverse=True), sorted(numbers)
        wanted = [down] if _DESCENDING.search(instruction) else [up] if _ASCENDING.search(instruction) else [up, down]
        if values in wanted:
            return False, ""
        return True, f"lists {', '.join(stated[:8])}; sorted: {', '.join(_show(v) for v in wanted[0][:8])}"
    # The stated value: what follows the last '=' ('median = 17', 'mean = (3+5)/2 = 4'), else the one
    # number of the output that is not an echo of the input's numbers.
    tail = text.rpartition("=")[2] if "=" in text else text
    stated = [m.group(1) for m in _NUMBER.finditer(tail)]
    if "=" not in text and len(stated) > 1:
        stated = [v for v in stated if Fraction(v) not in numbers]
    if len(stated) != 1:
        return None
    true = _true(stat, numbers)
    if true is None:
        return None
    value, shown = Fraction(stated[0]), decimals(stated[0])
    if stat in ("mean", "median") and shown == 0 and true.denominator != 1 and not _ROUND.search(instruction):
        ok = False  # a fraction written as a whole number: rounding was not asked
    else:
        unit = Fraction(1, 10**shown)
        ok = abs(value - true) <= unit / 2 or (shown > 0 and abs(value - true) < unit)
    return (not ok), f"states {stated[0]}; the {stat} is {_show(true)}"


def find(view: View) -> RuleResult:
    result = RuleResult()
    for i, inp in enumerate(view.inputs):
        stat = asked(view.instructions[i])
        if stat is None:
            continue
        numbers = given_numbers(inp)
        if numbers is None or qualified(view.instructions[i], len(numbers)):
            continue
        judged = _judge(stat, view.instructions[i], numbers, view.outputs[i])
        if judged is None:
            continue
        result.checked[stat] += 1
        wrong, note = judged
        if wrong:
            result.flag(i, stat, note)
    return result
