"""Personal data and secrets: which kinds a text contains, never the values.

Every pattern is validated beyond the regex where a checksum exists (Luhn for
cards, mod-97 for IBANs) so that order numbers and arithmetic do not pass for
card numbers. Cheap substring and digit-run prefilters keep the common case
(a text with no '@' and no long digit run) to a couple of C-level scans.

Nothing here returns the matched text: callers get kind names only, so a
report can never echo a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

#: Kinds of personal data (a warning by default) and of secrets (a blocker).
PII_KINDS: tuple[str, ...] = ("email", "phone", "credit_card", "iban", "national_id", "ip_address")
SECRET_KINDS: tuple[str, ...] = ("api_key", "private_key")
ALL_KINDS: tuple[str, ...] = PII_KINDS + SECRET_KINDS
#: How reports name each kind.
LABELS: dict[str, str] = {
    "email": "e-mail addresses",
    "phone": "phone numbers",
    "credit_card": "card numbers (Luhn-valid)",
    "iban": "IBANs (checksum-valid)",
    "national_id": "national id numbers",
    "ip_address": "IP addresses",
    "api_key": "API keys or tokens",
    "private_key": "private-key blocks",
}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
# Reserved documentation domains (RFC 2606) are placeholders, not anyone's address.
_PLACEHOLDER_DOMAIN = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|example|test|invalid|localhost)$", re.I)

# Any run of digits with separators long enough to be a phone, card, IBAN, id or IP:
# the digit-based patterns below only look near these runs.
_DIGIT_RUN = re.compile(r"\d[\d .()/-]{4,}\d")
# What a text needs before any digit-based pattern is tried: a run of at least six
# characters with a separator in it, ten digits in a row (cards, IBAN account
# numbers), or a NINO's six digits and letter. Plain order numbers and prices do
# not pass, which keeps support and commerce data off the slow path.
_DIGIT_GATE = re.compile(r"\d(?=[\d .()/-]{4,}\d)(?:\d*[ .()/-]\d|\d{9}|\d{5} ?[A-D]\b)")

_PHONE = re.compile(
    r"(?<![\w.+/-])(?<!\d )"  # not the middle of a longer number or digit group
    r"(?:\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"  # international: +44 20 7946 0958
    r"|(?:\d{1,3}[ .-])?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{4})"  # national: (555) 123-4567
    r"(?![\w.-]?\d| \d)"
)
# Card numbers as people write them: one run of 13-19 digits, or groups of four
# (4-4-4-x), or Amex's 4-6-5. Issuers' numbers start with 2 to 6.
_CARD = re.compile(
    r"(?<![\d-])[2-6](?:\d{12,18}|\d{3}([ -])\d{4}\1\d{4}\1\d{1,7}|\d{3}([ -])\d{6}\2\d{5})(?![\d-])"
)
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})\b")
_NATIONAL_ID = re.compile(
    r"(?<![\d-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\d-])"  # US social security number
    r"|\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"  # UK national insurance number
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\d.])({_OCTET})\.{_OCTET}\.{_OCTET}\.{_OCTET}(?!\.?\d)")

_API_KEY = re.compile(
    r"(?:\bAKIA[0-9A-Z]{16}\b"  # AWS access key id
    r"|\bgh[pousr]_[A-Za-z0-9]{36,}"  # GitHub tokens
    r"|\bgithub_pat_[A-Za-z0-9_]{40,}"
    r"|\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"  # OpenAI / Anthropic style
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|\bAIza[0-9A-Za-z_-]{35}"  # Google
    r"|\b[rs]k_live_[0-9A-Za-z]{16,}"  # Stripe
    r"|\bglpat-[0-9A-Za-z_-]{20}"  # GitLab
    r"|\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"  # JWT
)
# Substrings one of the patterns above needs: texts with none skip the regex. The
# underscore (rare in prose, found at memchr speed) stands for every pattern that has one.
_API_KEY_HINTS = ("_", "AKIA", "sk-", "xox", "AIza", "glpat-", "eyJ")
# A long mixed letter-and-digit value assigned to a key-like name: api_key = "..."
_ASSIGNED_KEY = re.compile(
    r"(?i:api_key|secret_key|access_token|auth_token)[\"']?\s*[:=]\s*[\"']"
    r"(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{20,}[\"']"
)
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")

# IBAN lengths per country (ISO 13616 registry): the checksum alone lets 1 in 97
# random strings through, the length table removes most of those.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24,
    "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21,
    "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30,
    "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24,
    "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}


def luhn_ok(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        d = ord(char) - 48
        if position % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(candidate: str) -> bool:
    """Country length and the ISO 7064 mod-97 check of an IBAN (spaces ignored)."""
    iban = candidate.replace(" ", "")
    if _IBAN_LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _is_card(match: str) -> bool:
    digits = match.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_ok(digits)


def _is_phone(match: str) -> bool:
    digits = sum(c.isdigit() for c in match)
    if not 9 <= digits <= 15:
        return False
    if "+" in match or "(" in match:
        return True
    groups = re.split(r"[ .-]+", match)
    # Runs of years ("2006 2007 2009") and space-separated figures in tables look like
    # national numbers; two year-like groups, or spaces only with other than three groups, are not phones.
    if sum(len(g) == 4 and g[:2] in ("19", "20") for g in groups) >= 2:
        return False
    return not ("-" not in match and "." not in match and len(groups) != 3)


def _is_phone_outside(match: re.Match[str], card_spans: list[tuple[int, int]]) -> bool:
    # A card number written in groups also looks like a phone number; it is reported once, as a card.
    start, end = match.span()
    return _is_phone(match.group()) and not any(s < end and start < e for s, e in card_spans)


# Loopback, "any" and netmask-looking addresses identify nobody.
_NOT_PERSONAL_IP = frozenset({"0", "127", "255"})


def _has_api_key(text: str) -> bool:
    if not any(h in text for h in _API_KEY_HINTS):
        return False
    return _API_KEY.search(text) is not None or ("_" in text and _ASSIGNED_KEY.search(text) is not None)


#: Substrings and a pattern every kind needs: a text matching none of them has no
#: personal data or secret, so a scan over many texts looks only at the others.
GATE_NEEDLES: tuple[str, ...] = ("@", "PRIVATE KEY", *_API_KEY_HINTS)
#: The digit-based kinds' gate on the text's shape (``shapes.SHAPE``): ten digits in a
#: row, a 3-4 digit group after a separator (phones, cards), two-digit groups (SSN,
#: NINO), a dotted quad's inner octets, an IBAN's or NINO's letters then digits, or +digit.
#: Every branch starts with a literal byte, so the engine's fast prefix scan applies.
GATE_SHAPE: re.Pattern[bytes] = re.compile(
    rb"0(?:000000000|00 0000|00\.0000|0 00 00)|\.0{1,3}\.0{1,3}\.0|AA(?:000000A|00)|\+0|\(000\)"
)


def kinds_in(text: str, wanted: frozenset[str] = frozenset(ALL_KINDS)) -> set[str]:
    """The kinds of personal data and secrets ``text`` contains (empty set: none)."""
    found: set[str] = set()
    if "@" in text and "email" in wanted:
        for m in _EMAIL.finditer(text):
            if not _PLACEHOLDER_DOMAIN.search(m.group(1)):
                found.add("email")
                break
    if "PRIVATE KEY" in text and "private_key" in wanted and _PRIVATE_KEY.search(text):
        found.add("private_key")
    if "api_key" in wanted and _has_api_key(text):
        found.add("api_key")
    # The digit-based patterns only look near digit runs: scanning a long text
    # with each of them costs far more than finding its few runs once.
    if _DIGIT_GATE.search(text) is None:
        return found
    windows = [(max(0, m.start() - 12), min(len(text), m.end() + 4)) for m in _DIGIT_RUN.finditer(text)]

    def near(pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        for start, end in windows:
            yield from pattern.finditer(text, start, end)

    cards = [m.span() for m in near(_CARD) if _is_card(m.group())]
    if cards and "credit_card" in wanted:
        found.add("credit_card")
    if "phone" in wanted and any(_is_phone_outside(m, cards) for m in near(_PHONE)):
        found.add("phone")
    if "iban" in wanted and any(iban_ok(m.group(1)) for m in near(_IBAN)):
        found.add("iban")
    if "national_id" in wanted and next(near(_NATIONAL_ID), None) is not None:
        found.add("national_id")
    if "ip_address" in wanted and any(m.group(1) not in _NOT_PERSONAL_IP for m in near(_IPV4)):
        found.add("ip_address")
    return found
