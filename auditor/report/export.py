"""The findings export: one row per affected example per finding, JSONL or CSV.

Each row has the finding's code, severity, check, group and message, and the
record's own fields (input, output, category, chat turns, kept raw fields),
masked, ready to import into a labelling tool. A finding about the eval or
reference data lists that dataset's ids: its rows carry that dataset's records
and name it in a ``dataset`` column. Ids that are not loaded records
(unreadable lines) get the finding columns only.

Ids are masked like every report's (``mask_id``: an id holding personal data
is masked, any other keeps its value).

CSV cells are made inert for spreadsheet programs, which would otherwise run
them as formulas (CSV injection), and record text is written by whoever wrote
the data: a cell starting with ``=``, ``+``, ``-``, ``@`` (or their full-width
forms ``＝ ＋ － ＠``, which some spreadsheets also read as formulas), a tab or
a carriage return, also after leading blanks, is prefixed with ``'``. Rows end
in CRLF (RFC 4180, what spreadsheets write), which also makes the csv module
quote every cell holding a CR or an LF: with LF endings it left a bare CR
unquoted, and readers ended the row there, so the text after it became a new,
un-neutralised cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import orjson

from auditor.report.examples import Records, source_of
from auditor.report.mask import mask, mask_id
from auditor.report.model import Report
from auditor.runtime.fsio import utf8_safe

FINDING_COLUMNS = ("code", "severity", "check", "id", "group", "message")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def rows(report: Report) -> Iterator[dict[str, Any]]:
    """Every flagged example: finding columns, then the record's own fields."""
    findings = list(report.findings())
    records = Records(report, ((f, f.ids) for _, f in findings))
    shown_ids: dict[Any, Any] = {}  # a record flagged by several findings is looked at once
    for check, f in findings:
        message = mask(f.message)
        for index, record_id in enumerate(f.ids):
            group = f.group_of(index)
            shown = shown_ids.get(record_id)
            if shown is None:
                shown = shown_ids[record_id] = mask_id(record_id)
            row: dict[str, Any] = {
                "code": f.code,
                "severity": f.severity.value,
                "check": check,
                "id": shown,
                "group": None if group is None else mask(group),
                "message": message,
            }
            role = source_of(f)
            if role is not None:
                row["dataset"] = role
            record = records.fields(f, record_id)
            if record is not None:
                for key, value in record.items():
                    row.setdefault(key, value)
            yield row


def render_jsonl(report: Report) -> str:
    dumps = orjson.dumps
    option = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    return "".join(_jsonl_line(row, dumps, option) for row in rows(report))


def _jsonl_line(row: dict[str, Any], dumps: Any, option: int) -> str:
    try:
        return str(dumps(row, option=option, default=str).decode("utf-8")) + "\n"
    except orjson.JSONEncodeError:  # a lone surrogate in the record's text: shown as U+FFFD
        return str(dumps(utf8_safe(row), option=option, default=str).decode("utf-8")) + "\n"


def neutralise(value: Any) -> str:
    """A CSV cell that no spreadsheet will evaluate as a formula."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = orjson.dumps(value, default=str).decode("utf-8") if isinstance(value, dict | list | tuple) else str(value)
    live = value.startswith(FORMULA_START) or (value[:1].isspace() and value.lstrip().startswith(FORMULA_START))
    return "'" + value if live else value


def _columns(report: Report) -> list[str]:
    record_columns = ["line", "input", "output"]
    data = report.dataset
    if data is not None:
        if data.categories is not None:
            record_columns.append("category")
        if data.messages is not None:
            record_columns.append("messages")
        record_columns += [name for name in data.extra if name not in FINDING_COLUMNS and name not in record_columns]
    if any(source_of(f) is not None for _, f in report.findings()):
        record_columns.insert(0, "dataset")  # whose line and text the row holds
    return [*FINDING_COLUMNS, *record_columns]


def render_csv(report: Report) -> str:
    columns = _columns(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows(report):
        writer.writerow([neutralise(row.get(c)) for c in columns])
    return buffer.getvalue()


def render_export(report: Report, filename: str) -> str:
    """The export in the format the file name asks for: ``.csv``, else JSONL."""
    return render_csv(report) if filename.lower().endswith(".csv") else render_jsonl(report)
