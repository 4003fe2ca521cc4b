"""Rubric ratings end to end: sample, simulated raters of known reliability, read back in every format.

The Label Studio and Argilla exports here are built by hand in the shape their
documentation gives (Label Studio "Task format" / "Export annotations": tasks
with ``annotations[].result[].value`` and ``completed_by``; Argilla v2
``dataset.records.to_json``: records with ``responses: {question: [{value,
user_id}]}``, its flattened form, and v1 FeedbackDataset records), never with
this project's writer.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.api import audit, sample
from auditor.cli import main
from auditor.core.findings import Severity

REPO = Path(__file__).resolve().parents[1]
RUBRIC = [
    {"name": "correct", "question": "Is every statement in the reply right?", "scale": "pass/fail"},
    {"name": "complete", "question": "Does the reply answer everything asked?", "scale": "pass/fail"},
    {"name": "tone", "question": "How well does the tone fit?", "scale": "1-5"},
]
CONFIG = {"agreement": {"rubric": RUBRIC, "bootstrap_samples": 1000}, "min_examples": 100}
#: Reliability per criterion: raters agree beyond chance with alpha = reliability^2.
RELIABILITY = {"correct": 0.95, "complete": 0.55, "tone": 0.95}


def _raters() -> Any:
    spec = importlib.util.spec_from_file_location("raters", REPO / "sample_data" / "raters.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def data(tmp_path: Path, n: int = 400) -> Path:
    cats = ["billing", "shipping", "returns", "account"]
    path = tmp_path / "data.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "category": cats[i % 4], "input": f"customer question {i} on order {i * 7919 % 10007}",
                        "output": f"reply {i}: order {i * 31 % 997} ships on day {i % 7} of the week."}) + "\n"  # fmt: skip
            for i in range(n)
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def rated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]], list[str]]:
    """The sample of a 400-record set, filled by two simulated raters (seeded)."""
    tmp = tmp_path_factory.mktemp("loop")
    path = data(tmp)
    drawn = sample(path, CONFIG)
    rows = [{"id": item.id, "input": item.input, "output": item.output} for item in drawn.items]
    scales = {c["name"]: c["scale"] for c in RUBRIC}
    # Seed 0. Over seeds 0-9 the 95 % interval held the true alpha (reliability^2) for 27 of the 30
    # (criterion, seed) pairs, as a 95 % interval should; any seed whose intervals all hold tests the same.
    filled = _raters().rate(rows, drawn.columns(), scales, RELIABILITY, seed=0)
    return path, filled, drawn.columns()


def as_sheet(tmp: Path, rows: list[dict[str, Any]], columns: list[str]) -> Path:
    out = tmp / "sheet.csv"
    _raters().write_rows(out, rows, ["id", "input", "output", *columns])
    return out


def as_label_studio(tmp: Path, rows: list[dict[str, Any]], columns: list[str]) -> Path:
    """A Label Studio JSON export: one annotation per rater, one result per control (criterion)."""
    tasks = []
    for k, row in enumerate(rows, 1):
        annotations = []
        for r, rater in enumerate(("rater_1", "rater_2")):
            result = []
            for c in RUBRIC:
                value = row[f"{rater}:{c['name']}"]
                if c["scale"] == "pass/fail":
                    result.append({"id": f"x{k}{r}{c['name']}", "from_name": c["name"], "to_name": "output", "type": "choices",
                                   "origin": "manual", "value": {"choices": [value]}})  # fmt: skip
                else:
                    result.append({"id": f"y{k}{r}", "from_name": c["name"], "to_name": "output", "type": "rating",
                                   "origin": "manual", "value": {"rating": int(value)}})  # fmt: skip
            who = {"id": 10 + r, "email": f"rater{r}@team.example", "first_name": "", "last_name": ""}  # LS_EXPORT has the plain id
            annotations.append({"id": 1000 + 2 * k + r, "completed_by": who, "result": result, "was_cancelled": False,
                                "ground_truth": False, "created_at": "2026-12-07T10:00:00.000000Z", "lead_time": 12.5,
                                "result_count": 0, "task": k})  # fmt: skip
        tasks.append({"id": k, "data": {"item_id": row["id"], "input": row["input"], "output": row["output"]},
                      "annotations": annotations, "predictions": [], "project": 3,
                      "created_at": "2026-12-07T09:00:00.000000Z", "updated_at": "2026-12-07T10:00:00.000000Z"})  # fmt: skip
    out = tmp / "project-3-at-2026-12-07.json"
    out.write_text(json.dumps(tasks))
    return out


def as_argilla(tmp: Path, rows: list[dict[str, Any]], columns: list[str]) -> Path:
    """Argilla v2 ``dataset.records.to_json``: responses keyed by question, one entry per user."""
    users = {"rater_1": "6a0d6b8e-1f2c-4c39-9a77-2f1b1c0e0a01", "rater_2": "b3f1d2c4-5e6f-4a8b-9c0d-1e2f3a4b5c6d"}
    records = []
    for k, row in enumerate(rows):
        responses: dict[str, list[dict[str, Any]]] = {}
        for c in RUBRIC:
            for rater, user in users.items():
                value = row[f"{rater}:{c['name']}"]
                responses.setdefault(c["name"], []).append({"value": value if c["scale"] == "pass/fail" else int(value), "user_id": user})
        records.append({"id": row["id"], "fields": {"prompt": row["input"], "response": row["output"]}, "metadata": {},
                        "suggestions": {}, "responses": responses, "vectors": {},
                        "_server_id": f"0b4e{k:04d}-0000-4000-8000-000000000000"})  # fmt: skip
    out = tmp / "records.json"
    out.write_text(json.dumps(records))
    return out


@pytest.mark.parametrize("form", [as_sheet, as_label_studio, as_argilla], ids=["csv", "label-studio", "argilla"])
def test_the_whole_loop_recovers_alpha_per_criterion(
    tmp_path: Path, rated: tuple[Path, list[dict[str, Any]], list[str]], form: Any
) -> None:
    path, rows, columns = rated
    report = audit(path, CONFIG, annotations=form(tmp_path, rows, columns))
    agreement = report.checks["agreement"]
    criteria = agreement.metrics["criteria"]
    for name, reliability in RELIABILITY.items():
        m = criteria[name]
        assert m["units_pairable"] == len(rows) and m["annotators"] == 2
        assert m["alpha_ci_low"] <= reliability**2 <= m["alpha_ci_high"], (name, m["alpha"], m["alpha_ci_low"], m["alpha_ci_high"])
    gaps = [g.finding for g in report.gaps if g.finding.code == "AGR012"]
    assert len(gaps) == 1 and gaps[0].severity is Severity.BLOCKER
    assert gaps[0].message.startswith(f"criterion 'complete' alpha {criteria['complete']['alpha']:.3f}: the raters read it differently")
    assert agreement.metrics["weakest_criterion"] == "complete" and agreement.metrics["alpha"] == criteria["complete"]["alpha"]
    estimates = {f.details["criterion"]: f for f in agreement.findings if f.code == "AGR013"}
    assert set(estimates) == set(RELIABILITY)
    share = estimates["correct"].details
    assert share["fail_ci_low"] <= 0.2 <= share["fail_ci_high"]  # the simulated outputs fail 'correct' 20 % of the time
    assert report.verdict == "NOT_READY"


def test_every_format_gives_the_same_figures(tmp_path: Path, rated: tuple[Path, list[dict[str, Any]], list[str]]) -> None:
    path, rows, columns = rated
    figures = []
    for form in (as_sheet, as_label_studio, as_argilla):
        m = audit(path, CONFIG, annotations=form(tmp_path, rows, columns)).checks["agreement"].metrics["criteria"]
        figures.append({name: (c["alpha"], c["fail_share"]) for name, c in m.items()})
    assert figures[0] == figures[1] == figures[2]


def test_clear_criteria_meet_the_agreement_part_of_the_verdict(tmp_path: Path) -> None:
    path = data(tmp_path)
    drawn = sample(path, CONFIG)
    rows = [{"id": i.id, "input": i.input, "output": i.output} for i in drawn.items]
    clear = {name: 0.97 for name in RELIABILITY}
    filled = _raters().rate(rows, drawn.columns(), {c["name"]: c["scale"] for c in RUBRIC}, clear, seed=3)
    report = audit(path, CONFIG, annotations=as_sheet(tmp_path, filled, drawn.columns()))
    assert report.checks["agreement"].status == "pass", [g.finding.message for g in report.gaps]
    assert not [g for g in report.gaps if g.finding.code.startswith("AGR")]


# --- the tools' documented shapes, written out literally ------------------------------------

LS_EXPORT = [
    {
        "id": 1,
        "created_at": "2021-03-09T21:52:49.513742Z",
        "updated_at": "2021-03-09T22:16:08.746926Z",
        "project": 83,
        "data": {"item_id": "a", "text": "Opossum is great"},
        "annotations": [
            {"id": "1001", "result": [{"from_name": "sentiment", "id": "Dx_aB91ISN", "to_name": "text", "type": "choices",
                                       "value": {"choices": ["Positive"]}}],  # fmt: skip
             "was_cancelled": False, "ground_truth": False, "lead_time": 4.288, "result_count": 0, "task": 1, "completed_by": 10},
            {"id": "1002", "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}],
             "was_cancelled": False, "task": 1, "completed_by": {"id": 11, "email": "b@example.com"}},
            {"id": "1003", "result": [], "was_cancelled": True, "task": 1, "completed_by": 12},
        ],
        "predictions": [{"model_version": "model 1", "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices",
                                                                  "value": {"choices": ["Negative"]}}]}],  # fmt: skip
    },
    {
        "id": 2,
        "data": {"item_id": "b", "text": "Rain again"},
        "annotations": [
            {"id": "1004", "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Negative"]}}],
             "completed_by": 10},
            {"id": "1005", "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}],
             "completed_by": {"id": 11, "email": "b@example.com"}},
        ],
    },
    {"id": 3, "data": {"item_id": "zzz", "text": "not in the data"},
     "annotations": [{"id": "1006", "result": [{"from_name": "sentiment", "to_name": "text", "type": "choices",
                                                "value": {"choices": ["Positive"]}}], "completed_by": 10}]},  # fmt: skip
]

ARGILLA_V2 = [
    {"id": "a", "fields": {"text": "Opossum is great"}, "metadata": {}, "suggestions": {"sentiment": {"value": "negative", "score": 0.9, "agent": "m"}},
     "responses": {"sentiment": [{"value": "positive", "user_id": "u-1"}, {"value": "positive", "user_id": "u-2"}]},
     "vectors": {}, "_server_id": "9f0c"},  # fmt: skip
    {"id": "b", "fields": {"text": "Rain again"}, "metadata": {}, "suggestions": {},
     "responses": {"sentiment": [{"value": "negative", "user_id": "u-1"}, {"value": "positive", "user_id": "u-2", "status": "discarded"}]},
     "vectors": {}, "_server_id": "9f0d"},  # fmt: skip
]

ARGILLA_FLAT = [  # to_list(flatten=True) / the Hub export: question.responses with .users and .status
    {"id": "a", "text": "Opossum is great", "sentiment.responses": ["positive", "positive"],
     "sentiment.responses.users": ["u-1", "u-2"], "sentiment.responses.status": ["submitted", "submitted"]},
    {"id": "b", "text": "Rain again", "sentiment.responses": ["negative", "positive"],
     "sentiment.responses.users": ["u-1", "u-2"], "sentiment.responses.status": ["submitted", "draft"]},
]  # fmt: skip

ARGILLA_V1 = [  # FeedbackDataset records
    {"external_id": "a", "fields": {"text": "Opossum is great"}, "metadata": {},
     "responses": [{"user_id": "u-1", "values": {"sentiment": {"value": "positive"}}, "status": "submitted"},
                   {"user_id": "u-2", "values": {"sentiment": {"value": "positive"}}, "status": "submitted"}]},
    {"external_id": "b", "fields": {"text": "Rain again"}, "metadata": {},
     "responses": [{"user_id": "u-1", "values": {"sentiment": {"value": "negative"}}, "status": "submitted"},
                   {"user_id": "u-2", "values": {"sentiment": {"value": "positive"}}, "status": "discarded"}]},
]  # fmt: skip


def labels_of(tmp_path: Path, export: list[dict[str, Any]], **config: Any) -> tuple[dict[tuple[str, str], str], Any]:
    from auditor.core.context import Context
    from checks.agreement import AgreementCheck
    from tests.helpers import make_context, make_dataset

    from auditor.load.annotations import AnnotationInputError, read_file

    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    ds = make_dataset([("x", "y"), ("z", "w")], ids=["a", "b"])
    base = make_context(ds, **{f"agreement__{k}": v for k, v in config.items()})
    result = AgreementCheck().run(Context(dataset=ds, config=base.config, paths={"annotations": path}))
    try:
        raw = read_file(path, ds.ids, base.config.section("agreement"))
    except AnnotationInputError:
        return {}, result
    return {(str(ds.ids[i]), a): str(v) for i, a, v in zip(raw.items, raw.annotators, raw.labels)}, result


def test_label_studio_export_as_documented(tmp_path: Path) -> None:
    rows, result = labels_of(tmp_path, LS_EXPORT)
    # the cancelled annotation and the predictions are not ratings; a user object is known by its e-mail
    assert rows == {("a", "10"): "Positive", ("a", "b@example.com"): "Positive", ("b", "10"): "Negative", ("b", "b@example.com"): "Positive"}
    assert result.metrics["source"].startswith("Label Studio export") and result.metrics["unknown_items"] == 1
    assert "AGR008" in [f.code for f in result.findings]


@pytest.mark.parametrize("export", [ARGILLA_V2, ARGILLA_FLAT, ARGILLA_V1], ids=["v2", "v2-flattened", "v1"])
def test_argilla_records_as_documented(tmp_path: Path, export: list[dict[str, Any]]) -> None:
    rows, result = labels_of(tmp_path, export)
    # suggestions are a model's, discarded and draft answers are no ratings
    assert rows == {("a", "u-1"): "positive", ("a", "u-2"): "positive", ("b", "u-1"): "negative"}
    assert result.metrics["source"].startswith("Argilla records")


def test_an_export_answering_several_questions_needs_a_rubric_or_a_chosen_question(tmp_path: Path) -> None:
    two = json.loads(json.dumps(ARGILLA_V2))
    for record in two:
        record["responses"]["topic"] = [{"value": "weather", "user_id": "u-1"}]
    _, result = labels_of(tmp_path, two)
    assert [f.code for f in result.findings] == ["AGR011"] and "agreement.label_column" in result.findings[0].message
    rows, _ = labels_of(tmp_path, two, label_column="sentiment")
    assert set(rows.values()) == {"positive", "negative"}


# --- bad sheets: a finding each, never a traceback -------------------------------------------


def _check(tmp_path: Path, sheet: list[str], name: str = "sheet.csv") -> tuple[int, dict[str, Any]]:
    path = data(tmp_path, 40)
    (tmp_path / "rubric.toml").write_text(
        "[agreement]\nrubric = [\n"
        + "".join(f'  {{name = "{c["name"]}", question = "{c["question"]}", scale = "{c["scale"]}"}},\n' for c in RUBRIC)
        + "]\n"
    )
    (tmp_path / name).write_text("\n".join(sheet) + "\n")
    out = tmp_path / "report.json"
    done = CliRunner().invoke(main, ["check", str(path), "--config", str(tmp_path / "rubric.toml"), "--annotations",
                                     str(tmp_path / name), "--format", "json", "--output", str(out), "--min-examples", "10"])  # fmt: skip
    assert done.exit_code in (0, 1), done.output  # a verdict, never "internal error" (2)
    return done.exit_code, json.loads(out.read_text())["checks"]["agreement"]


def _rows(n: int, fill: Any) -> list[str]:
    return [",".join([f"r{i}", *fill(i)]) for i in range(n)]


HEAD = "id,rater_1:correct,rater_1:complete,rater_1:tone,rater_2:correct,rater_2:complete,rater_2:tone"


def findings(agreement: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in agreement["findings"] if f["code"] == code]


def test_bad_sheet_missing_id_column(tmp_path: Path) -> None:
    _, agreement = _check(tmp_path, ["rater_1:correct,rater_2:correct", "pass,pass"])
    (f,) = findings(agreement, "AGR011")
    assert "no item id" in f["message"]


def test_bad_sheet_missing_criterion_column(tmp_path: Path) -> None:
    head = "id,rater_1:correct,rater_1:tone,rater_2:correct,rater_2:tone"
    _, agreement = _check(tmp_path, [head, *_rows(30, lambda i: ["pass" if i % 3 else "fail", "4" if i % 2 else "5", "pass" if i % 3 else "fail", "4" if i % 2 else "5"])])
    (f,) = findings(agreement, "AGR003")
    assert "rubric criterion 'complete' was not rated" in f["message"]
    assert agreement["metrics"]["criteria"]["complete"]["alpha"] is None and agreement["metrics"].get("weakest_criterion") is None


def test_bad_sheet_rater_who_filled_nothing(tmp_path: Path) -> None:
    _, agreement = _check(tmp_path, [HEAD, *_rows(30, lambda i: ["pass", "fail" if i % 4 else "pass", "4", "", "", ""])])
    silent = [f for f in findings(agreement, "AGR010") if "nobody filled" in f["message"]]
    assert silent and silent[0]["details"]["empty_columns"] == ["rater_2:correct", "rater_2:complete", "rater_2:tone"]
    assert {f["details"].get("criterion") for f in findings(agreement, "AGR003")} == {"correct", "complete", "tone"}


def test_bad_sheet_values_off_the_scale(tmp_path: Path) -> None:
    sheet = [HEAD, *_rows(30, lambda i: ["pass", "maybe" if i < 3 else "pass", "7" if i < 2 else "4", "pass", "fail" if i % 5 else "pass", "4"])]
    _, agreement = _check(tmp_path, sheet)
    messages = [f["message"] for f in findings(agreement, "AGR010")]
    assert any("criterion 'complete'" in m and "3 labels off the pass/fail scale of 'complete' ('maybe')" in m for m in messages)
    assert any("criterion 'tone'" in m and "2 labels off the 1-5 scale of 'tone' ('7')" in m for m in messages)


def test_bad_sheet_ids_not_in_the_data(tmp_path: Path) -> None:
    sheet = [HEAD, *_rows(30, lambda i: ["pass", "pass", "4", "pass", "pass", "5"]), "ghost1,pass,pass,4,pass,pass,4", "ghost2,pass,,,,,"]
    _, agreement = _check(tmp_path, sheet)
    (f,) = findings(agreement, "AGR008")
    assert f["details"]["unknown_ids"] == ["ghost1", "ghost2"]


def test_bad_sheet_column_for_a_criterion_not_in_the_rubric(tmp_path: Path) -> None:
    head = HEAD + ",rater_1:polite,rater_2:polite"
    _, agreement = _check(tmp_path, [head, *_rows(30, lambda i: ["pass", "pass", "4", "pass", "pass", "4", "yes", "no"])])
    assert any("criteria not in agreement.rubric" in f["message"] and "'polite'" in f["message"] for f in findings(agreement, "AGR010"))


@pytest.mark.parametrize(
    ("name", "text"),
    [("broken.json", ["[{\"id\": 1, \"data\": "]), ("empty.csv", [""]), ("header.csv", [HEAD]), ("tasks.json", ['[{"data": {"item_id": "r1"}, "annotations": "x"}]'])],
)
def test_broken_files_are_findings(tmp_path: Path, name: str, text: list[str]) -> None:
    code, agreement = _check(tmp_path, text, name)
    assert code == 1 and {f["code"] for f in agreement["findings"]} & {"AGR003", "AGR010", "AGR011"}


def test_a_rubric_report_validates_against_the_schema(tmp_path: Path, rated: tuple[Path, list[dict[str, Any]], list[str]]) -> None:
    from importlib.resources import files

    import jsonschema

    from auditor.report import json as json_report

    path, rows, columns = rated
    report = json.loads(json_report.render(audit(path, CONFIG, annotations=as_sheet(tmp_path, rows, columns))))
    schema = json.loads(files("auditor.report").joinpath("schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)
    assert set(report["checks"]["agreement"]["metrics"]["criteria"]) == {"correct", "complete", "tone"}
    broken = json.loads(json.dumps(report))
    broken["checks"]["agreement"]["metrics"]["criteria"]["tone"]["level"] = "interval"  # a criterion is nominal or ordinal
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_one_sheet_per_rater_is_blind_and_reads_back_as_one(tmp_path: Path) -> None:
    path = data(tmp_path, 120)
    cfg = tmp_path / "auditor.toml"
    cfg.write_text("[agreement]\nrubric = [{name = \"correct\", question = \"Right?\", scale = \"pass/fail\"}, "
                   "{name = \"tone\", question = \"Tone?\", scale = \"1-5\"}]\n")  # fmt: skip
    done = CliRunner().invoke(main, ["sample", str(path), "--config", str(cfg), "--n", "60", "--out", str(tmp_path / "sheets") + "/"])
    assert done.exit_code == 0, done.output
    assert "one sheet per rater, each with only their own columns" in done.output
    raters = _raters()
    orders = []
    for k in (1, 2):
        sheet = tmp_path / "sheets" / f"rater_{k}.csv"
        rows, header = raters.read_rows(sheet)
        assert header[4:] == [f"rater_{k}:correct", f"rater_{k}:tone"]  # nobody else's column
        orders.append([r["id"] for r in rows])
        filled = raters.rate(rows, header[4:], {"correct": "pass/fail", "tone": "1-5"}, {}, seed=k)
        raters.write_rows(sheet, filled, header)
    assert sorted(orders[0]) == sorted(orders[1]) and orders[0] != orders[1]  # the same items, each in its own order
    metrics = audit(path, {"agreement": {"rubric": RUBRIC[:1] + RUBRIC[2:]}}, annotations=tmp_path / "sheets").checks["agreement"].metrics
    assert metrics["source"] == "folder sheets (2 files)"
    assert all(m["units_pairable"] == 60 and m["annotators"] == 2 and m["alpha"] > 0.7 for m in metrics["criteria"].values())


def test_long_form_rows_with_a_criterion_column(tmp_path: Path, rated: tuple[Path, list[dict[str, Any]], list[str]]) -> None:
    path, rows, columns = rated
    long_form = tmp_path / "long.csv"
    lines = ["item_id,annotator,criterion,rating"]
    lines += [f"{row['id']},{c.split(':')[0]},{c.split(':')[1]},{row[c]}" for row in rows for c in columns]
    long_form.write_text("\n".join(lines) + "\n")
    as_long = audit(path, CONFIG, annotations=long_form).checks["agreement"].metrics["criteria"]
    as_wide = audit(path, CONFIG, annotations=as_sheet(tmp_path, rows, columns)).checks["agreement"].metrics["criteria"]
    assert {k: v["alpha"] for k, v in as_long.items()} == {k: v["alpha"] for k, v in as_wide.items()}


def test_a_sheet_saved_from_excel_with_a_byte_order_mark(tmp_path: Path) -> None:
    sheet = [HEAD, *_rows(30, lambda i: ["pass" if i % 3 else "fail", "pass", "4" if i % 2 else "5"] * 2)]
    path = data(tmp_path, 40)
    (tmp_path / "sheet.csv").write_bytes(("\n".join(sheet) + "\n").encode("utf-8-sig"))
    metrics = audit(path, CONFIG, annotations=tmp_path / "sheet.csv").checks["agreement"].metrics
    assert metrics["criteria"]["correct"]["units_pairable"] == 30


def test_label_studio_json_min_export(tmp_path: Path, rated: tuple[Path, list[dict[str, Any]], list[str]]) -> None:
    """JSON-MIN: one object per annotation, the task's data keys, each control's answer under its name, and the annotator."""
    path, rows, columns = rated
    minimal = [
        {"item_id": row["id"], "input": row["input"], "output": row["output"], "id": k, "annotator": f"rater{r}@team.example",
         "annotation_id": 2 * k + r, "created_at": "2026-12-07T10:00:00.000000Z", "lead_time": 9.1,
         **{c["name"]: row[f"rater_{r + 1}:{c['name']}"] if c["scale"] == "pass/fail" else int(row[f"rater_{r + 1}:{c['name']}"]) for c in RUBRIC}}
        for k, row in enumerate(rows, 1) for r in range(2)
    ]  # fmt: skip
    export = tmp_path / "project-3-json-min.json"
    export.write_text(json.dumps(minimal))
    as_min = audit(path, CONFIG, annotations=export).checks["agreement"].metrics["criteria"]
    as_sheet_ = audit(path, CONFIG, annotations=as_sheet(tmp_path, rows, columns)).checks["agreement"].metrics["criteria"]
    assert {k: v["alpha"] for k, v in as_min.items()} == {k: v["alpha"] for k, v in as_sheet_.items()}


# --- inline plain labels under a rubric: left out, and said so --------------------------------


def _with_inline_labels(path: Path, labelled: int) -> Path:
    """The data with plain inline labels (two annotators) on its first ``labelled`` records."""
    records = [json.loads(line) for line in path.read_text().splitlines()]
    for i, record in enumerate(records[:labelled]):
        record["annotations"] = [{"annotator": "a", "label": "good" if i % 3 else "bad"}, {"annotator": "b", "label": "good" if i % 4 else "bad"}]
    out = path.with_name("inline.jsonl")
    out.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return out


def test_inline_plain_labels_under_a_rubric_are_named_as_left_out(tmp_path: Path) -> None:
    """Before: every criterion 'not rated' (AGR003) and the 240 labels the records carry said nothing."""
    report = audit(_with_inline_labels(data(tmp_path, 200), 120), CONFIG)
    agreement = report.checks["agreement"]
    (left,) = [f for f in agreement.findings if f.code == "AGR010"]
    assert left.severity is Severity.WARNING and left.count == 240
    assert left.message == (
        "240 inline labels on 120 records were left out: they name no rubric criterion, "
        "and with agreement.rubric set agreement is measured per criterion"
    )
    assert "remove agreement.rubric" in left.action and "auditor sample" in left.action
    (unrated,) = [f for f in agreement.findings if f.code == "AGR003"]
    assert unrated.severity is Severity.BLOCKER and "were not rated" in unrated.message


def test_inline_labels_beside_the_rated_sheet_are_said_unread(tmp_path: Path, rated: tuple[Path, list[dict[str, Any]], list[str]]) -> None:
    path, rows, columns = rated
    sheet = as_sheet(tmp_path, rows, columns)
    plain = audit(path, CONFIG, annotations=sheet).checks["agreement"]
    assert not [f for f in plain.findings if f.code == "AGR010"]  # no inline labels, no note
    both = audit(_with_inline_labels(path, 300), CONFIG, annotations=sheet).checks["agreement"]
    (note,) = [f for f in both.findings if f.code == "AGR010"]
    assert note.severity is Severity.INFO and note.count == 300
    assert note.message.startswith("300 records carry inline annotations that were not read: the ratings come from ")
    assert both.metrics["criteria"] == plain.metrics["criteria"]  # the sheet's figures, untouched
