"""Refusals and boilerplate: phrase lists matched as substrings of the lowercased text.

Python's regex engine tries every alternative of a long case-insensitive
alternation at every position, which made this the slowest rule; a plain
substring search per phrase on the lowercased text runs at C speed. The
built-in lists cover the common model refusals and labelling placeholders; the
config adds a team's own phrases (matched literally, in any case).

Refusal phrases come in two kinds: the model's voice (speaking as an AI,
disclaiming an ability or an opinion), a defect whatever was asked, and
declining, which the quality check judges with the request (``harm``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# The model's own voice: speaking as an AI, or disclaiming an ability or an opinion. These
# teach the fine-tuned model to sound like the model the data came from, whatever was asked.
VOICE: tuple[str, ...] = (
    "as an ai language model",
    "as an ai model",
    "as a language model",
    "as a large language model",
    "as an ai assistant, i",
    "i don't have personal opinions",
    "i do not have personal opinions",
    "i don't have the ability to",
    "i do not have the ability to",
    "my knowledge cutoff",
)
# Declining: the right reply to a harmful request, a defect on an ordinary one.
DECLINES: tuple[str, ...] = (
    "i'm sorry, but i cannot",
    "i'm sorry, but i can't",
    "i am sorry, but i cannot",
    "i'm sorry, i cannot",
    "i'm sorry, i can't",
    "i apologize, but i cannot",
    "i apologize, but i can't",
    "i cannot fulfill",
    "i can't fulfill",
    "i cannot comply",
    "i can't assist with",
    "i cannot assist with",
    "i'm not able to provide",
    "i am not able to provide",
    "i'm unable to provide",
    "i am unable to provide",
)
REFUSALS: tuple[str, ...] = VOICE + DECLINES
BOILERPLATE: tuple[str, ...] = (
    "<noinput>",
    "<nooutput>",
    "<no input>",
    "<no output>",
    "lorem ipsum",
    "[insert ",
    "<insert ",
    "your answer here",
    "your response here",
    "(fill in)",
)
# Matched case-sensitively and as whole words: "TODO" is a placeholder, "a todo list" is content.
UPPER_WORDS: tuple[str, ...] = ("TODO", "TBD", "FIXME")
_UPPER_WORD = re.compile(r"\b(?:TODO|TBD|FIXME)\b")
_WORDS = re.compile(r"[a-z]{5,}")


def lowered(text: str) -> str:
    """The form phrases are matched against: lowercase, typographic apostrophes as ASCII."""
    low = text.lower()
    return low if "’" not in low else low.replace("’", "'")


@dataclass(frozen=True)
class PhraseList:
    """Phrases matched in lowered text, plus (for boilerplate) upper-case placeholder words."""

    phrases: tuple[str, ...]
    upper_words: bool = False

    @property
    def needles(self) -> tuple[str, ...]:
        """Substrings such that every phrase contains one of them: each phrase's longest
        piece between apostrophes, when it has five characters or more.

        Apostrophes are left out because typographic quotes vary them. A needle is as
        rare as its phrase: the single words an earlier set cover chose ("model",
        "answer", "provide") sent a third of the records of real instruction data to the
        per-record match. A phrase with no such piece falls back on its longest run of
        five or more letters, or stands for itself. A needle that contains another is
        dropped (the other finds its texts).
        """
        chosen: set[str] = set()
        for phrase in self.phrases:
            piece = max(phrase.split("'"), key=len).strip()
            if len(piece) < 5:
                piece = max(_WORDS.findall(phrase) or [phrase], key=len)
            chosen.add(piece)
        return tuple(sorted(n for n in chosen if not any(o != n and o in n for o in chosen)))

    @classmethod
    def of(cls, builtin: Iterable[str], extra: Iterable[str], upper_words: bool = False) -> PhraseList:
        unique = sorted({lowered(p) for p in (*builtin, *extra) if p.strip()})
        return cls(tuple(unique), upper_words)

    def matches(self, text: str, low: str | None = None) -> bool:
        low = lowered(text) if low is None else low
        if any(map(low.__contains__, self.phrases)):
            return True
        return self.upper_words and any(w in text for w in UPPER_WORDS) and _UPPER_WORD.search(text) is not None

    def found(self, text: str) -> list[str]:
        """The phrases (and upper-case placeholder words) ``text`` contains, as matched."""
        low = lowered(text)
        hits = [p for p in self.phrases if p in low]
        if self.upper_words and any(w in text for w in UPPER_WORDS):
            hits += sorted(set(_UPPER_WORD.findall(text)))
        return hits

    def given_by(self, output: str, request: str) -> bool:
        """Whether every placeholder in ``output`` is also in ``request``: the task's own data
        ("count the vowels in 'Lorem ipsum ...'"), not a blank left in the answer."""
        hits = self.found(output)
        if not hits:
            return False
        low = lowered(request)
        return all((w in request) if w in UPPER_WORDS else (w in low) for w in hits)


def refusals(extra: Iterable[str] = ()) -> PhraseList:
    return PhraseList.of(REFUSALS, extra)


def voice() -> PhraseList:
    return PhraseList.of(VOICE, ())


def boilerplate(extra: Iterable[str] = ()) -> PhraseList:
    return PhraseList.of(BOILERPLATE, extra, upper_words=True)
