"""LBL002: one label written several ways ('Billing ' and 'billing', 'café' in NFC and NFD).

A label set is a closed vocabulary; spellings that differ only by case,
spacing, surrounding or sentence punctuation, a separator between words
('not_equivalent', 'not-equivalent') or Unicode form (NFC / NFD, full-width
letters) are one label to whoever wrote them, but a trainer reads every
spelling as a label of its own: the model learns to choose between them, and
each spelling is counted (and thin, CNT002) apart.

``canonical`` is deliberately narrow: characters that change what a label
says stay ('C' / 'C#' / 'C++', 'A' / 'A+', '-1' / '1', '1.5' / '15', '3:2'),
so only spellings of one label meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditor.core.findings import CodeInfo, Severity

CODE = CodeInfo(
    code="LBL002",
    symbol="label-spellings",
    severity=Severity.WARNING,
    summary="One label written several ways ('Billing ' and 'billing', 'Positive' and 'positive', 'café' in NFC and NFD).",
    why="A trainer compares labels byte for byte: each spelling is a label of its own, so the model learns to choose "
    "between spellings of one answer, and each spelling is counted apart (a thin category that is really a large one).",
    fix="Map every spelling to one (the most used is listed first) in the export, then audit again.",
    threshold="any label of a category field or of a label task group written in two or more ways",
)

# Sentence and quoting punctuation that changes no label ('positive.', '"yes"', '(b)'); dropped unless it
# sits between two digits ('1.5', '3:2', '1,000' are other values than '15', '32', '1000').
_DROP = re.compile(r"(?<!\d)[.,;:!?'\"`’‘“”«»()\[\]{}…]|[.,;:!?'\"`’‘“”«»()\[\]{}…](?!\d)")
# A separator between two letters ('not_equivalent', 'not-equivalent', 'yes/no' is left: '/' may mean 'or').
_SEPARATOR = re.compile(r"(?<=[^\W\d_])[-_–—]+(?=[^\W\d_])")


def canonical(label: str) -> str:
    """The label with its spelling folded: NFKC, case, spaces, separators and sentence punctuation.

    A label that is only punctuation ('?', '...') keeps its own stripped form.
    """
    text = unicodedata.normalize("NFKC", label).casefold()
    # Punctuation first: a separator it hid from a letter ('a.-b') must meet it now, or folding twice would differ.
    folded = " ".join(_SEPARATOR.sub(" ", _DROP.sub("", text)).split())
    return folded or " ".join(text.split())


@dataclass(frozen=True)
class Spellings:
    """A label written several ways: its spellings with their record counts, the most used first."""

    spellings: tuple[tuple[str, int], ...]

    @property
    def main(self) -> str:
        return self.spellings[0][0]

    def to_dict(self) -> dict[str, object]:
        return {"label": self.main, "spellings": [{"spelling": s, "records": n} for s, n in self.spellings]}

    def describe(self) -> str:
        return f"{self.main!r} as " + ", ".join(f"{s!r} ({n:,})" for s, n in self.spellings)


def spellings(labels: Iterable[str | None]) -> list[Spellings]:
    """The labels written in two or more ways, the most records first (ties: by spelling)."""
    counts = Counter(label for label in labels if label is not None)
    by_canonical: dict[str, list[tuple[str, int]]] = {}
    for label, n in counts.items():
        by_canonical.setdefault(canonical(label), []).append((label, n))
    found = [
        Spellings(tuple(sorted(written, key=lambda t: (-t[1], t[0]))))
        for written in by_canonical.values()
        if len(written) > 1
    ]
    return sorted(found, key=lambda s: (-sum(n for _, n in s.spellings), s.main))


def minority(labels: Sequence[str | None], found: Sequence[Spellings]) -> list[int]:
    """Indices of the records whose label is a spelling other than its label's most used one."""
    others = {s for group in found for s, _ in group.spellings[1:]}
    return [i for i, label in enumerate(labels) if label is not None and label in others]


def same_label(found: Sequence[Spellings]) -> dict[str, list[str]]:
    """Spelling -> the other spellings of its label (most used first)."""
    out: dict[str, list[str]] = {}
    for group in found:
        written = [s for s, _ in group.spellings]
        for s in written:
            out[s] = [t for t in written if t != s]
    return out
