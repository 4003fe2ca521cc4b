"""Token counts: an offline estimate by default, exact with a tokenizer on disk.

The estimate: one token per 4 characters of ASCII text (the usual figure for
English with BPE vocabularies such as cl100k), plus one token per 2 extra UTF-8
bytes of non-ASCII text, which gives about 1.25 tokens per CJK character and
0.75 per accented Latin letter. It is within about 15% of cl100k on English
prose and errs high on code and non-Latin scripts, the safe side for a budget.

Exact counts need a tokenizer the user names, and nothing is ever downloaded:
- ``tiktoken:<encoding>`` (e.g. ``tiktoken:cl100k_base``), when the ``tiktoken``
  package is installed and the encoding file is already in its cache
  (``TIKTOKEN_CACHE_DIR``);
- a path to a Hugging Face ``tokenizer.json``, when the ``tokenizers`` package
  is installed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.runtime.errors import ConfigError

ESTIMATE = "estimate"


def estimate_tokens(text: str) -> int:
    """The documented offline estimate for one text."""
    chars = len(text)
    if text.isascii():
        return (chars + 3) // 4
    extra_bytes = len(text.encode("utf-8", "surrogatepass")) - chars
    return (chars + 3) // 4 + (extra_bytes + 1) // 2


@dataclass(frozen=True)
class TokenCounter:
    """Counts tokens of many texts at once; ``name`` says how (for the report)."""

    name: str
    exact: bool
    _count_many: Callable[[Sequence[str]], list[int]]

    def count_many(self, texts: Sequence[str]) -> list[int]:
        return self._count_many(texts)


def _estimate_many(texts: Sequence[str]) -> list[int]:
    # Vectorised: lengths and ASCII flags in two C-level passes, bytes counted only for non-ASCII texts.
    import numpy as np

    n = len(texts)
    chars = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    tokens = (chars + 3) // 4
    non_ascii = np.flatnonzero(~np.fromiter(map(str.isascii, texts), dtype=bool, count=n))
    if non_ascii.size:
        extra = np.fromiter((len(texts[i].encode("utf-8", "surrogatepass")) for i in non_ascii.tolist()), dtype=np.int64, count=non_ascii.size)
        tokens[non_ascii] += (extra - chars[non_ascii] + 1) // 2
    return tokens.tolist()


def make_counter(spec: str) -> TokenCounter:
    """The counter ``quality.tokenizer`` names; a ConfigError with one line when it cannot be had offline."""
    spec = spec.strip()
    if spec in ("", ESTIMATE):
        return TokenCounter(ESTIMATE, False, _estimate_many)
    if spec.startswith("tiktoken:"):
        return _tiktoken_counter(spec.partition(":")[2])
    if spec.endswith(".json"):
        return _hf_counter(Path(spec).expanduser())
    raise ConfigError(
        f"quality.tokenizer {spec!r} is not understood: use 'estimate', 'tiktoken:<encoding>' or a path to a tokenizer.json"
    )


def _tiktoken_counter(encoding: str) -> TokenCounter:
    try:
        import tiktoken
        import tiktoken_ext.openai_public as public
    except ImportError:
        raise ConfigError(f"quality.tokenizer 'tiktoken:{encoding}' needs the tiktoken package (pip install tiktoken)") from None
    constructor = getattr(public, "ENCODING_CONSTRUCTORS", {}).get(encoding)
    if constructor is None:
        raise ConfigError(f"quality.tokenizer: tiktoken has no encoding {encoding!r}")
    urls = _tiktoken_urls(constructor)
    if not urls or not all(_tiktoken_cached(u) for u in urls):
        raise ConfigError(
            f"quality.tokenizer: tiktoken encoding {encoding!r} is not in the local cache (TIKTOKEN_CACHE_DIR) "
            "and auditor never downloads; load it once with tiktoken, or use the estimate"
        )
    enc = tiktoken.get_encoding(encoding)

    def count_many(texts: Sequence[str]) -> list[int]:
        return [len(ids) for ids in enc.encode_ordinary_batch(list(texts))]

    return TokenCounter(f"tiktoken:{encoding}", True, count_many)


def _tiktoken_urls(constructor: Callable[[], object]) -> list[str]:
    """The files tiktoken would fetch for an encoding, read from its constructor's source.

    No URL found means the cache cannot be verified, and the encoding is refused
    rather than risk a download.
    """
    import inspect
    import re

    try:
        source = inspect.getsource(constructor)
    except (OSError, TypeError):
        return []
    return re.findall(r"\"(https://[^\"]+)\"", source)


def _tiktoken_cached(url: str) -> bool:
    # tiktoken's own cache layout: <dir>/<sha1 of the URL>.
    folder = os.environ.get("TIKTOKEN_CACHE_DIR") or os.environ.get("DATA_GYM_CACHE_DIR")
    base = Path(folder) if folder else Path(tempfile.gettempdir()) / "data-gym-cache"
    return (base / hashlib.sha1(url.encode()).hexdigest()).is_file()


def _hf_counter(path: Path) -> TokenCounter:
    if not path.is_file():
        raise ConfigError(f"quality.tokenizer: no tokenizer file at {path}")
    try:
        from tokenizers import Tokenizer
    except ImportError:
        raise ConfigError("quality.tokenizer: a tokenizer.json needs the tokenizers package (pip install tokenizers)") from None
    try:
        tok = Tokenizer.from_file(str(path))
    except Exception as exc:  # the library raises its own exception types for a bad file
        raise ConfigError(f"quality.tokenizer: {path} is not a readable tokenizer.json ({exc})") from None

    def count_many(texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in tok.encode_batch(list(texts), add_special_tokens=False)]

    return TokenCounter(f"tokenizer.json:{path.name}", True, count_many)
