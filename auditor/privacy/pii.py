"""Personal data and secrets: where a text holds them, of which kind, and whether a value is personal at all.

One detector serves the QLT009/QLT010 rule and the report mask, so a report hides
exactly what the rule calls personal data or a secret. Each candidate value is found
by a pattern, validated beyond the pattern where a checksum or numbering plan exists
(Luhn for cards, mod-97 for IBANs, libphonenumber for phone numbers), and then judged:
values that identify no one (documentation and test values, toll-free and service
numbers, organisations' role addresses, private and public-infrastructure IP
addresses, the digits of a calculation) carry the reason they are not personal data,
and are counted, not reported.

Nothing here returns matched text to a report: callers get kinds, spans and reasons.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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
#: Why a value the patterns found is not personal data; reports count values by these.
NOT_PERSONAL: dict[str, str] = {
    "reserved": "reserved for examples and documentation (example.com, 555 numbers, RFC 5737 addresses)",
    "placeholder": "stock placeholders (example@, john.doe@, your.name@, 123.45.67.89)",
    "impossible": "values no one can hold (numbers of an impossible length or with an unassigned North American area "
    "code, Gmail names under 6 characters)",
    "service": "toll-free, premium-rate and shared-cost service numbers",
    "organisation": "organisations' role addresses (info@, support@) and numbers or addresses presented as a help "
    "line, customer service or a place to send things",
    "infrastructure": "private, loopback and well-known public server addresses",
    "arithmetic": "the digits of a calculation",
    "example": "values introduced as an example ('for example', 'e.g.', 'such as')",
}
#: The same reasons as a finding's message words them.
NOT_PERSONAL_SHORT: dict[str, str] = {
    "reserved": "reserved example values",
    "placeholder": "placeholders",
    "impossible": "values no one can hold",
    "service": "toll-free or service numbers",
    "organisation": "organisations' addresses or help lines",
    "infrastructure": "private or public-server addresses",
    "arithmetic": "digits of a calculation",
    "example": "values given as examples",
}


@dataclass(frozen=True, slots=True)
class Hit:
    """One value found in a text: its kind, where it is, and why it is not personal (None: it is)."""

    kind: str
    start: int
    end: int
    reason: str | None = None


# -- patterns ---------------------------------------------------------------------

# E-mail: found from its "@domain" (a literal the regex engine jumps to), then the local
# part is walked back by hand; a pattern starting with the local part would be tried at
# every position of every word.
_EMAIL_DOMAIN = re.compile(r"@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b")
_LOCAL_PART = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")

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
_IPV4 = re.compile(rf"(?<![\d.])({_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET})(?!\.?\d)")

# Key shapes, each led by a literal so the regex engine jumps between candidates at memchr
# speed (a leading \\b or an alternation would make it try every position: the old single
# pattern spent seconds per 10 MB of code). The word boundary before a key is checked on
# the few matches.
_KEY_SHAPES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # (needle the text must contain, pattern, characters allowed just before the match: "" any non-word)
    ("AKIA", re.compile(r"AKIA[0-9A-Z]{16}\b"), ""),  # AWS access key id
    ("gh", re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}"), ""),  # GitHub tokens
    ("github_pat_", re.compile(r"github_pat_[A-Za-z0-9_]{40,}"), ""),
    ("sk-", re.compile(r"sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"), ""),  # OpenAI / Anthropic style
    ("xox", re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}"), ""),  # Slack
    ("AIza", re.compile(r"AIza[0-9A-Za-z_-]{35}"), ""),  # Google
    ("k_live_", re.compile(r"k_live_[0-9A-Za-z]{16,}"), "rs"),  # Stripe: rk_live_ / sk_live_
    ("glpat-", re.compile(r"glpat-[0-9A-Za-z_-]{20}"), ""),  # GitLab
    ("eyJ", re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"), ""),  # JWT
)
# A long mixed letter-and-digit value assigned to a key-like name: api_key = "...". Found
# from "_key" / "_token" (any case) and checked for its first word on the match.
_ASSIGNED_KEY = re.compile(
    r"_((?i:key|token))[\"']?\s*[:=]\s*[\"']"
    r"(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{20,}[\"']"
)
_KEY_NAMES = {"key": ("api", "secret"), "token": ("access", "auth")}
# Substrings one of the shapes needs: a text with none of them holds no key. Each is the
# shape's own literal (a bare "_" let every identifier and code block through: 60 % of the
# texts of real-word data took the per-shape path).
_API_KEY_HINTS = (
    "AKIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "sk-", "xox", "AIza", "k_live_", "glpat-", "eyJ",
)
# The assigned key's name, in any case: the same sub-pattern as _ASSIGNED_KEY (so the same
# Unicode case folding: "\u212a", the Kelvin sign, is a K), found from its literal "_".
_KEY_NAME = re.compile(r"_(?i:key|token)")
#: The names _KEY_NAME finds after its "_", for a gate on many texts at once.
KEY_NAMES: tuple[str, ...] = ("key", "token")
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

# -- what is not personal --------------------------------------------------------------

# RFC 2606 and RFC 6761: example.com/.net/.org (and their subdomains) and the .example,
# .test, .invalid and .localhost top-level names are reserved for documentation.
_RESERVED_DOMAIN = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|[^.]+\.(?:example|test|invalid|localhost))$", re.I)
# Domains that tutorials use as stand-ins ("name@domain.com", "jane@example2.com") and
# that are no one's mail provider.
_PLACEHOLDER_DOMAIN = re.compile(
    r"(?:^|\.)(?:example[\w-]*|domain|yourdomain|mydomain|somedomain|sample|company|yourcompany|website|yoursite|"
    r"mysite|somewhere|foo|bar|foobar)\.[a-z]{2,}$",
    re.I,
)
# Stock local parts: the nobody-in-particular of documentation and test data.
_PLACEHOLDER_LOCAL = re.compile(
    r"(?:(?:john|jane|joe|j)[._-]?doe|(?:test|user|username|example|sample|demo|dummy|fake|person|customer|someone|"
    r"somebody|anyone|nobody|name|email|mail|foo|bar|foobar|baz|abc|xyz|me|you|first[._-]?last|"
    r"first[._-]?name[._-]?last[._-]?name)[._-]?\d*|your[._-]?[a-z]*)",
    re.I,
)
# Role mailboxes: RFC 2142's (info, sales, support, abuse, postmaster, webmaster, ...) and the
# other departmental names organisations publish; they reach a function, not a person.
_ROLE_LOCAL = frozenset(
    "info marketing sales support abuse noc security postmaster hostmaster usenet news webmaster www ftp "
    "contact contactus help helpdesk admin administrator office press media newsdesk letters editor editors "
    "tips feedback enquiries enquiry inquiries inquiry hello team service services customerservice customercare "
    "careers jobs hr billing accounts privacy legal orders bookings reservations noreply no-reply donotreply "
    "do-not-reply mailer-daemon subscriptions newsletter complaints reception "
    # Automated senders (account alerts, notifications, receipts): a system's mailbox, like noreply.
    "alerts alert notifications notification notify updates receipts statements".split()
)
# Gmail names are 6 to 30 letters, digits and dots (Google's account rules): bob@gmail.com
# is a toy, not an inbox.
_GMAIL = frozenset({"gmail.com", "googlemail.com"})

# The words just before a value, in its sentence, that present it as an organisation's
# line or address, or as an example. A person's own ("my", "her cell") is never excused.
_ORG_CUE = re.compile(
    r"\b(?:call|contact|reach|phone|text|dial|ring|fax|e-?mail|write to|message|visit)\s+us\b|\bour\b"
    r"|\bcustomer (?:service|care|support|relations)|\bhelp ?(?:line|desk)|\bhotline|\btip ?line|\blifeline"
    r"|\bcrisis line|\btoll[- ]?free|\bswitchboard|\breception\b|\bfront desk|\bpolice\b|\bsheriff|\bdepartment\b"
    r"|\bheadquarters|\bcrime ?stoppers|\bsupport (?:line|team|cent)|\binformation line|\boffice\b"
    r"|\b(?:send|submit|e-?mail|mail|forward)\b[^.!?\n]{0,40}?\b(?:your|us|in)\b"
)
_PERSONAL_CUE = re.compile(r"\b(?:my|his|her|their)\b|\b(?:cell|mobile|home|personal|private)\b")
_EXAMPLE_CUE = re.compile(r"(?:\bfor (?:example|instance)|\be\.g\.|\bsuch as|\blike)\s*[:“\"'(\[]?\s*$")
# Infrastructure words near an address: a server, resolver or command, not a person's device.
_INFRA_CUE = re.compile(
    r"\b(?:server|servers|dns|ntp|nameserver|resolver|gateway|router|proxy|ping|traceroute|nslookup|dig|host|"
    r"hostname|subnet|netmask|firewall|ssh|curl|wget|telnet|port)\b",
    re.I,
)
# Public resolvers (Google, Cloudflare, Quad9, OpenDNS, Level 3): anyone's DNS, no one's address.
_PUBLIC_RESOLVERS = frozenset(
    "8.8.8.8 8.8.4.4 1.1.1.1 1.0.0.1 9.9.9.9 149.112.112.112 208.67.222.222 208.67.220.220 4.2.2.1 4.2.2.2".split()
)
_STOCK_IPS = frozenset({"1.2.3.4", "12.34.56.78", "123.45.67.89", "123.123.123.123"})
# RFC 5737 documentation networks.
_DOC_NETS = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
# Social security numbers the SSA never issues because they were published: the 1938
# Woolworth wallet card, the 1940s advertising number and the ubiquitous 123-45-6789.
_RESERVED_SSN = frozenset({"078-05-1120", "219-09-9999", "123-45-6789"})
# Around a number, characters that make it part of a calculation: 11,600-4000-4800=2800.
_OPERATORS = frozenset("=+*/×÷<>^")


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


# -- judging one value ---------------------------------------------------------------


_SENTENCE_END = re.compile(r"[.!?][\s\"')\]]|\n")


def _context_reason(text: str, start: int) -> str | None:
    """Whether the words before a value present it as an example or as an organisation's."""
    before = text[max(0, start - 120) : start].lower().replace("\u2019", "'")
    if _EXAMPLE_CUE.search(before):
        return "example"
    sentence = _SENTENCE_END.split(before)[-1]
    if _ORG_CUE.search(sentence) and not _PERSONAL_CUE.search(sentence):
        return "organisation"
    return None


def _arithmetic(text: str, start: int, end: int) -> bool:
    """Digits joined to an operator, or continuing a number with a thousands separator."""
    i = start - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    if i >= 0 and (text[i] in _OPERATORS or (text[i] == "," and i > 0 and text[i - 1].isdigit())):
        return True
    j = end
    while j < len(text) and text[j] == " ":
        j += 1
    return j < len(text) and text[j] in _OPERATORS


def _email_reason(text: str, start: int, local: str, domain: str) -> str | None:
    domain, name = domain.lower(), local.lower()
    if _RESERVED_DOMAIN.search(domain):
        return "reserved"
    if _PLACEHOLDER_DOMAIN.search(domain) or _PLACEHOLDER_LOCAL.fullmatch(name):
        return "placeholder"
    if domain in _GMAIL and not 6 <= len(name.split("+")[0].replace(".", "")) <= 30:
        return "impossible"
    if name.split("+")[0] in _ROLE_LOCAL:
        return "organisation"
    return _context_reason(text, start)


@lru_cache(maxsize=1)
def _phonenumbers() -> Any:
    # Imported on the first phone-shaped value: most texts never have one.
    import phonenumbers

    return phonenumbers


_SERVICE_TYPES = ("TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "UAN", "VOICEMAIL")


@lru_cache(maxsize=4096)
def _number_reason(value: str) -> str | None:
    """What the numbering plan says about a number: impossible, fictional or a service line.

    Numbers with a country code are parsed as written; national numbers only when they
    have the North American shape (NXX-NXX-XXXX, optionally 1- first). Other national
    numbers cannot be placed in a plan and stay personal.
    """
    international = value.lstrip().startswith("+")
    groups = re.findall(r"\d+", value)
    if not international:
        if groups[:1] == ["1"]:
            groups = groups[1:]
        if [len(g) for g in groups] != [3, 3, 4]:  # not the North American shape: no plan to judge it by
            return None
    digits = "".join(groups)
    pn = _phonenumbers()
    try:
        number = pn.parse(value if international else digits, None if international else "US")
    except pn.NumberParseException:
        return "impossible"
    national = str(number.national_number)
    if number.country_code == 1 and len(national) == 10 and "555" in (national[:3], national[3:6]):
        # NANP 555: 555-0100..0199 are reserved for fiction, the rest of the exchange is not
        # assigned to subscribers, and 555 is no area code: the numbers films and examples use.
        return "reserved"
    if not pn.is_possible_number(number):
        return "impossible"
    # North American validity is decided by area code, which is assigned rarely and in public:
    # 932-682-1067 cannot ring. Elsewhere libphonenumber tracks allocation block by block, and a
    # block allocated after its metadata would read as invalid: such numbers stay personal.
    if number.country_code == 1 and not pn.is_valid_number(number):
        return "impossible"
    kind = pn.number_type(number)
    if any(kind == getattr(pn.PhoneNumberType, t) for t in _SERVICE_TYPES):
        return "service"
    return None


def _phone_reason(text: str, m: re.Match[str]) -> str | None:
    if _arithmetic(text, m.start(), m.end()):
        return "arithmetic"
    return _number_reason(m.group()) or _context_reason(text, m.start())


def _ip_reason(text: str, m: re.Match[str]) -> str | None:
    value = m.group(1)
    address = ipaddress.ip_address(value)
    if any(address in net for net in _DOC_NETS):
        return "reserved"
    if not address.is_global or value in _PUBLIC_RESOLVERS:
        return "infrastructure"
    if value in _STOCK_IPS:
        return "placeholder"
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    around = text[max(line_start, m.start() - 60) : m.end() + 60 if line_end == -1 else min(line_end, m.end() + 60)]
    if _INFRA_CUE.search(around):
        return "infrastructure"
    return _context_reason(text, m.start())


# -- finding ---------------------------------------------------------------------------


def _emails(text: str) -> list[Hit]:
    hits: list[Hit] = []
    last = 0
    for m in _EMAIL_DOMAIN.finditer(text):
        start = m.start()
        while start > last and text[start - 1] in _LOCAL_PART:
            start -= 1
        local = text[start : m.start()].lstrip(".")
        start = m.start() - len(local)
        if local:  # an "@" with no local part is a handle or a price, not an address
            hits.append(Hit("email", start, m.end(), _email_reason(text, start, local, m.group(1))))
        last = m.end()
    return _listed_with_stand_ins(text, hits)


# Between two items of one written list of addresses: quotes, commas, semicolons, brackets, blanks.
_LIST_GAP = re.compile(r"[\s'\"`,;\[\]()]*")


def _listed_with_stand_ins(text: str, hits: list[Hit]) -> list[Hit]:
    """An address written in one list with stand-ins is test data too: a list of three or more addresses,
    at least half of them reserved or placeholder values (['jon@example.com', 'mary@email.com', ...]), is a
    fixture, and its other members are its examples. A list of real-looking addresses stays personal."""
    runs: list[list[int]] = []
    for i, hit in enumerate(hits):
        if runs and _LIST_GAP.fullmatch(text, hits[runs[-1][-1]].end, hit.start):
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        stand_ins = sum(hits[i].reason in ("reserved", "placeholder") for i in run)
        if len(run) >= 3 and 2 * stand_ins >= len(run):
            for i in run:
                if hits[i].reason is None:
                    hits[i] = Hit("email", hits[i].start, hits[i].end, "example")
    return hits


def _word_start(text: str, i: int) -> bool:
    return i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")


def _keys(text: str) -> Iterator[Hit]:
    for needle, pattern, lead in _KEY_SHAPES:
        if needle not in text:
            continue
        m = pattern.search(text)
        while m is not None:
            start = m.start() - (1 if lead else 0)  # the lead character belongs to the key
            if (not lead or (start >= 0 and text[start] in lead)) and _word_start(text, start):
                yield Hit("api_key", start, m.end())
                m = pattern.search(text, m.end())
            else:  # not a key where it starts; one may start inside it
                m = pattern.search(text, m.start() + 1)
    if "_" in text:
        for m in _ASSIGNED_KEY.finditer(text):
            head = text[max(0, m.start() - 6) : m.start()].lower()
            word = next((w for w in _KEY_NAMES[m.group(1).lower()] if head.endswith(w)), None)
            if word is not None:
                yield Hit("api_key", m.start() - len(word), m.end())


def has_api_key_hint(text: str) -> bool:
    """Whether a text holds a literal some key shape needs (no key without one)."""
    return any(h in text for h in _API_KEY_HINTS) or ("_" in text and _KEY_NAME.search(text) is not None)


#: Substrings and a pattern every kind needs: a text matching none of them (nor "_" and a
#: name of ``KEY_NAMES`` in any case) has no personal data or secret, so a scan over many
#: texts looks only at the others. All ASCII, so they can be searched in UTF-8.
GATE_NEEDLES: tuple[str, ...] = ("@", "PRIVATE KEY", *_API_KEY_HINTS)
#: The digit-based kinds' gate on the text's shape (``shapes.SHAPE``): ten digits in a
#: row, a 3-4 digit group after a separator (phones, cards), an SSN's 3-2-4 groups, a
#: dotted quad's inner octets, an IBAN's or NINO's letters then digits (a NINO spaced
#: after its letters too), or +digit. Every branch starts with a literal byte, so the
#: engine's fast prefix scan applies. The SSN branch once was any "0 00 00", which every
#: date (2013-11-02) has: a third of the texts of real-word data took the per-text path
#: for nothing, and a NINO spaced as "AB 1234 56C" passed only beside such a date.
GATE_SHAPE: re.Pattern[bytes] = re.compile(
    rb"0(?:000000000|00 0000|00\.0000|00 00 0000)|\.0{1,3}\.0{1,3}\.0|AA(?:00| 00 ?00 ?00 ?A)|\+0|\(000\)"
)


def find(text: str, wanted: frozenset[str] = frozenset(ALL_KINDS)) -> list[Hit]:
    """Every value of the wanted kinds in ``text``, personal or not, in no particular order."""
    hits: list[Hit] = []
    if "@" in text and "email" in wanted:
        hits += _emails(text)
    if "PRIVATE KEY" in text and "private_key" in wanted:
        hits += (Hit("private_key", m.start(), m.end()) for m in _PRIVATE_KEY.finditer(text))
    if "api_key" in wanted and has_api_key_hint(text):
        hits += _keys(text)
    # The digit-based patterns only look near digit runs: scanning a long text
    # with each of them costs far more than finding its few runs once.
    if _DIGIT_GATE.search(text) is None:
        return hits
    windows = [(max(0, m.start() - 12), min(len(text), m.end() + 4)) for m in _DIGIT_RUN.finditer(text)]

    def near(pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        seen: set[tuple[int, int]] = set()
        for start, end in windows:
            for m in pattern.finditer(text, start, end):
                if m.span() not in seen:
                    seen.add(m.span())
                    yield m

    cards = [m for m in near(_CARD) if _is_card(m.group())]
    if "credit_card" in wanted:
        hits += (Hit("credit_card", m.start(), m.end(), "arithmetic" if _arithmetic(text, *m.span()) else None) for m in cards)
    if "phone" in wanted:
        spans = [m.span() for m in cards]
        for m in near(_PHONE):
            # A card number written in groups also looks like a phone number; it is reported once, as a card.
            if _is_phone(m.group()) and not any(s < m.end() and m.start() < e for s, e in spans):
                hits.append(Hit("phone", m.start(), m.end(), _phone_reason(text, m)))
    if "iban" in wanted:
        hits += (Hit("iban", m.start(), m.end()) for m in near(_IBAN) if iban_ok(m.group(1)))
    if "national_id" in wanted:
        for m in near(_NATIONAL_ID):
            reason = "reserved" if m.group() in _RESERVED_SSN else "arithmetic" if _arithmetic(text, *m.span()) else None
            hits.append(Hit("national_id", m.start(), m.end(), reason))
    if "ip_address" in wanted:
        hits += (Hit("ip_address", m.start(), m.end(), _ip_reason(text, m)) for m in near(_IPV4))
    return hits


def kinds_in(text: str, wanted: frozenset[str] = frozenset(ALL_KINDS)) -> set[str]:
    """The kinds of personal data and secrets ``text`` contains (empty set: none)."""
    return {h.kind for h in find(text, wanted) if h.reason is None}
