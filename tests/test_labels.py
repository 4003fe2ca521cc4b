"""LBL: likely mislabelled records (confident learning) and one label written several ways.

The precision/recall case uses a classification set built from real text
(``tests/synth_labels.py``: the label is the source an input comes from) with
5 % of labels flipped, and its clean twin; it skips without the shared data.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import unicodedata
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from auditor.core.findings import Severity
from checks.labels import LabelsCheck
from checks.labels.confident import confident_issues, explained, find
from checks.labels.vocabulary import canonical, minority, same_label, spellings
from tests.code_samples import Sample, lines, numbered
from tests.conftest import SHARED_DATASETS
from tests.helpers import make_context, make_dataset
from tests.synth_labels import flipped_set

BILLING = ("invoice", "charged", "payment", "refund", "card", "receipt", "price", "billing", "fee", "subscription")
DELIVERY = ("parcel", "courier", "tracking", "depot", "shipped", "delivery", "package", "address", "driver", "arrived")


def support(n: int = 30, flipped: int = 1, seed: int = 3) -> list[dict[str, Any]]:
    """Two support labels whose inputs use their own words; the first ``flipped`` billing inputs say 'delivery'."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        for label, words in (("billing", BILLING), ("delivery", DELIVERY)):
            text = " ".join(rng.sample(words, 4)) + f" question {i}"
            given = "delivery" if label == "billing" and i < flipped else label
            out.append({"id": f"{label[0]}{i}", "input": text, "output": given})
    return out


CODE_SAMPLES: dict[str, Sample] = {
    "LBL001": Sample(lines(support()), {"min_examples": 1}),
    "LBL002": Sample(lines(numbered(25, "billing") + numbered(3, "Billing ", start=25)), {"min_examples": 1}),
}


# --- LBL002: one label written several ways -----------------------------------

SAME = [
    ("Billing ", "billing"),
    ("Positive", "positive"),
    (unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")),
    ("ｐｏｓｉｔｉｖｅ", "positive"),  # full-width
    ("not_equivalent", "not equivalent"),
    ("not-equivalent", "Not Equivalent"),
    ("positive review.", "positive review"),
    ("Yes!", "yes"),
    ("\"yes\"", "yes"),
    ("(b)", "b"),
    ("Science and technology", "Science  and Technology"),
    ("They didn't like it!", "they didnt like it"),
    ("2 stars.", "2 stars"),
    ("Billing\u00a0", "billing"),  # a non-breaking space
]
APART = [
    ("C", "C#"),
    ("C", "C++"),
    ("A", "A+"),
    ("-1", "1"),
    ("1.5", "15"),
    ("3:2", "32"),
    ("1,000", "1000"),
    ("positive", "negative"),
    ("equivalent", "not equivalent"),
    ("yes/no", "yes no"),
    ("★★★", "★★★★"),
    ("?", "!"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_spellings_of_one_label_meet(a: str, b: str) -> None:
    assert canonical(a) == canonical(b)


@pytest.mark.parametrize(("a", "b"), APART)
def test_different_labels_stay_apart(a: str, b: str) -> None:
    assert canonical(a) != canonical(b)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
@example("a.-b")  # a separator that meets letters only once the punctuation is gone
def test_canonical_is_idempotent_and_ignores_form_and_surrounding_space(label: str) -> None:
    folded = canonical(label)
    assert canonical(folded) == folded
    assert canonical(unicodedata.normalize("NFD", label)) == canonical(unicodedata.normalize("NFC", label))
    assert canonical(f"  {label}\t") == folded


def test_spellings_name_the_most_used_first_and_the_minority_records() -> None:
    labels = ["billing"] * 5 + ["Billing "] * 2 + ["BILLING"] + ["refunds"] * 3 + [None]
    found = spellings(labels)
    assert len(found) == 1 and found[0].main == "billing"
    assert found[0].spellings == (("billing", 5), ("Billing ", 2), ("BILLING", 1))
    assert minority(labels, found) == [5, 6, 7]
    assert same_label(found)["Billing "] == ["billing", "BILLING"]
    assert spellings(["a", "b", "c"]) == []


def test_category_spellings_are_one_finding_and_cnt002_names_the_relation() -> None:
    cats = ["billing"] * 25 + ["Billing "] * 3 + ["delivery"] * 25
    pairs = [(f"question {i} about item {i * 7}", f"answer {i}") for i in range(len(cats))]
    ctx = make_context(make_dataset(pairs, categories=cats), min_examples=1)
    result = LabelsCheck().run(ctx)
    (finding,) = [f for f in result.findings if f.code == "LBL002"]
    assert finding.severity == Severity.WARNING
    assert set(finding.ids) == {26, 27, 28}  # the minority spelling's records (ids are 1-based)
    assert finding.details["labels"] == [
        {"label": "billing", "spellings": [{"spelling": "billing", "records": 25}, {"spelling": "Billing ", "records": 3}]}
    ]
    from checks.count import CountCheck

    (thin,) = [f for f in CountCheck().run(ctx).findings if f.code == "CNT002"]
    assert thin.details["category"] == "Billing " and thin.details["same_label_as"] == ["billing"]
    assert "'billing'" in thin.action


def test_output_label_spellings_within_a_label_group() -> None:
    rows = support(n=30, flipped=0)
    for r in rows[:6]:
        r["output"] = r["output"].upper()
    pairs = [(r["input"], r["output"]) for r in rows]
    result = LabelsCheck().run(make_context(make_dataset(pairs)))
    (finding,) = [f for f in result.findings if f.code == "LBL002"]
    assert finding.details["source"] == "output" and len(finding.ids) == 6


# --- LBL001: likely mislabelled records --------------------------------------


def test_confident_joint_off_diagonal_with_evidence() -> None:
    # Four records labelled 0 and four labelled 1; record 3 is labelled 0 but the model is sure it is 1.
    p1 = np.array([0.05, 0.1, 0.1, 0.95, 0.9, 0.9, 0.85, 0.95])
    probabilities = np.stack([1 - p1, p1], 1)
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    shares = np.array([0.5, 0.5])
    assert confident_issues(probabilities, y, shares, 3.0) == [(3, 1)]
    # The same record without enough evidence over the given label is not flagged.
    soft = probabilities.copy()
    soft[3] = [0.45, 0.55]
    assert confident_issues(soft, y, shares, 3.0) == []


def test_a_flipped_label_is_found_with_its_suggestion() -> None:
    rows = support(n=30, flipped=2)
    result = find([r["input"] for r in rows], [r["output"] for r in rows], folds=5, min_per_label=10, min_evidence=3.0, min_explained=0.5, seed=0)
    assert result.learnt
    flagged = {rows[i.index]["id"]: i for i in result.issues}
    assert set(flagged) == {"b0", "b1"}
    assert all(i.given == "delivery" and i.suggested == "billing" and i.probability > 0.5 for i in flagged.values())


def test_groups_too_small_or_unlearnable_are_not_judged() -> None:
    rows = support(n=8, flipped=1)  # 8 records a label: under labels.min_per_label
    small = find([r["input"] for r in rows], [r["output"] for r in rows], folds=5, min_per_label=10, min_evidence=3.0, min_explained=0.5, seed=0)
    assert not small.learnt and small.issues == [] and "fewer than two labels" in small.reason
    rng = random.Random(5)  # labels drawn independently of the input: nothing to learn, nothing flagged
    texts = [" ".join(rng.sample(BILLING + DELIVERY, 5)) for _ in range(200)]
    labels = [rng.choice("ab") for _ in texts]
    noise = find(texts, labels, folds=5, min_per_label=10, min_evidence=3.0, min_explained=0.5, seed=0)
    assert noise.issues == [] and not noise.learnt


def test_the_finding_ranks_by_margin_and_is_deterministic() -> None:
    rows = support(n=40, flipped=3)
    pairs = [(r["input"], r["output"]) for r in rows]
    ids = [r["id"] for r in rows]
    runs = [LabelsCheck().run(make_context(make_dataset(pairs, ids=ids))) for _ in range(2)]
    assert runs[0] == runs[1]
    (finding,) = [f for f in runs[0].findings if f.code == "LBL001"]
    assert finding.severity == Severity.INFO
    records = finding.details["records"]
    margins = [r["probability"] - r["given_probability"] for r in records]
    assert margins == sorted(margins, reverse=True)
    assert records and {r["id"] for r in records} <= {"b0", "b1", "b2"}


# The group gate (labels.min_explained): flags only where the input explains most of the labels' uncertainty.
NEUTRAL = tuple(f"word{i}" for i in range(60))


def cued(n: int, cued_offensive: float, cued_fine: float, seed: int) -> tuple[list[str], list[str]]:
    """Subjective labels read from a surface cue: a swear word in ``cued_offensive`` of the offensive inputs and
    ``cued_fine`` of the fine ones, neutral words otherwise. Every label is right by construction: a cued
    'fine' input is a defensible 'fine', the case MD-Agreement's false flags are made of."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        offensive = rng.random() < 0.35
        words = rng.sample(NEUTRAL, 6)
        if rng.random() < (cued_offensive if offensive else cued_fine):
            words.append(rng.choice(("damn", "hell", "crap")))
        texts.append(" ".join(words))
        labels.append("offensive" if offensive else "fine")
    return texts, labels


def topical(n: int, purity: float, flipped: int, seed: int) -> tuple[list[str], list[str]]:
    """Billing or delivery inputs whose words come from their own topic with probability ``purity``; the first
    ``flipped`` records carry the other label (the only wrong labels)."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        label = rng.choice(("billing", "delivery"))
        own, other = (BILLING, DELIVERY) if label == "billing" else (DELIVERY, BILLING)
        texts.append(" ".join([rng.choice(own) if rng.random() < purity else rng.choice(other) for _ in range(5)] + rng.sample(NEUTRAL, 2)))
        labels.append(label)
    for i in range(flipped):
        labels[i] = "delivery" if labels[i] == "billing" else "billing"
    return texts, labels


# Groups whose labels the input only partly settles: every label is right, and the code before the gate
# flagged 14, 51, 17 and 16 of them (a cue word or a stray topic word read against a defensible label).
# cue-90-10 is the boundary: its input explains 52% (lower bound 47%), as much as a set with 10% of its
# labels flipped does; the gate cannot tell the two apart and abstains on both.
PARTLY_SETTLED = [
    pytest.param(*cued(400, 0.8, 0.3, seed=2), id="cue-80-30"),
    pytest.param(*cued(600, 0.9, 0.1, seed=3), id="cue-90-10"),
    pytest.param(*topical(400, 0.6, 0, seed=4), id="topic-words-60pct"),
    pytest.param(*topical(400, 0.7, 0, seed=4), id="topic-words-70pct"),
]
# Groups whose input settles the label: the flipped records are found, and nothing else.
SETTLED = [
    pytest.param(*topical(400, 1.0, 8, seed=5), 6, id="pure-topics-8-flipped"),
    pytest.param(*topical(400, 0.9, 8, seed=5), 5, id="topic-words-90pct-8-flipped"),
    pytest.param(*topical(200, 1.0, 10, seed=6), 7, id="pure-topics-200-records-10-flipped"),
]


@pytest.mark.parametrize(("texts", "labels"), PARTLY_SETTLED)
def test_a_group_the_input_only_partly_explains_raises_nothing(texts: list[str], labels: list[str]) -> None:
    result = find(texts, labels, folds=5, min_per_label=10, min_evidence=3.0, min_explained=0.5, seed=0)
    assert result.learnt and result.issues == []
    assert result.explained_low is not None and result.explained_low < 0.5 and "explains" in result.reason
    # The same group with the gate off (the code before it): the model's disagreements are flagged.
    assert find(texts, labels, folds=5, min_per_label=10, min_evidence=3.0, min_explained=0.0, seed=0).issues


@pytest.mark.parametrize(("texts", "labels", "found"), SETTLED)
def test_a_group_the_input_settles_keeps_its_flags(texts: list[str], labels: list[str], found: int) -> None:
    result = find(texts, labels, folds=5, min_per_label=10, min_evidence=3.0, min_explained=0.5, seed=0)
    assert result.explained_low is not None and result.explained_low >= 0.5 and result.reason == ""
    flipped = range(8 if len(texts) == 400 else 10)
    assert len(result.issues) == found and {i.index for i in result.issues} <= set(flipped)
    metrics = result.to_metrics()
    assert metrics["explained"] >= metrics["explained_low"] >= 0.5


def test_the_explained_share_is_its_definition_and_the_bound_tightens_with_records() -> None:
    losses, entropies = np.array([0.2, 0.4, 0.3, 0.1]), np.array([0.7, 0.7, 0.6, 0.8])
    share, low = explained(losses, entropies)
    assert share == pytest.approx(1 - losses.mean() / entropies.mean()) and low < share
    _, low_more = explained(np.tile(losses, 25), np.tile(entropies, 25))
    assert low < low_more < share


def test_no_label_group_means_no_model() -> None:
    pairs = [(f"Explain topic {i} in a paragraph.", f"Topic {i} is explained here at length, in words of its own, number {i}.") for i in range(60)]
    result = LabelsCheck().run(make_context(make_dataset(pairs)))
    assert result.metrics["label_groups"] == 0 and result.findings == ()


def test_the_cli_help_does_not_import_scikit_learn() -> None:
    code = "import sys, auditor.cli, checks.labels; assert 'sklearn' not in sys.modules, 'sklearn imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# --- the done-when figures: 5 % flipped labels in real text ------------------------


@pytest.fixture(scope="module")
def shared() -> Any:
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not present at {SHARED_DATASETS}")
    return SHARED_DATASETS


def _flags(records: list[dict[str, Any]]) -> set[str]:
    pairs = [(r["input"], r["output"]) for r in records]
    result = LabelsCheck().run(make_context(make_dataset(pairs, ids=[r["id"] for r in records])))
    return {i for f in result.findings if f.code == "LBL001" for i in f.ids}


def test_flipped_labels_are_found_with_precision_and_the_clean_twin_stays_quiet(shared: Any) -> None:
    noisy = flipped_set(shared, flip=0.05)
    flagged = _flags(noisy.records)
    true = flagged & noisy.flipped
    precision, recall = len(true) / len(flagged), len(true) / len(noisy.flipped)
    assert precision >= 0.8 and recall >= 0.5, (precision, recall)  # measured: 0.95 and 0.63 (76 of 120)
    clean = flipped_set(shared, flip=0.0)
    assert len(_flags(clean.records)) <= 0.005 * len(clean.records)  # measured: 3 of 2,400 (0.125 %)


@pytest.mark.parametrize(
    ("name", "explains"),
    [("MD-Agreement", 0.19), ("ConvAbuse", 0.32), ("HS-Brexit", 0.16)],  # measured on the plain texts
)
def test_crowd_labelled_abuse_raises_nothing(shared: Any, name: str, explains: float) -> None:
    # LeWiDi 2023's offensive / abusive / hate-speech labels (the annotators' majority): the code before the
    # group gate flagged 191, 157 and 10 records here, and 4 of the 32 read were right (benchmarks/precision.md).
    rows: list[dict[str, Any]] = []
    for split in ("train", "dev", "test"):
        rows += json.loads((shared / "agreement" / "lewidi2023" / f"{name}_{split}.json").read_text(encoding="utf-8")).values()
    texts = [str(r["text"]) for r in rows]
    labels = [str(r["hard_label"]) for r in rows]
    result = find(texts, labels, folds=5, min_per_label=10, min_evidence=3.0, min_explained=0.5, seed=0)
    assert result.learnt and result.issues == []
    assert result.explained == pytest.approx(explains, abs=0.01) and result.explained_low is not None and result.explained_low < 0.5
