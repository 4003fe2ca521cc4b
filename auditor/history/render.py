"""Trends rendered: a rich table for the terminal, and a chart (SVG drawn here, or PNG).

The SVG needs nothing installed and is self-contained (no script, no external
reference; every label escaped). PNG goes through matplotlib when it is
installed (an optional extra: ``pip install auditor[plot]``); it is imported
only then.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape
from pathlib import Path

from auditor.history.trends import HIGHER, LOWER, Regression, Trend, number
from auditor.report.terminal import safe
from auditor.runtime.errors import AuditorError, shown

SPARKS = "▁▂▃▄▅▆▇█"
BETTER = {HIGHER: "↑ better", LOWER: "↓ better", None: ""}


def sparkline(values: Sequence[float]) -> str:
    lo, hi = min(values), max(values)
    if hi == lo:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[round((v - lo) / (hi - lo) * (len(SPARKS) - 1))] for v in values)


def render_table(
    found: Sequence[Trend], found_regressions: Sequence[Regression], *, runs: int, width: int = 100, color: bool | None = False, last: int = 12
) -> str:
    """The trend of each metric over the recorded runs, then the regressions in words."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=color is False, highlight=False, emoji=False)
    console.print(Text(f"{runs} run{'s' * (runs != 1)} recorded, {len(found)} metric{'s' * (len(found) != 1)}", style="bold"))
    # A metric whose latest step went the bad way is the one to look at now.
    last_point = {t.metric: t.last for t in found}
    regressed = {r.metric for r in found_regressions if r.after == last_point.get(r.metric)}
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for name, justify in (("metric", "left"), ("better", "left"), ("first", "right"), ("previous", "right"), ("last", "right"), ("change", "right"), (f"last {last} runs", "left"), ("", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for t in found:
        prev = t.previous
        change = t.change
        row_style = "red" if t.metric in regressed else ""
        table.add_row(
            Text(safe(t.metric, 60)),
            Text(BETTER[t.better], style="dim"),
            number(t.points[0].value),
            number(prev.value) if prev else "",
            number(t.last.value),
            ("+" if change and change > 0 else "") + number(change) if change is not None else "",
            sparkline([p.value for p in t.points[-last:]]),
            Text("regressed" if t.metric in regressed else "", style=row_style),
        )
    console.print(table)
    if found_regressions:
        console.print()
        console.print(Text(f"Regressions ({len(found_regressions)})", style="bold"))
        for r in found_regressions:
            console.print(Text("  " + safe(r.sentence(), 300), style="red" if r.metric in regressed else ""))
    else:
        console.print(Text("\nNo regressions: no metric with a known good direction moved the wrong way.", style="green"))
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


def render_json(found: Sequence[Trend], found_regressions: Sequence[Regression], *, runs: int) -> str:
    """Trends and regressions for a pipeline: ``{runs, trends: {metric: [{run, label, time, value}]}, regressions}``."""
    import orjson

    data = {
        "runs": runs,
        "trends": {
            t.metric: {"better": t.better, "points": [{"run": p.run_id, "label": p.label, "time": p.time, "value": p.value} for p in t.points]}
            for t in found
        },
        "regressions": [
            {"metric": r.metric, "from": r.before.value, "to": r.after.value, "between": [r.before.label, r.after.label], "sentence": r.sentence()}
            for r in found_regressions
        ],
    }
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"


# --- charts -----------------------------------------------------------------

PANEL_W, PANEL_H, PAD, LEFT = 520, 150, 48, 72  # LEFT leaves room for the value labels


def render_svg(found: Sequence[Trend], found_regressions: Sequence[Regression] = ()) -> str:
    """One small line chart per metric, stacked; regressed steps drawn in red."""
    bad = {(r.metric, r.after.run_id) for r in found_regressions}
    height = max(1, len(found)) * (PANEL_H + PAD) + PAD
    width = LEFT + PANEL_W + PAD
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for k, t in enumerate(found):
        top = PAD + k * (PANEL_H + PAD)
        values = [p.value for p in t.points]
        lo, hi = min(values), max(values)
        span = (hi - lo) or 1.0
        n = len(values)

        def xy(i: int, v: float, top: int = top, lo: float = lo, span: float = span, n: int = n) -> tuple[float, float]:
            x = LEFT + (PANEL_W * i / (n - 1) if n > 1 else PANEL_W / 2)
            y = top + PANEL_H - (v - lo) / span * PANEL_H if hi != lo else top + PANEL_H / 2
            return round(x, 1), round(y, 1)

        better = f" ({BETTER[t.better]})" if t.better else ""
        out.append(f'<text x="{LEFT}" y="{top - 8}" font-weight="bold">{escape(t.metric)}{escape(better)}</text>')
        out.append(f'<rect x="{LEFT}" y="{top}" width="{PANEL_W}" height="{PANEL_H}" fill="none" stroke="#ccc"/>')
        hi_y = top + 10 if hi != lo else top + PANEL_H / 2 + 4  # a flat line is drawn mid-panel
        out.append(f'<text x="{LEFT - 4}" y="{hi_y}" text-anchor="end">{escape(number(hi))}</text>')
        if hi != lo:
            out.append(f'<text x="{LEFT - 4}" y="{top + PANEL_H}" text-anchor="end">{escape(number(lo))}</text>')
        pts = [xy(i, v) for i, v in enumerate(values)]
        for i in range(1, n):
            colour = "#c62828" if (t.metric, t.points[i].run_id) in bad else "#1565c0"
            (x0, y0), (x1, y1) = pts[i - 1], pts[i]
            out.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="{colour}" stroke-width="2"/>')
        for (x, y), p in zip(pts, t.points):
            out.append(f'<circle cx="{x}" cy="{y}" r="3" fill="#1565c0"><title>{escape(p.label)}: {escape(number(p.value))}</title></circle>')
        for i in sorted({0, n - 1}):
            x, _ = pts[i]
            # The first label starts at the left edge, the last ends at the right: neither is cut off.
            anchor = "middle" if n == 1 else ("start" if i == 0 else "end")
            out.append(f'<text x="{x}" y="{top + PANEL_H + 14}" text-anchor="{anchor}">{escape(safe(t.points[i].label, 30))}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_plot(path: Path, found: Sequence[Trend], found_regressions: Sequence[Regression] = ()) -> None:
    """Write the chart: SVG for .svg, PNG (matplotlib) for anything else."""
    from auditor.runtime.fsio import write_atomic

    if path.suffix.lower() == ".svg":
        write_atomic(path, render_svg(found, found_regressions), what="the chart")
        return
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display on a CI runner or under cron
        import matplotlib.pyplot as plt
    except ImportError:
        raise AuditorError(f"{shown(path)}: a PNG chart needs matplotlib (pip install 'auditor[plot]'); or name the file .svg") from None
    bad = {(r.metric, r.after.run_id) for r in found_regressions}

    def plain(text: str) -> str:  # a "$" in a batch label would otherwise start matplotlib's math mode
        return safe(text, 40).replace("$", r"\$")

    fig, axes = plt.subplots(max(1, len(found)), 1, figsize=(8, 2.2 * max(1, len(found))), squeeze=False)
    for ax, t in zip(axes[:, 0], found):
        xs = list(range(len(t.points)))
        ax.plot(xs, [p.value for p in t.points], marker="o", color="#1565c0")
        for i in range(1, len(t.points)):
            if (t.metric, t.points[i].run_id) in bad:
                ax.plot([i - 1, i], [t.points[i - 1].value, t.points[i].value], color="#c62828", linewidth=2.5)
        ax.set_title(plain(t.metric) + (f" ({BETTER[t.better]})" if t.better else ""), fontsize=9, loc="left")
        ax.set_xticks(xs, [plain(p.label) for p in t.points], fontsize=7, rotation=20)
    fig.tight_layout()
    # Drawn in memory, then written like every report: atomically over a file, in place on a device.
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format=path.suffix.lstrip(".").lower() or "png")
    except ValueError as exc:  # a suffix matplotlib has no format for
        raise AuditorError(f"{shown(path)}: cannot draw the chart: {exc}") from None
    finally:
        plt.close(fig)
    write_atomic(path, buffer.getvalue(), what="the chart")
