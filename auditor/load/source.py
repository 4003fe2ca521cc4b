"""A file's bytes as the readers want them: from a regular file, gunzipped, as UTF-8, bounded.

Every file the loader reads is opened here, so the safety rules hold in one
place: only a regular file is read (a FIFO would block forever, a device
never ends), the type is checked on the opened descriptor so a file swapped
after the check cannot slip through, and the text read in all stays within
``Limits.max_bytes``. A gzip stream cut short or damaged ends the text where
it breaks (``Text.ended``) rather than losing what was read; UTF-16 and
UTF-32, with or without a byte order mark, arrive as UTF-8; a binary file
is refused with one line.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import io
import os
import stat
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from auditor.runtime.errors import InputError
from auditor.load.detect import SNIFF_BYTES, binary_kind, text_encoding
from auditor.load.limits import Limits, MemoryGuard, size

#: Text read between two looks at this process's memory (a look costs a few µs).
GUARD_EVERY = 2 << 20

#: Bytes read at a time. Small enough to stay in the CPU cache and be reused
#: by the allocator (16 MiB chunks made a 1M-record parse 1 s slower, 3.5 s
#: against 2.4 s, each read landing on freshly mapped memory), large enough
#: that the per-chunk cost vanishes.
CHUNK = 1 << 18

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def not_regular(mode: int) -> str | None:
    """What a non-regular file is ("a FIFO"), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a file")


def refuse_irregular(path: Path, mode: int) -> None:
    what = not_regular(mode)
    if what is not None:
        raise InputError(f"{path}: not a regular file ({what}); auditor reads files and saved dataset folders")


def open_regular(path: Path, buffering: int = -1) -> IO[bytes]:
    """``path`` opened for reading, refused unless it is a regular file.

    O_NONBLOCK makes the open of a FIFO return at once instead of waiting for
    a writer; the check on the opened descriptor closes the gap between a
    check of the path and the open.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        refuse_irregular(path, os.fstat(fd).st_mode)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=buffering)
    except BaseException:
        os.close(fd)
        raise


def check_readable(path: Path) -> None:
    """One line (InputError) for a path that cannot be a source: missing, a loop, not a file or folder, not readable."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or folder") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{path}: a symbolic link loop") from None
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(mode):
        refuse_irregular(path, mode)  # a FIFO would block, a device never ends (checked again on the open file)
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied")
    if stat.S_ISDIR(mode) and not any(path.glob("*.json")) and not any(path.glob("*/dataset_info.json")):
        raise InputError(f"{path}: a folder, but not a dataset saved with datasets' save_to_disk")


def is_gzip(path: Path) -> bool:
    return path.suffix.lower() == ".gz"


class Hashing:
    """sha256 of the bytes as stored, updated as they are read, so the fingerprint costs no second pass."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()
        self.bytes = 0

    def reset(self) -> None:
        """Start again (the file is read once more)."""
        self.sha = hashlib.sha256()
        self.bytes = 0

    def update(self, chunk: bytes | memoryview) -> None:
        self.sha.update(chunk)
        self.bytes += len(chunk)

    def hexdigest(self) -> str:
        return self.sha.hexdigest()


class NoHashing(Hashing):
    """What a reader updates when a ``Fingerprint`` thread hashes the same file."""

    def update(self, chunk: bytes | memoryview) -> None:
        pass


class _HashingReader(io.RawIOBase):
    def __init__(self, fh: IO[bytes], hashing: Hashing) -> None:
        self._fh = fh
        self._hashing = hashing

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._fh.readinto(buffer)  # type: ignore[attr-defined]
        if n:
            self._hashing.update(memoryview(buffer)[:n].tobytes())
        return n or 0

    def read(self, size: int = -1) -> bytes:
        data = self._fh.read(size)
        if data:
            self._hashing.update(data)
        return data

    def drain(self) -> None:
        """Hash the rest of the stored bytes without using them (after reading stopped early)."""
        while self.read(CHUNK):
            pass

    def close(self) -> None:
        self._fh.close()
        super().close()


class _Gunzip:
    """Decompressed bytes of a gzip stream, kept up to where it breaks.

    The gzip module raises on a stream cut short or damaged and drops the
    bytes it had decompressed in that call, which for a small file is all
    of them; here every byte before the break is handed out first, and
    ``ended`` says why the stream stopped. Each call decompresses at most
    the bytes asked for, so a bomb never expands in memory all at once.
    """

    RAW = 1 << 16  # compressed bytes read at a time

    def __init__(self, raw: _HashingReader) -> None:
        self._raw = raw
        self._inflate = zlib.decompressobj(31)  # 16 + 15: a gzip header and trailer, checked
        self._input = b""
        self._seen_input = False
        self.started = False  # some byte came out
        self.ended: str | None = None

    def read(self, n: int) -> bytes:
        while self.ended is None:
            if self._inflate.eof:
                # A member ends: another may follow (concatenated gzip files), or zero padding.
                self._input = self._inflate.unused_data.lstrip(b"\x00") or self._raw.read(self.RAW).lstrip(b"\x00")
                if not self._input:
                    return b""
                if not self._input.startswith(b"\x1f\x8b"):
                    self.ended = "damaged"  # bytes after the data that belong to no gzip member
                    return b""
                self._inflate = zlib.decompressobj(31)
            if not self._input:
                self._input = self._raw.read(self.RAW)
                if not self._input:
                    if self._seen_input:
                        self.ended = "cut"
                    return b""
                self._seen_input = True
            out = self._decompress(n)
            if out:
                self.started = True
                return out
        return b""

    def _decompress(self, n: int) -> bytes:
        before = self._inflate.copy()  # a few µs: kept so that a break loses no byte before it
        try:
            out = self._inflate.decompress(self._input, n)
        except zlib.error:
            self._inflate = before
            out = self._salvage()
            if not out and not self.started:
                raise  # broken before any byte: not gzip at all
            return out
        self._input = b"" if self._inflate.eof else self._inflate.unconsumed_tail
        return out

    def _salvage(self) -> bytes:
        """The bytes decompressed before the break, fed a few at a time up to it."""
        parts: list[bytes] = []
        data, self._input = self._input, b""
        for k in range(0, len(data), 64):
            try:
                parts.append(self._inflate.decompress(data[k : k + 64]))
            except zlib.error:
                break
        self.ended = "damaged"
        return b"".join(parts)


class Text:
    """The text of a file as UTF-8 byte chunks, without a byte order mark.

    ``ended`` says why the text stopped before the file's end, if it did
    ("cut": the gzip stream ends early; "damaged": its data is corrupt).
    ``stop()`` ends reading early; the rest of the stored bytes is still
    hashed, so the fingerprint is always the whole file's.
    """

    def __init__(self, path: Path, hashing: Hashing, limits: Limits | None = None) -> None:
        self.path = path
        self.limits = limits or Limits()
        self.ended: str | None = None
        self.read_bytes = 0  # decompressed bytes read so far
        self.guard = MemoryGuard(self.limits, str(path))
        self._next_look = GUARD_EVERY
        self._raw = _HashingReader(open_regular(path), hashing)
        self._gzip = is_gzip(path)
        try:
            size_on_disk = os.fstat(self._raw._fh.fileno()).st_size
            if not self._gzip:
                self._check_budget(size_on_disk)
            self._gunzip = _Gunzip(self._raw) if self._gzip else None
            self._pending = self._first()
        except BaseException:
            self._raw.close()
            raise

    def __enter__(self) -> Text:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._raw.close()

    def _check_budget(self, total: int) -> None:
        limit = self.limits.max_bytes
        if limit is not None and total > limit:
            why = self.limits.budget or size(limit)
            raise InputError(
                f"{self.path}: more than {size(limit)} of text, past load.max_memory_share ({why}); "
                "use --engine stream for JSON lines larger than memory, or raise load.max_memory_share"
            )

    def _read(self, n: int) -> bytes:
        if self.ended is not None:
            return b""
        if self._gunzip is None:
            chunk = self._raw.read(n)
        else:
            try:
                chunk = self._gunzip.read(n)
            except zlib.error as exc:  # broken before any byte came out: not gzip at all
                raise InputError(f"{self.path}: not a readable gzip file ({exc})") from None
            if self._gunzip.ended == "cut" and not self._gunzip.started:
                raise InputError(f"{self.path}: not a readable gzip file (it ends before any data)")
            self.ended = self._gunzip.ended if not chunk else None
        self.read_bytes += len(chunk)
        self._check_budget(self.read_bytes)
        if self.read_bytes >= self._next_look:
            self._next_look = self.read_bytes + GUARD_EVERY
            self.guard.check()
        return chunk

    def _first(self) -> bytes:
        """The first bytes, decoded to UTF-8: refused when binary, a byte order mark dropped."""
        head = self._read(CHUNK)
        while 0 < len(head) < SNIFF_BYTES and (more := self._read(CHUNK)):
            head += more
        codec, bom = text_encoding(head)
        self.encoding = codec
        if codec == "utf-8":
            kind = binary_kind(head[bom:])
            if kind is not None:
                raise InputError(f"{self.path}: a binary file{f' ({kind})' if kind else ''}, not JSONL, JSON, CSV or Parquet")
            self._decoder = None
            return head[bom:]
        # UTF-16 and UTF-32 exports are rare and small; decoding them chunk by
        # chunk keeps the UTF-8 path free of special cases.
        self._decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        return self._decoder.decode(head[bom:]).encode("utf-8")

    def chunks(self) -> Iterator[bytes]:
        if self._pending:
            yield self._pending
        self._pending = b""
        while chunk := self._read(CHUNK):
            yield chunk if self._decoder is None else self._decoder.decode(chunk).encode("utf-8")
        if self._decoder is not None and (tail := self._decoder.decode(b"", final=True)):
            yield tail.encode("utf-8")

    def read_all(self) -> bytes:
        return b"".join(self.chunks())

    def stop(self) -> None:
        """Read no more; hash what is left of the stored file (unless a ``Fingerprint`` thread does)."""
        self.ended = self.ended or "stopped"
        if not isinstance(self._raw._hashing, NoHashing):
            self._raw.drain()

    def head(self, n: int) -> bytes:
        """The first ``n`` bytes of the text (at least those read to check it), without using them up."""
        while len(self._pending) < n and (chunk := self._read(CHUNK)):
            self._pending += chunk if self._decoder is None else self._decoder.decode(chunk).encode("utf-8")
        return self._pending[:n]


class Peek:
    """A file's bytes for detection (``detect.Peek``), each look a fresh read that is not fingerprinted."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self._head = b""
        self._whole = False

    def stored(self, size: int) -> bytes:
        with open_regular(self.path) as fh:
            return fh.read(size)

    def head(self, size: int) -> bytes:
        if len(self._head) < size and not self._whole:
            with Text(self.path, NoHashing(), self.limits) as text:
                self._head = text.head(size)
                self._whole = len(self._head) < size  # the text is shorter: nothing more to see
        return self._head[:size]

    def text(self) -> bytes:
        with Text(self.path, NoHashing(), self.limits) as text:
            return text.read_all()

    def encoding(self) -> str:
        with Text(self.path, NoHashing(), self.limits) as text:
            return text.encoding
