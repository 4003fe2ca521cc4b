"""The decision check: the prompt-first rule, the training budget, production economics.

Hand-computed figures throughout: token counts use the offline estimate, which is
exact arithmetic on ASCII text (one token per 4 characters), so every cost below
can be checked with a pencil. The estimate is named (``quality.tokenizer =
"estimate"``): the default, ``auto``, counts exactly where a tokenizer ships offline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from auditor.api import audit
from auditor.core.findings import CheckResult, Finding, Severity
from auditor.load.prompt_baseline import PER_ITEM, SUMMARY, read_prompt_baseline
from auditor.report.decision import NOT_ESTIMATED, decision_rows
from auditor.runtime.errors import InputError
from checks.decision import DecisionCheck
from checks.decision.baseline import bootstrap_mean, not_tried, reaches, share_of_target, technique
from checks.decision.budget import EXACT_SAMPLE, token_total
from checks.decision.economics import break_even_day, call_cost, never_breaks_even, per_million
from tests.code_samples import Sample, lines, numbered
from tests.helpers import make_context, make_dataset

REPO = Path(__file__).resolve().parents[1]


def _records(n: int = 10, input_chars: int = 400, output_chars: int = 200) -> list[str]:
    """``n`` records of exactly input_chars/4 + output_chars/4 estimated tokens."""
    return lines(
        {"id": f"r{i}", "input": f"{i:04d}" + "a" * (input_chars - 4), "output": f"{i:04d}" + "b" * (output_chars - 4)}
        for i in range(n)
    )


def _eval(n: int = 20, input_chars: int = 800, output_chars: int = 120) -> list[str]:
    return lines(
        {"id": f"e{i}", "input": f"{i:04d}" + "q" * (input_chars - 4), "output": f"{i:04d}" + "z" * (output_chars - 4)}
        for i in range(n)
    )


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _run(tmp_path: Path, records: list[str] | None = None, *, baseline: tuple[str, list[str]] | None = None,
         eval_rows: list[str] | None = None, **config: Any) -> CheckResult:
    source = _write(tmp_path / "train.jsonl", records or _records())
    kwargs: dict[str, Any] = {}
    if baseline is not None:
        kwargs["prompt_baseline"] = _write(tmp_path / baseline[0], baseline[1])
    if eval_rows is not None:
        kwargs["eval"] = _write(tmp_path / "eval.jsonl", eval_rows)
    config.setdefault("quality__tokenizer", "estimate")
    report = audit(source, config={"agreement": {"required": False}, **_nested(config)}, **kwargs)
    return report.checks["decision"]


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        section, _, name = key.partition("__")
        if name:
            out.setdefault(section, {})[name] = value
        else:
            out[key] = value
    return out


def _codes(result: CheckResult) -> dict[str, Finding]:
    return {f.code: f for f in result.findings}


# --- the 80 % rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "target", "floor", "expected"),
    [
        (0.72, 0.9, 0.0, True),  # exactly 80 %: 0.72 / 0.9 is 0.7999999999999999 in floats
        (0.7199, 0.9, 0.0, False),  # just below
        (0.7201, 0.9, 0.0, True),  # just above
        (0.85, 0.9, 0.0, True),
        (0.40, 0.9, 0.0, False),
        (4.2, 5.0, 1.0, True),  # a 1-5 scale: (4.2 - 1) / (5 - 1) = 0.8 exactly
        (4.0, 5.0, 1.0, False),  # 0.75 of the way from the floor (a plain 4 / 5 would say 0.8)
        (80.0, 100.0, 0.0, True),  # a 0-100 percentage
        (79.9, 100.0, 0.0, False),
    ],
)
def test_the_80_percent_rule_on_both_sides_and_at_the_boundary(score: float, target: float, floor: float, expected: bool) -> None:
    assert reaches(share_of_target(score, target, floor), 0.8) is expected


@pytest.mark.parametrize(
    ("score", "code", "severity"),
    [("0.72", "DEC002", Severity.WARNING), ("0.7199", "DEC003", Severity.INFO), ("0.95", "DEC002", Severity.WARNING), ("0.3", "DEC003", Severity.INFO)],
)
def test_summary_baseline_judged_end_to_end(tmp_path: Path, score: str, code: str, severity: Severity) -> None:
    summary = json.dumps({"metric": "exact_match", "score": float(score), "target": 0.9, "techniques": ["few-shot", "CoT"]})
    result = _run(tmp_path, baseline=("baseline.json", [summary]))
    found = _codes(result)
    assert code in found and found[code].severity is severity
    assert not ({"DEC002", "DEC003"} - {code}) & set(found)
    assert result.metrics["baseline_form"] == SUMMARY
    assert result.metrics["prompt_share"] == pytest.approx(float(score) / 0.9, abs=1e-6)
    assert result.metrics["prompt_share_ci_low"] is None  # a summary has no items to resample
    if code == "DEC002":
        message = found[code].message
        assert "structured outputs, system-prompt refinement, prompt chaining" in message
        assert "few-shot" not in message.split("not yet tried:")[1]


def test_every_technique_tried_changes_the_advice(tmp_path: Path) -> None:
    summary = json.dumps({"score": 0.85, "target": 0.9, "techniques": ["few-shot examples", "chain of thought", "json mode", "system prompt refinement", "prompt chaining"]})
    found = _codes(_run(tmp_path, baseline=("b.json", [summary])))
    assert "all five techniques" in found["DEC002"].message
    assert found["DEC002"].details["techniques_not_tried"] == []


def test_techniques_from_the_config_count_as_tried(tmp_path: Path) -> None:
    summary = json.dumps({"score": 0.85, "target": 0.9})
    result = _run(tmp_path, baseline=("b.json", [summary]), decision__techniques_tried=["few-shot", "prompt-chaining"])
    assert result.metrics["techniques_not_tried"] == ["chain-of-thought", "structured-output", "system-prompt"]


@pytest.mark.parametrize(("name", "canonical"), [("Few-Shot Examples", "few-shot"), ("CoT", "chain-of-thought"), ("structured_outputs", "structured-output"), ("prompt chain", "prompt-chaining"), ("retrieval", "retrieval")])
def test_technique_names_are_normalised(name: str, canonical: str) -> None:
    assert technique(name) == canonical


def test_config_target_wins_over_the_files(tmp_path: Path) -> None:
    summary = json.dumps({"score": 0.6, "target": 0.65})  # 92 % of the file's target, 75 % of the team's
    found = _codes(_run(tmp_path, baseline=("b.json", [summary]), decision__target_quality=0.8))
    assert "DEC003" in found and found["DEC003"].details["file_target"] == 0.65


def test_a_baseline_without_a_target_says_so(tmp_path: Path) -> None:
    found = _codes(_run(tmp_path, baseline=("b.json", [json.dumps({"metric": "f1", "score": 0.7})])))
    assert set(found) >= {"DEC004"} and not {"DEC002", "DEC003"} & set(found)
    assert "0.7" in found["DEC004"].message


def test_no_baseline_is_an_info_finding_that_leaves_the_verdict_alone(tmp_path: Path) -> None:
    source = _write(tmp_path / "train.jsonl", _records())
    plain = audit(source, config={"agreement": {"required": False}, "select": ["CNT", "DUP", "QLT"]})
    with_dec = audit(source, config={"agreement": {"required": False}})
    assert _codes(with_dec.checks["decision"])["DEC001"].severity is Severity.INFO
    assert with_dec.verdict == plain.verdict
    raised = audit(source, config={"agreement": {"required": False}, "severity": {"DEC001": "blocker"}})
    assert raised.verdict == "NOT_READY" and any(g.finding.code == "DEC001" for g in raised.gaps)


# --- per-item baselines and the bootstrap ---------------------------------------------


def _per_item(scores: list[float], ids: list[str] | None = None) -> list[str]:
    ids = ids or [f"e{i}" for i in range(len(scores))]
    return ["id,score,passed", *(f"{i},{s},{int(s >= 0.5)}" for i, s in zip(ids, scores))]


def test_per_item_baseline_gives_share_and_a_seeded_interval(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    scores = (rng.random(20) < 0.6).astype(float).tolist()
    result = _run(tmp_path, baseline=("b.csv", _per_item(scores)), eval_rows=_eval(20), decision__target_quality=0.9)
    m = result.metrics
    assert m["baseline_form"] == PER_ITEM and m["baseline_items"] == 20
    assert m["baseline_score"] == pytest.approx(np.mean(scores))
    assert m["baseline_pass_rate"] == pytest.approx(np.mean(scores))
    assert m["prompt_share_ci_low"] < m["prompt_share"] < m["prompt_share_ci_high"]
    again = _run(tmp_path, baseline=("b.csv", _per_item(scores)), eval_rows=_eval(20), decision__target_quality=0.9)
    assert again.metrics == m  # same seed, same interval
    other = _run(tmp_path, baseline=("b.csv", _per_item(scores)), eval_rows=_eval(20), decision__target_quality=0.9, seed=1)
    assert other.metrics["prompt_share_ci_low"] != m["prompt_share_ci_low"] or other.metrics["prompt_share_ci_high"] != m["prompt_share_ci_high"]


def test_bootstrap_interval_matches_the_normal_approximation_for_a_large_sample() -> None:
    rng = np.random.default_rng(3)
    scores = (rng.random(2000) < 0.7).astype(float)
    low, high = bootstrap_mean(scores, 2000, 0.95, seed=11)  # type: ignore[misc]
    half = 1.96 * np.sqrt(scores.mean() * (1 - scores.mean()) / scores.size)
    assert (high - low) / 2 == pytest.approx(half, rel=0.1)
    assert low < scores.mean() < high


@pytest.mark.parametrize(
    ("scores", "expected"),
    [(np.array([0.5]), None), (np.array([1.0, 1.0, 1.0]), (1.0, 1.0))],
)
def test_bootstrap_edges(scores: np.ndarray, expected: Any) -> None:
    assert bootstrap_mean(scores, 200, 0.95, seed=0) == expected


def test_bootstrap_is_reproducible_and_seed_dependent() -> None:
    scores = np.random.default_rng(0).random(50)
    assert bootstrap_mean(scores, 500, 0.95, 1) == bootstrap_mean(scores, 500, 0.95, 1)
    assert bootstrap_mean(scores, 500, 0.95, 1) != bootstrap_mean(scores, 500, 0.95, 2)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("b.csv", "id,score\ne0,1\ne1,0\ne2,1\n"),
        ("b.tsv", "id\tscore\ne0\t1\ne1\t0\ne2\t1\n"),
        ("b.jsonl", '{"id": "e0", "score": 1}\n{"id": "e1", "score": 0}\n{"id": "e2", "score": 1}\n'),
        ("b.json", '[{"id": "e0", "score": 1}, {"id": "e1", "score": 0}, {"id": "e2", "score": 1}]'),
        ("b.json", '{"metric": "pass", "target": 0.9, "items": [{"id": "e0", "score": 1}, {"id": "e1", "score": 0}, {"id": "e2", "score": 1}]}'),
    ],
)
def test_per_item_layouts_read_alike(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    base = read_prompt_baseline(path)
    assert base.form == PER_ITEM and [str(i) for i in base.ids] == ["e0", "e1", "e2"]
    assert [float(s) for s in base.scores] == [1.0, 0.0, 1.0]


@pytest.mark.parametrize(
    ("name", "content", "score", "target"),
    [
        ("s.json", '{"metric": "accuracy", "score": 0.81, "target": 0.9, "techniques": ["few-shot"]}', 0.81, 0.9),
        ("s.csv", "metric,score,target,techniques\naccuracy,0.81,0.9,few-shot;cot\n", 0.81, 0.9),
        ("s.jsonl", '{"metric": "accuracy", "score": 0.81}\n', 0.81, None),
    ],
)
def test_summary_layouts(tmp_path: Path, name: str, content: str, score: float, target: float | None) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    base = read_prompt_baseline(path)
    assert base.form == SUMMARY and base.score == score and base.target == target and base.metric == "accuracy"


# --- bad baseline files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("b.csv", "item,points\ne0,1\n", "no score column"),
        ("b.csv", "score\n0.5\n0.7\n", "no id column"),
        ("b.csv", "", "no id or score column"),
        ("b.json", '{"metric": "f1", "target": 0.9}', "a summary needs a 'score'"),
        ("b.json", '{"score": "high"}', "is not a number"),
        ("b.json", '{"score": 0.5, "target": "soon"}', "is not a number"),
        ("b.json", '{"score": 0.5, "range": [5, 1]}', "'range' must be [lowest, highest]"),
        ("b.json", '{"score": 0.5, "techniques": "few-shot", "items": 3}', "'items' must be a list"),
        ("b.json", "{not json", "not valid JSON"),
        ("b.json", '"just text"', "expected a JSON object or an array"),
        ("b.xlsx", "whatever", "unknown format"),
    ],
)
def test_files_that_cannot_be_used_are_one_clear_error(tmp_path: Path, name: str, content: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="prompt baseline") as err:
        read_prompt_baseline(path)
    assert says in str(err.value)


def test_a_missing_file_or_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_prompt_baseline(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="a folder, not a file"):
        read_prompt_baseline(tmp_path)


@pytest.mark.parametrize("content", [b"id,score\ne0," + b"9" * 200_000 + b"\n", b"id,score\n\xff\xfe0,1\n"])
def test_unreadable_tables_are_one_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match="prompt baseline b.csv: not"):
        read_prompt_baseline(path)


def test_unusable_rows_are_a_finding_and_left_out(tmp_path: Path) -> None:
    rows = ["id,score", "e0,1", "e1,0", "e2,1.5", "e3,-0.1", "e4,n/a", "e0,1", "zz9,1", ",1", "e5,0.5"]
    result = _run(tmp_path, baseline=("b.csv", rows), eval_rows=_eval(20), decision__target_quality=0.9)
    dec005 = _codes(result)["DEC005"]
    assert dec005.severity is Severity.WARNING and dec005.size == 6
    assert set(dec005.details["unusable"]) == {"score outside 0-1", "score not a number", "id repeated", "id not in the eval set", "no id"}
    assert dec005.details["unusable"]["score outside 0-1"] == ["e2", "e3"]
    assert "zz9" in dec005.ids and "e4" in dec005.ids
    assert result.metrics["baseline_items"] == 3 and result.metrics["baseline_score"] == pytest.approx(0.5)
    assert "over 3 items of the 20 in the eval set" in _codes(result)["DEC003"].message


def test_a_declared_range_replaces_zero_to_one(tmp_path: Path) -> None:
    doc = {"metric": "rating", "range": [1, 5], "target": 4.5, "items": [{"id": f"e{i}", "score": s} for i, s in enumerate([4, 5, 3, 4, 6])]}
    result = _run(tmp_path, baseline=("b.json", [json.dumps(doc)]), eval_rows=_eval(20))
    assert _codes(result)["DEC005"].details["unusable"] == {"score outside 1-5": ["e4"]}
    assert result.metrics["prompt_share"] == pytest.approx((4.0 - 1) / (4.5 - 1))


def test_without_an_eval_set_ids_are_not_checked_and_the_finding_says_so(tmp_path: Path) -> None:
    result = _run(tmp_path, baseline=("b.csv", ["id,score", "x1,1", "x2,7"]), decision__target_quality=0.9)
    assert "not checked against an eval set" in _codes(result)["DEC005"].message


def test_no_usable_row_leaves_the_share_unmeasured(tmp_path: Path) -> None:
    result = _run(tmp_path, baseline=("b.csv", ["id,score", "x1,2", "x2,3"]), decision__target_quality=0.9)
    assert "no usable row remains" in _codes(result)["DEC005"].message
    assert result.metrics["prompt_share"] is None and "DEC002" not in _codes(result) and "DEC003" not in _codes(result)


def test_a_summary_score_off_the_range_stops_the_run(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="outside the score range 0 to 1"):
        _run(tmp_path, baseline=("b.json", [json.dumps({"score": 81, "target": 90})]))


def test_a_target_off_the_range_stops_the_run(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="target quality 1.2"):
        _run(tmp_path, baseline=("b.json", [json.dumps({"score": 0.8})]), decision__target_quality=1.2)


def test_cli_bad_baseline_is_one_line_and_exit_2(tmp_path: Path) -> None:
    source = _write(tmp_path / "train.jsonl", _records())
    bad = tmp_path / "b.csv"
    bad.write_text("item,points\ne0,1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "check", str(source), "--prompt-baseline", str(bad), "--no-history", "-q"],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no score column (columns found: item, points)" in done.stderr and "Traceback" not in done.stderr


# --- the training budget and the cost arithmetic ---------------------------------------


def test_training_budget_against_hand_computed_figures(tmp_path: Path) -> None:
    # 10 records of 400 + 200 ASCII characters: 100 + 50 = 150 estimated tokens each.
    result = _run(tmp_path, decision__training_price=8.0)
    m = result.metrics
    assert (m["training_examples"], m["tokens_per_example"], m["training_tokens_per_epoch"]) == (10, 150.0, 1500)
    assert (m["epochs"], m["training_tokens"]) == (3, 4500)
    assert m["training_cost"] == pytest.approx(4500 * 8.0 / 1e6)  # 0.036
    assert m["token_counting"] == "estimate" and m["tokens_exact"] is False
    assert "estimated offline" in _codes(result)["DEC006"].message


def test_epochs_scale_the_budget(tmp_path: Path) -> None:
    m = _run(tmp_path, decision__epochs=1, decision__training_price=25.0).metrics
    assert (m["training_tokens"], m["training_cost"]) == (1500, pytest.approx(0.0375))  # 1,500 x 25 / 1e6


def test_production_economics_against_hand_computed_figures(tmp_path: Path) -> None:
    # Eval prompts: 800 chars = 200 tokens, answers 120 chars = 30 tokens; 1,800 extra tokens of few-shot prompt.
    result = _run(
        tmp_path,
        eval_rows=_eval(20),
        decision__calls_per_day=50_000,
        decision__prompt_extra_tokens=1_800,
        decision__prompted_input_price=2.5,
        decision__prompted_output_price=10.0,
        decision__tuned_input_price=0.3,
        decision__tuned_output_price=1.2,
        decision__training_price=25_000.0,  # a deliberately high price, for a break-even after day 1
    )
    m = result.metrics
    assert (m["prompt_tokens"], m["answer_tokens"], m["prompt_tokens_from"], m["answer_tokens_from"]) == (200.0, 30.0, "eval", "eval")
    # prompted: 50,000 x (2,000 x 2.5 + 30 x 10) / 1e6 = 50,000 x 0.0053 = 265.0 a day
    assert m["prompted_daily_cost"] == pytest.approx(265.0) and m["prompted_yearly_cost"] == pytest.approx(96_725.0)
    # fine-tuned: 50,000 x (200 x 0.3 + 30 x 1.2) / 1e6 = 50,000 x 0.000096 = 4.8 a day
    assert m["tuned_daily_cost"] == pytest.approx(4.8) and m["tuned_yearly_cost"] == pytest.approx(1_752.0)
    # training: 4,500 tokens x 25,000 / 1e6 = 112.5; saving 260.2 a day: paid back on day 1
    assert m["training_cost"] == pytest.approx(112.5) and m["break_even_day"] == 1


@pytest.mark.parametrize(
    ("training", "prompted", "tuned", "day"),
    [(1000.0, 265.0, 4.8, 4), (1041.0, 265.0, 4.8, 5), (100.0, 15.0, 5.0, 10), (0.0, 2.0, 1.0, 1), (100.0, 5.0, 5.0, None), (100.0, 4.0, 5.0, None), (1.0, 5e-324, 0.0, None)],
)
def test_break_even_day(training: float, prompted: float, tuned: float, day: int | None) -> None:
    # 1000 / 260.2 = 3.84 -> day 4; 1041 / 260.2 = 4.0008 -> day 5; exactly 10.0 -> day 10, not 11.
    assert break_even_day(training, prompted, tuned) == day
    assert never_breaks_even(prompted, tuned) is (prompted <= tuned)
    assert never_breaks_even(prompted, tuned, training) is (day is None)  # a saving too small to count days in is never


def test_float_noise_does_not_push_the_break_even_a_day_later() -> None:
    daily = call_cost(50_000, 220, 180, 0.3, 1.2).daily  # 14.100000000000001 in floats
    assert daily is not None and break_even_day(141.0, daily + 14.1, daily) == 10


def test_cost_helpers() -> None:
    assert per_million(2_000_000, 3.0) == 6.0 and per_million(2_000_000, None) is None
    cost = call_cost(1000, 100, 10, 1.0, 2.0)
    assert (cost.daily, cost.yearly) == (pytest.approx(0.12), pytest.approx(43.8))
    assert call_cost(None, 100, 10, 1.0, 2.0).daily is None
    assert call_cost(1000, 100, 10, 1.0, None).daily is None


def test_no_price_means_not_estimated_never_a_figure(tmp_path: Path) -> None:
    result = _run(tmp_path, eval_rows=_eval(20), decision__calls_per_day=50_000)
    m = result.metrics
    for key in ("training_cost", "prompted_daily_cost", "prompted_yearly_cost", "tuned_daily_cost", "tuned_yearly_cost", "break_even_day"):
        assert m[key] is None, key
    found = _codes(result)
    assert "cost not estimated" in found["DEC006"].message and "none is built in" in found["DEC006"].message
    assert found["DEC007"].message.count("not estimated") >= 2
    rows = decision_rows(m)
    money = [cell for row in rows[3:] for cell in row[1:] if cell]
    assert money and all(cell == NOT_ESTIMATED for cell in money)


def test_a_partial_price_list_estimates_only_what_it_can(tmp_path: Path) -> None:
    m = _run(tmp_path, decision__calls_per_day=1000, decision__prompted_input_price=1.0, decision__prompted_output_price=2.0).metrics
    assert m["prompted_daily_cost"] is not None and m["tuned_daily_cost"] is None and m["break_even_day"] is None


def test_lengths_come_from_the_reference_set_first_then_eval_then_training(tmp_path: Path) -> None:
    m = _run(tmp_path).metrics
    assert (m["prompt_tokens_from"], m["answer_tokens_from"], m["prompt_tokens"], m["answer_tokens"]) == ("training", "training", 100.0, 50.0)


def test_an_exact_tokenizer_counts_the_budget_and_the_report_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.features.tokens as tokens

    real = tokens.make_counter

    def make_counter(spec: str, family: str = "") -> tokens.TokenCounter:
        # One token a word: a tokenizer unlike the estimate, named as quality.tokenizer names it.
        return real(spec, family) if spec == "estimate" else tokens.TokenCounter("words", True, lambda texts: [len(t.split()) for t in texts])

    monkeypatch.setattr(tokens, "make_counter", make_counter)
    monkeypatch.setattr(tokens, "_COUNTERS", {})  # the process-wide cache must not keep the fake counter
    data = make_dataset([("one two three four", "five six")] * 10)
    result = DecisionCheck().run(make_context(data, quality__tokenizer="words.json"))
    m = result.metrics
    assert (m["tokens_per_example"], m["training_tokens"], m["tokens_exact"], m["token_counting"]) == (6.0, 180, True, "words")
    assert "counted with words:" in _codes(result)["DEC006"].message


def test_the_budget_counts_with_the_model_family_the_quality_check_counts_for() -> None:
    """quality.model_family picks the encoding (gpt-4o: o200k_base); the decision check counted with
    the reference encoding whatever the family said, so its budget and QLT006's disagreed."""
    pytest.importorskip("bpe_openai")
    data = make_dataset([("one two three four", "five six")] * 10)
    result = DecisionCheck().run(make_context(data, quality__tokenizer="auto", quality__model_family="gpt-4o"))
    assert result.metrics["tokens_exact"] is True and "o200k_base" in result.metrics["token_counting"]


def test_exact_counting_on_a_sample_scales_to_all() -> None:
    texts = [f"text {i} " + "word " * (i % 50) for i in range(EXACT_SAMPLE * 2)]

    def estimate(batch: list[str]) -> list[int]:
        return [len(t) // 4 for t in batch]

    def exact(batch: list[str]) -> list[int]:
        return [len(t.split()) for t in batch]

    total = token_total(texts, estimate, exact, seed=0)
    truth = sum(exact(texts))
    assert total.counted == EXACT_SAMPLE and not total.exact
    assert total.total == pytest.approx(truth, rel=0.01)
    small = token_total(texts[:100], estimate, exact, seed=0)
    assert small.exact and small.total == sum(exact(texts[:100]))


# --- the registry meta-test's samples ----------------------------------------------------

_SUMMARY_HIGH = json.dumps({"metric": "accuracy", "score": 0.85, "target": 0.9})
_SUMMARY_LOW = json.dumps({"metric": "accuracy", "score": 0.5, "target": 0.9})

CODE_SAMPLES: dict[str, Sample] = {
    "DEC001": Sample(lines(numbered(5))),
    "DEC002": Sample(lines(numbered(5)), files={"prompt_baseline": ("baseline.json", [_SUMMARY_HIGH])}),
    "DEC003": Sample(lines(numbered(5)), files={"prompt_baseline": ("baseline.json", [_SUMMARY_LOW])}),
    "DEC004": Sample(lines(numbered(5)), files={"prompt_baseline": ("baseline.json", [json.dumps({"score": 0.5})])}),
    "DEC005": Sample(lines(numbered(5)), files={"prompt_baseline": ("baseline.csv", ["id,score", "s0,1", "s1,5"])}),
    "DEC006": Sample(lines(numbered(5))),
    "DEC007": Sample(lines(numbered(5))),
}


# --- the table in every format, the schema, the README walk-through ---------------------

_PRICED = {
    "decision__target_quality": 0.9,
    "decision__calls_per_day": 50_000,
    "decision__prompt_extra_tokens": 1_800,
    "decision__training_price": 25.0,
    "decision__prompted_input_price": 2.5,
    "decision__prompted_output_price": 10.0,
    "decision__tuned_input_price": 0.3,
    "decision__tuned_output_price": 1.2,
}


def _report(tmp_path: Path, **config: Any) -> Any:
    config.setdefault("quality__tokenizer", "estimate")
    source = _write(tmp_path / "train.jsonl", _records())
    baseline = _write(tmp_path / "b.csv", _per_item([1, 0, 1, 1, 0, 1, 0, 1, 1, 0]))
    return audit(source, config={"agreement": {"required": False}, **_nested(config)}, eval=_write(tmp_path / "eval.jsonl", _eval(20)), prompt_baseline=baseline)


def test_the_table_rows_say_what_the_metrics_say(tmp_path: Path) -> None:
    rows = {row[0]: row[1:] for row in decision_rows(_report(tmp_path, **_PRICED).metrics["decision"])}
    assert rows["quality: share of the target"][0].startswith("66.7% (")
    assert rows["training"] == ("none", "4,500 tokens (3 epochs), 0.11 USD")
    assert rows["tokens a call (in + out)"] == ("2,000 + 30", "200 + 30")
    assert rows["a day (50,000 calls)"] == ("265.00 USD", "4.80 USD")
    assert rows["a year"] == ("96,725.00 USD", "1,752.00 USD")
    assert rows["break-even"] == ("", "day 1")


def test_the_table_in_terminal_markdown_and_html(tmp_path: Path) -> None:
    from auditor.report import html, markdown, terminal

    report = _report(tmp_path, **_PRICED)
    text = terminal.render(report, width=120, color=False)
    assert "Decision: prompt first, then the cost of fine-tuning" in text and "96,725.00 USD" in text
    md_text = markdown.render(report)
    assert "| a year | 96,725.00 USD | 1,752.00 USD |" in md_text
    page = html.render(report)
    assert '<table class="decision">' in page and "<td>96,725.00 USD</td>" in page


def test_the_table_without_prices_reads_not_estimated_everywhere(tmp_path: Path) -> None:
    from auditor.report import markdown

    text = markdown.render(_report(tmp_path))
    assert "| a year | not estimated | not estimated |" in text and "cost not estimated" in text
    assert "USD" not in text.split("### Decision")[1].replace("USD", "", 0) or "0.00 USD" not in text


def test_reports_with_and_without_prices_validate_against_the_schema(tmp_path: Path) -> None:
    import jsonschema
    from importlib.resources import files

    from auditor.report import json as json_report

    schema = json.loads(files("auditor.report").joinpath("schema.json").read_text(encoding="utf-8"))
    for report in (_report(tmp_path, **_PRICED), _report(tmp_path)):
        jsonschema.validate(json.loads(json_report.render(report)), schema)
    broken = json.loads(json_report.render(_report(tmp_path)))
    broken["checks"]["decision"]["metrics"]["training_cost"] = "free"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_metrics_are_numbers_the_history_trends(tmp_path: Path) -> None:
    from auditor.history.store import flatten_metrics

    flat = flatten_metrics(_report(tmp_path, **_PRICED).metrics)
    for key in ("decision.prompt_share", "decision.training_tokens", "decision.training_cost", "decision.prompted_daily_cost", "decision.break_even_day"):
        assert isinstance(flat[key], float), key


def test_readme_walk_through_prints_the_table_it_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.report import terminal

    monkeypatch.chdir(REPO)
    decision = REPO / "sample_data" / "decision"
    report = audit("sample_data/support_ready.jsonl", config=decision / "auditor.toml", eval=decision / "support_eval.jsonl", prompt_baseline=decision / "prompt_baseline.csv")
    assert report.verdict == "READY"
    assert "DEC003" in {f.code for f in report.checks["decision"].findings}
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split("It prints `READY` with this table")[1].split("```")[1].strip("\n")
    printed = terminal.render(report, width=100, color=False)
    table = printed[printed.index("Decision: prompt first"):].split("\n\n")[0]
    assert shown.strip() == table.strip()


# --- configuration: no built-in price --------------------------------------------------

PRICES = ("decision.training_price", "decision.prompted_input_price", "decision.prompted_output_price", "decision.tuned_input_price", "decision.tuned_output_price")


def test_no_price_is_built_in_and_init_shows_an_example_with_an_empty_value() -> None:
    import tomllib

    from auditor.core.config import render_toml
    from auditor.core.defaults import OPTION_BY_KEY

    text = render_toml()
    for key in (*PRICES, "decision.calls_per_day", "decision.target_quality"):
        option = OPTION_BY_KEY[key]
        assert option.default is None and option.example is not None, key
        assert f"# an example only, not a default: {option.name} = " in text
        assert f"\n#{option.name} =\n" in text
    assert all(table == {} for table in tomllib.loads(text).values())  # every value line is a comment
    uncommented = text.replace("\n#training_price =\n", "\ntraining_price =\n")
    with pytest.raises(tomllib.TOMLDecodeError):
        tomllib.loads(uncommented)  # a value left empty is an error, never a price in force


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("decision__techniques_tried", ["few shot"], "must be one of"),
        ("decision__prompt_share", 1.5, "at most 1.0"),
        ("decision__training_price", -1.0, "at least 0.0"),
        ("decision__training_price", "cheap", "must be float"),
        ("decision__epochs", 0, "at least 1"),
    ],
)
def test_bad_decision_settings_are_one_line_config_errors(tmp_path: Path, key: str, value: Any, says: str) -> None:
    from auditor.runtime.errors import ConfigError

    with pytest.raises(ConfigError, match=says):
        _run(tmp_path, **{key: value})


def test_score_range_upside_down_is_a_config_error(tmp_path: Path) -> None:
    from auditor.runtime.errors import ConfigError

    with pytest.raises(ConfigError, match="score_min"):
        _run(tmp_path, baseline=("b.json", [json.dumps({"score": 0.5})]), decision__score_min=1.0, decision__score_max=0.0)


# --- invariants ------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_money_st = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)


@given(training=_money_st, prompted=_money_st, tuned=_money_st)
def test_break_even_is_the_first_day_the_saving_covers_the_training(training: float, prompted: float, tuned: float) -> None:
    day = break_even_day(training, prompted, tuned)
    saving = prompted - tuned
    if never_breaks_even(prompted, tuned, training):
        assert day is None and (saving <= 0 or training / saving == float("inf"))
    else:
        assert day is not None and day >= 1
        assert day * saving >= training * (1 - 1e-9)
        assert (day - 1) * saving < training * (1 + 1e-9) or day == 1


@settings(max_examples=50, deadline=None)
@given(scores=st.lists(st.floats(min_value=0.0, max_value=1.0, allow_nan=False), min_size=2, max_size=60), seed=st.integers(0, 2**32 - 1))
def test_the_bootstrap_interval_lies_within_the_scores(scores: list[float], seed: int) -> None:
    values = np.asarray(scores)
    interval = bootstrap_mean(values, 200, 0.95, seed)
    assert interval is not None
    low, high = interval
    assert values.min() - 1e-12 <= low <= high <= values.max() + 1e-12
    assert bootstrap_mean(values, 200, 0.95, seed) == interval


@given(score=st.floats(0.0, 1.0), target=st.floats(0.01, 1.0), threshold=st.floats(0.0, 1.0))
def test_a_higher_score_never_turns_the_rule_around(score: float, target: float, threshold: float) -> None:
    if reaches(share_of_target(score, target, 0.0), threshold):
        assert reaches(share_of_target(min(1.0, score + 0.01), target, 0.0), threshold)
