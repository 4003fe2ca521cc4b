"""Texts reduced to their shape, as bytes, for fast gates.

Python's regex engine scans a character class (``\\d``, a control range) at
tens of MB/s, but a literal byte at memchr speed. Mapping every digit to "0",
every capital to "A", the hyphen to a space and every control byte to NUL
(one ``bytes.translate``, about 1 GB/s) turns "call 555-123-4567" into
"call 000 000 0000", so the gates of the digit-based and control-character
rules become literal searches. Only the gates read shapes; the rules
themselves run on the real text of the records a gate let through.
"""

from __future__ import annotations

_TABLE = bytearray(range(256))
for _b in b"0123456789":
    _TABLE[_b] = ord("0")
for _b in range(ord("A"), ord("Z") + 1):
    _TABLE[_b] = ord("A")
_TABLE[ord("-")] = ord(" ")
# Tab (9), newline (10) and carriage return (13) are formatting, not damage.
for _b in (*range(0, 9), 11, 12, *range(14, 32), 127):
    _TABLE[_b] = 0

#: The translate table: digits -> "0", A-Z -> "A", "-" -> " ", control bytes -> NUL.
SHAPE: bytes = bytes(_TABLE)
