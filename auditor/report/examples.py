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
    from auditor.core.findings import Finding, RecordId
    from auditor.core.records import Dataset
    from auditor.report.model import Report


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


def source_of(finding: Finding) -> str | None:
    """The side dataset whose ids a finding lists ("eval", "reference"), or None for the audited one.

    Findings about the eval or reference data (COV003, COV005-7) name it in their details.
    """
    role = (finding.details or {}).get("dataset")
    return role if isinstance(role, str) and role else None


class Records:
    """The records behind the ids findings list, each looked up in the dataset its finding names.

    An eval or reference record shares its id (a line number, say) with some training
    record: looking every id up in the audited dataset showed the wrong record.
    """

    def __init__(self, report: Report, picks: Iterable[tuple[Finding, Iterable[RecordId]]]) -> None:
        wanted: dict[str | None, set[RecordId]] = {}
        for finding, ids in picks:
            wanted.setdefault(source_of(finding), set()).update(ids)
        self.datasets: dict[str | None, Dataset | None] = {
            role: report.dataset if role is None else report.others.get(role) for role in wanted
        }
        self.rows = {role: locate(self.datasets[role], ids) for role, ids in wanted.items()}

    def fields(self, finding: Finding, record_id: RecordId) -> dict[str, Any] | None:
        """The masked fields of the record, or None when the id is no loaded record of its dataset."""
        role = source_of(finding)
        dataset, row = self.datasets.get(role), self.rows.get(role, {}).get(record_id)
        return None if dataset is None or row is None else fields(dataset, row)


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary near the end when there is one."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", int(limit * 0.8))
    return (cut[:space] if space > 0 else cut) + "…"
