"""Tiny inputs that trigger a finding code, and the runner the registry meta-test uses.

Each check family's test module (``tests/test_<check name>.py``) keeps a
``CODE_SAMPLES`` table: for every code the check declares, a few JSONL
records (plus config, side files) that make ``auditor.api.audit`` report it.
``tests/test_registry_samples.py`` walks the registry and fails for a code
without a row, so adding a code means adding its row next to the check's
other tests. The builders below keep the rows short.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from auditor.api import audit


@dataclass(frozen=True)
class Sample:
    """JSONL lines to audit, with config, a setup step and side files given to ``audit()``."""

    records: list[str]
    config: dict[str, Any] = field(default_factory=dict)
    setup: Callable[[pytest.MonkeyPatch], None] | None = None
    files: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # audit() keyword -> (file name, lines)


def lines(records: Sequence[dict[str, Any] | str]) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


def numbered(n: int, category: str | None = None, start: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(start, start + n):
        record: dict[str, Any] = {"id": f"s{i}", "input": f"distinct question number {i} about item {i * 7}", "output": f"answer {i}"}
        if category is not None:
            record["category"] = category
        out.append(record)
    return out


def with_odd(record: dict[str, Any], n: int = 40) -> list[str]:
    """``n`` plain generation records of varied length plus one odd record: context for medians and spreads."""
    plain = [
        {"id": f"s{i}", "input": f"Please explain topic number {i} in a few sentences. " + "It matters. " * (i % 9),
         "output": f"Topic {i} is explained here in a complete sentence with enough words to be normal."}
        for i in range(n)
    ]
    return lines([*plain, {"id": "odd", **record}])


LABELS = ("a", "b", "c", "d")


SUPPORT_TOPICS = (
    "refund for a broken kettle ordered last week",
    "parcel tracking stuck at the depot since monday",
    "password reset email never arrives in my inbox",
    "invoice shows value added tax twice on one order",
)


def topical(n: int, topics: Sequence[str] = SUPPORT_TOPICS, prefix: str = "t") -> list[dict[str, Any]]:
    """Support-style inputs on a few topics, each with its own reply."""
    return [
        {"id": f"{prefix}{i}", "input": f"{topics[i % len(topics)]} case {i} customer {i * 13}", "output": f"Reply {i}: we are on it, case {i} is handled today."}
        for i in range(n)
    ]


def labelled(sets: Sequence[Sequence[tuple[str, str]]], categories: Sequence[str] | None = None) -> list[str]:
    """One record per item, its annotations inline as [{annotator, label}]; ids are line numbers."""
    records = []
    for i, labels in enumerate(sets):
        record: dict[str, Any] = {"input": f"item {i} to label", "output": f"output {i}.",
                                  "annotations": [{"annotator": a, "label": lab} for a, lab in labels]}
        if categories is not None:
            record["category"] = categories[i]
        records.append(record)
    return lines(records)


def noisy_annotators(n: int, accuracy: dict[str, float], seed: int = 0) -> list[list[tuple[str, str]]]:
    """Each annotator gives the true label with their accuracy, else a random one (seeded)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        truth = rng.choice(LABELS)
        out.append([(name, truth if rng.random() < acc else rng.choice(LABELS)) for name, acc in accuracy.items()])
    return out


def swapped(n: int) -> list[list[tuple[str, str]]]:
    """x and y agree; z reads 'a' and 'b' the other way round."""
    out = []
    for k in range(n):
        truth = LABELS[k % 4]
        out.append([("x", truth), ("y", truth), ("z", {"a": "b", "b": "a"}.get(truth, truth))])
    return out


def triggered(sample: Sample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The codes an audit of ``sample`` reports, run from an empty folder (no config file found upward)."""
    monkeypatch.chdir(tmp_path)
    if sample.setup is not None:
        sample.setup(monkeypatch)
    source = tmp_path / "data.jsonl"
    source.write_text("\n".join(sample.records) + "\n", encoding="utf-8")
    side: dict[str, Any] = {}
    for keyword, (name, content) in sample.files.items():
        path = tmp_path / name
        path.write_text("\n".join(content) + "\n", encoding="utf-8")
        side[keyword] = [path] if keyword == "baseline" else path
    report = audit(source, config=dict(sample.config), **side)
    return {f.code for _, f in report.findings()}
