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
        self.widths: dict[str, int] = {}

    def add(self, part: Sketch) -> None:
        for view in (0, 1):
            for kind, array in (("keys", part.keys[view]), ("sigs", part.sigs[view])):
                np.save(self.folder / f"{self.parts}-{view}-{kind}.npy", array, allow_pickle=False)
                self.widths[kind] = array.shape[1]
            self.rows[view] += len(part.keys[view])
        self.parts += 1

    def _gather(self, view: int, kind: str, dtype: type) -> np.ndarray:
        out: np.ndarray = np.empty((self.rows[view], self.widths.get(kind, 0)), dtype)
        at = 0
        for k in range(self.parts):
            piece = np.load(self.folder / f"{k}-{view}-{kind}.npy", allow_pickle=False)
            out[at : at + len(piece)] = piece
            at += len(piece)
        return out

    def load_keys(self, view: int) -> np.ndarray:
        return self._gather(view, "keys", np.uint64)

    def load_sigs(self, view: int) -> np.ndarray:
        return self._gather(view, "sigs", np.uint8)

    def drop(self, view: int) -> None:
        for path in self.folder.glob(f"*-{view}-*.npy"):
            path.unlink()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
