"""Numbers as people write them, and exact arithmetic on them: what the arithmetic rules share.

Values are ``Fraction``s, so 0.1 + 0.2 is 0.3 and a comparison is exact; a
stated result is then accepted when it is the exact value rounded (or cut) to
the decimals it shows. Numbers may carry a currency sign, a percent sign and
thousands separators (``1,000`` or ``1 000``). Expressions are evaluated by a
tiny evaluator of our own (numbers, + - * / ^, parentheses), never by
``eval``: the text is data, and ``9^9^9`` must not hang the audit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import NamedTuple

#: A number: thousands groups with commas, or with single spaces (``80 000``), or plain digits; decimals.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?![\d,.]\d)|\d+)(?:\.\d+)?|\.\d+"
_NUMBER = re.compile(NUMBER)
#: Largest power evaluated: beyond it a stated result is not checked (no one checks 2^1000 by eye either).
MAX_EXPONENT = 64
#: Values beyond this are not judged: a huge result is a float printout or an overflow in the data.
MAX_MAGNITUDE = 1e30


#: A value: exact, or a float in the fast first reading.
Value = Fraction | float


def parse_number(text: str) -> Fraction | None:
    """The value of one written number ('1,234.5', '80 000', '.5'), without sign, currency or percent."""
    cleaned = text.replace(",", "").replace(" ", "")
    try:
        return Fraction(cleaned)
    except (ValueError, ZeroDivisionError):
        return None


def decimals(text: str) -> int:
    """Decimals a written number shows ('3.50' -> 2)."""
    _, dot, tail = text.partition(".")
    return len(tail) if dot else 0


_WORDS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen twenty").split()
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.I)


def numbers_in(text: str, words: bool = False) -> list[Fraction]:
    """Every number written in a text, in order (signs, currency and percent ignored).

    A number with space-separated groups counts as written and as its first group
    too ('12 200-pound bags' may be twelve bags). ``words``: 'three' counts as 3 too.
    """
    out = []
    for m in _NUMBER.finditer(text):
        value = parse_number(m.group(0))
        if value is not None:
            out.append(value)
        if " " in m.group(0):
            head = parse_number(m.group(0).split(" ", 1)[0])
            if head is not None:
                out.append(head)
    if words:
        out += [Fraction(_WORDS.index(w.lower())) for w in _NUMBER_WORD.findall(text)]
    return out


def agrees(value: Fraction, stated: Fraction, shown_decimals: int, divided: bool = False) -> bool:
    """Whether ``stated`` (written with ``shown_decimals`` decimals) is ``value`` as a person would write it.

    Rounded or cut to the decimals shown both count ('2/3 = 0.67', '2/3 = 0.66');
    after a division a whole number may also be its floor or ceiling ('50/3 = 16
    bags'), which word problems do on purpose.
    """
    unit = Fraction(1, 10**shown_decimals)
    gap = abs(value - stated)
    if gap < unit:  # rounded or cut to the decimals shown (a cut is up to one unit off)
        return True
    return divided and shown_decimals == 0 and gap < 1


# -- tokens ----------------------------------------------------------------------

_TOKEN = re.compile(  # whitespace, then one token; the common kinds first (the engine tries them in order)
    r"\s*(?:(?P<word>[^\W\d_]+)"
    rf"|(?P<num>(?:[$€£]\s?)?(?:{NUMBER})(?:\s?%)?)"
    r"|(?P<cmp>==|<=|>=|!=|=>|=<|[-+*/]=|≠|≈|:=)"
    r"|(?P<eq>=)"
    r"|(?P<op>\*\*|//|[-+*/×÷−–^])"
    r"|(?P<open>\()|(?P<close>\))"
    r"|(?P<other>\S))",
)
_OPS = {"×": "*", "÷": "/", "−": "-", "–": "-", "**": "^", "x": "*", "X": "*"}


class Token(NamedTuple):
    kind: str  # num, op, open, close, eq, cmp, word, other
    text: str
    start: int
    end: int
    spaced: bool  # whitespace before it

    @property
    def op(self) -> str:
        return _OPS.get(self.text, self.text)


def tokens(line: str) -> list[Token]:
    """The tokens of one line, whitespace dropped (each token says whether a space preceded it).

    A lone 'x' between two numbers is the multiplication sign ('3 x 4').
    """
    out: list[Token] = []
    for m in _TOKEN.finditer(line):
        kind = m.lastgroup
        if kind is None:
            break  # trailing whitespace
        start = m.start(kind)
        out.append(Token(kind, m.group(kind), start, m.end(), start > m.start() or start == 0))
    for k in range(1, len(out) - 1):
        t = out[k]
        if t.kind == "word" and t.text in ("x", "X") and out[k - 1].kind in ("num", "close") and out[k + 1].kind in ("num", "open"):
            out[k] = Token("op", t.text, t.start, t.end, t.spaced)
    return out


# -- evaluation --------------------------------------------------------------------


class Unjudgeable(Exception):
    """The expression is beyond what is checked (huge power, division by zero, malformed)."""


@dataclass(frozen=True)
class Term:
    value: Fraction
    percent: bool
    approx: float  # the value as a float, for the fast first reading


@lru_cache(maxsize=65536)
def term_of(text: str) -> Term | None:
    body = text.strip().lstrip("-").lstrip("$€£").strip()
    percent = body.endswith("%")
    value = parse_number(body.rstrip("%").strip())
    return None if value is None else Term(value, percent, float(value))


def evaluate(items: Sequence[Token], percent: str, left_to_right: bool = False, exact: bool = True) -> Value:
    """The value of an expression given as tokens (num, op, open, close).

    ``percent``: how a percent sign reads: 'fraction' (30% = 0.3), 'ignore' (30% = 30) or
    'of-left' ('80 - 25%' = 80 * 0.75, what a discount means). ``left_to_right``: operators
    applied in the order written, as someone working step by step on a calculator does.
    """
    parser = _Parser(items, percent, left_to_right, exact)
    value = parser.expression()
    if parser.pos != len(items):
        raise Unjudgeable("trailing tokens")
    return value


class _Parser:
    def __init__(self, items: Sequence[Token], percent: str, left_to_right: bool, exact: bool = True) -> None:
        self.items, self.percent, self.flat, self.exact, self.pos = items, percent, left_to_right, exact, 0

    def peek(self) -> Token | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def expression(self) -> Value:
        if self.flat:
            value = self.unary()
            while (t := self.peek()) is not None and t.kind == "op":
                self.pos += 1
                value = self.apply(value, t.op, self.unary_rhs(value, t.op))
            return value
        value = self.product()
        while (t := self.peek()) is not None and t.kind == "op" and t.op in "+-":
            self.pos += 1
            value = self.apply(value, t.op, self.unary_rhs(value, t.op, self.product))
        return value

    def product(self) -> Value:
        value = self.power()
        while (t := self.peek()) is not None and t.kind == "op" and t.op in ("*", "/", "//"):
            self.pos += 1
            value = self.apply(value, t.op, self.power())
        return value

    def power(self) -> Value:
        base = self.unary()
        t = self.peek()
        if t is not None and t.kind == "op" and t.op == "^":
            self.pos += 1
            return self.apply(base, "^", self.power())
        return base

    def unary_rhs(self, left: Value, op: str, inner: Callable[[], Value] | None = None) -> Value:
        """The right operand of + or -: a percent term reads as a share of the left one under 'of-left'."""
        t = self.peek()
        if self.percent == "of-left" and op in "+-" and t is not None and t.kind == "num":
            term = term_of(t.text)
            if term is not None and term.percent:
                nxt = self.items[self.pos + 1] if self.pos + 1 < len(self.items) else None
                if nxt is None or nxt.kind != "op" or nxt.op in "+-":
                    self.pos += 1
                    return left * (term.value if self.exact else term.approx) / 100
        if inner is not None:
            return inner()
        return self.unary()

    def unary(self) -> Value:
        t = self.peek()
        if t is None:
            raise Unjudgeable("missing operand")
        if t.kind == "op" and t.op in "-+":
            self.pos += 1
            return -self.unary() if t.op == "-" else self.unary()
        if t.kind == "open":
            self.pos += 1
            value = self.expression()
            close = self.peek()
            if close is None or close.kind != "close":
                raise Unjudgeable("unclosed parenthesis")
            self.pos += 1
            return value
        if t.kind == "num":
            self.pos += 1
            term = term_of(t.text)
            if term is None:
                raise Unjudgeable("not a number")
            number: Value = term.value if self.exact else term.approx
            return number / 100 if term.percent and self.percent != "ignore" else number
        raise Unjudgeable(f"unexpected {t.text!r}")

    @staticmethod
    def apply(left: Value, op: str, right: Value) -> Value:
        if op == "+":
            out = left + right
        elif op == "-":
            out = left - right
        elif op == "*":
            out = left * right
        elif op in ("/", "//"):
            if right == 0:
                raise Unjudgeable("division by zero")
            out = left / right if op == "/" else Fraction(int(left // right))
        else:  # ^
            exponent = float(right)
            if exponent != int(exponent) or abs(exponent) > MAX_EXPONENT or (left == 0 and exponent < 0):
                raise Unjudgeable("power out of range")
            out = left ** int(exponent)
        if abs(float(out)) > MAX_MAGNITUDE:
            raise Unjudgeable("too large")
        return out


def tight_fractions(items: Sequence[Token]) -> list[Token]:
    """The expression with every tight fraction ('1/3', no space around the slash) bracketed:
    '25 / 1/3' is 25 divided by a third, as its writer spaced it."""
    out: list[Token] = []
    k = 0
    while k < len(items):
        t = items[k]
        if (
            k + 2 < len(items)
            and t.kind == "num"
            and items[k + 1].kind == "op"
            and items[k + 1].text == "/"
            and not items[k + 1].spaced
            and items[k + 2].kind == "num"
            and not items[k + 2].spaced
        ):
            out += [Token("open", "(", t.start, t.start, t.spaced), t, items[k + 1], items[k + 2], Token("close", ")", t.end, t.end, False)]
            k += 3
            continue
        out.append(t)
        k += 1
    return out


def stated_matches(lhs: Sequence[Token], rhs: Token, scales: Sequence[int] = (1,)) -> bool | None:
    """Whether ``lhs = rhs`` holds under some reading a person may mean, None when no reading
    can be evaluated (a huge power, a division by zero, a malformed expression).

    Readings: a percent sign as a fraction (30% = 0.3), as a plain number or, after + or -, as
    a share of the left operand ('80 - 25% = 60'); operators by precedence or left to right,
    as someone working step by step on a calculator writes them; tight fractions as one
    number ('25 / 1/3 = 75'); the result in another unit when ``scales`` allows it (100 when
    the text speaks of cents or percent: '$1 / 2 = 50 cents').
    """
    stated = term_of(rhs.text)
    if stated is None:
        return None
    negative = rhs.text.startswith("-")
    shown = decimals(rhs.text.rstrip("%").strip())
    if not negative and not stated.percent and "%" not in "".join(t.text for t in lhs):
        try:  # the common case first, in floats: a plain calculation that holds by a clear margin
            if abs(float(evaluate(lhs, "fraction", exact=False)) - stated.approx) < 0.999 / 10**shown:
                return True
        except (Unjudgeable, OverflowError, ZeroDivisionError):
            pass
    has_percent = stated.percent or any(t.kind == "num" and t.text.endswith("%") for t in lhs)
    divided = any(t.kind == "op" and t.op == "/" for t in lhs)
    grouped = tight_fractions(lhs) if divided else lhs
    judged = False
    for percent in ("fraction", "ignore", "of-left") if has_percent else ("fraction",):
        target = stated.value if percent == "ignore" or not stated.percent else stated.value / 100
        unit = 1 if percent == "ignore" or not stated.percent else 100  # compare percents in percent points
        for items in (lhs, grouped) if grouped is not lhs else (lhs,):
            for flat in (False, True):
                try:
                    found = evaluate(items, percent, flat)
                except Unjudgeable:
                    continue
                value = found if isinstance(found, Fraction) else Fraction(found)
                judged = True
                if negative:
                    value = -value
                for scale in scales:
                    if agrees(value * unit * scale, target * unit, shown, divided) or (
                        scale != 1 and agrees(value * unit / scale, target * unit, shown, divided)
                    ):
                        return True
    return False if judged else None
