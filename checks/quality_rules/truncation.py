"""Does an output look cut off? Only evidence counts, never a missing full stop alone.

A complete answer often ends without a full stop: a list on its last item, a source
line, a signature, a quoted error message, code, a regex, a label, a GSM8K
``#### 42``. So an output is called truncated on evidence of a cut:

- structure left open that matters: an odd number of code fences, a JSON document
  (the output starts with ``{`` or ``[``) with more opening than closing brackets,
  a list whose last line is a bare marker;
- an ending no finished text has: a comma or a colon, a lone connector (" -",
  " &"), an article, possessive or conjunction in lower case ("... at the", "... and"),
  a quotation opened on the last line and never closed;
- prose that stops without punctuation where the writer punctuates: the sentences
  (or the list items) before the last one are closed, and the last one stops after
  ``min_words`` words, or after a word or two that cannot close a message (a
  lower-case word, a word that opens a clause, a lone letter, or a word cut short:
  the start of a longer word the record uses, never used on its own).

Code and tool calls, numbers, URLs and hashtags, signatures, closing formulas and the
sign-off line of a letter left unsigned ("Hi there, ... Best regards,"),
and answers copied from the input (an extractive span ends where the span ends) are
not judged by their last word. Two kinds of evidence need the whole dataset and
are judged in ``checks/quality.py``: a length cap (many outputs cut at one maximum
length, see ``caps``) and a group's house style (a group where unpunctuated endings
are common is not judged by the prose rule).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

# What may legitimately end a text: sentence punctuation, closing quotes and brackets, markup and code endings.
_CLOSERS = frozenset(".!?。！？…\"'”’»)]}>`*_~|;")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•+]|\d{1,3}[.)]|[a-zA-Z][.)])")
# A line that is an item: a bullet, a number, or a short label and a colon ("Day 7: ...", "Leo: ...").
_ITEM = re.compile(r"[ \t]*(?:[-*•+][ \t]|\d{1,3}[.):][ \t]|[a-zA-Z][.)][ \t]|[A-Z][\w'’ /&.-]{0,30}:[ \t])")
# Signs of code or data on a line: operators, braces, calls, indexing, shell variables, keywords.
_CODE = re.compile(
    r"[;{}]$|[={}<>\\]|\w\[[^\]\n]*\]|\$[A-Za-z_{(]|^\t|\(\)|\bdef |\bfunction\b|\breturn\b|::|->|#include|^#!|"
    r"\b[a-z_]\w*\([^()\n]*\)|\w\.\w+\(|\b[a-z_]+\('",
    re.M,
)
# A sentence boundary: closing punctuation and whitespace before anything but a lower-case letter
# ("1 . fc" in lower-cased data is not one). The word before the stop is checked for abbreviations.
_BOUNDARY = re.compile(r"(\w*)[.!?。！？][\"'”’)\]]*\s+(?=[^\sa-z])")
_ABBREVIATIONS = frozenset("mr mrs ms dr st jr sr vs etc no mt ft prof gen col lt sgt capt rev inc ltd co corp".split())
# Lower-case words after which an English sentence cannot end: articles, possessives, conjunctions.
_DANGLING = frozenset("the a an and or but nor because than my your our their its whose if whether although very".split())
# Words that open a clause: a sentence stopped right after one of them was cut.
_OPENERS = _DANGLING | frozenset(
    "i i'm i’m i'd i’d i'll i’ll we we're we’re they they're they’re he she you're you’re here's here’s there's there’s "
    "let's let’s this these those so also then in on at for to with of from by about into".split()
)
_CONNECTORS = frozenset("-–—(&+/")
# A letter's closing line ("Yours sincerely, Jane Austen", "With respect and hope, Your AI companion").
_VALEDICTION = re.compile(
    r"(?:yours|sincerely|regards|best|kind|warm|warmest|cheers|respectfully|cordially|love|thanks|thank you|with|"
    r"all the best|faithfully|truly|take care|until|see you|hugs|peace|signed|your)\b[^.!?\n]{0,60},",
    re.I,
)
# Short formulas that close a message without a full stop.
_CLOSING = re.compile(
    r"(?:good luck|have fun|enjoy|cheers|bye|see you|take care|thanks|thank you|all the best|stay safe|talk soon|"
    r"best wishes|love|regards|learn more|read more|see more|click here|more info)\b",
    re.I,
)
# A letter's opening line: a greeting and a name, ending the line (with a comma, usually).
_SALUTATION = re.compile(r"\s*(?:dear|hi|hello|hey|greetings|good (?:morning|afternoon|evening)|to whom)\b[^\n!?]{0,40},?[ \t]*\n", re.I)
_OPEN_QUOTE = re.compile(r'(?:^|\s)"[^"]*$')
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_JSON_HEAD = re.compile(r"\s*([\[{])")

UNPUNCTUATED = "stops mid-sentence or mid-word"  # the prose rule; groups where it is the norm are exempted
CONNECTOR = "ends on a comma or connector"

# How an output ends, for the dataset-wide rules (one small int per record).
CLOSED, OPEN, ELLIPSIS = 0, 1, 2


def looks_like_code(text: str) -> bool:
    """Operators, braces, calls or keywords: code or data, which end without punctuation by nature."""
    return _CODE.search(text) is not None


def ending(text: str) -> int:
    """CLOSED (punctuation, a bracket, a symbol), OPEN (a letter or digit, a comma) or ELLIPSIS ("...")."""
    body = text.rstrip()
    if not body:
        return CLOSED
    last = body[-1]
    if last == "…" or body.endswith("..."):
        return ELLIPSIS
    return CLOSED if last in _CLOSERS else OPEN


def truncation_reason(text: str, min_words: int, source: str = "") -> str | None:
    """Why ``text`` looks cut off, or None; ``source`` is the record's input (answers copied from it are
    not judged by their ending)."""
    body = text.rstrip()
    if not body:
        return None
    # `in` (a memchr) before `count`: most texts have none of these characters.
    if "```" in body and body.count("```") % 2:
        return "unclosed code fence"
    document = _JSON_HEAD.match(body)
    if document is not None:
        head = document.group(1)
        if body.count(head) > body.count("}" if head == "{" else "]"):
            return "unclosed JSON"
        return None  # a JSON document or a bracketed list: no prose to judge
    last = body[-1]
    nl = body.rfind("\n")
    # Only the last line is read until the prose rule: a whole-text scan per record is what makes rules slow.
    tail = body[nl + 1 :]
    if nl >= 0 and _LIST_MARKER.fullmatch(tail):
        return "list ends on its marker"
    if last in _CLOSERS:
        return None
    connector = not last.isalnum()
    if connector:
        if not (last in ",:" or last in _CONNECTORS and tail[-2:-1].isspace()):
            return None  # an emoticon, a symbol, a per-cent sign: nothing was cut there
    elif " " not in body and "\n" not in body:
        return None  # one word: a label, a name, a number
    if source and len(body) < len(source) and (body if not body[0].isspace() else body.lstrip()) in source:
        return None  # an extractive answer ends where its span ends
    words = tail.split()
    if not words:
        return None
    if connector:
        if last == "," and _signed_off(body, nl, words):
            return None
        return CONNECTOR if any(c.isalpha() for c in tail) and not _CODE.search(tail) else None
    last_word = words[-1].strip("\"'“”‘’*_")
    # Case matters: "... at the" dangles, "Cell A" and "... brown fox quick The" (a reversed sentence) do not.
    if len(words) >= 3 and last_word in _DANGLING and not _CODE.search(tail):
        return "ends on a word that cannot end a sentence"
    if last.isdigit() or "://" in words[-1] or words[-1].startswith(("#", "@", "www.")):
        return None
    if '"' in tail and tail.count('"') % 2 and _OPEN_QUOTE.search(tail) or "“" in tail and tail.rfind("“") > tail.rfind("”"):
        return "unclosed quote"
    return _stops_in_prose(body, nl, tail, min_words, source)


def _stops_in_prose(body: str, nl: int, tail: str, min_words: int, source: str) -> str | None:
    """The prose rule: the last sentence (or list item) stops unpunctuated where the ones before it are closed."""
    if nl >= 0 and _ITEM.match(tail):
        items: list[str] = []  # the items of the same list just before the last one
        for line in reversed(body[:nl].split("\n")):
            if not line.strip():
                continue
            if not _ITEM.match(line) or len(items) == 5:
                break
            items.append(line)
        if len(items) < 2 or sum(map(_closed, items)) < 0.5 * len(items):
            return None  # a list or a transcript whose items end without punctuation by style
        segment = tail[_last_boundary(tail) :]
    else:
        start = _last_boundary(body)
        segment = body[start:]
        if segment.count(" - ") >= 2:  # an inline list ("...: - a - b - c")
            return None
        if start == 0:
            # No sentence closed before it: only a word cut short is evidence.
            last = _WORD.findall(segment[-60:])
            if last and len(segment.split()) >= min_words and _cut_short(last[-1], body, source) and not _CODE.search(segment):
                return UNPUNCTUATED
            return None
        if "\n" in segment.strip():  # the last sentence runs over lines: an address, a signature block, a table
            return None
    if _CODE.search(segment) or segment.count(" - ") >= 2:
        return None
    seg_words = segment.split()
    if len(seg_words) >= min_words:
        return None if _VALEDICTION.match(segment.strip()) and len(seg_words) <= 10 else UNPUNCTUATED
    # A sentence just begun: evidence only if its last word cannot close a message.
    found = _WORD.findall(seg_words[-1]) if seg_words else []
    if not found or segment.lstrip()[:1] in "-–—" or _CLOSING.match(segment.strip()):
        return None  # an attribution ("- Harry") or a closing formula ("Good luck")
    word = found[-1]
    # Names and titles close a text ("Albert Einstein", "Read More"); a lower-case word does not.
    if word.lower() in _OPENERS or word[0].islower() or _cut_short(word, body, source):
        return UNPUNCTUATED
    return None


def _signed_off(body: str, nl: int, words: list[str]) -> bool:
    """A letter left unsigned: it opens on a salutation line ("Hi there,", "Dear Ms. Lee,") and ends on a
    short line of its own closing with a comma ("Best regards,", "Looking forward to seeing you,"),
    where the sender's name would follow."""
    return nl >= 0 and len(words) <= 8 and _SALUTATION.match(body) is not None


def _closed(line: str) -> bool:
    s = line.rstrip()
    return bool(s) and (s[-1] in _CLOSERS or not s[-1].isalnum() and s[-1] not in ",:" and s[-1] not in _CONNECTORS)


def _last_boundary(text: str) -> int:
    """Where the last sentence of ``text`` starts (0 when no sentence ends before it)."""
    at = 0
    for m in _BOUNDARY.finditer(text):
        word = m.group(1)
        if word.isdigit() or len(word) >= 2 and word.lower() not in _ABBREVIATIONS:  # not "J." or "Dr."
            at = m.end()
    return at


def _cut_short(word: str, text: str, source: str) -> bool:
    """A lone letter other than 'a' and 'I', or the start of a longer word the record uses that the record
    never uses on its own ("informati" where "information" appears earlier)."""
    if len(word) == 1:
        return word not in "aAI"
    low = word.lower()
    longer = False
    for hay in (text[: text.rfind(word)].lower(), source.lower()):
        at = hay.find(low)
        while at != -1:
            end = at + len(low)
            if at == 0 or not hay[at - 1].isalpha():
                if end < len(hay) and hay[end].isalpha():
                    longer = True
                elif end == len(hay) or hay[end] not in "'’":
                    return False  # the record uses it as a word of its own
            at = hay.find(low, at + 1)
    return longer


def endings(texts: Sequence[str]) -> np.ndarray:
    """``ending`` of every text as an int8 array; texts are only stripped when their last character is blank."""
    out = np.zeros(len(texts), dtype=np.int8)
    for i, text in enumerate(texts):
        last = text[-1:]
        if not last or last.isspace():
            out[i] = ending(text)
        elif last == "." or last == "…":
            out[i] = ELLIPSIS if last == "…" or text.endswith("...") else CLOSED
        elif last not in _CLOSERS:
            out[i] = OPEN
    return out
