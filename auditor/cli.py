"""The command line: parse, build the call, hand it to the library, write, exit.

Heavy modules are imported inside the commands so that ``auditor --help``
stays instant. Exit codes: 0 ready, 1 not ready, 2 usage or unreadable input.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from auditor.runtime.errors import Terminated, one_line, shown
from auditor.version import __version__

FORMATS = ("terminal", "json", "html", "markdown")


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"auditor: {one_line(message)}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="auditor")
def main() -> None:
    """Is this training data ready to fine-tune on? If not, exactly what is missing.

    Exit codes: 0 ready (warnings allowed unless --strict), 1 not ready,
    2 usage error or unreadable input.
    """


@main.command()
@click.argument("source", required=False)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file (default: nearest auditor.toml or [tool.auditor]).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="terminal", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report to FILE (atomically) instead of stdout.")
@click.option("--export-findings", type=click.Path(path_type=Path), help="Write every flagged example to FILE (.jsonl, or .csv).")
@click.option("--input-field", help="Source field holding the input.")
@click.option("--output-field", help="Source field holding the output.")
@click.option("--category-field", help="Source field holding the category.")
@click.option("--id-field", help="Source field holding the record id.")
@click.option("--split", help="Split to audit when SOURCE is a saved DatasetDict.")
@click.option("--min-examples", type=int, help="Effective examples needed (default 500).")
@click.option("--eval", "eval_file", help="Evaluation set, to find leakage (with --engine spark, any path or URI Spark reads).")
@click.option("--reference", type=click.Path(path_type=Path), help="Sample of production inputs, for coverage.")
@click.option("--baseline", multiple=True, help="Data already accepted (repeatable; with --engine spark, any path or URI Spark reads).")
@click.option("--annotations", type=click.Path(path_type=Path), help="Annotations file (item id, annotator, label).")
@click.option("--annotator-columns", help="Wide annotations: comma-separated columns, one per annotator.")
@click.option("--annotator-prefix", help="Wide annotations: every column starting with this prefix is an annotator.")
@click.option("--agreement-level", type=click.Choice(["nominal", "ordinal", "interval", "ratio"]), help="Level of measurement for alpha.")
@click.option("--embeddings", help="Local sentence-transformers model for coverage (never downloaded).")
@click.option("--expectations", type=click.Path(path_type=Path), help="great_expectations suite JSON to run on the records.")
@click.option("--prompt-baseline", type=click.Path(path_type=Path), help="Scores of the best prompt-only system on the eval set (per item: id, score; or a summary).")
@click.option(
    "--engine",
    type=click.Choice(["auto", "memory", "stream", "spark"]),
    help="memory: load every record, run every check; stream: a JSONL file in partitions, count/duplicates/"
    "quality with bounded memory; spark: the same on pyspark (local mode); auto (default): stream above "
    "scale.auto_bytes.",
)
@click.option("--table", help="With --engine spark: audit this Spark table (db.name) instead of SOURCE.")
@click.option("--seed", type=int, help="Seed for every random step.")
@click.option("--strict", is_flag=True, default=None, help="Exit 1 on warnings too.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing; rely on the exit code (and --output).")
@click.option("--history", "history_file", type=click.Path(path_type=Path), help="Record this run in the SQLite history FILE (default: .auditor/history.sqlite when the project has an .auditor/ folder).")
@click.option("--no-history", is_flag=True, help="Do not record this run, even when the project has an .auditor/ folder.")
@click.option("--label", help="Name of this run in the history, e.g. 'batch 13' (default: the input file name).")
def check(
    source: str | None,
    config_file: Path | None,
    fmt: str,
    output: Path | None,
    export_findings: Path | None,
    input_field: str | None,
    output_field: str | None,
    category_field: str | None,
    id_field: str | None,
    split: str | None,
    min_examples: int | None,
    eval_file: str | None,
    reference: Path | None,
    baseline: tuple[str, ...],
    annotations: Path | None,
    annotator_columns: str | None,
    annotator_prefix: str | None,
    agreement_level: str | None,
    embeddings: str | None,
    expectations: Path | None,
    prompt_baseline: Path | None,
    engine: str | None,
    table: str | None,
    seed: int | None,
    strict: bool | None,
    quiet: bool,
    history_file: Path | None,
    no_history: bool,
    label: str | None,
) -> None:
    """Audit SOURCE (JSONL, JSON, CSV, Parquet, or a saved datasets folder; with --engine spark, any
    path, glob or URI Spark reads)."""
    _terminate_cleanly()
    if (source is None) == (table is None):
        _fail("give SOURCE or --table, not both" if table is not None else "missing argument SOURCE (or --table with --engine spark)")
    overrides: dict[str, Any] = {
        **_field_overrides(input_field, output_field, category_field, id_field),
        "min_examples": min_examples,
        "agreement.annotator_columns": [c.strip() for c in annotator_columns.split(",") if c.strip()] if annotator_columns else None,
        "agreement.annotator_prefix": annotator_prefix,
        "agreement.level": agreement_level,
        "coverage.embeddings": embeddings,
        "seed": seed,
        "strict": strict,
        "scale.engine": engine,
    }
    try:
        config = _resolve_config(config_file, overrides)  # the whole config is checked before any data is read
        spark = str(config["scale.engine"]) == "spark"
        if table is not None and not spark:
            _fail("--table reads a Spark table: it needs --engine spark")
        # Spark reads URIs (s3a://bucket/x), which a Path would mangle; every other engine reads a local path.
        given: str | Path | None = source if spark or source is None else Path(source)
        history_path = _history_path(history_file, no_history, config_file)
        local = None if source is None or (spark and "://" in source) else Path(source)
        # The eval set and the baseline, like SOURCE, stay as given for Spark (a URI); only local ones are guarded.
        evals = None if eval_file is None else eval_file if spark else Path(eval_file)
        baselines = tuple(p if spark else Path(p) for p in baseline)
        local_eval = None if eval_file is None or (spark and "://" in eval_file) else Path(eval_file)
        local_baselines = tuple(Path(p) for p in baseline if not (spark and "://" in p))
        _guard(local, config, output, export_findings, history_path, local_eval, reference, local_baselines, annotations, expectations, prompt_baseline)
        report = _run_check(given, table, config, split, evals, reference, baselines, annotations, expectations, prompt_baseline, quiet)
        text = _render(report, fmt, to_file=output is not None)
        from auditor.runtime.fsio import write_atomic

        if export_findings is not None:
            from auditor.report.export import render_export

            write_atomic(export_findings, render_export(report, export_findings.name), what="the findings export")
        if output is not None:
            write_atomic(output, text)
            if not quiet:
                click.echo(f"{report.verdict}: report written to {shown(output)}", err=True)
        elif not quiet:
            _emit(text)
        _record_history(report, history_path, label, quiet)
    except (KeyboardInterrupt, Terminated):
        _fail("interrupted", 130)
    except Exception as exc:  # every error ends in one line; AUDITOR_DEBUG shows the traceback
        _handle(exc)
    sys.exit(report.exit_code)


def _field_overrides(input_field: str | None, output_field: str | None, category_field: str | None, id_field: str | None) -> dict[str, Any]:
    return {"fields.input": input_field, "fields.output": output_field, "fields.category": category_field, "fields.id": id_field}


def _guard(
    source: Path | None,
    config: Any,
    output: Path | None,
    export_findings: Path | None,
    history_path: Path | None,
    eval_file: Path | None,
    reference: Path | None,
    baseline: tuple[Path, ...],
    annotations: Path | None,
    expectations: Path | None,
    prompt_baseline: Path | None,
) -> None:
    """Every file this run writes, against every file it reads and each other: refused before any work."""
    from auditor.runtime.fsio import guard_outputs

    writes = [
        (what, path)
        for what, path in (("the findings export", export_findings), ("the report", output), ("the history", history_path))
        if path is not None
    ]
    reads = [("input", source)] if source is not None else []
    reads += [(flag, path) for flag, path in (("--eval", eval_file), ("--reference", reference)) if path is not None]
    reads += [("--baseline", path) for path in baseline]
    reads += [
        (flag, path)
        for flag, path in (("--annotations", annotations), ("--expectations", expectations), ("--prompt-baseline", prompt_baseline))
        if path is not None
    ]
    if config.source:
        reads.append(("config", Path(config.source)))  # given with --config, or found
    if config["expectations.suite"]:
        reads.append(("expectations.suite", Path(config["expectations.suite"])))
    guard_outputs(writes, reads, makes_folders=[history_path] if history_path is not None else [])
    if history_path is not None:  # another application's SQLite file is refused before the audit, not after
        from auditor.history import check_file

        check_file(history_path)


def _emit(text: str) -> None:
    """The report on stdout, whatever its text holds (a lone surrogate has no UTF-8 form)."""
    from auditor.runtime.fsio import utf8_safe

    try:
        click.echo(utf8_safe(text), nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        _closed_stdout()


def _closed_stdout() -> None:
    # The reader went away (`auditor check x | head -0`): say so once, and point
    # stdout at /dev/null so Python's own flush at exit cannot fail a second time.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # a stdout with no file descriptor (embedded use): nothing to silence
        pass
    _fail("stdout: cannot write the report: the reader closed the pipe")


def _terminate_cleanly() -> None:
    """SIGTERM unwinds like Ctrl-C: temp files are removed and nothing half-written is left."""
    import signal

    def handler(signum: int, frame: Any) -> None:
        raise Terminated

    try:
        signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread (embedded use): leave signals alone
        pass


def _resolve_config(config_file: Path | None, overrides: dict[str, Any]) -> Any:
    from auditor.core.config import resolve
    from auditor.core.registry import checked

    return checked(resolve(config_file=config_file, overrides=overrides))


def _history_path(explicit: Path | None, disabled: bool, config_file: Path | None) -> Path | None:
    from auditor.history import history_target

    return history_target(explicit, disabled=disabled, config_file=config_file)


def _run_check(
    source: str | Path | None,
    table: str | None,
    config: Any,
    split: str | None,
    eval_file: str | Path | None,
    reference: Path | None,
    baseline: tuple[str | Path, ...],
    annotations: Path | None,
    expectations: Path | None,
    prompt_baseline: Path | None,
    quiet: bool,
) -> Any:
    from auditor.api import audit

    progress = None
    if not quiet:
        from rich.console import Console

        from auditor.runtime.progress import TerminalProgress

        progress = TerminalProgress(Console(stderr=True))
    return audit(
        source,
        config,
        eval=eval_file,
        reference=reference,
        baseline=baseline,
        annotations=annotations,
        expectations=expectations,
        prompt_baseline=prompt_baseline,
        split=split,
        progress=progress,
        table=table,
    )


def _record_history(report: Any, target: Path | None, label: str | None, quiet: bool) -> None:
    from auditor.history import record

    if target is None:
        return
    run_id = record(report, target, label)
    if not quiet:
        click.echo(f"recorded as run {run_id} in {shown(target)}", err=True)


def _render(report: Any, fmt: str, *, to_file: bool) -> str:
    if fmt == "json":
        from auditor.report import json as json_report

        return json_report.render(report)
    if fmt == "html":
        from auditor.report import html

        return html.render(report)
    if fmt == "markdown":
        from auditor.report import markdown

        return markdown.render(report)
    from auditor.report import terminal

    width = None if not sys.stdout.isatty() or to_file else _terminal_width()
    return terminal.render(report, width=width or 80, color=False if to_file or not sys.stdout.isatty() else None)


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def _handle(exc: Exception) -> None:
    from auditor.runtime.errors import AuditorError

    if os.environ.get("AUDITOR_DEBUG"):
        raise exc
    if isinstance(exc, AuditorError):
        _fail(str(exc), exc.exit_code)
    if isinstance(exc, ModuleNotFoundError):
        # Running from a checkout with a Python that lacks the project's dependencies.
        _fail(f"a required package is not installed ({exc.name}); install the project with: pip install -e .")
    if isinstance(exc, MemoryError):
        _fail("out of memory while auditing; see benchmarks/README.md for the sizes one machine handles")
    _fail(f"internal error: {type(exc).__name__}: {exc} (set AUDITOR_DEBUG=1 for the traceback)")


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_text", type=click.Path(), required=True, help="Write the sample to FILE (.csv or .jsonl sheet; .json for --format label-studio or argilla), or to FOLDER/ as one sheet per rater.")
@click.option("--n", "n", type=click.IntRange(min=2), help="Items to draw (default: enough for agreement.ci_width).")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "label-studio", "argilla"]), help="csv or jsonl sheet (default: from the file name), a Label Studio import (tasks JSON and a labeling config FILE.xml), or Argilla records.")
@click.option("--raters", type=click.IntRange(min=2, max=20), help="Raters per item (default agreement.raters = 2).")
@click.option("--annotations", type=click.Path(path_type=Path), help="Annotations already collected: the sample is sized on the alpha they show.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file (default: nearest auditor.toml or [tool.auditor]).")
@click.option("--input-field", help="Source field holding the input.")
@click.option("--output-field", help="Source field holding the output.")
@click.option("--category-field", help="Source field holding the category.")
@click.option("--id-field", help="Source field holding the record id.")
@click.option("--split", help="Split to sample when SOURCE is a saved DatasetDict.")
@click.option("--seed", type=int, help="Seed for the draw (default: the config's seed).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def sample(
    source: Path,
    out_text: str,
    n: int | None,
    fmt: str | None,
    raters: int | None,
    annotations: Path | None,
    config_file: Path | None,
    input_field: str | None,
    output_field: str | None,
    category_field: str | None,
    id_field: str | None,
    split: str | None,
    seed: int | None,
    quiet: bool,
) -> None:
    """Draw the double-labelling sample of SOURCE and write the sheet the raters fill."""
    from auditor.runtime.errors import InputError

    _terminate_cleanly()
    overrides: dict[str, Any] = {
        **_field_overrides(input_field, output_field, category_field, id_field),
        "agreement.raters": raters,
        "seed": seed,
    }
    try:
        out = Path(out_text)
        folder = out.is_dir() or out_text.endswith(("/", os.sep))  # pathlib drops the trailing slash that says "folder"
        fmt = fmt or ("csv" if folder else {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(out.suffix.lower()))
        if fmt is None:
            raise InputError(f"{shown(out)}: name a .csv or .jsonl sheet, a folder for one sheet per rater, or give --format label-studio or argilla")
        if folder and fmt not in ("csv", "jsonl"):
            raise InputError(f"{shown(out)}: one sheet per rater is csv or jsonl; Label Studio and Argilla keep each rater's answers apart themselves")
        config = _resolve_config(config_file, overrides)
        from auditor.report.sheet import labeling_config_path, render, rater_sheets

        extra = labeling_config_path(out) if fmt == "label-studio" else None
        writes = [("the sample", out), *([("the labeling config", extra)] if extra else [])]
        if folder:
            raters_n = int(config["agreement.raters"])
            writes = [(f"rater_{k}'s sheet", out / f"rater_{k}.{'jsonl' if fmt == 'jsonl' else 'csv'}") for k in range(1, raters_n + 1)]
        reads = [("input", source), *([("--annotations", annotations)] if annotations else [])]
        if config.source:
            reads.append(("config", Path(config.source)))
        from auditor.runtime.fsio import guard_outputs, write_atomic

        guard_outputs(writes, reads, makes_folders=[path for _, path in writes] if folder else [])
        from auditor.api import sample as draw

        drawn = draw(source, config, n=n, annotations=annotations, split=split)
        files = [text for _, text in rater_sheets(drawn, out, fmt)] if folder else render(drawn, fmt)
        if folder:
            out.mkdir(parents=True, exist_ok=True)
        for (what, path), text in zip(writes, files):
            write_atomic(path, text, what=what)
        if not quiet:
            for line in _sample_lines(drawn, [path for _, path in writes]):
                click.echo(line, err=True)
    except (KeyboardInterrupt, Terminated):
        _fail("interrupted", 130)
    except Exception as exc:
        _handle(exc)


def _sample_lines(drawn: Any, written: list[Path]) -> list[str]:
    lines = [drawn.reasoning] if drawn.reasoning else []
    strata = ", ".join(f"{k} {v}" for k, v in sorted(drawn.strata.items()))
    left = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in drawn.excluded.items())
    lines.append(
        f"drew {len(drawn.items)} of {drawn.eligible} usable records"
        + (f" (by {drawn.stratified_by}: {strata})" if strata else "")
        + (f"; never drawn: {left}" if left else "")
    )
    for c in drawn.criteria:
        lines.append(f"  {c.name} ({c.scale}): {c.question}")
    blind = "one sheet per rater, each with only their own columns" if len(written) == len(drawn.raters) > 1 else (
        f"each rater fills only their own column ({', '.join(drawn.raters)})")  # fmt: skip
    lines.append(f"wrote {', '.join(shown(p) for p in written)}: {blind}")
    return lines


@main.command()
@click.argument("code", required=False)
def explain(code: str | None) -> None:
    """What a finding CODE means, why it matters and how to fix it (all codes without CODE)."""
    from auditor.report.explain import describe, listing

    try:
        text = describe(code) if code else listing()
    except KeyError:
        _fail(f"no finding code {code!r}; run 'auditor explain' for the list")
    click.echo(text)


@main.command()
@click.argument("path", type=click.Path(path_type=Path), default=Path("auditor.toml"))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a commented config file with every option at its default."""
    from auditor.core.config import render_toml
    from auditor.runtime.fsio import write_atomic

    if path.exists() and not force:
        _fail(f"{shown(path)} exists; use --force to overwrite it")
    try:
        write_atomic(path, render_toml(), what="the config")
    except Exception as exc:
        _handle(exc)
    click.echo(f"wrote {shown(path)}")


@main.command()
@click.option("--history", "history_file", type=click.Path(path_type=Path), help="History file (default: .auditor/history.sqlite in the project).")
@click.option("--metric", "metrics", multiple=True, help="Show this metric: a full name (agreement.alpha), a metric name (alpha) or a check (count); repeatable.")
@click.option("--all", "show_all", is_flag=True, help="Show every recorded metric (default: those with a known better direction).")
@click.option("--last", type=click.IntRange(min=2), help="Only the last N runs.")
@click.option("--plot", type=click.Path(path_type=Path), help="Also draw the trends to FILE: .svg (no extra needed) or .png (needs matplotlib).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="terminal", show_default=True, help="Output format.")
@click.option("--fail-on-regression", is_flag=True, help="Exit 1 when the latest run regressed on a metric (for alerting).")
def history(
    history_file: Path | None, metrics: tuple[str, ...], show_all: bool, last: int | None, plot: Path | None, fmt: str, fail_on_regression: bool
) -> None:
    """Trends of the metrics over recorded runs, and regressions named in words."""
    from auditor.history import History, history_target, render
    from auditor.history.trends import regressions, trends

    try:
        path = history_target(history_file, disabled=False, only_if_folder=False)
        assert path is not None
        if plot is not None:
            from auditor.runtime.fsio import guard_outputs

            guard_outputs([("the chart", plot)], [("--history", path)])
        with History(path, create=False) as store:
            runs = store.runs(last)
        found = trends(runs, metrics)
        if not metrics and not show_all:
            found = [t for t in found if t.better is not None]
        named = regressions(found)
        latest = regressions(found, latest_only=True)
        latest = [r for r in latest if runs and r.after.run_id == runs[-1].id]
        if fmt == "json":
            _emit(render.render_json(found, named, runs=len(runs)))
        else:
            _emit(render.render_table(found, named, runs=len(runs), width=_terminal_width() if sys.stdout.isatty() else 100))
        if plot is not None and found:
            render.write_plot(plot, found, named)
            click.echo(f"chart written to {shown(plot)}", err=True)
    except Exception as exc:
        _handle(exc)
    sys.exit(1 if fail_on_regression and latest else 0)
