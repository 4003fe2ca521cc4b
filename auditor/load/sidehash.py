"""Hashing the normalised texts of a large load on a second core, while the parsing goes on.

The exact count needs a 128-bit hash of every normalised input and output,
about 2 s a GB of text in one process, all after the load. A forked worker
does it during the load instead: after each batch of records the parent
writes the batch's texts, UTF-8 encoded, into one slot of a small ring of
shared memory, and the worker writes the hash rows back into the same slot.
The parent waits for the worker only when every slot is taken.

Only bytes cross, into the same few megabytes over and over: a forked
process pays about three times as much as the parent for fresh memory on the
reference VM, so a worker that held Python strings, or received them
pickled, lost more than it saved (see the ``jobs`` option).

If the worker dies (killed, out of memory), ``finish`` says so by returning
None, and the count hashes the texts itself: the same result, later.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Sequence
from types import TracebackType

import numpy as np

from auditor.runtime.allocator import keep_freed_memory
from auditor.runtime.children import quiet_signals
from auditor.core.records import Dataset
from auditor.similarity import Normalizer

#: Slots in the ring: a few, so the parent can fill one while the worker hashes another.
SLOTS = 4
#: Bytes per slot: each text's length (8 bytes) and hash row (16), then the
#: texts. Only the pages a batch uses are ever touched. A batch that does not
#: fit (a thousand records of over 16 KB each) is hashed by the parent.
SLOT_BYTES = 16 << 20

#: Characters encoded and copied at a time: one text at a time cost the
#: parent a second a million records (an allocation per text), whole batches
#: landed on freshly mapped memory each time; 64K-character pieces cost 0.35 s.
PIECE_CHARS = 1 << 16

_REQUEST = struct.Struct("<iqq")  # slot, texts, bytes of text
_DONE = struct.Struct("<i")  # slot


def _read_exact(fd: int, size: int) -> bytes:
    """``size`` bytes from a pipe, or b"" at end of file."""
    data = b""
    while len(data) < size:
        got = os.read(fd, size - len(data))
        if not got:
            return b""
        data += got
    return data


class SideHasher:
    """A forked worker hashing batches of texts: ``submit`` each batch, then ``finish``.

    A batch is a few columns of texts of one length (a batch's inputs and
    outputs). Use it as a context manager: leaving it ends the worker.
    """

    def __init__(self, normalizer: Normalizer) -> None:
        self._norm = normalizer
        self._slots = [mmap.mmap(-1, SLOT_BYTES) for _ in range(SLOTS)]  # anonymous, shared with the worker
        self._free = list(range(SLOTS))
        self._in_slot: dict[int, tuple[int, int]] = {}  # slot -> (batch number, texts)
        self._rows: list[np.ndarray | None] = []  # per batch, its hash rows once back
        self._widths: list[int] = []  # per batch, texts per column
        self._failed = False
        request_r, self._request_w = os.pipe()
        self._done_r, done_w = os.pipe()
        try:
            self._pid = os.fork()
        except OSError:  # no process to spare: the caller loads without a worker
            for fd in (request_r, self._request_w, self._done_r, done_w):
                os.close(fd)
            raise
        if self._pid == 0:  # the worker
            os.close(self._request_w)
            os.close(self._done_r)
            code = 1
            try:
                self._serve(request_r, done_w)
                code = 0
            finally:
                os._exit(code)  # never the parent's exit handlers, never its buffered output
        os.close(request_r)
        os.close(done_w)

    def __enter__(self) -> SideHasher:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        for fd in (self._request_w, self._done_r):
            if fd >= 0:
                os.close(fd)
        self._request_w = self._done_r = -1
        self._wait()  # the worker stops at the closed request pipe
        for slot in self._slots:
            try:
                slot.close()
            except BufferError:  # a view still alive (an exception's frame): unmapped when collected
                pass

    # --- the parent -----------------------------------------------------------

    def submit_records(self, data: Dataset, start: int) -> None:
        """Queue the inputs and outputs of ``data``'s records from ``start`` on (a loader's ``on_batch``)."""
        self.submit((data.inputs[start:], data.outputs[start:]))

    def submit(self, columns: Sequence[Sequence[str]]) -> None:
        """Queue one batch: columns of texts, each as long as the first."""
        texts = [t for column in columns for t in column]
        self._widths.append(len(columns[0]) if columns else 0)
        self._rows.append(None)
        # Texts too long for a slot are found while writing them (the slot ends there).
        slot = None if self._failed or 24 * len(texts) > SLOT_BYTES else self._take_slot()
        if slot is None or not self._write(slot, texts):
            self._rows[-1] = self._norm.hashes(texts)
            if slot is not None:
                self._free.append(slot)
            return
        self._in_slot[slot] = (len(self._rows) - 1, len(texts))

    def _write(self, slot: int, texts: list[str]) -> bool:
        """Copy the texts into a slot and hand it to the worker; False if they do not fit or it is gone."""
        ring, m = self._slots[slot], len(texts)
        lengths = np.fromiter(map(len, texts), np.int64, m)  # characters: bytes, where the text is ASCII
        reach = np.cumsum(lengths)
        ring.seek(24 * m)
        start = 0
        try:
            while start < m:
                # Texts are joined a piece of about PIECE_CHARS at a time (see there why).
                before = int(reach[start]) - int(lengths[start])
                stop = max(start + 1, int(np.searchsorted(reach, before + PIECE_CHARS, side="right")))
                piece = "".join(texts[start:stop])
                if piece.isascii():
                    ring.write(piece.encode("ascii"))
                else:  # lone surrogates too (undecodable bytes of a CSV file)
                    encoded = [t.encode("utf-8", "surrogatepass") for t in texts[start:stop]]
                    lengths[start:stop] = [len(e) for e in encoded]
                    ring.write(b"".join(encoded))
                start = stop
        except ValueError:  # past the end of the slot
            return False
        np.frombuffer(ring, np.int64, m)[:] = lengths
        try:
            os.write(self._request_w, _REQUEST.pack(slot, m, int(lengths.sum())))
        except BrokenPipeError:
            self._failed = True
            return False
        return True

    def finish(self, width: int) -> list[np.ndarray] | None:
        """Per column (``width`` of them), the hash rows of its texts over all batches; None if the worker failed."""
        os.close(self._request_w)
        self._request_w = -1
        while self._in_slot and self._collect():
            pass
        status = self._wait()
        if self._failed or status != 0 or any(r is None for r in self._rows):
            return None
        batches = [(k, r) for k, r in zip(self._widths, self._rows) if r is not None]
        return [
            np.concatenate([r[c * k : (c + 1) * k] for k, r in batches]) if batches else np.zeros((0, 2), np.uint64)
            for c in range(width)
        ]

    def _take_slot(self) -> int | None:
        while not self._free:
            if not self._collect():
                return None
        return self._free.pop()

    def _collect(self) -> bool:
        """Wait for one finished slot and keep its rows; False when the worker is gone."""
        msg = _read_exact(self._done_r, _DONE.size)
        if not msg:
            self._failed = True
            return False
        (slot,) = _DONE.unpack(msg)
        batch, m = self._in_slot.pop(slot)
        self._rows[batch] = np.frombuffer(self._slots[slot], np.uint64, 2 * m, 8 * m).reshape(m, 2).copy()
        self._free.append(slot)
        return True

    def _wait(self) -> int:
        if self._pid <= 0:
            return 0
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return status

    # --- the worker -------------------------------------------------------------

    def _serve(self, requests: int, done: int) -> None:
        quiet_signals()
        # Each batch's temporaries are about a megabyte: by default glibc maps such blocks afresh and returns them
        # on free, and the worker paid a page fault per 4 KB of every temporary (a million faults for a million
        # records). The worker is this module's own process, so its allocator is ours to tune.
        keep_freed_memory()
        norm = self._norm
        while msg := _read_exact(requests, _REQUEST.size):
            slot, m, size = _REQUEST.unpack(msg)
            ring = self._slots[slot]
            rows = norm.hash_encoded(ring[24 * m : 24 * m + size], np.frombuffer(ring, np.int64, m))
            np.frombuffer(ring, np.uint64, 2 * m, 8 * m)[:] = rows.ravel()
            os.write(done, _DONE.pack(slot))
