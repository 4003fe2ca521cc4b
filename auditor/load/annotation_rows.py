"""The rows every annotation reader produces, and the canonical forms of labels and ids.

Shared by the layout readers (``auditor.load.annotations``) and the readers of
labelling tools' exports (``auditor.load.annotation_tools``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.runtime.errors import InputError

# "item_id" first: an export that carries both (Label Studio's JSON-MIN and CSV) uses "id" for its own task id
ITEM_NAMES = ("item_id", "id", "item", "record_id", "example_id", "unit", "unit_id", "question", "question_id",
              "instance_id", "sample_id", "uid")  # fmt: skip
ANNOTATOR_NAMES = ("annotator", "annotator_id", "rater", "rater_id", "coder", "coder_id", "worker", "worker_id",
                   "labeler", "labeller", "user", "user_id", "judge")  # fmt: skip
LABEL_NAMES = ("label", "annotation", "rating", "score", "value", "answer", "judgement", "judgment", "grade", "class")


class AnnotationInputError(InputError):
    """The annotation source named by the user cannot be read at all."""


@dataclass
class RawAnnotations:
    """Rows as read, before the duplicate and empty-label policy."""

    source: str  # for messages: "inline field 'annotations'", "file x.csv", "columns a1, a2"
    items: list[int] = field(default_factory=list)  # record index
    annotators: list[str] = field(default_factory=list)
    labels: list[Any] = field(default_factory=list)
    unknown_items: dict[str, int] = field(default_factory=dict)  # item id -> rows, in order of appearance
    malformed: list[int] = field(default_factory=list)  # records (inline) or rows (file) that are not annotations
    anonymous: bool = False  # annotators known only by position
    # The rubric criterion each row rates, parallel to ``items``; empty when every row is a plain label.
    criteria: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # sheet columns (rater or rater:criterion) nobody filled

    def add(self, item: int, annotator: str, label: Any, criterion: str = "") -> None:
        """One row of a reader that knows criteria (a sheet, a labelling tool's export)."""
        self.items.append(item)
        self.annotators.append(annotator)
        self.labels.append(label)
        self.criteria.append(criterion)

    def criterion_names(self) -> list[str]:
        """The criteria rows rate, in order of appearance ("" stands for a plain label)."""
        return list(dict.fromkeys(self.criteria)) if self.criteria else [""]

    def by_criterion(self) -> dict[str, RawAnnotations]:
        """Rows split per criterion; the file's own problems (unknown ids, bad rows) go with the first."""
        if not self.criteria:
            return {"": self}
        out: dict[str, RawAnnotations] = {}
        for item, annotator, label, criterion in zip(self.items, self.annotators, self.labels, self.criteria):
            part = out.get(criterion)
            if part is None:
                first = not out
                part = out[criterion] = RawAnnotations(
                    source=self.source,
                    unknown_items=dict(self.unknown_items) if first else {},
                    malformed=list(self.malformed) if first else [],
                    anonymous=self.anonymous,
                )
            part.items.append(item)
            part.annotators.append(annotator)
            part.labels.append(label)
        return out


# --- label and id canonical forms ----------------------------------------------


def label_key(value: Any) -> str | None:
    """A label as comparable text; None when missing. Never turns text into a missing value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (list, tuple, set, frozenset)):  # a multi-label answer is one category: its sorted set
        parts = sorted({k for k in (label_key(v) for v in value) if k})
        return ",".join(parts)
    if isinstance(value, Mapping):
        import orjson

        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS, default=str).decode()
    if hasattr(value, "item"):  # numpy scalars from Parquet or pandas
        return label_key(value.item())
    return str(value)


def id_key(value: Any) -> str:
    """Record ids and file item ids meet as text: 7, 7.0 and "7" are the same item."""
    key = label_key(value)
    return "" if key is None else key


def _pick(names: Iterable[Any], configured: str, candidates: Sequence[str]) -> Any | None:
    """The configured field name, else the first candidate present (case-insensitive)."""
    by_lower = {str(n).lower(): n for n in names}
    if configured:
        return by_lower.get(configured.lower())
    for c in candidates:
        if c in by_lower:
            return by_lower[c]
    return None
