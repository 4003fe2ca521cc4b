"""Hash the tail of the file, and fingerprint it, in a second process while this one loads it.

The exact count hashes every normalised input and output; for a million
records that costs about as much as parsing them. One process cannot do both
at once (the GIL), and sending a million records back from a forked reader
costs more than it saves (see the ``jobs`` option). So a forked helper parses
the last part of the same file on its own, maps it with the same code, hashes
its inputs and outputs and sends back only the hashes (a few tens of MB),
reusing one small batch of memory throughout; a thread of it computes the
file's sha256 (hashlib runs without the GIL). Meanwhile this process parses
the whole file (it needs every text), then hashes the first part itself.

Everything here is an optimisation: when the helper fails, dies, or its
records do not line up with this process's (the file changed), this process
hashes and fingerprints everything itself and the result is the same.
"""

from __future__ import annotations

import bisect
import itertools
import multiprocessing
import pickle
import threading
from pathlib import Path
from typing import Any

from auditor.load import readers
from auditor.records import Dataset
from auditor.text import Normalizer

#: Rows the helper maps and hashes at a time: its memory stays this small batch.
BATCH = 8192

#: The part of the file this process hashes, as a share of the helper's part.
#: Measured at 1M records (2 cores, CPU seconds): this process parses and
#: maps everything in about 5.5 and hashes 4.4 a million records; the helper
#: parses, maps and hashes 9 to 11 a million and fingerprints the file in 1.2.
#: Shares of 0.33 and 0.8 left the helper, then this process, last; 0.55
#: (35% of the records hashed here) sits between them.
SHARE = 0.55


class SideHashes:
    """A forked process hashing the normalised texts of the records in the tail of ``path``."""

    def __init__(self, path: Path, shape: Dataset, layout: str, kept: list[str], normalizer: Normalizer) -> None:
        ctx = multiprocessing.get_context("fork")
        self.normalizer = normalizer
        self._receive, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_work, args=(send, path, shape, layout, kept, normalizer), daemon=True)
        self._proc.start()
        send.close()

    def complete(self, data: Dataset, path: Path, hashing: readers.Hashing) -> None:
        """Set ``data.hashes`` from the helper's part and this process's own, and the fingerprint.

        The hashes are left to the count when the parts do not line up; the
        fingerprint is computed here when the helper could not.
        """
        try:
            status, payload = pickle.loads(self._receive.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            status, payload = "died", None
        finally:
            self._receive.close()
            self._proc.join()
        if status != "ok":
            hashing.counting_only = False
            hashing.bytes = 0
            readers.hash_file(path, hashing)
            return
        digest, first_line, inputs, outputs = payload
        hashing.adopt(digest)
        if first_line is None:
            return
        k = bisect.bisect_right(data.lines, first_line)  # this process's records: the lines before the helper's range
        if len(data) - k != len(inputs) or len(outputs) != len(inputs):
            return  # the file changed between the two reads
        norm = self.normalizer
        data.hashes[("inputs", norm)] = norm.hashes(data.inputs[:k]) + inputs
        data.hashes[("outputs", norm)] = norm.hashes(data.outputs[:k]) + outputs


def _work(send: Any, path: Path, shape: Dataset, layout: str, kept: list[str], normalizer: Normalizer) -> None:
    from auditor.load import empty_like, fill
    from auditor.load.parallel import split_points

    try:
        fingerprint = readers.Hashing()
        side = threading.Thread(target=readers.hash_file, args=(path, fingerprint), daemon=True)
        side.start()
        ranges = split_points(path, 2, SHARE) if layout else []
        start, end, first_line = ranges[-1] if ranges else (0, 0, None)
        if len(ranges) < 2:  # one line, or nothing readable: nothing to share
            start = end = 0
        inputs: list[int] = []
        outputs: list[int] = []
        rows = readers.jsonl_range_rows(path, start, end, first_line or 0, {})
        while batch := list(itertools.islice(rows, BATCH)):
            part = empty_like(shape, kept)
            fill(part, batch, layout, kept)
            inputs += normalizer.hashes(part.inputs)
            outputs += normalizer.hashes(part.outputs)
        side.join()
        message: tuple[str, Any] = ("ok", (fingerprint.hexdigest(), first_line, inputs, outputs))
    except BaseException as exc:  # noqa: BLE001 - the parent does it all itself, whatever happened
        message = ("error", repr(exc))
    send.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    send.close()
