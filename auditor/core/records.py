"""The normalised dataset every check reads.

Records are stored column-wise (one Python list per field) rather than as one
object per record: a million records then cost a handful of lists instead of a
million dicts, and checks can hand whole columns to numpy or scikit-learn.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from auditor.core.findings import RecordId

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class LoadProblem:
    """A record the loader could not turn into an input-output pair."""

    line: int  # 1-based line (JSONL), element (JSON array) or row (CSV/Parquet)
    reason: str
    id: RecordId | None = None  # the record's own id when it could be read


@dataclass(frozen=True)
class LoadNote:
    """A record that was read, with a caveat worth a warning: an object that repeats a key.

    Every JSON parser keeps one of the values (the last, here); another tool
    may keep the first, so the record may not be what the audit judged.
    """

    line: int  # as LoadProblem.line
    key: str
    reason: str


@dataclass(frozen=True)
class FieldMap:
    """Which source fields became which record fields."""

    input: tuple[str, ...]  # several for alpaca (instruction + input)
    output: str | None
    category: str | None = None
    id: str | None = None
    messages: str | None = None  # chat: the turns field ("messages", "conversations")
    annotations: str | None = None
    # Input fields a row may leave out, null or blank (alpaca's input, Dolly's context, a system
    # prompt): joined into the input only when they hold text. Every other input field is required.
    optional: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": list(self.input),
            "output": self.output,
            "category": self.category,
            "id": self.id,
            "messages": self.messages,
            "annotations": self.annotations,
        }


@dataclass
class Dataset:
    """Valid records as columns, plus everything that could not be read.

    ``total_records == len(ids) + len(problems)`` always holds: a record that
    could not be read is counted, never dropped.
    """

    format: str  # e.g. "jsonl/alpaca", "csv/prompt-completion", "dataframe/chat"
    fields: FieldMap
    ids: list[RecordId] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # where each record came from
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    categories: list[str | None] | None = None
    messages: list[list[dict[str, str]]] | None = None
    annotations: list[Any] | None = None
    # Raw source fields kept beside the record (grouping fields such as template
    # or source, wide-form annotator columns): field name -> one value per record.
    extra: dict[str, list[Any]] = field(default_factory=dict)
    problems: list[LoadProblem] = field(default_factory=list)
    # Hashes of the normalised inputs and outputs, when the loader computed
    # them beside the parsing: (column name, normaliser) -> (n, 2) uint64
    # rows (``Normalizer.hashes``). Columns are never edited after loading,
    # so these cannot go stale.
    hashes: dict[tuple[str, Any], np.ndarray] = field(default_factory=dict)
    blank_lines: int = 0  # blank lines are not records; counted so nothing is hidden
    # Read with a caveat (a repeated key): counted as valid, reported as a warning.
    notes: list[LoadNote] = field(default_factory=list)
    # Where reading stopped before the end (a long run of blank or unreadable
    # lines): whatever follows this line was not read, so the counts are partial.
    unread_from: int | None = None
    source: str | None = None  # path, or a description of an in-memory source
    # Annotations first seen after the rows that decided the layout (only the
    # double-labelled subset of a file carries them, often at its end): field
    # name -> {line: value}, until the loader adopts them as the annotations column.
    unplanned: dict[str, dict[int, Any]] = field(default_factory=dict)
    # Per record, where its system prompt (a chat's leading system turn, a flat layout's system
    # field, which the loader puts first in the input) ends in its input: 0 for none. None while
    # no record has one. 4 bytes a record, and only for a set that has system prompts.
    system_ends: array[int] | None = None
    # The system prompts cut off in ``requests`` (``auditor.core.systems``): hashes of those two
    # records or more share, sorted. None until needed: then counted over this set's records. A
    # partitioned run's driver counts them over every partition and hands them to each partition
    # it reads (through its layout's template), whose own few records could not tell.
    shared_systems: np.ndarray | None = None
    _systems_cut: bool = field(default=False, repr=False, compare=False)  # the others' ends cleared

    def __len__(self) -> int:
        return len(self.ids)

    def add_system_ends(self, start: int, ends: Sequence[int] | None) -> None:
        """Records ``start``.. were just appended: where their system prompts end (None: they have none)."""
        added = len(self.inputs) - start
        if ends is None or not any(ends):
            if self.system_ends is not None:
                self.system_ends.extend(array("I", [0]) * added)
            return
        if self.system_ends is None:
            self.system_ends = array("I", [0]) * start
        self.system_ends.extend(ends)

    @property
    def requests(self) -> Sequence[str]:
        """Per record, its input after its system prompt when other records share that prompt: what the
        similarity engine compares. Read once every record is in (the prompts are counted then)."""
        if self.system_ends is None:
            return self.inputs
        if not self._systems_cut:
            self.shared_system_prompts()
        return Requests(self.inputs, self.system_ends)

    def shared_system_prompts(self) -> np.ndarray:
        """The hashes of the system prompts cut off in ``requests``; a prompt of one record's own stays
        in its request (its end cleared in place: no second column)."""
        from auditor.core import systems

        if self.system_ends is None or self._systems_cut:
            return self.shared_systems if self.shared_systems is not None else systems.union()
        rows, hashes = systems.prompt_hashes(self.inputs, self.system_ends, bool(self.fields.messages))
        if self.shared_systems is None:
            self.shared_systems = systems.repeated(hashes)
        for r in systems.unshared(rows, hashes, self.shared_systems):
            self.system_ends[r] = 0
        self._systems_cut = True
        return self.shared_systems

    def requests_beside(self, audited: Dataset) -> Sequence[str]:
        """The requests of this side set (an eval set, a baseline) as compared with the ``audited`` set's.

        A prompt is cut off when two records of either set share it: the audited set's shared prompt
        must go from both sides for a request asked again behind it to match, and an eval set's own
        instructions (one prompt over every item) are its boilerplate even when no training record
        carries them. A prompt neither set repeats stays: a document is compared with its question.
        This set's own ends are left as loaded (copied, cleared in the copy): read as a side set, it is
        never audited itself, whose ``requests`` would have cleared the ends of its own single prompts."""
        from auditor.core import systems

        if self.system_ends is None:
            return self.inputs
        rows, hashes = systems.prompt_hashes(self.inputs, self.system_ends, bool(self.fields.messages))
        shared = systems.union(systems.repeated(hashes), audited.shared_system_prompts())
        ends = array("I", self.system_ends)
        for r in systems.unshared(rows, hashes, shared):
            ends[r] = 0
        return Requests(self.inputs, ends)

    @property
    def valid_records(self) -> int:
        return len(self.ids)

    @property
    def invalid_records(self) -> int:
        return len(self.problems)

    @property
    def total_records(self) -> int:
        return self.valid_records + self.invalid_records

    @property
    def is_chat(self) -> bool:
        return self.messages is not None

    def record(self, index: int) -> dict[str, Any]:
        """One record as a dict, for exports and messages (not for hot loops)."""
        out: dict[str, Any] = {"id": self.ids[index], "input": self.inputs[index], "output": self.outputs[index]}
        if self.categories is not None:
            out["category"] = self.categories[index]
        if self.messages is not None:
            out["messages"] = self.messages[index]
        if self.annotations is not None:
            out["annotations"] = self.annotations[index]
        return out

    def iter_records(self) -> Iterator[dict[str, Any]]:
        for i in range(len(self)):
            yield self.record(i)


class Requests(Sequence[str]):
    """The inputs with their shared system prompts cut off, cut on demand (no second copy of the texts).

    Near-duplicates and eval leakage are judged on the request: a system prompt records share is
    not a template the request fills but a separate part of the input. Compared with it, every
    short request behind one shared prompt is a 'slot' filled in that prompt (fewer own words than
    a shingle beside boilerplate, ``auditor.similarity.boilerplate``) and alike to every other:
    every record flagged as a near-copy, and as leaked into an eval set sharing the prompt. A
    prompt of one record's own has its end cleared (``auditor.core.systems``): it is compared.
    Exact duplicates still hash the whole input.
    """

    def __init__(self, inputs: Sequence[str], ends: Sequence[int]) -> None:
        self.inputs = inputs
        self.ends = ends

    def __len__(self) -> int:
        return len(self.inputs)

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return self.inputs[i][self.ends[i] :]
