"""The check registry: an explicit tuple of built-ins plus entry-point plugins.

Built-ins are named as "module:Class" strings and imported only when a run
needs them, so ``auditor --help`` never pays for scikit-learn or
great_expectations. Registration fails loudly on a duplicate name or code.
A built-in's module is named after its config section (``checks.expectations``
reads ``expectations.*``), so a config can be checked by the checks it
concerns without importing the others.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, cast

from auditor.core.config import Config, defaults
from auditor.core.findings import CodeInfo
from auditor.core.protocol import Check, ValidatesConfig
from auditor.runtime.errors import ConfigError

#: Built-in checks in the order they run and appear in reports.
BUILTINS: tuple[str, ...] = (
    "checks.count:CountCheck",
    "checks.agreement:AgreementCheck",
    "checks.duplicates:DuplicatesCheck",
    "checks.coverage:CoverageCheck",
    "checks.quality:QualityCheck",
    "checks.fidelity:FidelityCheck",
    "checks.labels:LabelsCheck",
    "checks.expectations:ExpectationsCheck",
    "checks.decision:DecisionCheck",
)

ENTRY_POINT_GROUP = "auditor.checks"

#: The double-labelling sampler (`auditor sample`): judgement, so it lives with the checks.
SAMPLER = "checks.sampling:draw"


def sampler() -> Callable[..., Any]:
    """``draw(context, n) -> auditor.core.sampling.Sample``, imported when a sample is asked for."""
    module, _, attr = SAMPLER.partition(":")
    return cast(Callable[..., Any], getattr(importlib.import_module(module), attr))


def _load(spec: str) -> Check:
    module, _, attr = spec.partition(":")
    obj = getattr(importlib.import_module(module), attr)
    check = obj() if isinstance(obj, type) else obj
    if not isinstance(check, Check):
        raise TypeError(f"{spec} is not a Check (needs name, codes and run)")
    return check


def _plugins() -> list[Check]:
    from importlib.metadata import entry_points

    found = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        obj = ep.load()
        found.append(obj() if isinstance(obj, type) else obj)
    return found


def validate(checks: Iterable[Check]) -> tuple[Check, ...]:
    names: set[str] = set()
    codes: dict[str, str] = {}
    out = []
    for check in checks:
        if check.name in names:
            raise ValueError(f"two checks are named {check.name!r}")
        names.add(check.name)
        for info in check.codes:
            if info.code in codes:
                raise ValueError(f"finding code {info.code} is declared by both {codes[info.code]} and {check.name}")
            codes[info.code] = check.name
        out.append(check)
    return tuple(out)


@lru_cache(maxsize=1)
def all_checks() -> tuple[Check, ...]:
    return validate([*(_load(spec) for spec in BUILTINS), *_plugins()])


def all_codes() -> dict[str, tuple[str, CodeInfo]]:
    """Every code: check name and its info, in registry order."""
    return {info.code: (check.name, info) for check in all_checks() for info in check.codes}


def checked(config: Config) -> Config:
    """``config``, once the checks have vouched for what only they know; ConfigError otherwise.

    Every code in ``severity`` must be one a check reports, and each built-in
    check whose options differ from their defaults validates them
    (``ValidatesConfig``). Called before any data is read; only the checks
    concerned are imported.
    """
    if config["severity"]:
        _check_codes(config["severity"], config.origins.get("severity", "config"))
    default = defaults()
    changed = {key.split(".", 1)[0] for key, value in config.values.items() if "." in key and value != default[key]}
    for spec in BUILTINS:
        if spec.partition(":")[0].rsplit(".", 1)[-1] in changed:
            check = _load(spec)
            if isinstance(check, ValidatesConfig):
                check.validate_config(config)
    return config


def _check_codes(overrides: Mapping[str, Any], origin: str) -> None:
    """Every code in ``severity`` must exist: a typo would leave the default in force, silently.

    The checks are imported only here, when overrides are given: the audit
    imports the same checks a moment later anyway.
    """
    from auditor.core.pipeline import ENGINE_CODES

    known = {*all_codes(), *(c.code for c in ENGINE_CODES)}
    for code in overrides:
        if code not in known:
            hint = difflib.get_close_matches(str(code), known, n=1)
            more = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ConfigError(f"severity.{code} in {origin}: no finding code {code!r}{more}; 'auditor explain' lists them")
