"""Reading a prompt baseline: how well the best prompt-only system scores on the eval set.

Two forms, told apart by their content:

- **per item**: one row per eval item with its ``id`` and ``score`` (optionally
  ``passed``), as CSV/TSV, JSON lines or a JSON array; or a JSON object whose
  ``items`` holds those rows next to the summary fields below;
- **summary**: one JSON object (or a one-row CSV without ids) with ``score``
  and optionally ``metric``, ``target``, ``techniques`` (the prompt techniques
  tried) and ``range`` (``[lowest, highest]`` score, when not 0 to 1).

A file that cannot be used at all (missing, unreadable, no score column, a
summary score that is not a number) is an ``InputError``: one line, exit code 2,
raised before the dataset is read. Rows are read as they are, never judged: a
score that is not a number or lies off the range, an id the eval set lacks,
are the decision check's findings.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.runtime.errors import InputError, shown


if TYPE_CHECKING:
    from auditor.core.context import Context

ID_NAMES = ("id", "item", "item_id", "example_id", "record_id", "sample_id", "doc_id", "question_id", "uid")
SCORE_NAMES = ("score", "value")
PASSED_NAMES = ("passed", "pass", "correct", "success")
PER_ITEM, SUMMARY = "per-item", "summary"


@dataclass(frozen=True)
class PromptBaseline:
    """A baseline file as read: its form, its summary fields, and its rows."""

    source: str  # the file's name, for messages
    form: str  # PER_ITEM or SUMMARY
    metric: str = ""
    score: float | None = None  # the summary score (a per-item file's is computed from its rows)
    target: float | None = None
    techniques: tuple[str, ...] = ()
    score_range: tuple[float, float] | None = None  # declared in the file
    ids: tuple[Any, ...] = ()
    scores: tuple[Any, ...] = ()  # as written: the check decides what is a usable number
    passed: tuple[Any, ...] | None = None
    rows: tuple[int, ...] = ()  # 1-based row (CSV, JSON array) or line (JSONL) of each item
    unreadable_rows: tuple[int, ...] = field(default=())  # lines that are not JSON objects


def number(value: Any) -> float | None:
    """A finite number from a cell (a number or numeric text), else None; true/false are not scores."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def read_prompt_baseline(path: Path | str) -> PromptBaseline:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--prompt-baseline {shown(path)}: {'a folder, not a file' if path.is_dir() else 'no such file'}")
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"--prompt-baseline {shown(path)}: cannot read it ({exc.strerror or exc})") from None
    name = path.name
    if suffix in (".csv", ".tsv", ".tab"):
        header, rows = _csv_rows(raw, "\t" if suffix != ".csv" else ",", name)
        return _from_rows(name, rows, [], {}, header)
    if suffix in (".jsonl", ".ndjson"):
        rows, bad = _jsonl_rows(raw, name)
        return _from_rows(name, rows, bad, {})
    if suffix == ".json":
        data = _json(raw, name)
        if isinstance(data, list):
            return _from_rows(name, list(enumerate(data, 1)), [], {})
        if isinstance(data, dict):
            items = data.get("items")
            if items is None:
                return _summary(name, data)
            if not isinstance(items, list):
                raise InputError(f"prompt baseline {name}: 'items' must be a list of {{id, score}} rows")
            return _from_rows(name, list(enumerate(items, 1)), [], data)
        raise InputError(f"prompt baseline {name}: expected a JSON object or an array of rows")
    raise InputError(f"prompt baseline {name}: unknown format (use .csv, .tsv, .jsonl or .json)")


def _csv_rows(raw: bytes, sep: str, name: str) -> tuple[list[str], list[tuple[int, Any]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"prompt baseline {name}: not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        # Row 1 is the header, so the first data row is row 2, as a spreadsheet numbers it.
        rows = [(n + 2, dict(row)) for n, row in enumerate(reader)]
    except csv.Error as exc:  # a NUL byte, a cell beyond the csv module's size limit
        raise InputError(f"prompt baseline {name}: not a readable table (line {reader.line_num}: {exc})") from None
    return [str(c) for c in reader.fieldnames or ()], rows


def _jsonl_rows(raw: bytes, name: str) -> tuple[list[tuple[int, Any]], list[int]]:
    import orjson

    rows: list[tuple[int, Any]] = []
    bad: list[int] = []
    for line_no, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append((line_no, orjson.loads(line)))
        except orjson.JSONDecodeError:
            bad.append(line_no)
    return rows, bad


def _json(raw: bytes, name: str) -> Any:
    import orjson

    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"prompt baseline {name}: not valid JSON ({exc})") from None


def _pick(names: Sequence[str], candidates: Sequence[str]) -> str | None:
    lowered = {n.strip().lower(): n for n in names}
    return next((lowered[c] for c in candidates if c in lowered), None)


def _from_rows(
    name: str, numbered: list[tuple[int, Any]], bad: list[int], meta: Mapping[str, Any], header: Sequence[str] = ()
) -> PromptBaseline:
    objects = [(n, r) for n, r in numbered if isinstance(r, dict)]
    bad = sorted([*bad, *(n for n, r in numbered if not isinstance(r, dict))])
    names = list(dict.fromkeys([*header, *(k for _, r in objects for k in map(str, r))]))
    id_c, score_c, passed_c = _pick(names, ID_NAMES), _pick(names, SCORE_NAMES), _pick(names, PASSED_NAMES)
    if id_c is None and not meta and len(objects) == 1 and score_c is not None:
        return _summary(name, objects[0][1])  # a one-row table of summary fields
    lacking = [what for what, c in (("id", id_c), ("score", score_c)) if c is None]
    if lacking:
        found = ", ".join(names) if names else "none"
        raise InputError(f"prompt baseline {name}: no {' or '.join(lacking)} column (columns found: {found}); a per-item baseline needs id and score")
    summary = _summary_fields(name, meta) if meta else {}
    return PromptBaseline(
        source=name,
        form=PER_ITEM,
        ids=tuple(r.get(id_c) for _, r in objects),
        scores=tuple(r.get(score_c) for _, r in objects),
        passed=None if passed_c is None else tuple(r.get(passed_c) for _, r in objects),
        rows=tuple(n for n, _ in objects),
        unreadable_rows=tuple(bad),
        **summary,
    )


def _summary(name: str, data: Mapping[str, Any]) -> PromptBaseline:
    fields = _summary_fields(name, data)
    key = _pick(list(map(str, data)), SCORE_NAMES)
    if key is None:
        raise InputError(f"prompt baseline {name}: a summary needs a 'score' (fields found: {', '.join(map(str, data)) or 'none'})")
    score = number(data[key])
    if score is None:
        raise InputError(f"prompt baseline {name}: the summary score {data[key]!r} is not a number")
    return PromptBaseline(source=name, form=SUMMARY, score=score, **fields)


def _summary_fields(name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"metric": str(data.get("metric") or "")}
    if data.get("target") not in (None, ""):
        target = number(data["target"])
        if target is None:
            raise InputError(f"prompt baseline {name}: the target {data['target']!r} is not a number")
        out["target"] = target
    techniques = data.get("techniques") or ()
    if isinstance(techniques, str):
        techniques = [t for t in re.split(r"[;,|]", techniques) if t.strip()]
    if not isinstance(techniques, list | tuple) or not all(isinstance(t, str) for t in techniques):
        raise InputError(f"prompt baseline {name}: 'techniques' must be a list of names")
    out["techniques"] = tuple(t.strip() for t in techniques)
    declared = data.get("range")
    if declared is not None:
        bounds = [number(v) for v in declared] if isinstance(declared, list | tuple) else []
        if len(bounds) != 2 or None in bounds or not bounds[0] < bounds[1]:  # type: ignore[operator]
            raise InputError(f"prompt baseline {name}: 'range' must be [lowest, highest], got {declared!r}")
        out["score_range"] = (bounds[0], bounds[1])
    return out


def prompt_baseline(ctx: Context) -> PromptBaseline | None:
    """The run's prompt baseline (a feature: ``ctx.cached(prompt_baseline)``); None when none was given.

    ``auditor.api.audit`` reads the file before the dataset, so a file that cannot
    be used stops the run early, and provides it here.
    """
    path = ctx.paths.get("prompt_baseline")
    return None if path is None else read_prompt_baseline(path)
