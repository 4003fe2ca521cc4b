"""Counting an output the way a reader would: words, sentences, paragraphs, list items.

Each counter returns None when the output does not have the shape the count
needs (items in an output that is neither a list nor a short enumeration):
the constraint is then not checked rather than guessed.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr vs etc e.g i.e no inc ltd co corp prof gen sen rep mt ft approx dept est fig jan feb mar apr "
    "jun jul aug sep sept oct nov dec a.m p.m u.s u.k".split()
)
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")
_MARKER = re.compile(r"^([ \t]*)(?:[-*•▪◦–]|\d{1,2}[.)]|\(\d{1,2}\)|[a-zA-Z][.)])[ \t]+\S", re.M)
_NUMBERED = re.compile(r"^[ \t]*\d{1,2}[.)][ \t]+\S", re.M)
_INLINE = re.compile(r"(?:^|\s)(\d{1,2})[.)]\s+\S")
_FENCE = re.compile(r"```")
_CODE_CHARS = re.compile(r"[(){}\[\]=<>;]")


def words(text: str) -> int:
    return len(_WORD.findall(text))


def sentences(text: str) -> int:
    """Sentences: end punctuation followed by a space, or a line break, ends one.

    A period after a known abbreviation or a single letter (an initial) does not."""
    count = 0
    for line in text.splitlines():
        line = line.strip()
        if not _WORD.search(line):
            continue
        pieces = 0
        start = 0
        for m in _END.finditer(line):
            before = line[start : m.start()].split()
            last = before[-1].lower().rstrip(".") if before else ""
            # "Dr.", an initial, or a list number ("1. alpha 2. beta") ends no sentence.
            if m.group(0).startswith(".") and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or last.isdigit()):
                continue
            if _WORD.search(line[start : m.start()]):
                pieces += 1
            start = m.end()
        if _WORD.search(line[start:]):
            pieces += 1
        count += pieces
    return count


def paragraphs(text: str) -> int:
    """Blocks separated by blank lines; with no blank line, non-empty lines (exports often lose one newline)."""
    blocks = [b for b in re.split(r"\n[ \t]*\n", text.strip()) if b.strip()]
    if len(blocks) == 1:
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) > 1:
            return len(lines)
    return len(blocks)


def list_lines(text: str) -> int:
    """Lines starting with a list marker, at the outermost indentation the list uses."""
    found = [len(m.group(1).expandtabs(4)) for m in _MARKER.finditer(text)]
    if len(found) < 2:
        return 0
    top = min(found)
    return sum(1 for indent in found if indent == top)


def numbered_lines(text: str) -> int:
    return len(_NUMBERED.findall(text))


def items(text: str) -> int | None:
    """List items: marker lines; else inline numbering "1. .. 2. .."; else a one-line enumeration of
    short comma-separated items; else short lines under an optional header. None: not a list."""
    if _FENCE.search(text):
        return None
    marked = list_lines(text)
    if marked:
        return marked
    numbers = [int(m.group(1)) for m in _INLINE.finditer(text)]
    if len(numbers) >= 2 and numbers == list(range(1, len(numbers) + 1)):
        return len(numbers)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    while lines and lines[0].endswith(":"):
        lines = lines[1:]
    if len(lines) == 1:
        body = lines[0].split(":", 1)[-1] if lines[0].count(":") == 1 else lines[0]
        body = body.strip().rstrip(".")
        parts = [p.strip() for p in re.split(r",|;|\band\b|\bor\b", body) if p.strip()]
        if len(parts) >= 2 and all(words(p) <= 4 for p in parts) and "," in body and not _CODE_CHARS.search(body):
            return len(parts)
        return None
    if (
        len(lines) >= 2
        and not re.search(r"\n[ \t]*\n", text.strip())
        and all(words(line) <= 12 for line in lines)
        and not any(line.endswith(":") or _CODE_CHARS.search(line) for line in lines)
    ):
        return len(lines)
    return None
