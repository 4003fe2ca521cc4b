"""Loading a large JSONL file on several cores.

The file is cut at line starts into one byte range per worker. One sequential
pass over the bytes (which the sha256 fingerprint needs anyway) finds the cut
points and the line number each range starts at, so every worker numbers its
lines exactly as a sequential read would. Workers are forked: they inherit the
detected layout and send back their slice of the columns; the parent reads the
first range itself and appends the others in order. The result is identical to
the sequential path, record for record (a test holds it to that).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from auditor.runtime.children import quiet_signals
from auditor.load import readers
from auditor.load.columns import adopt_unplanned, build, empty_like, fill, plan
from auditor.load.detect import FieldOverrides
from auditor.load.limits import Limits
from auditor.load.source import CHUNK, Hashing, open_regular
from auditor.core.records import Dataset
from auditor.similarity import Normalizer

#: Below this size the fork and the transfer back cost more than they save.
MIN_BYTES = 48 << 20

#: The parent's range, as a share of a worker's: besides parsing, the parent
#: runs the sha256 fingerprint (about a second a GB) and unpickles what the
#: workers send (about 1.5 s a GB), so an equal share would leave it last,
#: with the workers idle. Workers hash their texts too and pickle them (~0.5 s a
#: GB); on 2 cores 0.6 of a share ends both together (estimated from the per-
#: stage costs, then checked with the benchmark).
PARENT_SHARE = 0.6


def load_jsonl(
    path: Path, fields: FieldOverrides, keep: tuple[str, ...], jobs: int, hashing: Hashing, normalizer: Normalizer | None, limits: Limits
) -> tuple[Dataset, dict[str, int]]:
    """The dataset of a large JSONL file read by forked workers, and the counters of the reading."""
    label = str(path)

    def sequential() -> tuple[Dataset, dict[str, int]]:
        counters: dict[str, int] = {}
        return build(readers.jsonl_rows(path, hashing, counters, limits), fields, keep, label, "jsonl"), counters

    with contextlib.closing(readers.jsonl_rows(path, Hashing(), {}, limits)) as head_rows:  # type: ignore[type-var]
        p = plan(head_rows, fields, keep, label, "jsonl")
    if not p.layout:  # nothing readable at the top: the sequential path says it best
        return sequential()
    ranges = split_points(path, worker_count(jobs), PARENT_SHARE)

    def fill_range(part: Dataset, start: int, end: int, first_line: int, counters: dict[str, int]) -> None:
        fill(part, readers.jsonl_range_rows(path, start, end, first_line, counters, limits), p.layout, p.kept, watch=True)
        if normalizer is not None:  # each worker hashes its own range: the count then costs no pass of its own
            part.hashes = {("inputs", normalizer): normalizer.hashes(part.inputs), ("outputs", normalizer): normalizer.hashes(part.outputs)}

    counters, per_range = load_ranges(
        path, ranges, p.data, fill_range, lambda: empty_like(p.data, p.kept), fingerprint=readers.Fingerprint(path, hashing)
    )
    if would_stop(per_range, limits.max_bad_run):
        # A run of bad lines long enough to stop one sequential pass: read as that pass does (rare, so read again).
        hashing.reset()
        return sequential()
    adopt_unplanned(p.data)
    return p.data, counters


def would_stop(per_range: list[dict[str, int]], limit: int) -> bool:
    """Whether one pass over the ranges in order meets ``limit`` bad lines in a row."""
    if limit <= 0:
        return False
    run = 0
    for counters in per_range:
        if "unread_from" in counters:
            return True
        run += counters.get("run_head", 0)
        if run >= limit:
            return True
        if counters.get("has_record"):
            run = counters.get("run_tail", 0)
    return False


def worker_count(jobs: int) -> int:
    """``jobs`` as configured (0 = one per core available to this process)."""
    if jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def split_points(path: Path, parts: int, first_share: float = 1.0) -> list[tuple[int, int, int]]:
    """``(start, end, lines_before)`` per range, cut at line starts.

    The first range is ``first_share`` the size of each other one. Counting
    newlines runs at memory speed; the sha256 fingerprint, ten times slower,
    is computed beside the parsing instead (see ``load_ranges``).
    """
    size = path.stat().st_size
    total = first_share + parts - 1
    targets = [int(size * (first_share + k) / total) for k in range(parts - 1)]
    cuts: list[tuple[int, int]] = [(0, 0)]  # (byte offset, lines before it)
    offset = 0
    lines = 0
    with open_regular(path) as fh:
        while chunk := fh.read(CHUNK):
            end = offset + len(chunk)
            while targets and targets[0] < end:
                # The cut goes right after the first newline at or past the target.
                nl = chunk.find(b"\n", max(0, targets[0] - offset))
                if nl < 0:
                    break  # the newline is in a later chunk; the target stays pending
                cut = offset + nl + 1
                cuts.append((cut, lines + chunk.count(b"\n", 0, nl + 1)))
                while targets and targets[0] < cut:
                    targets.pop(0)
            lines += chunk.count(b"\n")
            offset = end
    bounds = [c[0] for c in cuts] + [size]
    ranges = [(bounds[i], bounds[i + 1], cuts[i][1]) for i in range(len(cuts))]
    return [r for r in ranges if r[1] > r[0]] or [(0, size, 0)]


def load_ranges(
    path: Path,
    ranges: list[tuple[int, int, int]],
    data: Dataset,
    fill_range: Callable[[Dataset, int, int, int, dict[str, int]], None],
    make_part: Callable[[], Dataset],
    fingerprint: readers.Fingerprint | None = None,
) -> tuple[dict[str, int], list[dict[str, int]]]:
    """Fill ``data`` from every range: the first here, the rest in forked workers.

    Returns the counters summed, and each range's own (in order). The
    ``fingerprint`` thread runs in this process while it parses; it starts
    only after the forks, so no worker inherits it.
    """
    ctx = multiprocessing.get_context("fork")
    workers: list[tuple[Any, Any]] = []
    for start, end, first_line in ranges[1:]:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_work, args=(send, fill_range, make_part, start, end, first_line), daemon=True)
        proc.start()
        send.close()
        workers.append((proc, receive))
    if fingerprint is not None:
        fingerprint.start()  # after the forks: no worker inherits the thread
    counters: dict[str, int] = {}
    start, end, first_line = ranges[0]
    fill_range(data, start, end, first_line, counters)
    per_range = [dict(counters)]
    for proc, receive in workers:
        try:
            status, payload = pickle.loads(receive.recv_bytes())
        except EOFError:
            proc.join()
            raise RuntimeError(f"a loading worker died (exit code {proc.exitcode}); try jobs = 1") from None
        proc.join()
        if status == "error":
            raise payload
        part, part_counters = payload
        _append(data, part)
        per_range.append(part_counters)
        counters["blank"] = counters.get("blank", 0) + part_counters.get("blank", 0)
    if fingerprint is not None:
        fingerprint.join()
    return counters, per_range


def _work(send: Any, fill_range: Callable[..., None], make_part: Callable[[], Dataset], start: int, end: int, first_line: int) -> None:
    quiet_signals()
    try:
        part = make_part()
        counters: dict[str, int] = {}
        fill_range(part, start, end, first_line, counters)
        message: tuple[str, Any] = ("ok", (part, counters))
    except BaseException as exc:  # everything goes back to the parent, which decides
        message = ("error", exc)
    send.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    send.close()


def _append(data: Dataset, part: Dataset) -> None:
    data.ids.extend(part.ids)
    data.lines.extend(part.lines)
    start = len(data.inputs)
    data.inputs.extend(part.inputs)
    data.add_system_ends(start, part.system_ends)
    data.outputs.extend(part.outputs)
    data.problems.extend(part.problems)
    data.notes.extend(part.notes)
    columns: list[tuple[list[Any] | None, list[Any] | None]] = [
        (data.categories, part.categories),
        (data.messages, part.messages),
        (data.annotations, part.annotations),
    ]
    for mine, theirs in columns:
        if mine is not None and theirs is not None:
            mine.extend(theirs)
    for key, column in part.extra.items():
        data.extra[key].extend(column)
    for name, values in part.unplanned.items():
        data.unplanned.setdefault(name, {}).update(values)
    # Hashes stay only while every range brought them (the first range sets the keys).
    for hkey in list(data.hashes):
        if hkey in part.hashes:
            data.hashes[hkey] = np.concatenate([data.hashes[hkey], part.hashes[hkey]])
        else:
            del data.hashes[hkey]
