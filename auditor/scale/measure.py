"""The map of pass one: a partition's records become compact per-record numbers, and no text.

Per record: its id, line and byte span, 128-bit hashes of the normalised
input, output and loosened output (trailing punctuation off: contradictions),
the normalised output's word count (the task-type guess), the grouping
columns dictionary-encoded, and the quality measures of ``checks.quality``
(the per-text scan and the per-record lengths and token counts). About 100
bytes a record, against the 3-4 KB the in-memory engine holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from auditor.records import LoadProblem
from auditor.scale.partitions import Layout, Partition, read
from auditor.text import Normalizer, hash_rows, loose
from checks.quality import Measures, measure
from checks.quality_rules.tokens import counter_for


@dataclass(frozen=True)
class MeasureJob:
    """What every partition of pass one is measured with (picklable: it travels to the workers)."""

    layout: Layout
    normalizer: Normalizer
    quality: dict[str, Any]  # the config's quality section
    token_budget: int  # resolved on the driver (quality.max_tokens or the model family's context)


@dataclass
class Encoded:
    """A column as small integer codes into its distinct values."""

    codes: np.ndarray  # int32 per record
    values: list[Any]

    @classmethod
    def of(cls, column: list[Any]) -> Encoded:
        index: dict[Any, int] = {}
        codes = np.fromiter((index.setdefault(_hashable(v), len(index)) for v in column), np.int32, len(column))
        return cls(codes, list(index))


def _hashable(value: Any) -> Any:
    """The value, or its text when it cannot be a dict key; grouping reads str(value) either way."""
    try:
        hash(value)
    except TypeError:
        return str(value)
    return value


@dataclass
class PartFeatures:
    number: int
    ids: list[Any]
    lines: np.ndarray
    offsets: np.ndarray
    lengths: np.ndarray
    input_hash: np.ndarray  # (n, 2) uint64: the 128-bit hash of the normalised input, high word first
    output_hash: np.ndarray
    loose_hash: np.ndarray  # of the normalised output without trailing punctuation
    norm_output_words: np.ndarray  # words of the normalised output, as features.task_type counts them
    categories: Encoded | None
    extra: dict[str, Encoded]
    quality: Measures
    problems: list[LoadProblem] = field(default_factory=list)
    blank_lines: int = 0

    def __len__(self) -> int:
        return len(self.ids)


def words_of(norm: Normalizer, texts: list[str]) -> np.ndarray:
    """Word counts of normalised texts, as ``features.task_type`` counts them."""
    if norm.whitespace:  # single spaces only: counting them is splitting, without the lists
        return np.fromiter((t.count(" ") + 1 if t else 0 for t in texts), np.int64, len(texts))
    return np.fromiter((len(t.split()) for t in texts), np.int64, len(texts))


def measure_partition(part: Partition, job: MeasureJob) -> PartFeatures:
    got = read(part, job.layout)
    data = got.data
    norm = job.normalizer
    norm_out = norm.many(data.outputs)  # kept: the loosened outputs and the word counts need them
    out_bytes = [t.encode("utf-8", "surrogatepass") for t in norm_out]
    loose_bytes = [loose(t).encode("utf-8", "surrogatepass") for t in norm_out]
    counter = counter_for(str(job.quality["tokenizer"]), str(job.quality["model_family"]))  # once per worker process
    measured = measure(data.inputs, data.outputs, data.messages, job.quality, counter, job.token_budget)
    return PartFeatures(
        number=part.number,
        ids=data.ids,
        lines=np.asarray(data.lines, np.int64),
        offsets=got.offsets,
        lengths=got.lengths,
        input_hash=norm.hashes(data.inputs),
        output_hash=hash_rows(out_bytes, len(out_bytes)),
        loose_hash=hash_rows(loose_bytes, len(loose_bytes)),
        norm_output_words=words_of(norm, norm_out),
        categories=Encoded.of(data.categories) if data.categories is not None else None,
        extra={k: Encoded.of(v) for k, v in data.extra.items()},
        quality=measured,
        problems=data.problems,
        blank_lines=got.blank_lines,
    )
