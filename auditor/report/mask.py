"""Mask secrets and personal data in record text before any report shows it.

Reports travel further than the data: into pull-request comments, CI logs,
labelling tools. So every report format runs record text (and finding
messages, which may quote records) through ``mask``.

Personal data is masked by the same detector the QLT009/QLT010 rule uses
(``auditor.privacy.pii``): what the rule reports is hidden, and what it
judges not personal (example.com addresses, toll-free numbers, the digits of
a calculation, template names) stays readable. Secrets get a wider net on
top, because a leaked credential costs far more than a masked identifier:
whole private-key blocks (also when cut off), values assigned to key-like
names, more key shapes, and any long word that looks random.

Masks name what was hidden (``[email]``, ``[card]``...) so a reviewer still
sees why a record was flagged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from auditor.privacy import pii
from auditor.privacy.pii import SECRET_KINDS, kinds_in

# A private key block, also when the END line was cut off by truncation.
_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\Z)",
    re.DOTALL,
)
# Key shapes beyond the rule's (shorter minimum lengths, more vendors): the mask errs on
# the side of hiding.
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
_PIECES = re.compile(r"[_\-]+")
_SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b((?:api[_-]?key|secret|token|password|passwd|pwd)\s*[:=]\s*)([\"']?)[^\s\"']{6,}\2"
)
_SECRET_WORDS = ("key", "secret", "token", "pass", "pwd")
#: How each kind of personal data or secret reads once masked.
MARKS: dict[str, str] = {
    "email": "[email]",
    "phone": "[phone]",
    "credit_card": "[card]",
    "iban": "[iban]",
    "national_id": "[national id]",
    "ip_address": "[ip]",
    "api_key": "[secret]",
    "private_key": "[private key]",
}


def _token(m: re.Match[str]) -> str:
    """A long word is a secret when a piece of it (between '_' and '-') looks random:
    8 or more characters mixing letters with 3 or more digits (hex digests, keys), or 16
    or more of mixed case with a digit (base64).

    Identifiers made of words and small numbers (``cnn_dailymail_3_0_0_news_stories``,
    ``paws_labeled_final_PAWS_ANLI_GPT3_no_label``, ``my_long_function_name_v2``) have no
    such piece and stay readable.
    """
    word = m.group()
    if not any(c.isdigit() for c in word):
        return word
    for piece in _PIECES.split(word):
        digits = sum(c.isdigit() for c in piece)
        if not digits or not any(c.isalpha() for c in piece):
            continue
        mixed = any(c.isupper() for c in piece) and any(c.islower() for c in piece)
        if (len(piece) >= 8 and digits >= 3) or (mixed and len(piece) >= 16):
            return "[secret]"
    return word


def _sub(pattern: re.Pattern[str], replacement: Callable[[re.Match[str]], str] | str) -> Callable[[str], str]:
    return lambda s: pattern.sub(replacement, s)


# Each net runs only when a cheap test on the text says it could match: most record
# text has no long word with digits in it.
_NETS: tuple[tuple[Callable[[str], str], Callable[[str, int, int], bool]], ...] = (
    (_sub(_PRIVATE_KEY, "[private key]"), lambda s, digits, longest: "PRIVATE KEY" in s),
    (
        _sub(_SECRET_ASSIGNMENT, lambda m: f"{m.group(1)}[secret]"),
        lambda s, digits, longest: (":" in s or "=" in s) and any(w in s.lower() for w in _SECRET_WORDS),
    ),
    (_sub(_API_KEY, "[secret]"), lambda s, digits, longest: digits >= 1 and longest >= 16),
    (_sub(_LONG_TOKEN, _token), lambda s, digits, longest: digits >= 1 and longest >= 32),
)


def _features(s: str) -> tuple[int, int]:
    """Digit count and longest word length; both matter only when there are digits."""
    if not any(d in s for d in "0123456789"):
        return 0, 0
    return sum(map(s.count, "0123456789")), max(map(len, s.split()), default=0)


def _mask_personal(s: str) -> str:
    hits = sorted((h for h in pii.find(s) if h.reason is None), key=lambda h: (h.start, -h.end))
    if not hits:
        return s
    out: list[str] = []
    last = 0
    for h in hits:
        if h.start < last:  # inside a value already masked
            continue
        out += (s[last : h.start], MARKS[h.kind])
        last = h.end
    return "".join(out) + s[last:]


def mask(text: object) -> str:
    """``text`` with personal data (as the QLT009 rule finds it) and anything secret-looking masked."""
    s = "" if text is None else str(text)
    # Masking a value can change the words before the next one (a cue may sit inside an
    # address); two passes reach the fixed point in every case but contrived ones, and the
    # loop makes ``mask`` idempotent whatever the text.
    for _ in range(4):
        masked = _mask_once(s)
        if masked == s:
            break
        s = masked
    return s


def _mask_once(s: str) -> str:
    digits, longest = _features(s)
    for apply, could_match in _NETS:
        if could_match(s, digits, longest):
            masked = apply(s)
            if masked != s:
                s = masked
                digits, longest = _features(s)
    return _mask_personal(s)


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
