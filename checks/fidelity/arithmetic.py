"""TSK005: outputs whose arithmetic is wrong: a calculator annotation, or an 'a op b = c' in the prose.

Math word-problem sets annotate each step for a calculator (GSM8K writes
``<<48/2=24>>``); every annotation is evaluated exactly. In the prose, a
statement made only of numbers and operators ('48 + 24 = 72', '$1,000 x 30% =
$300', '80 000 / 2 = 40 000') is evaluated the same way. A stated result is
accepted under any reading a person may mean (see ``numbers.stated_matches``):
rounded or cut to the decimals it shows, the floor or ceiling after a
division, a percent as a fraction or as a share of the left operand,
operators by precedence or left to right.

Not judged, so never flagged: a statement glued to letters ('2x + 3 = 7',
'5kg + 3kg = 8kg', a variable or a unit breaks the expression), one whose
result starts a longer expression ('2 * 3 = 6 * 2 = 12' is judged step by
step), one inside quotes or brackets glued to it, one said to be false or
hypothetical nearby ('2 + 2 = 5 is wrong', 'suppose'), and every statement of
a record that works in another number system or modular arithmetic (binary,
base 8, clock time, mod).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from auditor.core.findings import CodeInfo, Severity
from checks.fidelity.base import RuleResult, View
from checks.fidelity.caseless import Caseless, lower_agrees
from checks.fidelity.numbers import Token, Unjudgeable, evaluate, stated_matches, tokens

CODE = CodeInfo(
    code="TSK005",
    symbol="wrong-arithmetic",
    severity=Severity.BLOCKER,
    summary="Outputs with wrong arithmetic: a calculator annotation (<<48/2=25>>) or an 'a op b = c' statement "
    "in the prose that does not hold.",
    why="A model fine-tuned on worked solutions learns their arithmetic as much as their reasoning: every wrong "
    "step in the data is a wrong step it will reproduce, and in a math set it is the whole point of the data.",
    fix="Correct the listed steps (each example names the statement and its true value) or drop the records; a "
    "batch of them usually comes from one generator or annotator.",
    threshold="a blocker when two or more records slip and the slip rate among the records with checkable "
    "arithmetic is at least fidelity.arithmetic_blocker_share = 2% with 95% confidence (exact lower bound), "
    "a warning below",
)

KINDS = {
    "annotation": "carry a calculator annotation whose result is wrong",
    "prose": "state an 'a op b = c' calculation in the prose that is wrong",
}
ACTION = "correct the wrong steps (each example gives the statement and its true value) or drop these records"

_ANNOTATION = re.compile(r"<<([^<>\n]{1,300})>>")
_CANDIDATE = re.compile(r"[\d%)]\s*=\s*[$€£]?\s?[-−(]?\s?\.?\d")
_EXPRESSION = ("num", "op", "open", "close")
# A record working in another number system, modulo something, or on a clock: its sums are not decimal sums.
_OTHER_SYSTEM = re.compile(
    r"binary|base[- ]?\d|\bmod\b|modul[oa]|hexadecimal|\bhex\b|octal|boolean|o'clock|\bclock\b|roman numer|"
    r"\bbits?\b|\bxor\b|\bgf\(|galois|congruen|\btime zones?\b|\bmilitary time",
    re.I,
)
_OTHER_NEEDLES = ("binar", "base", "mod", "hex", "octal", "boolean", "clock", "roman", "bit", "xor", "gf(", "galois",
                  "congruen", "time zone", "military")


_OTHER_LOWER = re.compile(_OTHER_SYSTEM.pattern)  # the same alternatives, on lower-cased text


def _other_system(text: str) -> bool:
    low = text.lower()
    if not any(n in low for n in _OTHER_NEEDLES):
        return False
    if not lower_agrees(text):  # 'İ' moves positions; see caseless
        return _OTHER_SYSTEM.search(text) is not None
    # An alternation with IGNORECASE tries every branch at every character (about 0.1 ms a text).
    # Every match starts where one of its needles starts in the lower-cased text ('o'clock' two
    # before 'clock'), and lower() keeps positions, so trying the branches only there finds the same.
    for needle in _OTHER_NEEDLES:
        at = low.find(needle)
        while at >= 0:
            if _OTHER_LOWER.match(low, at) or (at >= 2 and _OTHER_LOWER.match(low, at - 2)):
                return True
            at = low.find(needle, at + 1)
    return False


# Words that, just before a statement, make it not a claim of ours: negated, supposed, quoted, a
# check or an equation to solve.
_DOUBT = frozenset(
    "not n't never no if whether suppose supposing assume assuming assumed claim claims claimed wrote writes write "
    "said says think thinks thought believe believes wrong incorrect mistake mistakenly error erroneously false "
    "instead unlike would could should might prove show check checking verify is_it true equation equations solve "
    "solving try trying guess guessed".split()
)
# Words that, just before the expression, show it continues leftwards past a unit or a label
# ('60 students x 2/3 = 40', 'day 1 * 2 = 20'): the expression seen is only its right end.
_CONTINUES = frozenset(
    "x times by plus minus of per over less more than and day days week page pages step steps chapter level grade "
    "room line number no row part round question problem year month hour minute item".split()
)
_DOUBT_AFTER = re.compile(
    r"^\W{0,3}(?:(?:is|are|was|were|would be|isn't|wasn't)\s+(?:not|never|false|incorrect|wrong|untrue|a mistake|an error)|"
    r"\?|isn't|wasn't|\(?wrong|\(?incorrect|\(?false|\(?mod\b)",
    re.I,
)
_LEADING_ZERO = re.compile(r"(?<![\d.,])0\d")  # 0900, 0730: clock times, codes, not quantities
_SCALED = re.compile(r"\bcents?\b|%|percent|\bthousands?\b|\bhundreds?\b|\bmillions?\b", re.I)
# The same words but '%', grouped and searched in lower-cased text: an IGNORECASE alternation tried at
# every character of a worked solution's long line cost more than the statements in it (realtext: 0.23 s at 100k).
_SCALE_WORDS = Caseless(r"percent|\b(?:cents?|thousands?|hundreds?|millions?)\b")
# The right side of a candidate: '=' then the number it states (the left side is checked by hand).
_CANDIDATE_RIGHT = re.compile(r"=\s*[$€£]?\s?[-−(]?\s?\.?\d")
#: Characters of a line examined before each '=' (an expression longer than this is not judged),
#: and the characters before the expression whose words say how to read it.
WINDOW = 120
CONTEXT_CHARS = 24
# The characters an expression is written with, up to the '=' (one run, found from the right).
_EXPRESSION_TAIL = re.compile(r"[\d.,$€£%()\s+\-*/×÷−–^xX]+$")


def _has_candidate(text: str) -> bool:
    """``_CANDIDATE.search(text) is not None``, found from each '=': a search starting with a digit
    class stops at every digit, and texts full of numbers, URLs and code spend most of it there."""
    for m in _CANDIDATE_RIGHT.finditer(text):
        at = m.start() - 1
        while at >= 0 and text[at].isspace():  # what \s matches
            at -= 1
        if at >= 0 and (text[at] in "%)" or text[at].isdecimal()):  # what [\d%)] matches
            return True
    return False


def _scaled(line: str) -> bool:
    """``_SCALED.search(line) is not None``."""
    return "%" in line or _SCALE_WORDS.search(line)


def _annotation_error(body: str) -> str | None:
    """'lhs=rhs (is v)' when the annotation is wrong, None when right or not judgeable."""
    found = annotation_parts(body)
    if found is not None and stated_matches(*found) is False:
        return f"<<{body}>>{_true_value(found[0])}"
    return None


def annotation_parts(body: str) -> tuple[list[Token], Token] | None:
    """A calculator annotation's expression and result ('-30/3=-10'), or None when it is not one."""
    lhs_text, eq, rhs_text = body.partition("=")
    if not eq or "=" in rhs_text:
        return None
    lhs, rhs = tokens(lhs_text), tokens(rhs_text)
    if len(rhs) == 2 and rhs[0].kind == "op" and rhs[0].op == "-" and rhs[1].kind == "num":
        rhs = [rhs[1]._replace(text="-" + rhs[1].text)]
    if len(rhs) != 1 or rhs[0].kind != "num" or not lhs or any(t.kind not in _EXPRESSION for t in lhs):
        return None
    return lhs, rhs[0]


def _true_value(lhs: Sequence[Token]) -> str:
    try:
        value = evaluate(lhs, "fraction")
    except Unjudgeable:
        return ""
    shown = f"{float(value):,.4f}".rstrip("0").rstrip(".")
    return f" (is {shown})"


def statements(line: str) -> Iterator[tuple[list[Token], Token, int, int]]:
    """Every 'expression = number' in one line of prose: (lhs tokens, rhs token, start, end).

    Only a window around each '=' is tokenised: the expression's characters before it
    (found by one pattern) and a few words more, and a few characters after it. Lines of
    worked solutions are long and most of their text is words.
    """
    for m in _CANDIDATE.finditer(line):
        eq_at = line.index("=", m.start())
        low = max(0, eq_at - WINDOW)
        tail = _EXPRESSION_TAIL.search(line, low, eq_at)
        start = tail.start() if tail else eq_at
        if start == low and low > 0:
            continue  # the expression runs past the window: not judged
        cut = line.rfind(" ", 0, max(0, start - CONTEXT_CHARS)) + 1 if start > CONTEXT_CHARS else 0
        items = tokens(line[cut : eq_at + 30])
        k = next((n for n, t in enumerate(items) if t.kind == "eq" and t.start + cut == eq_at), None)
        if k is None:
            continue
        found = _statement(items, k)
        if found is not None:
            lhs, rhs = found
            yield lhs, rhs, lhs[0].start + cut, rhs.end + cut


def _statement(items: Sequence[Token], k: int) -> tuple[list[Token], Token] | None:
    """The statement around the '=' at ``items[k]``, or None when it is not a plain calculation."""
    r = k + 1
    negative = r < len(items) and items[r].kind == "op" and items[r].op == "-"
    r += negative
    if r >= len(items) or items[r].kind != "num":
        return None
    rhs = items[r]
    after = items[r + 1] if r + 1 < len(items) else None
    if after is not None and (
        after.kind in ("op", "eq", "cmp", "num")
        or (after.kind in ("word", "other", "open") and not after.spaced and after.text not in ".,;:!?)")
    ):
        return None  # the result starts an expression ('= 24/y', '= 6 * 2'), or is glued to a unit or a variable
    j = k
    while j > 0 and items[j - 1].kind in _EXPRESSION:
        j -= 1
    run = list(items[j:k])
    before = items[j - 1] if j > 0 else None
    if before is not None:
        if before.kind == "cmp" or (before.kind in ("word", "other") and run and not run[0].spaced):
            return None  # glued to a variable, a unit or a quote: '2x + 3', '"2+2'
        if before.kind == "word" and before.text.lower() in _CONTINUES:
            return None
        if before.kind == "other" and before.text in ",." and j > 1 and items[j - 2].kind in ("num", "op"):
            return None  # '14, 400 / 80', '.8 + . 84 + .82': a number split by a stray space, or a list
    while run and run[0].kind == "open" and sum(x.kind == "open" for x in run) > sum(x.kind == "close" for x in run):
        run = run[1:]
    if not run or sum(x.kind == "open" for x in run) != sum(x.kind == "close" for x in run):
        return None
    if run[0].kind == "op" and not (run[0].op == "-" and (before is None or before.kind == "eq")):
        return None
    if not any(x.kind == "op" for x in run) or sum(x.kind == "num" for x in run) < 2:
        return None
    if negative:
        rhs = Token("num", "-" + rhs.text, items[k + 1].start, rhs.end, rhs.spaced)
    return run, rhs


def _doubted(line: str, start: int, end: int) -> bool:
    """Whether a statement is negated, supposed or checked by the words around it."""
    words = re.findall(r"[a-z']+", line[max(0, start - 40) : start].lower())[-4:]
    if any(w in _DOUBT or w.endswith("n't") for w in words):
        return True
    return _DOUBT_AFTER.search(line[end : end + 30]) is not None


def _prose_error(text: str) -> tuple[bool, str | None]:
    """Whether a text states a checkable calculation, and its first wrong one with its true value."""
    judged = False
    for line in text.splitlines():
        if "=" not in line or not _has_candidate(line):
            continue
        scales = (1, 100, 1000) if _scaled(line) else (1,)
        for lhs, rhs, start, end in statements(line):
            if _doubted(line, start, end) or _LEADING_ZERO.search(line, start, end):
                continue
            holds = stated_matches(lhs, rhs, scales)
            judged = judged or holds is not None
            if holds is False and not _first_group_matches(lhs, rhs, scales):
                return True, f"{line[start:end].strip()}{_true_value(lhs)}"
    return judged, None


def _first_group_matches(lhs: Sequence[Token], rhs: Token, scales: Sequence[int]) -> bool:
    """'2400 / 200 = 12 200-pound bags': a result read with a space-separated group too many."""
    head, space, _ = rhs.text.partition(" ")
    return bool(space) and head[-1:].isdigit() and stated_matches(lhs, rhs._replace(text=head), scales) is True


def find(view: View) -> RuleResult:
    result = RuleResult()
    for i, output in enumerate(view.outputs):
        if "=" not in output:
            continue
        annotated = "<<" in output and _ANNOTATION.search(output) is not None
        prose = _ANNOTATION.sub("", output) if annotated else output
        has_prose = _has_candidate(prose)
        if not annotated and not has_prose:
            continue
        if _other_system(output) or _other_system(view.inputs[i]):
            continue
        if annotated:
            result.checked["annotation"] += 1
            wrong = next(filter(None, map(_annotation_error, _ANNOTATION.findall(output))), None)
            if wrong:
                result.flag(i, "annotation", wrong)
                continue
        if has_prose:
            judged, wrong = _prose_error(prose)
            result.checked["prose"] += judged
            if wrong:
                result.flag(i, "prose", wrong)
    return result


#: One-sided confidence of the habit test below: the slip rate is at least the blocker share with 95 % confidence.
_HABIT_CONFIDENCE = 0.95


def severity(flagged: int, checked: int, records: int, config: Any) -> Severity:
    """A blocker when the slips are a habit, a warning when they are a few slips.

    A habit is a slip rate the checked records show to be at least ``fidelity.arithmetic_blocker_share``
    with 95 % confidence (the exact Clopper-Pearson lower bound of flagged / checked), and more than one
    slip: a point share over few checkable records is no evidence of a rate (one wrong sum among the 8
    records of a 4,535-record code set whose prose does arithmetic read 12.5 % and blocked, while GSM8K
    train's 21 slips among its thousands of worked solutions were a warning). 10 of 100 checked still block, 1 of
    100 does not.
    """
    bar = float(config["fidelity.arithmetic_blocker_share"])
    if flagged < 2 or checked <= 0:
        return Severity.WARNING
    return Severity.BLOCKER if habit_lower_bound(flagged, checked) >= bar else Severity.WARNING


def habit_lower_bound(flagged: int, checked: int) -> float:
    """The exact one-sided lower confidence bound of the slip rate (Clopper-Pearson, a beta quantile)."""
    from scipy.special import betaincinv  # scipy comes with scikit-learn; imported only when a slip is found

    k = min(flagged, checked)
    return float(betaincinv(k, checked - k + 1, 1.0 - _HABIT_CONFIDENCE))
