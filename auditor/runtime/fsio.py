"""Writing report files atomically, and never over the input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from auditor.runtime.errors import InputError


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


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
        # mkstemp creates 0600; a report is meant to be read (served, attached),
        # so it gets the mode a plain open() would give, or the old file's mode.
        os.chmod(tmp, _mode_for(target))
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
