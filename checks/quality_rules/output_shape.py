"""The dataset-wide judgements of an output's shape: too short, cut off, an odd length.

Each rule needs evidence beyond the number it starts from (issue 17: a rule that
cries wolf is ignored):

- short output: fewer than ``min_output_words`` words, in a group whose outputs are
  not short by design, where the input asks for a piece of writing, an
  explanation or several things (``asks``); a label, a short answer, code or a
  tool call is a whole answer in a word or two;
- truncated output: the per-text evidence of ``truncation``, plus a length cap
  found in the data (``caps``: many outputs cut at one maximum length, in
  characters or in exactly counted tokens), minus the prose rule's flags in
  groups where unpunctuated endings are the house style;
- length outlier: far from its task group's lengths (``outliers``) and showing a
  problem (``lengths.evidence``): a text that repeats itself, an output holding
  several records, an input of a word or two, an output too short for its ask.

Only a few records are read back here (the prompts of short outputs, the texts of
outliers): ``prompts`` and ``texts`` are sequences indexed by record, so a
partitioned run reads those records by offset rather than holding every text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from checks.quality_rules.asks import asks_for_more, complete_by_shape
from checks.quality_rules.caps import find_cap
from checks.quality_rules.groups import members
from checks.quality_rules.lengths import evidence, outliers
from checks.quality_rules.truncation import CLOSED, OPEN

CAPPED = "cut at a length cap"


def group_medians(values: np.ndarray, grouping: Sequence[str] | None) -> dict[str, float]:
    """Median of ``values`` per group ('' for the whole set)."""
    if grouping is None:
        return {"": float(np.median(values))} if len(values) else {"": 0.0}
    return {g: float(np.median(values[idx])) for g, idx in members(grouping).items()}


def short_outputs(
    candidates: Sequence[int],
    out_words: np.ndarray,
    grouping: Sequence[str] | None,
    norm: int,
    prompts: Sequence[str],
    outputs: Sequence[str],
) -> list[int]:
    """Short outputs (``candidates``: fewer than min_output_words words) in groups whose median output has at
    least ``norm`` words, that are not whole by their shape (code, a number) and whose prompt asks for more.
    The texts are read only for the candidates the group norm keeps."""
    if not candidates:
        return []
    medians = group_medians(out_words, grouping)
    kept = [i for i in candidates if medians[grouping[i] if grouping is not None else ""] >= norm]
    return [i for i in kept if not complete_by_shape(outputs[i]) and asks_for_more(prompts[i])]


def styled_groups(
    out_end: np.ndarray, out_words: np.ndarray, grouping: Sequence[str] | None, min_words: int, share: float
) -> set[str]:
    """Groups ('' for the whole set) where more than ``share`` of the outputs of at least ``min_words`` words end
    without punctuation: headlines, chat lines, keyword lists end that way by design."""
    prose = out_words >= min_words
    open_ = (out_end == OPEN) & prose
    if grouping is None:
        return {""} if prose.any() and open_.sum() > share * prose.sum() else set()
    styled = set()
    for g, idx in members(grouping).items():
        total = int(prose[idx].sum())
        if total and int(open_[idx].sum()) > share * total:
            styled.add(g)
    return styled


@dataclass
class CapFound:
    measure: str  # "characters" or the token counting's name
    length: int
    group: str | None  # None: found over the whole set
    records: list[int] = field(default_factory=list)  # the capped outputs (those that do not end closed)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"measure": self.measure, "length": self.length, "outputs": len(self.records)}
        if self.group is not None:
            out["group"] = self.group
        return out


def capped_outputs(
    measures: Sequence[tuple[str, np.ndarray]],
    out_end: np.ndarray,
    out_words: np.ndarray,
    grouping: Sequence[str] | None,
    min_words: int,
) -> list[CapFound]:
    """Length caps over the whole set, then within each group that the whole-set search did not explain.

    ``measures`` are (name, per-record output length) pairs: characters, and tokens when counted exactly.
    """
    ends_open = out_end != CLOSED
    found: list[CapFound] = []
    # The whole set first, on the columns themselves (no index or copies of every record: a partitioned run's
    # driver judges ten million here), then each group of ten or more.
    scopes: list[tuple[str | None, np.ndarray | None]] = [(None, None)]
    if grouping is not None:
        scopes += [(g, idx) for g, idx in members(grouping).items() if len(idx) >= 10]
    taken = np.zeros(len(out_end), dtype=bool)
    for group, idx in scopes:
        for name, lengths in measures:
            if idx is None:
                cap = find_cap(lengths, ends_open, out_words, min_words)
            else:
                cap = find_cap(lengths[idx], ends_open[idx], out_words[idx], min_words)
            if cap is None:
                continue
            pile = cap.members if idx is None else idx[cap.members]
            if group is not None and taken[pile].all():
                continue  # the whole-set cap already explains this group's pile
            records = pile[ends_open[pile]]
            taken[pile] = True
            found.append(CapFound(name, cap.length, group, sorted(records.tolist())))
    return found


@dataclass
class Outliers:
    """Length outliers worth a look, per (side, direction), with what each shows."""

    flagged: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    shows: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    natural: int = 0  # outliers whose length is natural for their task (not reported)
    medians: dict[str, list[float]] = field(default_factory=dict)  # per side, each group's median length


def length_outliers(
    sides: Sequence[tuple[str, np.ndarray, Sequence[str]]],
    prompts: Sequence[str],
    parts: dict[str, np.ndarray],
    z: float,
    stub_words: int,
) -> Outliers:
    """``sides``: (side name, lengths, texts) for inputs and outputs; ``parts``: the records of each group."""
    result = Outliers()
    for side, lengths, texts in sides:
        for idx in parts.values():
            long_, short, median = outliers(lengths[idx], z)
            result.medians.setdefault(side, []).append(median)
            for direction, found in (("longer", long_), ("shorter", short)):
                for i in idx[found].tolist():
                    why = evidence(side, direction, texts[i], prompts[i], stub_words)
                    if why is None:
                        result.natural += 1
                        continue
                    result.flagged.setdefault((side, direction), []).append(i)
                    result.shows.setdefault((side, direction), Counter())[why] += 1
    for indices in result.flagged.values():
        indices.sort()
    return result
