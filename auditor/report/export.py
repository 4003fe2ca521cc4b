"""The findings export: one JSONL line per affected example per finding."""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from auditor.report.model import Report


def rows(report: Report) -> Iterator[dict[str, object]]:
    for check, f in report.findings():
        for index, record_id in enumerate(f.ids):
            yield {
                "code": f.code,
                "severity": f.severity.value,
                "check": check,
                "id": record_id,
                "group": f.group_of(index),
                "message": f.message,
            }


def render_jsonl(report: Report) -> str:
    dumps = orjson.dumps
    return "".join(dumps(row).decode("utf-8") + "\n" for row in rows(report))
