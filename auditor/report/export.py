"""The findings export: one row per affected example per finding, JSONL or CSV.

Each row has the finding's code, severity, check, group and message, and the
record's own fields (input, output, category, chat turns, kept raw fields),
masked, ready to import into a labelling tool. Ids that are not loaded records
(unreadable lines, another dataset's ids) get the finding columns only.

CSV cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
are prefixed with ``'``: spreadsheet programs would otherwise run them as
formulas (CSV injection), and record text is written by whoever wrote the data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import orjson

from auditor.report.examples import fields, locate
from auditor.report.mask import mask
from auditor.report.model import Report

FINDING_COLUMNS = ("code", "severity", "check", "id", "group", "message")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(report: Report) -> Iterator[dict[str, Any]]:
    """Every flagged example: finding columns, then the record's own fields."""
    findings = list(report.findings())
    where = locate(report.dataset, {i for _, f in findings for i in f.ids})
    dataset = report.dataset
    for check, f in findings:
        message = mask(f.message)
        for index, record_id in enumerate(f.ids):
            row: dict[str, Any] = {
                "code": f.code,
                "severity": f.severity.value,
                "check": check,
                "id": record_id,
                "group": f.group_of(index),
                "message": message,
            }
            at = where.get(record_id)
            if at is not None and dataset is not None:
                for key, value in fields(dataset, at).items():
                    row.setdefault(key, value)
            yield row


def render_jsonl(report: Report) -> str:
    dumps = orjson.dumps
    option = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
    return "".join(dumps(row, option=option, default=str).decode("utf-8") + "\n" for row in rows(report))


def neutralise(value: Any) -> str:
    """A CSV cell that no spreadsheet will evaluate as a formula."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = orjson.dumps(value, default=str).decode("utf-8") if isinstance(value, dict | list | tuple) else str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def _columns(report: Report) -> list[str]:
    record_columns = ["line", "input", "output"]
    data = report.dataset
    if data is not None:
        if data.categories is not None:
            record_columns.append("category")
        if data.messages is not None:
            record_columns.append("messages")
        record_columns += [name for name in data.extra if name not in FINDING_COLUMNS and name not in record_columns]
    return [*FINDING_COLUMNS, *record_columns]


def render_csv(report: Report) -> str:
    columns = _columns(report)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows(report):
        writer.writerow([neutralise(row.get(c)) for c in columns])
    return buffer.getvalue()


def render_export(report: Report, filename: str) -> str:
    """The export in the format the file name asks for: ``.csv``, else JSONL."""
    return render_csv(report) if filename.lower().endswith(".csv") else render_jsonl(report)
