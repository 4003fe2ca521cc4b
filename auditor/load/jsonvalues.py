"""JSON values as the loader reads them: orjson first, a careful parser for what it rejects.

orjson parses every ordinary line; it rejects numbers beyond a double's range
(a 5,000-digit id, ``1e400``) that Python's own parser reads. Only the lines
orjson rejects for that reason take the slower path here, which keeps such
numbers exactly as written (``BigNumber``) and otherwise answers as orjson
does: NaN, lone surrogates and bad bytes are still problems, with the same
reasons on every path.

Duplicate keys (``{"output": "a", "output": "b"}``) keep the last value in
every parser used here, so they are found separately: exactly wherever
Python's parser runs anyway, and on the fast path by comparing the keys
written in the bytes with the keys of the parsed objects (``KeyCheck``),
which costs a vectorised pass over the bytes; only a chunk whose counts
differ is parsed again object by object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

import numpy as np
import orjson

_I64_MIN, _U64_MAX = -(1 << 63), (1 << 64) - 1


class BigNumber(str):
    """A JSON number beyond a double's range, kept exactly as written.

    It reads as text wherever text is fine (a kept field, an id, a report) and
    as a number where the type matters: a field that must hold text says it
    holds a number, as for any other number.
    """

    __slots__ = ()


class Rejected(ValueError):
    """A value that cannot be read; the message is the load problem's reason."""


#: orjson's message for a number it reads as infinite: the one rejection that is not the line's fault.
_TOO_BIG = "number is infinity when parsed as double"


def too_big(exc: orjson.JSONDecodeError) -> bool:
    return str(exc).startswith(_TOO_BIG)


def reason(exc: Exception, line: bytes) -> str:
    """The load problem's reason for a line orjson rejected."""
    msg = str(exc)
    if b"\x00" in line:
        return "invalid JSON: NUL byte in the line"
    if "utf-8" in msg.lower() or "surrogate" in msg.lower():
        return "invalid UTF-8: bytes that are not text"
    if "recursion" in msg.lower():
        return "invalid JSON: nested too deeply"
    return f"invalid JSON: {msg.split(':', 1)[0]}"


def loads(raw: bytes) -> Any:
    """One JSON value as the readers read it: orjson, or for a number beyond a double the careful parser.

    Raises ``ValueError`` (orjson's error, or ``Rejected``) when it cannot be read.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if not too_big(exc):
            raise
        return loads_careful(raw)[0]


def _int(text: str) -> Any:
    # As orjson: a 64-bit integer stays an int, a larger one becomes a float; only
    # what no float holds is kept as written (int() refuses over 4,300 digits anyway).
    if len(text) < 21:
        value = int(text)
        if _I64_MIN <= value <= _U64_MAX:
            return value
    as_float = float(text)
    return BigNumber(text) if as_float in (float("inf"), float("-inf")) else as_float


def _float(text: str) -> Any:
    value = float(text)
    return BigNumber(text) if value in (float("inf"), float("-inf")) else value


def _constant(name: str) -> Any:
    raise Rejected("invalid JSON: unexpected character")  # NaN and Infinity, as orjson says


class _Pairs:
    """An object_pairs_hook that notes every key an object repeats."""

    def __init__(self) -> None:
        self.repeated: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) < len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen and key not in self.repeated:
                    self.repeated.append(key)
                seen.add(key)
        return obj


def loads_careful(raw: bytes | str) -> tuple[Any, list[str]]:
    """The value (numbers beyond a double kept as ``BigNumber``) and the keys some object repeats.

    Raises ``Rejected`` with the reason orjson's path would give.
    """
    pairs = _Pairs()
    try:
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant, object_pairs_hook=pairs)
    except Rejected:
        raise
    except UnicodeDecodeError:
        raise Rejected("invalid UTF-8: bytes that are not text") from None
    except RecursionError:
        raise Rejected("invalid JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        if "\x00" in exc.doc:
            raise Rejected("invalid JSON: NUL byte in the line") from None
        raise Rejected(f"invalid JSON: {exc.msg}") from None
    if ("\\ud" in text or "\\uD" in text) and _has_lone_surrogate(value):
        # Python's parser accepts an unpaired \ud800; orjson and every UTF-8 writer do not.
        raise Rejected("invalid UTF-8: bytes that are not text")
    return value, pairs.repeated


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def repeated_keys(raw: bytes | str) -> list[str]:
    """The keys some object in this JSON text repeats (exact; for lines a ``KeyCheck`` flagged)."""
    try:
        return loads_careful(raw)[1]
    except Rejected:
        return []


# --- counting keys cheaply ------------------------------------------------------

_QUOTE, _BACKSLASH, _COLON, _SPACE = 34, 92, 58, 32


def raw_keys(buf: bytes | bytearray | memoryview) -> int:
    """How many keys the JSON values in ``buf`` write, counted on their bytes; never fewer.

    A key's colon is the first thing after its closing quote (whitespace
    aside); a colon in a string never follows an unescaped quote, except
    right after the opening quote of a string that starts with one, which
    counts too. So the count is the number of keys written, or a little
    more: only "equal" is trusted.
    """
    arr = np.frombuffer(buf, np.uint8)
    colons = np.flatnonzero(arr == _COLON)
    colons = colons[colons > 0]
    before = colons - 1
    spaced = arr[before] <= _SPACE
    while spaced.any():  # "key" : value, or a pretty-printed document: look past the whitespace
        before[spaced] -= 1
        spaced &= before >= 0
        spaced[spaced] = arr[before[spaced]] <= _SPACE
    before = before[before >= 0]
    quotes = before[arr[before] == _QUOTE]
    escaped = _escaped(arr, quotes)
    return len(quotes) - (int(np.count_nonzero(escaped)) if escaped is not None else 0)


def exact_raw_keys(buf: bytes | bytearray | memoryview) -> int:
    """How many keys valid JSON values write, exactly (for serialised parsed values, which must not be overcounted).

    Outside strings JSON has no quotes, so the unescaped quotes alternate:
    opening, closing; a key is a string whose closing quote is followed
    (after any whitespace) by a colon.
    """
    arr = np.frombuffer(buf, np.uint8)
    quotes = np.flatnonzero(arr == _QUOTE)
    if not len(quotes):
        return 0
    escaped = _escaped(arr, quotes)
    if escaped is not None:
        quotes = quotes[~escaped]
    after = quotes[1::2] + 1
    after = after[after < len(arr)]
    following = arr[after]
    spaced = following <= _SPACE
    if spaced.any():
        at = after[spaced]
        found = [following[~spaced]]
        while len(at):
            at = at + 1
            at = at[at < len(arr)]
            still = arr[at] <= _SPACE
            found.append(arr[at[~still]])
            at = at[still]
        following = np.concatenate(found)
    return int(np.count_nonzero(following == _COLON))


def _escaped(arr: np.ndarray, quotes: np.ndarray) -> np.ndarray | None:
    """Which quotes a backslash escapes: those after an odd run of backslashes."""
    if not len(quotes):
        return None
    behind = quotes[quotes > 0]
    candidates = np.flatnonzero(arr[behind - 1] == _BACKSLASH) + (len(quotes) - len(behind))
    if not len(candidates):
        return None
    start = quotes[candidates] - 1
    run = np.ones(len(candidates), np.int64)
    active = np.ones(len(candidates), bool)
    while active.any():
        back = start - run
        active &= back >= 0
        active[active] = arr[back[active]] == _BACKSLASH
        run += active
    escaped = np.zeros(len(quotes), bool)
    escaped[candidates] = (run & 1) == 1
    return escaped


class KeyCheck:
    """Whether parsed objects hold every key their bytes write; any fewer means a key was repeated.

    The objects' keys are counted without walking them: the top level in one
    C-level pass, and the fields that hold objects or lists (learned from the
    data, since a schema is mostly the same line after line) by serialising
    just those values and counting their keys as the bytes' are counted. A
    field not yet learned makes the count come out low, never high: the
    chunk is then counted exactly once, and the field learned.
    """

    def __init__(self) -> None:
        self.nested: set[str] = set()

    def holds_all(self, raw: bytes | memoryview, objs: list[Any]) -> bool:
        written = raw_keys(raw)
        if set(map(type, objs)) != _DICT:
            return written == exact_keys(objs)
        if written == self._parsed(objs, _flat_keys):
            return True
        # Count again with every nested value serialised, after learning which fields nest.
        for obj in objs:
            self.nested.update(k for k, v in obj.items() if type(v) is dict or type(v) is list)
        return written == self._parsed(objs, _serialised_keys)

    def _parsed(self, objs: list[dict[str, Any]], nested_keys: Callable[[list[Any]], int]) -> int:
        total = sum(map(len, objs))
        for key in self.nested:
            total += nested_keys([o.get(key) for o in objs])
        return total


def _flat_keys(values: list[Any]) -> int:
    """Keys of one field's values when they are lists of objects (chat turns, annotator
    labels), counted in C one level deep: a lower bound, exact for flat turns."""
    if set(map(type, values)) <= _LIST_OR_NONE:
        items = list(chain.from_iterable(filter(None, values)))
        if set(map(type, items)) <= _DICT:
            return sum(map(len, items))
    return _serialised_keys(values)


def _serialised_keys(values: list[Any]) -> int:
    """Keys of one field's values at every depth, counted on their serialised bytes."""
    return exact_raw_keys(orjson.dumps(values))


_LIST_OR_NONE = {list, type(None)}
_DICT = {dict}


def exact_keys(objs: Iterable[Any]) -> int:
    """Keys of these values at every depth, walked one by one (for the rare cases)."""
    n = 0
    stack = list(objs)
    while stack:
        item = stack.pop()
        if type(item) is dict:
            n += len(item)
            stack.extend(v for v in item.values() if type(v) is dict or type(v) is list)
        elif type(item) is list:
            stack.extend(v for v in item if type(v) is dict or type(v) is list)
    return n
