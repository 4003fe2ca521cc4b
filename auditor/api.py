"""The Python API: ``audit(source, config=None, **overrides) -> Report``.

This is the pipeline pre-step; the CLI is a thin layer over it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from auditor.config import Config, resolve
from auditor.context import Context, Progress, SilentProgress
from auditor.errors import InputError
from auditor.load import InputInfo, load
from auditor.load.detect import FieldOverrides
from auditor.records import Dataset
from auditor.report.model import Report
from auditor.text import Normalizer
from auditor.verdict import gaps_of, verdict_of

PathLike = str | Path


def resolve_config(config: Config | PathLike | Mapping[str, Any] | None, overrides: Mapping[str, Any]) -> Config:
    """A Config from any of the accepted forms, with keyword overrides on top.

    Keyword overrides use ``__`` for the dot: ``count__min_per_category=5``.
    """
    flat = {k.replace("__", "."): v for k, v in overrides.items()}
    if isinstance(config, Config):
        merged = dict(config.values)
        return resolve(search=False, base=merged, overrides=flat)
    if isinstance(config, str | Path):
        return resolve(config_file=config, overrides=flat)
    return resolve(base=config, overrides=flat)


def audit(
    source: Any,
    config: Config | PathLike | Mapping[str, Any] | None = None,
    *,
    eval: PathLike | None = None,  # noqa: A002 - the name users know from the CLI flag
    reference: PathLike | None = None,
    baseline: Sequence[PathLike] = (),
    annotations: PathLike | None = None,
    expectations: PathLike | None = None,
    split: str | None = None,
    progress: Progress | None = None,
    **overrides: Any,
) -> Report:
    """Audit ``source`` (a path, a ``datasets.Dataset`` or a pandas DataFrame).

    ``config`` is a resolved Config, a config file path, or a mapping of options;
    with None, the nearest auditor.toml / [tool.auditor] is used, as on the CLI.
    """
    started = time.perf_counter()
    cfg = resolve_config(config, overrides)
    progress = progress or SilentProgress()
    fields = FieldOverrides.from_config(cfg.section("fields"))

    with progress.stage("load"):
        # The loader's workers hash the normalised texts while they hold them (see load()).
        normalizer = Normalizer.from_config(cfg.section("normalize"))
        dataset, info = load(source, fields, keep=_keep_fields(cfg), split=split, jobs=int(cfg["jobs"]), normalizer=normalizer)
    loaded = time.perf_counter()

    others: dict[str, Dataset] = {}
    if eval is not None:
        others["eval"] = _load_other(eval, fields)
    if reference is not None:
        others["reference"] = _load_other(reference, fields)
    if baseline:
        others["baseline"] = concat([_load_other(p, fields) for p in baseline])
    paths: dict[str, Path] = {}
    for name, given in (("annotations", annotations), ("expectations", expectations)):
        if given is not None:
            paths[name] = Path(given)
            if not paths[name].is_file():
                raise InputError(f"{given}: no such {name} file")

    ctx = Context(dataset=dataset, config=cfg, others=others, paths=paths, progress=progress)
    return run(ctx, info, started=started, load_seconds=loaded - started)


def run(ctx: Context, info: InputInfo, *, started: float, load_seconds: float) -> Report:
    from auditor.pipeline import run_checks
    from auditor.registry import all_checks

    results, check_seconds = run_checks(ctx, all_checks())
    gaps = gaps_of(results)
    timing = {
        "load_seconds": round(load_seconds, 4),
        "checks_seconds": check_seconds,
        "total_seconds": round(time.perf_counter() - started, 4),
    }
    return Report(
        verdict=verdict_of(gaps),
        gaps=gaps,
        checks=results,
        input=info,
        config=ctx.config.to_dict(),
        timing=timing,
        strict=bool(ctx.config["strict"]),
        dataset=ctx.dataset,
    )


def _keep_fields(cfg: Config) -> list[str]:
    """Raw fields some check asked for by name in the config."""
    keep: list[str] = []
    for key, value in cfg.values.items():
        if key.endswith(("_columns", "group_fields")) and isinstance(value, list):
            keep.extend(str(v) for v in value)
        elif key.endswith("_prefix") and isinstance(value, str) and value:
            keep.append(value + "*")
    return keep


def _load_other(path: PathLike, fields: FieldOverrides) -> Dataset:
    """A comparison dataset: its layout detected on its own, the user's field names as a fallback."""
    try:
        return load(path)[0]
    except InputError:
        if fields == FieldOverrides():
            raise
        return load(path, fields)[0]


def concat(parts: Iterable[Dataset]) -> Dataset:
    """Several datasets as one; ids are prefixed with their source so they stay distinct."""
    parts = list(parts)
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    out = Dataset(format=first.format, fields=first.fields, source=", ".join(str(p.source) for p in parts))
    if any(p.categories is not None for p in parts):
        out.categories = []
    for part in parts:
        prefix = f"{Path(str(part.source)).name}:"
        out.ids.extend(f"{prefix}{i}" for i in part.ids)
        out.lines.extend(part.lines)
        out.inputs.extend(part.inputs)
        out.outputs.extend(part.outputs)
        out.problems.extend(part.problems)
        if out.categories is not None:
            out.categories.extend(part.categories if part.categories is not None else [None] * len(part))
    return out
