"""TSK008: instructions that refer to something the record does not hold.

A text model sees only the record's text. An instruction that points at more
than that gets an output that can only be invented, and the model learns to
invent it. Three kinds, each judged on the whole input (the instruction, a
blank line, the input field, for alpaca-style records):
- url: the instruction asks about the content behind a link (summarise the
  article, write a headline for the page) and the record holds only the
  link: the page itself is not there. Questions about the link itself
  (its domain, whether it is valid) are not flagged;
- media: the instruction points at an image, a photo, a chart, a recording,
  a video or an attached file ('the following image', 'the attached
  spreadsheet') and the record holds nothing standing for it: no input, a
  placeholder ('<Picture Attached>', '[image]'), a file name or a link. A
  written description of the picture counts as standing for it;
- material: the instruction points at text it names ('the following
  article', 'the given sentence', 'the above passage') and there is none:
  no input at all or a placeholder ('<noinput>', 'N/A'), or for long-form
  text (an article, a passage, an essay, a document, an email ...) fewer
  than a few words. For 'the above' the text must come before the
  instruction, for 'the following' or 'below' after it, for 'the given' /
  'this' anywhere.
The note says when the output describes the missing thing anyway ('In the
image, ...', 'The article discusses ...'): that is the hallucination the
record teaches.
"""

from __future__ import annotations

import re

from auditor.core.findings import CodeInfo, Severity
from checks.fidelity.base import RuleResult, View
from checks.fidelity.caseless import Caseless

CODE = CodeInfo(
    code="TSK008",
    symbol="missing-context",
    severity=Severity.WARNING,
    summary="Instructions that refer to something the record does not hold: a web page behind a link, an image, "
    "a recording or an attached file, or 'the following article' with no article.",
    why="The output can only be invented: trained on it, the model learns to describe images it cannot see and "
    "summarise pages it never read, confidently. The cleaned-Alpaca project removed these records for that "
    "reason.",
    fix="Put the missing material into the record (the article's text, a description of the image), or drop "
    "the record.",
    threshold="any record; long-form text counts as missing below 4 words",
)

KINDS = {
    "url": "ask about the content behind a link and hold only the link",
    "media": "refer to an image, a recording, a video or an attached file the record does not hold",
    "material": "refer to text ('the following article', 'the given sentence') the record does not hold",
}
ACTION = "put the missing material into these records (the text, a description of the image) or drop them"

# 'the given X', 'this X', 'the following X'; never 'a given X' (a function's argument: 'reverse a given
# string') nor a bare 'following' ('following Chapter 11 proceedings').
_DEICTIC = r"(?:the\s+(?P<pointer>following|given|provided|attached|enclosed|uploaded|above|below|included|supplied)|this|these)"
# Up to two words between the pointer and the noun ('the following short article'), never an article.
_ADJ = r"(?:(?!(?:the|a|an)\s)[\w-]+\s+){0,2}?"
_MEDIA_NOUNS = (
    r"image|images|photo|photos|photograph|photographs|picture|pictures|pic|drawing|painting|sketch|illustration|"
    r"screenshot|diagram|chart|graph|plot|figure|infographic|map|logo|artwork|video|videos|clip|footage|movie clip|"
    r"audio|recording|sound clip|voice memo|podcast episode|attachment|attached file|file|pdf|spreadsheet|"
    r"excel file|csv file|scan|x-ray|scan"
)
_MEDIA = re.compile(rf"{_DEICTIC}\s+{_ADJ}(?P<media>{_MEDIA_NOUNS})\b", re.I)
# Text that is never a few words long; and text that may be (a review of 'Great app', a one-line code).
_LONG_NOUNS = (
    r"article|articles|passage|essay|story|document|report|email|e-mail|letter|speech|transcript|chapter|book|"
    r"news\s+article|news\s+story|blog\s+post|paragraph|paragraphs|paper|abstract|excerpt"
)
_SHORT_NOUNS = (
    r"text|texts|review|dialogue|conversation|poem|lyrics|script|summary|table|dataset|data\s+set|code|program|"
    r"snippet|recipe|sentence|sentences|word|words|phrase|phrases|question|questions|statement|headline|title|"
    r"quote|tweet|list|equation|expression|name|names|number|numbers|input|product|description|data|string|array"
)
# Nouns a function takes as its argument: in an instruction asking for code, 'the given string' is the parameter.
_PARAMETER = re.compile(
    r"^(?:number|numbers|string|strings|list|lists|array|arrays|input|table|data|dataset|data\s+set|word|words|"
    r"sentence|sentences|name|names|text|texts|expression|equation|product)$",
    re.I,
)
_ASKS_CODE = re.compile(
    r"\b(?:function|program|method|script|algorithm|class|query|code|regex|regular expression|api|app|module|"
    r"procedure|macro|loop|snippet|implementation|sql|python|java|javascript|c\+\+|c#|ruby|php|swift|kotlin|"
    r"go|rust|perl|bash|shell|html|css|typescript|scala|haskell|matlab|r|c)\b",
    re.I,
)
_NAMED = re.compile(r"\s+(?:[a-z]|`[^`]+`)\b(?!['’])")
_MATERIAL = re.compile(rf"{_DEICTIC}\s+{_ADJ}(?:(?P<long>{_LONG_NOUNS})|(?P<short>{_SHORT_NOUNS}))\b", re.I)
_URL_ONLY = re.compile(r"^\s*[<(\[]?\s*(?:https?://|www\.)\S+?\s*[>)\]]?\s*$", re.I)
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.I)
# Words of content at a link, and words about the link itself: alternations searched through whole
# inputs, so in lower-cased text (see caseless), where they cost a third.
_CONTENT = Caseless(
    r"\b(?:article|page|web\s?page|website|site|blog|post|video|story|news|paper|content|tweet|podcast|book|"
    r"review|recipe|essay|report|document|headline)s?\b"
)
_ABOUT_LINK = Caseless(
    r"\b(?:url|urls|domain|protocol|pars\w+|valid\w*|regex|regular expression|query|path|shorten\w*|encod\w+|"
    r"decod\w+|hostname|host|parameters?|scheme|tld|subdomain|https?|link\s+text|anchor|hyperlink|redirect\w*|"
    r"code|program|function|script|html|http request|api|fetch|scrap\w+|crawl\w*|download\w*|request|curl|wget|"
    r"server|endpoint|ping|browser|open|visit)\b"
)
# A stand-in written where the material should be: '<Picture Attached>', '[image]', 'N/A', '<noinput>'.
_PLACEHOLDER = re.compile(
    r"^\s*(?:<[A-Za-z][\w .'-]{0,40}>|\[[A-Za-z][\w .'-]{0,40}\]|\([A-Za-z][\w .'-]{0,40}\)|n/?a|none|null|nil|"
    r"no input|noinput|empty|-+|\.+|\?+)\s*$",
    re.I,
)
# The input field is a stand-in for a picture or a file: '<Picture Attached>', '[image of a dog]'.
_MEDIA_PLACEHOLDER = re.compile(
    r"^\s*[<\[(][^<>\[\]()\n\"',]{0,40}\b(?:picture|image|photo|attach\w*|file|audio|video|chart|graph|diagram|"
    r"drawing|screenshot|pdf|spreadsheet|recording|sketch|scan)s?\b[^<>\[\]()\n\"',]{0,40}[>\])]\s*$",
    re.I,
)
_MEDIA_FILE = re.compile(r"^\s*\S+\.(?:jpe?g|png|gif|bmp|svg|webp|tiff?|mp3|mp4|wav|ogg|m4a|mov|avi|mkv|pdf|xlsx?|docx?|pptx?)\s*$", re.I)
_SEEN = re.compile(
    r"\b(?:in|from)\s+(?:the|this)\s+(?:image|photo|picture|video|audio|recording|chart|graph|diagram)\b|"
    r"\b(?:the|this)\s+(?:image|photo|picture|video|audio|recording|chart|graph|diagram)\s+(?:shows|depicts|features|"
    r"displays|contains|illustrates|presents|is\s+of)\b|\bthe\s+(?:article|page|post|video)\s+(?:discusses|describes|"
    r"explains|reports|is\s+about|talks\s+about|states|highlights)\b",
    re.I,
)
#: Inputs longer than this hold more than a link and its instruction (the url kind allows 60 words).
MAX_LINK_INPUT = 1500
#: Long-form text of fewer words than this is not the article, passage or document the instruction names.
MIN_LONG_WORDS = 4
_SENTENCE_END = re.compile(r"[.!?:](?:\s|$)|\n")
# A new clause starting without punctuation: 'too-tepid biopic What is the sentiment of this text?'.
_CLAUSE_START = re.compile(r"(?<=[a-z0-9,;)\"'])\s+(?=[A-Z][a-z])")
# Material written into the instruction's own sentence: after a colon, quoted, or a bracketed list.
_INLINE = re.compile(r":\s*(.+)$|\"[^\"]{2,}\"|“[^”]{2,}”|\[[^\]]+\]|\{[^}]+\}", re.S)


#: Characters looked at around a reference: enough to find its sentence and to tell whether
#: material is there (a few words); long inputs are not scanned end to end.
REACH = 300


def _span(text: str, start: int, end: int) -> tuple[int, int]:
    """The instruction's sentence around text[start:end]: from the previous sentence end or new
    clause to the next sentence end."""
    low = max(0, start - REACH)
    before = max((m.end() for m in _SENTENCE_END.finditer(text, low, start)), default=low)
    before = max([before, *(m.end() for m in _CLAUSE_START.finditer(text, before, start))])
    after = _SENTENCE_END.search(text, end)
    return before, (after.start() if after else len(text))


def _material(text: str, start: int, end: int, deictic: str) -> str:
    """The text a reference points at: after its sentence ('following', 'below'), before it
    ('above'), or either side ('given', 'this'); plus anything written inline after it."""
    s, e = _span(text, start, end)
    inline = " ".join(m.group(0) for m in _INLINE.finditer(text[end : e + 1]))
    before, after = text[max(0, s - REACH) : s], text[e + 1 : e + 1 + REACH]
    word = deictic.lower()
    if word == "above":
        return before
    if word in ("following", "below"):
        return inline + "\n" + after
    return before + "\n" + inline + "\n" + after


# Reading a linked page, asked in the imperative: 'Summarize the article at https://...'.
_READ_AT = re.compile(
    r"(?:^|[.!?\n]\s*)(?:please\s+)?(?:summari[sz]e|describe|review|analy[sz]e|paraphrase|rewrite|translate|read|"
    r"watch|listen\s+to|critique|classify|categori[sz]e|rate|evaluate|write\s+an?\s+(?:headline|title|summary)|"
    r"give\s+(?:me\s+)?an?\s+(?:summary|headline|title))\b[^.?!\n]{0,80}?"
    r"\b(?:at|from|on|in|of)\s*:?\s*<?(?:https?://|www\.)",
    re.I,
)
# A conversation's turns: a link in them was given by a speaker, not asked to be read.
_TURNS = re.compile(r"^\s*(?:human|assistant|user|system|bot|gpt|A|B|Q)\s*:", re.I | re.M)


def _content_link(text: str) -> str | None:
    """The link of an input that asks about what is behind it and holds nothing else of it.

    Either one paragraph (or line) is the link alone, and the rest asks about content (an article,
    a page, a video) and not about the link (its domain, a request to it); or the instruction
    asks to summarise, describe ... the content 'at' the link, and the input holds no more text.
    """
    urls = [m for m in _URL.finditer(text) if not _quoted(text, m.start())]
    if not urls or _TURNS.search(text):
        return None
    rest = _URL.sub(" ", text)
    low = rest.lower()
    if not _CONTENT.search(rest, low) or _ABOUT_LINK.search(rest, low):  # the one that seldom matches first
        return None
    # The words beyond the instruction (its first paragraph) once the links are out: the page's text, if any.
    beyond = len(rest.split()) - len(_URL.sub(" ", text.split("\n\n", 1)[0]).split())
    if beyond >= MIN_LONG_WORDS:
        return None
    alone = any(_URL_ONLY.match(part) for part in re.split(r"\n\s*\n|\n", text) if part.strip())
    if (alone and len(rest.split()) <= 60) or (_READ_AT.search(text) and len(rest.split()) <= 40):
        return urls[0].group(0)
    return None


def _quoted(text: str, pos: int) -> bool:
    """Whether a position is inside double quotes on its line (a question quoted, not asked)."""
    line_start = text.rfind("\n", 0, pos) + 1
    return (text.count('"', line_start, pos) + text.count("“", line_start, pos)) % 2 == 1


def _missing(material: str, long_form: bool) -> bool:
    body = material.strip()
    if not body or _PLACEHOLDER.match(body):
        return True
    return long_form and len(body.split()) < MIN_LONG_WORDS and not _URL.search(body)


def _seen(output: str) -> str:
    return "; the output describes it anyway" if _SEEN.search(output) else ""


#: Characters of the input's first and last paragraphs searched for a reference: the instruction
#: stands there (before or after its material), and a reference inside the material is not its own.
ZONE_CHARS = 400


def _zones(text: str) -> list[tuple[int, int]]:
    """Where an instruction may stand: the first paragraph and the last, each capped."""
    first_end = text.find("\n\n")
    first_end = len(text) if first_end < 0 else first_end
    zones = [(0, min(first_end, ZONE_CHARS))]
    last_start = text.rfind("\n\n") + 2 if first_end < len(text) else len(text)
    if last_start > first_end:
        zones.append((last_start, min(len(text), last_start + ZONE_CHARS)))
    return zones


_POINTERS = ("this ", "these ", "this\n", "the following", "the given", "the provided", "the attached", "the enclosed",
             "the uploaded", "the above", "the below", "the included", "the supplied")


_POINTER = re.compile("|".join(re.escape(p) for p in _POINTERS))


def _pointers(text: str, lo: int, hi: int) -> list[int]:
    """Where a pointer word starts in text[lo:hi]: one scan of the lowered zone for plain
    strings (a case-insensitive pattern with word boundaries cost more than the rest of the rule)."""
    zone = text[lo:hi].lower()
    return [lo + m.start() for m in _POINTER.finditer(zone) if m.start() == 0 or not zone[m.start() - 1].isalnum()]


def _references(text: str) -> tuple[list[re.Match[str]], list[re.Match[str]]]:
    """References to media and to text in the instruction's zones, found in one pass: a
    cheap search for the pointers ('the following', 'this'), then the full patterns there.

    In the last paragraph (the material, for an alpaca record) only those pointing back
    ('the above', 'this') count: a 'following' there is the material's own.
    """
    media: list[re.Match[str]] = []
    material: list[re.Match[str]] = []
    for k, (lo, hi) in enumerate(_zones(text)):
        for start in _pointers(text, lo, hi):
            for pattern, found in ((_MEDIA, media), (_MATERIAL, material)):
                m = pattern.match(text, start, hi)
                if m is not None and (k == 0 or _pointer(m) not in ("following", "below")):
                    found.append(m)
    return media, material


def _pointer(m: re.Match[str]) -> str:
    """How a reference points: 'following', 'above', 'given', 'this' ..."""
    return (m.group("pointer") or m.group(0).split()[0]).lower()


def _judge(text: str, output: str, checked: set[str]) -> tuple[str, str] | None:
    """(kind, note) when the input refers to something it does not hold; ``checked`` gains
    the kinds of reference the input makes."""
    cut = text.rfind("\n\n")
    last = text[cut + 2 :] if 0 < cut and len(text) - cut < 200 else ""  # a short last paragraph: the input field
    named_file = _MEDIA_FILE.match(last) and "/" not in last and not _ASKS_CODE.search(text, 0, cut)
    if last and (_MEDIA_PLACEHOLDER.match(last) or named_file) and text[:cut].strip():
        checked.add("media")
        return "media", f"holds a placeholder for an attachment: {last.strip()[:40]!r}{_seen(output)}"
    media, material_refs = _references(text)
    for m in media:
        if _quoted(text, m.start()):
            continue
        checked.add("media")
        material = _material(text, m.start(), m.end(), _pointer(m)).strip()
        if not material or _PLACEHOLDER.match(material) or _MEDIA_FILE.match(material) or _URL_ONLY.match(material):
            shown = material[:40] if material else "nothing"
            return "media", f"refers to '{m.group(0).strip()}' and holds {shown!r}{_seen(output)}"
    if len(text) < MAX_LINK_INPUT and ("http" in text or "www." in text):
        link = _content_link(text)
        if link is not None:
            checked.add("url")
            return "url", f"asks about the content of {link[:60]} and holds only the link{_seen(output)}"
    for m in material_refs:
        noun = m.group("long") or m.group("short")
        if _quoted(text, m.start()):
            continue
        parameter = m.group("short") is not None and _PARAMETER.match(noun) is not None
        if parameter and _NAMED.match(text, m.end()):
            continue  # 'the given number n': a function's parameter
        material = _material(text, m.start(), m.end(), _pointer(m))
        missing = _missing(material, m.group("long") is not None)
        # Asked for code, 'the given string' is the function's argument (looked up only when
        # the material is missing: the pattern is long and most references have their material).
        if missing and parameter and _ASKS_CODE.search(text, 0, ZONE_CHARS):
            continue
        checked.add("material")
        if missing:
            body = material.strip()
            shown = repr(body[:40]) if body else "nothing"
            return "material", f"refers to '{m.group(0).strip()}' and holds {shown}{_seen(output)}"
    return None


def find(view: View) -> RuleResult:
    result = RuleResult()
    for i, text in enumerate(view.inputs):
        kinds: set[str] = set()
        judged = _judge(text, view.outputs[i], kinds)
        result.checked.update(kinds)
        if judged is not None:
            result.flag(*(i, *judged))
    return result
