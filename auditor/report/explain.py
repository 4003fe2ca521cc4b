"""Text for ``auditor explain``: from the registry's CodeInfo, the one source of it."""

from __future__ import annotations

import textwrap

from auditor.core.pipeline import ENGINE_CODES
from auditor.core.registry import all_codes


def _codes() -> dict[str, tuple[str, object]]:
    codes: dict[str, tuple[str, object]] = {c.code: ("engine", c) for c in ENGINE_CODES}
    codes.update(all_codes())
    return dict(sorted(codes.items()))


def listing() -> str:
    lines = []
    for code, (check, info) in _codes().items():
        lines.append(f"{code}  {info.symbol:<28} {info.severity.value:<8} {info.summary}")  # type: ignore[attr-defined]
    return "\n".join(lines)


def describe(code: str) -> str:
    codes = _codes()
    key = code.strip().upper()
    if key not in codes:
        raise KeyError(code)
    check, info = codes[key]
    wrap = lambda text: textwrap.fill(text, 88, initial_indent="  ", subsequent_indent="  ")  # noqa: E731
    parts = [
        f"{info.code} {info.symbol} ({check} check, default severity {info.severity.value})",  # type: ignore[attr-defined]
        "",
        wrap(info.summary),  # type: ignore[attr-defined]
        "",
        "Why it matters:",
        wrap(info.why),  # type: ignore[attr-defined]
        "",
        "How to fix it:",
        wrap(info.fix),  # type: ignore[attr-defined]
    ]
    if info.threshold:  # type: ignore[attr-defined]
        parts += ["", "Default threshold:", wrap(info.threshold)]  # type: ignore[attr-defined]
    return "\n".join(parts)
