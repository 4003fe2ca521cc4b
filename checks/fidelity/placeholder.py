"""TSK010: outputs that are a bracketed description of an answer instead of the answer.

'<image of a lion roaring>', '[Picture of a happy family]', '<long answer>',
'[image]': the writer described what should stand there and left it. The
whole output (or all of it after a short lead-in such as 'Here is the
logo:') is one span in angle or square brackets holding words.

Not flagged: markup and code ('<item id="xyz"/>', '<br>', '[i*i for i in
x]': brackets around code characters or a tag), a single bracketed word that
is not a placeholder word (a label such as '[positive]'), and the stock
placeholders QLT008 already reports ('<no output>', '[insert ...]').
"""

from __future__ import annotations

import re

from auditor.core.findings import CodeInfo, Severity
from checks.fidelity.base import RuleResult, View
from checks.quality_rules.phrases import boilerplate, lowered

CODE = CodeInfo(
    code="TSK010",
    symbol="placeholder-output",
    severity=Severity.WARNING,
    summary="Outputs that are a bracketed description of an answer ('<image of a lion>', '[long answer]') "
    "instead of the answer.",
    why="The model learns to answer with a description of an answer in brackets; for a request it cannot "
    "fulfil (an image, a file) it should say so, and for one it can it should answer.",
    fix="Write the real output, or one that says what a text model can do instead; else drop the record.",
    threshold="any record",
)

KINDS = {
    "media": "answer with a bracketed stand-in for an image, a video or a file ('<image of a lion>')",
    "text": "answer with a bracketed description of the answer ('<long answer>', '[answer here]')",
}
ACTION = "write the real outputs (or say what a text model can do instead) or drop these records"

_WHOLE = re.compile(r"^(?:[^\n<>\[\]]{0,60}:\s*)?[<\[]\s*([^<>\[\]\n]{1,200}?)\s*[>\]]\s*\.?$")
# Brackets around code, data or markup, not words: a tag with attributes, operators, quotes.
_CODE = re.compile(r"[=*\"{}();|\\/]|^/|^!|\d\s*,\s*\d|^\s*[\d\s.,-]+$|'\s*,|,\s*'|^'.*'$")
_MEDIA = re.compile(
    r"\b(?:image|images|picture|pictures|photo|photos|photograph|drawing|logo|graphic|chart|diagram|video|audio|"
    r"sketch|illustration|screenshot|attachment|file|gif|map|painting|animation|recording|sound)\b",
    re.I,
)
_WORDS = re.compile(
    r"\b(?:answer|output|response|text|content|placeholder|blank|redacted|omitted|here|code|table|list|link|url|"
    r"name|description|summary|essay|poem|story|example|result|solution|repeats?|continues?)\b",
    re.I,
)
_STOCK = boilerplate()


def placeholder_kind(output: str) -> str | None:
    """'media' or 'text' when the output is a bracketed stand-in, else None."""
    text = output.strip()
    if not text or text[-1] not in ">]." or len(text) > 300:
        return None
    m = _WHOLE.match(text)
    if m is None:
        return None
    inside = m.group(1).strip()
    if not any(c.isalpha() for c in inside) or _CODE.search(inside) or _STOCK.matches(text, lowered(text)):
        return None
    if _MEDIA.search(inside):
        return "media"
    words = inside.split()
    if _WORDS.search(inside) or len(words) >= 3:
        return "text"
    return None  # one or two words that name no placeholder: a label, a tag


def find(view: View) -> RuleResult:
    result = RuleResult()
    for i, output in enumerate(view.outputs):
        if "<" not in output and "[" not in output:
            continue
        kind = placeholder_kind(output)
        if kind is None:
            continue
        result.flag(i, kind, f"output {output.strip()[:80]!r}")
    for kind in KINDS:  # every output can be checked: the share is of all records
        result.checked[kind] = len(view)
    return result
