"""The JSON report: the contract with pipelines."""

from __future__ import annotations

from typing import Any

import orjson

from auditor.report.model import Report


def _default(value: Any) -> Any:
    # numpy scalars and sets sneak into metrics; make them plain JSON.
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"cannot put {type(value).__name__} in a JSON report")


def render(report: Report) -> str:
    return orjson.dumps(
        report.to_dict(),
        option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY,
        default=_default,
    ).decode("utf-8") + "\n"
