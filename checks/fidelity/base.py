"""What every task-fidelity rule shares: the view of the records it reads, and what it returns.

A rule is a module of ``checks.fidelity`` listed in ``checks.fidelity.rules.RULES``
that defines:

- ``CODE``: its ``CodeInfo``;
- ``KINDS``: kind -> what a flagged record of that kind does wrong, worded to
  follow "records that ..." (e.g. "state a word limit and exceed it");
- ``ACTION``: what to do about the flagged records;
- ``find(view: View) -> RuleResult``: the records it flags, each with a kind
  and a short note (no record text: a partitioned run sends results between
  processes), plus how many records it could check per kind;
- optionally ``severity(flagged, checked, records, config) -> Severity``: the
  severity of a finding of it, when that depends on how much it flags
  (wrong arithmetic is a blocker above a share); else the code's default.

The check (``checks.fidelity.check``) runs every rule and turns each kind
a rule flagged into one finding, "k of m checked records (share) ...".
Rules are regex-gated: a cheap search over the raw text picks the candidates
and only those are parsed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from auditor.core.findings import CodeInfo

#: Notes longer than this are cut: they are facts ("asks <= 50 words, has 73"), not text.
NOTE_CHARS = 160


@dataclass(frozen=True)
class Hit:
    """One flagged record: its index, the kind of failure and a short note on it."""

    index: int
    kind: str
    note: str = ""


@dataclass
class RuleResult:
    """A rule's flags, and how many records it checked per kind (the denominators of the shares)."""

    hits: list[Hit] = field(default_factory=list)
    checked: Counter[str] = field(default_factory=Counter)

    def flag(self, index: int, kind: str, note: str = "") -> None:
        self.hits.append(Hit(index, kind, note[:NOTE_CHARS]))

    @classmethod
    def merge(cls, parts: Sequence[RuleResult], starts: Sequence[int]) -> RuleResult:
        """Results of consecutive partitions (each indexed from 0) as one result."""
        out = cls()
        for part, start in zip(parts, starts, strict=True):
            out.hits += [Hit(h.index + start, h.kind, h.note) for h in part.hits]
            out.checked.update(part.checked)
        return out


class View:
    """The texts a rule reads: inputs, outputs, and each input's instruction.

    The instruction is where a constraint is stated. For alpaca-style records
    (instruction and input fields) the loader joins them with a blank line, so
    the instruction is the input's first paragraph; for other layouts the
    first paragraph is used too: a passage, an article or quoted material
    usually follows it, and a constraint found inside the material is not the
    instruction's.
    """

    def __init__(self, inputs: Sequence[str], outputs: Sequence[str]) -> None:
        self.inputs = inputs
        self.outputs = outputs

    def __len__(self) -> int:
        return len(self.outputs)

    @cached_property
    def instructions(self) -> list[str]:
        return [instruction_of(text) for text in self.inputs]


def instruction_of(text: str) -> str:
    """The first paragraph of an input (up to the first blank line), stripped."""
    head, _, _ = text.partition("\n\n")
    return head.strip()


def codes(rules: Sequence[object]) -> tuple[CodeInfo, ...]:
    return tuple(rule.CODE for rule in rules)  # type: ignore[attr-defined]
