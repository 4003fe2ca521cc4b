"""Partitions of a JSONL file: byte ranges cut at line starts, read with the layout detected once."""

from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import orjson

from auditor.core.columns import index_width
from auditor.core.records import Dataset
from auditor.load import empty_like, fill, plan, readers
from auditor.load.detect import FieldOverrides, text_encoding
from auditor.load.limits import Limits
from auditor.load.source import open_regular
from auditor.load.parallel import split_points


@dataclass(frozen=True)
class Partition:
    """Bytes [start, end) of the file; ``first_line`` lines come before ``start``."""

    path: str
    start: int
    end: int
    first_line: int
    number: int


@dataclass(frozen=True)
class Layout:
    """What detection decided on the head of the file, in a form every worker can be handed."""

    template: Dataset  # empty, shaped like the records (format, fields, optional columns)
    layout: str
    kept: tuple[str, ...]
    limits: Limits = readers.RANGE_LIMITS  # what a partition's reader checks (never a stop: partitions must add up)

    def empty(self) -> Dataset:
        return empty_like(self.template, list(self.kept))


def streamable(path: Path) -> str | None:
    """Why ``path`` cannot be read in partitions, or None when it can."""
    if path.is_dir():
        return "a saved datasets folder"
    if path.suffix == ".gz":
        return "a gzipped file (its bytes cannot be cut at line starts without reading them all)"
    with open_regular(path) as fh:  # a FIFO or a device is refused here, never waited on
        head = fh.read(4096)
    encoding = text_encoding(head)[0]
    if encoding != "utf-8":
        return f"a {encoding.upper()[:6]} file"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"[") or not (stripped.startswith(b"{") or not stripped):
        return "not JSON lines"
    if path.suffix.lower() == ".json" and not _one_object(stripped.split(b"\n", 1)[0]):
        return "a JSON document (its first line is not a whole object)"
    return None


def _one_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def cut(path: Path, partition_bytes: int) -> list[Partition]:
    """Partitions of about ``partition_bytes`` each (one pass counting newlines)."""
    size = path.stat().st_size
    parts = max(1, math.ceil(size / max(partition_bytes, 1)))
    return [Partition(str(path), s, e, lines, k) for k, (s, e, lines) in enumerate(split_points(path, parts))]


def detect_layout(path: Path, fields: FieldOverrides, keep: tuple[str, ...], limits: Limits = readers.RANGE_LIMITS) -> Layout | None:
    """The layout from the first rows, as the parallel loader detects it; None when the head has no object."""
    with contextlib.closing(readers.jsonl_rows(path, readers.Hashing(), {})) as head_rows:  # type: ignore[type-var]
        p = plan(head_rows, fields, keep, str(path), "jsonl")
    if not p.layout:
        return None
    return Layout(p.data, p.layout, tuple(p.kept), replace(limits, max_bad_run=0))


@dataclass
class Read:
    """One partition's records, where each one's line starts, and its blank lines."""

    data: Dataset
    offsets: np.ndarray  # byte offset of each valid record's line
    lengths: np.ndarray  # bytes of each valid record's line (newline excluded)
    blank_lines: int


def read(part: Partition, layout: Layout) -> Read:
    data = layout.empty()
    counters: dict[str, int] = {}
    rows = readers.jsonl_range_rows(Path(part.path), part.start, part.end, part.first_line, counters, layout.limits)
    fill(data, rows, layout.layout, list(layout.kept))
    offsets, lengths = _line_spans(part, np.asarray(data.lines, np.int64))
    return Read(data, offsets, lengths, counters.get("blank", 0))


def _line_spans(part: Partition, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Byte offset and length of the given (1-based, file-wide) lines of the partition.

    Counting newlines runs at memory speed: a second look at bytes the page
    cache still holds costs far less than parsing them did.
    """
    size = part.end - part.start
    with open(part.path, "rb") as fh:
        buf = np.frombuffer(os.pread(fh.fileno(), size, part.start), np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate([[0], newlines + 1])  # start of each line of the partition
    ends = np.concatenate([newlines, [size]])
    k = lines - part.first_line - 1
    # 32 bits while they fit (a file under 2 GB, lines under 2 GB): the driver holds them per record.
    return (part.start + starts[k]).astype(index_width(part.end + 1)), (ends[k] - starts[k]).astype(index_width(size + 1))
