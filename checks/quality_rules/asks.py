"""What a prompt asks for, and whether a short answer can be complete by its shape.

A one-word output is the whole answer to "What is the capital of Peru?", "Classify
the sentiment", "Write a regex for ..." or a tool call, and too short for "Write a
review", "Explain why ...", "List five ways to ...". The output-shape rules
(short outputs, short length outliers) read the ask from the prompt:

- where: the instruction sits before its data (alpaca's instruction, then input)
  or after its context (a question after a passage, a chat's last turn), so only
  the first and the last paragraph are read, never a passage in between;
- what asks for more than a word or two: an imperative (at the start of a
  sentence or a line, or after "please", "can you", ...) to write, give, list ...
  a piece of writing (a review, a letter, an explanation, ...) or several things
  ("three examples", "some names", "all the words ..."); an imperative to explain,
  describe, discuss, summarise, compare; "what are some ways/tips/...";
- unless the prompt names a short form ("true or false", "yes or no", "in one
  word", "output true/false", "answer with a number").

A short output is complete by its shape when it is code or a tool call, a URL, or
mostly not letters (a number, a regex, a formula).
"""

from __future__ import annotations

import re

from checks.quality_rules.truncation import looks_like_code

# Pieces of writing: asked for, a one- or two-word output cannot be one.
_PIECES = frozenset(
    "essay essays story stories poem poems letter letters email emails e-mail e-mails review reviews article articles "
    "paragraph paragraphs description descriptions summary summaries report reports speech speeches dialogue dialogues "
    "conversation conversations post posts bio bios biography biographies plan plans itinerary itineraries guide guides "
    "tutorial tutorials recipe recipes explanation explanations overview overviews analysis analyses lyrics song songs "
    "proposal proposals message messages announcement announcements invitation invitations outline outlines notation "
    "note notes memo memos reply replies response responses".split()
)
# Several things: one or two words cannot be them.
_PLURALS = frozenset(
    "ways ideas tips examples reasons steps questions names synonyms antonyms words sentences points details facts "
    "arguments advantages disadvantages pros cons benefits differences features options suggestions recommendations "
    "items things places books movies series songs activities strategies methods factors characteristics qualities "
    "skills uses types kinds rules alternatives titles phrases lines paragraphs descriptions reviews stories jokes".split()
)
_QUANTIFIERS = frozenset("several multiple few some list two three four five six seven eight nine ten all".split())
_WHAT_ARE = _QUANTIFIERS | {"the"}  # "what are the steps to ..."
_VERBS = frozenset(
    "write compose draft generate create produce give provide suggest list make brainstorm name share prepare "
    "recommend identify find think come".split()
)
_PROSE_VERBS = frozenset("explain describe discuss elaborate summarize summarise outline compare".split())
# What may stand right before an imperative: the start, a sentence end, a line break, a polite or chat lead-in.
_LEADS = ("please", "can you", "could you", "would you", "help me", "i want you to", "i need you to", "i'd like you to")
_PARTICLES = frozenset("up with of out down".split())
# Where the thing asked for ends and what it is about begins; "if" and "whether" open the question a
# verb asks ("tell me if the following email is a promotion"): the writing they name is its subject.
_STOPS = frozenset(
    "for of about from on in based to with that which using given regarding into by at as where when so if whether".split()
) | {
    ".", "!", "?", ":", "=", "\n"
}
_TOKEN = re.compile(r"[a-z0-9'-]+|[.!?:=\n]")
_WINDOW = 8  # words after the verb in which the thing asked for is named


# The prompt names a short form for the answer.
_SHORT_FORM = re.compile(
    r"\b(?:true or false|yes or no|true/false|yes/no|one word|single word|a word|in \w+ words?|a number|"
    r"(?:output|return|print|answer with|respond with|reply with)\b(?:\W+\w+){0,3}?\W+(?:true|false|yes|no|the number|"
    r"a number|only|just))\b",
    re.I,
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_SPEAKER = re.compile(r"[A-Z][\w .'-]{0,20}:\s")  # "Human: ", "User: ", "M: "
_PART = 600  # characters read at the start of the first paragraph and at the end of the last


def instruction_parts(prompt: str) -> list[str]:
    """The parts of a prompt that hold its instruction: the start of its first paragraph and the end of its
    last (one part when the prompt is one paragraph; only the last turn of a transcript)."""
    text = prompt.strip()
    first = _PARAGRAPH.search(text)
    if first is None:
        return [text[:_PART] + ("\n" + text[-_PART:] if len(text) > _PART else "")]
    last = first
    for last in _PARAGRAPH.finditer(text, first.start()):
        pass
    head, tail = text[: min(first.start(), _PART)], text[last.end() :][-_PART:]
    if _SPEAKER.match(head) and _SPEAKER.match(text[last.end() :]):
        return [tail]  # a chat: what is asked now is its last turn
    return [head, tail]


def asks_for_more(prompt: str) -> bool:
    """Whether the prompt asks for a piece of writing, an explanation or several things (and names no short form)."""
    parts = [p.lower() for p in instruction_parts(prompt)]
    if any(_SHORT_FORM.search(p) for p in parts):
        return False
    return any(_asks(p) for p in parts)


def _asks(text: str) -> bool:
    tokens = _TOKEN.findall(text)
    for k, word in enumerate(tokens):
        if word == "what" and tokens[k + 1 : k + 2] == ["are"] and _several(tokens[k + 2 : k + 2 + _WINDOW], _WHAT_ARE):
            return True  # "what are some ways to ..."
        if word not in _VERBS and word not in _PROSE_VERBS and word != "tell":
            continue
        if not _imperative(tokens, k, text) or tokens[k + 1 : k + 2] in (["="], [":"]):
            continue  # "List = [1, 2]", "Summary:" name data, they ask nothing
        if word in _PROSE_VERBS or word == "list" or word == "tell" and tokens[k + 1 : k + 3][-1:] in (["about"], ["how"], ["why"]):
            return True  # explain, describe, ...; a list is several things by definition
        thing = _object(tokens[k + 1 : k + 1 + _WINDOW])
        if any(w in _PIECES for w in thing) or _several(thing):
            return True
    return False


def _object(words: list[str]) -> list[str]:
    """The words naming what a verb asks for: up to the first preposition ("a title | for this article"),
    after a particle that belongs to the verb ("come up with", "think of")."""
    start = 0
    while start < len(words) and words[start] in _PARTICLES:
        start += 1
    end = start
    while end < len(words) and words[end] not in _STOPS:
        end += 1
    return words[start:end]


def _imperative(tokens: list[str], k: int, text: str) -> bool:
    """The verb at ``tokens[k]`` starts a sentence, a line, or follows a lead-in ("please", "can you")."""
    if k == 0 or tokens[k - 1] in ".!?:=\n":
        return True
    before = " ".join(t for t in tokens[max(0, k - 4) : k] if t not in ".!?:=\n")
    return before.endswith(_LEADS)


def _several(words: list[str], quantifiers: frozenset[str] = _QUANTIFIERS) -> bool:
    """A quantifier followed within four words by a plural of things ("three short examples", "some names")."""
    for j, w in enumerate(words):
        if w in quantifiers or w.isdigit():
            if any(x in _PLURALS for x in words[j + 1 : j + 5]):
                return True
    return False


def complete_by_shape(output: str) -> bool:
    """A short output that is whole by its shape: code or a tool call, a URL, or mostly not letters."""
    s = output.strip()
    if looks_like_code(s) or "://" in s or s.startswith("www."):
        return True
    return sum(c.isalpha() for c in s) < len(s) / 2
