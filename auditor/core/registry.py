"""The check registry: an explicit tuple of built-ins plus entry-point plugins.

Built-ins are named as "module:Class" strings and imported only when a run
needs them, so ``auditor --help`` never pays for scikit-learn or
great_expectations. Registration fails loudly on a duplicate name or code.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import lru_cache

from auditor.core.findings import CodeInfo
from auditor.core.protocol import Check

#: Built-in checks in the order they run and appear in reports.
BUILTINS: tuple[str, ...] = (
    "checks.count:CountCheck",
    "checks.agreement:AgreementCheck",
    "checks.duplicates:DuplicatesCheck",
    "checks.coverage:CoverageCheck",
    "checks.quality:QualityCheck",
    "checks.expectations:ExpectationsCheck",
)

ENTRY_POINT_GROUP = "auditor.checks"


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
