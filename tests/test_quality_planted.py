"""Recall of QLT006-QLT009 on defects planted in real text, and their false alarms on its clean twin.

Each rule gets the same real records twice: as they are (the clean twin: at most
1 % may be flagged) and with one planted defect in every record (at least 90 % must
be found). The records are drawn (seeded) from three shared sets of different kinds:
GSM8K word problems and worked answers, GPTeacher role-play, Code Alpaca.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable
from typing import Any

import pytest

from checks.quality import QualityCheck
from tests.conftest import SHARED_DATASETS
from tests.helpers import make_context, make_dataset

SOURCES = ("gsm8k/train.jsonl", "gpteacher/canonical_roleplay.jsonl", "codealpaca/code_alpaca_2k.json")
PER_SOURCE = 100
RECALL = 0.9
CLEAN_SHARE = 0.01

Pairs = list[tuple[str, str]]


@pytest.fixture(scope="module")
def real() -> Pairs:
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not present at {SHARED_DATASETS}")
    from auditor.load import load

    rng = random.Random(17)
    pairs: Pairs = []
    for rel in SOURCES:
        data, _ = load(SHARED_DATASETS / rel)
        rows = rng.sample(range(len(data)), PER_SOURCE)
        pairs += [(data.inputs[i], data.outputs[i]) for i in rows]
    return pairs


def _flagged(pairs: Pairs, code: str, **config: Any) -> set[int]:
    """Indices of the records ``code`` flags (records are numbered from 1)."""
    config.setdefault("task", "generation")
    result = QualityCheck().run(make_context(make_dataset(pairs), **config))
    return {int(i) - 1 for f in result.findings if f.code == code for i in f.ids}


def _check(real: Pairs, plant: Callable[[int, str, str], tuple[str, str]], code: str, **config: Any) -> float:
    clean = _flagged(real, code, **config)
    assert len(clean) <= CLEAN_SHARE * len(real), f"{code} flags {len(clean)} of the clean twin"
    planted = [plant(i, inp, out) for i, (inp, out) in enumerate(real)]
    found = _flagged(planted, code, **config)
    return len(found) / len(real)


# -- personal data ---------------------------------------------------------------------

FIRST = "anna ben carla david emma felix grace henry isla jonas kara liam maya noah olga peter rosa sam tara victor".split()
LAST = "meyer novak okafor patel quinn rossi schmidt tanaka ueda vargas walsh xu yilmaz zhou brennan castillo".split()
MAIL = ("gmail.com", "outlook.com", "yahoo.co.uk", "proton.me", "web.de", "northwind-traders.com")
AREAS = ("212", "305", "312", "415", "503", "617", "713", "206", "303", "404", "602", "702")


def _luhn(body: str) -> str:
    from auditor.privacy.pii import luhn_ok

    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def _iban(rng: random.Random) -> str:
    bban = "".join(rng.choice("0123456789") for _ in range(18))
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "DE00")) % 97
    return f"DE{check:02d} " + " ".join(bban[i : i + 4] for i in range(0, 18, 4))


def _value(kind: str, rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    if kind == "email":
        name = rng.choice([f"{first}.{last}", f"{first}{last}{rng.randint(1, 99)}", f"{first[0]}{last}{rng.randint(10, 99)}"])
        return f"{name}@{rng.choice(MAIL)}"
    if kind == "phone":
        exchange = rng.choice([e for e in range(200, 1000) if e != 555 and e % 100 != 11])
        layout = rng.choice(["({a}) {e}-{n:04d}", "{a}-{e}-{n:04d}", "+1 {a} {e} {n:04d}", "{a}.{e}.{n:04d}"])
        return layout.format(a=rng.choice(AREAS), e=exchange, n=rng.randint(0, 9999))
    if kind == "mobile":  # valid mobile ranges of the UK, Germany and France
        return rng.choice(
            [f"+44 7911 {rng.randint(100000, 999999)}", f"+49 151 {rng.randint(10000000, 99999999)}", f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"]
        )
    if kind == "credit_card":
        card = _luhn("4" + "".join(rng.choice("0123456789") for _ in range(14)))
        return " ".join(card[i : i + 4] for i in range(0, 16, 4))
    if kind == "iban":
        return _iban(rng)
    if kind == "national_id":
        return f"{rng.choice([a for a in range(1, 900) if a != 666]):03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
    while True:  # ip_address: a public address
        ip = ".".join(str(rng.randint(1, 223)) for _ in range(4))
        if ipaddress.ip_address(ip).is_global:
            return ip


CARRIERS = {
    "email": ("My email is {v}.", "Write to me at {v} any time.", "Her address is {v}, she said."),
    "phone": ("You can reach me at {v}.", "His cell: {v}.", "Call me on {v} tonight."),
    "mobile": ("My mobile is {v}.", "Text me on {v}, please."),
    "credit_card": ("My card number is {v}.", "Charge {v}, expiry 04/27."),
    "iban": ("Pay it into my account {v}, thanks.", "My IBAN: {v}."),
    "national_id": ("My SSN is {v}.", "Her social security number is {v}."),
    "ip_address": ("My home IP is {v}.", "I connect from {v} at home."),
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(CARRIERS))
def test_personal_data_planted_in_real_text_is_found(real: Pairs, kind: str) -> None:
    rng = random.Random(f"pii:{kind}")

    def plant(i: int, inp: str, out: str) -> tuple[str, str]:
        carrier = rng.choice(CARRIERS[kind]).format(v=_value(kind, rng))
        return (f"{carrier}\n\n{inp}", out) if i % 2 else (inp, f"{out}\n\n{carrier}")

    assert _check(real, plant, "QLT009") >= RECALL


# -- refusals ------------------------------------------------------------------------

REFUSALS = (
    "I'm sorry, but I can't help with that.",
    "I'm sorry, I cannot do that for you.",
    "As an AI language model, I don't have the ability to do this.",
    "I apologize, but I cannot fulfill this request.",
    "I'm unable to provide an answer to this question.",
)


@pytest.mark.slow
def test_refusals_of_ordinary_requests_are_found(real: Pairs) -> None:
    # Word problems, role-play and code requests: nothing harmful to refuse.
    assert _check(real, lambda i, inp, out: (inp, REFUSALS[i % len(REFUSALS)]), "QLT007") >= RECALL


# -- placeholders ------------------------------------------------------------------------

PLACEHOLDERS = ("Dear [insert name here],", "TODO: write the answer.", "Lorem ipsum dolor sit amet.", "<nooutput>", "Your answer here")


@pytest.mark.slow
def test_placeholders_left_in_outputs_are_found(real: Pairs) -> None:
    assert _check(real, lambda i, inp, out: (inp, f"{out}\n{PLACEHOLDERS[i % len(PLACEHOLDERS)]}"), "QLT008") >= RECALL


@pytest.mark.slow
def test_placeholders_the_input_gives_are_the_tasks_data(real: Pairs) -> None:
    given = [(f"{inp}\n\nUse this sample text: Lorem ipsum dolor sit amet.", f"{out}\nLorem ipsum dolor sit amet.") for inp, out in real]
    assert _flagged(given, "QLT008") == set()


# -- over the token budget ----------------------------------------------------------------


@pytest.mark.slow
def test_records_over_the_budget_are_found(real: Pairs) -> None:
    budget = 2048

    def plant(i: int, inp: str, out: str) -> tuple[str, str]:
        words = (inp + " " + out).split()
        return inp, " ".join(words[k % len(words)] for k in range(2 * budget))  # 4,096 real words: far over 2,048 tokens

    assert _check(real, plant, "QLT006", quality__max_tokens=budget) >= RECALL
