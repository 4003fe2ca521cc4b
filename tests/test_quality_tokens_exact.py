"""Exact token counts from encodings shipped inside a wheel (bpe-openai), the budget they are held to,
and the shortcut that keeps exact counting affordable without changing any decision."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.config import resolve
from auditor.core.defaults import MODEL_FAMILIES, OPTION_BY_KEY
from auditor.features.tokens import estimate_many, make_counter, token_budget

DEFAULT_BUDGET = OPTION_BY_KEY["quality.max_tokens"].default

bpe_openai = pytest.importorskip("bpe_openai")


@pytest.mark.parametrize(
    ("encoding", "text", "tokens"),
    [
        ("cl100k_base", "hello world", 2),  # [15339, 1917], as tiktoken encodes it
        ("o200k_base", "hello world", 2),  # [24912, 2375]
        ("cl100k_base", "", 0),
        ("cl100k_base", "日本語のテキスト", 8),
    ],
)
def test_openai_encodings_count_exactly(encoding: str, text: str, tokens: int) -> None:
    counter = make_counter(encoding)
    assert counter.exact and counter.name == f"{encoding} (bpe-openai)"
    assert counter.count_many([text]) == [tokens]


def test_the_encodings_load_with_the_network_blocked() -> None:
    # A fresh interpreter whose sockets refuse to connect: the first use must not need them.
    code = textwrap.dedent(
        """
        import socket
        def refuse(*args, **kwargs):
            raise OSError("network use at first use of a tokenizer")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        from auditor.features.tokens import make_counter
        for encoding in ("cl100k_base", "o200k_base"):
            assert make_counter(encoding).count_many(["offline"]) == [1], encoding
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_auto_follows_the_model_family() -> None:
    assert make_counter("auto").name == "cl100k_base (bpe-openai)"
    assert make_counter("auto", "gpt-4o-mini").name == "o200k_base (bpe-openai)"
    assert make_counter("auto", "llama-3").name == "cl100k_base (bpe-openai)"  # no encoding of its own ships offline


def test_auto_falls_back_to_the_estimate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "bpe_openai", None)
    monkeypatch.setitem(sys.modules, "bpe_openai._bindings", None)
    monkeypatch.setitem(sys.modules, "tiktoken", None)
    counter = make_counter("auto")
    assert counter.name == "estimate" and not counter.exact


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_utf8_length_bounds_the_exact_count(text: str) -> None:
    counter = make_counter("cl100k_base")
    bound = counter.bound_many([text])
    assert bound is not None and counter.count_many([text])[0] <= int(bound[0])


TEXTS = st.lists(st.text(st.characters(codec="utf-8"), max_size=120), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(TEXTS, TEXTS, st.integers(min_value=0, max_value=80))
def test_counting_only_near_the_limit_decides_like_counting_everything(ins: list[str], outs: list[str], limit: int) -> None:
    n = min(len(ins), len(outs))
    ins, outs = ins[:n], outs[:n]
    counter = make_counter("cl100k_base")
    exact = np.asarray(counter.count_many(ins)) + np.asarray(counter.count_many(outs))
    near = counter.record_tokens(ins, outs, limit)
    assert ((near.tokens > limit) == (exact > limit)).all()
    assert (near.tokens[exact > limit] == exact[exact > limit]).all()  # over-limit records carry their exact count


def test_estimate_counter_counts_nothing_exactly() -> None:
    counts = make_counter("estimate").record_tokens(["abcd" * 10], ["ef"], 1)
    assert counts.counted == 0 and counts.tokens.tolist() == [10 + 1]
    assert estimate_many(["abcd" * 10, "ef", "é"]).tolist() == [10, 1, 2]


def _config(**values: Any) -> Any:
    return resolve(overrides={k.replace("__", "."): v for k, v in values.items()}, search=False)


@pytest.mark.parametrize(
    ("values", "tokens", "source"),
    [
        ({}, DEFAULT_BUDGET, "default"),
        ({"quality__model_family": "llama-3.1"}, 131_072, "model family llama-3.1"),
        ({"quality__model_family": "gpt-4o-mini"}, 65_536, "model family gpt-4o-mini"),
        ({"quality__max_tokens": 2048}, 2048, "quality.max_tokens"),
        ({"quality__max_tokens": 2048, "quality__model_family": "llama-3.1"}, 2048, "quality.max_tokens"),
        ({"quality__max_tokens": 0}, 0, "quality.max_tokens"),
    ],
)
def test_the_budget_follows_the_config(values: dict[str, Any], tokens: int, source: str) -> None:
    budget = token_budget(_config(**values))
    assert (budget.tokens, budget.source) == (tokens, source)


def test_every_family_says_why() -> None:
    assert all(f.context >= 4096 and f.reason for f in MODEL_FAMILIES.values())


def test_a_local_tokenizer_json_counts_exactly_and_bounds_its_counts(tmp_path: Any) -> None:
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers import models, normalizers, pre_tokenizers, trainers

    # A small byte-level BPE with an NFKC normaliser, trained here: nothing is downloaded.
    tok = tokenizers.Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    corpus = ["the parcel left our warehouse yesterday", "where is my order", "refund the second payment"] * 50
    tok.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    counter = make_counter(str(path))
    texts = ["where is my parcel", "ﬁne ligatures ＡＢＣ", "日本語", ""]
    exact = [len(tok.encode(t, add_special_tokens=False).ids) for t in texts]
    assert counter.exact and counter.name == "tokenizer.json:tokenizer.json" and counter.count_many(texts) == exact
    bound = counter.bound_many(texts)
    assert bound is not None and all(e <= b for e, b in zip(exact, bound.tolist()))
    near = counter.record_tokens(texts, [""] * len(texts), 3)
    assert ((near.tokens > 3) == (np.asarray(exact) > 3)).all()
