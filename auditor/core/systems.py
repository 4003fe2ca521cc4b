"""Which system prompts are boilerplate: the ones two records or more share, by their exact text.

A system prompt every record of a set carries (an assistant's instructions, a
persona) is not what a record asks: compared with it, every short request
behind it reads as a copy of every other (``Dataset.requests`` cuts it off).
A system prompt only one record carries (a document, a tool list, a persona
written for that record) is that record's content: the same short question
behind two different documents is two different requests, so it stays in
the compared text.

Prompts are told apart by a 64-bit hash of their text (whitespace at either
end and a chat's role marker aside, so a flat set's system field and a chat's
system turn with one text are one prompt): at ten million distinct prompts
two collide with a probability of about 3e-6, and a collision only cuts one
record's prompt. The hashes are the same in every process (no seed), so a
partitioned run's workers and its driver count the same prompts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

CHAT_MARKER = "system: "  # how a chat's leading system turn starts its rendered input (``load.mapping.render_turns``)


def prompt_hashes(inputs: Sequence[str], ends: Sequence[int], chat: bool) -> tuple[np.ndarray, np.ndarray]:
    """The records with a system prompt (their indices) and its hash, in record order."""
    import numpy as np
    import xxhash

    rows = np.flatnonzero(np.asarray(ends))  # an array('I') is read in place (the buffer protocol)
    digest = xxhash.xxh3_64_intdigest
    texts = (inputs[i][: ends[i]] for i in rows.tolist())
    if chat:
        texts = (t.removeprefix(CHAT_MARKER) for t in texts)
    hashes = np.fromiter((digest(t.strip().encode("utf-8", "surrogatepass")) for t in texts), np.uint64, len(rows))
    return rows, hashes


def repeated(hashes: np.ndarray, in_place: bool = False) -> np.ndarray:
    """The distinct values of ``hashes`` that occur twice or more, sorted (``in_place``: sorting ``hashes``, no copy)."""
    import numpy as np

    ordered = hashes if in_place else np.sort(hashes)
    if in_place:
        ordered.sort()
    return np.unique(ordered[1:][ordered[1:] == ordered[:-1]])


def union(*sets: np.ndarray | None) -> np.ndarray:
    """Sorted distinct hashes of every set given."""
    import numpy as np

    given = [s for s in sets if s is not None and len(s)]
    return np.unique(np.concatenate(given)) if given else np.zeros(0, np.uint64)


def unshared(rows: np.ndarray, hashes: np.ndarray, shared: np.ndarray) -> list[int]:
    """The records (of ``rows``, whose prompts hash to ``hashes``) whose prompt is not in ``shared``."""
    import numpy as np

    return rows[~np.isin(hashes, shared)].tolist()
