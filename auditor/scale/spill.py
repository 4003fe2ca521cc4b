"""The driver's copy of a Spark source's records: their JSON lines in compressed blocks, read back by offset.

A Spark source may be Parquet on object storage or gzipped parts: nothing
the driver can read a record from by its byte offset. So pass one sends each
valid record's JSON line, and the driver keeps them in an anonymous temporary
file for the few records a stage reads back (a finding's examples, the
boilerplate sample, the contradictions' outputs). Uncompressed that copy is
as large as the JSON lines (11.5 GB at ten million records of about 1.15 KB),
beside Spark's shuffle files on the same disk; in zlib blocks of about 32 KB
(level 1, compressed by the executors) it is about half that, and a record is
read by inflating its one block (a few tens of microseconds).

Blocks are cut after a newline, so a record's line never straddles two:
offsets count the uncompressed lines, one after the other, as before.
"""

from __future__ import annotations

import os
import tempfile
import threading
import zlib
from dataclasses import dataclass

import numpy as np

from auditor.scale.gather import Filling

BLOCK = 32 << 10  # uncompressed bytes a block holds at least (then up to its last line's end)
LEVEL = 1  # zlib's fastest: about half the size of these texts; higher levels gain a few percent for several times the CPU
KEPT_BLOCKS = 8  # inflated blocks kept: the records a stage reads back often neighbour each other


@dataclass
class Packed:
    """One partition's lines in blocks: the compressed bytes, each block's first offset (uncompressed, from the
    partition's first line) and compressed size, and the uncompressed size."""

    data: bytes
    starts: np.ndarray
    sizes: np.ndarray
    raw_bytes: int


def pack(raw: bytes) -> Packed:
    """``raw`` (newline-terminated lines) in blocks cut after a newline."""
    view = memoryview(raw)
    chunks: list[bytes] = []
    starts: list[int] = []
    pos = 0
    while pos < len(raw):
        cut = raw.find(b"\n", pos + BLOCK - 1)
        end = len(raw) if cut < 0 else cut + 1
        chunks.append(zlib.compress(view[pos:end], LEVEL))
        starts.append(pos)
        pos = end
    sizes = np.fromiter(map(len, chunks), np.int64, len(chunks))
    return Packed(b"".join(chunks), np.asarray(starts, np.int64), sizes, len(raw))


class Spill:
    """The copy: partitions appended in order (``append``), records read back by uncompressed offset (``read``)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="auditor-spark-")  # no name: gone with the process
        self._starts = Filling()  # each block's first uncompressed offset, run-wide
        self._where = Filling()  # each block's place in the file
        self.size = 0  # uncompressed bytes appended
        self._written = 0
        self._inflated: dict[int, bytes] = {}
        self._lock = threading.Lock()

    def append(self, packed: Packed) -> None:
        self._index(packed)
        self._file.write(packed.data)

    def append_file(self, path: str, packed: Packed) -> None:
        """A partition whose compressed bytes an executor wrote to ``path`` (local mode): copied in, deleted."""
        self._index(packed)
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                self._file.write(chunk)
        os.unlink(path)

    def _index(self, packed: Packed) -> None:
        self._starts.put(packed.starts, self.size)
        where = np.zeros(len(packed.sizes), np.int64)
        if len(where) > 1:
            np.cumsum(packed.sizes[:-1], out=where[1:])
        self._where.put(where, self._written)
        self.size += packed.raw_bytes
        self._written += int(packed.sizes.sum())

    def done(self) -> None:
        """Written: the block index is final."""
        self._file.flush()
        self._block_starts = self._starts.done()
        self._block_where = self._where.done()
        self._fd = self._file.fileno()

    @property
    def compressed_bytes(self) -> int:
        return self._written

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes of the uncompressed lines from ``offset`` (within one line)."""
        b = int(np.searchsorted(self._block_starts, offset, side="right")) - 1
        block = self._block(b)
        at = offset - int(self._block_starts[b])
        return block[at : at + length]

    def _block(self, b: int) -> bytes:
        hit = self._inflated.get(b)
        if hit is not None:
            return hit
        start = int(self._block_where[b])
        end = int(self._block_where[b + 1]) if b + 1 < len(self._block_where) else self._written
        block = zlib.decompress(os.pread(self._fd, end - start, start))
        with self._lock:
            if len(self._inflated) >= KEPT_BLOCKS:
                self._inflated.clear()
            self._inflated[b] = block
        return block

    def close(self) -> None:
        self._file.close()
