"""Optional sentence embeddings, used only when the model is already on this machine.

Nothing is downloaded: the model is loaded with ``local_files_only=True`` from
a local directory or the local Hugging Face cache. When sentence-transformers
or the model is missing, the caller gets the reason and falls back to TF-IDF.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Encoder = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Unavailable:
    reason: str


def load_encoder(model: str) -> Encoder | Unavailable:
    """An encoder returning L2-normalised float32 rows, or why there is none."""
    if importlib.util.find_spec("sentence_transformers") is None:
        return Unavailable("sentence-transformers is not installed")
    try:
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(model, device="cpu", local_files_only=True)
    except Exception as exc:  # any load failure means: not usable offline here
        return Unavailable(f"model {model!r} could not be loaded offline: {type(exc).__name__}: {exc}"[:300])

    def encode(texts: Sequence[str]) -> np.ndarray:
        rows = st.encode(list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(rows, dtype=np.float32)

    return encode
