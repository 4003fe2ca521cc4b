from __future__ import annotations

import hashlib
import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

import auditor
from auditor.history.store import (
    SCHEMA_VERSION,
    V1_SCHEMA,
    GapRow,
    History,
    HistoryError,
    Run,
    default_path,
    flatten_metrics,
    history_target,
)
from auditor.runtime.errors import AuditorError

REPO = Path(__file__).resolve().parents[1]
READY = REPO / "sample_data" / "support_ready.jsonl"
NOT_READY = REPO / "sample_data" / "support_not_ready.jsonl"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("metrics", "flat"),
    [
        ({"count": {"a": 1, "b": 0.5}}, {"count.a": 1.0, "count.b": 0.5}),
        ({"count": {"per": {"x": 2, "y": {"z": 3}}}}, {"count.per.x": 2.0, "count.per.y.z": 3.0}),
        ({"agreement": {"alpha": None, "level": "nominal", "ok": True, "ids": [1, 2]}}, {"agreement.ok": 1.0}),
        ({"q": {"nan": float("nan"), "inf": float("inf"), "n": -1}}, {"q.n": -1.0}),
    ],
)
def test_flatten_metrics_keeps_numbers_only(metrics: dict, flat: dict) -> None:
    assert flatten_metrics(metrics) == flat


def test_record_report_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    report = auditor.audit(NOT_READY, config={})
    with History(db) as h:
        first = h.record(report)
        second = h.record(auditor.audit(READY, config={}), label="batch 2")
        runs = h.runs()
        assert h.integrity() == "ok" and h.version == SCHEMA_VERSION
    assert [r.id for r in runs] == [first, second]
    run = runs[0]
    assert run.label == "support_not_ready.jsonl" and runs[1].label == "batch 2"
    assert run.path == str(NOT_READY) and run.sha256 == sha(NOT_READY) and run.bytes == NOT_READY.stat().st_size
    assert run.verdict == "NOT_READY" and run.time.endswith("+00:00")
    assert run.metrics["count.effective_examples"] == report.metrics["count"]["effective_examples"]
    assert run.metrics["count.per_category.cancellation"] == 6
    assert [g.code for g in run.gaps] == [g.finding.code for g in report.gaps]
    assert run.gaps[0].message == report.gaps[0].finding.message
    assert runs[1].gaps == ()


def test_last_runs_and_empty(tmp_path: Path) -> None:
    with History(tmp_path / "h.sqlite") as h:
        assert h.runs() == []
        for k in range(5):
            h.add(Run(label=f"b{k}", verdict="READY", metrics={"m.x": k}))
        assert [r.label for r in h.runs(last=2)] == ["b3", "b4"]
        assert h.runs(last=0) == []


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    with History(db) as h:
        h.add(Run(label="ok", verdict="READY", metrics={"m.x": 1}))
        bad = Run(label="bad", verdict="READY", metrics={"m.x": 2}, gaps=(GapRow("X", "blocker", "c", "m", 1), GapRow("Y", "b", "c", "m", 1)))
        # The second gap row fails half-way through the write: the whole run must roll back.
        h._con.execute("CREATE TRIGGER boom BEFORE INSERT ON gaps WHEN NEW.code = 'Y' BEGIN SELECT RAISE(ABORT, 'boom'); END")
        with pytest.raises(sqlite3.IntegrityError):
            h.add(bad)
        runs = h.runs()
    assert [r.label for r in runs] == ["ok"]
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM metrics").fetchone()[0] == 1
    assert con.execute("SELECT count(*) FROM gaps").fetchone()[0] == 0


def _writer(path: str, label: str, n: int, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    for k in range(n):
        with History(path) as h:
            h.add(Run(label=f"{label}-{k}", verdict="READY", metrics={f"m.{i}": float(i + k) for i in range(50)}))


@pytest.mark.parametrize("start_from", ["nothing", "v1"])
def test_two_processes_writing_at_once(tmp_path: Path, start_from: str) -> None:
    # From nothing, both race to create the file; from a v1 file, both race to migrate it.
    db = tmp_path / "sub" / "h.sqlite"
    db.parent.mkdir()
    if start_from == "v1":
        _v1_db(db)
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(str(db), name, 20, start)) for name in ("a", "b")]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with History(db) as h:
        assert h.integrity() == "ok" and h.version == SCHEMA_VERSION
        runs = h.runs()
    new = [r for r in runs if r.label != "batch_01.jsonl"]
    assert len(runs) == 40 + (start_from == "v1")
    assert {r.label for r in new} == {f"{x}-{k}" for x in "ab" for k in range(20)}
    assert all(len(r.metrics) == 50 for r in new)


def _v1_db(path: Path) -> None:
    con = sqlite3.connect(path)
    con.executescript(V1_SCHEMA)
    con.execute("INSERT INTO schema_version VALUES (1)")
    metrics = {"count": {"effective_examples": 640, "per_category": {"billing": 3}}, "agreement": {"alpha": 0.84, "level": "nominal"}}
    gaps = [{"code": "CNT001", "severity": "blocker", "check": "count", "message": "too few", "count": 5}]
    con.execute(
        "INSERT INTO runs (started_at, path, sha256, bytes, verdict, metrics_json, gaps_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ("2026-01-01T00:00:00+00:00", "/data/batch_01.jsonl", "ab" * 32, 123, "NOT_READY", json.dumps(metrics), json.dumps(gaps)),
    )
    con.commit()
    con.close()


def test_older_schema_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite"
    _v1_db(db)
    with History(db) as h:
        assert h.version == SCHEMA_VERSION
        h.add(Run(label="new", verdict="READY", metrics={"count.effective_examples": 700}))
        old, new = h.runs()
        assert h.integrity() == "ok"
    assert old.label == "batch_01.jsonl" and old.time == "2026-01-01T00:00:00+00:00" and old.verdict == "NOT_READY"
    assert old.metrics == {"count.effective_examples": 640, "count.per_category.billing": 3, "agreement.alpha": 0.84}
    assert old.gaps == (GapRow("CNT001", "blocker", "count", "too few", 5),)
    assert old.id is not None and new.id == old.id + 1
    backup = sqlite3.connect(tmp_path / "h.sqlite.v1.bak")  # the original layout is kept aside
    assert backup.execute("SELECT version FROM schema_version").fetchone() == (1,)
    assert backup.execute("SELECT count(*) FROM runs WHERE metrics_json LIKE '%0.84%'").fetchone() == (1,)


def _future_db(path: Path) -> None:
    # A newer auditor's file: it carries the marker table every history has since version 3.
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE auditor_history (format TEXT NOT NULL)")
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    con.execute("CREATE TABLE runs (id INTEGER PRIMARY KEY, whatever TEXT)")
    con.execute("INSERT INTO schema_version VALUES (99)")
    con.commit()
    con.close()


def _foreign_db(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_future_db, "schema version 99 is newer"),
        (_foreign_db, "not an auditor history (tables: customers)"),
        (lambda p: p.write_text("id,input\n1,hello\n"), "not a SQLite file"),
    ],
)
def test_refused_files_are_left_byte_identical(tmp_path: Path, make: object, words: str) -> None:
    db = tmp_path / "h.sqlite"
    make(db)  # type: ignore[operator]
    before = sha(db)
    listing = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(HistoryError) as err:
        History(db)
    assert words in str(err.value) and "\n" not in str(err.value)
    assert isinstance(err.value, AuditorError) and err.value.exit_code == 2
    assert sha(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing  # no -wal/-shm/-journal left behind


def test_cli_refuses_newer_history_with_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import main

    db = tmp_path / "h.sqlite"
    _future_db(db)
    before = sha(db)
    result = CliRunner().invoke(main, ["check", str(READY), "-q", "--history", str(db)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "newer than this auditor understands" in result.output
    assert sha(db) == before
    result = CliRunner().invoke(main, ["history", "--history", str(db)])
    assert result.exit_code == 2 and sha(db) == before


def test_default_path_is_in_the_project_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "proj"
    (project / "sub").mkdir(parents=True)
    (project / "auditor.toml").write_text("min_examples = 10\n")
    monkeypatch.chdir(project / "sub")
    assert default_path(str(project / "auditor.toml")) == project.resolve() / ".auditor" / "history.sqlite"
    assert default_path(None, cwd=tmp_path) == tmp_path / ".auditor" / "history.sqlite"
    # No .auditor/ folder: nothing is recorded unless asked.
    assert history_target(None) is None
    (project / ".auditor").mkdir()
    assert history_target(None) == project.resolve() / ".auditor" / "history.sqlite"
    assert history_target(None, disabled=True) is None
    assert history_target(tmp_path / "x.sqlite") == tmp_path / "x.sqlite"


def test_check_records_only_when_asked_or_the_folder_exists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from auditor.cli import main

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(READY), "-q"]).exit_code == 0
    assert list(tmp_path.iterdir()) == []  # plain check writes nothing
    (tmp_path / ".auditor").mkdir()
    result = runner.invoke(main, ["check", str(READY), "--label", "batch 1", "--format", "json"])
    assert result.exit_code == 0 and "recorded as run 1" in result.stderr
    assert runner.invoke(main, ["check", str(READY), "-q", "--no-history"]).exit_code == 0
    with History(tmp_path / ".auditor" / "history.sqlite") as h:
        assert [r.label for r in h.runs()] == ["batch 1"]


def test_check_in_a_read_only_place_never_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from auditor.cli import main

    locked = tmp_path / "ro"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        monkeypatch.chdir(locked)
        assert CliRunner().invoke(main, ["check", str(READY), "-q"]).exit_code == 0
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_history_command_without_a_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import main

    missing = tmp_path / "none.sqlite"
    result = CliRunner().invoke(main, ["history", "--history", str(missing)])
    assert result.exit_code == 2 and "no history yet" in result.output
    assert not missing.exists()
