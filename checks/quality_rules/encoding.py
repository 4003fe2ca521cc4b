"""Encoding damage: replacement characters, control characters, mojibake.

Mojibake is UTF-8 read as Windows-1252 or Latin-1: "café" becomes "cafÃ©" and
"it’s" becomes "itâ€™s". The lead characters Ã, Â and â€ followed by a
character from the 0x80-0xBF block (or its Windows-1252 stand-ins) almost never
occur in real text, so the pattern has very few false alarms.

Each test starts with a single character class or a substring test, which
Python's regex engine and ``in`` scan at C speed; ASCII text (the common case)
only needs the control-character scan.
"""

from __future__ import annotations

import re

# Tab, newline and carriage return are formatting; every other C0/C1 control is damage.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CP1252_TAIL = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_MOJIBAKE = re.compile(f"[ÃÂâï](?:(?<=Ã)[{_CP1252_TAIL}]|(?<=Â)[\u00a0-\u00bf]|(?<=â)€|(?<=ï)»¿)")
_MOJIBAKE_LEADS = ("Ã", "Â", "â€", "ï»")


#: What a damaged text must contain: a C0 control (NUL in its shape, see ``shapes``),
#: or, in UTF-8, a C1 control (C2 80-9F), U+FFFD (EF BF BD) or a mojibake lead
#: (Ã, Â, â€, ï»).
GATE_SHAPE_NEEDLE: bytes = b"\x00"
#: The UTF-8 needles as literals, for a multi-needle search (a C1 control is one of 32).
GATE_UTF8_NEEDLES: tuple[bytes, ...] = (
    *(s.encode() for s in ("\ufffd", *_MOJIBAKE_LEADS)),
    *(bytes((0xC2, b)) for b in range(0x80, 0xA0)),
)


def damage_kind(text: str) -> str | None:
    """The first kind of encoding damage found in ``text``, or None."""
    control = _CONTROL.search(text)
    if control is not None:
        # C1 controls (U+0080-U+009F) are what UTF-8 read as Latin-1 leaves behind.
        return "control character" if control.group() < "\x80" else "mojibake"
    if text.isascii():
        return None
    if "\ufffd" in text:
        return "replacement character"
    if any(lead in text for lead in _MOJIBAKE_LEADS) and _MOJIBAKE.search(text) is not None:
        return "mojibake"
    return None
