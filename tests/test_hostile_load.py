"""The loader against hostile input: issue 15's campaign, kept as tables.

Each row is one case the outside campaign tried (as a new user or an attacker
would) with the outcome the loader must give: one line and exit code 2, or
records and load problems whose counts add up. Large inputs are generated
here as gzip streams written in chunks, never gigabytes on disk, and the
limits are set small so every case runs in well under a second.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import auditor
from auditor.runtime.errors import InputError
from auditor.load import Limits, load
from auditor.core.records import Dataset

REPO = Path(__file__).resolve().parents[1]


def _record(i: int, **extra: Any) -> dict[str, Any]:
    return {"input": f"question number {i}", "output": f"answer {i}", **extra}


def _lines(n: int, start: int = 0) -> bytes:
    return b"".join(json.dumps(_record(i)).encode() + b"\n" for i in range(start, start + n))


def _gzip_stream(path: Path, pieces: Iterable[bytes]) -> Path:
    """A gzip file written piece by piece: gigabytes of input cost megabytes of disk and memory."""
    with gzip.open(path, "wb", compresslevel=1) as fh:
        for piece in pieces:
            fh.write(piece)
    return path


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _elf(tmp: Path, name: str) -> Path:
    rng = random.Random(7)
    header = b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00\x01\x00\x00\x00"
    return _write(tmp / name, header + bytes(4000) + rng.randbytes(20_000))


def _zip(tmp: Path, name: str) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.jsonl", random.Random(1).randbytes(30_000))
    return _write(tmp / name, buffer.getvalue())


def _parquet_named_jsonl(tmp: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"input": ["a"] * 50, "output": ["b"] * 50}), tmp / "d.jsonl")
    return tmp / "d.jsonl"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "p.jsonl")
    return tmp / "p.jsonl"


def _symlink(tmp: Path, target: str, name: str = "d.jsonl") -> Path:
    (tmp / name).symlink_to(target)
    return tmp / name


def _long_line_gz(tmp: Path) -> Path:
    # 3 good lines, then one line of 8 MiB without a newline: far past the 1 MiB limit below.
    return _gzip_stream(tmp / "d.jsonl.gz", [_lines(3), b'{"input": "', *([b"x" * (1 << 20)] * 8)])


def _many_lines_gz(tmp: Path, name: str = "d.jsonl.gz") -> Path:
    return _gzip_stream(tmp / name, (_lines(1000, k * 1000) for k in range(60)))  # ~3.5 MB of text


def _array_gz(tmp: Path) -> Path:
    records = (json.dumps(_record(i)).encode() for i in range(60_000))
    return _gzip_stream(tmp / "d.json.gz", [b"[", b",".join(records), b"]"])


def _tiny_array_gz(tmp: Path) -> Path:
    # 5 MB of text, but 200,000 objects: parsed whole they would take ~60 MB.
    return _gzip_stream(tmp / "d.json.gz", [b"[", b",".join([b'{"input":"a","output":"b"}'] * 200_000), b"]"])


def _csv_gz(tmp: Path) -> Path:
    rows = (f"question {i},answer {i}\n".encode() for i in range(200_000))
    return _gzip_stream(tmp / "d.csv.gz", [b"input,output\n", *rows])


SMALL = Limits(max_line_bytes=1 << 20, max_bad_run=10_000, max_bytes=2 << 20)
LINES = Limits(max_line_bytes=1 << 20)

# (name, builder, limits, fragment of the one-line error)
REFUSED: list[tuple[str, Callable[[Path], Path], Limits | None, str]] = [
    ("fifo", _fifo, None, "not a regular file (a FIFO)"),
    ("symlink-to-urandom", lambda t: _symlink(t, "/dev/urandom"), None, "not a regular file (a character device)"),
    ("symlink-to-zero-gz", lambda t: _symlink(t, "/dev/zero", "d.jsonl.gz"), None, "not a regular file (a character device)"),
    ("elf-named-jsonl", lambda t: _elf(t, "d.jsonl"), None, "a binary file (an ELF executable)"),
    ("elf-named-csv", lambda t: _elf(t, "d.csv"), None, "a binary file (an ELF executable)"),
    ("zip-named-json", lambda t: _zip(t, "d.json"), None, "a binary file (a zip archive)"),
    ("parquet-named-jsonl", _parquet_named_jsonl, None, "a binary file (a Parquet file"),
    ("random-bytes-jsonl", lambda t: _write(t / "d.jsonl", random.Random(3).randbytes(50_000)), None, "a binary file"),
    ("gz-of-zeros", lambda t: _gzip_stream(t / "d.jsonl.gz", [bytes(1 << 20)] * 16), None, "a binary file"),
    ("line-bomb-gz", _long_line_gz, LINES, "line 4 is longer than load.max_line_bytes (1 MiB)"),
    ("line-bomb-csv", lambda t: _write(t / "d.csv", b"input,output\nq," + b"x" * (3 << 20) + b"\n"), LINES, "load.max_line_bytes"),
    ("budget-jsonl-gz", _many_lines_gz, SMALL, "load.max_memory_share"),
    ("budget-plain-file", lambda t: _write(t / "d.jsonl", _lines(60_000)), SMALL, "load.max_memory_share"),
    ("budget-json-array-gz", _array_gz, SMALL, "load.max_memory_share"),
    ("budget-csv-gz", _csv_gz, SMALL, "load.max_memory_share"),
    ("budget-small-objects-json-array", _tiny_array_gz, Limits(max_bytes=30 << 20), "of memory, past load.max_memory_share"),
]


@pytest.mark.parametrize("name,build,limits,message", REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_one_line(tmp_path: Path, name: str, build: Callable[[Path], Path], limits: Limits | None, message: str) -> None:
    path = build(tmp_path)
    with pytest.raises(InputError) as err:
        load(path, limits=limits)
    assert message in str(err.value) and "\n" not in str(err.value)


def _utf(text: str, codec: str, bom: bytes = b"") -> bytes:
    return bom + text.encode(codec)


TWENTY = "".join(json.dumps(_record(i), ensure_ascii=False) + "\n" for i in range(19)) + json.dumps(_record(19, note="café ☕ 一")) + "\n"
TWENTY_CSV = "input,output\n" + "".join(f"question {i},answer {i} é\n" for i in range(20))
BIG_INT = "9" * 5000


def _truncated_gz(tmp: Path) -> Path:
    whole = gzip.compress(_lines(400), compresslevel=1)
    return _write(tmp / "d.jsonl.gz", whole[: len(whole) * 3 // 5])


def _damaged_gz(tmp: Path) -> Path:
    whole = bytearray(gzip.compress(_lines(400), compresslevel=1))
    whole[len(whole) // 2 : len(whole) // 2 + 64] = bytes(64)
    return _write(tmp / "d.jsonl.gz", bytes(whole))


def _unclosed_quote_csv() -> bytes:
    rows = [f'"question {i}","answer {i}"' for i in range(41)]
    rows[4] = '"question 4","answer 4 with a quote never closed'
    return ("input,output\n" + "\n".join(rows) + "\n").encode()


def _blank_run_gz(tmp: Path) -> Path:
    # 3 records, then 1 GB of blank lines in the stored campaign case; here 24 MiB (24 KB gzipped).
    return _gzip_stream(tmp / "d.jsonl.gz", [_lines(3), *([b"\n" * (1 << 20)] * 24), _lines(3, 3)])


def _sharegpt_tools() -> bytes:
    turns = [
        {"from": "system", "value": "You may call get_weather."},
        {"from": "human", "value": "Weather in Oslo?"},
        {"from": "function_call", "value": '{"name": "get_weather", "arguments": {"city": "Oslo"}}'},
        {"from": "observation", "value": '{"temp": 3}'},
        {"from": "gpt", "value": "It is 3 degrees in Oslo."},
    ]
    return json.dumps({"conversations": turns}).encode() + b"\n"


# (name, file name, content or builder, limits, valid, invalid (-1: some), fragment of the last problem's reason)
Content = bytes | Callable[[Path], Path]
COUNTED: list[tuple[str, str, Content, Limits | None, int, int, str]] = [
    # Numbers orjson rejects, in fields the audit does not use: the record stays valid.
    ("big-int-unused-jsonl", "d.jsonl", _lines(2) + b'{"input": "q", "output": "a", "meta": ' + BIG_INT.encode() + b"}\n", None, 3, 0, ""),
    ("inf-float-unused-jsonl", "d.jsonl", _lines(2) + b'{"input": "q", "output": "a", "score": 1e400}\n', None, 3, 0, ""),
    ("big-int-json-array", "d.json", b'[{"input": "q", "output": "a", "n": ' + BIG_INT.encode() + b'}, {"input": "r", "output": "b"}]', None, 2, 0, ""),
    ("inf-float-json-array", "d.json", b'[{"input": "q", "output": "a", "n": -1e400}, {"input": "r", "output": "b"}]', None, 2, 0, ""),
    ("big-number-as-output", "d.jsonl", _lines(2) + b'{"input": "q", "output": 1e400}\n', None, 2, 1, "field 'output' is a number"),
    # A lone surrogate is the same problem on both JSON paths.
    ("lone-surrogate-jsonl", "d.jsonl", _lines(2) + b'{"input": "\\ud800", "output": "a"}\n', None, 2, 1, "invalid UTF-8"),
    ("lone-surrogate-json-array", "d.json", b'[{"input": "q", "output": "a"}, {"input": "\\ud800", "output": "a"}]', None, 1, 1, "invalid UTF-8"),
    ("nan-json-array", "d.json", b'[{"input": "q", "output": "a"}, {"input": "r", "output": NaN}]', None, 1, 1, "invalid JSON"),
    # A cut or damaged gzip keeps the records before the cut.
    ("truncated-gz", "", _truncated_gz, None, -1, 1, "file ends early"),
    ("damaged-gz", "", _damaged_gz, None, -1, -1, "damaged"),  # bytes decoded wrong before the check fails: some bad lines
    # CSV: an unclosed quote costs its own row only; NUL is refused as in JSON lines.
    ("csv-unclosed-quote", "d.csv", _unclosed_quote_csv(), None, 40, 1, "quote"),
    ("csv-nul-byte", "d.csv", b"input,output\nq,a\nq2,a\x002\n", None, 1, 1, "NUL byte"),
    # Encodings a text editor recognises, with and without a byte order mark.
    ("utf16le-no-bom", "d.jsonl", _utf(TWENTY, "utf-16-le"), None, 20, 0, ""),
    ("utf16be-no-bom", "d.jsonl", _utf(TWENTY, "utf-16-be"), None, 20, 0, ""),
    ("utf32le-bom", "d.jsonl", _utf(TWENTY, "utf-32-le", b"\xff\xfe\x00\x00"), None, 20, 0, ""),
    ("utf32be-bom", "d.jsonl", _utf(TWENTY, "utf-32-be", b"\x00\x00\xfe\xff"), None, 20, 0, ""),
    ("utf32le-no-bom", "d.jsonl", _utf(TWENTY, "utf-32-le"), None, 20, 0, ""),
    ("utf32be-no-bom", "d.jsonl", _utf(TWENTY, "utf-32-be"), None, 20, 0, ""),
    ("utf16le-no-bom-csv", "d.csv", _utf(TWENTY_CSV, "utf-16-le"), None, 20, 0, ""),
    ("utf16be-no-bom-json-array", "d.json", _utf(json.dumps([_record(i) for i in range(20)]), "utf-16-be"), None, 20, 0, ""),
    ("utf16le-no-bom-gz", "d.jsonl.gz", gzip.compress(_utf(TWENTY, "utf-16-le")), None, 20, 0, ""),
    # A long run of blank or unparseable lines stops the reading, and says so.
    ("blank-run-gz", "", _blank_run_gz, None, 3, 1, "stopped reading"),
    ("garbage-run", "d.jsonl", _lines(3) + b"{garbage\n" * 12_000 + _lines(3, 3), None, 3, 10_001, "stopped reading"),
    ("csv-blank-run", "d.csv", b"input,output\nq,a\n" + b"\n" * 12_000 + b"r,b\n", None, 1, 1, "stopped reading"),
    ("short-runs-read-on", "d.jsonl", (_lines(2) + b"\n" * 5_000 + b"{bad\n" * 4_000) * 3, None, 6, 12_000, "invalid JSON"),
    # ShareGPT tool use: function_call and observation are turns, not unknown roles.
    ("sharegpt-tool-use", "d.jsonl", _sharegpt_tools(), None, 1, 0, ""),
]


def _build(tmp: Path, filename: str, content: Content) -> Path:
    return content(tmp) if callable(content) else _write(tmp / filename, content)


@pytest.mark.parametrize("name,filename,content,limits,valid,invalid,reason", COUNTED, ids=[c[0] for c in COUNTED])
def test_counted_never_crashing(
    tmp_path: Path, name: str, filename: str, content: Content, limits: Limits | None, valid: int, invalid: int, reason: str
) -> None:
    path = _build(tmp_path, filename, content)
    before = path.read_bytes()
    data, info = load(path, limits=limits)
    if valid >= 0:
        assert data.valid_records == valid
    else:
        assert data.valid_records > 100  # the records before the cut are kept
    if invalid >= 0:
        assert data.invalid_records == invalid
    assert data.total_records == data.valid_records + data.invalid_records > 0
    if reason:
        assert reason in data.problems[-1].reason
    assert len(data.ids) == len(data.inputs) == len(data.outputs) == len(data.lines)
    assert info.bytes == len(before) and path.read_bytes() == before  # fingerprint of the whole file; input untouched


def test_big_numbers_are_kept_exactly(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", b'{"input": "q", "output": "a", "source": ' + BIG_INT.encode() + b', "batch": 1e400}\n')
    data, _ = load(path)
    assert data.extra["source"] == [BIG_INT] and data.extra["batch"] == ["1e400"]


def test_a_stopped_reading_says_where(tmp_path: Path) -> None:
    data, _ = load(_blank_run_gz(tmp_path))
    assert data.blank_lines == 10_000  # read up to the limit, not the 25 million blank lines after it
    assert data.unread_from == 10_004 and data.problems[-1].line == 10_004
    assert "10,000 blank or unreadable lines in a row" in data.problems[-1].reason
    assert "load.max_bad_run" in data.problems[-1].reason


def test_a_stopped_reading_is_a_blocker_in_the_report(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", _lines(30) + b"\n" * 200 + _lines(30, 30))
    report = auditor.audit(path, config={}, load__max_bad_run=100, min_examples=1, select=["CNT"])
    metrics = report.metrics["count"]
    assert metrics["unread_from_line"] == 131 and metrics["valid_records"] == 30
    (finding,) = [g.finding for g in report.gaps if g.finding.code == "CNT003"]
    assert finding.severity.value == "blocker" and "first at line 131: stopped reading" in finding.message
    # With a bad line before the stop, the message still says where reading stopped.
    path = _write(tmp_path / "e.jsonl", _lines(30) + b"{bad\n" + _lines(30, 30) + b"\n" * 200 + _lines(30, 60))
    report = auditor.audit(path, config={}, load__max_bad_run=100, min_examples=1, select=["CNT"])
    (finding,) = [g.finding for g in report.gaps if g.finding.code == "CNT003"]
    assert "first at line 31: invalid JSON" in finding.message and "stopped reading at line 162" in finding.message


def test_sharegpt_tool_turns_are_mapped(tmp_path: Path) -> None:
    data, _ = load(_write(tmp_path / "d.jsonl", _sharegpt_tools()))
    assert data.format == "jsonl/sharegpt" and data.outputs == ["It is 3 degrees in Oslo."]
    assert [t["role"] for t in data.messages[0]] == ["system", "user", "assistant", "tool", "assistant"]  # type: ignore[index]
    assert 'assistant: {"name": "get_weather"' in data.inputs[0] and 'tool: {"temp": 3}' in data.inputs[0]
    report = auditor.audit(tmp_path / "d.jsonl", config={}, select=["QLT"], min_examples=1)
    assert report.metrics["quality"]["malformed_chats"] == 0


# (name, file name, content, [(line, key)] of the duplicate keys found)
DUPLICATES: list[tuple[str, str, bytes, list[tuple[int, str]]]] = [
    ("top-level", "d.jsonl", _lines(1) + b'{"input": "q", "output": "a", "output": "b"}\n', [(2, "output")]),
    ("nested-turn", "d.jsonl", b'{"messages": [{"role": "user", "content": "q", "content": "r"}, {"role": "assistant", "content": "a"}]}\n', [(1, "content")]),
    ("with-u0022", "d.jsonl", b'{"input": "say \\u0022hi\\u0022", "output": "a", "input": "x"}\n', [(1, "input")]),
    ("u0022-no-duplicate", "d.jsonl", b'{"input": "say \\u0022hi\\u0022 \\\\u0022", "output": "a"}\n' + _lines(1), []),
    ("escaped-quotes-no-duplicate", "d.jsonl", b'{"input": "say \\"hi\\" \\\\", "output": "a\\\\\\""}\n', []),
    ("big-number-line", "d.jsonl", b'{"input": "q", "output": "a", "n": 1e400, "n": 2}\n', [(1, "n")]),
    ("json-array", "d.json", b'[{"input": "q", "output": "a"}, {"input": "q", "input": "r", "output": "b"}]', [(2, "input")]),
    ("json-array-fallback", "d.json", b'[{"input": "q", "output": "a", "n": 1e400}, {"input": "q", "input": "r", "output": "b"}]', [(2, "input")]),
    ("none", "d.jsonl", _lines(50), []),
]


CHECK_KEYS = Limits(check_repeated_keys=True)


@pytest.mark.parametrize("name,filename,content,expected", DUPLICATES, ids=[c[0] for c in DUPLICATES])
def test_duplicate_keys_are_noted(tmp_path: Path, name: str, filename: str, content: bytes, expected: list[tuple[int, str]]) -> None:
    data, _ = load(_write(tmp_path / filename, content), limits=CHECK_KEYS)
    assert data.invalid_records == 0  # the record is read (the last value, as every JSON parser keeps)
    assert [(n.line, n.key) for n in data.notes] == expected
    assert all(f"key {key!r} appears twice" in n.reason for n, (_, key) in zip(data.notes, expected))


def test_only_lines_of_disagreeing_halves_are_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk whose byte count of keys exceeds its objects' (an overcount: a string opening with a
    colon) is narrowed by halves: its other lines are not parsed again (issue 20), and every
    repeated key is still found, in line order."""
    from auditor.load import jsonvalues

    careful: list[bytes] = []
    repeated_keys = jsonvalues.repeated_keys
    monkeypatch.setattr(jsonvalues, "repeated_keys", lambda raw: careful.append(bytes(raw)) or repeated_keys(raw))
    overcount = b'{"input": ":) a smile", "output": "a"}\n'
    content = _lines(100) + overcount + _lines(100, 100) + b'{"input": "q", "output": "a", "output": "b"}\n' + _lines(100, 200)
    data, _ = load(_write(tmp_path / "d.jsonl", content), limits=CHECK_KEYS)
    assert [(n.line, n.key) for n in data.notes] == [(202, "output")]
    assert 2 <= len(careful) <= 4  # the two lines whose counts differ (the whole chunk of 302 before)


def test_every_line_is_checked_by_default(tmp_path: Path) -> None:
    """Issue 15 point 14: a repeated key is a load problem without any option set."""
    content = _lines(2) + b'{"input": "q", "output": "a", "output": "b"}\n' + b'{"input": "q", "output": "a", "n": 1e400, "n": 2}\n'
    data, _ = load(_write(tmp_path / "d.jsonl", content))
    assert sorted((n.line, n.key) for n in data.notes) == [(3, "output"), (4, "n")]


def test_switched_off_only_lines_the_careful_parser_reads_are_checked(tmp_path: Path) -> None:
    """load.check_repeated_keys = false skips the byte count; the careful parser's check is free, so it stays."""
    content = _lines(2) + b'{"input": "q", "output": "a", "output": "b"}\n' + b'{"input": "q", "output": "a", "n": 1e400, "n": 2}\n'
    data, _ = load(_write(tmp_path / "d.jsonl", content), limits=Limits(check_repeated_keys=False))
    assert [(n.line, n.key) for n in data.notes] == [(4, "n")]


def test_duplicate_keys_are_a_warning_finding(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", _lines(5) + b'{"input": "q", "output": "a", "output": "b"}\n')
    report = auditor.audit(path, config={}, min_examples=1, select=["CNT"])
    (finding,) = [g.finding for g in report.gaps if g.finding.code == "CNT004"]
    assert finding.severity.value == "warning" and "'output'" in finding.message and finding.ids == (6,)


keys = st.sampled_from(["input", "output", "a", 'q"', "\\", "é"])
values = st.recursive(
    st.one_of(st.text(alphabet='ab"\\\n', max_size=4), st.integers(), st.none()), lambda inner: st.lists(inner, max_size=3), max_leaves=6
)


def _object_text(pairs: list[tuple[str, Any]], escape: bool) -> str:
    body = ", ".join(f"{json.dumps(k, ensure_ascii=escape)}: {json.dumps(v, ensure_ascii=escape)}" for k, v in pairs)
    text = "{" + body + "}"
    # Escaped quotes written as \u0022 instead, read escape by escape (a '\\' pair is not a quote).
    return re.sub(r"\\.", lambda m: "\\u0022" if m.group(0) == '\\"' else m.group(0), text) if escape else text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(objects=st.lists(st.lists(st.tuples(keys, values), min_size=1, max_size=5), min_size=1, max_size=8), escape=st.booleans())
def test_duplicate_detection_matches_a_full_parse(tmp_path: Path, objects: list[list[tuple[str, Any]]], escape: bool) -> None:
    """The cheap quote count finds exactly the lines whose objects repeat a key."""
    lines = [_object_text([("input", "q"), ("output", "a"), *pairs], escape) for pairs in objects]
    path = _write(tmp_path / "d.jsonl", "\n".join(lines).encode() + b"\n")
    data, _ = load(path, limits=CHECK_KEYS)
    expected = [n for n, pairs in enumerate(objects, 1) if len({k for k, _ in pairs} | {"input", "output"}) < len(pairs) + 2]
    assert sorted({n.line for n in data.notes}) == expected


def test_parallel_reading_stops_where_sequential_reading_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.load import parallel

    path = _write(tmp_path / "d.jsonl", _lines(400) + b"\n" * 1_500 + b"{bad\n" * 1_000 + _lines(400, 400))
    limits = Limits(max_bad_run=2_000)
    sequential, _ = load(path, jobs=1, limits=limits)
    assert sequential.unread_from is not None
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    for jobs in (2, 3, 5):
        par, _ = load(path, jobs=jobs, limits=limits)
        for column in ("ids", "lines", "inputs", "problems", "blank_lines", "unread_from"):
            assert getattr(par, column) == getattr(sequential, column), (jobs, column)


def test_limits_come_from_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.load import limits

    monkeypatch.setattr(limits, "available_memory", lambda: 100 << 20)
    path = _write(tmp_path / "d.jsonl", _lines(4000))  # about 220 KB
    with pytest.raises(InputError, match=r"load.max_memory_share \(0.1% of the 100 MiB of memory available\)"):
        auditor.audit(path, config={}, load__max_memory_share=0.001)
    report = auditor.audit(path, config={}, load__max_memory_share=0.5, select=["CNT"])
    assert report.metrics["count"]["valid_records"] == 4000


def test_available_memory_is_known_here() -> None:
    from auditor.load import limits

    assert limits.available_memory() > 1 << 20


@pytest.mark.parametrize("engine", ["memory", "auto"])
def test_a_fifo_never_blocks_the_command_line(tmp_path: Path, engine: str) -> None:
    fifo = _fifo(tmp_path)
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "check", str(fifo), "--no-history", "--engine", engine],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env,
    )
    assert proc.returncode == 2 and "not a regular file (a FIFO)" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_non_regular_file_found_between_the_check_and_the_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The type is checked on the opened descriptor too, so swapping in a FIFO after the check cannot block."""
    from auditor.load import dispatch as load_module

    path = _write(tmp_path / "d.jsonl", _lines(3))
    real = load_module.check_readable

    def swap(p: Path) -> None:
        real(p)
        p.unlink()
        os.mkfifo(p)

    monkeypatch.setattr(load_module, "check_readable", swap)
    with pytest.raises(InputError, match="not a regular file"):
        load(path)


def _dataset_counts(data: Dataset) -> tuple[int, int, int]:
    return data.valid_records, data.invalid_records, data.blank_lines


def test_the_stream_engine_reads_big_numbers_and_repeated_keys_as_memory_does(tmp_path: Path) -> None:
    from tests.test_scale import KB, checks_of

    lines = [json.dumps(_record(i)).encode() for i in range(30)]
    lines[4] = b'{"input": "q4 with a huge id", "output": "a4", "id": ' + BIG_INT.encode() + b"}"
    lines[9] = b'{"input": "q9 asked twice", "output": "first", "output": "second"}'
    path = _write(tmp_path / "d.jsonl", b"\n".join(lines) + b"\n")
    options = {"min_examples": 1, "load__check_repeated_keys": True}
    memory = checks_of(auditor.audit(path, config={}, engine="memory", **options))
    stream = checks_of(auditor.audit(path, config={}, engine="stream", scale__partition_mb=KB / 2, jobs=1, **options))
    assert stream["count"] == memory["count"]
    assert memory["count"]["metrics"]["valid_records"] == 30
    assert [f["code"] for f in memory["count"]["findings"]] == ["CNT004"]


def test_a_lone_surrogate_in_an_array_never_reaches_a_renderer(tmp_path: Path) -> None:
    from auditor.report import html

    # An empty output puts the record among QLT002's examples, whose input the report shows.
    records = [json.dumps(_record(i)) for i in range(5)] + ['{"input": "\\ud800 broken", "output": " "}']
    path = _write(tmp_path / "d.json", ("[" + ",".join(records) + "]").encode())
    report = auditor.audit(path, config={}, min_examples=1)
    assert report.metrics["count"]["invalid_records"] == 1
    html.render(report).encode("utf-8")  # UnicodeEncodeError when the array path let the surrogate through


def test_memory_of_small_records_is_bounded_not_only_their_text(tmp_path: Path) -> None:
    """600,000 records of 27 bytes: 16 MB of text, but ~200 MB as Python objects; the budget is memory.

    Run in a fresh interpreter: a test process reuses memory freed by earlier
    tests, so its resident size would not grow.
    """
    path = _gzip_stream(tmp_path / "d.jsonl.gz", [b'{"input":"a","output":"b"}\n' * 100_000] * 6)
    code = (
        "import sys; from auditor.runtime.errors import InputError; from auditor.load import Limits, load\n"
        "try:\n    load(sys.argv[1], limits=Limits(max_bytes=64 << 20))\nexcept InputError as exc:\n    print(exc)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert "of memory, past load.max_memory_share (64 MiB)" in out.stdout, out.stderr[-2000:]


def test_lines_after_a_stop_are_not_read_for_anything(tmp_path: Path) -> None:
    """A repeated key after the stop, in the same chunk, was reported though its line was never read."""
    content = _lines(3) + b"\n" * 100 + b'{"input": "q", "output": "a", "output": "b"}\n' + _lines(3, 3)
    data, _ = load(_write(tmp_path / "d.jsonl", content), limits=Limits(max_bad_run=50, check_repeated_keys=True))
    assert data.unread_from == 54 and data.valid_records == 3 and data.notes == []
