"""The one pass over every text, in chunks, with the rules' gates run on whole chunks.

Most rules fire on a tiny share of records, and each has a *gate*: a substring
or a pattern that any text it fires on must contain ('@' for an e-mail, a long
digit run for a card or phone number, "sorry" ... for a refusal). Joining a
chunk of texts into one string and searching it for each gate costs one C-level
scan per gate instead of one Python call per text and rule; only the records a
gate hit are then judged by the full rule. The cheap per-record rules (empty,
short, truncated) run in a plain loop.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, AnyStr, Generic

import numpy as np

from auditor.privacy import pii
from checks.quality_rules import encoding
from checks.quality_rules.encoding import damage_kind
from checks.quality_rules.harm import harm_cues
from checks.quality_rules.language import detected_language
from checks.quality_rules.phrases import UPPER_WORDS, PhraseList, boilerplate, lowered, refusals, voice
from checks.quality_rules.shapes import SHAPE
from checks.quality_rules.truncation import truncation_reason

#: Bytes a multi-needle search reads per call (see ``_Haystack.containing_each``).
_WINDOW = 1 << 20
#: Matches in one window beyond which the last text hit is settled on its own (see ``containing_each``).
_DENSE = 1 << 14
CHUNK = 20_000  # records per joined string: large enough to amortise, small enough to stay in cache-friendly memory
_SEP = "\n"  # no gate needle contains a newline, so no gate hit can span two records


@dataclass
class ScanResult:
    """Record indices per rule, as the scan found them."""

    empty_in: list[int] = field(default_factory=list)
    empty_out: list[int] = field(default_factory=list)
    short_candidates: list[int] = field(default_factory=list)
    truncated: dict[str, list[int]] = field(default_factory=dict)
    refusals: list[int] = field(default_factory=list)  # every output holding a refusal phrase
    refusal_voice: list[int] = field(default_factory=list)  # ... of them, those speaking as an AI model
    refusal_harmful: list[int] = field(default_factory=list)  # ... of them, those whose request looks harmful
    boilerplate: list[int] = field(default_factory=list)  # placeholders the input does not give
    boilerplate_given: list[int] = field(default_factory=list)  # placeholders the input gives as the task's data
    pii: dict[str, list[int]] = field(default_factory=dict)
    pii_sides: Counter[str] = field(default_factory=Counter)
    pii_not_personal: Counter[str] = field(default_factory=Counter)  # "kind:reason" -> records holding such values
    encoding: dict[str, list[int]] = field(default_factory=dict)
    language: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ScanOptions:
    refusal_phrases: Sequence[str] = ()
    boilerplate_phrases: Sequence[str] = ()
    pii_kinds: frozenset[str] = frozenset(pii.ALL_KINDS)
    language: str = ""
    min_output_words: int = 3
    truncation_min_words: int = 3


class _Haystack(Generic[AnyStr]):
    """Many texts joined into one string (or bytes), mapping positions back to texts."""

    def __init__(self, big: AnyStr, starts: list[int]) -> None:
        self.big: AnyStr = big
        # starts[k] is where text k begins; the sentinel lets "next start" work for the last one.
        self.starts = starts

    def containing(self, needles: Iterable[AnyStr]) -> set[int]:
        """Indices of the texts containing any of ``needles``."""
        needles = tuple(needles)
        big: AnyStr = self.big
        if isinstance(big, bytes):
            return self.containing_each([needles])[0]  # type: ignore[list-item]
        hits: set[int] = set()
        starts, last = self.starts, len(self.starts) - 1
        for needle in needles:
            pos = big.find(needle)
            while pos != -1:
                k = bisect_right(starts, pos) - 1
                hits.add(k)
                pos = big.find(needle, starts[k + 1]) if k + 1 < last else -1
        return hits

    def containing_each(self, groups: Sequence[Sequence[bytes]]) -> list[set[int]]:
        """For each group of needles, the indices of the texts containing one of them: one
        Aho-Corasick pass for all groups, a window at a time.

        The library returns every match as a list, so a text made of one needle repeated
        (50 MB of '@') would build millions of tuples at once: a window bounds the list,
        and once the last text a window hit holds a needle of every group, the search goes
        on after it. Matches may overlap (none hides another, even across the separator),
        and windows overlap by a needle's length less one, so a match across a window's
        end is found in the next window.
        """
        needles = [n for group in groups for n in group]
        hits: list[set[int]] = [set() for _ in groups]
        if not needles:
            return hits
        owners = np.repeat(np.arange(len(groups)), [len(group) for group in groups])
        wanted = [g for g, group in enumerate(groups) if group]
        automaton = _automaton(tuple(needles))
        overlap = max(map(len, needles)) - 1
        big = self.big
        assert isinstance(big, bytes)  # the multi-needle search runs on the byte haystacks only
        view, size, starts = memoryview(big), len(big), self.starts
        pos = 0
        while pos < size:
            end = min(size, pos + _WINDOW)
            found = automaton.find_matches_as_indexes(view[pos:end], overlapping=True)
            nxt = end - overlap if end < size else size
            if found:
                matches = np.array(found, dtype=np.int64).reshape(-1, 3)
                texts = np.searchsorted(starts, matches[:, 1] + pos, side="right") - 1
                pairs = np.unique(texts * len(groups) + owners[matches[:, 0]])
                for text, group in (divmod(key, len(groups)) for key in pairs.tolist()):
                    hits[group].add(text)
                last = int(texts.max())
                settled = all(last in hits[g] for g in wanted)
                if not settled and len(found) > _DENSE:  # a text repeating a needle: settle it group by group
                    for g in wanted:
                        if last not in hits[g] and self._holds(groups[g], starts[last], starts[last + 1] - 1):
                            hits[g].add(last)
                    settled = True
                if settled:  # nothing left to learn about it
                    nxt = max(nxt, starts[last + 1])
            pos = nxt
        return hits

    def _holds(self, needles: Sequence[bytes], start: int, end: int) -> bool:
        """Whether ``big[start:end]`` holds one of ``needles`` (stops at the first window that does)."""
        automaton = _automaton(tuple(needles))
        overlap = max(map(len, needles)) - 1
        big = self.big
        assert isinstance(big, bytes)
        view = memoryview(big)
        pos = start
        while pos < end:
            stop = min(end, pos + _WINDOW)
            if automaton.find_matches_as_indexes(view[pos:stop], overlapping=True):
                return True
            pos = stop - overlap if stop < end else end
        return False

    def matching(self, pattern: re.Pattern[AnyStr]) -> set[int]:
        """Indices of the texts in which ``pattern`` matches (no pattern here matches the separator)."""
        hits: set[int] = set()
        big, starts, last = self.big, self.starts, len(self.starts) - 1
        m = pattern.search(big)
        while m is not None:
            k = bisect_right(starts, m.start()) - 1
            hits.add(k)
            m = pattern.search(big, starts[k + 1]) if k + 1 < last else None
        return hits


@lru_cache(maxsize=16)
def _automaton(needles: tuple[bytes, ...]) -> Any:
    import ahocorasick_rs

    return ahocorasick_rs.BytesAhoCorasick(needles)


def _starts(lengths: Iterable[int]) -> list[int]:
    # Each text is followed by a one-character separator.
    ends = np.cumsum(np.fromiter(lengths, dtype=np.int64) + 1)
    return [0, *ends.tolist()]


class _Chunk:
    """A chunk of texts in the forms the gates search: as is, lowered, as UTF-8, as shapes."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self.text = _Haystack(_SEP.join(texts), _starts(map(len, texts)))
        self.ascii = self.text.big.isascii()
        self._low: _Haystack[bytes] | None = None
        self._utf8: _Haystack[bytes] | None = None
        self._shape: _Haystack[bytes] | None = None

    @property
    def low(self) -> _Haystack[bytes]:
        """The texts as UTF-8 with ASCII letters lowered: bytes.lower is ten times faster than
        str.lower on non-ASCII text and keeps every offset; gate needles are ASCII words."""
        if self._low is None:
            self._low = _Haystack(self.utf8.big.lower(), self.utf8.starts)
        return self._low

    @property
    def utf8(self) -> _Haystack[bytes]:
        if self._utf8 is None:
            if self.ascii:  # byte offsets are character offsets
                self._utf8 = _Haystack(self.text.big.encode("ascii"), self.text.starts)
            else:
                encoded = [t.encode("utf-8", "surrogatepass") for t in self.texts]
                self._utf8 = _Haystack(_SEP.encode().join(encoded), _starts(map(len, encoded)))
        return self._utf8

    @property
    def shape(self) -> _Haystack[bytes]:
        if self._shape is None:
            self._shape = _Haystack(self.utf8.big.translate(SHAPE), self.utf8.starts)
        return self._shape


def _any_case(word: str) -> list[str]:
    """Every ASCII upper/lower spelling of ``word``: a case-insensitive needle for a case-sensitive search."""
    spellings = [""]
    for c in word:
        spellings = [s + v for s in spellings for v in dict.fromkeys((c.lower(), c.upper()))]
    return spellings


# What the personal-data rule's gate looks for in a text's UTF-8 bytes (all ASCII but one,
# so the texts hit are the texts whose str holds them): its needles, and the assigned key's
# name in every case (_key, _Token, ...), with the Kelvin sign a case-insensitive K also matches.
_PII_NEEDLES: tuple[bytes, ...] = (
    *(n.encode() for n in pii.GATE_NEEDLES),
    *(v.encode() for name in pii.KEY_NAMES for v in _any_case("_" + name)),
    "\u212a".encode(),
)
_UPPER_NEEDLES: tuple[bytes, ...] = tuple(w.encode() for w in UPPER_WORDS)


def _utf8_gates(chunk: _Chunk, outputs: bool) -> tuple[set[int], set[int], set[int]]:
    """The texts the personal-data, encoding and (outputs) upper-case placeholder needles hit:
    one pass over the chunk's UTF-8 bytes for all three."""
    damaged = encoding.GATE_UTF8_NEEDLES if not chunk.ascii else ()  # ASCII text holds none of them
    pii_hits, damage_hits, upper_hits = chunk.utf8.containing_each([_PII_NEEDLES, damaged, _UPPER_NEEDLES if outputs else ()])
    return pii_hits | chunk.shape.matching(pii.GATE_SHAPE), damage_hits | chunk.shape.containing([encoding.GATE_SHAPE_NEEDLE]), upper_hits


def _phrase_gates(chunk: _Chunk, lists: Sequence[PhraseList], upper: set[int]) -> list[set[int]]:
    """The texts each phrase list's gate lets through (``upper``: the texts holding an upper-case placeholder word)."""
    needles = [phrases.needles for phrases in lists]
    if all(n.isascii() for group in needles for n in group):
        hits = chunk.low.containing_each([[n.encode() for n in group] for group in needles])
    else:  # a team's phrase with non-ASCII letters: lowered per text, the slow but exact way
        lows = [lowered(t) for t in chunk.texts]
        low = _Haystack(_SEP.join(lows), _starts(map(len, lows)))
        hits = [low.containing(group) for group in needles]
    for k, phrases in enumerate(lists):
        if phrases.upper_words:
            hits[k] |= upper
    return hits


@dataclass(frozen=True)
class _Lists:
    refusals: PhraseList
    voice: PhraseList
    boilerplate: PhraseList


def scan(
    inputs: Sequence[str],
    outputs: Sequence[str],
    options: ScanOptions,
    advance: Callable[[int], None] = lambda n: None,
) -> ScanResult:
    """Run every per-text rule over all records; indices in the result are record indices."""
    result = ScanResult()
    lists = _Lists(refusals(options.refusal_phrases), voice(), boilerplate(options.boilerplate_phrases))
    for offset in range(0, len(outputs), CHUNK):
        ins = inputs[offset : offset + CHUNK]
        outs = outputs[offset : offset + CHUNK]
        _scan_chunk(ins, outs, offset, options, lists, result)
        advance(len(outs))
    return result


def _scan_chunk(
    ins: Sequence[str],
    outs: Sequence[str],
    offset: int,
    options: ScanOptions,
    lists: _Lists,
    result: ScanResult,
) -> None:
    joined_in, joined_out = _Chunk(ins), _Chunk(outs)
    min_words = options.min_output_words
    probe = 3 * min_words  # words are only counted exactly in outputs with few spaces
    trunc_words = options.truncation_min_words
    empty_in, empty_out, short, truncated = result.empty_in, result.empty_out, result.short_candidates, result.truncated
    for k, (inp, out) in enumerate(zip(ins, outs)):
        if not inp or inp.isspace():
            empty_in.append(offset + k)
        if not out or out.isspace():
            empty_out.append(offset + k)
            continue
        if out.count(" ") < probe and len(out.split()) < min_words:
            short.append(offset + k)
        reason = truncation_reason(out, trunc_words, inp)
        if reason is not None:
            truncated.setdefault(reason, []).append(offset + k)

    gate_in, damaged_in, _ = _utf8_gates(joined_in, outputs=False)
    gate_out, damaged_out, upper_out = _utf8_gates(joined_out, outputs=True)
    refusal_gate, boilerplate_gate = _phrase_gates(joined_out, (lists.refusals, lists.boilerplate), upper_out)
    for k in sorted(refusal_gate):
        if lists.refusals.matches(outs[k]):
            # The reply and the request: speaking as an AI is the model's voice whatever was
            # asked, declining a request that looks harmful is the intended reply.
            result.refusals.append(offset + k)
            if lists.voice.matches(outs[k]):
                result.refusal_voice.append(offset + k)
            if harm_cues(ins[k]):
                result.refusal_harmful.append(offset + k)
    for k in sorted(boilerplate_gate):
        if lists.boilerplate.matches(outs[k]):
            given = lists.boilerplate.given_by(outs[k], ins[k])
            (result.boilerplate_given if given else result.boilerplate).append(offset + k)

    for k in sorted(damaged_in | damaged_out):
        kind = damage_kind(ins[k]) or damage_kind(outs[k])
        if kind is not None:
            result.encoding.setdefault(kind, []).append(offset + k)

    wanted = options.pii_kinds
    for k in sorted(gate_in | gate_out):
        hits_in = pii.find(ins[k], wanted) if k in gate_in else []
        hits_out = pii.find(outs[k], wanted) if k in gate_out else []
        found_in = {h.kind for h in hits_in if h.reason is None}
        found_out = {h.kind for h in hits_out if h.reason is None}
        for kind in sorted(found_in | found_out):
            result.pii.setdefault(kind, []).append(offset + k)
        for kind in found_in:
            result.pii_sides[f"{kind}:input"] += 1
        for kind in found_out:
            result.pii_sides[f"{kind}:output"] += 1
        result.pii_not_personal.update({f"{h.kind}:{h.reason}" for h in (*hits_in, *hits_out) if h.reason is not None})

    if options.language:
        for k, (inp, out) in enumerate(zip(ins, outs)):
            lang = detected_language(out, options.language) or detected_language(inp, options.language)
            if lang is not None:
                result.language.setdefault(lang, []).append(offset + k)


def merge(parts: Sequence[ScanResult], starts: Sequence[int]) -> ScanResult:
    """Scans of consecutive partitions as one scan of them all; ``starts[k]`` is partition k's first record.

    Every list holds ascending indices and every dict gains its keys in record
    order, so appending in partition order gives exactly what one scan gives.
    """
    out = ScanResult()
    for part, start in zip(parts, starts):
        out.empty_in += [start + i for i in part.empty_in]
        out.empty_out += [start + i for i in part.empty_out]
        out.short_candidates += [start + i for i in part.short_candidates]
        for name in ("refusals", "refusal_voice", "refusal_harmful", "boilerplate", "boilerplate_given"):
            getattr(out, name).extend(start + i for i in getattr(part, name))
        for mine, theirs in ((out.truncated, part.truncated), (out.pii, part.pii), (out.encoding, part.encoding), (out.language, part.language)):
            for key, indices in theirs.items():
                mine.setdefault(key, []).extend(start + i for i in indices)
        out.pii_sides.update(part.pii_sides)
        out.pii_not_personal.update(part.pii_not_personal)
    return out


def options_from(cfg: dict[str, Any]) -> ScanOptions:
    return ScanOptions(
        refusal_phrases=tuple(cfg["refusal_phrases"]),
        boilerplate_phrases=tuple(cfg["boilerplate_phrases"]),
        pii_kinds=frozenset(cfg["pii_kinds"]),
        language=str(cfg["language"]),
        min_output_words=int(cfg["min_output_words"]),
        truncation_min_words=int(cfg["truncation_min_words"]),
    )
