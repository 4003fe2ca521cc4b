"""Recall of the truncation rule on cuts planted in real text, and its false alarms on the clean twin.

Real outputs from the shared sets (role-play and assistant answers that end on a
full stop, code answers, question-answer records written as JSON) are cut the way
real exports and generations cut them, one kind at a time, in a seeded sample:

- mid-word: a tenth of the prose answers cut inside a word, somewhere in their
  last 70 %; the rest stay whole (a set where every answer is cut would be a
  house style, not a defect);
- at a cap: every prose answer longer than the 60th percentile of their lengths
  cut at that length, as a generation or export limit does;
- unclosed fence: a tenth of the code answers, in a Markdown fence, cut inside the block;
- unclosed JSON: a tenth of the JSON records cut inside the document.

Each kind must be found in at least 90 % of its cuts, and the same records uncut
(the clean twin) must be flagged at most 1 % of the time. Skipped without the
shared datasets.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import pytest

from checks.quality import QualityCheck
from tests.conftest import SHARED_DATASETS
from tests.helpers import make_context, make_dataset

SEED = 1717
MIN_RECALL = 0.9
MAX_CLEAN_FLAGGED = 0.01


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def _prompt(row: dict[str, Any]) -> str:
    return "\n\n".join(str(row[k]) for k in ("instruction", "input") if row.get(k)) or str(row.get("prompt", ""))


@pytest.fixture(scope="module")
def real() -> dict[str, list[tuple[str, str]]]:
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not present at {SHARED_DATASETS}")
    return real_texts(SHARED_DATASETS)


def real_texts(shared: Path) -> dict[str, list[tuple[str, str]]]:
    """Seeded samples of real (prompt, output) pairs: prose answers, code answers in a fence, JSON records."""
    rng = random.Random(SEED)
    prose: list[tuple[str, str]] = []
    for rel in ("gpteacher/canonical_roleplay.jsonl", "hh_rlhf_harmless_base_test/canonical.jsonl"):
        rows = [r for r in _rows(shared / rel) if len(str(r.get("output", ""))) >= 200 and str(r["output"]).rstrip()[-1:] in ".!?"]
        rng.shuffle(rows)
        prose += [(_prompt(r), str(r["output"]).strip()) for r in rows[:500]]
    code_rows = [r for r in _rows(shared / "gpteacher/canonical_codegen.jsonl") if "\n" in str(r["output"]) and "```" not in str(r["output"])]
    rng.shuffle(code_rows)
    code = [(_prompt(r), f"Here is the code:\n\n```\n{str(r['output']).strip()}\n```") for r in code_rows[:500]]
    qa_rows = _rows(shared / "gsm8k/train.jsonl")
    rng.shuffle(qa_rows)
    documents = [
        ("Return the record as JSON.", json.dumps({"question": r["question"], "answer": r["answer"]}, indent=2)) for r in qa_rows[:500]
    ]
    return {"prose": prose, "code": code, "json": documents}


def _truncated_ids(pairs: list[tuple[str, str]]) -> set[int]:
    result = QualityCheck().run(make_context(make_dataset(pairs), task="generation"))
    return {i - 1 for f in result.findings if f.code == "QLT004" for i in f.ids}  # ids are 1-based positions


def _mid_word(text: str, rng: random.Random) -> str:
    spots = [m.start() + rng.randrange(1, len(m.group())) for m in re.finditer(r"[^\W\d_]{3,}", text) if m.start() > 0.3 * len(text)]
    return text[: rng.choice(spots)]


def _inside(text: str, start: int, end: int, rng: random.Random) -> str:
    return text[: rng.randrange(start + 1, end)]


def _plant(pairs: list[tuple[str, str]], cut: Any, rng: random.Random) -> tuple[list[tuple[str, str]], list[int]]:
    """A tenth of the records cut, the rest whole; returns the set and the cut positions."""
    chosen = sorted(rng.sample(range(len(pairs)), len(pairs) // 10))
    out = list(pairs)
    for i in chosen:
        out[i] = (pairs[i][0], cut(pairs[i][1], rng))
    return out, chosen


def _fence_cut(text: str, rng: random.Random) -> str:
    start = text.index("```") + 4
    return _inside(text, start, text.rindex("```") - 1, rng)


def _json_cut(text: str, rng: random.Random) -> str:
    return _inside(text, len(text) // 4, len(text) - 2, rng)


@pytest.mark.parametrize(
    ("kind", "source", "cut"),
    [("mid-word", "prose", _mid_word), ("unclosed fence", "code", _fence_cut), ("unclosed JSON", "json", _json_cut)],
)
def test_planted_cuts_are_found(real: dict[str, list[tuple[str, str]]], kind: str, source: str, cut: Any) -> None:
    rng = random.Random(f"{SEED}-{kind}")
    pairs, planted = _plant(real[source], cut, rng)
    found = _truncated_ids(pairs)
    recall = len(found & set(planted)) / len(planted)
    assert recall >= MIN_RECALL, f"{kind}: recall {recall:.3f} on {len(planted)} cuts"


def test_a_cap_is_found(real: dict[str, list[tuple[str, str]]]) -> None:
    prose = real["prose"]
    cap = sorted(len(out) for _, out in prose)[int(0.6 * len(prose))]
    pairs = [(q, out[:cap]) for q, out in prose]
    planted = [i for i, (_, out) in enumerate(prose) if len(out) > cap]
    found = _truncated_ids(pairs)
    recall = len(found & set(planted)) / len(planted)
    assert recall >= MIN_RECALL, f"cap at {cap} characters: recall {recall:.3f} on {len(planted)} cuts"


@pytest.mark.parametrize("source", ["prose", "code", "json"])
def test_clean_twin_is_rarely_flagged(real: dict[str, list[tuple[str, str]]], source: str) -> None:
    pairs = real[source]
    flagged = _truncated_ids(pairs)
    assert len(flagged) / len(pairs) <= MAX_CLEAN_FLAGGED, [pairs[i][1][-80:] for i in sorted(flagged)[:5]]
