from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.records import LoadProblem
from checks.count import CountCheck
from checks.effective import effective
from tests.code_samples import Sample, lines, numbered
from tests.helpers import make_context, make_dataset


def codes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.code for f in result.findings]


CASES = [
    # (name, pairs, categories, config, effective, codes)
    ("enough", [(f"q{i}", f"a{i}") for i in range(5)], None, {"min_examples": 5}, 5, []),
    ("one-short", [(f"q{i}", f"a{i}") for i in range(4)], None, {"min_examples": 5}, 4, ["CNT001"]),
    ("exact-dups-collapse", [("Hello  World", "x"), ("hello world", "x"), ("HELLO WORLD", "X")], None, {"min_examples": 1}, 1, []),
    ("nfkc", [("ｆｕｌｌ width", "x"), ("full width", "x")], None, {"min_examples": 1}, 1, []),
    ("conflict-left-out", [("q", "yes"), ("q", "no"), ("r", "s")], None, {"min_examples": 1}, 1, []),
    ("trailing-punct-is-a-duplicate", [("q", "Paris."), ("q", "paris"), ("r", "s")], None, {"min_examples": 1}, 2, []),
    ("open-task-keeps-variants", [("q", "yes"), ("q", "no")], None, {"min_examples": 1, "task": "open"}, 2, []),
    ("thin-category", [(f"q{i}", "a") for i in range(5)], ["a", "a", "a", "b", None], {"min_examples": 1, "count__min_per_category": 2}, 5, ["CNT002"]),
    ("empty", [], None, {}, 0, ["CNT001"]),
]


@pytest.mark.parametrize("name,pairs,cats,config,eff,expected", CASES, ids=[c[0] for c in CASES])
def test_count_table(name, pairs, cats, config, eff, expected) -> None:  # type: ignore[no-untyped-def]
    result = CountCheck().run(make_context(make_dataset(pairs, categories=cats), **config))
    assert result.metrics["effective_examples"] == eff
    assert codes(result) == expected


def test_gap_says_how_many_more_and_where() -> None:
    pairs = [(f"q{i}", f"a{i}") for i in range(30)]
    cats = ["big"] * 25 + ["small"] * 5
    result = CountCheck().run(make_context(make_dataset(pairs, categories=cats), min_examples=40, count__min_per_category=10))
    too_few, thin = result.findings
    assert too_few.count == 10 and "10 more" in too_few.message and "'small'" in too_few.action
    assert thin.count == 5 and thin.ids == (26, 27, 28, 29, 30) and "'small'" in thin.message
    assert result.metrics["per_category"] == {"big": 25, "small": 5}


def test_unreadable_share_sets_severity() -> None:
    problems = [LoadProblem(i, "invalid JSON: x") for i in range(1, 4)]
    few = CountCheck().run(make_context(make_dataset([("a", "b")] * 1 + [(f"q{i}", "a") for i in range(99)], problems=problems[:1]), min_examples=1))
    many = CountCheck().run(make_context(make_dataset([("a", "b")], problems=problems), min_examples=1))
    assert [f.severity.value for f in few.findings] == ["warning"]
    assert [f.severity.value for f in many.findings] == ["blocker"]
    assert many.metrics["invalid_records"] == 3 and many.metrics["total_records"] == 4


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "A", "b", " b", "c"]), st.sampled_from(["x", "X.", "y"])), max_size=30))
def test_effective_never_exceeds_valid_and_ignores_order(pairs: list[tuple[str, str]]) -> None:
    ctx = make_context(make_dataset(pairs))
    eff = ctx.cached(effective)
    assert 0 <= eff.count <= len(pairs)
    assert eff.count + eff.removed_exact + eff.removed_near + eff.removed_conflicting == len(pairs)
    assert make_context(make_dataset(list(reversed(pairs)))).cached(effective).count == eff.count


def test_baseline_shows_how_the_batch_moves_categories() -> None:
    baseline = make_dataset([(f"old{i}", "a") for i in range(5)], categories=["a"] * 4 + ["b"])
    batch = make_dataset([(f"new{i}", "a") for i in range(3)], categories=["b", "b", "c"])
    result = CountCheck().run(make_context(batch, others={"baseline": baseline}, min_examples=1, count__min_per_category=0))
    m = result.metrics
    assert m["baseline_records"] == 5
    assert m["per_category_baseline"] == {"a": 4, "b": 1}
    assert m["per_category_after_batch"] == {"a": 4, "b": 3, "c": 1}


def test_template_field_decides_open_tasks_without_categories() -> None:
    """T0-style data: a template whose repeated inputs all have several outputs is open by design."""
    from checks.tasks import conflict_split

    pairs = [(f"write a review of product {i}", f"a {v} review of product {i}, written at length by a customer") for i in range(6) for v in ("glowing", "scathing")]
    pairs += [(f"unique question {i}", f"a full answer to question {i}, in a sentence") for i in range(20)]
    data = make_dataset(pairs)
    data.extra["template"] = ["review_gen"] * 12 + ["qa"] * 20
    split = make_context(data).cached(conflict_split)
    assert split.contradictions == [] and len(split.open_groups) == 6 and split.open_categories == ("review_gen",)
    plain = make_context(make_dataset(pairs)).cached(conflict_split)
    assert len(plain.contradictions) == 6  # without the template nothing says the task is open


# --- one sample per code, run by the registry meta-test (tests/test_registry_samples.py) ---

CODE_SAMPLES: dict[str, Sample] = {
    "CNT001": Sample(lines(numbered(3)), {"min_examples": 10}),
    "CNT002": Sample(lines(numbered(4, "billing") + numbered(1, "refunds", start=4)), {"min_examples": 1, "count.min_per_category": 2}),
    "CNT003": Sample([*lines(numbered(3)), '{"input": "cut off'], {"min_examples": 1}),
    "CNT004": Sample(
        [*lines(numbered(3)), '{"input": "asked twice", "output": "first", "output": "second"}'],
        {"min_examples": 1},
    ),
}
