"""Which records of each partition the near-duplicate pass sketches, described by the ones it does not.

The pass sketches every distinct input-output pair once, at its first
record (``pair_reps``), and marks which of those also hold the first copy of
their input (the input view). Handing each partition the positions of its
distinct records costs the driver 8 bytes a distinct record, and as much
again while they are pickled for the workers: at ten million records about
170 MB at the driver's peak. A partition's duplicates are few, so it is
handed those (the records repeating an earlier pair, and the new pairs whose
input repeats an earlier one) and derives the rest (``expand``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


class HasRepeats(Protocol):
    """``similarity.keys.Runs`` or ``GroupedRuns``."""

    def repeats(self) -> np.ndarray: ...


@dataclass(frozen=True)
class PartRows:
    """One partition's distinct records, as the records it holds minus the repeats."""

    count: int  # records in the partition
    repeats: np.ndarray  # its records whose pair an earlier record has (not sketched), ascending, from 0
    not_inputs: np.ndarray  # its sketched records whose input an earlier record has (pair view only), ascending, from 0
    first_row: int  # the distinct-pair row (rank among every partition's sketched records) of its first sketched record

    def expand(self) -> tuple[np.ndarray, np.ndarray]:
        """The records sketched (ascending, from 0), and which of them start the input view's rows too."""
        at = np.delete(np.arange(self.count, dtype=np.int64), self.repeats)
        is_input = np.ones(len(at), np.bool_)
        is_input[np.searchsorted(at, self.not_inputs)] = False
        return at, is_input


def part_rows(pairs: HasRepeats, inputs: HasRepeats, starts: np.ndarray) -> list[PartRows]:
    """Each partition's ``PartRows``; ``starts``: each partition's first record, then the record count.

    A record repeating an earlier pair repeats its input too, so the records
    sketched for the pair view alone are the input repeats that are not pair
    repeats.
    """
    repeats = pairs.repeats()
    not_inputs = np.setdiff1d(inputs.repeats(), repeats, assume_unique=True)
    at_r = np.searchsorted(repeats, starts)
    at_q = np.searchsorted(not_inputs, starts)
    out = []
    for k in range(len(starts) - 1):
        first = int(starts[k])
        out.append(
            PartRows(
                int(starts[k + 1]) - first,
                repeats[at_r[k] : at_r[k + 1]] - first,
                not_inputs[at_q[k] : at_q[k + 1]] - first,
                first - int(at_r[k]),
            )
        )
    return out
