"""Writing report files: atomically, never over anything the run reads, one clear line when it cannot.

Three promises, kept here once for every file the tool writes (the report,
the findings export, the trends chart; the history checks its own file):

- ``guard_outputs`` refuses, before anything is written, a run whose outputs
  would land on what it reads (the input, or inside an input folder, the
  config, the history, any side file) or on each other. Paths are compared
  after resolving symlinks, and by device and inode where the file exists, so
  a symlink, a hard link or a bind mount does not slip through.
- ``write_atomic`` replaces a regular file by renaming a complete temp file
  over it, so a reader or an interrupted run sees the old file or the new one.
  A character device or a FIFO (``/dev/null``, ``/dev/stdout``, a named pipe)
  is written in place instead: renaming over it would replace the device
  with a plain file (as root, ``--output /dev/null`` used to do exactly that).
  A folder, a block device or a socket is refused: no report belongs there.
- Every file-system failure (a read-only folder, a full disk, a closed pipe)
  ends as one ``InputError`` line naming the path and the reason.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from auditor.runtime.errors import InputError, shown

_SURROGATE = re.compile("[\ud800-\udfff]")


def utf8_safe(value: Any) -> Any:
    """``value`` (a string, or lists and dicts of them) with every lone surrogate replaced by U+FFFD.

    A JSON ``"\\ud800"`` escape or a file name with bytes that are not UTF-8
    gives Python strings no encoder accepts; a report must still be written,
    so the writers show such a character as the replacement character.
    """
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if not value.isascii() else value
    if isinstance(value, dict):
        return {utf8_safe(k): utf8_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [utf8_safe(v) for v in value]
    return value


def _encode(data: str | bytes) -> bytes:
    if isinstance(data, bytes):
        return data
    try:
        return data.encode("utf-8")
    except UnicodeEncodeError:
        return str(utf8_safe(data)).encode("utf-8")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    return "a file"


def _real(path: Path) -> Path:
    # os.path.realpath, unlike Path.resolve on Python 3.11, never raises on a symlink loop.
    return Path(os.path.realpath(path))


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def _written_in_place(st: os.stat_result | None) -> bool:
    """A target written in place: nothing stored is replaced, so it cannot destroy an input."""
    return st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode))


def _same_file(a: Path, b: Path) -> bool:
    """The same file: one resolved path, or (both existing) one device and inode (a hard link)."""
    if _real(a) == _real(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or lies anywhere under it.

    Resolved paths catch symlinks; comparing every existing ancestor with the
    folder by device and inode catches a second mount of the same folder; a
    file that exists with several links is compared with the folder's files
    (a hard link to the dataset's arrow file, made elsewhere).
    """
    real, home = _real(path), _real(folder)
    if real == home or home in real.parents:
        return True
    folder_st = _stat(folder)
    if folder_st is None:
        return False
    key = (folder_st.st_dev, folder_st.st_ino)
    for ancestor in real.parents:
        st = _stat(ancestor)
        if st is not None and (st.st_dev, st.st_ino) == key:
            return True
    st = _stat(path)
    if st is None or not stat.S_ISREG(st.st_mode) or st.st_nlink < 2:
        return False
    for root, _, names in os.walk(folder):
        for name in names:
            inner = _stat(Path(root) / name)
            if inner is not None and (inner.st_dev, inner.st_ino) == (st.st_dev, st.st_ino):
                return True
    return False


def check_target(path: Path, what: str = "the report", *, makes_folder: bool = False) -> None:
    """Refuse, before any work, a target no report can be written to: a folder, a block device,
    a socket, or a path whose folder is not a folder (or is missing, unless the writer
    ``makes_folder`` as the history does)."""
    st = _stat(path)
    if st is not None and (stat.S_ISDIR(st.st_mode) or stat.S_ISBLK(st.st_mode) or stat.S_ISSOCK(st.st_mode)):
        raise InputError(f"{shown(path)}: cannot write {what} there: it is {_kind(st.st_mode)}, not a file")
    if st is None:
        folder = _real(path).parent
        folder_st = _stat(folder)
        if folder_st is None and not makes_folder:
            raise InputError(f"{shown(path)}: cannot write {what}: folder {shown(folder)} does not exist")
        if folder_st is not None and not stat.S_ISDIR(folder_st.st_mode):
            raise InputError(f"{shown(path)}: cannot write {what}: {shown(folder)} is not a folder")


def guard_outputs(
    writes: Sequence[tuple[str, Path]], reads: Sequence[tuple[str, Path]], *, makes_folders: Sequence[Path] = ()
) -> None:
    """Refuse, before anything is written, outputs that would destroy what the run reads, or each other.

    ``writes``: (what is written, path), e.g. ("the report", --output).
    ``reads``: (what it is, path), e.g. ("--config", the config file); a
    folder protects everything inside it. Outputs that are character devices
    or named pipes are written in place, never replace a stored file, and so
    may coincide with anything. ``makes_folders``: outputs whose writer
    creates their missing folder (the history).
    """
    checked: list[tuple[str, Path]] = []
    for what, out in writes:
        check_target(out, what, makes_folder=out in makes_folders)
        if _written_in_place(_stat(out)):
            continue
        for name, source in reads:
            source_st = _stat(source)
            is_folder = source_st is not None and stat.S_ISDIR(source_st.st_mode)
            role = f"the {name} {'folder' if is_folder else 'file'}"
            if is_folder and _inside(out, source):
                raise InputError(f"{shown(out)}: refusing to write {what} inside {role} {shown(source)}; nothing was written")
            if not is_folder and _same_file(out, source):
                raise InputError(f"{shown(out)}: refusing to overwrite {role} with {what}; nothing was written")
        for other_what, other in checked:
            if _same_file(out, other):
                raise InputError(f"{shown(out)}: refusing to write {other_what} and {what} to the same file; nothing was written")
        checked.append((what, out))


def _cannot(path: Path, exc: OSError, what: str) -> InputError:
    reason = exc.strerror or str(exc)
    return InputError(f"{shown(path)}: cannot write {what}: {reason}")


def _write_in_place(path: Path, payload: bytes, what: str) -> None:
    """A character device or a FIFO: opened for writing as a shell redirection would, never replaced.

    No O_TRUNC (a device has nothing to truncate) and no O_CREAT (it exists).
    Opening a FIFO waits for its reader, as ``> fifo`` does in a shell.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise _cannot(path, exc, what) from None
    try:
        view = memoryview(payload)
        while view:
            done = os.write(fd, view)
            view = view[done:]
    except OSError as exc:
        raise _cannot(path, exc, what) from None
    finally:
        os.close(fd)


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: str | bytes, *, protect: Iterable[Path] = (), what: str = "the report") -> None:
    """Write ``data`` (text as UTF-8, or bytes) to ``path``.

    A regular file (or a new one) gets a temp file beside it, renamed into
    place: a reader, or an interrupted run, sees the old file or the new one,
    never a half-written one. A character device or FIFO is written in place.
    ``protect`` lists paths that must never be written (the audited input).
    """
    guard_outputs([(what, path)], [("input", Path(p)) for p in protect])
    payload = _encode(data)
    st = _stat(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_in_place(path, payload, what)
        return
    target = _real(path)
    folder = target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"{shown(path)}: cannot write {what} into folder {shown(folder)}: {exc.strerror or exc}") from None
    try:
        # mkstemp creates 0600; a report is meant to be read (served, attached),
        # so it gets the mode a plain open() would give, or the old file's mode.
        os.chmod(tmp, _mode_for(target))
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _cannot(path, exc, what) from None
        raise
