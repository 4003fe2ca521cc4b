"""`auditor sample`: what is drawn, how many, and the sample-size rule held to simulation."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from auditor.api import sample
from auditor.cli import main
from auditor.core.rubric import parse_rubric
from checks import alpha as ka
from checks import samplesize as ss
from checks.sampling import allocate
from tests.helpers import make_context, make_dataset

RUBRIC = [
    {"name": "correct", "question": "Is the reply right?", "scale": "pass/fail"},
    {"name": "tone", "question": "How well does the tone fit?", "scale": "1-5"},
]


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def support(n: int = 300) -> list[dict[str, object]]:
    cats = ["billing"] * 6 + ["shipping"] * 3 + ["returns"]
    return [
        {"id": f"r{i}", "category": cats[i % 10], "input": f"question {i} about order {i * 7919 % 10007}",
         "output": f"reply {i}: the order {i * 31 % 997} ships on day {i % 7}."}  # fmt: skip
        for i in range(n)
    ]


def test_never_draws_empty_or_duplicate_records_and_is_seeded(tmp_path: Path) -> None:
    records = support(200)
    records[5]["output"] = "   "  # empty
    records[6]["input"] = ""
    for k in range(10):  # ten exact copies: the first of each group may be drawn, the copies never
        records.append({**records[20 + k], "id": f"copy{k}"})
    path = write_jsonl(tmp_path / "d.jsonl", records)
    drawn = sample(path, {"seed": 3}, n=180)
    ids = [item.id for item in drawn.items]
    assert len(ids) == len(set(ids)) == 180
    assert not {"r5", "r6"} & set(ids) and not any(str(i).startswith("copy") for i in ids)
    assert drawn.eligible == 198 and drawn.excluded == {"empty": 2, "exact_duplicates": 10}
    assert [i.id for i in sample(path, {"seed": 3}, n=180).items] == ids  # seeded: the same draw
    assert [i.id for i in sample(path, {"seed": 4}, n=180).items] != ids
    assert sample(path, n=500).reasoning.endswith("only 198 usable records: all of them are drawn")


def test_stratified_in_proportion_with_every_category_present(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", support(300))
    drawn = sample(path, n=50)
    assert drawn.stratified_by == "category"
    assert drawn.strata == {"billing": 30, "shipping": 15, "returns": 5}
    assert Counter(i.stratum for i in drawn.items) == Counter(drawn.strata)


@pytest.mark.parametrize(("n", "sizes"), [(3, [100, 5, 1]), (7, [10, 10, 1]), (2, [4, 4, 4]), (12, [4, 4, 4])])
def test_allocation_covers_small_strata_and_never_exceeds_them(n: int, sizes: list[int]) -> None:
    strata = [s for s, size in zip("abc", sizes) for _ in range(size)]
    chosen = allocate(range(len(strata)), strata, n, seed=0)
    counts = Counter(strata[i] for i in chosen)
    assert len(chosen) == len(set(chosen)) == n
    if n >= 3:
        assert set(counts) == {"a", "b", "c"}
    assert all(counts[s] <= size for s, size in zip("abc", sizes))


def test_no_category_is_one_stratum(tmp_path: Path) -> None:
    records = [{k: v for k, v in r.items() if k != "category"} for r in support(80)]
    drawn = sample(write_jsonl(tmp_path / "d.jsonl", records), n=20)
    assert drawn.stratified_by == "none" and drawn.strata == {} and len(drawn.items) == 20


def test_size_from_the_precision_target_with_its_one_line_reasoning(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", support(1000))
    drawn = sample(path, {"agreement": {"rubric": RUBRIC}})
    assert drawn.requested is None and 150 <= len(drawn.items) <= 400
    assert drawn.reasoning.startswith(f"{len(drawn.items)} items: at alpha 0.80 (assumed: the reliable limit)")
    assert "agreement.ci_width 0.20" in drawn.reasoning and "\n" not in drawn.reasoning
    narrower = sample(path, {"agreement": {"rubric": RUBRIC, "ci_width": 0.15}})
    assert len(narrower.items) > len(drawn.items) * 1.4  # inverse square: (0.20 / 0.15)^2 = 1.8


def test_sample_size_rule_against_simulation() -> None:
    """At the chosen N, the check's own bootstrap interval is within the target in >= 90 % of seeded studies."""
    for probs, level, alpha in (([0.5, 0.5], "nominal", 0.8), ([0.2] * 5, "ordinal", 0.8), ([0.8, 0.2], "nominal", 0.7)):
        size = ss.items_for_width(0.20, alpha, probs, level, seed=0)
        studies = ss.simulate(size.items, alpha, probs, 2, 60, np.random.default_rng(2026))
        assert np.nanmedian(ss.alpha_complete(studies, level, np.arange(len(probs), dtype=float))) == pytest.approx(alpha, abs=0.05)
        widths = []
        for s in range(len(studies)):
            draws = ka.bootstrap(sp.csr_matrix(studies[s]), level, np.arange(len(probs), dtype=float), samples=1000, seed=s)
            low, high = ka.interval(draws, 0.95)
            widths.append(high - low)
        share = float(np.mean(np.asarray(widths) <= 0.20))
        assert share >= 0.9, (probs, level, size.items, share)


def test_simulated_alpha_is_krippendorffs_alpha() -> None:
    rng = np.random.default_rng(5)
    studies = ss.simulate(40, 0.6, [0.3, 0.3, 0.4], 3, 4, rng)
    for level in ("nominal", "ordinal", "interval"):
        mine = ss.alpha_complete(studies, level, np.arange(3.0))
        for s in range(4):
            assert mine[s] == pytest.approx(ka.alpha_coincidence(sp.csr_matrix(studies[s]), level, np.arange(3.0)), abs=1e-12)


def test_observed_alpha_sizes_the_next_sample(tmp_path: Path) -> None:
    records = support(400)
    for i, r in enumerate(records[:150]):  # earlier double labels that agree well
        r["annotations"] = [{"annotator": "a", "label": "x" if i % 2 else "y"}, {"annotator": "b", "label": "x" if i % 2 else "y"}]
    drawn = sample(write_jsonl(tmp_path / "d.jsonl", records))
    assert "(observed)" in drawn.reasoning and "alpha 0.99" in drawn.reasoning


def test_cli_writes_each_format_and_reads_nothing_it_writes(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", support(120))
    cfg = tmp_path / "auditor.toml"
    cfg.write_text('[agreement]\nrubric = [{name = "correct", question = "Right?", scale = "pass/fail"}, '
                   '{name = "tone", question = "Tone?", scale = "1-5"}]\n')  # fmt: skip
    runner = CliRunner()
    done = runner.invoke(main, ["sample", str(path), "--config", str(cfg), "--n", "30", "--out", str(tmp_path / "s.csv")])
    assert done.exit_code == 0, done.output
    assert "drew 30 of 120 usable records (by category: billing 18, returns 3, shipping 9)" in done.output
    with (tmp_path / "s.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 30 and list(rows[0])[4:] == [
        "rater_1:correct", "rater_1:tone", "rater_2:correct", "rater_2:tone"]  # fmt: skip
    assert all(r["rater_1:correct"] == "" for r in rows)  # blind: nothing pre-filled
    done = runner.invoke(main, ["sample", str(path), "--config", str(cfg), "--n", "5", "--format", "label-studio", "--out", str(tmp_path / "t.json")])
    assert done.exit_code == 0, done.output
    tasks = json.loads((tmp_path / "t.json").read_text())
    assert len(tasks) == 5 and set(tasks[0]) == {"data"} and {"item_id", "input", "output"} <= set(tasks[0]["data"])
    xml = (tmp_path / "t.xml").read_text()
    assert '<Choices name="correct" toName="output"' in xml and '<Rating name="tone" toName="output" maxRating="5"' in xml
    done = runner.invoke(main, ["sample", str(path), "--n", "5", "--format", "argilla", "--out", str(tmp_path / "a.json")])
    records = json.loads((tmp_path / "a.json").read_text())
    assert done.exit_code == 0 and {"id", "fields", "metadata", "responses"} <= set(records[0]) and records[0]["responses"] == {}
    refused = runner.invoke(main, ["sample", str(path), "--n", "5", "--out", str(path.with_suffix(".csv"))])
    assert refused.exit_code == 0
    assert runner.invoke(main, ["sample", str(path), "--n", "5", "--out", str(tmp_path / "x.txt")]).exit_code == 2
    same = runner.invoke(main, ["sample", str(path), "--n", "5", "--format", "jsonl", "--out", str(path)])
    assert same.exit_code == 2 and "refusing to overwrite" in same.output


def test_sample_is_reachable_from_the_python_api(tmp_path: Path) -> None:
    import auditor

    path = write_jsonl(tmp_path / "d.jsonl", support(50))
    assert len(auditor.sample(path, n=10).items) == 10


def test_rubric_config_is_checked_before_any_data_is_read() -> None:
    from auditor.api import resolve_config
    from auditor.runtime.errors import ConfigError

    with pytest.raises(ConfigError, match=r"agreement.rubric\[0\].scale must be 'pass/fail' or a rating scale"):
        resolve_config({"agreement": {"rubric": [{"name": "x", "question": "?", "scale": "good/bad"}]}}, {})
    with pytest.raises(ConfigError, match="used twice"):
        parse_rubric([{"name": "x"}, {"name": "x"}])
    assert make_context(make_dataset([("a", "b")]), agreement__rubric=RUBRIC).config["agreement.rubric"] == RUBRIC


def test_task_groups_stratify_when_there_is_no_category(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seam issue 17 plugs into: checks.tasks.task_groups(ctx) with .source and .values()."""
    import checks.tasks

    class Groups:
        source = "inferred"

        def __init__(self, n: int) -> None:
            self.n = n

        def values(self) -> list[str]:
            return ["translate" if i % 4 == 0 else "summarise" for i in range(self.n)]

    monkeypatch.setattr(checks.tasks, "task_groups", lambda ctx: Groups(len(ctx.dataset)), raising=False)
    records = [{k: v for k, v in r.items() if k != "category"} for r in support(80)]
    drawn = sample(write_jsonl(tmp_path / "d.jsonl", records), n=20)
    assert drawn.stratified_by == "task group" and drawn.strata == {"summarise": 15, "translate": 5}


def test_nothing_usable_to_sample_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", [{"id": f"e{i}", "input": "question", "output": " "} for i in range(5)])
    done = CliRunner().invoke(main, ["sample", str(path), "--out", str(tmp_path / "s.csv")])
    assert done.exit_code == 2 and "no usable record to sample (5 empty" in done.output and not (tmp_path / "s.csv").exists()
