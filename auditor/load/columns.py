"""Rows into a ``Dataset``'s columns: the layout decided on the first rows, then every row mapped.

Every row becomes a record or a ``LoadProblem`` (a ``LoadNote`` rides along);
a batch of clean rows is mapped column by column, an odd one row by row so
each bad row gets its own reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from auditor.load.detect import ANNOTATION_NAMES, FieldOverrides, detect
from auditor.load.mapping import (
    RecordError,
    batch_mapper,
    category_of,
    map_row,
    scalar_id,
    system_end,
    system_field,
)
from auditor.load.readers import Row
from auditor.core.records import Dataset, FieldMap, LoadNote, LoadProblem

SAMPLE_ROWS = 200  # rows looked at to detect the layout: enough to outvote a few odd rows


@dataclass
class Plan:
    """What detection decided: an empty dataset shaped for the layout, and how to fill it."""

    data: Dataset
    layout: str
    kept: list[str]
    sample: list[Row]  # rows read while detecting, to be filled first


def plan(rows: Iterator[Row], fields: FieldOverrides, keep: tuple[str, ...], label: str, kind: str) -> Plan:
    """Detect the layout from the first rows."""
    sample: list[Row] = []
    dicts: list[dict[str, Any]] = []
    # Read until enough objects to decide on: broken rows at the top of a file
    # must not decide (or block) the layout of the good rows after them.
    for row in rows:
        sample.append(row)
        if isinstance(row, tuple) and isinstance(row[1], dict):
            dicts.append(row[1])
            if len(dicts) >= SAMPLE_ROWS:
                break
    if not dicts:
        empty = Dataset(format=f"{kind}/{'unreadable' if sample else 'empty'}", fields=FieldMap(input=(), output=None), source=label)
        for row in sample:
            if isinstance(row, LoadNote):
                empty.notes.append(row)
            else:
                empty.problems.append(row if isinstance(row, LoadProblem) else LoadProblem(row[0], "wrong type: record is not an object"))
        return Plan(empty, "", [], [])
    layout, fmap = detect(dicts, fields, label)
    # A name ending in '*' keeps every field with that prefix (annotator columns a1, a2, ...).
    seen = list(dict.fromkeys(k for d in dicts for k in d))
    wanted = [k for k in keep if not k.endswith("*")] + [f for k in keep if k.endswith("*") for f in seen if f.startswith(k[:-1])]
    kept = [k for k in dict.fromkeys(wanted) if k in seen and k not in fmap.input and k != fmap.output]
    return Plan(empty_like(Dataset(format=f"{kind}/{layout}", fields=fmap, source=label), kept), layout, kept, sample)


def empty_like(data: Dataset, kept: list[str]) -> Dataset:
    """A dataset with the same shape (optional columns present or not) and no records."""
    fmap = data.fields
    return Dataset(
        format=data.format,
        fields=fmap,
        source=data.source,
        categories=[] if fmap.category else None,
        messages=[] if fmap.messages else None,
        annotations=[] if fmap.annotations else None,
        extra={k: [] for k in kept},
        shared_systems=data.shared_systems,  # a partitioned run's: counted over every partition
    )


def build(
    rows: Iterator[Row], fields: FieldOverrides, keep: tuple[str, ...], label: str, kind: str, on_batch: OnBatch | None = None
) -> Dataset:
    """Detect the layout from the first rows, then map every row."""
    p = plan(rows, fields, keep, label, kind)
    if p.layout:
        fill(p.data, itertools.chain(p.sample, rows), p.layout, p.kept, on_batch, watch=True)
        adopt_unplanned(p.data)
    return p.data


#: Rows mapped together by the fast path; a batch with one odd row is mapped row by row.
FILL_BATCH = 1024


#: Called after each batch of records is mapped, with the dataset and the index of the batch's first record.
OnBatch = Callable[[Dataset, int], None]


def fill(
    data: Dataset, rows: Iterable[Row], layout: str, kept: list[str], on_batch: OnBatch | None = None, watch: bool = False
) -> None:
    """Map every row into ``data``'s columns; unreadable rows become problems.

    With ``watch``, annotations the layout did not plan for (too rare in the
    first rows to count as a field) are kept aside in ``data.unplanned`` for
    ``adopt_unplanned``: a file whose double-labelled records sit at its end
    must not have its labels ignored.
    """
    fast = batch_mapper(data.fields, layout)
    names = _unplanned_names(data) if watch else ()
    rows = iter(rows)
    while batch := list(itertools.islice(rows, FILL_BATCH)):
        start = len(data)
        if names:
            _keep_unplanned(data, batch, names)
        if not _fill_fast(data, batch, fast, kept):
            _fill_rows(data, batch, layout, kept)
        if on_batch is not None and len(data) > start:
            on_batch(data, start)


def _unplanned_names(data: Dataset) -> tuple[str, ...]:
    """Annotation field names to watch for: none when the layout already reads annotations."""
    if data.annotations is not None:
        return ()
    fmap = data.fields
    used = {*fmap.input, fmap.output, fmap.messages, fmap.category}
    return tuple(n for n in ANNOTATION_NAMES if n not in used)


def _keep_unplanned(data: Dataset, batch: list[Row], names: tuple[str, ...]) -> None:
    for row in batch:
        if type(row) is tuple and type(row[1]) is dict:
            obj = row[1]
            for name in names:
                if name in obj:
                    data.unplanned.setdefault(name, {})[row[0]] = obj[name]


def adopt_unplanned(data: Dataset) -> None:
    """Make the annotations seen only after detection the dataset's annotations column.

    The field detection's priority decides between names; records without the
    field get None, as records without annotations do in a planned column.
    """
    name = next((n for n in ANNOTATION_NAMES if data.unplanned.get(n)), None)
    if name is not None and data.annotations is None:
        by_line = data.unplanned[name]
        data.annotations = [by_line.get(line) for line in data.lines]
        data.fields = replace(data.fields, annotations=name)
    data.unplanned = {}


def _fill_fast(data: Dataset, batch: list[Row], fast: Any, kept: list[str]) -> bool:
    """Map a batch of clean rows column by column; False (nothing appended) when any row is odd."""
    try:
        lines = [row[0] for row in batch]  # type: ignore[index]  # a LoadProblem or LoadNote is not subscriptable
    except TypeError:
        return False
    objs = [row[1] for row in batch]  # type: ignore[index]
    mapped = fast(objs)
    if mapped is None:
        return False
    fmap = data.fields
    ids: list[Any] = lines
    if fmap.id:
        own = [o.get(fmap.id) for o in objs]
        kinds = set(map(type, own))
        if not kinds <= {int, str, type(None)}:  # floats, booleans, objects: scalar_id decides per row
            return False
        ids = own if type(None) not in kinds else [i if i is not None else n for i, n in zip(own, lines)]
    cats: list[Any] | None = None
    if data.categories is not None:
        cats = [o.get(fmap.category) for o in objs]
        if not set(map(type, cats)) <= {str, type(None)}:
            return False
        cats = [c or None for c in cats]  # an empty name is no category
    data.ids.extend(ids)
    data.lines.extend(lines)
    start = len(data.inputs)
    data.inputs.extend(mapped[0])
    data.outputs.extend(mapped[1])
    if system_field(fmap):
        data.add_system_ends(start, [len(s) + 2 if s and s.strip() else 0 for s in (o.get(fmap.input[0]) for o in objs)])
    elif data.system_ends is not None:
        data.add_system_ends(start, None)
    if cats is not None and data.categories is not None:
        data.categories.extend(cats)
    if data.annotations is not None:
        data.annotations.extend(o.get(fmap.annotations) for o in objs)
    for k in kept:
        data.extra[k].extend(o.get(k) for o in objs)
    return True


def _fill_rows(data: Dataset, rows: Iterable[Row], layout: str, kept: list[str]) -> None:
    """The general path, row by row: every odd row gets its own precise reason."""
    fmap = data.fields
    ids, lines, inputs, outputs = data.ids, data.lines, data.inputs, data.outputs
    cats, msgs, anns = data.categories, data.messages, data.annotations
    problems, notes = data.problems, data.notes
    id_field, cat_field, ann_field = fmap.id, fmap.category, fmap.annotations
    extra = [(k, data.extra[k]) for k in kept]
    for row in rows:
        if isinstance(row, LoadProblem):
            problems.append(row)
            continue
        if isinstance(row, LoadNote):
            notes.append(row)
            continue
        line, obj = row
        own_id = scalar_id(obj.get(id_field)) if id_field and type(obj) is dict else None
        try:
            inp, out, turns = map_row(obj, fmap, layout)
            category = category_of(obj, cat_field) if cat_field else None
        except RecordError as exc:
            problems.append(LoadProblem(line, str(exc), own_id))
            continue
        ids.append(own_id if own_id is not None else line)
        lines.append(line)
        inputs.append(inp)
        end = system_end(obj, fmap, inp, turns)
        if end or data.system_ends is not None:
            data.add_system_ends(len(inputs) - 1, [end])
        outputs.append(out)
        if cats is not None:
            cats.append(category)
        if msgs is not None:
            msgs.append(turns or [])
        if anns is not None:
            anns.append(obj.get(ann_field))
        for k, column in extra:
            column.append(obj.get(k))
