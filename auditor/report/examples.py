"""Flagged examples: finding ids back to the records' own fields, masked.

Findings carry record ids only; reports and exports show the records behind
them. One pass over the id column finds every wanted record, so a report on a
million records does not build a million-entry index to show fifty examples.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

from auditor.report.mask import mask, mask_value

if TYPE_CHECKING:
    from auditor.core.findings import RecordId
    from auditor.core.records import Dataset


def locate(dataset: Dataset | None, wanted: Iterable[RecordId]) -> dict[RecordId, int]:
    """Record id -> row, for the wanted ids found in the dataset (first row when ids repeat)."""
    targets: Collection[RecordId] = wanted if isinstance(wanted, set | frozenset) else set(wanted)
    if dataset is None or not targets:
        return {}
    found: dict[RecordId, int] = {}
    for row, record_id in enumerate(dataset.ids):
        if record_id in targets and record_id not in found:
            found[record_id] = row
            if len(found) == len(targets):
                break
    return found


def fields(dataset: Dataset, row: int) -> dict[str, Any]:
    """The record's own fields, masked: input, output, category, chat turns and kept raw fields."""
    out: dict[str, Any] = {"input": mask(dataset.inputs[row]), "output": mask(dataset.outputs[row])}
    if dataset.categories is not None:
        out["category"] = dataset.categories[row]
    if dataset.messages is not None:
        out["messages"] = mask_value(dataset.messages[row])
    for name, column in dataset.extra.items():
        out.setdefault(name, mask_value(column[row]))
    out["line"] = dataset.lines[row] if row < len(dataset.lines) else None
    return out


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary near the end when there is one."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", int(limit * 0.8))
    return (cut[:space] if space > 0 else cut) + "…"
