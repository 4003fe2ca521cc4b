"""The terminal report, drawn with rich: verdict, checks table, gaps.

All dataset-derived text goes through ``safe`` and into rich ``Text`` objects
(never markup strings), so a record containing "[red]" or an ANSI escape
sequence shows as text and cannot repaint the user's terminal.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from auditor.core.verdict import NOT_READY, READY
from auditor.report.decision import HEADER, decision_rows
from auditor.report.mask import mask, mask_id
from auditor.report.model import Report

# Control and bidi characters, and lone surrogates (no terminal can print one).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

VERDICT_STYLE = {READY: "bold green", NOT_READY: "bold red"}
STATUS_STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "error": "red", "skipped": "dim"}
SEVERITY_STYLE = {"blocker": "red", "warning": "yellow", "info": "dim"}

# Metrics worth a glance in the checks table, per check; others stay in JSON.
HEADLINE_METRICS: dict[str, tuple[str, ...]] = {
    "count": ("effective_examples", "valid_records", "invalid_records"),
    "agreement": ("alpha", "weakest_criterion", "units_pairable", "annotators"),
    "duplicates": ("exact_duplicate_records", "near_duplicate_records", "conflicting_records"),
    "coverage": ("imbalance_ratio", "reference_coverage"),
    "quality": ("empty_outputs", "truncated_outputs", "pii_records"),
    "expectations": ("evaluated", "failed"),
    "decision": ("prompt_share", "training_tokens", "break_even_day"),
}


def safe(text: Any, limit: int = 400) -> str:
    """Dataset-derived text made harmless for a terminal: no control or bidi characters."""
    s = _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group()) if ord(m.group()) < 0x100 else "?", str(text))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def task_groups_of(report: Report) -> Mapping[str, Any] | None:
    """The task groups the duplicates check reports (``checks.duplicates.metrics.task_groups``), when more than one task."""
    duplicates = report.checks.get("duplicates")
    groups = duplicates.metrics.get("task_groups") if duplicates else None
    if not isinstance(groups, Mapping) or groups.get("source") == "none" or not groups.get("groups"):
        return None
    return groups


def task_groups_line(report: Report, shown: int = 3) -> str:
    """One line naming the task groups the rules were judged in, when the file has more than one."""
    groups = task_groups_of(report)
    if groups is None:
        return ""
    origin = "inferred from shared instruction wording" if groups["source"] == "inferred" else f"by {groups['source']}"
    kinds = ", ".join(f"{n} {kind}" for kind, n in groups["kinds"].items())
    largest = "; ".join(f"{safe(g['name'], 60)} ({g['kind']}, {g['records']:,})" for g in groups["groups"][:shown])
    return f"task groups ({origin}): {groups['count']}: {kinds}; largest: {largest}"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return safe(value, 40)


def render(
    report: Report, *, width: int | None = None, color: bool | None = None, max_ids: int = 8, max_gaps: int = 40
) -> str:
    """The report as terminal text. ``color=None`` lets rich decide (off in a pipe)."""
    from rich.console import Console
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or 80,
        force_terminal=color,
        no_color=color is False,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    source = report.input.path or report.input.format
    head = Text()
    head.append(report.verdict, style=VERDICT_STYLE.get(report.verdict, "bold yellow"))
    head.append(f"  {safe(source, 200)} ({report.input.format})")
    console.print(head)

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("key figures", overflow="fold")
    for name, result in report.checks.items():
        status = result.status.value if result.status else ""
        keys = HEADLINE_METRICS.get(name, ())
        figures = ", ".join(f"{k} {_fmt(result.metrics[k])}" for k in keys if k in result.metrics and result.metrics[k] is not None)
        if result.note and status in ("skipped", "error"):
            figures = safe(result.note, 120)
        table.add_row(Text(safe(name, 30)), Text(status, style=STATUS_STYLE.get(status, "")), Text(figures))
    console.print()
    console.print(table)
    groups = task_groups_line(report)
    if groups:
        console.print(Text(safe(mask(groups), 600), style="dim"))  # the wording comes from inputs
    _decision(console, report)

    if report.gaps:
        console.print()
        console.print(Text(f"Gaps ({len(report.gaps)})", style="bold"))
        for gap in report.gaps[:max_gaps]:
            f = gap.finding
            line = Text()
            line.append(f"{f.severity.value:<8}", style=SEVERITY_STYLE.get(f.severity.value, ""))
            line.append(f"{f.code}  ", style="bold")
            line.append(safe(mask(f.message)))  # messages may quote records
            console.print(Padding(line, (0, 0, 0, 2)))
            console.print(Padding(Text("→ " + safe(mask(f.action))), (0, 0, 0, 10)))
            if f.ids:
                shown = ", ".join(safe(mask_id(i), 40) for i in f.ids[:max_ids])
                more = f" and {len(f.ids) - max_ids} more" if len(f.ids) > max_ids else ""
                console.print(Padding(Text(f"examples: {shown}{more}", style="dim"), (0, 0, 0, 10)))
        if len(report.gaps) > max_gaps:
            # Thousands of gaps scroll the verdict away; the full list is one flag away.
            hidden = len(report.gaps) - max_gaps
            console.print(Text(f"  … and {hidden} more gaps: see --format json, html or --export-findings", style="bold"))
    else:
        console.print()
        console.print(Text("No gaps: the data meets every readiness criterion checked.", style="green"))
    total = report.timing.get("total_seconds")
    if total is not None:
        console.print(Text(f"\n{len(report.checks)} checks in {total:.2f} s", style="dim"))
    text = buffer.getvalue()
    # rich pads lines to the full width; in a pipe or a file that is just noise.
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def _decision(console: Any, report: Report) -> None:
    """The decision table (prompting against fine-tuning), when the decision check ran."""
    from rich.table import Table
    from rich.text import Text

    rows = decision_rows(report.metrics.get("decision", {}))
    if not rows:
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=False)
    for heading in HEADER:
        table.add_column(heading, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # figures and flag names only: no record text
    console.print()
    console.print(Text("Decision: prompt first, then the cost of fine-tuning", style="bold"))
    console.print(table)
