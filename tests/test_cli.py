from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor.cli import main

REPO = Path(__file__).resolve().parents[1]
READY = REPO / "sample_data" / "support_ready.jsonl"
NOT_READY = REPO / "sample_data" / "support_not_ready.jsonl"


def invoke(*args: str, cwd: Path | None = None) -> "object":
    runner = CliRunner()
    if cwd is not None:
        with runner.isolated_filesystem(temp_dir=cwd):
            return runner.invoke(main, list(args), catch_exceptions=False)
    return runner.invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    "args,code",
    [
        ([str(READY)], 0),
        ([str(NOT_READY)], 1),
        ([str(READY), "--min-examples", "10000"], 1),
        (["missing.jsonl"], 2),
        ([str(READY), "--format", "yaml"], 2),
        ([str(READY), "--input-field", "nope", "--output-field", "output"], 2),
        ([str(READY), "--category-field", "nope"], 2),
    ],
)
def test_exit_codes(args: list[str], code: int) -> None:
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


def test_strict_turns_warnings_into_failure(tmp_path: Path) -> None:
    cfg = tmp_path / "auditor.toml"
    cfg.write_text('[severity]\nCNT002 = "warning"\n\n[agreement]\nrequired = false\n')
    args = ["check", str(READY), "--config", str(cfg), "--min-examples", "10"]
    (tmp_path / "d.jsonl").write_text(
        "".join(json.dumps({"input": f"q{i}", "output": "a", "category": "a" if i else "b"}) + "\n" for i in range(30))
    )
    args[1] = str(tmp_path / "d.jsonl")
    relaxed = CliRunner().invoke(main, args)
    strict = CliRunner().invoke(main, [*args, "--strict"])
    assert "READY_WITH_WARNINGS" in relaxed.output and relaxed.exit_code == 0
    assert strict.exit_code == 1


def test_unreadable_gives_one_line_on_stderr() -> None:
    result = CliRunner().invoke(main, ["check", "no/such/file.jsonl"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "no such file" in result.stderr


def test_json_output_file_is_atomic_and_input_untouched(tmp_path: Path) -> None:
    before = hashlib.sha256(NOT_READY.read_bytes()).hexdigest()
    out = tmp_path / "report.json"
    export = tmp_path / "findings.jsonl"
    result = CliRunner().invoke(
        main, ["check", str(NOT_READY), "--format", "json", "--output", str(out), "--export-findings", str(export)]
    )
    assert result.exit_code == 1
    report = json.loads(out.read_text())
    assert report["verdict"] == "NOT_READY" and report["input"]["sha256"] == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left
    rows = [json.loads(line) for line in export.read_text().splitlines()]
    assert {"code", "severity", "id", "group"} <= set(rows[0])
    assert sum(1 for r in rows if r["code"] == "CNT002") == 7  # 6 cancellation + the stray "Billing " record
    assert hashlib.sha256(NOT_READY.read_bytes()).hexdigest() == before


def test_output_never_overwrites_the_input(tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_bytes(READY.read_bytes())
    result = CliRunner().invoke(main, ["check", str(data), "--output", str(data)])
    assert result.exit_code == 2 and "refusing to overwrite the input" in result.stderr
    assert data.read_bytes() == READY.read_bytes()


def test_quiet_prints_nothing() -> None:
    result = CliRunner().invoke(main, ["check", str(NOT_READY), "--quiet"])
    assert result.exit_code == 1 and result.output == ""


def test_terminal_report_fits_80_columns_and_has_no_colour_in_a_pipe() -> None:
    result = CliRunner().invoke(main, ["check", str(NOT_READY)])
    assert "NOT_READY" in result.output and "CNT001" in result.output
    assert "\x1b[" not in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_explain_and_init(tmp_path: Path) -> None:
    listing = CliRunner().invoke(main, ["explain"])
    assert listing.exit_code == 0 and "CNT001" in listing.output and "AUD001" in listing.output
    one = CliRunner().invoke(main, ["explain", "cnt001"])
    assert "too-few-examples" in one.output and "How to fix it" in one.output
    assert CliRunner().invoke(main, ["explain", "XYZ999"]).exit_code == 2
    target = tmp_path / "auditor.toml"
    assert CliRunner().invoke(main, ["init", str(target)]).exit_code == 0
    assert "#min_examples = 500" in target.read_text()
    assert CliRunner().invoke(main, ["init", str(target)]).exit_code == 2


def test_bad_config_is_exit_2(tmp_path: Path) -> None:
    cfg = tmp_path / "auditor.toml"
    cfg.write_text("colour = 'blue'\n")
    result = CliRunner().invoke(main, ["check", str(READY), "--config", str(cfg)])
    assert result.exit_code == 2 and "unknown configuration key 'colour'" in result.stderr


def test_python_dash_m_and_help_stay_light() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-m", "auditor", "check", str(READY), "--quiet"], env=env, cwd=REPO)
    assert proc.returncode == 0
    code = (
        "import sys; from click.testing import CliRunner; from auditor.cli import main;"
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0;"
        "heavy = {'pandas', 'datasets', 'sklearn', 'great_expectations', 'krippendorff', 'pyarrow', 'numpy', 'rich'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


def test_wide_annotations_from_the_command_line(tmp_path: Path) -> None:
    rows = [
        {"input": f"q{i}", "output": f"a{i}", "r_ann": c, "r_bob": c, "r_cy": c if i % 10 else "other"}
        for i, c in enumerate(["x", "y", "z"] * 40)
    ]
    data = tmp_path / "wide.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for flags in (["--annotator-prefix", "r_"], ["--annotator-columns", "r_ann,r_bob,r_cy"]):
        result = CliRunner().invoke(main, ["check", str(data), "--format", "json", *flags, "--min-examples", "1"])
        metrics = json.loads(result.output)["checks"]["agreement"]["metrics"]
        assert metrics["annotators"] == 3 and metrics["units_pairable"] == 120 and metrics["alpha"] > 0.8


def test_a_missing_dependency_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.cli as cli

    def missing(*args: object, **kwargs: object) -> None:
        raise ModuleNotFoundError("No module named 'rich'", name="rich")

    monkeypatch.setattr(cli, "_run_check", missing)
    result = CliRunner().invoke(main, ["check", str(READY)])
    assert result.exit_code == 2
    assert "required package is not installed (rich)" in result.stderr and "pip install -e ." in result.stderr
