"""The Python API: ``audit(source, config=None, **overrides) -> Report``.

This is the pipeline pre-step; the CLI is a thin layer over it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from auditor.core.config import Config, resolve
from auditor.core.context import Context, Progress, SilentProgress
from auditor.core.protocol import Check
from auditor.core.records import Dataset
from auditor.core.registry import checked
from auditor.core.verdict import gaps_of, verdict_of
from auditor.load import InputInfo, load
from auditor.load.detect import FieldOverrides
from auditor.load.limits import Limits
from auditor.report.model import Report
from auditor.runtime.errors import InputError
from auditor.similarity import Normalizer

PathLike = str | Path


def resolve_config(config: Config | PathLike | Mapping[str, Any] | None, overrides: Mapping[str, Any]) -> Config:
    """A Config from any of the accepted forms, with keyword overrides on top.

    Keyword overrides use ``__`` for the dot: ``count__min_per_category=5``.
    """
    flat = {k.replace("__", "."): v for k, v in overrides.items()}
    if isinstance(config, Config):
        resolved = resolve(search=False, base=config, overrides=flat)
    elif isinstance(config, str | Path):
        resolved = resolve(config_file=config, overrides=flat)
    else:
        resolved = resolve(base=config, overrides=flat)
    return checked(resolved)  # what only the checks know, before any data is read


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
    engine: str | None = None,
    **overrides: Any,
) -> Report:
    """Audit ``source`` (a path, a ``datasets.Dataset`` or a pandas DataFrame).

    ``config`` is a resolved Config, a config file path, or a mapping of options;
    with None, the nearest auditor.toml / [tool.auditor] is used, as on the CLI.
    ``engine`` ("memory", "stream", "spark" or "auto"; default ``scale.engine``)
    chooses between holding the dataset in memory and a partitioned run of the
    checks that scale (see ``auditor.scale``).
    """
    started = time.perf_counter()
    if engine is not None:
        overrides = {**overrides, "scale__engine": engine}
    cfg = resolve_config(config, overrides)
    progress = progress or SilentProgress()
    fields = FieldOverrides.from_config(cfg.section("fields"))

    from auditor.core.registry import all_checks
    from auditor.scale import audit_partitioned, choose_engine

    chosen, _ = choose_engine(cfg, source)
    if chosen != "memory":
        sides = [n for n, v in (("eval", eval), ("reference", reference), ("baseline", baseline), ("annotations", annotations), ("expectations", expectations)) if v]
        if sides:
            raise InputError(f"the {chosen} engine audits one file on its own; {', '.join(sides)} need engine 'memory'")
        ready = audit_partitioned(Path(source), cfg, chosen, progress, keep=_keep_fields(cfg), checks=all_checks())
        return run(ready.context, ready.info, started=started, load_seconds=ready.loaded - started, checks=ready.checks)
    if str(cfg["scale.engine"]) != "memory":  # 'auto' chose memory: the report says which engine ran
        cfg = resolve_config(cfg, {"scale__engine": "memory"})

    with progress.stage("load"):
        # The loader's workers hash the normalised texts while they hold them (see load()).
        normalizer = Normalizer.from_config(cfg.section("normalize"))
        limits = Limits.from_config(cfg.section("load"))
        dataset, info = load(source, fields, keep=_keep_fields(cfg), split=split, jobs=int(cfg["jobs"]), normalizer=normalizer, limits=limits)
    loaded = time.perf_counter()

    others: dict[str, Dataset] = {}
    if eval is not None:
        others["eval"] = _load_other(eval, fields, limits)
    if reference is not None:
        others["reference"] = _load_other(reference, fields, limits)
    if baseline:
        others["baseline"] = concat([_load_other(p, fields, limits) for p in baseline])
    paths: dict[str, Path] = {}
    for name, given in (("annotations", annotations), ("expectations", expectations)):
        if given is not None:
            paths[name] = Path(given)
            if not paths[name].is_file():
                raise InputError(f"{given}: no such {name} file")

    ctx = Context(dataset=dataset, config=cfg, others=others, paths=paths, progress=progress)
    return run(ctx, info, started=started, load_seconds=loaded - started)


def run(ctx: Context, info: InputInfo, *, started: float, load_seconds: float, checks: Sequence[Check] | None = None) -> Report:
    from auditor.core.pipeline import run_checks
    from auditor.core.registry import all_checks

    results, check_seconds = run_checks(ctx, all_checks() if checks is None else checks)
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
        others=dict(ctx.others),
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


def _load_other(path: PathLike, fields: FieldOverrides, limits: Limits | None = None) -> Dataset:
    """A comparison dataset: its layout detected on its own, the user's field names as a fallback."""
    try:
        return load(path, limits=limits)[0]
    except InputError:
        if fields == FieldOverrides():
            raise
        return load(path, fields, limits=limits)[0]


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
