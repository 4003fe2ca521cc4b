"""Coverage-guided fuzz target for the loader (atheris).

    python tests/fuzz/fuzz_loader.py tests/fuzz/corpus -max_total_time=60

Every input is written to a temporary file whose kind (JSONL, JSON, CSV, TSV,
unknown) is chosen by the first byte; the loader must either return a dataset
whose counts add up or raise InputError with one line. Anything else — a
traceback of another type, a count that does not add up — is a finding.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from auditor.runtime.errors import InputError
    from auditor.load import load

SUFFIXES = (".jsonl", ".json", ".csv", ".tsv", ".data")
# Each input is deleted once read, but the folder outlives the run: libFuzzer ends the process with
# exit(), past any clean-up of Python's. Set TMPDIR to put it somewhere removed afterwards (the test
# does: its tmp_path).
TMP = Path(tempfile.mkdtemp(prefix="auditor-fuzz-"))


def one_input(data: bytes) -> None:
    if not data:
        return
    path = TMP / f"input{SUFFIXES[data[0] % len(SUFFIXES)]}"
    path.write_bytes(data[1:])
    try:
        dataset, info = load(path, jobs=1)
    except InputError as exc:
        assert "\n" not in str(exc), "an error must be one line"
        return
    finally:
        path.unlink()  # a crash's input is kept by libFuzzer (its artifact)
    assert dataset.valid_records + dataset.invalid_records == dataset.total_records
    assert len(dataset.ids) == len(dataset.inputs) == len(dataset.outputs) == len(dataset.lines)
    assert all(isinstance(t, str) for t in dataset.inputs) and all(isinstance(t, str) for t in dataset.outputs)
    assert info.bytes == len(data) - 1


def main() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    main()
