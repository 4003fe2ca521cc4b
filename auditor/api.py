"""The Python API: ``audit(source, config=None, **overrides) -> Report``.

This is the pipeline pre-step; the CLI is a thin layer over it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.core.config import Config, resolve
from auditor.core.context import Context, Progress, SilentProgress
from auditor.core.protocol import Check
from auditor.core.records import Dataset
from auditor.core.sampling import Sample
from auditor.core.registry import checked
from auditor.core.verdict import gaps_of, verdict_of
from auditor.load import InputInfo, load
from auditor.load.detect import FieldOverrides
from auditor.load.limits import Limits
from auditor.load.prompt_baseline import prompt_baseline as prompt_baseline_feature
from auditor.load.prompt_baseline import read_prompt_baseline
from auditor.report.model import Report
from auditor.runtime.errors import InputError
from auditor.runtime.openmp import with_passive_wait
from auditor.similarity import Normalizer

PathLike = str | Path

if TYPE_CHECKING:
    from auditor.scale import Prepared


def resolve_config(config: Config | PathLike | Mapping[str, Any] | None, overrides: Mapping[str, Any]) -> Config:
    """A Config from any of the accepted forms, with keyword overrides on top.

    Keyword overrides use ``__`` for the dot: ``count__min_per_category=5``.
    """
    flat = {k.replace("__", "."): v for k, v in overrides.items()}
    if isinstance(config, Config):
        # Only what was set carries over, with where it was set: a key left at its default stays
        # "not configured" (the agreement check infers the level of measurement only when nobody
        # chose one; the token budget follows quality.model_family unless max_tokens was given).
        resolved = resolve(search=False, base=config, overrides=flat)
    elif isinstance(config, str | Path):
        resolved = resolve(config_file=config, overrides=flat)
    else:
        resolved = resolve(base=config, overrides=flat)
    return checked(resolved)  # what only the checks know, before any data is read


@with_passive_wait  # before scikit-learn loads OpenMP: idle k-means threads sleep, not spin
def audit(
    source: Any,
    config: Config | PathLike | Mapping[str, Any] | None = None,
    *,
    eval: PathLike | None = None,  # noqa: A002 - the name users know from the CLI flag
    reference: PathLike | None = None,
    baseline: Sequence[PathLike] = (),
    annotations: PathLike | None = None,
    expectations: PathLike | None = None,
    prompt_baseline: PathLike | None = None,
    split: str | None = None,
    progress: Progress | None = None,
    engine: str | None = None,
    table: str | None = None,
    **overrides: Any,
) -> Report:
    """Audit ``source`` (a path, a ``datasets.Dataset`` or a pandas DataFrame).

    ``config`` is a resolved Config, a config file path, or a mapping of options;
    with None, the nearest auditor.toml / [tool.auditor] is used, as on the CLI.
    ``engine`` ("memory", "stream", "spark" or "auto"; default ``scale.engine``)
    chooses between holding the dataset in memory and a partitioned run of the
    checks that scale (see ``auditor.scale``). With engine "spark", ``source``
    is anything Spark reads (a path, glob or URI of JSON lines, gzipped or not,
    or Parquet files), or None and ``table`` a table name (``db.name``); ``eval`` and
    ``baseline`` are then read by Spark too. The stream and Spark engines match
    ``eval`` and ``baseline`` as the in-memory engine does and refuse the other side inputs.
    ``prompt_baseline`` names the prompt-only system's scores on the eval set,
    for the decision check.
    """
    started = time.perf_counter()
    if engine is not None:
        overrides = {**overrides, "scale__engine": engine}
    cfg = resolve_config(config, overrides)
    progress = progress or SilentProgress()
    fields = FieldOverrides.from_config(cfg.section("fields"))

    from auditor.scale import choose_engine

    if table is not None and str(cfg["scale.engine"]) != "spark":
        raise InputError("--table reads a Spark table: it needs --engine spark")
    if (table is None) == (source is None):
        raise InputError("give a source or --table (with --engine spark), not both" if table is not None else "no source given")
    chosen, _ = choose_engine(cfg, source)
    if chosen != "memory":
        # The eval set and the baseline are matched by the duplicates check, which runs partitioned;
        # the other side inputs feed checks that need every text in memory.
        sides = [n for n, v in (("reference", reference), ("annotations", annotations), ("expectations", expectations), ("prompt_baseline", prompt_baseline)) if v]
        if sides:
            raise InputError(f"the {chosen} engine runs no check that reads {', '.join(sides)}: use engine 'memory'")
        ready = _partitioned(source, table, cfg, chosen, progress, {"eval": [eval] if eval is not None else [], "baseline": list(baseline)})
        return run(ready.context, ready.info, started=started, load_seconds=ready.loaded - started, checks=ready.checks)
    if str(cfg["scale.engine"]) != "memory":  # 'auto' chose memory: the report says which engine ran
        cfg = resolve_config(cfg, {"scale__engine": "memory"})

    # A baseline file that cannot be used stops the run before the data is read.
    baseline_scores = None if prompt_baseline is None else read_prompt_baseline(prompt_baseline)
    dataset, info, limits = _load_main(source, cfg, fields, split, progress)
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
            if not (paths[name].is_file() or (name == "annotations" and paths[name].is_dir())):  # a folder of rater sheets
                raise InputError(f"{given}: no such {name} file")

    if prompt_baseline is not None:
        paths["prompt_baseline"] = Path(prompt_baseline)
    ctx = Context(dataset=dataset, config=cfg, others=others, paths=paths, progress=progress)
    if baseline_scores is not None:
        ctx.provide(prompt_baseline_feature, baseline_scores)
    return run(ctx, info, started=started, load_seconds=loaded - started)


def sample(
    source: Any,
    config: Config | PathLike | Mapping[str, Any] | None = None,
    *,
    n: int | None = None,
    annotations: PathLike | None = None,
    split: str | None = None,
    progress: Progress | None = None,
    **overrides: Any,
) -> Sample:
    """The double-labelling sample of ``source``: ``n`` usable items, or as many as ``agreement.ci_width`` needs.

    Stratified by category (else task group), seeded by ``seed``; records the
    audit would not train on (empty, duplicate, contradicted, unreadable) are
    never drawn. ``annotations`` already collected size the next sample on the
    alpha they show. Write it with ``auditor.report.sheet``.
    """
    from auditor.core.registry import sampler

    cfg = resolve_config(config, overrides)
    progress = progress or SilentProgress()
    dataset, _, _ = _load_main(source, cfg, FieldOverrides.from_config(cfg.section("fields")), split, progress)
    paths = {}
    if annotations is not None:
        paths["annotations"] = Path(annotations)
        if not (paths["annotations"].is_file() or paths["annotations"].is_dir()):
            raise InputError(f"{annotations}: no such annotations file or folder")
    ctx = Context(dataset=dataset, config=cfg, paths=paths, progress=progress)
    with progress.stage("sample"):
        drawn: Sample = sampler()(ctx, n)
    return drawn


def _partitioned(source: Any, table: str | None, cfg: Config, chosen: str, progress: Progress, sides: Mapping[str, list[PathLike]]) -> Prepared:
    """The stream or Spark engine's run, its side sets (``sides``: eval set, baselines) read whole first."""
    from auditor.core.registry import all_checks
    from auditor.scale import audit_partitioned

    fields = FieldOverrides.from_config(cfg.section("fields"))
    limits = Limits.from_config(cfg.section("load"))
    given = {role: paths for role, paths in sides.items() if paths}
    if chosen == "spark":
        from auditor.scale.sparkrun import audit_spark
        from auditor.scale.sparkside import read_side

        # Read before the main source: an unreadable side set stops the run before the long passes.
        others = {role: concat([read_side(cfg, f"--{role}", str(p), fields, limits) for p in paths]) for role, paths in given.items()}
        return audit_spark(None if source is None else str(source), table, cfg, progress, keep=_keep_fields(cfg), checks=all_checks(), others=others)
    others = {role: concat([_load_other(p, fields, limits) for p in paths]) for role, paths in given.items()}
    return audit_partitioned(Path(source), cfg, chosen, progress, keep=_keep_fields(cfg), checks=all_checks(), others=others)


def _load_main(source: Any, cfg: Config, fields: FieldOverrides, split: str | None, progress: Progress) -> tuple[Dataset, InputInfo, Limits]:
    """The audited dataset, read in memory; the loader's workers hash the normalised texts while they hold them."""
    with progress.stage("load"):
        normalizer = Normalizer.from_config(cfg.section("normalize"))
        limits = Limits.from_config(cfg.section("load"))
        dataset, info = load(source, fields, keep=_keep_fields(cfg), split=split, jobs=int(cfg["jobs"]), normalizer=normalizer, limits=limits)
    return dataset, info, limits


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
        start = len(out.inputs)
        out.inputs.extend(part.inputs)
        out.add_system_ends(start, part.system_ends)
        out.outputs.extend(part.outputs)
        out.problems.extend(part.problems)
        if out.categories is not None:
            out.categories.extend(part.categories if part.categories is not None else [None] * len(part))
    return out
