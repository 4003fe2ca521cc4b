"""The near-duplicate sketch of a partitioned run, kept on disk between pass two and the verification.

The sketch is 560 bytes per distinct record (band keys and 8-bit bins of the
input view and the pair view): 5.4 GB at ten million records, the largest
thing a run would hold. Each partition's part is written to a temporary
folder as it arrives; the verification then loads one view at a time (its
keys, then its bins), so the driver holds at most one view's keys or bins.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from auditor.similarity.neardup import Sketch


class SpilledSketch:
    """``neardup.SketchViews`` backed by one .npy file per partition, view and kind."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="auditor-sketch-"))
        self.parts = 0
        self.rows = [0, 0]  # rows per view so far
        self.widths: dict[tuple[int, str], int] = {}

    def add(self, part: Sketch) -> None:
        for view in (0, 1):
            extra = [part.load_keys(view)[len(part.keys[view]) :], part.load_sigs(view)[len(part.sigs[view]) :]]
            of = part.load_extra(view) + self.rows[view]
            for kind, array in (("keys", part.keys[view]), ("sigs", part.sigs[view]), ("xkeys", extra[0]), ("xsigs", extra[1]), ("xrows", of)):
                np.save(self.folder / f"{self.parts}-{view}-{kind}.npy", array, allow_pickle=False)
                if array.ndim == 2:
                    self.widths[(view, kind)] = array.shape[1]
            self.rows[view] += len(part.keys[view])
        self.parts += 1

    def _gather(self, view: int, kind: str, dtype: type) -> np.ndarray:
        out: np.ndarray = np.empty((self.rows[view], self.widths.get((view, kind), 0)), dtype)
        at = 0
        for k in range(self.parts):
            piece = np.load(self.folder / f"{k}-{view}-{kind}.npy", allow_pickle=False)
            out[at : at + len(piece)] = piece
            at += len(piece)
        return out

    def _extra(self, view: int, kind: str) -> np.ndarray:
        """A view's extra rows (records with a slot field, ``Sketch``) of every partition, partitions in order."""
        pieces = [np.load(self.folder / f"{k}-{view}-{kind}.npy", allow_pickle=False) for k in range(self.parts)]
        if pieces:
            return np.concatenate(pieces)
        return np.zeros(0, np.int64) if kind == "xrows" else np.zeros((0, self.widths.get((view, kind[1:]), 0)), np.uint64 if kind == "xkeys" else np.uint8)

    def load_keys(self, view: int) -> np.ndarray:
        return np.concatenate([self._gather(view, "keys", np.uint64), self._extra(view, "xkeys")])

    def load_sigs(self, view: int) -> np.ndarray:
        return np.concatenate([self._gather(view, "sigs", np.uint8), self._extra(view, "xsigs")])

    def load_extra(self, view: int) -> np.ndarray:
        return self._extra(view, "xrows")

    def drop(self, view: int) -> None:
        for path in self.folder.glob(f"*-{view}-*.npy"):
            path.unlink()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
