"""What Spark reads: files on any Hadoop file system (JSON lines, gzipped or not; Parquet) or a table.

The source is listed on the driver through Spark's own Hadoop file system
(``file:``, ``hdfs:``, ``s3a:``, ``gs:``, ``abfs:``: whichever connectors the
session has), so a missing connector or a path that matches nothing is one
line and exit 2 before any work. Its files are read in path order, each file
by its own RDD (``sc.textFile`` for JSON lines: Hadoop's codecs read gzip;
the Parquet reader for Parquet; ``session.table`` for a table), and the RDDs
are joined in that order: record i of the run is record i of the files one
after the other, as the in-memory engine reads one file. Spark's own file
scan packs splits by size, which would lose that order.

JSON lines are read as text and parsed in the executors by the loader's own
line parser, not by Spark's JSON reader: the records, load problems
(``invalid JSON`` at its line), blank lines and repeated keys are then
exactly the in-memory loader's, and no pass is spent inferring a schema.
Parquet and table rows are mapped from their dicts as the loader maps
Parquet rows. The layout is detected by the loader's ``plan`` on the first
rows of the source (of its first files, in order).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from auditor.load import plan, readers
from auditor.load.detect import FieldOverrides
from auditor.load.columns import fill
from auditor.core.columns import index_width
from auditor.core.records import LoadProblem
from auditor.runtime.errors import InputError
from auditor.scale.partitions import Layout, Read

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz", ".jsonl.bz2", ".json.bz2", ".jsonl.zst", ".gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
HEAD_ROWS = 1000  # rows handed to the loader's layout detection (it decides on the first 200 objects)


@dataclass(frozen=True)
class Piece:
    """One file (or the table) of a source."""

    uri: str
    name: str  # for messages: the file's name, or the table's
    bytes: int = 0


@dataclass(frozen=True)
class SparkSource:
    kind: str  # "jsonl", "parquet" or "table"
    label: str  # what the user gave
    pieces: tuple[Piece, ...]
    bytes: int | None


@dataclass(frozen=True)
class Numbering:
    """Per Spark partition: its piece, its first line (file-wide, 0-based: lines before it) and the lines before its piece."""

    piece: list[int]
    first: list[int]  # lines (or rows) of the whole source before the partition
    piece_first: list[int]  # lines of the source before the partition's piece
    names: list[str]
    total: int = 0  # lines (or rows) of the whole source: an upper bound on its records


def _java_error(exc: Exception) -> str:
    """The first line of a Java exception's root cause (a failed job wraps it twice), without py4j's wrapping."""
    java = getattr(exc, "java_exception", None)
    try:
        while java is not None and java.getCause() is not None:
            java = java.getCause()
        text = str(java.toString()) if java is not None else str(exc)
    except Exception:  # the JVM is gone: what Python holds
        text = str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _scheme(uri: str) -> str | None:
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", uri)
    return m.group(1) if m else None


def locate(session: Any, source: str | None, table: str | None) -> SparkSource:
    """The files (or the table) to read, listed on the driver; an unreadable source is an InputError."""
    if table is not None:
        return _table(session, table)
    assert source is not None
    sc = session.sparkContext
    jvm = sc._jvm
    try:
        path = jvm.org.apache.hadoop.fs.Path(source)
        fs = path.getFileSystem(sc._jsc.hadoopConfiguration())
    except Exception as exc:  # py4j wraps the JVM's error: an unknown scheme, a bad URI, missing credentials
        message = _java_error(exc)
        scheme = _scheme(source)
        # Hadoop names the scheme's class in core-default.xml (s3a) or knows none for it (gs, abfs without their jar).
        if "No FileSystem for scheme" in message or "UnsupportedFileSystem" in message or ("ClassNotFoundException" in message and "FileSystem" in message):
            raise InputError(f"{source}: this Spark has no connector for {scheme}:// (add it to the session's classpath, e.g. hadoop-aws for s3a)") from None
        raise InputError(f"{source}: Spark cannot open it: {message}") from None
    try:
        matched = fs.globStatus(path)
        files: list[tuple[str, int]] = []
        for status in matched or []:
            if status.isDirectory():
                listed = fs.listFiles(status.getPath(), True)
                while listed.hasNext():
                    f = listed.next()
                    files.append((str(f.getPath().toString()), int(f.getLen())))
            else:
                files.append((str(status.getPath().toString()), int(status.getLen())))
    except Exception as exc:
        raise InputError(f"{source}: Spark cannot list it: {_java_error(exc)}") from None
    # Folders written by Spark or Hadoop hold markers (_SUCCESS) and checksums (.crc) beside the data.
    files = sorted((f, n) for f, n in files if not _hidden(f))
    if not files:
        raise InputError(f"{source}: no such file or folder (or nothing in it to read)")
    kinds = {_kind(f) for f, _ in files}
    if None in kinds:
        odd = next(f for f, _ in files if _kind(f) is None)
        raise InputError(f"{source}: {odd.rsplit('/', 1)[-1]} is neither JSON lines nor Parquet (by its name); the spark engine reads .jsonl, .json, .jsonl.gz and .parquet")
    if len(kinds) > 1:
        raise InputError(f"{source}: mixes JSON lines and Parquet files; audit each kind on its own")
    return SparkSource(kinds.pop() or "", source, tuple(Piece(f, f.rsplit("/", 1)[-1], n) for f, n in files), sum(n for _, n in files))


def _hidden(uri: str) -> bool:
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    return name.startswith(("_", ".")) or name.endswith(".crc")


def _kind(uri: str) -> str | None:
    name = uri.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(JSONL_SUFFIXES):
        return "jsonl"
    return None


def _table(session: Any, table: str) -> SparkSource:
    try:
        session.table(table).schema  # resolves the name now: a missing table is an error here, not in a task
    except Exception as exc:
        raise InputError(f"--table {table}: Spark cannot read it: {_java_error(exc)}") from None
    return SparkSource("table", table, (Piece(table, table),), None)


def rdd_of(session: Any, src: SparkSource, partition_bytes: int) -> tuple[Any, list[int]]:
    """The source's items (text lines, or rows) as one RDD in source order, and each partition's piece."""
    sc = session.sparkContext
    rdds: list[Any] = []
    piece_of: list[int] = []
    try:
        if src.kind == "parquet":
            session.conf.set("spark.sql.files.maxPartitionBytes", str(max(partition_bytes, 1 << 16)))
        for k, piece in enumerate(src.pieces):
            if src.kind == "jsonl":
                # Hadoop splits a file in at least this many parts (a gzipped one: never).
                rdd = sc.textFile(_escaped(piece.uri), max(1, math.ceil(piece.bytes / max(partition_bytes, 1))))
            elif src.kind == "parquet":
                rdd = session.read.parquet(_escaped(piece.uri)).rdd
            else:
                rdd = session.table(piece.uri).rdd
            rdds.append(rdd)
            piece_of.extend([k] * rdd.getNumPartitions())
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"{src.label}: Spark cannot read it: {_java_error(exc)}") from None
    return (rdds[0] if len(rdds) == 1 else sc.union(rdds)), piece_of


def _escaped(uri: str) -> str:
    """A file's own name, not a pattern: Hadoop reads ``[{*?\\`` in a path as glob characters."""
    return re.sub(r"([\[\]{}*?\\])", r"\\\1", uri)


def numbering(rdd: Any, piece_of: list[int], src: SparkSource) -> Numbering:
    """Each partition's place in the source: a pass counting lines (or rows) per partition."""
    try:
        counts = rdd.mapPartitions(_count).collect()
    except Exception as exc:
        raise InputError(f"{src.label}: Spark cannot read it: {_java_error(exc)}") from None
    first: list[int] = []
    piece_first: list[int] = []
    total = 0
    start_of_piece = 0
    for k, count in enumerate(counts):
        if k == 0 or piece_of[k] != piece_of[k - 1]:
            start_of_piece = total
        first.append(total)
        piece_first.append(start_of_piece)
        total += count
    return Numbering(piece_of, first, piece_first, [p.name for p in src.pieces], total)


def _count(items: Iterable[Any]) -> Iterator[int]:
    yield sum(1 for _ in items)


def head_layout(rdd: Any, src: SparkSource, fields: FieldOverrides, keep: tuple[str, ...], layout_limits: Any) -> Layout | None:
    """The loader's layout detection on the first rows of the source (its first files, in order)."""
    try:
        head = rdd.take(HEAD_ROWS)
    except Exception as exc:
        raise InputError(f"{src.label}: Spark cannot read it: {_java_error(exc)}") from None
    if src.kind == "jsonl":
        lines = [line.encode("utf-8", "surrogatepass") for line in head]
        if lines:
            lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
        rows: Iterator[Any] = readers.jsonl_line_rows(lines, 0, {}, src.label)
    else:
        rows = iter([(n, r.asDict(recursive=True)) for n, r in enumerate(head, 1)])
    p = plan(rows, fields, keep, src.label, "parquet" if src.kind == "table" else src.kind)
    if not p.layout:
        return None
    return Layout(p.data, p.layout, tuple(p.kept), layout_limits)


@dataclass(frozen=True)
class ReadJob:
    """What an executor needs to turn partition k's items into records (picklable)."""

    kind: str
    layout: Layout
    numbering: Numbering
    many: bool  # several pieces: a problem's reason names its file and line in it


def read_items(k: int, items: Iterable[Any], job: ReadJob, keep_raw: bool) -> tuple[Read, bytes]:
    """Partition k's records, as the loader reads them, and (``keep_raw``) their JSON lines with offsets into them."""
    nb = job.numbering
    first = nb.first[k]
    data = job.layout.empty()
    counters: dict[str, int] = {}
    label = nb.names[nb.piece[k]]
    if job.kind == "jsonl":
        lines = [line.encode("utf-8", "surrogatepass") for line in items]
        if lines and first == nb.piece_first[k]:  # the file's first line: its byte-order mark is not text
            lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
        fill(data, readers.jsonl_line_rows(lines, first, counters, label, job.layout.limits), job.layout.layout, list(job.layout.kept))
        raw = [lines[line - first - 1] for line in data.lines] if keep_raw else []
    else:
        rows = [(first + j, r.asDict(recursive=True)) for j, r in enumerate(items, 1)]
        fill(data, iter(rows), job.layout.layout, list(job.layout.kept))
        by_line = dict(rows) if keep_raw else {}
        raw = [orjson.dumps(by_line[line], default=str, option=orjson.OPT_NON_STR_KEYS) for line in data.lines] if keep_raw else []
    if job.many:
        base = nb.piece_first[k]
        unit = "line" if job.kind == "jsonl" else "row"
        data.problems = [LoadProblem(p.line, f"{p.reason} ({label}, {unit} {p.line - base})", p.id) for p in data.problems]
    lengths = np.fromiter(map(len, raw), np.int64, len(raw))
    offsets = np.zeros(len(raw), np.int64)
    if len(raw) > 1:
        np.cumsum(lengths[:-1] + 1, out=offsets[1:])
    offsets = offsets.astype(index_width(int(offsets[-1]) + 1 if len(offsets) else 1))  # into the partition's lines: 32 bits
    blob = b"\n".join(raw) + b"\n" if raw else b""
    return Read(data, offsets, lengths, counters.get("blank", 0)), blob
