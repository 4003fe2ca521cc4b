"""The loader's one dispatcher: what the source is, which reader reads it, and the dataset built from its rows.

``load`` checks a path (``source.check_readable``), asks ``detect.kind_of``
what it is, hands it to the reader ``READERS`` names for that kind, and
builds the dataset from the rows (``columns.build``). The readers only yield
rows; how a large file is read beside (a fingerprint thread, a worker
hashing texts, forked readers) is decided here, once.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.runtime import gcpause
from auditor.runtime.errors import InputError
from auditor.load import readers
from auditor.load.columns import build
from auditor.load.detect import FieldOverrides, Kind, kind_of
from auditor.load.limits import Limits
from auditor.load.readers import Row
from auditor.load.source import Hashing, NoHashing, Peek, Text, check_readable
from auditor.core.records import Dataset
from auditor.similarity import Normalizer

if TYPE_CHECKING:
    from auditor.load.sidehash import SideHasher

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


@dataclass
class Reading:
    """What a reader is handed: the source, and where it reports what it saw."""

    source: Any  # a Path, or an in-memory dataset
    hashing: Hashing  # the fingerprint of the bytes as read (a NoHashing when a thread hashes the file)
    limits: Limits
    split: str | None = None
    label: str = ""  # how the report names the source; a reader may make it more precise
    counters: dict[str, int] = field(default_factory=dict)  # blank lines, where reading stopped
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def text(self) -> Text:
        """The file's text, open until the rows are all read."""
        return self.stack.enter_context(Text(self.source, self.hashing, self.limits))


def _saved_dataset(r: Reading) -> Iterator[Row]:
    rows, r.label = readers.saved_dataset_rows(r.source, r.hashing, r.split)
    return rows


def _dataset_split(r: Reading) -> Iterator[Row]:
    r.label = f"<datasets.DatasetDict[{r.split}]>"
    return readers.hf_dataset_rows(r.source[r.split])


#: The reader of each kind (``detect.Kind.reader``).
READERS: dict[str, Callable[[Reading], Iterator[Row]]] = {
    "json-lines": lambda r: readers.text_lines(r.text(), r.counters),
    "json-document": lambda r: readers.json_document_rows(r.text()),
    "csv": lambda r: readers.csv_rows(r.text(), ",", r.counters),
    "tsv": lambda r: readers.csv_rows(r.text(), "\t", r.counters),
    "parquet": lambda r: readers.parquet_rows(r.source, r.hashing, r.limits),
    "saved-dataset": _saved_dataset,
    "dataframe": lambda r: readers.dataframe_rows(r.source),
    "hf-dataset": lambda r: readers.hf_dataset_rows(r.source),
    "hf-dataset-split": _dataset_split,
}

#: How the report names an in-memory source.
OBJECT_LABELS = {"dataframe": "<DataFrame>", "hf-dataset": "<datasets.Dataset>"}


def load(
    source: Any,
    fields: FieldOverrides | None = None,
    *,
    keep: Iterable[str] = (),
    split: str | None = None,
    jobs: int = 1,
    normalizer: Normalizer | None = None,
    limits: Limits | None = None,
) -> tuple[Dataset, InputInfo]:
    """The dataset and its fingerprint. ``keep`` names extra raw fields to keep
    (``name*`` keeps every field with that prefix).

    ``limits`` bounds what is read (``Limits.from_config`` of the ``load``
    section; by default the defaults, against the memory available now).

    ``jobs`` (0 = one per core): with 2 or more, worker processes read a large
    JSONL file; otherwise, with two cores allowed, a worker hashes the texts of
    a large file while it is read (``sidehash``). Either way, given a
    ``normalizer``, the normalised texts arrive hashed (``Dataset.hashes``) and
    the exact count finds them ready."""
    fields = fields or FieldOverrides()
    keep_fields = tuple(dict.fromkeys((*GROUP_FIELDS, *keep)))
    if isinstance(source, str | os.PathLike):
        with gcpause.paused():  # parsed JSON holds no cycles: see auditor.runtime.gcpause
            return _load_path(Path(source), fields, keep_fields, split, jobs, normalizer, limits or Limits.default())
    kind = kind_of(source, split=split)
    reading = Reading(source, NoHashing(), limits or Limits(), split, OBJECT_LABELS.get(kind.reader, ""))
    rows = READERS[kind.reader](reading)
    dataset = build(rows, fields, keep_fields, reading.label, kind.format)
    return dataset, InputInfo(path=None, format=dataset.format, bytes=None, sha256=None)


def _load_path(
    path: Path, fields: FieldOverrides, keep: tuple[str, ...], split: str | None, jobs: int, normalizer: Normalizer | None, limits: Limits
) -> tuple[Dataset, InputInfo]:
    check_readable(path)
    hashing = Hashing()
    counters: dict[str, int] = {}
    try:
        peek = Peek(path, limits)
        kind = kind_of(path, peek)
        if _parallel(path, kind, peek, jobs):
            from auditor.load import parallel

            dataset, counters = parallel.load_jsonl(path, fields, keep, jobs, hashing, normalizer, limits)
        else:
            dataset, counters = _read(path, kind, fields, keep, split, jobs, hashing, normalizer, limits)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to read") from None
    dataset.blank_lines = counters.get("blank", 0)
    dataset.unread_from = counters.get("unread_from")
    info = InputInfo(path=str(path), format=dataset.format, bytes=hashing.bytes, sha256=hashing.hexdigest())
    return dataset, info


def _read(
    path: Path,
    kind: Kind,
    fields: FieldOverrides,
    keep: tuple[str, ...],
    split: str | None,
    jobs: int,
    hashing: Hashing,
    normalizer: Normalizer | None,
    limits: Limits,
) -> tuple[Dataset, dict[str, int]]:
    """One pass of the kind's reader over the file, with a fingerprint thread and a text hasher beside it when they pay."""
    if kind.reader == "saved-dataset":
        reading = Reading(path, hashing, limits, split, str(path))
        return build(READERS[kind.reader](reading), fields, keep, reading.label, kind.format), reading.counters
    with contextlib.ExitStack() as stack:
        side = _side_hasher(path, jobs, normalizer)  # forked before the fingerprint thread starts
        if side is not None:
            stack.enter_context(side)
        fingerprint = _fingerprint_beside(path, kind, hashing)
        reading = Reading(path, NoHashing() if fingerprint is not None else hashing, limits, split, str(path), stack=stack)
        try:
            rows = READERS[kind.reader](reading)
            dataset = build(rows, fields, keep, reading.label, kind.format, side.submit_records if side is not None else None)
        finally:
            if fingerprint is not None:
                fingerprint.join()
        if side is not None and normalizer is not None and (hashed := side.finish(2)) is not None:
            dataset.hashes = {("inputs", normalizer): hashed[0], ("outputs", normalizer): hashed[1]}
    return dataset, reading.counters


def _parallel(path: Path, kind: Kind, peek: Peek, jobs: int) -> bool:
    """Whether forked readers read the file: a large plain UTF-8 JSON lines file, and only when asked for."""
    from auditor.load import parallel

    # Only when asked for explicitly (jobs >= 2): see the ``jobs`` option for the measurement.
    if kind.format != "jsonl" or path.suffix == ".gz" or jobs < 2 or path.stat().st_size < parallel.MIN_BYTES:
        return False
    # Byte ranges are cut at newlines, which only UTF-8 text has as single bytes.
    return peek.encoding() == "utf-8" and not peek.head(16).lstrip(b" \t\r\n").startswith(b"[")


def _fingerprint_beside(path: Path, kind: Kind, hashing: Hashing) -> readers.Fingerprint | None:
    """A started fingerprint thread for a large plain JSON file, else None (hashed while read).

    Small files gain nothing; a gzipped file must be hashed as stored, which
    its reader does anyway.
    """
    from auditor.load import parallel

    if kind.format not in ("jsonl", "json") or path.suffix == ".gz" or path.stat().st_size < parallel.MIN_BYTES:
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
