"""Writing report files atomically, and never over the input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from auditor.errors import InputError


def write_atomic(path: Path, text: str, *, protect: Iterable[Path] = ()) -> None:
    """Write ``text`` to a temp file beside ``path``, then rename it into place.

    A reader (or an interrupted run) sees the old file or the new one, never a
    half-written one. ``protect`` lists files that must never be overwritten
    (the audited input).
    """
    target = path.resolve()
    for p in protect:
        try:
            if target == Path(p).resolve() or (target.exists() and os.path.samefile(target, p)):
                raise InputError(f"{path}: refusing to overwrite the input file with the report")
        except OSError:
            continue
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"{path}: folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
