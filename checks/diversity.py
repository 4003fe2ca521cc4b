"""Output diversity: how many outputs are distinct, and which repeat across inputs."""

from __future__ import annotations

import re

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

SHOWN = 5  # most repeated outputs listed in the metrics
PREVIEW = 100  # characters of an output shown in the metrics


@dataclass(frozen=True)
class Repeated:
    output_key: int
    records: list[int]  # indices of records giving this output
    distinct_inputs: int


@dataclass(frozen=True)
class Diversity:
    n: int
    distinct_outputs: int
    repeated: list[Repeated]  # outputs given by two or more records, most records first

    @property
    def distinct_share(self) -> float:
        return self.distinct_outputs / self.n if self.n else 1.0

    def templates(self, min_inputs: int) -> list[Repeated]:
        """Outputs given for at least ``min_inputs`` different inputs."""
        return [r for r in self.repeated if r.distinct_inputs >= min_inputs]

    def to_metrics(self, outputs: Sequence[str], ids: Sequence[Any]) -> dict[str, Any]:
        return {
            "distinct_output_share": round(self.distinct_share, 4),
            "top_outputs": [
                {
                    "output": preview(outputs[r.records[0]]),
                    "count": len(r.records),
                    "distinct_inputs": r.distinct_inputs,
                    "example_id": ids[r.records[0]],
                }
                for r in self.repeated[:SHOWN]
            ],
        }


def diversity(output_keys: Sequence[int], input_keys: Sequence[int], skip: set[int] | None = None) -> Diversity:
    """Group records by output key; ``skip`` holds keys (e.g. the empty output's) left to other checks."""
    by_output: dict[int, list[int]] = defaultdict(list)
    for index, key in enumerate(output_keys):
        by_output[key].append(index)
    skip = skip or set()
    repeated = [
        Repeated(key, members, len({input_keys[i] for i in members}))
        for key, members in by_output.items()
        if len(members) > 1 and key not in skip
    ]
    repeated.sort(key=lambda r: (-len(r.records), r.records[0]))
    return Diversity(n=len(output_keys), distinct_outputs=len(by_output), repeated=repeated)


def templated_within(
    output_keys: Sequence[int], input_keys: Sequence[int], group_of: Sequence[int], exempt: Sequence[bool], min_inputs: int, skip: set[int]
) -> list[Repeated]:
    """Outputs given for at least ``min_inputs`` different inputs of one task group, most records first.

    Records of ``exempt`` groups (labels, short answers: repeats by design) and
    ``skip`` keys are left out. Within a group: a multi-task set renders one
    source text under several prompts, and the one summary it gets under each
    answers its own input.
    """
    by_output: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, (key, group) in enumerate(zip(output_keys, group_of)):
        if not exempt[index] and key not in skip:
            by_output[(key, group)].append(index)
    found = [
        Repeated(key, members, distinct)
        for (key, _), members in by_output.items()
        if len(members) >= min_inputs and (distinct := len({input_keys[i] for i in members})) >= min_inputs
    ]
    found.sort(key=lambda r: (-len(r.records), r.records[0]))
    return found


_WORD = re.compile(r"\w+")
ECHO_SHARE = 0.5  # an output whose words are half in its input restates that input (from three words on)


def echoes_inputs(output: str, inputs: Sequence[str]) -> bool:
    """Whether a repeated output restates its inputs: at least half its words are in at least half the inputs.

    One answer given to paraphrases of one request ("List the files in the
    current directory." / "Show the files in this directory" -> "The files in
    the current directory are: shell('ls').") answers each of them; a canned
    reply ("Thank you, we will get back to you.") shares nothing with the inputs.
    """
    words = set(_WORD.findall(output.lower()))
    if len(words) < 3:
        return False  # "Yes." is in many inputs without restating any
    restating = sum(len(words & set(_WORD.findall(text.lower()))) >= ECHO_SHARE * len(words) for text in inputs)
    return restating >= ECHO_SHARE * len(inputs)


def preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"
