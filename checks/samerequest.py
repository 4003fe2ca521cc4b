"""Whether two near-identical inputs make the same request (DUP004), or two requests on shared text.

Inputs one edit shorter than a shingle apart are not always one request
asked twice. Read on real data (benchmarks/precision.md), the false DUP004
flags were of two kinds, each visible in where the inputs differ:

- **another request on one passage**: the differing words are at least
  a third of the content words (not stop words) of a short segment (a line; a
  sentence when the input is one line) of each input, the rest of which is
  shared context. T0's "Question: What is Jimmie's cellmate stabbed with?"
  vs "...James Rainwood's profession?" over one movie plot; "Generate a
  question that has the following answer: JASON / Jet Li" over one plot;
  a tool prompt asking for news about "the stock market" vs "SpaceX";
- **another slot value**: the output changes exactly where the input
  changed. Either words replaced (both inputs have words the other lacks)
  and each output repeats a word of its own input's that the other output
  does not (the distance in kilometres vs miles, the news about electric
  vehicles vs climate change, the Battle of Waterloo vs Hastings; not "Hi
  folks" vs "Good morning" when only one reply echoes its greeting), or a
  number or proper noun added that its own output repeats and the other's
  does not. A
  word whose stem (first ``STEM`` letters) the other input's differing words
  share is the same word inflected ("vaccines" vs "vaccinations"), not
  another value; a common word added ("today", "vaccines") narrows one
  request rather than making another.

Otherwise (punctuation, a reworded verb the outputs do not repeat,
"vaccines" vs "vaccinations", a name the outputs do not repeat) the pair is
one request with two outputs: what DUP004 reports. The differing words are
the multiset difference of the two inputs' words (the inputs are one edit
shorter than a shingle apart, so that is the edit).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from checks.stopwords import ENGLISH_STOP_WORDS

# A word or a number; the unit every comparison below counts in.
_TOKEN = re.compile(r"\w+")
# Sentences within a one-line input; a longer input is cut at its lines only
# (its sentences may hold initials: "I. C. Corp").
_SENTENCE = re.compile(r"(?<=[.?!])\s+")
# A segment whose differing content words are at least this share of its
# content words (both segments' together) asks something else: "what's
# Christine's hobby" vs "job" (2 of 6, the label "Question" and the subject
# shared), while a reworded or narrowed request changes fewer ("find" vs
# "search" the latest news about AI: 2 of 8; "today" added: 1 of 9).
OTHER_REQUEST = 1 / 3
# Letters two forms of one word share ("vaccin-es", "vaccin-ations"; "calculat-e", "calculat-ion").
STEM = 6


@dataclass(frozen=True)
class Tokens:
    """An input's words (lowercased), its segments' words, and which words are numbers or proper nouns."""

    words: Counter[str]
    segments: tuple[tuple[str, ...], ...]
    named: frozenset[str]  # words holding a digit, or capitalised where they do not open a segment

    @classmethod
    def of(cls, text: str) -> Tokens:
        lines = text.split("\n")
        parts = _SENTENCE.split(text) if len([line for line in lines if line.strip()]) <= 1 else lines
        segments = []
        named = set()
        for part in parts:
            found = _TOKEN.findall(part)
            segments.append(tuple(w.lower() for w in found))
            named |= {w.lower() for k, w in enumerate(found) if any(c.isdigit() for c in w) or (k > 0 and w[0].isupper())}
        words = Counter(w for segment in segments for w in segment)
        return cls(words, tuple(segments), frozenset(named))


def _content(words: Counter[str]) -> Counter[str]:
    return Counter({w: n for w, n in words.items() if len(w) > 1 and w not in ENGLISH_STOP_WORDS})


def different_requests(a: Tokens, b: Tokens, out_a: str, out_b: str) -> bool:
    """True when inputs ``a`` and ``b`` (near-identical) ask different things: see the module docstring."""
    only_a, only_b = a.words - b.words, b.words - a.words
    if not only_a and not only_b:
        return False  # the same words: punctuation, case or order apart
    return _other_segment(a, b) or _other_slot(a, b, only_a, only_b, out_a, out_b)


def _changed_segment(a: Tokens, b: Tokens) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The one segment, at the same place in both inputs, whose words differ (None: several, or another layout)."""
    if len(a.segments) != len(b.segments):
        return None
    changed = [(x, y) for x, y in zip(a.segments, b.segments) if Counter(x) != Counter(y)]
    return changed[0] if len(changed) == 1 else None


def _other_segment(a: Tokens, b: Tokens) -> bool:
    changed = _changed_segment(a, b)
    if changed is None:
        return False
    seg_a, seg_b = changed
    # The segment must be a part of the input, the rest shared context (a passage, a tool list, a template).
    if 2 * len(seg_a) > sum(a.words.values()) or 2 * len(seg_b) > sum(b.words.values()):
        return False
    in_a, in_b = _content(Counter(seg_a)), _content(Counter(seg_b))
    differing = sum((in_a - in_b).values()) + sum((in_b - in_a).values())
    return differing > 0 and differing >= OTHER_REQUEST * (sum(in_a.values()) + sum(in_b.values()))


def _other_slot(a: Tokens, b: Tokens, only_a: Counter[str], only_b: Counter[str], out_a: str, out_b: str) -> bool:
    said_a, said_b = set(_TOKEN.findall(out_a.lower())), set(_TOKEN.findall(out_b.lower()))

    def repeated(differ: Counter[str], across: Counter[str], own: set[str], other: set[str], named: frozenset[str] | None) -> bool:
        """A differing word (of ``named`` only, if given) its own output repeats and the other does not."""
        stems = {w[:STEM] for w in across}
        return any(
            w in own and w not in other
            for w in differ
            if w not in ENGLISH_STOP_WORDS and w[:STEM] not in stems and (named is None or w in named)
        )

    if _content(only_a) and _content(only_b):
        # A word replaced by another: each output repeats its own (a greeting one reply echoes is no swap).
        return repeated(only_a, only_b, said_a, said_b, None) and repeated(only_b, only_a, said_b, said_a, None)
    return repeated(only_a, only_b, said_a, said_b, a.named) or repeated(only_b, only_a, said_b, said_a, b.named)
