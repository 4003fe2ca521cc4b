"""Load any supported source into a normalised ``Dataset``.

Paths (JSONL, JSON array, CSV/TSV, Parquet, optionally gzipped; a folder saved
with ``datasets``), an in-memory ``datasets.Dataset`` or a pandas DataFrame.
Every row either becomes a record or a LoadProblem with its position and
reason; a source that cannot be read at all raises InputError (exit code 2).
The input is only ever opened for reading.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.runtime import gcpause
from auditor.runtime.errors import InputError
from auditor.load import readers
from auditor.load.detect import FieldOverrides, detect
from auditor.load.mapping import (
    RecordError,
    batch_mapper,
    category_of,
    map_row,
    scalar_id,
)
from auditor.core.records import Dataset, FieldMap, LoadProblem
from auditor.similarity import Normalizer

if TYPE_CHECKING:
    from auditor.load.sidehash import SideHasher

SAMPLE_ROWS = 200  # rows looked at to detect the layout: enough to outvote a few odd rows

#: Raw fields kept beside each record when present, for breaking findings down
#: by where records came from (a template, a source dataset, a model).
GROUP_FIELDS = ("template", "source", "task", "model", "variant", "annotator", "batch")


@dataclass(frozen=True)
class InputInfo:
    """The input's fingerprint for the report."""

    path: str | None
    format: str
    bytes: int | None
    sha256: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "bytes": self.bytes, "sha256": self.sha256}


FILE_KINDS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def load(
    source: Any,
    fields: FieldOverrides | None = None,
    *,
    keep: Iterable[str] = (),
    split: str | None = None,
    jobs: int = 1,
    normalizer: Normalizer | None = None,
) -> tuple[Dataset, InputInfo]:
    """The dataset and its fingerprint. ``keep`` names extra raw fields to keep
    (``name*`` keeps every field with that prefix).

    ``jobs`` (0 = one per core): with 2 or more, worker processes read a large
    JSONL file; otherwise, with two cores allowed, a worker hashes the texts of
    a large file while it is read (``sidehash``). Either way, given a
    ``normalizer``, the normalised texts arrive hashed (``Dataset.hashes``) and
    the exact count finds them ready."""
    fields = fields or FieldOverrides()
    keep_fields = tuple(dict.fromkeys((*GROUP_FIELDS, *keep)))
    if isinstance(source, str | os.PathLike):
        with gcpause.paused():  # parsed JSON holds no cycles: see auditor.gcpause
            return _load_path(Path(source), fields, keep_fields, split, jobs, normalizer)
    kind = type(source).__module__.split(".")[0] + "." + type(source).__name__
    if kind == "pandas.DataFrame":
        rows = readers.dataframe_rows(source)
        label, fmt = "<DataFrame>", "dataframe"
    elif kind in ("datasets.Dataset", "datasets.arrow_dataset.Dataset") or type(source).__name__ == "Dataset" and hasattr(source, "iter"):
        rows = readers.hf_dataset_rows(source)
        label, fmt = "<datasets.Dataset>", "hf-dataset"
    elif type(source).__name__ == "DatasetDict":
        if split is None or split not in source:
            names = ", ".join(source)
            raise InputError(f"a DatasetDict holds several splits ({names}): pass one, e.g. dataset['train'], or split=NAME")
        rows = readers.hf_dataset_rows(source[split])
        label, fmt = f"<datasets.DatasetDict[{split}]>", "hf-dataset"
    else:
        raise InputError(f"cannot audit a {type(source).__name__}: pass a path, a datasets.Dataset or a pandas DataFrame")
    dataset = build(rows, fields, keep_fields, label, fmt)
    return dataset, InputInfo(path=None, format=dataset.format, bytes=None, sha256=None)


def _load_path(
    path: Path, fields: FieldOverrides, keep: tuple[str, ...], split: str | None, jobs: int, normalizer: Normalizer | None
) -> tuple[Dataset, InputInfo]:
    _check_readable(path)
    hashing = readers.Hashing()
    counters: dict[str, int] = {}
    label = str(path)
    try:
        if _parallel_jsonl(path, jobs):
            dataset, counters = _load_jsonl_parallel(path, fields, keep, jobs, hashing, normalizer)
        elif path.is_dir():
            rows, label = readers.saved_dataset_rows(path, hashing, split)
            dataset = build(rows, fields, keep, label, "saved-dataset")
        else:
            kind = _file_kind(path)
            with contextlib.ExitStack() as stack:
                side = _side_hasher(path, jobs, normalizer)  # forked before the fingerprint thread starts
                if side is not None:
                    stack.enter_context(side)
                fingerprint = _fingerprint_beside(path, kind, hashing)
                reader_hashing = readers.NoHashing() if fingerprint is not None else hashing
                try:
                    rows = _file_rows(path, kind, reader_hashing, counters)
                    dataset = build(rows, fields, keep, label, kind, side.submit_records if side is not None else None)
                finally:
                    if fingerprint is not None:
                        fingerprint.join()
                if side is not None and normalizer is not None and (hashed := side.finish(2)) is not None:
                    dataset.hashes = {("inputs", normalizer): hashed[0], ("outputs", normalizer): hashed[1]}
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to read") from None
    dataset.blank_lines = counters.get("blank", 0)
    info = InputInfo(path=str(path), format=dataset.format, bytes=hashing.bytes, sha256=hashing.hexdigest())
    return dataset, info


def _fingerprint_beside(path: Path, kind: str, hashing: readers.Hashing) -> readers.Fingerprint | None:
    """A started fingerprint thread for a large plain JSON file, else None (hashed while read).

    Small files gain nothing; a gzipped file must be hashed as stored, which
    its reader does anyway.
    """
    from auditor.load import parallel

    if kind not in ("jsonl", "json") or path.suffix == ".gz" or path.stat().st_size < parallel.MIN_BYTES:
        return None
    fingerprint = readers.Fingerprint(path, hashing)
    fingerprint.start()
    return fingerprint


def _side_hasher(path: Path, jobs: int, normalizer: Normalizer | None) -> SideHasher | None:
    """A worker hashing the texts on a second core while a large file loads, when one is free."""
    from auditor.load import parallel

    # Linux only: elsewhere forking a process that has loaded system frameworks is not safe.
    if normalizer is None or not sys.platform.startswith("linux") or parallel.worker_count(jobs) < 2:
        return None
    if path.stat().st_size < parallel.MIN_BYTES:  # a small file: the fork would cost more than it saves
        return None
    from auditor.load.sidehash import SideHasher

    try:
        return SideHasher(normalizer)
    except OSError:  # no process or shared memory to spare: the count hashes the texts itself
        return None


def _parallel_jsonl(path: Path, jobs: int) -> bool:
    from auditor.load import parallel

    # Only when asked for explicitly (jobs >= 2): see the ``jobs`` option for the measurement.
    if path.is_dir() or path.suffix == ".gz" or jobs < 2:
        return False
    if path.stat().st_size < parallel.MIN_BYTES or _file_kind(path) != "jsonl":
        return False
    head = _head(path, 16)
    return not head.startswith(b"[") and not head.startswith(readers.UTF16_BOMS)


def _load_jsonl_parallel(
    path: Path, fields: FieldOverrides, keep: tuple[str, ...], jobs: int, hashing: readers.Hashing, normalizer: Normalizer | None
) -> tuple[Dataset, dict[str, int]]:
    from auditor.load import parallel

    label = str(path)
    with contextlib.closing(readers.jsonl_rows(path, readers.Hashing(), {})) as head_rows:  # type: ignore[type-var]
        p = plan(head_rows, fields, keep, label, "jsonl")
    if not p.layout:  # nothing readable at the top: the sequential path says it best
        counters: dict[str, int] = {}
        return build(readers.jsonl_rows(path, hashing, counters), fields, keep, label, "jsonl"), counters
    ranges = parallel.split_points(path, parallel.worker_count(jobs), parallel.PARENT_SHARE)

    def fill_range(part: Dataset, start: int, end: int, first_line: int, counters: dict[str, int]) -> None:
        fill(part, readers.jsonl_range_rows(path, start, end, first_line, counters), p.layout, p.kept)
        if normalizer is not None:  # each worker hashes its own range: the count then costs no pass of its own
            part.hashes = {("inputs", normalizer): normalizer.hashes(part.inputs), ("outputs", normalizer): normalizer.hashes(part.outputs)}

    counters = parallel.load_ranges(
        path, ranges, p.data, fill_range, lambda: empty_like(p.data, p.kept), fingerprint=readers.Fingerprint(path, hashing)
    )
    return p.data, counters


def _check_readable(path: Path) -> None:
    try:
        path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or folder") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path}: a symbolic link loop") from None
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    if path.is_dir() and not any(path.glob("*.json")) and not any(path.glob("*/dataset_info.json")):
        raise InputError(f"{path}: a folder, but not a dataset saved with datasets' save_to_disk")


def _file_kind(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in FILE_KINDS:
        return FILE_KINDS[suffixes[-1]]
    return _sniff(path)


def _sniff(path: Path) -> str:
    """The kind of a file without a telling extension, from its first bytes."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    if head.startswith(b"PAR1"):
        return "parquet"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        return "jsonl"
    if not head:
        return "jsonl"  # empty: any text kind reads it as zero records
    if b"\x00" in head:
        raise InputError(f"{path}: a binary file, not JSONL, JSON, CSV or Parquet")
    first = text.split(b"\n", 1)[0]
    if b"\t" in first:
        return "tsv"
    if b"," in first:
        return "csv"
    raise InputError(f"{path}: cannot tell the file format; name it .jsonl, .json, .csv, .tsv or .parquet")


def _file_rows(path: Path, kind: str, hashing: readers.Hashing, counters: dict[str, int]) -> Iterator[readers.Row]:
    if kind == "jsonl":
        return _jsonl_or_array(path, hashing, counters)
    if kind == "json":
        return _json_or_lines(path, hashing, counters)
    if kind in ("csv", "tsv"):
        return readers.csv_rows(path, hashing, "\t" if kind == "tsv" else ",")
    return readers.parquet_rows(path, hashing)


def _jsonl_or_array(path: Path, hashing: readers.Hashing, counters: dict[str, int]) -> Iterator[readers.Row]:
    # A .jsonl file that is really one valid JSON array (a common export
    # mistake) is read as the array; anything else starting with '[' is JSON
    # lines, so a broken first line cannot swallow the rest of the file.
    if _starts_with_bracket(path) and _parses_whole(path):
        return readers.json_document_rows(path, hashing)
    return readers.jsonl_rows(path, hashing, counters)


def _parses_whole(path: Path) -> bool:
    import gzip

    import orjson

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:  # type: ignore[operator]
        raw = fh.read()
    try:
        return isinstance(orjson.loads(raw.removeprefix(b"\xef\xbb\xbf")), list)
    except orjson.JSONDecodeError:
        return False


def _json_or_lines(path: Path, hashing: readers.Hashing, counters: dict[str, int]) -> Iterator[readers.Row]:
    # Many ".json" files are JSON lines; only a leading '[' (or a single object
    # spanning the file) makes it a document.
    if _starts_with_bracket(path) or _single_object(path):
        return readers.json_document_rows(path, hashing)
    return readers.jsonl_rows(path, hashing, counters)


def _head(path: Path, size: int = 4096) -> bytes:
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:  # type: ignore[operator]
        head: bytes = fh.read(size)
    if head.startswith(readers.UTF16_BOMS):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")


def _starts_with_bracket(path: Path) -> bool:
    return _head(path).startswith(b"[")


def _single_object(path: Path) -> bool:
    head = _head(path, 1 << 16)
    if not head.startswith(b"{"):
        return False
    first_line = head.split(b"\n", 1)[0]
    import orjson

    try:
        orjson.loads(first_line)
    except orjson.JSONDecodeError:
        return True  # the first object spans lines: a pretty-printed document
    return False


@dataclass
class Plan:
    """What detection decided: an empty dataset shaped for the layout, and how to fill it."""

    data: Dataset
    layout: str
    kept: list[str]
    sample: list[readers.Row]  # rows read while detecting, to be filled first


def plan(rows: Iterator[readers.Row], fields: FieldOverrides, keep: tuple[str, ...], label: str, kind: str) -> Plan:
    """Detect the layout from the first rows."""
    sample: list[readers.Row] = []
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
    )


def build(
    rows: Iterator[readers.Row], fields: FieldOverrides, keep: tuple[str, ...], label: str, kind: str, on_batch: OnBatch | None = None
) -> Dataset:
    """Detect the layout from the first rows, then map every row."""
    p = plan(rows, fields, keep, label, kind)
    if p.layout:
        fill(p.data, itertools.chain(p.sample, rows), p.layout, p.kept, on_batch)
    return p.data


#: Rows mapped together by the fast path; a batch with one odd row is mapped row by row.
FILL_BATCH = 1024


#: Called after each batch of records is mapped, with the dataset and the index of the batch's first record.
OnBatch = Callable[[Dataset, int], None]


def fill(data: Dataset, rows: Iterable[readers.Row], layout: str, kept: list[str], on_batch: OnBatch | None = None) -> None:
    """Map every row into ``data``'s columns; unreadable rows become problems."""
    fast = batch_mapper(data.fields, layout)
    rows = iter(rows)
    while batch := list(itertools.islice(rows, FILL_BATCH)):
        start = len(data)
        if not _fill_fast(data, batch, fast, kept):
            _fill_rows(data, batch, layout, kept)
        if on_batch is not None and len(data) > start:
            on_batch(data, start)


def _fill_fast(data: Dataset, batch: list[readers.Row], fast: Any, kept: list[str]) -> bool:
    """Map a batch of clean rows column by column; False (nothing appended) when any row is odd."""
    try:
        lines = [row[0] for row in batch]  # type: ignore[index]  # a LoadProblem is not subscriptable
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
    data.inputs.extend(mapped[0])
    data.outputs.extend(mapped[1])
    if cats is not None and data.categories is not None:
        data.categories.extend(cats)
    if data.annotations is not None:
        data.annotations.extend(o.get(fmap.annotations) for o in objs)
    for k in kept:
        data.extra[k].extend(o.get(k) for o in objs)
    return True


def _fill_rows(data: Dataset, rows: Iterable[readers.Row], layout: str, kept: list[str]) -> None:
    """The general path, row by row: every odd row gets its own precise reason."""
    fmap = data.fields
    ids, lines, inputs, outputs = data.ids, data.lines, data.inputs, data.outputs
    cats, msgs, anns = data.categories, data.messages, data.annotations
    problems = data.problems
    id_field, cat_field, ann_field = fmap.id, fmap.category, fmap.annotations
    extra = [(k, data.extra[k]) for k in kept]
    for row in rows:
        if isinstance(row, LoadProblem):
            problems.append(row)
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
        outputs.append(out)
        if cats is not None:
            cats.append(category)
        if msgs is not None:
            msgs.append(turns or [])
        if anns is not None:
            anns.append(obj.get(ann_field))
        for k, column in extra:
            column.append(obj.get(k))
