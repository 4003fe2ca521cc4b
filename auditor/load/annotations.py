"""Reading annotations in every common layout into one table of rows.

Three layouts, tried in this order by :func:`read_annotations`:

- a separate long-form file (CSV/TSV, JSONL, JSON array, Parquet): one row per
  (item id, annotator, label), column names detected or configured;
- wide form: one raw column per annotator (``agreement.annotator_columns`` or
  ``agreement.annotator_prefix``), read from ``Dataset.extra``;
- inline, per record: ``[{"annotator": "a1", "label": "x"}, ...]``, a mapping
  ``{"a1": "x", "a2": "y"}``, or a plain list of labels (annotators then
  identified by position only).

:func:`clean` then applies the input policy: missing labels (null, NaN, an
empty wide-form cell) are skipped; empty strings are counted as problems;
the same annotator labelling the same item twice keeps the last label and is
counted; item ids the dataset does not have are counted and listed. Labels
are compared as text, so ``"nan"`` and ``"None"`` stay real categories: only
a true null is missing. Nothing here judges: the agreement check does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from auditor.load.annotation_rows import (  # noqa: F401 - re-exported: the names this module always offered
    ANNOTATOR_NAMES,
    ITEM_NAMES,
    LABEL_NAMES,
    AnnotationInputError,
    RawAnnotations,
    _pick,
    id_key,
    label_key,
)

@dataclass(frozen=True)
class Annotations:
    """Cleaned rows, one label per (item, annotator), as index arrays; plus what the policy removed."""

    source: str
    items: np.ndarray  # record index of each kept annotation
    annotator: np.ndarray  # index into annotator_names
    label: np.ndarray  # index into label_names
    annotator_names: list[str]
    label_names: list[str]  # canonical label text (see label_key)
    missing: int  # null labels, skipped silently (an annotator who did not label)
    empty_items: list[int]  # records with an empty-string label
    duplicate_rows: int  # rows replaced by a later label of the same annotator on the same item
    conflicting_duplicates: int  # of those, rows whose label differed from the one kept
    duplicate_items: list[int]  # records with at least one duplicate
    unknown_items: dict[str, int]
    malformed: list[int]
    anonymous: bool

    def __len__(self) -> int:
        return len(self.items)

    @property
    def annotators(self) -> list[str]:
        return [self.annotator_names[a] for a in self.annotator.tolist()]

    @property
    def labels(self) -> list[str]:
        return [self.label_names[c] for c in self.label.tolist()]


# --- the three layouts ----------------------------------------------------------


def read_annotations(
    ids: Sequence[Any],
    inline: Sequence[Any] | None,
    extra: Mapping[str, Sequence[Any]],
    path: Path | None,
    options: Mapping[str, Any],
) -> RawAnnotations | None:
    """Rows from the first layout present (file, then wide columns, then inline), or None."""
    if path is not None:
        return read_folder(Path(path), ids, options) if Path(path).is_dir() else read_file(Path(path), ids, options)
    columns = wide_columns(extra, options)
    if columns:
        return read_wide(extra, columns, len(ids), str(options.get("annotator_prefix") or ""))
    if inline is not None and any(v is not None for v in inline):
        return read_inline(inline, options)
    return None


def wide_columns(extra: Mapping[str, Sequence[Any]], options: Mapping[str, Any]) -> list[str]:
    named = [str(c) for c in options.get("annotator_columns") or []]
    prefix = str(options.get("annotator_prefix") or "")
    if named:
        absent = [c for c in named if c not in extra]
        if absent:
            raise AnnotationInputError(
                f"annotator column{'s' * (len(absent) > 1)} {', '.join(map(repr, absent))} not found in the data"
                + (f" (columns kept: {', '.join(sorted(extra))})" if extra else "")
            )
        return named
    if prefix:
        found = sorted(c for c in extra if c.startswith(prefix))
        if not found:
            raise AnnotationInputError(f"no column starts with the annotator prefix {prefix!r}")
        return found
    return []


def read_wide(extra: Mapping[str, Sequence[Any]], columns: Sequence[str], n: int, prefix: str = "") -> RawAnnotations:
    raw = RawAnnotations(source="columns " + ", ".join(columns))
    for column in columns:
        name = column[len(prefix) :] if prefix and len(column) > len(prefix) else column
        cells = extra[column]
        for i in range(min(n, len(cells))):
            key = label_key(cells[i])
            if key:  # an empty cell in wide form is an annotator who did not label this item
                raw.items.append(i)
                raw.annotators.append(name)
                raw.labels.append(cells[i])
    return raw


#: The ``source`` of annotations read from the records themselves (they never name a rubric criterion).
INLINE = "inline annotations"


def read_inline(inline: Sequence[Any], options: Mapping[str, Any]) -> RawAnnotations:
    raw = RawAnnotations(source=INLINE)
    fields = _FieldPicker(str(options.get("annotator_column") or ""), str(options.get("label_column") or ""))
    items, annotators, labels = raw.items, raw.annotators, raw.labels
    for i, value in enumerate(inline):
        if value is None:
            continue
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):  # annotations kept as JSON text by a CSV
            try:
                import orjson

                value = orjson.loads(value)
            except ValueError:
                raw.malformed.append(i)
                continue
        if type(value) is not list and isinstance(value, Mapping):  # the type test skips a slow ABC check
            a_key, l_key = fields.of(value)
            if a_key is not None and l_key is not None and len(value) <= 3:  # one annotation, not a mapping
                value = [value]
            else:
                for annotator, label in value.items():
                    items.append(i)
                    annotators.append(str(annotator))
                    labels.append(label)
                continue
        if not isinstance(value, (list, tuple)):
            raw.malformed.append(i)
            continue
        for position, entry in enumerate(value):
            if type(entry) is dict or isinstance(entry, Mapping):
                a_key, l_key = fields.of(entry)
                if l_key is None:
                    raw.malformed.append(i)
                    continue
                annotator = entry.get(a_key) if a_key is not None else None
                if annotator is None:
                    raw.anonymous = True
                    annotator = f"#{position + 1}"
                label = entry[l_key]
            else:  # a bare list of labels: annotators are known only by position
                raw.anonymous = True
                annotator, label = f"#{position + 1}", entry
            items.append(i)
            annotators.append(str(annotator))
            labels.append(label)
    raw.malformed = sorted(set(raw.malformed))
    return raw


class _FieldPicker:
    """Annotator and label field names of an entry, remembered per set of keys (entries repeat their keys)."""

    def __init__(self, annotator_field: str, label_field: str) -> None:
        self.annotator_field, self.label_field = annotator_field, label_field
        self.seen: dict[tuple[Any, ...], tuple[Any | None, Any | None]] = {}

    def of(self, entry: Mapping[Any, Any]) -> tuple[Any | None, Any | None]:
        keys = tuple(entry.keys())
        found = self.seen.get(keys)
        if found is None:
            found = (_pick(keys, self.annotator_field, ANNOTATOR_NAMES), _pick(keys, self.label_field, LABEL_NAMES))
            self.seen[keys] = found
        return found


#: Long-form column naming the rubric criterion a row rates.
CRITERION_NAMES = ("criterion", "criteria", "aspect", "dimension")
#: Files a folder of annotations is read from (one sheet per rater, as `auditor sample --out FOLDER/` writes).
FOLDER_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet")


def read_folder(path: Path, ids: Sequence[Any], options: Mapping[str, Any]) -> RawAnnotations:
    """Every annotation file in a folder, read as one: each rater's own sheet, filled blind to the others."""
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in FOLDER_SUFFIXES and p.is_file() and not p.name.startswith("."))
    if not files:
        raise AnnotationInputError(f"annotations folder {path.name} holds no annotation file ({', '.join(FOLDER_SUFFIXES)})")
    parts = [read_file(f, ids, options) for f in files]
    merged = RawAnnotations(source=f"folder {path.name} ({len(files)} files)", anonymous=any(p.anonymous for p in parts))
    with_criteria = any(p.criteria for p in parts)
    for f, part in zip(files, parts):
        merged.items += part.items
        merged.annotators += part.annotators
        merged.labels += part.labels
        if with_criteria:
            merged.criteria += part.criteria or [""] * len(part.items)
        for key, rows in part.unknown_items.items():
            merged.unknown_items[key] = merged.unknown_items.get(key, 0) + rows
        merged.malformed += part.malformed
        merged.silent += [f"{f.name}: {column}" for column in part.silent]
    merged.malformed = sorted(set(merged.malformed))
    return merged


def read_file(path: Path, ids: Sequence[Any], options: Mapping[str, Any]) -> RawAnnotations:
    """A long-form file (one row per item id, annotator, label), a wide sheet, or a labelling tool's export.

    A JSON export of Label Studio tasks or Argilla records is recognised by its
    shape (``auditor.load.annotation_tools``); a table with an item id column
    and neither an annotator nor a label column is a sheet with one column per
    rater (or per rater and rubric criterion, ``rater:criterion``).
    """
    if not path.is_file():
        raise AnnotationInputError(f"annotations file {path} does not exist")
    index: dict[str, int] = {}
    for i, record_id in enumerate(ids):
        index.setdefault(id_key(record_id), i)  # a repeated record id: annotations go to its first record
    rows: list[tuple[int, Any]] | None = None
    if path.suffix.lower() in (".json", ".jsonl", ".ndjson"):
        rows, bad = _json_rows(path, path.suffix.lower() == ".json")
        from auditor.load.annotation_tools import read_tool_export

        tool = read_tool_export(rows, bad, path.name, index, options)
        if tool is not None:
            return tool
    columns, malformed = _read_columns(path) if rows is None else _columns_of(rows, bad)
    names = list(columns)
    item_c = _pick(names, str(options.get("item_column") or ""), ITEM_NAMES)
    annot_c = _pick(names, str(options.get("annotator_column") or ""), ANNOTATOR_NAMES)
    label_c = _pick(names, str(options.get("label_column") or ""), LABEL_NAMES)
    if item_c is not None and annot_c is None and label_c is None:
        from auditor.load.annotation_tools import read_sheet

        return read_sheet(columns, item_c, malformed, path.name, index)
    rubric = [str(c.get("name")) for c in options.get("rubric") or [] if isinstance(c, Mapping)]
    if label_c is None and item_c is not None and annot_c is not None and any(n in names for n in rubric):
        # One row per item and rater, one column per criterion: Label Studio's JSON-MIN and CSV exports.
        from auditor.load.annotation_tools import read_rater_rows

        return read_rater_rows(columns, item_c, annot_c, [n for n in rubric if n in names], malformed, path.name, index)
    if label_c is None and item_c is not None and annot_c is not None and len(names) == 3:
        label_c = next(n for n in names if n not in (item_c, annot_c))  # the only column left
    lacking = [what for what, c in (("item id", item_c), ("annotator", annot_c), ("label", label_c)) if c is None]
    if item_c is None or annot_c is None or label_c is None:
        raise AnnotationInputError(
            f"annotations file {path.name}: no {' / '.join(lacking)} column among {', '.join(map(str, names))}; "
            "name them with agreement.item_column, agreement.annotator_column, agreement.label_column"
        )
    raw = RawAnnotations(source=f"file {path.name}", malformed=malformed)
    criterion_c = _pick(names, "", CRITERION_NAMES)  # rubric ratings in long form: one row per criterion
    criteria = columns[criterion_c] if criterion_c is not None else None
    for r, (item, annotator, label) in enumerate(zip(columns[item_c], columns[annot_c], columns[label_c])):
        key = id_key(item)
        row = index.get(key)
        if row is None:
            raw.unknown_items[key] = raw.unknown_items.get(key, 0) + 1
            continue
        raw.items.append(row)
        raw.annotators.append(id_key(annotator))
        raw.labels.append(label)
        if criteria is not None:
            raw.criteria.append(id_key(criteria[r]))
    return raw


def _read_columns(path: Path) -> tuple[dict[str, list[Any]], list[int]]:
    """Columns of a CSV/TSV/JSONL/JSON/Parquet file, and the 1-based rows that could not be read.

    CSV cells are read as text with no missing-value guessing, so a label
    "nan" or "None" stays a label; only an empty cell is empty.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv", ".tab", ".txt"):
            import pandas as pd

            sep = "," if suffix == ".csv" else "\t"
            frame = pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, na_filter=False)
            return {str(c): frame[c].tolist() for c in frame.columns}, []
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            return {str(k): v for k, v in pq.read_table(path).to_pydict().items()}, []
        if suffix in (".jsonl", ".ndjson", ".json"):
            return _read_json_rows(path, suffix == ".json")
    except AnnotationInputError:
        raise
    except Exception as exc:  # any reader failure becomes one clear line
        raise AnnotationInputError(f"cannot read annotations file {path.name}: {exc}") from None
    raise AnnotationInputError(f"annotations file {path.name}: unknown format (use .csv, .tsv, .jsonl, .json or .parquet)")


def _read_json_rows(path: Path, array: bool) -> tuple[dict[str, list[Any]], list[int]]:
    """Columns of a JSON array or JSONL file, and the 1-based elements or lines that are not rows."""
    return _columns_of(*_json_rows(path, array))


def _json_rows(path: Path, array: bool) -> tuple[list[tuple[int, Any]], list[int]]:
    """Rows of a JSON array or JSONL file with their 1-based element or line numbers, and the unreadable lines."""
    import orjson

    rows: list[tuple[int, Any]] = []
    malformed: list[int] = []
    try:
        if array:
            data = orjson.loads(path.read_bytes())
            if not isinstance(data, list):
                raise AnnotationInputError(f"annotations file {path.name}: expected a JSON array of rows")
            rows = list(enumerate(data, 1))
        else:
            with path.open("rb") as fh:
                for line_no, line in enumerate(fh, 1):
                    if line.strip():
                        try:
                            rows.append((line_no, orjson.loads(line)))
                        except orjson.JSONDecodeError:
                            malformed.append(line_no)
    except AnnotationInputError:
        raise
    except Exception as exc:  # any reader failure becomes one clear line
        raise AnnotationInputError(f"cannot read annotations file {path.name}: {exc}") from None
    return rows, malformed


def _columns_of(rows: list[tuple[int, Any]], malformed: list[int]) -> tuple[dict[str, list[Any]], list[int]]:
    malformed = list(malformed)
    names: dict[str, None] = {}
    for _, row in rows:
        if isinstance(row, dict):
            names.update(dict.fromkeys(map(str, row)))
    columns: dict[str, list[Any]] = {n: [] for n in names}
    for number, row in rows:
        if not isinstance(row, dict):
            malformed.append(number)
            continue
        for n in names:
            columns[n].append(row.get(n))
    return columns, sorted(malformed)


# --- the input policy -----------------------------------------------------------


def clean(raw: RawAnnotations) -> Annotations:
    """Apply the policy: skip missing labels, count empty ones, keep the last of duplicates.

    Vectorised after one pass that canonicalises labels (each distinct text
    once): rows are keyed by (item, annotator) and the last row of each key wins.
    """
    label_code: dict[str | None, int] = {}
    memo: dict[Any, int] = {}
    codes = np.empty(len(raw.labels), dtype=np.int64)
    for r, value in enumerate(raw.labels):
        try:
            codes[r] = memo[value] if type(value) is str else label_code.setdefault(label_key(value), len(label_code))
        except KeyError:  # labels repeat: canonicalise each distinct text once
            codes[r] = memo[value] = label_code.setdefault(label_key(value), len(label_code))
    names = list(label_code)
    items = np.asarray(raw.items, dtype=np.int64)
    is_missing = np.asarray([n is None for n in names], dtype=bool)[codes] if len(codes) else np.zeros(0, bool)
    is_empty = np.asarray([n == "" for n in names], dtype=bool)[codes] if len(codes) else np.zeros(0, bool)
    annotator_index: dict[str, int] = {}
    annot = np.asarray([annotator_index.setdefault(a, len(annotator_index)) for a in raw.annotators], dtype=np.int64)
    use = ~(is_missing | is_empty)
    items_u, annot_u, codes_u = items[use], annot[use], codes[use]
    slot = items_u * max(len(annotator_index), 1) + annot_u
    # keep the last row of each slot: unique over the reversed rows finds each slot's last occurrence
    _, first_rev, inverse = np.unique(slot[::-1], return_index=True, return_inverse=True)
    last = len(slot) - 1 - first_rev
    owner = last[inverse.ravel()[::-1]]  # for every row, the row kept for its slot
    dropped = owner != np.arange(len(slot))
    conflicting = int((codes_u[dropped] != codes_u[owner[dropped]]).sum())
    keep = np.sort(last)
    # re-index labels and annotators to the ones that survive, sorted for stable reports
    kept_labels = sorted({names[c] for c in np.unique(codes_u[keep]).tolist()})  # type: ignore[type-var]
    label_pos = {n: i for i, n in enumerate(kept_labels)}
    remap_labels = np.asarray([label_pos.get(n, -1) for n in names], dtype=np.int64) if names else np.zeros(0, np.int64)  # type: ignore[arg-type]
    annotator_names = list(annotator_index)
    return Annotations(
        source=raw.source,
        items=items_u[keep],
        annotator=annot_u[keep],
        label=remap_labels[codes_u[keep]] if len(keep) else np.zeros(0, np.int64),
        annotator_names=annotator_names,
        label_names=kept_labels,  # type: ignore[arg-type]
        missing=int(is_missing.sum()),
        empty_items=sorted(set(items[is_empty].tolist())),
        duplicate_rows=int(dropped.sum()),
        conflicting_duplicates=conflicting,
        duplicate_items=sorted(set(items_u[dropped].tolist())),
        unknown_items=dict(raw.unknown_items),
        malformed=list(raw.malformed),
        anonymous=raw.anonymous,
    )
