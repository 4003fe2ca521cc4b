"""The Markdown report: a compact summary for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

Readable raw and rendered: short lines, plain tables, no HTML but one
``<details>`` block for the examples. Dataset text is masked and escaped with
backslashes (CommonMark escapes any ASCII punctuation), so a ``|`` cannot
split a table cell, a backtick cannot open a code span, and ``<script>`` shows
as text. Nothing machine-specific (timings, absolute paths) appears, so the
same data gives the same summary on every machine.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from auditor.core.verdict import NOT_READY, READY
from auditor.report.examples import Records, shorten
from auditor.report.mask import mask, mask_id
from auditor.report.model import Report
from auditor.report.terminal import HEADLINE_METRICS

EXAMPLES_PER_GAP = 3
# A pull-request comment holds 65,536 characters; a check may raise thousands
# of findings. The summary lists the first gaps and says how many more.
MAX_GAP_ROWS = 50
GAPS_WITH_EXAMPLES = 10
TEXT_LIMIT = 100
ICON = {READY: "✅", NOT_READY: "❌"}

# Always-special characters, then underscores only at a word edge: an
# intraword "_" never starts emphasis, and escaping it would clutter ids.
_SPECIAL = re.compile(r"([\\`*\[\]<>|~&])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_SPACE = re.compile(r"\s+")


def md(value: Any, limit: int | None = None, *, masked: bool = True) -> str:
    """Dataset-derived text for one Markdown line or table cell: masked, one line, escaped."""
    text = _SPACE.sub(" ", mask(value) if masked else str(value)).strip()
    if limit is not None:
        text = shorten(text, limit)
    return _SPECIAL.sub(lambda m: "\\" + m.group(0), text)


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return md(value, 40)


def render(report: Report) -> str:
    lines = [f"## auditor: {ICON.get(report.verdict, '⚠️')} {report.verdict}", "", _summary(report), ""]
    lines += _gaps(report)
    lines += _checks(report)
    lines += _examples(report)
    return "\n".join(lines).rstrip() + "\n"


def _summary(report: Report) -> str:
    i = report.input
    name = Path(i.path).name if i.path else i.format
    count = report.metrics.get("count", {})
    facts = [f"{md(name, masked=False)} ({md(i.format)})"]  # the user's own path, not record text
    if count.get("total_records") is not None:
        facts.append(f"{count['total_records']:,} records")
    if count.get("effective_examples") is not None:
        facts.append(f"{count['effective_examples']:,} effective examples")
    blockers = sum(1 for g in report.gaps if g.finding.severity.value == "blocker")
    warnings = len(report.gaps) - blockers
    facts.append(f"{blockers} blocker{'s' * (blockers != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return " · ".join(facts)


def _gaps(report: Report) -> list[str]:
    if not report.gaps:
        return ["No gaps: the data meets every readiness criterion checked.", ""]
    out = [
        "### Gaps",
        "",
        "| severity | code | check | what | what to do | size |",
        "|---|---|---|---|---|---:|",
    ]
    for gap in report.gaps[:MAX_GAP_ROWS]:
        f = gap.finding
        out.append(
            f"| {f.severity.value} | `{f.code}` | {md(gap.check)} | {md(f.message, 300)} | {md(f.action, 300)} | {f.size:,} |"
        )
    if len(report.gaps) > MAX_GAP_ROWS:
        out += ["", f"… and {len(report.gaps) - MAX_GAP_ROWS:,} more gaps in the JSON report."]
    out += ["", "Run `auditor explain CODE` for what a code means and how to fix it.", ""]
    return out


def _checks(report: Report) -> list[str]:
    out = ["### Checks", "", "| check | status | key figures |", "|---|---|---|"]
    for name, result in report.checks.items():
        status = result.status.value if result.status else ""
        keys = HEADLINE_METRICS.get(name, ())
        figures = ", ".join(
            f"{k} {_num(result.metrics[k])}" for k in keys if result.metrics.get(k) is not None
        )
        if result.note and status in ("skipped", "error"):
            figures = md(result.note, 120)
        out.append(f"| {md(name)} | {status} | {figures} |")
    return [*out, ""]


def _examples(report: Report) -> list[str]:
    picked = [(g, list(g.finding.ids[:EXAMPLES_PER_GAP])) for g in report.gaps if g.finding.ids][:GAPS_WITH_EXAMPLES]
    if not picked:
        return []
    records = Records(report, ((g.finding, ids) for g, ids in picked))
    out = [
        "<details><summary>Flagged examples (first "
        f"{EXAMPLES_PER_GAP} per gap, first {GAPS_WITH_EXAMPLES} gaps; <code>--export-findings</code> writes them all)</summary>",
        "",
        "| code | id | input | output |",
        "|---|---|---|---|",
    ]
    for gap, ids in picked:
        for record_id in ids:
            record = records.fields(gap.finding, record_id)
            if record is None:
                text_in, text_out = "(not a loaded record)", ""
            else:
                text_in, text_out = md(record["input"], TEXT_LIMIT), md(record["output"], TEXT_LIMIT)
            out.append(f"| `{gap.finding.code}` | {md(mask_id(record_id), 40, masked=False)} | {text_in} | {text_out} |")
        more = len(gap.finding.ids) - len(ids)
        if more > 0:
            out.append(f"| `{gap.finding.code}` | … {more:,} more | | |")
    return [*out, "", "</details>", ""]
