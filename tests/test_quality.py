"""The quality check end to end on small built datasets, and on the real T0 file when present."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.core.findings import CheckResult, Finding, Status
from auditor.runtime.errors import ConfigError
from checks.quality import QualityCheck
from tests.code_samples import Sample, lines, with_odd
from tests.helpers import make_context, make_dataset

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
REQUIRED_METRICS = ("empty_outputs", "truncated_outputs", "over_token_limit", "refusals", "pii_records", "malformed_chats")

REPLY = (
    "Thanks for getting in touch. I have checked your order and the parcel left our warehouse yesterday; "
    "you will get a tracking link by e-mail within the next few hours."
)


def _run(pairs: list[tuple[str, str]], **config: Any) -> CheckResult:
    extra = config.pop("extra", None)
    messages = config.pop("messages", None)
    categories = config.pop("categories", None)
    data = make_dataset(pairs, messages=messages, categories=categories)
    if extra is not None:
        data.extra = extra  # type: ignore[attr-defined]  # the loader adds Dataset.extra for group fields
    config.setdefault("task", "generation")
    return QualityCheck().run(make_context(data, **config))


def _codes(result: CheckResult) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in result.findings:
        out.setdefault(f.code, []).append(f)
    return out


def _clean(n: int) -> list[tuple[str, str]]:
    return [(f"Where is my order number {i}?", REPLY) for i in range(n)]


def test_clean_data_passes_and_reports_every_metric() -> None:
    result = _run(_clean(40))
    assert result.status is Status.PASS, [f.message for f in result.findings]
    for key in REQUIRED_METRICS:
        assert result.metrics[key] == 0
    assert result.metrics["token_counting"] == "cl100k_base (bpe-openai)"  # quality.tokenizer "auto"


# One failing example per code: (code, the bad record, extra config).
BAD_RECORDS: list[tuple[str, tuple[str, str], dict[str, Any]]] = [
    ("QLT001", ("   ", REPLY), {}),
    ("QLT002", ("Where is my order?", " \n"), {}),
    ("QLT003", ("Write a short note to the customer explaining why the order is late.", "Shipped"), {}),
    ("QLT004", ("Where is my order?", "Your parcel left our warehouse yesterday and should arrive by Friday if the"), {}),
    ("QLT006", ("Where is my order?", REPLY * 40), {"quality__max_tokens": 1000}),
    ("QLT007", ("Where is my order?", "I'm sorry, but I cannot help with that request."), {}),
    ("QLT008", ("Where is my order?", "Dear [insert name], TODO"), {}),
    ("QLT009", ("My mail is jane.roe@gmail.com, where is my order?", REPLY), {}),
    ("QLT010", ("Where is my order?", REPLY + " Use key sk-abcdefghijklmnopqrstuvwxyz123456."), {}),
    ("QLT011", ("Where is my cafÃ© order?", REPLY), {}),
    ("QLT013", ("Where is my order?", "Ihre Bestellung ist unterwegs und wird in den nächsten Tagen bei Ihnen sein, das ist sicher."), {"quality__language": "en"}),
]


@pytest.mark.parametrize(("code", "bad", "config"), BAD_RECORDS, ids=[c for c, _, _ in BAD_RECORDS])
def test_each_code_flags_exactly_the_bad_record(code: str, bad: tuple[str, str], config: dict[str, Any]) -> None:
    pairs = _clean(40)
    pairs[17] = bad
    found = _codes(_run(pairs, **config))
    assert code in found, [f.message for f in _run(pairs, **config).findings]
    assert [list(f.ids) for f in found[code]] == [[18]]  # ids are 1-based record ids
    assert found[code][0].severity is QualityCheck.codes[int(code[3:]) - 1].severity


def test_length_outlier() -> None:
    pairs = [("Where is my order? " + "It is late. " * (i % 9), REPLY) for i in range(60)]
    pairs[5] = ("Where is my order?" * 300, REPLY)
    found = _codes(_run(pairs))
    assert found["QLT005"][0].ids == (6,) and found["QLT005"][0].details["direction"] == "longer"


def test_short_outputs_follow_the_task_type() -> None:
    labels = [(f"Review {i}: loved it", "positive" if i % 2 else "negative") for i in range(60)]
    assert _run(labels, task="classification").metrics["too_short_outputs"] == 0
    # Short answers as the norm (extractive QA) are not "too short" either, even for generation.
    assert _run(labels, task="generation").metrics["too_short_outputs"] == 0


@pytest.mark.parametrize(
    ("prompt", "output", "flagged"),
    [
        ("Write a short review of the hotel you stayed in.", "Great", True),
        ("List three ways to save energy at home.", "Insulation", True),
        ("Explain why the sky is blue.", "Scattering.", True),
        ("Can you suggest some names for a bakery?", "Bread", True),
        ("Human: hi\n\nAssistant: hello\n\nHuman: what are some tips for sleeping better", "Sleep", True),
        ("What is the capital of Peru?", "Lima", False),  # a question with a short answer
        ("Write a regex that matches a US ZIP code.", r"^\d{5}(-\d{4})?$", False),  # a regex is the whole answer
        ("Write a Python expression for the sum of a list.", "sum(xs)", False),  # code
        ("Classify the review as positive or negative.\n\nLoved it, will buy again.", "positive", False),
        ("Is the statement true or false? Write your answer.", "False", False),  # the prompt names a short form
        # "if"/"whether" open the question asked; the writing they name is its subject (self-instruct seed_task_166)
        ("Tell me if the following email is a promotion email.\n\nSubject: A $3.50 transaction was made", "no", False),
        ("Tell me whether this review is positive.\n\nLoved it.", "yes", False),
        ("Write a letter if you have time.", "Hi", True),  # the piece asked for comes before the "if"
        ("Human: can you explain taxes to me?\n\nAssistant: Sure, what about them?\n\nHuman: thanks, bye", "Bye!", False),
    ],
)
def test_short_output_needs_an_ask_for_more(prompt: str, output: str, flagged: bool) -> None:
    pairs = _clean(40)
    pairs[5] = (prompt, output)
    assert _run(pairs).metrics["too_short_outputs"] == int(flagged)


def test_unpunctuated_house_style_is_not_truncation() -> None:
    # A group whose outputs end without a full stop by design (captions under a closed first sentence) is
    # exempt from the stop-without-punctuation rule; the same ending in a punctuating group is flagged.
    captions = [(f"Caption for photo {i}", f"Harbour at dawn. Boats leave quay {i} for the morning catch") for i in range(50)]
    result = _run(captions)
    assert result.metrics["truncated_outputs"] == 0 and result.metrics["truncation_style_exempt"] == 50
    mixed = _clean(60)
    mixed[3] = ("Where is my order?", "Thanks for waiting. Your parcel left the warehouse and is now with the courier in")
    mixed[4] = ("Where is my order?", "Thanks for waiting. Your parcel left the warehouse and is now with our courier")
    assert _codes(_run(mixed))["QLT004"][0].ids == (4, 5)


def test_length_cap_is_found_from_the_data() -> None:
    # The long answers were cut by an export at 300 characters: a pile at one length, ending open.
    import random

    rng = random.Random(7)
    words = "the parcel left our warehouse on time and the courier will deliver it to your door tomorrow".split()
    pairs = []
    for i in range(200):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(8, 90))).capitalize() + "."
        pairs.append((f"Where is order {i}?", text[:300]))
    capped = [i + 1 for i, (_, out) in enumerate(pairs) if len(out) == 300]
    assert len(capped) >= 10
    result = _run(pairs)
    finding = _codes(result)["QLT004"][0]
    assert set(capped) <= set(finding.ids)
    assert result.metrics["length_caps"][0]["length"] == 300 and result.metrics["length_caps"][0]["measure"] == "characters"
    # The same answers without the cut: no cap, nothing truncated.
    whole = [(q, out if len(out) != 300 else out + " and more.") for q, out in pairs]
    assert _run(whole).metrics["length_caps"] == []


def test_length_outliers_need_a_problem_to_show() -> None:
    pairs = [("Where is my order? " + "It is late. " * (i % 9), REPLY) for i in range(60)]
    import random

    rng = random.Random(3)
    vocabulary = "tenant landlord pays rent monthly deposit repairs notice period garden water heating keys inspection".split()
    contract = " ".join(" ".join(rng.choice(vocabulary) for _ in range(12)) + "." for _ in range(60))
    pairs[7] = ("Please summarise the attached contract for me. " + contract, REPLY)
    result = _run(pairs)
    assert "QLT005" not in _codes(result) and result.metrics["length_outliers_natural"] >= 1  # a long context: natural


def test_chat_structure() -> None:
    good = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]
    chats = [good] * 10
    chats[2] = [{"role": "user", "content": "hi"}, {"role": "user", "content": "again"}]
    chats[4] = [{"role": "robot", "content": "hi"}, {"role": "assistant", "content": ""}]
    result = _run([("hi", "hello")] * 10, messages=chats)
    assert result.metrics["malformed_chats"] == 2
    kinds = {f.details["kind"]: f.ids for f in _codes(result)["QLT012"]}
    assert kinds == {"unknown_role": (5,), "empty_turn": (5,), "consecutive_user": (3,), "no_final_assistant": (3,)}


def test_systematic_defect_is_named_by_group() -> None:
    pairs = _clean(400)
    templates = [f"tmpl_{i % 20}" for i in range(400)]
    for i in range(400):
        if templates[i] in ("tmpl_3", "tmpl_11"):
            pairs[i] = (pairs[i][0], "")
    result = _run(pairs, extra={"template": templates, "source": ["one"] * 400})
    finding = _codes(result)["QLT002"][0]
    assert finding.count == 40
    assert "all come from 2 of 20 templates" in finding.message
    assert finding.details["systematic"] == {"field": "template", "groups": ["tmpl_11", "tmpl_3"]}
    assert set(finding.groups or ()) == {"tmpl_3", "tmpl_11"}
    assert result.metrics["group_fields"] == ["template"]  # "source" has one group: nothing to break down


def test_scattered_defect_is_not_called_systematic() -> None:
    pairs = _clean(400)
    for i in range(0, 400, 10):
        pairs[i] = (pairs[i][0], "")
    finding = _codes(_run(pairs, categories=[f"c{i % 8}" for i in range(400)]))["QLT002"][0]
    assert "systematic" not in finding.details and "by_category" in finding.details


def test_bad_tokenizer_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        _run(_clean(3), quality__tokenizer="tiktoken:no_such_encoding_for_tests")


def test_empty_dataset_is_skipped() -> None:
    assert _run([]).status is Status.SKIPPED


def _luhn_card(digits: str) -> str:
    from auditor.privacy.pii import luhn_ok

    return next(digits + d for d in "0123456789" if luhn_ok(digits + d))


SECRETS = st.one_of(
    st.builds(lambda u, d: f"{u}@{d}.com", st.text("abcdefghij", min_size=3, max_size=8), st.text("klmnopq", min_size=3, max_size=8)),
    st.builds(lambda s: "sk-" + s, st.text("ABCDEFGHJKabcdefghjk0123456789", min_size=24, max_size=30)),
    st.builds(lambda s: _luhn_card("4" + s), st.text("0123456789", min_size=14, max_size=14)),
    st.builds(lambda s: "AKIA" + s, st.text("ABCDEFGHJK0123456789", min_size=16, max_size=16)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SECRETS)
def test_secrets_are_never_echoed(secret: str) -> None:
    pairs = _clean(12)
    pairs[3] = (f"Please store {secret} for me", f"Stored {secret} as you asked.")
    result = _run(pairs)
    flagged = [f for f in result.findings if f.code in ("QLT009", "QLT010")]
    assert flagged and all(4 in f.ids for f in flagged)
    dumped = json.dumps([f.to_dict() for f in result.findings] + [dict(result.metrics)], default=str)
    assert secret not in dumped


@pytest.mark.slow
def test_t0_empty_outputs_are_one_bug_in_seven_templates() -> None:
    path = DATASETS / "self_instruct_t0_50k" / "canonical.jsonl"
    if not path.is_file():
        pytest.skip(f"real dataset absent: {path}")
    from auditor.load import load

    data, _ = load(path)  # the real loader: alpaca layout, the template kept as a grouping field
    result = QualityCheck().run(make_context(data, task="auto"))
    empty = _codes(result)["QLT002"][0]
    assert empty.count == 1400 and result.metrics["empty_outputs"] == 1400
    assert empty.details["systematic"]["field"] == "template"
    named = empty.details["systematic"]["groups"]
    assert len(named) == 7 and all(g.startswith("trec_") for g in named)
    assert all(empty.details["by_template"][g] == {"flagged": 200, "records": 200} for g in named)
    assert "all come from 7 of" in empty.message and "every record of 7 of them" in empty.message
    # 57% of outputs are short labels: they must not all be called too short.
    assert result.metrics["too_short_outputs"] < 100


# --- one sample per code, run by the registry meta-test (tests/test_registry_samples.py) ---

CODE_SAMPLES: dict[str, Sample] = {
    "QLT001": Sample(with_odd({"input": "   ", "output": "An answer to nothing in particular, written out in full."})),
    "QLT002": Sample(with_odd({"input": "Explain the refund policy.", "output": "  "})),
    "QLT003": Sample(with_odd({"input": "Explain the refund policy in detail.", "output": "Yes."})),
    "QLT004": Sample(with_odd({"input": "Explain the refund policy.", "output": "Your parcel left our warehouse yesterday and should arrive by Friday if the"})),
    "QLT005": Sample(with_odd({"input": "Explain the refund policy? " * 300, "output": "The policy is explained in full here."}, n=60)),
    "QLT006": Sample(with_odd({"input": "Explain the refund policy.", "output": "token " * 9000})),
    "QLT007": Sample(with_odd({"input": "Explain the refund policy.", "output": "As an AI language model, I cannot help with that request."})),
    "QLT008": Sample(with_odd({"input": "Explain the refund policy.", "output": "Lorem ipsum dolor sit amet, consectetur adipiscing elit, TODO fill in."})),
    "QLT009": Sample(with_odd({"input": "Write to me at jane.roe@gmail.com about it.", "output": "I will write to you about the refund shortly."})),
    "QLT010": Sample(with_odd({"input": "My key is AKIAIOSFODNN7EXAMPLE, is it valid?", "output": "Please rotate that key right away and never share it."})),
    "QLT011": Sample(with_odd({"input": "The cafÃ© charged me twice for the crÃ¨me brÃ»lÃ©e.", "output": "I have refunded the second charge for your order."})),
    "QLT012": Sample(
        lines([
            {"messages": [{"role": "user", "content": f"question {i}"}, {"role": "assistant", "content": f"answer {i}."}]}
            for i in range(5)
        ] + [{"messages": [{"role": "user", "content": "hi"}, {"role": "user", "content": "again"}, {"role": "assistant", "content": "hello."}]}])
    ),
    "QLT013": Sample(
        with_odd({"input": "Bitte erklären Sie mir die Rückgaberichtlinie für meine Bestellung.", "output": "Die Rückgabe ist innerhalb von dreißig Tagen möglich und kostenlos für Sie."}),
        {"quality.language": "en"},
    ),
}


def _cut_at_tokens(text: str, tokens: int) -> str:
    """The longest prefix of ``text`` that counts exactly ``tokens`` cl100k tokens (stripped)."""
    from auditor.features.tokens import make_counter

    count = make_counter("cl100k_base").count_many
    lo, hi = 1, len(text)
    while lo < hi:  # the largest prefix length whose count is at most ``tokens``
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if count([text[:mid]])[0] <= tokens else (lo, mid - 1)
    return text[:lo].rstrip()


def test_a_token_cap_is_found_in_exact_counts_when_the_tokenizer_is_named() -> None:
    # Outputs of a generation step stopped at 64 tokens: their character lengths spread, so only
    # exact output tokens show the pile. Those are taken when quality.tokenizer names the tokenizer;
    # the default 'auto' counts exactly only near the budget, and looks for caps in characters.
    import random

    rng = random.Random(17)
    # Words of one to five tokens, so that outputs of 64 tokens differ in their word counts.
    words = "a of order parcel refund reimbursement warehouse notwithstanding courier cryptocurrency Zaragoza Llanfair".split()

    def prose(sentences: int) -> str:
        return " ".join(" ".join(rng.choice(words) for _ in range(rng.randint(6, 12))).capitalize() + "." for _ in range(sentences))

    natural = [prose(rng.randint(1, 3)) for _ in range(170)]
    cut = [_cut_at_tokens(prose(12), 64) for _ in range(30)]
    pairs = [(f"Question {i}?", out) for i, out in enumerate(natural + cut)]
    named = _run(pairs, quality__tokenizer="cl100k_base")
    caps = named.metrics["length_caps"]
    assert [(c["measure"], c["length"]) for c in caps] == [("tokens (cl100k_base (bpe-openai))", 64)]
    assert set(_codes(named)["QLT004"][0].ids) >= {i + 1 for i in range(170, 200) if not cut[i - 170].endswith(".")}
    assert _run(pairs).metrics["length_caps"] == []
