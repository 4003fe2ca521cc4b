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

from auditor.privacy.pii import SECRET_KINDS, kinds_in

# A private key block, also when the END line was cut off by truncation.
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)",
    re.DOTALL,
)
# E-mail: found from its "@" (a literal the regex engine jumps to), then the
# local part is walked back by hand; a pattern starting with the local part
# would be tried at every position of every word.
_EMAIL_DOMAIN = re.compile(r"@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_LOCAL_PART = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
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
_LONG_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-+=])[A-Za-z0-9_\-+=]{32,}")


def _token(m: re.Match[str]) -> str:
    """A long word is a secret when it looks random: letters with 3+ digits, or
    40+ characters of mixed case with a digit (base64).

    Long snake_case identifiers (code datasets are full of them) have few
    digits and one case, and stay readable.
    """
    word = m.group()
    digits = sum(c.isdigit() for c in word)
    if not digits or not any(c.isalpha() for c in word):
        return word
    mixed = any(c.isupper() for c in word) and any(c.islower() for c in word)
    return "[secret]" if digits >= 3 or (mixed and len(word) >= 40) else word
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

def _mask_emails(s: str) -> str:
    out: list[str] = []
    last = 0
    for m in _EMAIL_DOMAIN.finditer(s):
        start = m.start()
        while start > last and s[start - 1] in _LOCAL_PART:
            start -= 1
        if start == m.start():
            continue  # an "@" with no local part: a handle or a price, not an address
        out += (s[last:start], "[email]")
        last = m.end()
    return "".join(out) + s[last:] if out else s


_SECRET_WORDS = ("key", "secret", "token", "pass", "pwd")

Rule = tuple[Callable[[str], str], Callable[[str, int, int], bool]]


def _sub(pattern: re.Pattern[str], replacement: Callable[[re.Match[str]], str] | str) -> Callable[[str], str]:
    return lambda s: pattern.sub(replacement, s)


# Each rule runs only when a cheap test on the text, its digit count and its
# longest word says it could match: most record text has no "@", no long
# token and few digits, and the regexes are what a million-row export spends
# its time on.
_RULES: tuple[Rule, ...] = (
    (_sub(_PRIVATE_KEY, "[private key]"), lambda s, digits, longest: "PRIVATE KEY" in s),
    (_mask_emails, lambda s, digits, longest: "@" in s),
    (
        _sub(_SECRET_ASSIGNMENT, lambda m: f"{m.group(1)}[secret]"),
        lambda s, digits, longest: (":" in s or "=" in s) and any(w in s.lower() for w in _SECRET_WORDS),
    ),
    # every key shape has 16+ characters in one word, digits among them
    (_sub(_API_KEY, "[secret]"), lambda s, digits, longest: digits >= 1 and longest >= 16),
    (_sub(_IBAN, "[iban]"), lambda s, digits, longest: digits >= 8),
    (_sub(_LONG_TOKEN, _token), lambda s, digits, longest: digits >= 1 and longest >= 32),
    (_sub(_CARD, "[card]"), lambda s, digits, longest: digits >= 13),
    (_sub(_PHONE, "[phone]"), lambda s, digits, longest: digits >= 9),
)


def _features(s: str) -> tuple[int, int]:
    """Digit count and longest word length; both matter only when there are digits.

    Ten ``in`` tests are memchr calls: far cheaper than a regex or a
    translate over text that, like most record text, has no digit at all.
    """
    if not any(d in s for d in "0123456789"):
        return 0, 0
    return sum(map(s.count, "0123456789")), max(map(len, s.split()), default=0)


def mask(text: object) -> str:
    """``text`` with e-mail addresses, phone numbers, card numbers, IBANs, keys and tokens masked."""
    s = "" if text is None else str(text)
    digits, longest = _features(s)
    for apply, could_match in _RULES:
        if could_match(s, digits, longest):
            masked = apply(s)
            if masked != s:
                s = masked
                digits, longest = _features(s)
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


def mask_id(value: object) -> object:
    """A record id as every report shows it: masked when it holds personal data or a secret, else unchanged.

    Ids are how a pipeline finds a flagged record again, so they are not put
    through ``mask``'s "long random-looking word" rule, which every UUID and
    hash id would trip: an id is masked when the quality check's own detector
    (checksum-validated cards and IBANs, phone shapes, e-mail addresses, key
    shapes) finds personal data or a secret in it, and then with the same masks
    as record text. Other ids keep their value and type (an int stays an int).
    """
    if isinstance(value, int) and 0 <= value < 10**12:
        # A bare number can only be a card number (13-19 digits): the other
        # kinds need a separator, a letter or a "+". Line-number ids skip the scan.
        return value
    text = value if isinstance(value, str) else str(value)
    found = kinds_in(text)
    if not found:
        return value
    masked = mask(text)
    if masked != text:
        return masked
    # The detector found what the text masks do not reach (a national id, a key
    # shape with no digit): the whole id is hidden rather than shown.
    return "[secret]" if found & set(SECRET_KINDS) else "[personal data]"
