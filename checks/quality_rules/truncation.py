"""Does an output look cut off? Cheap tests on counts and on its last characters.

Strong signs (unclosed code fence, more opening than closing brackets, a quote
opened and never closed, a list ending on its marker, a last word that cannot
end a sentence) are reported for any output. The weak sign, prose that stops
without closing punctuation (mid-sentence or mid-word), is only judged on a
final line of at least ``min_words`` words with no code characters, so labels,
short answers and code are never called truncated for lacking a full stop.
"""

from __future__ import annotations

import re

# What may legitimately end a text: sentence punctuation, closing quotes and
# brackets, markup and code endings.
_CLOSERS = frozenset(".!?。！？…\"'”’»)]}>`*_~|;")
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*•+]|\d{1,3}[.)]|[a-zA-Z][.)])")
_OPEN_QUOTE_AT_END = re.compile(r'(?:^|\s)"[^"]*$')
_CODE_CHARS = re.compile(r"[=;{}<>\\]|\(\)|def |\bfunction\b|\breturn\b|::|->|#include")
# Words after which an English sentence cannot end.
_DANGLING = frozenset(
    "the a an and or but of to with for in on at by from that which who whose is are was were be "
    "because as than if then so into onto about between my your our their its his her this these "
    "those such very".split()
)
_PAIRS = (("(", ")"), ("[", "]"), ("{", "}"))
_DANGLING_PUNCT = frozenset(",-–—:(/[{&+")


UNPUNCTUATED = "stops mid-sentence or mid-word"  # the weak sign; groups where it is the norm are exempted


def truncation_reason(text: str, min_words: int) -> str | None:
    """Why ``text`` looks truncated, or None. The reason is a short kebab-free phrase."""
    body = text.rstrip()
    if not body:
        return None
    # `in` (a memchr) before `count`: most texts have none of these characters.
    if "```" in body and body.count("```") % 2:
        return "unclosed code fence"
    for opening, closing in _PAIRS:
        if opening in body and body.count(opening) > body.count(closing):
            return "unclosed bracket"
    if "“" in body and body.count("“") > body.count("”") or ('"' in body and body.count('"') % 2 and _OPEN_QUOTE_AT_END.search(body)):
        return "unclosed quote"
    last = body[-1]
    # Only the last line is read from here on: a whole-text scan per record is what makes rules slow.
    tail = body[body.rfind("\n") + 1 :]
    # A lone "A." or "2)" is a multiple-choice answer; a marker ends a list only after earlier lines.
    if len(tail) < len(body) and _LIST_MARKER.fullmatch(tail):
        return "list ends on its marker"
    if last in _CLOSERS:
        return None
    if last in _DANGLING_PUNCT:
        return "ends on a comma or connector"
    words = tail.split()
    if len(words) < min_words or _CODE_CHARS.search(tail):
        return None
    if words[-1].lower() in _DANGLING:
        return "ends on a word that cannot end a sentence"
    return UNPUNCTUATED
