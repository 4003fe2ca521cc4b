"""The verifiable constraints an instruction states, parsed only where the wording is unambiguous.

The constraint types follow IFEval's list of verifiable instructions (Zhou et
al. 2023, google-research ``instruction_following_eval``): length in words,
sentences, paragraphs, items or bullet points; output format (JSON, a table, a
numbered or bulleted list, yes/no only); letter case; response language;
starts/ends with; must include / must not include a word.

Precision comes first, so a constraint is read only from a sentence of the
instruction that gives an order: one that begins with an imperative verb
("List five ...", "Answer yes or no"), a leading "In N sentences, ...", or
"Your answer should ...". A constraint inside the material the instruction
works on (a review saying "I have three words for you", a passage mentioning
"two sentences") sits in a sentence that does not begin that way, and quoted
text is removed before matching. Counting units are the plain ones: words
split on whitespace, sentences on end punctuation or line breaks, items on
list markers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checks.fidelity.caseless import Caseless, lower_agrees

NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "a hundred": 100, "one hundred": 100, "hundred": 100, "a single": 1, "single": 1,
}
_N = r"(\d{1,4}|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")"

# Natural languages a response may be asked to be in (ISO codes the language heuristic knows).
LANGUAGES = {
    "english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it", "portuguese": "pt",
    "dutch": "nl", "russian": "ru", "ukrainian": "uk", "greek": "el", "arabic": "ar", "hebrew": "he",
    "hindi": "hi", "thai": "th", "korean": "ko", "chinese": "zh", "mandarin": "zh", "japanese": "ja",
}
_LANG = r"(" + "|".join(LANGUAGES) + r")"


@dataclass(frozen=True)
class Constraint:
    """One checkable constraint: its kind, and its bounds or value."""

    kind: str  # words, sentences, paragraphs, items, bullets, json, table, numbered, yes-no, case, language, starts, ends, includes, excludes, code-only
    low: int = 0
    high: int = 0  # 0: no upper bound
    value: str = ""

    def describe(self) -> str:
        if self.kind in ("words", "sentences", "paragraphs", "items", "bullets"):
            if self.low == self.high:
                return f"asks for {self.low} {self.kind if self.low != 1 else self.kind[:-1]}"
            if not self.high:
                return f"asks for at least {self.low} {self.kind}"
            if not self.low:
                return f"asks for at most {self.high} {self.kind}"
            return f"asks for {self.low}-{self.high} {self.kind}"
        return f"asks for {self.kind} {self.value}".rstrip()


def number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


# -- the sentences that give orders ----------------------------------------------------

# A quoted passage is material, not an order; a short quoted word ("include the word 'moon'") is kept.
_QUOTED = re.compile(r"\"[^\"\n]{41,400}\"|“[^”\n]{41,400}”")
_SPLIT = re.compile(r"(?<=[.?!:;])\s+|\n+")
_IMPERATIVE = re.compile(
    r"(?:please\s+|now\s+|then\s+|also\s+|try to\s+)?(?:answer|yes or no|using|respond|reply|write|list|name|give|provide|generate|suggest|"
    r"create|compose|describe|explain|summari[sz]e|sum up|tell|state|identify|mention|enumerate|brainstorm|"
    r"come up with|think of|output|return|produce|rewrite|convert|change|translate|make|use|include|"
    r"start|begin|end|finish|format|present|express|draft|outline|recommend|offer|share|construct|classify|"
    r"compare|show|display|organi[sz]e|arrange|tabulate|"
    r"don't|do not|never|avoid|without|keep|limit|restrict|put|add|in (?:no more|fewer|less|under|at most|exactly|"
    + _N[1:-1] + r")|only|your (?:entire\s+|whole\s+)?(?:answer|response|reply|output|summary|description|explanation)|the (?:answer|response|"
    r"output) (?:should|must))\b",
    re.I,
)


#: Instructions longer than this are read only at their two ends (see ``pieces``).
SHORT = 400
# Words an order sentence opens with ("List ...", "In 3 sentences, ...", "Your answer ...", "Yes or no?").
_FIRST_WORDS = frozenset(
    "answer respond reply write list name give provide generate suggest create compose describe explain summarize "
    "summarise sum tell state identify mention enumerate brainstorm come think output return produce rewrite convert "
    "change translate make use include start begin end finish format present express draft outline recommend offer "
    "share construct classify compare show display organize organise arrange tabulate don't do never avoid without keep limit restrict put add in your please now then "
    "also yes try using only".split()
)
# Every constraint pattern below needs one of these (lower case) in its sentence: a cheap literal gate.
_NEEDLES = (
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "word", "sentence", "paragraph", "bullet", "json", "tabl",
    "numbered", "yes", "upper", "lower", "capital", " caps", "translat", "phrase", "the term", "your", "code", "explanation",
    " one", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten", " twelve", " fifteen",
    " twenty", " thirty", " forty", " fifty", " hundred", "single",
)


def _leads(piece: str) -> bool:
    first = piece.lstrip(" \t\n\"'(*-").split(None, 1)
    return bool(first) and first[0].lower().rstrip(",:") in _FIRST_WORDS


def pieces(instruction: str) -> list[str]:
    """The parts of an instruction worth parsing for orders, chosen with string operations only.

    A short instruction is read whole. A long one (a passage with a question
    in it, as T0's templates are) is read only in its first and last
    sentence, where templates put their orders ("In 2 or 3 sentences, ...",
    "... Yes or no?"), and only a piece that opens with an order word. An
    order buried in the middle of a passage is not read: a recall loss, on
    purpose, that keeps the cost per record flat.
    """
    if len(instruction) <= SHORT:
        chosen = [instruction]
    else:
        head, tail = instruction[:SHORT], instruction[-SHORT // 2 :]
        cut = max(tail.rfind(". "), tail.rfind("? "), tail.rfind("! "), tail.rfind("\n"))
        tail = tail[cut + 1 :] if cut >= 0 else ""
        chosen = [p for p in (head, tail) if _leads(p)]
    out = []
    for piece in chosen:
        low = piece.lower()
        if any(map(low.__contains__, _NEEDLES)):
            out.append(piece)
    return out


# The first word of every ``_IMPERATIVE`` match (its optional lead-ins included; "don't" is "don").
_OPENERS = frozenset(
    "please now then also try answer yes using respond reply write list name give provide generate suggest create "
    "compose describe explain summarise summarize sum tell state identify mention enumerate brainstorm come think "
    "output return produce rewrite convert change translate make use include start begin end finish format present "
    "express draft outline recommend offer share construct classify compare show display organise organize arrange "
    "tabulate don do never avoid without keep limit restrict put add in only your the".split()
)
# The word after each place a sentence can start: the piece's start, end punctuation, a line break.
_SENTENCE_START = re.compile(r"[.?!:;\n]\s*(\w+)")
_THE_ORDER = re.compile(r"the (?:answer|response|output) (?:should|must)\b", re.I)


def _may_give_orders(piece: str) -> bool:
    """False only when no sentence of ``piece`` can match ``_IMPERATIVE``: a cheap pre-test, exact by construction.

    Splitting every piece into sentences cost most of TSK002 on text full of
    digits (they pass the needle gate). A sentence starts at the piece's start
    or after end punctuation or a line break and whitespace, and an order
    sentence's first word is one of ``_OPENERS``, so the words after each such
    place are looked up. Removing quoted passages first only replaces text by
    quotes, which no match contains. The words are those of the lower-cased
    piece, which IGNORECASE matches alike unless it holds a letter the two fold
    apart (see caseless): such a piece goes on.
    """
    if not lower_agrees(piece):
        return True
    found = _OPENERS.intersection(_SENTENCE_START.findall("." + piece.lower()))
    return bool(found) and (len(found) > 1 or "the" not in found or _THE_ORDER.search(piece) is not None)


def order_sentences(instruction: str) -> list[str]:
    """The sentences of an instruction that give an order, with quoted passages removed."""
    out: list[str] = []
    for piece in pieces(instruction):
        if _may_give_orders(piece):
            out += orders_in(piece, instruction)
    return out


def orders_in(piece: str, instruction: str) -> list[str]:
    """The order sentences of one piece of ``instruction``, with quoted passages removed."""
    sentences = _SPLIT.split(_QUOTED.sub('""', piece))
    if len(instruction) > SHORT:  # the first sentence of the head, the last of the tail
        sentences = sentences[:1] if instruction.startswith(piece) else sentences[-1:]
    return [s for s in sentences if _IMPERATIVE.match(s)]


# -- patterns, each on one ordering sentence ----------------------------------------

_UPPER = r"(?:no more than|not more than|at most|up to|under|fewer than|less than|a maximum of|maximum of|max(?:imum)?|within)"
_LOWER = r"(?:at least|no fewer than|no less than|more than|a minimum of|minimum of|over)"
_LENGTH_UNITS = r"(words?|sentences?|paragraphs?)"
_BOUNDED = re.compile(rf"\b(?:in|with|using|of|to)?\s*({_UPPER}|{_LOWER}|exactly|just|only)\s+{_N}\s+{_LENGTH_UNITS}\b", re.I)
_OR_LESS = re.compile(rf"\b(?:in|with|using)\s+{_N}\s+{_LENGTH_UNITS}\s+or\s+(less|fewer|more)\b", re.I)
_RANGE = re.compile(rf"\b(?:in|with|using)\s+{_N}\s*(?:or|to|-|–)\s*{_N}\s+{_LENGTH_UNITS}\b", re.I)
# "in one sentence", "in 3 paragraphs", "write one sentence to ...", "using a single word"
_EXACT = re.compile(rf"\b(?:in|with|using|write|use)\s+(?:just\s+|only\s+|exactly\s+)?{_N}\s+{_LENGTH_UNITS}\b(?![-\w])", re.I)
_ONE_WORD = re.compile(r"\b(?:in|with|using)\s+(?:just\s+|only\s+)?(?:one|a single)\s+word\b|\bone-word\s+(?:answer|response|reply)\b", re.I)

_LIST_VERB = (
    r"(?:please\s+)?(?:list|name|give|provide|generate|suggest|write|create|compose|come up with|think of|brainstorm|"
    r"identify|mention|enumerate|recommend|offer|share|state|outline|describe|explain|produce|find|propose|develop)"
)
# "List five reasons", "Give me 3 tips", "Provide at least four examples", "Name the top 5 cities";
# not "a list of five-star hotels" (hyphen), not "five of these items" (a selection from given material).
_ITEMS = re.compile(
    rf"{_LIST_VERB}\s+(?:me\s+|us\s+)?(?:a list of\s+|a\s+)?(at least\s+|exactly\s+)?(?:the\s+)?(?:top\s+)?{_N}\s+"
    r"(?!(?:of|more|to|or|and|times?|words?|sentences?|paragraphs?|lines?|pages?|minutes?|hours?|days?|weeks?|"
    r"months?|years?|digits?|characters?|letters?|bytes?|numbers?|percent|elements?|people|persons?|steps?|columns?|rows?)\b)"
    r"((?:[a-z]+\s+){0,2}?[a-z]+s)\b(?!-)(?!\s+(?:of|from|in|among)\s+(?:the|these|those|this|that|your|my|our)\b)",
    re.I,
)
_BULLETS = re.compile(
    rf"\b(?:in|as|using|with|into|use)\s+(?:the\s+form\s+of\s+)?(?:a\s+)?(?:{_N}\s+)?bullet(?:ed)?[\s-]*(?:points?|list)\b|"
    rf"^(?:please\s+)?(?:list|give|provide|write|summari[sz]e)\b[^.?!]{{0,60}}?\b{_N}\s+bullet[\s-]*points?\b",
    re.I,
)
_NUMBERED = re.compile(r"\bnumbered\s+list\b", re.I)
_JSON = re.compile(r"\b(?:in|as|into)\s+(?:a\s+|valid\s+)?json(?:\s+(?:format|object|array))?\b", re.I)
# A table as the output's format: "Using a table, compare ...", "in table format", "present ... in a table";
# not "update a field in a table" (the table is what the task is about).
_TABLE = re.compile(
    r"^(?:please\s+)?(?:using|with|in)\s+a\s+table\s*,|\b(?:in|as|into)\s+(?:a\s+)?(?:markdown\s+)?(?:table|tabular)\s+(?:format|form)\b|"
    r"^(?:please\s+)?(?:present|show|display|organi[sz]e|format|summari[sz]e|list|compare|put|arrange|tabulate|give|provide)\b"
    r"[^.?!]{0,80}\b(?:in|as|into|using)\s+(?:a\s+|the\s+)?(?:markdown\s+)?table\b",
    re.I,
)# A coding task: its output is code, whose words, items and case are not the instruction's constraints.
_CODE_WORDS = Caseless(  # searched in every instruction that gives an order: in lower-cased text
    r"\b(?:sql|html|database|query|code|program|script|function|method|dataframe|spreadsheet|excel|latex|csv|class|"
    r"api|python|javascript|typescript|java|c\+\+|c#|ruby|php|golang|rust|swift|kotlin|bash|shell|perl|scala|"
    r"matlab|haskell|regex|regular expression|node\.?js|react|jquery|css|xml|algorithm|array|variable|loop)\b"
)
_YES_NO = re.compile(r"^(?:please\s+)?(?:answer|respond|reply)(?:\s+only)?\s+(?:with\s+)?(?:either\s+)?['\"]?yes['\"]?\s+or\s+['\"]?no['\"]?|^yes\s+or\s+no\s*\?|\(yes\s*/\s*no\)", re.I)
_CASE = re.compile(
    r"\b(?:in\s+all\s+(capital letters|caps|uppercase|upper case|capitals|lowercase|lower case)(?:\s+letters)?|"
    r"in\s+(lowercase|lower case|uppercase|upper case)\s+(?:letters\s+)?only|"
    r"^(?:convert|change|rewrite|transform|put)\b[^.?!]{0,80}\b(?:in)?to\s+(?:all\s+)?(uppercase|upper case|lowercase|lower case|capital letters|all caps))\b",
    re.I,
)
_LANGUAGE = re.compile(
    rf"^(?:please\s+)?(?:translate\b[^.?!]{{0,200}}?\b(?:in)?to|(?:answer|respond|reply|write)\s+(?:only\s+)?in|"
    rf"your\s+(?:entire\s+|whole\s+)?(?:answer|response|reply|output)\s+(?:should|must)\s+be\s+(?:written\s+)?(?:entirely\s+)?in)"
    rf"\s+{_LANG}\b(?!\s+(?:code|words?|letters?|alphabet|characters?|script|sign|grammar))",
    re.I,
)
# Code and nothing else: "Only output the code", "Respond with code only", "... without any explanation".
_CODE_ONLY = re.compile(
    r"\b(?:(?:only|just)\s+(?:output|return|give|provide|write|respond with|reply with)?\s*(?:the\s+)?code\b|"
    r"code\s+only\b|(?:without|no)\s+(?:any\s+)?(?:explanations?|comments?\s+or\s+explanations?)\b)",
    re.I,
)
_QUOTE = r"['\"‘“]([^'\"’”\n]{1,40})['\"’”]"
_STARTS = re.compile(rf"^(?:please\s+)?(?:start|begin)\s+(?:your|the)\s+(?:answer|response|reply|output)\s+with\s+(?:the\s+(?:word|phrase)\s+)?{_QUOTE}", re.I)
_ENDS = re.compile(rf"^(?:please\s+)?(?:end|finish)\s+(?:your|the)\s+(?:answer|response|reply|output)\s+with\s+(?:the\s+(?:word|phrase)\s+)?{_QUOTE}", re.I)
_INCLUDES = re.compile(rf"(?<!without\s)(?<!not\s)\b(?:using|use|include|including|containing|contain|with)\s+the\s+(?:key)?(?:word|phrase|term)\s+{_QUOTE}", re.I)
_EXCLUDES = re.compile(rf"\b(?:without\s+using|do\s+not\s+use|don't\s+use|never\s+use|avoid(?:\s+using)?)\s+the\s+(?:word|phrase|term)\s+{_QUOTE}", re.I)
_CASE_KIND = {"capital letters": "upper", "caps": "upper", "uppercase": "upper", "upper case": "upper", "capitals": "upper",
              "all caps": "upper", "lowercase": "lower", "lower case": "lower"}

def _length(unit: str) -> str:
    return unit.lower().rstrip("s") + "s"


def _lengths(s: str) -> list[Constraint]:
    """Word, sentence and paragraph counts in one order sentence; a span read by one pattern is not read again."""
    out: list[Constraint] = []
    taken: list[tuple[int, int]] = []

    def free(m: re.Match[str]) -> bool:
        if any(m.start() < b and a < m.end() for a, b in taken):
            return False
        taken.append(m.span())
        return True

    for m in _RANGE.finditer(s):
        if free(m):
            low, high = sorted((number(m.group(1)), number(m.group(2))))
            out.append(Constraint(_length(m.group(3)), low, high))
    for m in _OR_LESS.finditer(s):
        if free(m):
            n = number(m.group(1))
            out.append(Constraint(_length(m.group(2)), *((0, n) if m.group(3).lower() != "more" else (n, 0))))
    for m in _BOUNDED.finditer(s):
        if free(m):
            word, n, unit = m.group(1).lower(), number(m.group(2)), _length(m.group(3))
            if re.fullmatch(_UPPER, word):
                out.append(Constraint(unit, 0, n - 1 if word in ("under", "fewer than", "less than") else n))
            elif re.fullmatch(_LOWER, word):
                out.append(Constraint(unit, n + 1 if word in ("more than", "over") else n, 0))
            else:
                out.append(Constraint(unit, n, n))
    for m in _EXACT.finditer(s):
        if free(m):
            n = number(m.group(1))
            out.append(Constraint(_length(m.group(2)), n, n))
    if _ONE_WORD.search(s):
        out.append(Constraint("words", 1, 1))
    return out


def _others(s: str) -> list[Constraint]:
    """Items, formats, case, language, start/end and words to include or avoid, in one order sentence."""
    out: list[Constraint] = []
    items = _ITEMS.match(s)
    if items and not re.search(r"\b(?:following|given|above|below|these|those)\b", s, re.I):
        n = number(items.group(2))
        if n >= 2:
            out.append(Constraint("items", n, 0 if (items.group(1) or "").lower().startswith("at least") else n))
    bullets = _BULLETS.search(s)
    if bullets:
        given = bullets.group(1) or bullets.group(2)
        out.append(Constraint("bullets", *((number(given),) * 2 if given else (2, 0))))
    for pattern, kind in ((_NUMBERED, "numbered"), (_JSON, "json"), (_TABLE, "table"), (_YES_NO, "yes-no")):
        if pattern.search(s):
            out.append(Constraint(kind))
    case = _CASE.search(s)
    if case:
        word = next(g for g in case.groups() if g).lower()
        out.append(Constraint("case", value=_CASE_KIND.get(word, "upper" if "up" in word or "cap" in word else "lower")))
    language = _LANGUAGE.match(s)
    if language:
        out.append(Constraint("language", value=LANGUAGES[language.group(1).lower()]))
    for pattern, kind in ((_STARTS, "starts"), (_ENDS, "ends")):
        edge = pattern.match(s)
        if edge:
            out.append(Constraint(kind, value=edge.group(1)))
    for pattern, kind in ((_INCLUDES, "includes"), (_EXCLUDES, "excludes")):
        out += [Constraint(kind, value=m.group(1)) for m in pattern.finditer(s)]
    return out


def constraints(instruction: str) -> list[Constraint]:
    """Every constraint the instruction states unambiguously. Two different statements of one
    counted or exclusive kind (one sentence and three sentences) make it ambiguous: neither is kept;
    words to include or avoid add up."""
    sentences = order_sentences(instruction)
    if not sentences:
        return []
    # A coding task says so where it gives its orders; the passage around them is not searched.
    # Its words, items and case are the code's, so only "code only" is read there.
    if any(_CODE_WORDS.search(s) for s in sentences) or _CODE_WORDS.search(instruction[:200]):
        return [Constraint("code-only")] if any(_CODE_ONLY.search(s) for s in sentences) else []
    found: dict[str, list[Constraint]] = {}
    for s in sentences:
        for c in (*_lengths(s), *_others(s)):
            if c not in found.setdefault(c.kind, []):
                found[c.kind].append(c)
    return [c for kind, cs in found.items() if len(cs) == 1 or kind in ("includes", "excludes") for c in cs]
