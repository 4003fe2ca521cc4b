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
    data = report.to_dict()
    option = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    try:
        text = orjson.dumps(data, option=option, default=_default)
    except orjson.JSONEncodeError:
        # A lone surrogate (a JSON "\ud800" escape in the data) has no UTF-8 form, so
        # orjson refuses the whole report; it is shown as U+FFFD instead.
        from auditor.runtime.fsio import utf8_safe

        text = orjson.dumps(utf8_safe(data), option=option, default=_default)
    return text.decode("utf-8") + "\n"
