"""Exact token counting is used only from files already on disk: fakes stand in for the libraries."""

from __future__ import annotations

import hashlib
import sys
import types
from pathlib import Path

import pytest

from auditor.runtime.errors import ConfigError
from auditor.features.tokens import make_counter

URL = "https://example.invalid/encodings/fake_base.tiktoken"


def _fake_tiktoken(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """Install fake tiktoken modules; returns the list of encodings actually loaded."""
    import importlib.util

    loaded: list[str] = []
    # The constructor lives in a real file: the cache check reads its source for the URL.
    source = folder / "fake_openai_public.py"
    source.write_text(f'def fake_base():\n    return load("{URL}")\n\nENCODING_CONSTRUCTORS = {{"fake_base": fake_base}}\n')
    spec = importlib.util.spec_from_file_location("tiktoken_ext.openai_public", source)
    assert spec is not None and spec.loader is not None
    public = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(public)

    class Encoding:
        def encode_ordinary_batch(self, texts: list[str]) -> list[list[int]]:
            return [list(range(len(t.split()))) for t in texts]

    def get_encoding(name: str) -> Encoding:
        loaded.append(name)
        return Encoding()

    tiktoken = types.ModuleType("tiktoken")
    tiktoken.get_encoding = get_encoding  # type: ignore[attr-defined]
    ext = types.ModuleType("tiktoken_ext")
    ext.openai_public = public  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tiktoken", tiktoken)
    monkeypatch.setitem(sys.modules, "tiktoken_ext", ext)
    monkeypatch.setitem(sys.modules, "tiktoken_ext.openai_public", public)
    return loaded


def test_tiktoken_encoding_not_in_cache_is_refused_without_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = _fake_tiktoken(monkeypatch, tmp_path)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="not in the local cache"):
        make_counter("tiktoken:fake_base")
    assert loaded == []  # tiktoken never asked, so it never downloads


def test_tiktoken_encoding_in_cache_counts_exactly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = _fake_tiktoken(monkeypatch, tmp_path)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    (tmp_path / hashlib.sha1(URL.encode()).hexdigest()).write_text("cached")
    counter = make_counter("tiktoken:fake_base")
    assert loaded == ["fake_base"] and counter.exact and counter.name == "tiktoken:fake_base"
    assert counter.count_many(["one two three", ""]) == [3, 0]


def test_hugging_face_tokenizer_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Encoded:
        def __init__(self, text: str) -> None:
            self.ids = list(text)

    class Tokenizer:
        @staticmethod
        def from_file(path: str) -> Tokenizer:
            assert Path(path).is_file()
            return Tokenizer()

        def encode_batch(self, texts: list[str], add_special_tokens: bool) -> list[Encoded]:
            return [Encoded(t) for t in texts]

    fake = types.ModuleType("tokenizers")
    fake.Tokenizer = Tokenizer  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tokenizers", fake)
    path = tmp_path / "tokenizer.json"
    path.write_text("{}")
    counter = make_counter(str(path))
    assert counter.exact and counter.count_many(["abc"]) == [3]


def test_missing_libraries_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tiktoken", None)
    monkeypatch.setitem(sys.modules, "bpe_openai", None)  # the other way to an OpenAI encoding
    monkeypatch.setitem(sys.modules, "bpe_openai._bindings", None)
    monkeypatch.setitem(sys.modules, "tokenizers", None)
    with pytest.raises(ConfigError, match="pip install tiktoken"):
        make_counter("tiktoken:cl100k_base")
    path = tmp_path / "tokenizer.json"
    path.write_text("{}")
    with pytest.raises(ConfigError, match="pip install tokenizers"):
        make_counter(str(path))
