"""Bad input never crashes and never vanishes from the counts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.runtime.errors import InputError
from auditor.load import load
from auditor.load.detect import text_encoding

GOOD = b'{"input": "question", "output": "answer"}'

# (name, file name, bytes, valid, invalid, reason fragment of the first problem)
CASES: list[tuple[str, str, bytes, int, int, str]] = [
    ("malformed-line", "d.jsonl", GOOD + b"\n{not json}\n" + GOOD + b"\n", 2, 1, "invalid JSON"),
    ("truncated-last-line", "d.jsonl", GOOD + b'\n{"input": "q", "outp', 1, 1, "invalid JSON"),
    ("wrong-type", "d.jsonl", GOOD + b'\n{"input": "q", "output": 42}\n', 1, 1, "wrong type: field 'output' is a number"),
    ("object-as-text", "d.jsonl", GOOD + b'\n{"input": {"a": 1}, "output": "x"}\n', 1, 1, "is an object"),
    ("missing-field", "d.jsonl", GOOD + b'\n{"input": "q"}\n', 1, 1, "missing field: 'output'"),
    ("null-field", "d.jsonl", GOOD + b'\n{"input": "q", "output": null}\n', 1, 1, "is null"),
    ("not-an-object", "d.jsonl", GOOD + b"\n[1, 2]\n", 1, 1, "record is a list"),
    ("non-utf8", "d.jsonl", GOOD + b'\n{"input": "caf\xe9", "output": "x"}\n', 1, 1, "invalid UTF-8"),
    ("nul-byte", "d.jsonl", GOOD + b"\n\x00\x00\n", 1, 1, "NUL"),
    ("bom", "d.jsonl", b"\xef\xbb\xbf" + GOOD + b"\n" + GOOD + b"\n", 2, 0, ""),
    ("crlf", "d.jsonl", GOOD + b"\r\n" + GOOD + b"\r\n", 2, 0, ""),
    ("blank-lines", "d.jsonl", b"\n" + GOOD + b"\n\n   \n" + GOOD + b"\n\n", 2, 0, ""),
    ("empty-file", "d.jsonl", b"", 0, 0, ""),
    ("utf16", "d.jsonl", (GOOD.decode() + "\n").encode("utf-16"), 1, 0, ""),
    ("chat-no-assistant", "d.jsonl", b'{"messages": [{"role": "user", "content": "hi"}]}\n', 0, 1, "no assistant turn"),
    ("nan-output", "d.jsonl", GOOD + b'\n{"input": "q", "output": NaN}\n', 1, 1, "invalid JSON"),
    (
        "bad-array-element",
        "d.json",
        b'[{"input": "a", "output": "b"}, 7, {"input": "c", "output": "d"}]',
        2,
        1,
        "record is a number",
    ),
    ("truncated-array", "d.json", b'[{"input": "a", "output": "b"}, {"input": "c", "out', 1, 1, "rest of the array"),
    ("csv-ragged", "d.csv", b"input,output\na,b\nc,d,e\n\"multi\nline\",f\n", 2, 1, "ragged row"),
    ("csv-bad-bytes", "d.csv", b"input,output\na,b\n\xff\xfe,c\n", 1, 1, "invalid UTF-8"),
    ("deep-nesting", "d.jsonl", GOOD + b"\n" + b"[" * 10000 + b"]" * 10000 + b"\n", 1, 1, "invalid JSON"),
]


@pytest.mark.parametrize("name,filename,content,valid,invalid,reason", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_counted(tmp_path: Path, name: str, filename: str, content: bytes, valid: int, invalid: int, reason: str) -> None:
    path = tmp_path / filename
    path.write_bytes(content)
    before = hashlib.sha256(content).hexdigest()
    data, info = load(path)
    assert (data.valid_records, data.invalid_records) == (valid, invalid)
    assert data.total_records == valid + invalid
    if reason:
        assert reason in data.problems[0].reason
        assert data.problems[0].line >= 1
    assert info.sha256 == before and hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_problem_lines_point_at_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    ok = [b'{"id": "x%d", "input": "q", "output": "a"}' % i for i in range(3)]
    path.write_bytes(b"\n".join([ok[0], b"", ok[1], b"{oops", ok[2], b'{"id": "x7", "input": "q", "output": 1}']) + b"\n")
    data, _ = load(path)
    assert [(p.line, p.id) for p in data.problems] == [(4, None), (6, "x7")]
    assert data.ids == ["x0", "x1", "x2"]
    assert data.lines == [1, 3, 5] and data.blank_lines == 1


@pytest.mark.parametrize(
    "setup,message",
    [
        (lambda p: p / "missing.jsonl", "no such file"),
        (lambda p: (p / "folder").mkdir() or p / "folder", "not a dataset saved"),
        (lambda p: _loop(p), "symbolic link loop"),
        (lambda p: _write(p / "blob.bin", b"\x89PNG\x00\x00\x01"), "binary file"),
        (lambda p: _write(p / "notes.txt", b"just some words\nmore words\n"), "cannot tell the file format"),
        (lambda p: _write(p / "d.parquet", b"PAR1 not really"), "not a readable Parquet"),
    ],
    ids=["missing", "plain-folder", "symlink-loop", "binary", "unknown-text", "broken-parquet"],
)
def test_unreadable_sources_raise_one_line(tmp_path: Path, setup, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as err:
        load(setup(tmp_path))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root in CI, where chmod 000 does not stop reads: simulate it.
    path = _write(tmp_path / "d.jsonl", GOOD + b"\n")
    monkeypatch.setattr("os.access", lambda *a, **k: False)
    with pytest.raises(InputError, match="permission denied"):
        load(path)


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _loop(tmp: Path) -> Path:
    (tmp / "a").symlink_to(tmp / "b")
    (tmp / "b").symlink_to(tmp / "a")
    return tmp / "a"


line = st.one_of(
    st.builds(lambda i, o: json.dumps({"input": i, "output": o}).encode(), st.text(max_size=20), st.text(max_size=20)),
    st.binary(max_size=30),
    st.just(b""),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, max_size=25))
def test_counts_always_add_up(tmp_path: Path, lines: list[bytes]) -> None:
    path = tmp_path / "fuzz.jsonl"
    content = b"\n".join(x.replace(b"\n", b" ") for x in lines)
    path.write_bytes(content)
    try:
        data, _ = load(path)
    except InputError:
        return  # e.g. the first lines read as a JSON array start; one clear error is allowed
    if text_encoding(content)[0] != "utf-8":
        return  # NUL bytes in the UTF-16 pattern: read as UTF-16, so its lines are not these
    nonblank = sum(1 for x in content.split(b"\n") if x.strip())
    assert data.total_records + data.blank_lines >= nonblank
    assert data.valid_records + data.invalid_records == data.total_records
    assert len(data.ids) == len(data.inputs) == len(data.outputs) == len(data.lines)
