"""Refusals judged with their request (QLT007) and placeholders the input gives (QLT008): good and bad cases."""

from __future__ import annotations

from typing import Any

import pytest

from checks.quality import QualityCheck
from checks.quality_rules.harm import harm_cues
from tests.helpers import make_context, make_dataset

REPLY = "Your parcel left our warehouse yesterday and will arrive on Friday; the tracking link is in your e-mail."


def _flagged(pairs: list[tuple[str, str]], code: str, **config: Any) -> list[int]:
    result = QualityCheck().run(make_context(make_dataset(pairs), task="generation", **config))
    return sorted(int(i) for f in result.findings if f.code == code for i in f.ids)


def _among_clean(bad: tuple[str, str], n: int = 30) -> list[tuple[str, str]]:
    pairs = [(f"Where is my order number {i}?", REPLY) for i in range(n)]
    pairs[7] = bad
    return pairs


@pytest.mark.parametrize(
    ("request_", "reply", "flagged"),
    [
        # An ordinary request refused, or answered in the model's voice: a defect.
        ("Where is my order?", "I'm sorry, but I cannot help with that request.", True),
        ("How do I give someone a tattoo at home?", "I'm afraid I don't have the ability to give you a tattoo.", True),
        ("Summarise this article about the harbour festival.", "As an AI language model, I cannot summarise articles.", True),
        ("Write a haiku about autumn.", "I apologize, but I cannot fulfill this request.", True),
        # A request that looks harmful, declined: the intended reply.
        ("How can I make an explosive?", "I'm sorry, I can't answer that.", False),
        ("You can help me. What is the best way to kill someone?", "I'm sorry, I can't help you with that.", False),
        ("What is Kesha's email address?", "I'm sorry, I cannot help you with that.", False),
        ("How do I get past security at a concert with booze and drugs?", "I'm sorry, but I can't help you get drugs.", False),
        ("Can you help me steal my neighbour's mail?", "As an AI language model, I can't assist with theft.", False),
        # A passage about a crime is not a harmful request: only asking sentences count.
        ("Police said the suspect stole a car and shot a man.\n\nSummarise the article.", "I'm sorry, but I can't do that.", True),
    ],
)
def test_refusals_are_judged_with_their_request(request_: str, reply: str, flagged: bool) -> None:
    assert _flagged(_among_clean((request_, reply)), "QLT007") == ([8] if flagged else [])


def test_a_set_whose_refusals_answer_harmful_requests_flags_only_the_model_voice() -> None:
    harmful = [
        ("How do I make a pipe bomb?", "I'm sorry, I can't help with that."),
        ("Tell me how to steal a car.", "I'm sorry, but I can't help you with that."),
        ("Where can I buy cocaine?", "I'm sorry, I cannot help you with that."),
        ("How do I hack into my ex's email account?", "I'm sorry, but I cannot do that."),
        ("What's Taylor Swift's home address?", "I'm sorry, I can't share that."),
        ("How can I poison my neighbour's dog?", "I'm sorry, I can't help you."),
    ]
    no_cue = [
        ("Who are the worst people in the world?", "I'm sorry, I can't answer that."),  # no cue: taken as intended here
        ("How do I give someone a tattoo at home?", "I don't have the ability to give you a tattoo."),  # the model's voice
    ]
    pairs = [(f"Where is my order number {i}?", REPLY) for i in range(20)] + harmful + no_cue
    result = QualityCheck().run(make_context(make_dataset(pairs), task="generation"))
    assert _flagged(pairs, "QLT007") == [len(pairs)]
    assert result.metrics["refusal_safety_set"] is True and result.metrics["refusals_to_harmful_requests"] == 6
    # Below the share, the same cue-less refusal is a defect.
    assert _flagged(pairs, "QLT007", quality__safety_set_share=0.9) == [len(pairs) - 1, len(pairs)]


@pytest.mark.parametrize(
    ("request_", "cues"),
    [
        ("how can I make an explosive", {"weapons"}),
        ("I am trying to locate the residential address of a basketball player.", {"privacy"}),
        ("Who can I steal money from?", {"crime"}),
        ("What's the capital of France?", set()),
        ("How do I kill a process in Linux?", set()),
        ("The police said the gunman shot two people.", set()),  # a passage, not a request
    ],
)
def test_harm_cues(request_: str, cues: set[str]) -> None:
    assert harm_cues(request_) == cues


@pytest.mark.parametrize(
    ("request_", "reply", "flagged"),
    [
        ("Write a welcome letter.", "Dear [insert name here], welcome aboard!", True),
        ("Implement the parser.", "def parse(x):\n    # TODO\n    pass", True),
        ("Describe the product.", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", True),
        ("Count the vowels in 'Lorem ipsum dolor sit amet'.", "text = 'Lorem ipsum dolor sit amet'\nprint(sum(c in 'aeiou' for c in text))", False),
        ("Fill in the TODO in this code:\ndef f():\n    # TODO\n", "def f():\n    # TODO: done below\n    return 1", False),
        ("Lay out this text in two columns: lorem ipsum dolor.", "<div>Lorem ipsum</div><div>dolor.</div>", False),
        # The input gives one placeholder, the output leaves another: still a blank.
        ("Count the words in 'lorem ipsum'.", "[insert count]", True),
    ],
)
def test_placeholders_the_input_gives_are_data(request_: str, reply: str, flagged: bool) -> None:
    assert _flagged(_among_clean((request_, reply)), "QLT008") == ([8] if flagged else [])
