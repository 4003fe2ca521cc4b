"""The double-labelling sample as files raters fill: a sheet, a Label Studio import, Argilla records.

Formats only; what is drawn is decided in ``checks.sampling``. Every format
keeps the record id, so ``auditor check --annotations`` matches the answers
back to the data. Raters' answers start empty and nothing pre-fills one rater's
column from another's: each rater judges blind.

- **sheet** (``.csv`` / ``.jsonl``): id, input, output, the stratum, and one
  empty column per rater (``rater_1``) or per rater and criterion
  (``rater_1:complete``).
- **Label Studio**: a tasks JSON (``[{"data": {"item_id", "input", "output",
  ...}}]``; ``id`` is reserved by Label Studio, so the record id travels as
  ``item_id``) and a labeling config with one control per criterion (Choices
  pass/fail, or Rating with ``maxRating``), or one Choices / TextArea for a label.
- **Argilla**: records as ``dataset.records.to_json`` writes them (``id``,
  ``fields``, ``metadata``, empty ``responses``), one question per criterion.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path
from xml.sax.saxutils import quoteattr

from auditor.core.sampling import Sample

SHEET_FORMATS = ("csv", "jsonl", "label-studio", "argilla")


def _stratum_column(sample: Sample) -> str | None:
    return {"category": "category", "task group": "stratum"}.get(sample.stratified_by)


def render_sheet(sample: Sample, fmt: str, rater: str | None = None) -> str:
    """The sheet as CSV or JSON lines: every rater's columns, or one rater's own (in an order of their own)."""
    stratum = _stratum_column(sample)
    head = ["id", "input", "output", *([stratum] if stratum else [])]
    answers = sample.columns(rater)
    items = list(sample.items)
    if rater is not None:  # each rater meets the items in a different order: no rater's fatigue lands on the same items
        random.Random(f"{sample.seed}:{rater}").shuffle(items)
    rows = [[item.id, item.input, item.output, *([item.stratum or ""] if stratum else [])] for item in items]
    if fmt == "jsonl":
        return "".join(json.dumps({**dict(zip(head, row)), **dict.fromkeys(answers, "")}, ensure_ascii=False) + "\n" for row in rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head + answers)
    for row in rows:
        writer.writerow(row + [""] * len(answers))
    return out.getvalue()


def render_label_studio(sample: Sample) -> tuple[str, str]:
    """(tasks JSON, labeling config XML) for a Label Studio project."""
    tasks = []
    for item in sample.items:
        data = {"item_id": item.id, "input": item.input, "output": item.output}
        if item.stratum is not None:
            data["stratum"] = item.stratum
        tasks.append({"data": data})
    lines = [
        "<View>",
        '  <Header value="Input"/>',
        '  <Text name="input" value="$input"/>',
        '  <Header value="Output"/>',
        '  <Text name="output" value="$output"/>',
    ]
    for c in sample.criteria:
        lines.append(f"  <Header value={quoteattr(c.question or c.name)}/>")
        if c.points is None:
            lines.append(f'  <Choices name={quoteattr(c.name)} toName="output" choice="single-radio" required="true">')
            lines += [f"    <Choice value={quoteattr(v)}/>" for v in ("pass", "fail")]
            lines.append("  </Choices>")
        else:
            lines.append(f'  <Rating name={quoteattr(c.name)} toName="output" maxRating="{c.points}" required="true"/>')
    if not sample.criteria:
        lines.append('  <Header value="Label"/>')
        if sample.labels:
            lines.append('  <Choices name="label" toName="input" choice="single-radio" required="true">')
            lines += [f"    <Choice value={quoteattr(v)}/>" for v in sample.labels]
            lines.append("  </Choices>")
        else:
            lines.append('  <TextArea name="label" toName="input" maxSubmissions="1" required="true"/>')
    lines.append("</View>")
    return json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", "\n".join(lines) + "\n"


def render_argilla(sample: Sample) -> str:
    """Records as Argilla's ``dataset.records.to_json`` writes them, with nothing answered yet."""
    records = []
    for item in sample.items:
        metadata: dict[str, object] = {"item_id": str(item.id)}
        if item.stratum is not None:
            metadata["stratum"] = item.stratum
        records.append(
            {
                "id": str(item.id),
                "fields": {"input": item.input, "output": item.output},
                "metadata": metadata,
                "suggestions": {},
                "responses": {},
                "vectors": {},
                "_server_id": None,
            }
        )
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


def labeling_config_path(tasks: Path) -> Path:
    """Where the Label Studio labeling config goes: beside the tasks, ``tasks.xml``."""
    return tasks.with_suffix(".xml")


def rater_sheets(sample: Sample, folder: Path, fmt: str) -> list[tuple[Path, str]]:
    """One sheet per rater in ``folder`` (``rater_1.csv``, ...), each with only that rater's columns: blind by construction."""
    suffix = ".jsonl" if fmt == "jsonl" else ".csv"
    return [(folder / f"{rater}{suffix}", render_sheet(sample, fmt, rater)) for rater in sample.raters]


def render(sample: Sample, fmt: str) -> list[str]:
    """The texts of the files ``fmt`` writes, in order (Label Studio: tasks, then the labeling config)."""
    if fmt in ("csv", "jsonl"):
        return [render_sheet(sample, fmt)]
    if fmt == "label-studio":
        return list(render_label_studio(sample))
    if fmt == "argilla":
        return [render_argilla(sample)]
    raise ValueError(f"unknown sample format {fmt!r}")
