"""Nothing leaves the machine; nothing half-written is left behind."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import auditor
from auditor.runtime.errors import InputError
from auditor.runtime.fsio import write_atomic

REPO = Path(__file__).resolve().parents[1]


def test_a_full_audit_attempts_no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check runs, great_expectations included, with every way out blocked."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for name in ("support_ready.jsonl", "support_not_ready.jsonl", "support_chat.jsonl"):
        report = auditor.audit(
            REPO / "sample_data" / name,
            config={},
            eval=REPO / "sample_data" / "support_chat.jsonl",
            reference=REPO / "sample_data" / "support_ready.jsonl",
            expectations=REPO / "sample_data" / "expectations" / "support_suite.json",
        )
        assert report.metrics["expectations"]["evaluated"] > 0  # great_expectations ran, offline
        assert report.verdict in ("READY", "READY_WITH_WARNINGS", "NOT_READY")
    assert attempts == []


def test_interrupted_write_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")

    real_fdopen = os.fdopen

    class Exploding:
        def __init__(self, fh: object) -> None:
            self.fh = fh

        def __enter__(self) -> "Exploding":
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()  # type: ignore[attr-defined]

        def write(self, text: str) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Exploding(real_fdopen(fd, *a, **k)))
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_write_atomic_refuses_the_input(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text("x")
    link = tmp_path / "link.jsonl"
    link.symlink_to(data)
    for target in (data, link):
        with pytest.raises(InputError, match="refusing to overwrite"):
            write_atomic(target, "y", protect=[data])
    assert data.read_text() == "x"


def test_sigterm_leaves_no_half_written_report(tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    with big.open("w") as fh:
        for i in range(400_000):
            fh.write(json.dumps({"input": f"question number {i} about things", "output": f"answer {i}"}) + "\n")
    out = tmp_path / "report.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "auditor", "check", str(big), "--format", "json", "--output", str(out), "--quiet"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.5)
    if proc.poll() is not None:
        pytest.skip("the run finished before the signal could be sent")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]


def test_reports_are_readable_like_any_new_file(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    write_atomic(target, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_json_report_masks_secrets_in_findings(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    rows = [{"input": f"question {i} about the order", "output": f"answer {i} is complete."} for i in range(30)]
    rows.append({"input": "my key is AKIAIOSFODNN7EXAMPLE and card 4539 1488 0343 6467", "output": "noted."})
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    from auditor.report import json as json_report

    text = json_report.render(auditor.audit(data, config={}))
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "4539 1488 0343 6467" not in text


def test_no_format_is_modified_by_an_audit(tmp_path: Path) -> None:
    """Checksums before and after a full audit, for every kind of source."""
    import hashlib

    import datasets
    import pandas as pd

    rows = [{"id": f"r{i}", "input": f"question {i} about an order", "output": f"answer {i}.", "category": "a"} for i in range(40)]
    frame = pd.DataFrame(rows)
    sources = {
        "d.jsonl": lambda p: p.write_text("".join(json.dumps(r) + "\n" for r in rows)),
        "d.json": lambda p: p.write_text(json.dumps(rows)),
        "d.csv": lambda p: frame.to_csv(p, index=False),
        "d.tsv": lambda p: frame.to_csv(p, index=False, sep="\t"),
        "d.parquet": lambda p: frame.to_parquet(p),
        "saved": lambda p: datasets.Dataset.from_pandas(frame).save_to_disk(str(p)),
    }

    def digest(path: Path) -> str:
        files = sorted(x for x in path.rglob("*") if x.is_file()) if path.is_dir() else [path]
        h = hashlib.sha256()
        for f in files:
            h.update(f.name.encode() + f.read_bytes())
        return h.hexdigest()

    for name, make in sources.items():
        path = tmp_path / name
        make(path)
        before = digest(path)
        report = auditor.audit(path, config={}, jobs=1)
        assert report.metrics["count"]["valid_records"] == 40, name
        assert digest(path) == before, name


def test_ansi_escapes_in_data_cannot_repaint_the_terminal(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import main

    evil = "\x1b[2J\x1b[31mPWNED\x1b[0m\x07"
    rows = [{"input": f"question {i}", "output": f"answer {i}.", "category": "fine"} for i in range(30)]
    rows.append({"input": "q", "output": "a.", "category": evil})  # a thin category named in a gap message
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = CliRunner().invoke(main, ["check", str(data), "--min-examples", "1"])
    assert "CNT002" in result.output and "PWNED" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
