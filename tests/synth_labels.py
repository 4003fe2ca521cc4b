"""A seeded classification set from real text, with a known share of flipped labels.

The label is the source a real input comes from, so the input really predicts
it: grade-school maths questions (GSM8K train), code instructions (Code
Alpaca 2k: instruction and input), role-play prompts (GPTeacher role-play)
and a user's first turn of a conversation (HH-RLHF harmless test, the
"Human:" turn only, so no shared template wording marks the source). A
seeded draw picks ``per_label`` inputs of each source, then flips the label of
``flip`` of the records to another label, uniformly: those are the label
errors a detector must find; ``flip=0`` gives the clean twin.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LABELS = ("math", "code", "roleplay", "conversation")


@dataclass(frozen=True)
class Flipped:
    records: list[dict[str, Any]]
    flipped: frozenset[str]  # ids whose label was flipped


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:  # not splitlines: texts hold U+2028
        return [json.loads(line) for line in lines if line.strip()]


def _first_turn(dialogue: str) -> str:
    turn = re.split(r"\n\nAssistant:", dialogue, maxsplit=1)[0]
    return turn.replace("Human:", "").strip()


def source_inputs(shared: Path) -> dict[str, list[str]]:
    """Distinct real inputs per label, in file order."""
    code = json.loads((shared / "codealpaca/code_alpaca_2k.json").read_text(encoding="utf-8"))
    texts = {
        "math": [r["question"] for r in _jsonl(shared / "gsm8k/train.jsonl")],
        "code": [(r["instruction"] + ("\n\n" + r["input"] if r["input"] else "")) for r in code],
        "roleplay": [r["instruction"] + ("\n\n" + r["input"] if r["input"] else "") for r in _jsonl(shared / "gpteacher/canonical_roleplay.jsonl")],
        "conversation": [_first_turn(r["instruction"]) for r in _jsonl(shared / "hh_rlhf_harmless_base_test/canonical.jsonl")],
    }
    return {label: [t for t in dict.fromkeys(v) if len(t.split()) >= 3] for label, v in texts.items()}


def flipped_set(shared: Path, per_label: int = 600, flip: float = 0.05, seed: int = 18) -> Flipped:
    rng = random.Random(seed)
    pools = source_inputs(shared)
    records: list[dict[str, Any]] = []
    for label in LABELS:
        for text in rng.sample(pools[label], per_label):
            records.append({"input": text, "output": label})
    rng.shuffle(records)
    for i, r in enumerate(records):
        r["id"] = f"r{i}"
    chosen = rng.sample(range(len(records)), round(flip * len(records)))
    for i in chosen:
        given = records[i]["output"]
        records[i]["output"] = rng.choice([x for x in LABELS if x != given])
    return Flipped(records, frozenset(records[i]["id"] for i in chosen))
