"""Coverage check: unit tables for the parts, then the check on synthetic data with known gaps."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

import checks.coverage as coverage_module
import checks.reference as reference_module
from auditor.core.findings import CheckResult, Severity, Status
from auditor.core.registry import all_checks
from checks.categories import category_stats, unseen
from checks.coverage import CoverageCheck
from checks.diversity import diversity
from checks.lengths import compare, summary
from checks.reference import coverage_share, nearest
from checks.topics import choose_k
from tests.code_samples import SUPPORT_TOPICS, Sample, lines, numbered, topical
from tests.helpers import make_context, make_dataset

TOPICS = {
    "billing": "invoice charge payment card billing receipt amount overcharged statement",
    "shipping": "parcel delivery courier tracking shipped warehouse arrive package address",
    "password": "password login reset account locked username sign credentials email",
    "refund": "refund money return reimburse cancelled order status number purchase",
}
FILLER = "please help me with this today thanks".split()


def sentences(topic: str, n: int, seed: int, extra_words: int = 0) -> list[str]:
    rng = random.Random(f"{topic}-{seed}")
    words = TOPICS[topic].split()
    out = []
    for i in range(n):
        picked = rng.sample(words, 5) + rng.sample(FILLER, 2) + [rng.choice(FILLER) for _ in range(extra_words)]
        rng.shuffle(picked)
        out.append(" ".join(picked) + f" case {i}")
    return out


def pairs(texts: list[str], output: str | None = None) -> list[tuple[str, str]]:
    return [(t, output if output is not None else f"answer about {t[:30]} number {i}") for i, t in enumerate(texts)]


def run(data: Any, others: dict[str, Any] | None = None, **config: Any) -> CheckResult:
    return CoverageCheck().run(make_context(data, others, **config))


def codes(result: CheckResult) -> list[str]:
    return [f.code for f in result.findings]


# --- parts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "max_topics", "k"),
    [(0, 40, 0), (1, 40, 1), (2, 40, 2), (3, 40, 2), (8, 40, 2), (50, 40, 5), (500, 40, 16), (7473, 40, 40), (500, 10, 10)],
)
def test_choose_k_rule(n: int, max_topics: int, k: int) -> None:
    assert choose_k(n, max_topics) == k


def _brute(ref: np.ndarray, train: np.ndarray) -> np.ndarray:
    return (ref @ train.T).max(axis=1) if train.shape[0] else np.zeros(ref.shape[0])


@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(0, 12),
    n=st.integers(1, 15),
    density=st.floats(0.0, 0.6),
    seed=st.integers(0, 10_000),
)
def test_nearest_matches_brute_force(m: int, n: int, density: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    ref = sparse.random(m, 9, density=density, format="csr", dtype=np.float32, random_state=rng)
    train = sparse.random(n, 9, density=density, format="csr", dtype=np.float32, random_state=rng)
    found = nearest(ref, train)
    expected = np.maximum(_brute(ref.toarray(), train.toarray()), 0.0)
    np.testing.assert_allclose(found.similarity, expected, rtol=1e-5, atol=1e-6)
    dense = nearest(ref.toarray(), train.toarray())
    np.testing.assert_allclose(dense.similarity, expected, rtol=1e-5, atol=1e-6)
    for row, col in enumerate(found.index):
        if found.similarity[row] > 0:  # the reported neighbour really has the best score
            assert float((ref[row].toarray() @ train[col].toarray().T)[0, 0]) == pytest.approx(float(found.similarity[row]), abs=1e-5)
        else:
            assert col == -1


def test_nearest_is_the_same_in_many_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    ref = sparse.random(300, 40, density=0.1, format="csr", dtype=np.float32, random_state=rng)
    train = sparse.random(200, 40, density=0.1, format="csr", dtype=np.float32, random_state=rng)
    whole = nearest(ref, train)
    monkeypatch.setattr(reference_module, "CHUNK_CELLS", 1)  # 8 rows per chunk
    chunked = nearest(ref, train)
    np.testing.assert_array_equal(whole.similarity, chunked.similarity)
    np.testing.assert_array_equal(whole.index, chunked.index)


@pytest.mark.parametrize(("values", "threshold", "share"), [([], 0.3, 1.0), ([0.1, 0.3, 0.5, 0.9], 0.3, 0.75), ([0.0], 0.0, 1.0)])
def test_coverage_share(values: list[float], threshold: float, share: float) -> None:
    assert coverage_share(np.array(values, dtype=np.float32), threshold) == pytest.approx(share)


@pytest.mark.parametrize(
    ("categories", "ratio", "minimum", "below"),
    [
        (None, None, None, {}),
        (["a"] * 5, None, 5, {"a": 5}),
        (["a"] * 30 + ["b"] * 3 + [None], 10.0, 3, {"b": 3}),
        (["x"] * 20 + ["y"] * 20, 1.0, 20, {}),
    ],
)
def test_category_stats(categories: list[str | None] | None, ratio: float | None, minimum: int | None, below: dict[str, int]) -> None:
    stats = category_stats(categories)
    assert stats.imbalance_ratio == ratio
    assert stats.min_count == minimum
    assert stats.below(20) == below
    assert stats.missing(["a", "zz", "a"]) == ([] if stats.counts.get("a") else ["a"]) + ["zz"]
    assert unseen(stats, ["a", "new", "new", None]) == ({"new": 2} if "a" in stats.counts else {"a": 1, "new": 2})


@pytest.mark.parametrize(
    ("train", "ref", "contains"),
    [
        ([10] * 50, [40] * 50, "up to 4.0x longer than any training input"),
        ([10, 20, 100], [60, 60, 60], "longer than training inputs"),
        ([40] * 30, [10] * 30, "shorter than training inputs"),
        ([10, 12, 14], [11, 12, 13], "alike"),
    ],
)
def test_length_sentences(train: list[int], ref: list[int], contains: str) -> None:
    shift = compare(np.array(train), np.array(ref))
    assert shift is not None and contains in shift.sentence


def test_length_summary_quantiles() -> None:
    assert summary(np.arange(1, 101)) == {"min": 1, "p50": 50.5, "p90": 90.1, "p99": 99.01, "max": 100, "mean": 50.5}
    assert summary(np.array([], dtype=np.int64)) == {}


def test_diversity_templates_count_distinct_inputs() -> None:
    # outputs 7 for three different inputs, 8 for the same input twice, 9 once
    result = diversity([7, 7, 7, 8, 8, 9], [1, 2, 3, 4, 4, 5])
    assert result.distinct_share == pytest.approx(3 / 6)
    assert [(r.output_key, r.distinct_inputs) for r in result.repeated] == [(7, 3), (8, 1)]
    assert [r.output_key for r in result.templates(3)] == [7]
    assert diversity([7, 7], [1, 2], skip={7}).repeated == []


# --- the check ---------------------------------------------------------------


def test_registered_with_unique_documented_codes() -> None:
    check = next(c for c in all_checks() if c.name == "coverage")
    assert [c.code for c in check.codes] == [f"COV00{i}" for i in range(1, 10)]
    assert all(c.why and c.fix and c.summary for c in check.codes)


def test_empty_dataset_is_skipped() -> None:
    assert run(make_dataset([])).status is Status.SKIPPED


def test_categories_imbalance_required_and_unseen() -> None:
    texts = sentences("billing", 60, 1) + sentences("shipping", 4, 1)
    data = make_dataset(pairs(texts), categories=["billing"] * 60 + ["shipping"] * 4)
    ev = make_dataset(pairs(sentences("refund", 3, 2)), categories=["refund", "refund", "billing"], ids=["e1", "e2", "e3"])
    result = run(data, {"eval": ev}, coverage__required_categories=["billing", "password"])
    m = result.metrics
    assert m["categories"] == {"billing": 60, "shipping": 4}
    assert m["imbalance_ratio"] == 15.0 and m["min_category_count"] == 4
    assert m["categories_below_minimum"] == {"shipping": 4}
    assert m["missing_required_categories"] == ["password"]
    assert m["unseen_categories"] == {"eval": {"refund": 2}}
    by_code = {f.code: f for f in result.findings}
    assert by_code["COV001"].severity is Severity.WARNING and len(by_code["COV001"].ids) == 4
    assert "15.0x" in by_code["COV001"].message
    assert by_code["COV002"].severity is Severity.BLOCKER and "'password'" in by_code["COV002"].message
    assert by_code["COV003"].ids == ("e1", "e2") and by_code["COV003"].details["dataset"] == "eval"


def test_required_categories_without_a_category_field() -> None:
    result = run(make_dataset(pairs(sentences("billing", 10, 1))), coverage__required_categories=["billing"])
    finding = next(f for f in result.findings if f.code == "COV002")
    assert "no category field" in finding.message


@pytest.mark.parametrize("small", [True, False], ids=["exact-small-set", "scikit-learn"])
def test_topics_are_found_described_and_thin_ones_flagged(small: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import checks.textspace as textspace

    monkeypatch.setattr(textspace, "SMALL_TEXTS", 1_000 if small else 0)
    texts = sentences("billing", 300, 1) + sentences("shipping", 300, 1) + sentences("password", 300, 1)
    texts += sentences("refund", 10, 1)  # a small distinct group k-means alone would absorb
    data = make_dataset(pairs(texts), ids=[f"r{i}" for i in range(len(texts))])
    result = run(data, coverage__max_topics=4)
    topics = result.metrics["topics"]
    assert [t["id"] for t in topics[:4]] == ["T1", "T2", "T3", "T4"]
    assert sum(t["size"] for t in topics) == len(texts)
    assert all(t["example_id"].startswith("r") for t in topics)
    thin = [t for t in topics if t["thin"]]
    refund_words = set(TOPICS["refund"].split())
    assert thin and all(refund_words & set(t["top_terms"][:2]) for t in thin)
    finding = next(f for f in result.findings if f.code == "COV004")
    assert set(finding.ids) == {f"r{i}" for i in range(900, 910)}
    assert set(finding.groups or ()) == {t["id"] for t in thin}


# Words no other input of the thin-topic table uses: a group made of them shares nothing with the rest.
RARE = "zebra quantum violin glacier saffron tundra oboe nebula walrus mosaic lantern cactus harpoon origami sphinx".split()


@pytest.mark.parametrize("small", [True, False], ids=["exact-small-set", "scikit-learn"])
@pytest.mark.parametrize(
    ("planted", "gap"),
    [
        # A kind of request the set lacks: ten distinct refund questions (k-means cuts them in two thin topics).
        (sentences("refund", 10, 1), True),
        # Bad: one request ten times (case numbers are not words): a duplicate cluster, not a topic.
        ([f"refund money reimburse cancelled purchase case {i}" for i in range(10)], False),
        # Bad: ten inputs sharing no word with each other beyond a pair: a bag of words, not a topic.
        ([f"{RARE[i]} {RARE[(i + 5) % 15]} case {i}" for i in range(10)], False),
    ],
    ids=["distinct-refund-requests", "one-request-repeated", "bag-of-words"],
)
def test_a_thin_topic_is_reported_only_when_it_is_a_gap(planted: list[str], gap: bool, small: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import checks.textspace as textspace

    monkeypatch.setattr(textspace, "SMALL_TEXTS", 1_000 if small else 0)
    texts = sentences("billing", 300, 1) + sentences("shipping", 300, 1) + sentences("password", 300, 1) + planted
    data = make_dataset(pairs(texts), ids=[f"r{i}" for i in range(len(texts))])
    result = run(data, coverage__max_topics=4)
    # Every row is a thin topic of planted inputs; the gate decides whether it is a gap.
    thin = [t for t in result.metrics["topics"] if t["thin"]]
    assert thin and all(int(t["example_id"][1:]) >= 900 for t in thin)
    flagged = {i for f in result.findings if f.code == "COV004" for i in f.ids}
    assert flagged == ({f"r{i}" for i in range(900, 900 + len(planted))} if gap else set())


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        # Two related inputs on words nothing else uses: a gap.
        ([[1, 1, 0], [1, 0, 1]], "gap"),
        # The same two, and outside the topic a near twin of one of them: like inputs exist.
        ([[1, 1, 0], [1, 0, 1], [1, 1, 0.2]], "closer outside"),
        # Two inputs sharing no word put together: not a topic.
        ([[1, 0, 0], [0, 0, 1]], "incoherent"),
        # One input twice over (cosine 0.99): one item.
        ([[1, 1, 0], [1, 1, 0.1]], "one item"),
    ],
    ids=["isolated-pair", "twin-outside", "unrelated-pair", "one-item"],
)
def test_thin_topic_gate_verdicts(extra: list[list[float]], reason: str) -> None:
    from checks.topicgap import judge_thin

    rng = np.random.default_rng(3)
    # A large topic: inputs on three of ten words each; the thin topic's words are three more.
    base = np.zeros((80, 13))
    for row in base:
        row[rng.choice(10, 3, replace=False)] = rng.uniform(0.5, 1.0, 3)
    planted = np.zeros((len(extra), 13))
    planted[:, 10:] = extra
    matrix = np.vstack([base, planted])
    matrix = sparse.csr_matrix(matrix / np.linalg.norm(matrix, axis=1, keepdims=True))
    labels = np.array([0] * 80 + [1, 1] + [0] * (len(extra) - 2))
    _, (verdict,) = judge_thin(matrix, labels, [np.array([80, 81])], seed=0)
    assert verdict.reason == reason


@pytest.mark.parametrize("mode", ["training", "absolute"])
def test_reference_coverage_names_the_missing_topic(mode: str) -> None:
    train = make_dataset(pairs(sentences("billing", 200, 1) + sentences("shipping", 200, 1)))
    ref_texts = sentences("billing", 60, 7) + sentences("shipping", 60, 7) + sentences("refund", 40, 7)
    ref = make_dataset(pairs(ref_texts, ""), ids=[f"q{i}" for i in range(160)])
    result = run(train, {"reference": ref}, coverage__calibration=mode)
    m = result.metrics
    refund = {f"q{i}" for i in range(120, 160)}
    assert m["calibration"]["mode"] == mode
    # Calibrated, a reference drawn like the training data loses about 2% by construction.
    in_domain_lost = 0 if mode == "absolute" else 3
    assert 120 - in_domain_lost <= m["reference_coverage"] * 160 <= 120
    assert m["reference_source"] == "reference" and m["representation"] == "tfidf"
    gaps = m["uncovered_topics"]
    refund_words = {"refund", "order", "status", "money", "return", "cancelled", "purchase", "reimburse", "number"}
    refund_gaps = [g for g in gaps if refund_words & set(g["top_terms"][:2])]
    assert sum(g["size"] for g in refund_gaps) >= 38
    assert all(i.startswith("q") for g in gaps for i in g["example_ids"])
    low = next(f for f in result.findings if f.code == "COV005")
    assert low.severity is Severity.WARNING and 40 <= low.size <= 40 + in_domain_lost
    assert refund <= set(low.ids)
    topic = next(f for f in result.findings if f.code == "COV006")
    size = gaps[0]["size"]
    assert topic.message.startswith(f"{size / 160:.0%} of the reference inputs ({size} of 160), about ")
    assert topic.message.endswith("have no similar training example")


def test_reference_with_nothing_in_common_is_a_blocker() -> None:
    train = make_dataset(pairs(sentences("billing", 50, 1)))
    ref = make_dataset(pairs(sentences("password", 30, 2), ""))
    result = run(train, {"reference": ref})
    assert result.metrics["reference_coverage"] < 0.5
    assert next(f for f in result.findings if f.code == "COV005").severity is Severity.BLOCKER


@pytest.mark.parametrize(("eval_as_reference", "measured"), [(True, True), (False, False)])
def test_eval_stands_in_for_reference(eval_as_reference: bool, measured: bool) -> None:
    train = make_dataset(pairs(sentences("billing", 50, 1)))
    ev = make_dataset(pairs(sentences("billing", 20, 2)))
    m = run(train, {"eval": ev}, coverage__eval_as_reference=eval_as_reference).metrics
    assert ("reference_coverage" in m) is measured
    if measured:
        assert m["reference_source"] == "eval" and m["reference_coverage"] > 0.5


def test_long_reference_inputs_are_a_length_shift() -> None:
    train = make_dataset(pairs(sentences("billing", 100, 1)))  # 9 words each
    ref = make_dataset(pairs(sentences("billing", 50, 2, extra_words=27), ""), ids=[f"q{i}" for i in range(50)])
    result = run(train, {"reference": ref})
    finding = next(f for f in result.findings if f.code == "COV007")
    assert "reference inputs are up to 4.0x longer than any training input" in finding.message
    assert len(finding.ids) == 50
    assert result.metrics["lengths"]["input_shift"]["out_of_range_share"] == 1.0
    assert "output_shift" not in result.metrics["lengths"]  # the reference has no outputs


@pytest.mark.parametrize(("task", "flagged"), [("generation", True), ("open", True), ("classification", False)])
def test_templated_outputs_matter_for_generation_only(task: str, flagged: bool) -> None:
    texts = sentences("billing", 40, 1)
    data = make_dataset([(t, "Thank you, we will get back to you." if i < 10 else f"answer {i}") for i, t in enumerate(texts)])
    result = run(data, task=task)
    assert ("COV008" in codes(result)) is flagged
    assert result.metrics["templated_records"] == 10
    assert result.metrics["top_outputs"][0]["count"] == 10
    assert result.metrics["distinct_output_share"] == pytest.approx(31 / 40)


def test_unavailable_embeddings_fall_back_to_tfidf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coverage_module, "load_encoder", lambda model: coverage_module.Unavailable("not installed"))
    train = make_dataset(pairs(sentences("billing", 30, 1)))
    result = run(train, {"reference": make_dataset(pairs(sentences("billing", 10, 2)))}, coverage__embeddings="some-model")
    assert "COV009" in codes(result)
    assert result.metrics["representation"] == "tfidf" and result.metrics["similarity_threshold"] == 0.3


def test_embeddings_are_used_when_an_encoder_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_encoder(texts: list[str]) -> np.ndarray:
        # one unit vector per topic word found: billing texts land on axis 0, refund on axis 1
        rows = np.array([[1.0, 0.0] if "invoice" in t or "charge" in t or "payment" in t else [0.0, 1.0] for t in texts])
        return rows.astype(np.float32)

    monkeypatch.setattr(coverage_module, "load_encoder", lambda model: fake_encoder)
    train = make_dataset(pairs([t for t in sentences("billing", 30, 1) if "invoice" in t]))
    ref = make_dataset(pairs([t for t in sentences("billing", 30, 2) if "invoice" in t] + ["refund my order"] * 5, ""))
    m = run(train, {"reference": ref}, coverage__embeddings="fake").metrics
    assert m["representation"] == "embeddings:fake" and m["similarity_threshold"] == 0.5
    assert m["uncovered_reference_records"] == 5


def test_deterministic_for_a_seed() -> None:
    texts = sentences("billing", 80, 1) + sentences("shipping", 80, 1) + sentences("password", 40, 1)
    data = make_dataset(pairs(texts))
    ref = make_dataset(pairs(sentences("refund", 20, 3) + sentences("billing", 20, 3), ""))
    first = run(data, {"reference": ref}, seed=5)
    again = run(data, {"reference": ref}, seed=5)
    assert first.metrics == again.metrics
    assert [f.to_dict() for f in first.findings] == [f.to_dict() for f in again.findings]


@pytest.mark.parametrize(
    "inputs",
    [["", "", ""], ["42", "17", "3.5"], ["a"], ["same words here"] * 30, ["x y"] * 2 + ["z"]],
)
def test_degenerate_inputs_do_not_crash(inputs: list[str]) -> None:
    data = make_dataset(pairs(inputs))
    ref = make_dataset(pairs(["", "something else entirely"], ""))
    result = run(data, {"reference": ref})
    assert sum(t["size"] for t in result.metrics["topics"]) in (0, len(inputs))
    assert 0.0 <= result.metrics["reference_coverage"] <= 1.0


def test_sampled_vocabulary_and_parallel_transform(monkeypatch: pytest.MonkeyPatch) -> None:
    import checks.textspace as textspace

    train = sentences("billing", 150, 1) + sentences("shipping", 150, 1)
    reference = sentences("refund", 20, 2) + ["zebra crossing"]
    monkeypatch.setattr(textspace, "SMALL_TEXTS", 0)  # the scikit-learn path, as a large set takes it
    monkeypatch.setattr(textspace, "VOCAB_SAMPLE", 100)
    monkeypatch.setattr(textspace, "CHUNK_TEXTS", 64)
    parallel = textspace.build_space(train, reference, seed=1)
    monkeypatch.setattr(textspace.os, "cpu_count", lambda: 1)
    serial = textspace.build_space(train, reference, seed=1)
    assert (parallel.train != serial.train).nnz == 0 and (parallel.reference != serial.reference).nnz == 0
    assert parallel.train.shape[0] == 300 and parallel.reference is not None and parallel.reference.shape[0] == 21
    assert {"refund", "zebra", "crossing"} <= set(parallel.terms)  # reference terms are always kept
    norms = np.sqrt(parallel.train.multiply(parallel.train).sum(axis=1)).A.ravel()
    np.testing.assert_allclose(norms[norms > 0], 1.0, rtol=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    docs=st.lists(
        st.lists(st.sampled_from("alpha beta gamma delta refund parcel invoice login river mountain 42".split()), max_size=8),
        min_size=1,
        max_size=60,
    ),
    max_topics=st.integers(2, 6),
    seed=st.integers(0, 3),
    exact=st.booleans(),
)
def test_topics_partition_every_input(docs: list[list[str]], max_topics: int, seed: int, exact: bool) -> None:
    from checks.textspace import build_space
    from checks.topics import cluster

    texts = [" ".join(d) for d in docs]
    space = build_space(texts)
    topics = cluster(space.train, space.terms, max_topics=max_topics, seed=seed, exact=exact)
    members = np.sort(np.concatenate([t.members for t in topics.topics])) if topics.topics else np.array([])
    np.testing.assert_array_equal(members, np.arange(len(texts)))
    assert [t.size for t in topics.topics] == sorted((t.size for t in topics.topics), reverse=True)
    for t in topics.topics:
        assert (topics.labels[t.members] == t.index).all()
        assert set(t.top_terms) <= set(space.terms)
    assert topics.k <= max_topics + max(2, max_topics // 4)


# --- one sample per code, run by the registry meta-test (tests/test_registry_samples.py) ---

CODE_SAMPLES: dict[str, Sample] = {
    "COV001": Sample(lines(numbered(60, "billing") + numbered(3, "refunds", start=60))),
    "COV002": Sample(lines(numbered(30, "billing")), {"coverage.required_categories": ["billing", "refunds"]}),
    "COV003": Sample(lines(numbered(30, "billing")), files={"reference": ("ref.jsonl", lines(numbered(5, "refunds", start=100)))}),
    "COV004": Sample(lines(topical(200) + [{"id": "rare", "input": "quantum chromodynamics lattice gauge symmetry question", "output": "A physics answer."}])),
    "COV005": Sample(
        lines(topical(80)),
        files={"reference": ("ref.jsonl", lines([{"input": f"write a sonnet about autumn leaves number {i}", "output": "x"} for i in range(20)]))},
    ),
    "COV006": Sample(
        lines(topical(80)),
        files={"reference": ("ref.jsonl", lines(topical(20, prefix="r") + [{"input": f"write a sonnet about autumn leaves number {i}", "output": "x"} for i in range(6)]))},
    ),
    "COV007": Sample(
        lines(topical(80)),
        files={"reference": ("ref.jsonl", lines([{"input": " ".join([SUPPORT_TOPICS[i % 4]] * 12), "output": "x"} for i in range(40)]))},
    ),
    "COV008": Sample(lines([{"input": f"distinct question {i} about topic {i * 3}", "output": "Thank you for contacting us, we will get back to you soon." if i % 3 == 0 else f"A specific answer number {i} with its own details."} for i in range(60)]), {"task": "generation"}),
    "COV009": Sample(
        lines(topical(30)),
        {"coverage.embeddings": "no-such-local-model"},
        files={"reference": ("ref.jsonl", lines(topical(8, prefix="r")))},
    ),
}
