"""Every supported layout and file kind, detected automatically."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.runtime.errors import InputError
from auditor.load import load
from auditor.load.detect import FieldOverrides
from auditor.similarity.normalize import Normalizer

LAYOUTS: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (layout, row, expected format suffix, expected input, expected output)
    ("input-output", {"input": "hi", "output": "hello"}, "input-output", "hi", "hello"),
    ("prompt-completion", {"prompt": "p", "completion": "c"}, "prompt-completion", "p", "c"),
    ("alpaca", {"instruction": "Do X", "input": "ctx", "output": "done"}, "alpaca", "Do X\n\nctx", "done"),
    ("alpaca-empty-input", {"instruction": "Do X", "input": "", "output": "done"}, "alpaca", "Do X", "done"),
    ("alpaca-response", {"instruction": "Do X", "response": "ok"}, "alpaca", "Do X", "ok"),
    ("question-answer", {"question": "2+2?", "answer": "4"}, "question-answer", "2+2?", "4"),
    # Self-Instruct's task files (seed_tasks.jsonl of Self-Instruct, Alpaca and Code Alpaca; its user-oriented set)
    (
        "self-instruct",
        {"name": "antonym", "instruction": "Relation?", "instances": [{"input": "Night : Day", "output": "opposites"}], "is_classification": False},
        "self-instruct",
        "Relation?\n\nNight : Day",
        "opposites",
    ),
    ("self-instruct-no-input", {"instruction": "Name a fruit.", "instances": [{"input": "", "output": "Apple"}]}, "self-instruct", "Name a fruit.", "Apple"),
    ("text-label", {"text": "great film", "label": "pos"}, "text-label", "great film", "pos"),
    ("text-label-int", {"text": "great film", "label": 1}, "text-label", "great film", "1"),
    (
        "chat",
        {"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}, {"role": "assistant", "content": "A"}]},
        "chat",
        "system: S\nuser: U",
        "A",
    ),
    (
        "chat-multi-turn",
        {
            "messages": [
                {"role": "user", "content": "U1"},
                {"role": "assistant", "content": "A1"},
                {"role": "user", "content": "U2"},
                {"role": "assistant", "content": [{"type": "text", "text": "A2"}]},
            ]
        },
        "chat",
        "user: U1\nassistant: A1\nuser: U2",
        "A2",
    ),
    (
        "sharegpt",
        {"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "R"}]},
        "sharegpt",
        "user: Q",
        "R",
    ),
]


def _write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("name,row,layout,inp,out", LAYOUTS, ids=[r[0] for r in LAYOUTS])
def test_jsonl_layouts(tmp_path: Path, name: str, row: dict[str, Any], layout: str, inp: str, out: str) -> None:
    data, info = load(_write_jsonl(tmp_path / "d.jsonl", [row, row]))
    assert data.format == f"jsonl/{layout}"
    assert (data.inputs[0], data.outputs[0]) == (inp, out)
    assert data.ids == [1, 2] and data.invalid_records == 0
    assert info.bytes == (tmp_path / "d.jsonl").stat().st_size and len(info.sha256 or "") == 64


@pytest.mark.parametrize("name,row,layout,inp,out", LAYOUTS, ids=[r[0] for r in LAYOUTS])
def test_json_array_layouts(tmp_path: Path, name: str, row: dict[str, Any], layout: str, inp: str, out: str) -> None:
    path = tmp_path / "d.json"
    path.write_text(json.dumps([row, row, row], indent=2))
    data, _ = load(path)
    assert data.format == f"json/{layout}"
    assert len(data) == 3 and (data.inputs[2], data.outputs[2]) == (inp, out)


FLAT = [r for r in LAYOUTS if all(isinstance(v, str | int) for v in r[1].values())]


@pytest.mark.parametrize("name,row,layout,inp,out", FLAT, ids=[r[0] for r in FLAT])
def test_csv_and_parquet_layouts(tmp_path: Path, name: str, row: dict[str, Any], layout: str, inp: str, out: str) -> None:
    import pandas as pd

    frame = pd.DataFrame([row, row])
    frame.to_csv(tmp_path / "d.csv", index=False)
    frame.to_parquet(tmp_path / "d.parquet")
    for kind in ("csv", "parquet"):
        data, _ = load(tmp_path / f"d.{kind}")
        assert data.format == f"{kind}/{layout}"
        assert (data.inputs[1], data.outputs[1]) == (inp, out)


@pytest.mark.parametrize(
    "instances,reason",
    [
        ([{"input": "a", "output": "1"}, {"input": "b", "output": "2"}], "2 instances in one task"),
        ([], "holds no instance"),
        ("a text", "expected a list"),
        (["a text"], "an instance is"),
        ([{"input": "a"}], "missing field: 'output'"),
    ],
)
def test_self_instruct_tasks_that_are_not_one_example_say_why(tmp_path: Path, instances: Any, reason: str) -> None:
    good = {"instruction": "Do X", "instances": [{"input": "", "output": "done"}]}
    data, _ = load(_write_jsonl(tmp_path / "d.jsonl", [good, good, {"instruction": "Do Y", "instances": instances}]))
    assert data.format == "jsonl/self-instruct" and len(data) == 2 and data.invalid_records == 1
    assert reason in data.problems[0].reason, data.problems


def test_tsv_and_gzip(tmp_path: Path) -> None:
    with (tmp_path / "d.tsv").open("w", newline="") as fh:
        w = csv.writer(fh, delimiter="\t")
        w.writerows([["prompt", "completion"], ["a\tb" if False else "a", "b"]])
    assert load(tmp_path / "d.tsv")[0].format == "tsv/prompt-completion"
    with gzip.open(tmp_path / "d.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"input": "x", "output": "y"}) + "\n")
    data, info = load(tmp_path / "d.jsonl.gz")
    assert data.inputs == ["x"] and info.bytes == (tmp_path / "d.jsonl.gz").stat().st_size


def test_saved_dataset_folder_and_in_memory(tmp_path: Path) -> None:
    import datasets
    import pandas as pd

    rows = [{"prompt": f"p{i}", "completion": f"c{i}", "category": "a" if i % 2 else "b"} for i in range(5)]
    ds = datasets.Dataset.from_list(rows)
    ds.save_to_disk(str(tmp_path / "saved"))
    data, info = load(tmp_path / "saved")
    assert data.format == "saved-dataset/prompt-completion" and len(data) == 5
    assert data.categories == ["b", "a", "b", "a", "b"] and info.sha256
    assert load(ds)[0].inputs == [f"p{i}" for i in range(5)]
    assert load(ds.select([4, 0]))[0].inputs == ["p4", "p0"]
    assert load(pd.DataFrame(rows))[0].outputs == [f"c{i}" for i in range(5)]
    datasets.DatasetDict({"train": ds, "test": ds}).save_to_disk(str(tmp_path / "dd"))
    assert len(load(tmp_path / "dd")[0]) == 5  # "train" chosen
    with pytest.raises(InputError, match=r"DatasetDict holds several splits \(train\)"):
        load(datasets.DatasetDict({"train": ds}))
    assert load(datasets.DatasetDict({"train": ds, "test": ds.select([0])}), split="test")[0].inputs == ["p0"]


def test_field_overrides_and_detection_of_extras(tmp_path: Path) -> None:
    rows = [{"uid": "a1", "q": "question", "a": "reply", "intent": "billing", "template": "t1"}]
    path = _write_jsonl(tmp_path / "d.jsonl", rows)
    with pytest.raises(InputError) as err:
        load(path)
    assert "fields found: uid, q, a, intent, template" in str(err.value) and "--input-field" in str(err.value)
    data, _ = load(path, FieldOverrides(input="q", output="a"))
    assert data.format == "jsonl/custom" and data.inputs == ["question"] and data.outputs == ["reply"]
    assert data.ids == ["a1"] and data.categories == ["billing"] and data.extra["template"] == ["t1"]
    data, _ = load(path, FieldOverrides(input="q", output="a", category="template", id="intent"))
    assert data.categories == ["t1"] and data.ids == ["billing"]
    with pytest.raises(InputError, match="--category-field 'nope' not found"):
        load(path, FieldOverrides(input="q", output="a", category="nope"))
    with pytest.raises(InputError, match="--output-field is needed"):
        load(path, FieldOverrides(input="q"))


def test_inline_annotations_are_kept(tmp_path: Path) -> None:
    ann = [{"annotator": "a", "label": "x"}]
    data, _ = load(_write_jsonl(tmp_path / "d.jsonl", [{"input": "i", "output": "o", "annotations": ann}]))
    assert data.fields.annotations == "annotations" and data.annotations == [ann]


def test_real_datasets_load(shared_datasets: Path) -> None:
    expected = {
        "gsm8k/train.jsonl": ("jsonl/question-answer", 7473),
        "codealpaca/code_alpaca_2k.json": ("json/alpaca", 2017),
        "gpteacher/canonical_roleplay.jsonl": ("jsonl/alpaca", 1923),
        "hh_rlhf_harmless_base_test/canonical.jsonl": ("jsonl/alpaca", 4624),
        "self_instruct_eval/canonical_predictions.jsonl": ("jsonl/alpaca", 2016),
        "self_instruct_eval/seed_tasks.jsonl": ("jsonl/self-instruct", 175),
        "self_instruct_eval/user_oriented_instructions.jsonl": ("jsonl/self-instruct", 252),
        "codealpaca/seed_tasks.jsonl": ("jsonl/self-instruct", 21),
    }
    for rel, (fmt, n) in expected.items():
        data, _ = load(shared_datasets / rel)
        assert (data.format, len(data), data.invalid_records) == (fmt, n, 0), rel


def test_parallel_jsonl_equals_sequential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked range loading gives the same records, lines, problems and fingerprint."""
    import random

    from auditor.load import parallel

    rng = random.Random(3)
    lines = []
    for i in range(3000):
        r = rng.random()
        if r < 0.02:
            lines.append("{broken")
        elif r < 0.04:
            lines.append("")
        elif r < 0.5:
            lines.append(json.dumps({"input": f"q{i} " * rng.randint(1, 30), "output": f"a{i}", "category": f"c{i % 3}", "template": "t"}))
        else:
            lines.append(json.dumps({"input": f"q{i}", "output": "x" * rng.randint(0, 200), "category": f"c{i % 3}", "template": "u"}))
    path = tmp_path / "big.jsonl"
    path.write_text("\ufeff" + "\r\n".join(lines) + "\n")
    sequential, info1 = load(path, jobs=1)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    norm = Normalizer()
    for jobs in (2, 3, 7):
        par, info2 = load(path, jobs=jobs, normalizer=norm)
        assert par.format == sequential.format and info2 == info1
        for column in ("ids", "lines", "inputs", "outputs", "categories", "problems", "extra", "blank_lines"):
            assert getattr(par, column) == getattr(sequential, column), (jobs, column)
        # The workers' hashes are the ones the count would compute itself.
        assert set(par.hashes) == {("inputs", norm), ("outputs", norm)}
        assert (par.hashes["inputs", norm] == norm.hashes(par.inputs)).all()
        assert (par.hashes["outputs", norm] == norm.hashes(par.outputs)).all()


@pytest.mark.parametrize("name,text", [("d.jsonl", '{"input": "q", "output": "a"}\n' * 50), ("d.json", json.dumps([{"input": "q", "output": "a"}] * 50))])
def test_fingerprint_beside_the_reading_is_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str) -> None:
    """Large files are fingerprinted by a thread beside the parsing; the digest is the same."""
    import hashlib

    from auditor.load import parallel

    path = tmp_path / name
    path.write_text(text)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    data, info = load(path, jobs=1)
    assert len(data) == 50
    assert (info.sha256, info.bytes) == (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size)


def test_fingerprint_thread_errors_are_raised(tmp_path: Path) -> None:
    from auditor.load import readers

    fingerprint = readers.Fingerprint(tmp_path / "missing.jsonl", readers.Hashing())
    fingerprint.start()
    with pytest.raises(FileNotFoundError):
        fingerprint.join()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(
        st.one_of(
            st.builds(lambda t: json.dumps({"input": t, "output": t[::-1]}), st.text(max_size=40)),
            st.sampled_from(["", "  ", "{broken", "[1, 2]", '"just a string"']),
        ),
        max_size=25,
    ),
    newline=st.sampled_from(["\n", "\r\n"]),
    final_newline=st.booleans(),
    chunk=st.sampled_from([1, 2, 5, 64]),
)
def test_lines_spanning_chunks_parse_as_whole_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str], newline: str, final_newline: bool, chunk: int
) -> None:
    """The reader's chunk size never changes the rows: lines longer than a chunk, or cut at any byte, come out whole."""
    from auditor.load import readers, source

    path = tmp_path / "chunks.jsonl"
    path.write_text(newline.join(lines) + (newline if final_newline else ""), encoding="utf-8")

    def rows() -> tuple[list[readers.Row], dict[str, int]]:
        counters: dict[str, int] = {}
        return list(readers.jsonl_rows(path, readers.Hashing(), counters)), counters

    whole = rows()
    with monkeypatch.context() as m:
        m.setattr(source, "CHUNK", chunk)
        assert rows() == whole


def test_load_without_limits_uses_the_default_limits(tmp_path: Path) -> None:
    """``load(path)`` as the Python API documents it: no limits given, the configured defaults apply."""
    data, _ = load(_write_jsonl(tmp_path / "d.jsonl", [{"input": "a question", "output": "an answer"}]))
    assert data.inputs == ["a question"]
