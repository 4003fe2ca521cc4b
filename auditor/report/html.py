"""The HTML report: one self-contained page, verdict and gaps first, then a section per check.

Safety rules, in this order of importance:
- every string that may come from the data (record text, ids, categories,
  messages quoting records, metric values) passes through ``_t`` (mask, then
  ``html.escape`` with quotes) before it reaches the page; ids are masked by
  ``mask_id``, as in every format;
- the page carries no script at all and a Content-Security-Policy that forbids
  scripts, so even a missed escape cannot run code;
- no external resource: styles inline, charts inline SVG.

Flagged examples are sampled (the first few per finding, a cap per report),
so a report on a million records stays small; the page says how many there
are in all and points to the export for the rest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any

from auditor.core.findings import Finding
from auditor.report.charts import Chart, charts_for
from auditor.report.decision import HEADER, decision_rows
from auditor.report.examples import Records, shorten, source_of
from auditor.report.mask import mask, mask_id
from auditor.report.model import Report
from auditor.report.terminal import task_groups_of

EXAMPLES_PER_FINDING = 10
MAX_EXAMPLES = 400  # across the whole report: bounds size and render time
TEXT_LIMIT = 280  # characters of input/output shown per example
DETAILS_LIMIT = 3000  # characters of a finding's details shown
MAX_CARDS = 100  # gaps, and findings per check, shown in full; a check may raise thousands
TASK_GROUPS_SHOWN = 20  # the largest task groups listed; a T0-like file has hundreds
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _t(value: Any, limit: int | None = None, *, masked: bool = True) -> str:
    """Data-derived text for the page: masked, shortened, escaped (text and attributes alike)."""
    text = mask(value) if masked else str(value)
    if limit is not None:
        text = shorten(text, limit)
    return escape(text, quote=True)


@lru_cache(maxsize=1)
def _css() -> str:
    return files("auditor.report").joinpath("html.css").read_text(encoding="utf-8")


@lru_cache(maxsize=256)
def _explain(code: str) -> str | None:
    try:
        from auditor.report.explain import describe

        return describe(code)
    except Exception:  # an unknown plugin code or a registry that fails to load: no help, still a report
        return None


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return _t(value)
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, str):
        return _t(value, 200)
    return f"<code>{_t(json.dumps(value, ensure_ascii=False, default=str), 300)}</code>"


def _selected(report: Report) -> list[tuple[str, Finding, list[Any]]]:
    """(check, finding, ids shown) for every finding shown, within the per-finding and per-report caps."""
    budget = MAX_EXAMPLES
    out = []
    for check, result in report.checks.items():
        for f in result.findings[:MAX_CARDS]:
            take = min(EXAMPLES_PER_FINDING, len(f.ids), budget)
            out.append((check, f, list(f.ids[:take])))
            budget -= take
    return out


def render(report: Report) -> str:
    selected = _selected(report)
    rows = Records(report, ((f, ids) for _, f, ids in selected))
    # Findings are frozen dataclasses compared by value; the object's identity
    # is what ties a gap to its place in its check's section.
    shown = {id(f): ids for _, f, ids in selected}
    anchors = {id(f): f"finding-{n + 1}" for n, (_, f, _) in enumerate(selected)}
    total_flagged = sum(len(f.ids) for _, f in report.findings())
    source = Path(report.input.path).name if report.input.path else report.input.format
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>auditor: {escape(report.verdict)} · {escape(shorten(source, 80))}</title>",
        f"<style>{_css()}</style></head><body><main>",
        _header(report, total_flagged),
        _nav(report),
        _gaps(report, anchors),
        _task_groups(report),
    ]
    for name, result in report.checks.items():
        findings = list(result.findings)
        parts.append(
            f'<section id="check-{_t(name)}"><h2><span class="badge {_t(result.status.value if result.status else "")}">'
            f'{_t(result.status.value if result.status else "")}</span>{_t(name)}</h2>'
        )
        if result.note:
            parts.append(f'<p class="muted">{_t(result.note, 500)}</p>')
        if name == "decision":
            parts.append(_decision(result.metrics))
        parts.append(_metrics(result.metrics))
        parts.extend(_figure(c) for c in charts_for(name, result.metrics, findings))
        helped: set[str] = set()
        for f in findings[:MAX_CARDS]:
            parts.append(_finding(report, f, shown.get(id(f), []), rows, anchors.get(id(f), ""), helped))
        parts.append(_more(len(findings), "findings of this check"))
        parts.append("</section>")
    parts.append(_footer(report))
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _header(report: Report, total_flagged: int) -> str:
    i = report.input
    blockers = sum(1 for g in report.gaps if g.finding.severity.value == "blocker")
    warnings = len(report.gaps) - blockers
    count = report.metrics.get("count", {})
    effective = count.get("effective_examples")
    # The path is the user's own, not record text: escaped, never masked.
    facts = [f"{escape(shorten(i.path or i.format, 200))} ({escape(i.format)})"]
    if count.get("total_records") is not None:
        facts.append(f"{count['total_records']:,} records")
    if effective is not None:
        facts.append(f"{effective:,} effective examples")
    facts.append(f"{blockers} blocker{'s' * (blockers != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    facts.append(f"{total_flagged:,} flagged example ids")
    return (
        f'<header id="verdict" class="verdict {escape(report.verdict)}"><h1>{escape(report.verdict)}</h1>'
        f"<p>{' · '.join(facts)}</p></header>"
    )


def _nav(report: Report) -> str:
    links = ['<a href="#gaps">gaps</a>']
    if task_groups_of(report):
        links.append('<a href="#task-groups">task groups</a>')
    links += [f'<a href="#check-{_t(n)}">{_t(n)}</a>' for n in report.checks]
    return f"<nav>{''.join(links)}</nav>"


def _task_groups(report: Report) -> str:
    """The task groups the task-dependent rules were judged in: how they were found, their kinds, the largest ones.

    The terminal's one line (``task_groups_line``) as a small table; the JSON report lists up to 100 groups.
    """
    groups = task_groups_of(report)
    if groups is None:
        return ""
    source = str(groups.get("source", ""))
    origin = "inferred from the instruction wording their inputs share" if source == "inferred" else f"by the {_t(source)} field"
    kinds = ", ".join(f"{_fmt(n)} {_t(kind)}" for kind, n in (groups.get("kinds") or {}).items())
    listed = list(groups["groups"])
    rows = "".join(
        f'<tr><td>{_t(g.get("name", ""), 100)}</td><td>{_t(g.get("kind", ""))}</td><td class="num">{_fmt(g.get("records"))}</td></tr>'
        for g in listed[:TASK_GROUPS_SHOWN]
    )
    count = int(groups.get("count") or len(listed))
    more = (
        f'<p class="muted">{count - TASK_GROUPS_SHOWN:,} smaller groups are in the JSON report '
        "(<code>checks.duplicates.metrics.task_groups</code>).</p>"
        if count > TASK_GROUPS_SHOWN
        else ""
    )
    return (
        f'<section id="task-groups"><h2>Task groups ({count:,})</h2>'
        f'<p class="muted">{count:,} groups {origin}: {kinds}. Contradictions, templated and short outputs and '
        "label checks are judged within each group.</p>"
        f'<table class="metrics"><tr><th>group</th><th>kind</th><th>records</th></tr>{rows}</table>{more}</section>'
    )


def _gaps(report: Report, anchors: Mapping[int, str]) -> str:
    if not report.gaps:
        return '<section id="gaps"><h2>Gaps</h2><p>No gaps: the data meets every readiness criterion checked.</p></section>'
    items = []
    helped: set[str] = set()
    for gap in report.gaps[:MAX_CARDS]:
        f = gap.finding
        items.append(
            f'<div class="card gap"><div><span class="badge {f.severity.value}">{f.severity.value}</span>'
            f'<a href="#{anchors.get(id(f), "")}"><code>{_t(f.code)}</code></a> <span class="muted">{_t(gap.check)}</span></div>'
            f'<div class="msg">{_t(f.message)}</div><div class="action">{_t(f.action)}</div>'
            f"{_help(f.code, helped)}</div>"
        )
    items.append(_more(len(report.gaps), "gaps"))
    return f'<section id="gaps"><h2>Gaps ({len(report.gaps)})</h2>{"".join(items)}</section>'


def _more(total: int, what: str) -> str:
    if total <= MAX_CARDS:
        return ""
    return f'<p class="muted">{total - MAX_CARDS:,} more {what} are in the JSON report and the export.</p>'


def _help(code: str, helped: set[str]) -> str:
    """The explain text of ``code``, once per list: a thousand findings of one code need it once."""
    text = _explain(code)
    if not text or code in helped:
        return ""
    helped.add(code)
    return f"<details><summary>What {escape(code)} means and how to fix it</summary><pre>{escape(text)}</pre></details>"




def _metrics(metrics: Mapping[str, Any]) -> str:
    if not metrics:
        return ""
    scalar = {k: v for k, v in metrics.items() if not isinstance(v, Mapping | list | tuple)}
    nested = {k: v for k, v in metrics.items() if k not in scalar}
    out = []
    if scalar:
        rows = "".join(f"<tr><th>{_t(k)}</th><td class=\"num\">{_fmt(v)}</td></tr>" for k, v in scalar.items())
        out.append(f'<table class="metrics">{rows}</table>')
    if nested:
        rows = "".join(f"<tr><th>{_t(k)}</th><td>{_fmt(v)}</td></tr>" for k, v in nested.items())
        out.append(f"<details><summary>More metrics ({len(nested)})</summary><table>{rows}</table></details>")
    return "".join(out)


def _decision(metrics: Mapping[str, Any]) -> str:
    rows = decision_rows(metrics)
    if not rows:
        return ""
    # Figures and option names only, no record text: escaped, never masked (a masker could take a long number for a card).
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="decision"><caption>Prompt first, then the cost of fine-tuning</caption><tr>{head}</tr>{body}</table>'


def _figure(chart: Chart) -> str:
    # The SVG is built by charts.py, which escapes every label itself.
    caption = f"<figcaption>{escape(chart.caption)}</figcaption>" if chart.caption else ""
    return f"<figure><h3>{escape(chart.title)}</h3>{chart.svg}{caption}</figure>"


def _finding(
    report: Report, f: Finding, ids: list[Any], rows: Records, anchor: str, helped: set[str]
) -> str:
    head = (
        f'<div class="card finding" id="{anchor}"><div><span class="badge {f.severity.value}">{f.severity.value}</span>'
        f"<code>{_t(f.code)}</code> {_t(f.message)}</div><div class=\"action\">{_t(f.action)}</div>"
    )
    body = [head]
    if f.ids:
        body.append(_examples(report, f, ids, rows))
    if f.details:
        text = json.dumps(f.details, ensure_ascii=False, indent=1, default=str)
        body.append(f"<details><summary>Details</summary><pre>{_t(text, DETAILS_LIMIT)}</pre></details>")
    body.append(_help(f.code, helped))
    body.append("</div>")
    return "".join(body)


def _examples(report: Report, f: Finding, ids: list[Any], rows: Records) -> str:
    total = len(f.ids)
    if ids:
        note = f"Showing the first {len(ids):,} of {total:,} flagged examples" if len(ids) < total else f"{total:,} flagged example{'s' * (total != 1)}"
    else:
        note = f"{total:,} flagged examples, not shown here (the report's example cap is reached)"
    if len(ids) < total:
        note += "; <code>--export-findings FILE.csv</code> writes them all."
    head = f'<p class="muted">{note}</p>'
    if not ids:
        return head
    dataset = rows.datasets.get(source_of(f))  # the eval or reference data for findings about them
    has_category = dataset is not None and dataset.categories is not None
    lines = [
        "<table class=\"examples\"><tr><th>id</th>"
        + ("<th>group</th>" if f.groups is not None else "")
        + ("<th>category</th>" if has_category else "")
        + "<th>input</th><th>output</th></tr>"
    ]
    for index, record_id in enumerate(ids):
        cells = [f"<td>{_t(mask_id(record_id), 60, masked=False)}</td>"]
        if f.groups is not None:
            cells.append(f"<td>{_t(f.group_of(index) or '', 40)}</td>")
        record = rows.fields(f, record_id)
        if record is None:
            span = 3 if has_category else 2
            cells.append(f'<td class="muted" colspan="{span}">not a loaded record (an unreadable line)</td>')
        else:
            if has_category:
                cells.append(f"<td>{_t(record.get('category') or '', 60)}</td>")
            cells.append(f'<td class="text">{_t(record["input"], TEXT_LIMIT)}</td>')
            cells.append(f'<td class="text">{_t(record["output"], TEXT_LIMIT)}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    lines.append("</table>")
    return head + "".join(lines)


def _footer(report: Report) -> str:
    total = report.timing.get("total_seconds")
    timing = f" · audited in {total:.2f} s" if isinstance(total, int | float) else ""
    sha = (report.input.sha256 or "")[:12]
    return (
        f"<footer>auditor {escape(_version())} · report schema {escape(_schema())}"
        f"{' · input sha256 ' + escape(sha) if sha else ''}{timing}</footer>"
    )


def _version() -> str:
    from auditor.version import __version__

    return __version__


def _schema() -> str:
    from auditor.report.model import SCHEMA_VERSION

    return SCHEMA_VERSION
