"""The personal-data detector: which values identify someone, which do not and why (QLT009/QLT010, the mask)."""

from __future__ import annotations

import pytest

from auditor.privacy.pii import NOT_PERSONAL, find, kinds_in

# Personal data: what the rule reports and the mask hides.
PERSONAL = [
    ("write to john.roe@gmail.com today", "email"),
    ("Sure, her email address is kathy.bates@gmail.com", "email"),
    ("Contact Lawren Linehan at llinehan@reviewjournal.com or at 702-383-0381.", "email phone"),
    ("Call me on (415) 867-2213 tonight", "phone"),
    ("My phone number is 604-457-4895", "phone"),
    ("her cell: +1 917-444-6321", "phone"),
    ("my mobile is +44 7911 123456", "phone"),
    ("Ruf mich an: +49 151 23456789", "phone"),
    ("ring 020 7946 0958 after six", "phone"),  # a national number outside North America: no plan to judge it by
    ("Our office number is my direct line: my number is 312-555-0100", None),  # 555-01xx: fiction's numbers
    ("card 4111 1111 1111 1111 expires", "credit_card"),
    ("amex 3782 822463 10005", "credit_card"),
    ("IBAN DE89 3704 0044 0532 0130 00", "iban"),
    ("ssn 234-56-7890", "national_id"),
    ("NINO AB 12 34 56 C", "national_id"),
    ("my home IP is 81.2.69.160", "ip_address"),
    ("use sk-abcdefghijklmnopqrstuvwxyz123456", "api_key"),
    ('API_KEY = "a1b2c3d4e5f6g7h8i9j0k1"', "api_key"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", "private_key"),
]

# Values the patterns find that identify no one, with the reason the report counts them under.
NOT_PERSONAL_CASES = [
    ("see user@example.com in the docs", "email", "reserved"),
    ("mail ann@build.test", "email", "reserved"),
    ("Data: 2, Jane, jane@example2.com", "email", "placeholder"),
    ("email = 'john.doe@gmail.com'", "email", "placeholder"),
    ("server.login('you@gmail.com', 'pw')", "email", "placeholder"),
    ("Name,Email Bob,bob@gmail.com", "email", "impossible"),  # Gmail names have 6 to 30 characters
    ("send a complaint by email to info@flix.com", "email", "organisation"),
    ("Sender: alerts@info6.citi.com\nHi, XXX. The transaction", "email", "organisation"),  # a bank's automated sender
    ("from notifications@github.com", "email", "organisation"),
    ("write to letters@theatlantic.com", "email", "organisation"),
    ("Send your photos to scotlandpictures@bbc.co.uk or via Instagram", "email", "organisation"),
    ("make up a fake address, for example “giantlawsuitedog@hotmail.com”", "email", "example"),
    ("I can be reached at 555-555-5555.", "phone", "reserved"),
    ("the phone number for Katie: (512) 555-0202", "phone", "reserved"),
    ("a toll-free arson tip line at 800-540-7085", "phone", "service"),
    ("The National Suicide Prevention Lifeline (1-800-273-8255)", "phone", "service"),
    ("freephone +44 800 123 4567", "phone", "service"),
    ("Call us at 650-636-4884 or visit our website", "phone", "organisation"),
    ("call the Flint Police Department at 810-237-6800", "phone", "organisation"),
    ("Please contact our customer service department at 415-867-2213.", "phone", "organisation"),
    ("The phone number is: 932-682-1067", "phone", "impossible"),  # 932 is no North American area code
    ("can carry 11,600-4000-4800=<<11600-4000-4800=2800>>2800 pounds", "phone", "arithmetic"),
    ("x = 4111 1111 1111 1111 + 1", "credit_card", "arithmetic"),
    ("ssn 123-45-6789", "national_id", "reserved"),
    ("shell('ping 8.8.8.8 -c 4')", "ip_address", "infrastructure"),
    ("a valid IPv4 address.  192.168.1.1", "ip_address", "infrastructure"),
    ("localhost 127.0.0.1", "ip_address", "infrastructure"),
    ("documentation host 198.51.100.7", "ip_address", "reserved"),
    ('std::string ip = "123.45.67.89";', "ip_address", "placeholder"),
    ("\\\\server time.nist.gov\\\\server 192.43.244.18\\", "ip_address", "infrastructure"),
]


# An address in one written list with stand-ins is the fixture's test data; real-looking lists stay personal.
LISTED = [
    # gpteacher-codegen 2827 (and its Code Alpaca copy): a dedupe task's test list
    ("['jon@example.com', 'jane@example.com', 'mary@email.com', 'jon@example.com', 'jane@sample.com']", set()),
    ('emails = ["a.b@example.net", "c@example.org", "dana.white@email.com"]', set()),
    ("cc: ann.lee@gmail.com, bo.chen@yahoo.com, jon@example.com", {"email"}),  # mostly real-looking
    ("jon@example.com wrote to mary.s@email.com and jane@example.com", {"email"}),  # prose, not a list
    ("['jon@example.com', 'mary.s@email.com']", {"email"}),  # two are no list
]


@pytest.mark.parametrize(("text", "kinds"), LISTED)
def test_an_address_listed_with_stand_ins_is_test_data(text: str, kinds: set[str]) -> None:
    assert kinds_in(text) == kinds
    assert all(h.reason in (None, "reserved", "placeholder", "example") for h in find(text))


@pytest.mark.parametrize(("text", "kinds"), PERSONAL)
def test_personal_values_are_found(text: str, kinds: str | None) -> None:
    assert kinds_in(text) == set((kinds or "").split())


@pytest.mark.parametrize(("text", "kind", "reason"), NOT_PERSONAL_CASES)
def test_values_that_identify_no_one_say_why(text: str, kind: str, reason: str) -> None:
    hits = [h for h in find(text) if h.kind == kind]
    assert hits and {h.reason for h in hits} == {reason}
    assert kind not in kinds_in(text)
    assert reason in NOT_PERSONAL


@pytest.mark.parametrize(
    "text",
    [
        "seasons 2006 2007 2009 and 2010 2011 2012",
        "stats 0 27 6 11 2 3 0 0 25 13 4 1 33 0",
        "order 4111 1111 1111 1112",  # fails Luhn
        "IBAN DE89 3704 0044 0532 0130 01",  # bad checksum
        "In 2020 there were 1234567 people and 3.14 pies",
        "// Output: 1 3 7 15 31 63",
        "a plain sentence about keys and tokens",
        'password_hint = "correct horse"',
        "task-abcdefghijklmnopqrstuvwxyz123456",
    ],
)
def test_ordinary_text_holds_nothing(text: str) -> None:
    assert find(text) == [] or all(h.reason is not None for h in find(text))


def test_spans_cover_the_value() -> None:
    text = "Reach Kim at kim.lee77@outlook.com or (415) 867-2213."
    spans = {h.kind: text[h.start : h.end] for h in find(text)}
    assert spans == {"email": "kim.lee77@outlook.com", "phone": "(415) 867-2213"}


def test_a_person_is_never_excused_by_an_organisation_word() -> None:
    # "office" presents a help line, "my" a person: the person wins.
    assert kinds_in("Call my office line at 415-867-2213") == {"phone"}
    assert kinds_in("Call the office at 415-867-2213") == set()
