"""The README's pipeline example and schedule recipe stay runnable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def block_after(marker: str, lang: str) -> str:
    start = README.index(marker)
    match = re.compile(rf"```{lang}\n(.*?)```", re.S).search(README, start)
    assert match, f"no ```{lang} block after {marker!r}"
    return match.group(1)


def run_example(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))  # this checkout, not whatever auditor is installed
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_pipeline_example_hands_on_a_dataset() -> None:
    done = run_example(block_after("<!-- pipeline-example -->", "python"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "READY: 640 examples go on, 0 dropped"


def test_pipeline_example_stops_on_not_ready() -> None:
    code = block_after("<!-- pipeline-example -->", "python").replace("support_ready.jsonl", "support_not_ready.jsonl")
    done = run_example(code)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("CNT001: ") and "->" in done.stdout
    assert "go on" not in done.stdout


def test_schedule_recipes_are_well_formed() -> None:
    cron = [line for line in block_after("### On a schedule", "cron").splitlines() if line and not line.startswith("#")]
    assert len(cron) == 1 and len(cron[0].split(None, 5)) == 6 and "auditor check" in cron[0]
    assert "%" not in cron[0].replace("\\%", "")  # cron turns a bare % into a newline
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(block_after("A CI schedule", "yaml"))
    steps = workflow["jobs"]["audit"]["steps"]
    assert workflow[True]["schedule"][0]["cron"] == "0 6 * * *"  # YAML 1.1 reads the key 'on' as True
    assert any("auditor history --fail-on-regression" in s.get("run", "") for s in steps)


@pytest.mark.slow
def test_agreement_walkthrough_runs_as_written(tmp_path: Path) -> None:
    """README "How to get past AGR003": every command of the block, in order, with the outcome its comment states."""
    import shlex

    commands = [line for line in block_after("<!-- agreement-walkthrough -->", "bash").splitlines() if line and not line.startswith("#")]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    outcomes = []
    for line in commands:
        argv = [str(REPO / a) if a.startswith("sample_data/") else a for a in shlex.split(line)]
        argv = [sys.executable, "-m", "auditor", *argv[1:]] if argv[0] == "auditor" else [sys.executable, *argv[1:]]
        done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        outcomes.append((done.returncode, " ".join((done.stdout + done.stderr).split())))  # the terminal report wraps
    assert [code for code, _ in outcomes] == [1, 0, 0, 1, 0, 0], [text[-500:] for _, text in outcomes]
    first, drawn, _, unclear, _, ready = (text for _, text in outcomes)
    assert first.startswith("NOT_READY") and "AGR003" in first and "'correct', 'complete', 'tone' were not rated" in first
    assert drawn.startswith("246 items: at alpha 0.80") and "drew 246 of 640 usable records (by category:" in drawn
    assert unclear.startswith("NOT_READY") and "AGR012 criterion 'complete' alpha 0.198: the raters read it differently" in unclear
    assert ready.startswith("READY ")
