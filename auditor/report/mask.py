"""Mask secrets and personal data in record text before any report shows it.

Reports travel further than the data: into pull-request comments, CI logs,
labelling tools. So every report format runs record text (and finding
messages, which may quote records) through ``mask``. The patterns lean towards
over-masking: a masked order number costs a reader a second look, a leaked
card number costs far more.

Masks name what was hidden (``[email]``, ``[card]``...) so a reviewer still
sees why a record was flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A private key block, also when the END line was cut off by truncation.
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)",
    re.DOTALL,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# Well-known key shapes first, then any long token mixing letters and digits
# (hex digests and base64 secrets alike): legitimate prose rarely has 24+
# character words with digits in them.
_API_KEY = re.compile(
    r"\b(?:"
    r"sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"
    r"|AIza[0-9A-Za-z_\-]{30,}"
    r"|glpat-[A-Za-z0-9_\-]{16,}"
    r"|hf_[A-Za-z0-9]{20,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"  # JWT
    r")"
)
_LONG_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-+/=])(?=[A-Za-z0-9_\-+/=]*\d)(?=[A-Za-z0-9_\-+/=]*[A-Za-z])[A-Za-z0-9_\-+/=]{32,}")
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b((?:api[_-]?key|secret|token|password|passwd|pwd)\s*[:=]\s*)([\"']?)[^\s\"']{6,}\2"
)
# IBAN: country code, two check digits, 11-30 more letters/digits, maybe grouped by 4.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
# Card-like: 13-19 digits, optionally grouped with spaces or dashes.
_CARD = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){12,18}(?![\d\-])")
# Phone: optional +country, 9-15 digits with the usual separators. Dates
# (8 digits) and order numbers (usually fewer) stay readable.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\(?\d(?:[ ().\-/]{0,2}\d){8,14}(?!\w)")

_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str] | str], ...] = (
    (_PRIVATE_KEY, "[private key]"),
    (_EMAIL, "[email]"),
    (_SECRET_ASSIGNMENT, lambda m: f"{m.group(1)}[secret]"),
    (_API_KEY, "[secret]"),
    (_IBAN, "[iban]"),
    (_LONG_TOKEN, "[secret]"),
    (_CARD, "[card]"),
    (_PHONE, "[phone]"),
)

# Cheap pre-test: text with none of these cannot match any rule.
_MAYBE = re.compile(r"[@\d]|-----BEGIN|[A-Za-z0-9_\-]{24,}")


def mask(text: object) -> str:
    """``text`` with e-mail addresses, phone numbers, card numbers, IBANs, keys and tokens masked."""
    s = "" if text is None else str(text)
    if not _MAYBE.search(s):
        return s
    for pattern, replacement in _RULES:
        s = pattern.sub(replacement, s)
    return s


def mask_value(value: object) -> object:
    """``mask`` through lists and dicts (chat turns, annotations); other scalars unchanged."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v) for v in value]
    return value
