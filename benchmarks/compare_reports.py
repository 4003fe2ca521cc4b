"""Byte-identity harness: the reports of a fixed set of runs, recorded once and compared later.

    python benchmarks/compare_reports.py record /work/notes/baseline   # before a change
    python benchmarks/compare_reports.py compare /work/notes/baseline  # after it: exit 1 on any difference
    python benchmarks/compare_reports.py compare DIR --only sample     # runs whose name contains 'sample'
    python benchmarks/compare_reports.py record DIR --code ../main     # another checkout's code, this one's runs

A refactoring that must not change behaviour (moving modules, a new layout)
is checked by running ``auditor check`` exactly as a user would (a child
process, the defaults, ``--no-history``, from an empty folder so that no
config file is found) on the sample data and on every file of
``benchmarks/real_data.py``, plus the side inputs the README and the tests
exercise (``--eval``, ``--reference``, ``--baseline``, ``--annotations``,
``--expectations``, ``--export-findings``, the stream engine), and
``auditor explain`` / ``auditor init``. Every output is kept as it was
printed or written; only what differs from run to run is masked: the
report's ``timing`` numbers and the absolute locations of the repository,
the shared datasets and the scratch folder. Everything else (key order,
float digits, whitespace) must match byte for byte.

Baselines hold real-data results, so keep them outside the repository.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("AUDITOR_SHARED_DATASETS", REPO.parent / "shared" / "datasets"))
SAMPLES = ("support_ready.jsonl", "support_not_ready.jsonl", "support_chat.jsonl")
#: Records in the generated benchmark files the harness audits (generated once into benchmarks/data).
BENCH_RECORDS = 20_000
#: ``auditor check`` exits 0 (ready) or 1 (not ready); anything else is a failed run.
VERDICT_EXITS = (0, 1)


@dataclass(frozen=True)
class Run:
    """One command: its argv after ``auditor``, and the files it writes beside stdout."""

    name: str
    argv: tuple[str, ...]
    writes: tuple[str, ...] = ()  # file names in the scratch folder, kept as outputs
    needs: tuple[str, ...] = field(default=())  # shared files that must exist


def _real_files() -> tuple[str, ...]:
    sys.path.insert(0, str(HERE))
    try:
        from real_data import FILES
    finally:
        sys.path.pop(0)
    return tuple(FILES)


def runs() -> list[Run]:
    out: list[Run] = []
    for name in SAMPLES:
        stem = name.removesuffix(".jsonl")
        for fmt in ("json", "markdown", "html"):
            out.append(Run(f"sample/{stem}.{fmt}", ("check", "{repo}/sample_data/" + name, "--format", fmt, "--no-history")))
    out.append(
        Run(
            "sample/support_not_ready.export",
            (
                "check", "{repo}/sample_data/support_not_ready.jsonl", "--format", "json", "--no-history",
                "--output", "{tmp}/report.json", "--export-findings", "{tmp}/findings.jsonl",
            ),
            writes=("report.json", "findings.jsonl"),
        )
    )
    out.append(
        Run(
            "sample/support_not_ready.export-csv",
            ("check", "{repo}/sample_data/support_not_ready.jsonl", "--quiet", "--no-history", "--export-findings", "{tmp}/findings.csv"),
            writes=("findings.csv",),
        )
    )
    out.append(
        Run(
            "sample/support_not_ready.baseline",
            ("check", "{repo}/sample_data/support_not_ready.jsonl", "--format", "json", "--no-history", "--baseline", "{repo}/sample_data/support_ready.jsonl"),
        )
    )
    out.append(
        Run(
            "sample/support_ready.expectations",
            ("check", "{repo}/sample_data/support_ready.jsonl", "--format", "json", "--no-history", "--expectations", "{repo}/sample_data/expectations/support_suite.json"),
        )
    )
    out.append(Run("sample/support_not_ready.stream", ("check", "{repo}/sample_data/support_not_ready.jsonl", "--format", "json", "--no-history", "--engine", "stream")))
    out.append(Run("sample/support_ready.terminal", ("check", "{repo}/sample_data/support_ready.jsonl", "--no-history")))
    out.append(Run("cli/explain", ("explain",)))
    out.append(Run("cli/explain-DUP002", ("explain", "DUP002")))
    out.append(Run("cli/explain-QLT004", ("explain", "QLT004")))
    out.append(Run("cli/init", ("init", "{tmp}/auditor.toml"), writes=("auditor.toml",)))
    for rel in _real_files():
        out.append(Run(f"real/{rel}", ("check", "{shared}/" + rel, "--format", "json", "--no-history"), needs=(rel,)))
    gsm = ("gsm8k/train.jsonl", "gsm8k/test.jsonl")
    out.append(Run("real/gsm8k-train.eval-test", ("check", "{shared}/gsm8k/train.jsonl", "--format", "json", "--no-history", "--eval", "{shared}/gsm8k/test.jsonl"), needs=gsm))
    out.append(Run("real/gsm8k-train.reference-test", ("check", "{shared}/gsm8k/train.jsonl", "--format", "json", "--no-history", "--reference", "{shared}/gsm8k/test.jsonl"), needs=gsm))
    alpaca = ("codealpaca/canonical_code_alpaca_2k.jsonl", "codealpaca/code_alpaca_2k.json")
    out.append(
        Run(
            "real/codealpaca.baseline",
            ("check", "{shared}/" + alpaca[0], "--format", "json", "--no-history", "--baseline", "{shared}/" + alpaca[1]),
            needs=alpaca,
        )
    )
    dog = "agreement/truth_inference_zheng2017/dog_answer.csv"
    out.append(
        Run(
            "real/dog.annotations",
            ("check", "{tmp}/dog_items.jsonl", "--format", "json", "--no-history", "--annotations", "{shared}/" + dog, "--agreement-level", "nominal"),
            needs=(dog,),
        )
    )
    out.append(Run("real/gsm8k-train.stream", ("check", "{shared}/gsm8k/train.jsonl", "--format", "json", "--no-history", "--engine", "stream"), needs=gsm))
    # The benchmark's files, both generators (issue 20: findings stay byte-identical on them too).
    for kind in ("zipf", "realtext"):
        out.append(Run(f"bench/{kind}_{BENCH_RECORDS}", ("check", "{bench_" + kind + "}", "--format", "json", "--no-history")))
    t0 = "self_instruct_t0_50k/canonical.jsonl"
    out.append(Run("real/t0.stream", ("check", "{shared}/" + t0, "--format", "json", "--no-history", "--engine", "stream"), needs=(t0,)))
    return out


def _prepare(run: Run, tmp: Path) -> None:
    """Inputs a run builds in the scratch folder (never in the repository or the shared data)."""
    if run.name == "real/dog.annotations":
        import csv

        with (SHARED / run.needs[0]).open(newline="") as fh:
            items = list(dict.fromkeys(row["question"] for row in csv.DictReader(fh)))
        with (tmp / "dog_items.jsonl").open("w") as out:
            for item in items:
                out.write(f'{{"id": "{item}", "input": "Which dog breed is shown in image {item}?", "output": "see label"}}\n')


def _bench_files(run: Run) -> dict[str, Path]:
    """The generated benchmark files a run audits, generated on first use (benchmarks/run.py's)."""
    if not run.name.startswith("bench/"):
        return {}
    sys.path.insert(0, str(HERE))
    try:
        from run import dataset
    finally:
        sys.path.pop(0)
    return {f"bench_{kind}": dataset(BENCH_RECORDS, kind) for kind in ("zipf", "realtext") if kind in run.name}


_TIMING = re.compile(r'("timing": \{)(.*?)(\n  \})', re.S)
_NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")
#: Wall time in the words of the HTML footer and the terminal's last line.
_SECONDS = re.compile(r"\b(audited in|checks in) \d+(\.\d+)? s\b")


def normalise(text: str, tmp: Path) -> str:
    """Mask what differs between two identical runs: the locations and the timing numbers."""
    for path, mark in ((tmp, "<TMP>"), (SHARED.resolve(), "<SHARED>"), (REPO, "<REPO>")):
        text = text.replace(str(path), mark)
    text = _TIMING.sub(lambda m: m.group(1) + _NUMBER.sub("<T>", m.group(2)) + m.group(3), text)
    return _SECONDS.sub(lambda m: m.group(1) + " <T> s", text)


def execute(run: Run, code: Path | None = None) -> dict[str, str]:
    """The run's outputs by name: exit code, stdout, stderr's last line, every file written."""
    with tempfile.TemporaryDirectory(prefix="compare-reports-") as scratch:
        tmp = Path(scratch).resolve()
        _prepare(run, tmp)
        argv = [a.format(repo=REPO, shared=SHARED, tmp=tmp, **_bench_files(run)) for a in run.argv]
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "COLUMNS": "100"}
        env.pop("AUDITOR_DEBUG", None)
        if code is not None:  # that checkout's auditor and checks come first on the path
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(code), env.get("PYTHONPATH", "")) if p)
        # From an empty folder: no auditor.toml is found upward, so the defaults apply.
        done = subprocess.run([sys.executable, "-m", "auditor", *argv], cwd=tmp, env=env, capture_output=True, text=True)
        if run.argv[0] == "check" and done.returncode not in VERDICT_EXITS:
            raise RuntimeError(f"{run.name}: exit {done.returncode}\n{done.stderr[-2000:]}")
        outputs = {"exit": f"{done.returncode}\n", "stdout": normalise(done.stdout, tmp)}
        for name in run.writes:
            outputs[name] = normalise((tmp / name).read_text(), tmp)
        return outputs


def _selected(only: list[str]) -> Iterator[Run]:
    for run in runs():
        if only and not any(o in run.name for o in only):
            continue
        missing = [n for n in run.needs if not (SHARED / n).exists()]
        if missing:
            print(f"skip {run.name}: {', '.join(missing)} absent under {SHARED}", file=sys.stderr)
            continue
        yield run


def _file(root: Path, run: Run, output: str) -> Path:
    return root / run.name.replace("/", "__") / output


def record(root: Path, only: list[str], code: Path | None = None) -> int:
    if root.exists() and not only:
        shutil.rmtree(root)
    for run in _selected(only):
        started = time.perf_counter()
        for output, text in execute(run, code).items():
            path = _file(root, run, output)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        print(f"recorded {run.name} ({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


def compare(root: Path, only: list[str], code: Path | None = None) -> int:
    differ = 0
    compared = 0
    for run in _selected(only):
        if not _file(root, run, "exit").exists():
            print(f"MISSING  {run.name}: not in the baseline {root}", flush=True)
            differ += 1
            continue
        started = time.perf_counter()
        got = execute(run, code)
        expected = {p.name: p.read_text() for p in _file(root, run, "exit").parent.iterdir()}
        bad = sorted(k for k in set(got) | set(expected) if got.get(k) != expected.get(k))
        compared += 1
        if not bad:
            print(f"same     {run.name} ({time.perf_counter() - started:.1f} s)", flush=True)
            continue
        differ += 1
        print(f"DIFFERS  {run.name}: {', '.join(bad)}", flush=True)
        for k in bad:
            diff = difflib.unified_diff(expected.get(k, "").splitlines(), got.get(k, "").splitlines(), f"baseline/{k}", f"now/{k}", lineterm="", n=2)
            print("\n".join(list(diff)[:60]))
    print(f"{compared} runs compared, {differ} differ{'s' if differ == 1 else ''}")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("record", "compare"))
    parser.add_argument("baseline", type=Path, help="folder of recorded outputs (outside the repository)")
    parser.add_argument("--only", nargs="*", default=[], help="only runs whose name contains one of these")
    parser.add_argument("--code", type=Path, help="run the auditor of this checkout instead (e.g. the main branch's, for a baseline)")
    args = parser.parse_args()
    code = args.code.resolve() if args.code else None
    return (record if args.action == "record" else compare)(args.baseline.resolve(), args.only, code)


if __name__ == "__main__":
    sys.exit(main())
