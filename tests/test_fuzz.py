"""Run the loader's coverage-guided fuzz target for a bounded time.

The corpus in tests/fuzz/corpus is copied first, so a run never changes the
repository; any crash fails the test with the input that caused it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

FUZZ = Path(__file__).parent / "fuzz"
SECONDS = int(os.environ.get("AUDITOR_FUZZ_SECONDS", "20"))


def test_loader_fuzz_finds_nothing(tmp_path: Path) -> None:
    pytest.importorskip("atheris", reason="atheris is in the test extras; install with pip install -e '.[test]'")
    corpus = tmp_path / "corpus"
    scratch = sorted(Path(tempfile.gettempdir()).glob("auditor-fuzz-*"))  # the target's folders for its inputs
    shutil.copytree(FUZZ / "corpus", corpus)
    proc = subprocess.run(
        [
            sys.executable,
            str(FUZZ / "fuzz_loader.py"),
            str(corpus),
            f"-max_total_time={SECONDS}",
            "-rss_limit_mb=2048",
            "-timeout=10",
            f"-artifact_prefix={tmp_path}/",
        ],
        cwd=tmp_path,
        # Its inputs' folder inside tmp_path: libFuzzer ends the process with exit(), so the target's own clean-up never runs.
        env={**os.environ, "PYTHONPATH": str(FUZZ.parents[1]), "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
    )
    crashes = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-")))
    assert proc.returncode == 0 and not crashes, proc.stderr[-3000:]
    assert sorted(Path(tempfile.gettempdir()).glob("auditor-fuzz-*")) == scratch, "the fuzz target left its inputs' folder behind"
