"""Hostile outputs: what the tool writes, where, and what it prints when it cannot.

The second hostile-input campaign (issue 15) found reports written over the
inputs they audited, devices replaced by files, CSV rows split by a bare CR,
personal data in ids, other applications' SQLite files altered, and "internal
error" where one clear line was due. Each case is a row of a table here.

The tests run as root in CI, where permission bits do not stop a write: the
read-only cases use a folder no one may create files in (``/sys``), or a path
whose parent is a file, so they hold for root and for everyone else.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.cli import main
from auditor.core.findings import CheckResult, CodeInfo, Severity
from auditor.core.records import Dataset, FieldMap
from auditor.core.verdict import gaps_of, verdict_of
from auditor.history.store import _V2, SCHEMA_VERSION, History, HistoryError, Run
from auditor.load import InputInfo
from auditor.report import export, html, markdown, terminal
from auditor.report import json as json_report
from auditor.report.model import Report
from auditor.runtime.errors import AuditorError, one_line, shown
from auditor.runtime.fsio import write_atomic

REPO = Path(__file__).resolve().parents[1]
ROWS = [{"id": f"r{i}", "input": f"question {i} about an order", "output": f"answer {i}.", "category": "a"} for i in range(30)]


def run(*args: str | Path) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error_line(result: Any) -> str:
    """The run failed with exit 2 and exactly one line on stderr, never an internal error."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    err = result.stderr
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "internal error" not in err and "Traceback" not in err
    return err


def tree(path: Path) -> dict[str, str]:
    """Every file under ``path`` (or ``path`` itself) by name, with its sha256: what must not change."""
    files = sorted(p for p in path.rglob("*")) if path.is_dir() else [path]
    return {
        str(p.relative_to(path.parent)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in files
        if not p.is_symlink()
    }


@pytest.fixture(scope="module")
def saved_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import datasets

    folder = tmp_path_factory.mktemp("saved") / "hf"
    datasets.Dataset.from_list(ROWS).save_to_disk(str(folder))
    return folder


@pytest.fixture
def workspace(tmp_path: Path, saved_template: Path) -> Path:
    """A data file, a save_to_disk folder, a config, side files and a history, all fresh."""
    shutil.copytree(saved_template, tmp_path / "hf")
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    for name in ("eval.jsonl", "ref.jsonl", "base.jsonl"):
        (tmp_path / name).write_text("".join(json.dumps(r) + "\n" for r in ROWS[:5]))
    (tmp_path / "ann.csv").write_text("item,annotator,label\nr1,ana,a\nr1,ben,a\n")
    (tmp_path / "suite.json").write_text(json.dumps({"expectations": []}))
    (tmp_path / "a.toml").write_text("min_examples = 1\n")
    with History(tmp_path / "h.sqlite") as h:
        h.add(Run(label="old", verdict="READY", metrics={"count.x": 1.0}))
    return tmp_path


# --- 1. outputs that would destroy an input -------------------------------------------

# (case, arguments with {w} for the workspace, words in the one-line refusal)
DESTROYING = [
    ("report over the dataset's state.json", "{w}/hf -o {w}/hf/state.json", "inside the input folder"),
    ("report over the dataset's arrow file", "{w}/hf -o {w}/hf/data-00000-of-00001.arrow", "inside the input folder"),
    ("a new report file inside the dataset", "{w}/hf -o {w}/hf/report.json", "inside the input folder"),
    ("export inside the dataset", "{w}/hf --export-findings {w}/hf/flagged.csv", "findings export inside the input folder"),
    ("report through a symlink to the dataset", "{w}/hf -o {w}/link/state.json", "inside the input folder"),
    ("report at a hard link to the arrow file", "{w}/hf -o {w}/hard.arrow", "inside the input folder"),
    ("history inside the dataset", "{w}/hf --history {w}/hf/h.sqlite", "history inside the input folder"),
    ("report over the history", "{w}/d.jsonl --history {w}/h.sqlite -o {w}/h.sqlite", "the report and the history"),
    ("report over the config", "{w}/d.jsonl --config {w}/a.toml -o {w}/a.toml", "overwrite the config file"),
    ("export over the config", "{w}/d.jsonl --config {w}/a.toml --export-findings {w}/a.toml", "config file with the findings export"),
    ("report over --eval", "{w}/d.jsonl --eval {w}/eval.jsonl -o {w}/eval.jsonl", "overwrite the --eval file"),
    ("report over --reference", "{w}/d.jsonl --reference {w}/ref.jsonl -o {w}/ref.jsonl", "the --reference file"),
    ("report over --baseline", "{w}/d.jsonl --baseline {w}/base.jsonl -o {w}/base.jsonl", "the --baseline file"),
    ("report over --annotations", "{w}/d.jsonl --annotations {w}/ann.csv -o {w}/ann.csv", "the --annotations file"),
    ("report over --expectations", "{w}/d.jsonl --expectations {w}/suite.json -o {w}/suite.json", "the --expectations file"),
    ("report over the input via a hard link", "{w}/d.jsonl -o {w}/d-hard.jsonl", "overwrite the input file"),
    ("history at the input", "{w}/d.jsonl --history {w}/d.jsonl", "input file with the history"),
    ("report and export to one file", "{w}/d.jsonl -o {w}/r.json --export-findings {w}/r.json", "to the same file"),
    ("report and export to one file via a symlink", "{w}/d.jsonl -o {w}/r.json --export-findings {w}/r-link.json", "to the same file"),
]


@pytest.mark.parametrize(("case", "args", "words"), DESTROYING, ids=[row[0] for row in DESTROYING])
def test_outputs_that_would_destroy_an_input_are_refused(workspace: Path, case: str, args: str, words: str) -> None:
    w = workspace
    (w / "link").symlink_to(w / "hf")
    os.link(w / "hf" / "data-00000-of-00001.arrow", w / "hard.arrow")
    os.link(w / "d.jsonl", w / "d-hard.jsonl")
    (w / "r-link.json").symlink_to(w / "r.json")
    before = tree(w)
    result = CliRunner().invoke(main, ["check", *[a.replace("{w}", str(w)) for a in args.split()], "-q"], catch_exceptions=False)
    err = one_error_line(result)
    assert "refusing" in err and words in err and "nothing was written" in err
    assert tree(w) == before, case  # not one byte written, not one file added


def test_a_refused_output_is_refused_before_the_audit_runs(workspace: Path) -> None:
    # The data is missing: were the audit to run first, the error would be about the data.
    result = run("check", workspace / "missing.jsonl", "--config", workspace / "a.toml", "-o", workspace / "a.toml")
    assert "refusing to overwrite the config file" in one_error_line(result)


def test_the_config_found_by_search_is_protected_too(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workspace / "auditor.toml").write_text("min_examples = 1\n")
    monkeypatch.chdir(workspace)
    before = tree(workspace / "auditor.toml")
    assert "the config file" in one_error_line(run("check", "d.jsonl", "-o", "auditor.toml"))
    assert tree(workspace / "auditor.toml") == before


def test_the_expectations_suite_named_in_the_config_is_protected(workspace: Path) -> None:
    (workspace / "s.toml").write_text(f'[expectations]\nsuite = "{workspace / "suite.json"}"\n')
    result = run("check", workspace / "d.jsonl", "--config", workspace / "s.toml", "-o", workspace / "suite.json")
    assert "the expectations.suite file" in one_error_line(result)


@pytest.mark.parametrize("plot", ["h.sqlite", "link.sqlite"])
def test_history_plot_never_overwrites_the_history(workspace: Path, plot: str) -> None:
    (workspace / "link.sqlite").symlink_to(workspace / "h.sqlite")
    before = tree(workspace / "h.sqlite")
    result = run("history", "--history", workspace / "h.sqlite", "--plot", workspace / plot)
    assert "refusing to overwrite the --history file with the chart" in one_error_line(result)
    assert tree(workspace / "h.sqlite") == before


def test_outputs_beside_the_inputs_are_still_written(workspace: Path) -> None:
    """The guard refuses only what it must: distinct files next to every input are fine."""
    w = workspace
    result = run(
        "check", w / "d.jsonl", "--config", w / "a.toml", "--eval", w / "eval.jsonl", "--history", w / "h.sqlite",
        "-o", w / "report.json", "--export-findings", w / "flagged.csv", "--format", "json", "-q",
    )
    assert result.exit_code in (0, 1), result.output
    assert json.loads((w / "report.json").read_text())["verdict"] and (w / "flagged.csv").exists()
    hf = run("check", w / "hf", "-o", w / "hf-report.json", "-q")
    assert hf.exit_code in (0, 1) and (w / "hf-report.json").exists()


# --- 2. targets that are not regular files ----------------------------------------------


def _char_device(path: Path) -> Path:
    """A character device like /dev/null: made with mknod as root (as CI runs), else the real one,
    which a non-root run cannot replace, so the test still fails on a writer that renames over it."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        return path
    except PermissionError:
        return Path("/dev/null")


def test_a_character_device_is_written_in_place(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    null = _char_device(tmp_path / "null")
    for flag in ("-o", "--export-findings"):
        result = run("check", data, flag, null, "-q", "--min-examples", "1")
        assert result.exit_code in (0, 1), result.output
        assert stat.S_ISCHR(os.stat(null).st_mode) and os.stat(null).st_rdev == os.makedev(1, 3)
    assert {p.name for p in tmp_path.iterdir()} <= {"d.jsonl", "null"}  # no temp file left beside it
    # The same device for both outputs is fine: nothing stored is replaced.
    assert run("check", data, "-o", null, "--export-findings", null, "-q", "--min-examples", "1").exit_code in (0, 1)


def test_a_named_pipe_receives_the_report_and_stays_a_pipe(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("check", data, "-o", fifo, "--format", "json", "-q", "--min-examples", "1")
    reader.join(60)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the pipe was replaced by a file"
    assert result.exit_code in (0, 1) and received
    assert json.loads(received[0])["input"]["path"] == str(data)


def test_dev_stdout_is_written_in_place(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "check", str(data), "-o", "/dev/stdout", "--format", "json", "--min-examples", "1"],
        capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["input"]["path"] == str(data)


def _socket(path: Path) -> Path:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()
    return path


def _block_device(path: Path) -> Path:
    try:
        os.mknod(path, 0o600 | stat.S_IFBLK, os.makedev(7, 250))  # a loop device number no one uses
    except PermissionError:
        pytest.skip("making a block device needs root (CI runs as root)")
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda p: (p.mkdir(), p)[1], "it is a folder, not a file"),
        (_socket, "it is a socket, not a file"),
        (_block_device, "it is a block device, not a file"),
    ],
    ids=["folder", "socket", "block device"],
)
@pytest.mark.parametrize("flag", ["-o", "--export-findings"])
def test_targets_no_report_belongs_in_are_refused(tmp_path: Path, make: Callable[[Path], Path], words: str, flag: str) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    target = make(tmp_path / "target")
    kind = stat.S_IFMT(os.lstat(target).st_mode)
    err = one_error_line(run("check", data, flag, target, "-q"))
    assert str(target) in err and words in err
    assert stat.S_IFMT(os.lstat(target).st_mode) == kind  # still what it was


# --- 9. file-system errors: one line naming the path and the reason ---------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-o", "/sys/auditor-report.json"], "/sys/auditor-report.json: cannot write the report into folder /sys:"),
        (["--export-findings", "/sys/flagged.csv"], "/sys/flagged.csv: cannot write the findings export into folder /sys:"),
        (["-o", "{w}/d.jsonl/r.json"], "is not a folder"),
        (["-o", "{w}/no/such/r.json"], "does not exist"),
        (["--history", "{w}/hist"], "hist: cannot write the history there: it is a folder"),
        (["--history", "{w}/d.jsonl/h.sqlite"], "is not a folder"),
    ],
    ids=["read-only folder", "read-only folder (export)", "parent is a file", "missing folder", "history at a folder", "history under a file"],
)
def test_file_system_errors_are_one_line(tmp_path: Path, args: list[str], words: str) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    (tmp_path / "hist").mkdir()
    assert words in one_error_line(run("check", data, *[a.replace("{w}", str(tmp_path)) for a in args]))


def test_history_command_at_a_folder_is_one_line(tmp_path: Path) -> None:
    assert "a folder, so not a history file" in one_error_line(run("history", "--history", tmp_path))


def test_plot_into_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as h:
        for k in range(3):
            h.add(Run(label=f"b{k}", verdict="READY", metrics={"count.effective_examples": 10.0 + k}))
    err = one_error_line(run("history", "--history", tmp_path / "h.sqlite", "--plot", "/sys/trends.svg"))
    assert "/sys/trends.svg: cannot write the chart into folder /sys:" in err


def test_write_atomic_turns_os_errors_into_one_line(tmp_path: Path) -> None:
    with pytest.raises(AuditorError, match="cannot write the report into folder /sys"):
        write_atomic(Path("/sys/x.json"), "x")
    (tmp_path / "f").write_text("x")
    with pytest.raises(AuditorError, match="is not a folder"):
        write_atomic(tmp_path / "f" / "x.json", "x")


@pytest.mark.parametrize("to_file", [True, False], ids=["--output /dev/stdout", "stdout"])
def test_a_closed_pipe_on_stdout_is_one_line(tmp_path: Path, to_file: bool) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    read_end, write_end = os.pipe()
    os.close(read_end)  # `auditor check ... | head -0`: the reader is gone before the report is written
    args = [sys.executable, "-m", "auditor", "check", str(data), "--min-examples", "1"] + (["-o", "/dev/stdout"] if to_file else [])
    try:
        proc = subprocess.run(args, stdout=write_end, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    finally:
        os.close(write_end)
    err = proc.stderr.decode()
    assert proc.returncode == 2 and err.count("\n") == 1, err
    assert "internal error" not in err and "Exception ignored" not in err
    assert ("/dev/stdout: cannot write the report: Broken pipe" if to_file else "the reader closed the pipe") in err


# --- messages: a file name cannot split the one-line error ------------------------------

NAMES = ["new\nline.jsonl", "esc\x1b[31mred.jsonl", "bidi\u202egnp.jsonl", "bell\x07.jsonl", os.fsdecode(b"latin\xff.jsonl")]


@pytest.mark.parametrize("name", NAMES, ids=["newline", "escape", "bidi", "bell", "not UTF-8"])
@pytest.mark.parametrize(
    "make_args",
    [
        lambda w, n: ["check", w / n],  # a missing input (the loader's own message)
        lambda w, n: ["check", w / "d.jsonl", "-o", w / n / "r.json"],  # a missing output folder
        lambda w, n: ["check", w / "d.jsonl", "--config", w / n],  # a missing config
        lambda w, n: ["check", w / "d.jsonl", "-o", w / n, "--export-findings", w / n],  # named by the guard
        lambda w, n: ["history", "--history", w / n],  # no history yet
    ],
    ids=["input", "output folder", "config", "guard", "history"],
)
def test_a_file_name_cannot_split_the_error_line(tmp_path: Path, name: str, make_args: Callable[[Path, str], list[Any]]) -> None:
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    err = one_error_line(run(*make_args(tmp_path, name)))
    assert "\x1b" not in err and "\x07" not in err and "\u202e" not in err
    assert err.isprintable() or err[:-1].isprintable()


def test_shown_and_one_line() -> None:
    assert shown("plain name.jsonl") == "plain name.jsonl"  # ordinary messages read as before
    assert shown("a\nb") == "'a\\nb'" and shown("\x1b[2J") == "'\\x1b[2J'"
    assert one_line("x: a\nb\rc\x1bd") == "x: a\\nb\\rc\\x1bd"


# --- 3. CSV export: no row split, no live formula ---------------------------------------

FORMULA = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CELLS = [
    "=cmd|' /C calc'!A0",
    " =1+1",
    "\t=1+1",
    " \t @SUM(A1)",
    "\uff1d1+1",
    "  \uff0bcmd",
    "\uff0d2",
    "\uff20SUM(A1)",
    "x\r=cmd|' /C calc'!A0",
    "x\n=cmd|' /C calc'!A0",
    "x\r\n+cmd",
    "\r=x",
    "ends with CR\r",
    "\n@x",
    "plain",
]


def _report(ids: list[Any], inputs: list[str], outputs: list[str] | None = None, categories: list[str] | None = None,
            message: str = "flagged") -> Report:
    outputs = outputs if outputs is not None else [f"answer {i}." for i in range(len(ids))]
    data = Dataset(
        format="test/input-output",
        fields=FieldMap(input=("input",), output="output", category="category" if categories else None),
        ids=list(ids), lines=list(range(1, len(ids) + 1)), inputs=list(inputs), outputs=list(outputs),
        categories=list(categories) if categories else None,
    )
    code = CodeInfo("QLT009", "personal-data", Severity.BLOCKER, "s", "why", "fix")
    results = {"quality": CheckResult("quality", metrics={"records": len(ids)},
                                      findings=(code.finding(message, "fix them", list(ids), groups=list(categories) if categories else None),))}
    gaps = gaps_of(results)
    return Report(verdict=verdict_of(gaps), gaps=gaps, checks=results,
                  input=InputInfo(path="d.jsonl", format="jsonl/input-output", bytes=1, sha256="0" * 64),
                  config={}, timing={"total_seconds": 0.1}, dataset=data)


def _live(cell: str) -> bool:
    return not cell.startswith("'") and cell.lstrip().startswith(FORMULA)


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_cells_are_inert_and_rows_stay_whole() -> None:
    ids = [f"c{i}" for i in range(len(CELLS))]
    report = _report(ids, CELLS, outputs=CELLS, categories=CELLS)
    table = _read_csv(export.render_csv(report))
    assert len(table) == 1 + len(CELLS)  # no CR or LF ended a row early
    assert all(len(row) == len(table[0]) for row in table)
    assert not [cell for row in table for cell in row if _live(cell)]
    by_id = {row[3]: row for row in table[1:]}
    header = table[0]
    for record_id, text in zip(ids, CELLS):
        cell = by_id[record_id][header.index("input")]
        assert cell in (text, "'" + text), (text, cell)  # the text itself is kept, only prefixed


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(["a", " ", "\t", "\r", "\n", "=", "+", "-", "@", "\uff1d", "\uff20", '"', ","]),
                        max_size=12), min_size=1, max_size=5))
def test_csv_never_splits_a_row_nor_starts_a_formula(texts: list[str]) -> None:
    table = _read_csv(export.render_csv(_report([f"i{k}" for k in range(len(texts))], texts, outputs=texts)))
    assert len(table) == 1 + len(texts)
    assert not [cell for row in table for cell in row if _live(cell)]


# --- 4. personal data in record ids ------------------------------------------------------

PII_IDS = ["alice.smith@gmail.com", "4539148803436467", 4539148803436467, "cust +44 20 7946 0958", "DE89370400440532013000"]
PLAIN_IDS = ["550e8400-e29b-41d4-a716-446655440000", "33f01939a744455c869cb234afca47f1", "r0001", 7, "1234567890123456789", "order-12345"]


def _rendered(report: Report) -> dict[str, str]:
    return {
        "json": json_report.render(report),
        "terminal": terminal.render(report, width=200, color=False, max_ids=50),
        "jsonl": export.render_jsonl(report),
        "csv": export.render_csv(report),
        "html": html.render(report),
        "markdown": markdown.render(report),
    }


@pytest.mark.parametrize("fmt", ["json", "terminal", "jsonl", "csv", "html", "markdown"])
def test_ids_holding_personal_data_are_masked_in_every_format(fmt: str) -> None:
    # One id per report: every format shows the first few examples only.
    for record_id in PII_IDS:
        text = _rendered(_report([record_id], ["question"]))[fmt]
        for value in ("alice.smith@gmail.com", "4539148803436467", "7946 0958", "DE89370400440532013000"):
            assert value not in text, (fmt, value)
    for record_id in PLAIN_IDS:
        assert str(record_id) in _rendered(_report([record_id], ["question"]))[fmt], (fmt, record_id)  # stays readable


def test_plain_ids_are_byte_identical_in_json() -> None:
    report = json.loads(json_report.render(_report(PLAIN_IDS, [f"q {i}" for i in range(len(PLAIN_IDS))])))
    assert report["gaps"][0]["example_ids"] == PLAIN_IDS  # values and types (7 stays an int)
    rows = [json.loads(line) for line in export.render_jsonl(_report(PLAIN_IDS, ["q"] * len(PLAIN_IDS))).splitlines()]
    assert [r["id"] for r in rows] == PLAIN_IDS


# --- 8. lone surrogates: every writer still writes --------------------------------------


def test_lone_surrogates_never_crash_a_renderer_or_writer(tmp_path: Path) -> None:
    bad = "text \ud800 with a lone surrogate"
    report = _report(["s\udcff1", "s2"], [bad, "fine"], outputs=[bad, "fine"], categories=["cat\ud800", "b"], message=f"quoting {bad}")
    report.checks["quality"] = CheckResult("quality", metrics={"per_category": {"cat\ud800": 1}}, findings=report.checks["quality"].findings)
    for fmt, text in _rendered(report).items():
        out = tmp_path / f"r.{fmt}"
        write_atomic(out, text)
        written = out.read_bytes().decode("utf-8")  # strict: the file is valid UTF-8
        assert "\ufffd" in written or "?" in written, fmt
    assert json.loads((tmp_path / "r.json").read_text())["checks"]["quality"]["metrics"]["per_category"] == {"cat\ufffd": 1}
    with History(tmp_path / "h.sqlite") as h:
        h.add(Run(label="batch \ud800", verdict="READY", metrics={"count.per_category.x\ud800": 1.0}, path="d\udcff.jsonl"))
        assert h.runs()[0].label == "batch \ufffd"


def test_a_lone_surrogate_from_a_json_array_reaches_every_format(tmp_path: Path) -> None:
    data = tmp_path / "d.json"
    data.write_text("[" + ",".join(['{"input": "q\\ud800 %d", "output": "a\\ud800."}' % i for i in range(5)]) + "]")
    for fmt in ("json", "html", "markdown", "terminal"):
        result = run("check", data, "--format", fmt, "-o", tmp_path / f"r.{fmt}", "--export-findings", tmp_path / "f.csv", "-q")
        assert result.exit_code in (0, 1), (fmt, result.output)
        (tmp_path / f"r.{fmt}").read_bytes().decode("utf-8")
    printed = run("check", data, "--format", "json")
    assert printed.exit_code in (0, 1) and json.loads(printed.stdout)["verdict"]


# --- 8. the config is checked whole, before any data is read ----------------------------


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('[severity]\nCNT002 = "fatal"\n', "severity.CNT002 in"),
        ("[severity]\nCNT002 = 3\n", "severity.CNT002 in"),
        ('[severity]\nCNT0002 = "warning"\n', "no finding code 'CNT0002' (did you mean 'CNT002'?)"),
        ('[severity]\nNOPE1 = "info"\n', "no finding code 'NOPE1'"),
        ("select = [1]\n", "select[0] in"),
        ('ignore = ["DUP", 2]\n', "ignore[1] in"),
        ('[quality]\npii_kinds = ["emial"]\n', "quality.pii_kinds[0] in"),
        ('[quality]\nrefusal_phrases = ["ok", 1]\n', "quality.refusal_phrases[1] in"),
        ("[expectations]\nrules = [1]\n", "expectations.rules[0]"),
    ],
    ids=["unknown severity", "numeric severity", "misspelt code", "unknown code", "select item", "ignore item", "pii kind",
         "phrase item", "expectation rule"],
)
def test_a_bad_config_stops_the_run_before_the_data_is_read(tmp_path: Path, toml: str, words: str) -> None:
    (tmp_path / "bad.toml").write_text(toml)
    # The data does not exist: an error about the config proves the config was checked first.
    err = one_error_line(run("check", tmp_path / "missing.jsonl", "--config", tmp_path / "bad.toml"))
    assert words in err and "missing.jsonl" not in err


def test_known_codes_and_levels_are_accepted(tmp_path: Path) -> None:
    (tmp_path / "ok.toml").write_text('min_examples = 1\n[severity]\nCNT002 = "info"\nAUD001 = "warning"\nDUP001 = "blocker"\n')
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    assert run("check", tmp_path / "d.jsonl", "--config", tmp_path / "ok.toml", "-q").exit_code in (0, 1)


# --- 5. other applications' SQLite files -------------------------------------------------


def _sqlite(*statements: str, wal: bool = False) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        con = sqlite3.connect(path)
        if wal:
            con.execute("PRAGMA journal_mode = WAL")
        for sql in statements:
            con.execute(sql)
        con.commit()
        con.close()

    return make


FOREIGN = [
    ("a lone view and its own user_version", _sqlite("CREATE VIEW v AS SELECT 1 AS x", "PRAGMA user_version = 42"), "views: v"),
    ("its own runs table and schema_version 1",
     _sqlite("CREATE TABLE schema_version (version INTEGER)", "INSERT INTO schema_version VALUES (1)",
             "CREATE TABLE runs (id INTEGER PRIMARY KEY, started_at TEXT, job TEXT)"), "tables: runs, schema_version"),
    ("its own runs table and schema_version 2",
     _sqlite("CREATE TABLE schema_version (version INTEGER)", "INSERT INTO schema_version VALUES (2)",
             "CREATE TABLE runs (id INTEGER PRIMARY KEY, job TEXT)"), "not an auditor history"),
    ("a history's layout plus a table of its own",
     _sqlite(*[s for s in _V2.split(";") if s.strip()],
             "INSERT INTO schema_version VALUES (2)", "CREATE TABLE invoices (id INTEGER)"), "invoices"),
    ("an empty file marked with a user_version", _sqlite("PRAGMA user_version = 7"), "user_version 7"),
    ("an empty file marked with an application_id", _sqlite("PRAGMA application_id = 1234"), "application_id 1234"),
    ("a WAL-mode file with its own tables", _sqlite("CREATE TABLE customers (id INTEGER)", wal=True), "tables: customers"),
    ("a WAL-mode file holding a view", _sqlite("CREATE VIEW v AS SELECT 1 AS x", "PRAGMA user_version = 3", wal=True), "views: v"),
    ("a schema version from the future without the marker",
     _sqlite("CREATE TABLE schema_version (version INTEGER)", "INSERT INTO schema_version VALUES (99)",
             "CREATE TABLE runs (id INTEGER PRIMARY KEY)"), "not an auditor history"),
]


@pytest.mark.parametrize(("case", "make", "words"), FOREIGN, ids=[row[0] for row in FOREIGN])
def test_another_applications_sqlite_file_is_never_written(tmp_path: Path, case: str, make: Callable[[Path], None], words: str) -> None:
    db = tmp_path / "app.sqlite"
    make(db)
    before = tree(tmp_path)
    with pytest.raises(HistoryError) as err:
        History(db)
    assert words in str(err.value) and "not touching it" in str(err.value) and "\n" not in str(err.value)
    assert tree(tmp_path) == before  # byte-identical, and no -wal, -shm or .bak beside it
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    before = tree(tmp_path)
    result = run("check", tmp_path / "d.jsonl", "--history", db, "-o", tmp_path / "report.json", "-q")
    assert words in one_error_line(result)
    assert tree(tmp_path) == before  # refused before the audit: not even the report was written
    assert "not touching it" in one_error_line(run("history", "--history", db))
    assert tree(tmp_path) == before


def test_a_version_2_history_gains_the_marker(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    con = sqlite3.connect(db)
    con.executescript(_V2)
    con.execute("INSERT INTO schema_version VALUES (2)")
    con.execute("INSERT INTO runs (time, label, verdict) VALUES ('2026-01-01T00:00:00+00:00', 'batch 1', 'READY')")
    con.commit()
    con.close()
    with History(db) as h:
        assert h.version == SCHEMA_VERSION == 3 and [r.label for r in h.runs()] == ["batch 1"]
    con = sqlite3.connect(db)
    assert con.execute("SELECT format FROM auditor_history").fetchall() == [("auditor run history",)]
    con.close()
    assert (tmp_path / "h.sqlite.v2.bak").exists()


def test_a_new_history_carries_the_marker(tmp_path: Path) -> None:
    for db in (tmp_path / "new.sqlite", tmp_path / "empty.sqlite"):
        if db.name == "empty.sqlite":
            db.write_bytes(b"")
        with History(db) as h:
            h.add(Run(label="b", verdict="READY", metrics={}))
        con = sqlite3.connect(db)
        assert con.execute("SELECT count(*) FROM auditor_history").fetchone() == (1,)
        con.close()


@pytest.mark.parametrize("make", [os.mkfifo, lambda p: _char_device(p)], ids=["named pipe", "character device"])
def test_a_history_that_is_not_a_regular_file_is_refused(tmp_path: Path, make: Callable[[Path], Any]) -> None:
    target = tmp_path / "h.sqlite"
    made = make(target)
    target = made if isinstance(made, Path) else target
    with pytest.raises(HistoryError, match="not a regular file"):
        History(target)
    assert not list(tmp_path.glob("*-journal")) and not list(tmp_path.glob("*-wal"))
