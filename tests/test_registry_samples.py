"""The registry meta-test: every finding code is documented and has a sample that triggers it.

``SAMPLES`` maps each code to a tiny input (JSONL lines plus config) that makes
``auditor.api.audit`` report it. A code registered without a sample fails
``test_every_code_has_a_sample`` with the list of codes to add; a family that
adds codes adds its rows here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from auditor.api import audit
from auditor.pipeline import ENGINE_CODES
from auditor.registry import all_codes
from checks.base import CheckResult


def _lines(records: Sequence[dict[str, Any] | str]) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


def _pairs(n: int, category: str | None = None, start: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(start, start + n):
        record: dict[str, Any] = {"id": f"s{i}", "input": f"distinct question number {i} about item {i * 7}", "output": f"answer {i}"}
        if category is not None:
            record["category"] = category
        out.append(record)
    return out


class Crashing:
    """A check that raises, for AUD001."""

    name = "crashing"
    codes = ()

    def run(self, ctx: Any) -> CheckResult:
        raise RuntimeError("boom")


def _with_crashing_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.registry as registry

    real = registry.all_checks()
    monkeypatch.setattr(registry, "all_checks", lambda: (*real, Crashing()))


@dataclass(frozen=True)
class Sample:
    records: list[str]
    config: dict[str, Any] = field(default_factory=dict)
    setup: Callable[[pytest.MonkeyPatch], None] | None = None
    files: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # audit() keyword -> (file name, lines)


def _with(record: dict[str, Any], n: int = 40) -> list[str]:
    """``n`` plain generation records of varied length plus one odd record: context for medians and spreads."""
    plain = [
        {"id": f"s{i}", "input": f"Please explain topic number {i} in a few sentences. " + "It matters. " * (i % 9),
         "output": f"Topic {i} is explained here in a complete sentence with enough words to be normal."}
        for i in range(n)
    ]
    return _lines([*plain, {"id": "odd", **record}])


LABELS = ("a", "b", "c", "d")


TOPICS = (
    "refund for a broken kettle ordered last week",
    "parcel tracking stuck at the depot since monday",
    "password reset email never arrives in my inbox",
    "invoice shows value added tax twice on one order",
)


def _topical(n: int, topics: Sequence[str] = TOPICS, prefix: str = "t") -> list[dict[str, Any]]:
    """Support-style inputs on a few topics, each with its own reply."""
    return [
        {"id": f"{prefix}{i}", "input": f"{topics[i % len(topics)]} case {i} customer {i * 13}", "output": f"Reply {i}: we are on it, case {i} is handled today."}
        for i in range(n)
    ]


def _labelled(sets: Sequence[Sequence[tuple[str, str]]], categories: Sequence[str] | None = None) -> list[str]:
    """One record per item, its annotations inline as [{annotator, label}]; ids are line numbers."""
    records = []
    for i, labels in enumerate(sets):
        record: dict[str, Any] = {"input": f"item {i} to label", "output": f"output {i}.",
                                  "annotations": [{"annotator": a, "label": lab} for a, lab in labels]}
        if categories is not None:
            record["category"] = categories[i]
        records.append(record)
    return _lines(records)


def _synth(n: int, accuracy: dict[str, float], seed: int = 0) -> list[list[tuple[str, str]]]:
    """Each annotator gives the true label with their accuracy, else a random one (seeded)."""
    import random

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        truth = rng.choice(LABELS)
        out.append([(name, truth if rng.random() < acc else rng.choice(LABELS)) for name, acc in accuracy.items()])
    return out


def _swapped(n: int) -> list[list[tuple[str, str]]]:
    """x and y agree; z reads 'a' and 'b' the other way round."""
    out = []
    for k in range(n):
        truth = LABELS[k % 4]
        out.append([("x", truth), ("y", truth), ("z", {"a": "b", "b": "a"}.get(truth, truth))])
    return out


_ANNOTATIONS_CSV = ["item_id,annotator,label", *[f"{i},{a},x{i % 3}" for i in range(1, 31) for a in "ab"], "999,a,x1"]

_OUTPUT_LEN_RULE = {"type": "expect_column_value_lengths_to_be_between", "column": "output", "min_value": 1, "max_value": 20}

SAMPLES: dict[str, Sample] = {
    "AUD001": Sample(_lines(_pairs(3)), setup=_with_crashing_check),
    "CNT001": Sample(_lines(_pairs(3)), {"min_examples": 10}),
    "CNT002": Sample(_lines(_pairs(4, "billing") + _pairs(1, "refunds", start=4)), {"min_examples": 1, "count.min_per_category": 2}),
    "CNT003": Sample([*_lines(_pairs(3)), '{"input": "cut off'], {"min_examples": 1}),
    "QLT001": Sample(_with({"input": "   ", "output": "An answer to nothing in particular, written out in full."})),
    "QLT002": Sample(_with({"input": "Explain the refund policy.", "output": "  "})),
    "QLT003": Sample(_with({"input": "Explain the refund policy in detail.", "output": "Yes."})),
    "QLT004": Sample(_with({"input": "Explain the refund policy.", "output": "Your parcel left our warehouse yesterday and should arrive by Friday if the"})),
    "QLT005": Sample(_with({"input": "Explain the refund policy? " * 300, "output": "The policy is explained in full here."}, n=60)),
    "QLT006": Sample(_with({"input": "Explain the refund policy.", "output": "token " * 9000})),
    "QLT007": Sample(_with({"input": "Explain the refund policy.", "output": "As an AI language model, I cannot help with that request."})),
    "QLT008": Sample(_with({"input": "Explain the refund policy.", "output": "Lorem ipsum dolor sit amet, consectetur adipiscing elit, TODO fill in."})),
    "QLT009": Sample(_with({"input": "Write to me at jane.roe@gmail.com about it.", "output": "I will write to you about the refund shortly."})),
    "QLT010": Sample(_with({"input": "My key is AKIAIOSFODNN7EXAMPLE, is it valid?", "output": "Please rotate that key right away and never share it."})),
    "QLT011": Sample(_with({"input": "The cafÃ© charged me twice for the crÃ¨me brÃ»lÃ©e.", "output": "I have refunded the second charge for your order."})),
    "QLT012": Sample(
        _lines([
            {"messages": [{"role": "user", "content": f"question {i}"}, {"role": "assistant", "content": f"answer {i}."}]}
            for i in range(5)
        ] + [{"messages": [{"role": "user", "content": "hi"}, {"role": "user", "content": "again"}, {"role": "assistant", "content": "hello."}]}])
    ),
    "QLT013": Sample(
        _with({"input": "Bitte erklären Sie mir die Rückgaberichtlinie für meine Bestellung.", "output": "Die Rückgabe ist innerhalb von dreißig Tagen möglich und kostenlos für Sie."}),
        {"quality.language": "en"},
    ),
    "AGR001": Sample(_labelled(_synth(200, {"a1": 0.75, "a2": 0.75, "a3": 0.75}))),
    "DUP001": Sample(_lines(_pairs(30) + _pairs(3))),
    "DUP002": Sample(_lines(_pairs(30) + [{"input": "distinct question number 0 about item 0", "output": "a different answer"}])),
    "DUP003": Sample(_lines(_topical(30) + [{**r, "id": f"copy{i}", "output": r["output"] + " Thanks."} for i, r in enumerate(_topical(3))])),
    "DUP004": Sample(_lines(_topical(30) + [{"id": f"alt{i}", "input": r["input"] + " please", "output": f"A wholly different reply {i}."} for i, r in enumerate(_topical(3))])),
    "DUP005": Sample(_lines(_pairs(30) + [{"input": "distinct question number 0 about item 0", "output": "another valid answer"}]), {"task": "open"}),
    "DUP006": Sample(_lines(_pairs(30)), files={"eval": ("eval.jsonl", _lines(_pairs(2)))}),
    "DUP007": Sample(_lines(_pairs(30)), files={"baseline": ("accepted.jsonl", _lines(_pairs(2)))}),
    "DUP008": Sample(
        _lines(_pairs(30)),
        files={"baseline": ("accepted.jsonl", _lines([{"input": "distinct question number 0 about item 0", "output": "an answer accepted earlier"}]))},
    ),
    "COV001": Sample(_lines(_pairs(60, "billing") + _pairs(3, "refunds", start=60))),
    "COV002": Sample(_lines(_pairs(30, "billing")), {"coverage.required_categories": ["billing", "refunds"]}),
    "COV003": Sample(_lines(_pairs(30, "billing")), files={"reference": ("ref.jsonl", _lines(_pairs(5, "refunds", start=100)))}),
    "COV004": Sample(_lines(_topical(200) + [{"id": "rare", "input": "quantum chromodynamics lattice gauge symmetry question", "output": "A physics answer."}])),
    "COV005": Sample(
        _lines(_topical(80)),
        files={"reference": ("ref.jsonl", _lines([{"input": f"write a sonnet about autumn leaves number {i}", "output": "x"} for i in range(20)]))},
    ),
    "COV006": Sample(
        _lines(_topical(80)),
        files={"reference": ("ref.jsonl", _lines(_topical(20, prefix="r") + [{"input": f"write a sonnet about autumn leaves number {i}", "output": "x"} for i in range(6)]))},
    ),
    "COV007": Sample(
        _lines(_topical(80)),
        files={"reference": ("ref.jsonl", _lines([{"input": " ".join([TOPICS[i % 4]] * 12), "output": "x"} for i in range(40)]))},
    ),
    "COV008": Sample(_lines([{"input": f"distinct question {i} about topic {i * 3}", "output": "Thank you for contacting us, we will get back to you soon." if i % 3 == 0 else f"A specific answer number {i} with its own details."} for i in range(60)]), {"task": "generation"}),
    "COV009": Sample(
        _lines(_topical(30)),
        {"coverage.embeddings": "no-such-local-model"},
        files={"reference": ("ref.jsonl", _lines(_topical(8, prefix="r")))},
    ),
    "AGR002": Sample(_labelled(_synth(200, {"a1": 0.85, "a2": 0.85, "a3": 0.85}))),
    "AGR003": Sample(_lines(_pairs(5))),
    "AGR004": Sample(_labelled(_synth(40, {"a1": 0.95, "a2": 0.95}) + [[("a1", "a")]] * 20)),
    "AGR005": Sample(_labelled(_swapped(200))),
    "AGR006": Sample(
        _labelled(_synth(60, {"a1": 0.97, "a2": 0.97}, seed=1) + _synth(60, {"a1": 0.4, "a2": 0.4}, seed=2),
                  categories=["billing"] * 60 + ["refund"] * 60)
    ),
    "AGR007": Sample(
        _labelled([[("a", "x"), ("b", "x"), ("c", "x")]] * 50 + [[("a", "x"), ("b", "y"), ("c", "z")]]),
        {"agreement.min_pairable_units": 10},
    ),
    "AGR008": Sample(_lines([{"input": f"item {i}", "output": f"output {i}."} for i in range(1, 31)]),
                     files={"annotations": ("labels.csv", _ANNOTATIONS_CSV)}),
    "AGR009": Sample(_labelled([[("a", "x"), ("b", "x")]] * 10 + [[("a", "x"), ("a", "y"), ("b", "y")]])),
    "AGR010": Sample(_labelled([[("a", "x"), ("b", "x")]] * 10 + [[("a", ""), ("b", "x")]])),
    "AGR011": Sample(_lines(_pairs(3)), files={"annotations": ("labels.csv", ["foo,bar", "1,2"])}),
    "EXP001": Sample(_with({"input": "Explain the refund policy.", "output": "A much longer answer than the rule allows for any output."}), {"expectations.rules": [_OUTPUT_LEN_RULE]}),
    "EXP002": Sample(_with({"input": "q", "output": "a"}), {"expectations.rules": [{"type": "expect_column_values_to_not_be_null", "column": "no_such_column"}]}),
}


def _registered() -> dict[str, Any]:
    codes: dict[str, Any] = {info.code: info for info in ENGINE_CODES}
    codes.update({code: info for code, (_, info) in all_codes().items()})
    return codes


def test_every_code_has_a_sample() -> None:
    missing = sorted(set(_registered()) - set(SAMPLES))
    assert not missing, (
        f"registered codes without a triggering sample: {', '.join(missing)}; "
        "add a row for each to SAMPLES in tests/test_registry_samples.py"
    )


def test_no_sample_for_an_unknown_code() -> None:
    stale = sorted(set(SAMPLES) - set(_registered()))
    assert not stale, f"SAMPLES rows for codes no check declares: {', '.join(stale)}"


@pytest.mark.parametrize("code", sorted(_registered()))
def test_every_code_is_documented(code: str) -> None:
    info = _registered()[code]
    assert info.summary.strip() and info.why.strip() and info.fix.strip(), f"{code} needs a summary, a why and a fix"
    from auditor.explain import describe

    assert info.fix.split()[0] in describe(code)


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_sample_triggers_its_code(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = SAMPLES[code]
    monkeypatch.chdir(tmp_path)  # no config file found upward
    if sample.setup is not None:
        sample.setup(monkeypatch)
    source = tmp_path / "data.jsonl"
    source.write_text("\n".join(sample.records) + "\n", encoding="utf-8")
    side: dict[str, Any] = {}
    for keyword, (name, lines) in sample.files.items():
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        side[keyword] = [path] if keyword == "baseline" else path
    report = audit(source, config=dict(sample.config), **side)
    found = {f.code for _, f in report.findings()}
    assert code in found, f"the {code} sample did not trigger it; the run reported {sorted(found)}"
