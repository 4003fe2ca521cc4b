"""Masking of secrets and personal data in record text shown by any report."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.report.mask import mask, mask_value


@pytest.mark.parametrize(
    ("text", "secret", "marker"),
    [
        ("write to jane.doe+news@example.co.uk today", "jane.doe+news@example.co.uk", "[email]"),
        ("call +44 20 7946 0958 after 5", "7946 0958", "[phone]"),
        ("or (415) 867-2213", "867-2213", "[phone]"),
        ("ssn 234-56-7890 on file", "234-56-7890", "[national id]"),
        ("my home IP is 81.2.69.160", "81.2.69.160", "[ip]"),
        ("card 4111 1111 1111 1111 expires", "4111 1111 1111 1111", "[card]"),
        ("card 4111-1111-1111-1111", "4111-1111-1111", "[card]"),
        ("pay to DE89 3704 0044 0532 0130 00 please", "3704 0044", "[iban]"),
        ("iban GB82WEST12345698765432", "GB82WEST12345698765432", "[iban]"),
        ("key sk-proj-abcdefghijklmnop1234 leaked", "abcdefghijklmnop1234", "[secret]"),
        ("aws AKIAIOSFODNN7EXAMPLE here", "AKIAIOSFODNN7EXAMPLE", "[secret]"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdef", "[secret]"),
        ("password: hunter22!", "hunter22", "[secret]"),
        ("digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 end", "9f86d081884c", "[secret]"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- done",
            "MIIEowIBAAKCAQEA",
            "[private key]",
        ),
        ("cut -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA", "b3BlbnNzaC1r", "[private key]"),
    ],
)
def test_masks(text: str, secret: str, marker: str) -> None:
    masked = mask(text)
    assert secret not in masked and marker in masked


@pytest.mark.parametrize(
    "text",
    [
        "order #512850 shipped on 2024-01-15",
        "refunded £257.60 to your card ending 4242",
        "Your subscription renews on Friday.",
        "version 3.11.4, build 20240115",
        "",
    ],
)
def test_leaves_ordinary_text_alone(text: str) -> None:
    assert mask(text) == text


def test_mask_value_walks_chat_turns() -> None:
    turns = [{"role": "user", "content": "I am jane.roe@gmail.com"}, {"role": "assistant", "content": "ok"}]
    assert mask_value(turns) == [{"role": "user", "content": "I am [email]"}, {"role": "assistant", "content": "ok"}]
    assert mask_value(7) == 7 and mask(None) == ""


@given(st.text(max_size=200))
def test_mask_is_idempotent_and_total(text: str) -> None:
    once = mask(text)
    assert mask(once) == once


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("/tmp/pytest-of-root/test_injected_payloads_never_r0/hostile.jsonl", False),
        ("def my_very_long_function_name_v2_helper_for_x():", False),
        ("b64 dGhpcyBpcyBhIHNlY3JldCBrZXkgMTIzNDU2Nzg5MA== x", True),
        ("token Zx8Qm2Lp9Rt4Vw7Yb3Nc6Kd1Hf5Gj0Sa", True),
    ],
)
def test_long_words(text: str, masked: bool) -> None:
    assert ("[secret]" in mask(text)) is masked


@pytest.mark.parametrize(
    "text",
    [
        # What the precision ledger found masked in real exports: none of it identifies anyone.
        "cnn_dailymail_3_0_0_2_or_3_highlights",  # T0 template names (were [secret])
        "paws_labeled_final_PAWS_ANLI_GPT3_no_label",
        "Gary's truck can carry 11,600-4000-4800=<<11600-4000-4800=2800>>2800 pounds",  # GSM8K (was [phone])
        "// Output: 1 3 7 15 31 63",
        "#define PI 3.141592653589793238",  # was [card]
        "Mysterious alien signal: 1010 1101 1001 0001 1010 1111 1100 1001",
        "https://doi.org/10.48550/arXiv.1706.03762",
        "the build number 6.2.9200.16384",
        "a toll-free arson tip line at 800-540-7085",
        "Call us at 650-636-4884 or visit our website",
        "see user@example.com in the docs",
        "shell('ping 8.8.8.8 -c 4')",
    ],
)
def test_text_that_identifies_no_one_stays_readable(text: str) -> None:
    assert mask(text) == text


def test_mask_hides_exactly_what_the_rule_reports() -> None:
    from auditor.privacy.pii import kinds_in

    text = "Reach Kim at kim.lee77@outlook.com or (415) 867-2213; the helpline is 1-800-273-8255."
    assert kinds_in(text) == {"email", "phone"}
    assert mask(text) == "Reach Kim at [email] or [phone]; the helpline is 1-800-273-8255."
