"""Charts as inline SVG strings, drawn from a report's metrics.

Inline SVG keeps the HTML report one self-contained file: no JavaScript, no
CDN, nothing to load, nothing that can fail in a console. Builders are pure
(data in, markup out) and escape every label, since labels are category
names, annotator names and topic terms taken from the data.

``charts_for`` picks the charts a check's metrics can feed; a check or metric
that is absent simply yields no chart.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from auditor.core.findings import Finding

WIDTH = 640
BAR_HEIGHT = 18
BAR_GAP = 6
LABEL_WIDTH = 190
MAX_BARS = 30  # a chart with more bars stops being read; the rest are summed up

OK = "#3b7dd8"
BAD = "#d8453b"
MUTED = "#9aa5b1"
REFERENCE = "#e59a2f"
FONT = 'font-family="system-ui,sans-serif" font-size="12"'


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    caption: str = ""


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"


def _clip(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _svg(height: float, body: Iterable[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
        f'height="{height:.0f}" viewBox="0 0 {WIDTH} {height:.0f}" aria-label="{_e(label)}" {FONT}>'
        f"<title>{_e(label)}</title>{''.join(body)}</svg>"
    )


def _finite(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def bars(
    items: Sequence[tuple[str, float]],
    *,
    label: str,
    minimum: float | None = None,
    highlight: Iterable[str] = (),
    unit: str = "",
) -> str:
    """Horizontal bars, one per item; bars under ``minimum`` (or named in ``highlight``) in red."""
    shown = list(items[:MAX_BARS])
    if len(items) > MAX_BARS:
        rest = sum(v for _, v in items[MAX_BARS:])
        shown.append((f"{len(items) - MAX_BARS} more", rest))
    marked = set(highlight)
    top = max([v for _, v in shown] + [minimum or 0, 1])
    plot = WIDTH - LABEL_WIDTH - 70
    height = 24 + len(shown) * (BAR_HEIGHT + BAR_GAP) + 20
    body: list[str] = []
    for row, (name, value) in enumerate(shown):
        y = 10 + row * (BAR_HEIGHT + BAR_GAP)
        w = max(plot * value / top, 1 if value else 0)
        low = (minimum is not None and value < minimum) or name in marked
        body.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" text-anchor="end">{_e(_clip(str(name)))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" fill="{BAD if low else OK}">'
            f"<title>{_e(name)}: {_num(value)}{_e(unit)}</title></rect>"
            f'<text x="{LABEL_WIDTH + w + 4:.1f}" y="{y + 13}">{_num(value)}</text>'
        )
    if minimum is not None:
        x = LABEL_WIDTH + plot * minimum / top
        bottom = height - 18
        body.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{bottom}" stroke="#222" stroke-dasharray="4 3"/>'
            f'<text x="{x:.1f}" y="{bottom + 13}" text-anchor="middle">minimum {_num(minimum)}</text>'
        )
    return _svg(height, body, label)


def columns(counts: Mapping[Any, float], *, label: str, x_label: str, y_label: str) -> str:
    """Vertical bars over an ordered x (e.g. cluster size -> number of clusters)."""
    keys = list(counts)[:MAX_BARS]
    top = max([counts[k] for k in keys] + [1])
    left, bottom, plot_h = 50, 170, 140
    step = (WIDTH - left - 20) / max(len(keys), 1)
    body = [
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" stroke="#222"/>',
        f'<text x="{(WIDTH + left) / 2:.0f}" y="{bottom + 30}" text-anchor="middle">{_e(x_label)}</text>',
        f'<text x="12" y="{bottom - plot_h / 2:.0f}" transform="rotate(-90 12 {bottom - plot_h / 2:.0f})" '
        f'text-anchor="middle">{_e(y_label)}</text>',
    ]
    for i, key in enumerate(keys):
        h = max(plot_h * counts[key] / top, 1)
        x = left + i * step + step * 0.15
        w = step * 0.7
        body.append(
            f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{OK}">'
            f"<title>{_e(key)}: {_num(counts[key])}</title></rect>"
            f'<text x="{x + w / 2:.1f}" y="{bottom - h - 4:.1f}" text-anchor="middle">{_num(counts[key])}</text>'
            f'<text x="{x + w / 2:.1f}" y="{bottom + 14}" text-anchor="middle">{_e(_clip(str(key), 8))}</text>'
        )
    return _svg(bottom + 40, body, label)


def ranges(series: Mapping[str, Mapping[str, Any]], *, label: str, unit: str = "words") -> str:
    """Length distributions from their quantiles: whisker min-max, box p50-p90, tick at p99, dot at mean.

    The checks report quantiles, not raw lengths, so this is the honest picture:
    training and reference drawn on one scale, one row each.
    """
    rows = [(name, q) for name, q in series.items() if _finite(q.get("max")) is not None]
    top = max([float(q["max"]) for _, q in rows] + [1.0])
    plot = WIDTH - LABEL_WIDTH - 40
    scale = lambda v: LABEL_WIDTH + plot * float(v) / top  # noqa: E731
    row_h = 34
    height = 20 + len(rows) * row_h + 30
    body: list[str] = []
    for i, (name, q) in enumerate(rows):
        y = 16 + i * row_h
        mid = y + 10
        colour = REFERENCE if "reference" in name or "eval" in name else OK
        low = _finite(q.get("min")) or 0.0
        body.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{mid + 4}" text-anchor="end">{_e(_clip(name))}</text>'
            f'<line x1="{scale(low):.1f}" y1="{mid}" x2="{scale(q["max"]):.1f}" y2="{mid}" stroke="{colour}"/>'
        )
        p50, p90, p99, mean = (_finite(q.get(k)) for k in ("p50", "p90", "p99", "mean"))
        if p50 is not None and p90 is not None:
            body.append(
                f'<rect x="{scale(p50):.1f}" y="{y + 2}" width="{max(scale(p90) - scale(p50), 1):.1f}" height="16" '
                f'fill="{colour}" fill-opacity="0.6"><title>{_e(name)}: median {_num(p50)}, p90 {_num(p90)} {_e(unit)}</title></rect>'
            )
        if p99 is not None:
            body.append(f'<line x1="{scale(p99):.1f}" y1="{y}" x2="{scale(p99):.1f}" y2="{y + 20}" stroke="{colour}" stroke-width="2"/>')
        if mean is not None:
            body.append(f'<circle cx="{scale(mean):.1f}" cy="{mid}" r="3" fill="#222"/>')
        body.append(f'<text x="{scale(q["max"]) + 4:.1f}" y="{mid + 4}">{_num(float(q["max"]))}</text>')
    axis_y = height - 22
    body.append(f'<line x1="{LABEL_WIDTH}" y1="{axis_y}" x2="{LABEL_WIDTH + plot}" y2="{axis_y}" stroke="#222"/>')
    for frac in (0, 0.25, 0.5, 0.75, 1):
        x = LABEL_WIDTH + plot * frac
        body.append(f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{_num(round(top * frac))}</text>')
    body.append(f'<text x="{LABEL_WIDTH + plot}" y="{axis_y - 4}" text-anchor="end" fill="#555">{_e(unit)}</text>')
    return _svg(height, body, label)


def _heat(value: float | None) -> str:
    """Red (-1) through white (0) to blue (1); grey when undefined."""
    if value is None:
        return "#e6e6e6"
    v = max(-1.0, min(1.0, value))
    if v >= 0:
        r, g, b = (int(255 - (255 - c) * v) for c in (59, 125, 216))
    else:
        r, g, b = (int(255 - (255 - c) * -v) for c in (216, 69, 59))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap(matrix: Mapping[str, Mapping[str, Any]], *, label: str) -> str:
    """A symmetric pairwise matrix (e.g. Cohen's kappa per annotator pair) as coloured cells."""
    names = sorted({a for a in matrix} | {b for row in matrix.values() for b in row})[:20]
    n = len(names)
    left = 110
    cell = max(18.0, min(44.0, (WIDTH - left - 20) / max(n, 1)))
    top = 100

    def value(a: str, b: str) -> float | None:
        v = matrix.get(a, {}).get(b, matrix.get(b, {}).get(a))
        return _finite(v)

    body: list[str] = []
    for i, name in enumerate(names):
        y = top + i * cell
        x = left + i * cell
        body.append(f'<text x="{left - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end">{_e(_clip(name, 14))}</text>')
        body.append(
            f'<text x="{x + cell / 2:.1f}" y="{top - 6}" transform="rotate(-45 {x + cell / 2:.1f} {top - 6})">{_e(_clip(name, 14))}</text>'
        )
        for j, other in enumerate(names):
            v = None if i == j else value(name, other)
            fill = "#ffffff" if i == j else _heat(v)
            text = "" if i == j else ("–" if v is None else f"{v:.2f}")
            cx = left + j * cell
            body.append(
                f'<rect x="{cx:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" fill="{fill}" stroke="#fff">'
                f"<title>{_e(name)} × {_e(other)}: {text or 'same annotator'}</title></rect>"
            )
            if cell >= 30 and text:
                body.append(f'<text x="{cx + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="middle" font-size="10">{text}</text>')
    height = top + n * cell + 10
    return _svg(height, body, label)


def interval(
    value: float,
    low: float | None,
    high: float | None,
    *,
    thresholds: Mapping[str, float],
    label: str,
) -> str:
    """A point with its confidence interval on a scale, against named thresholds (alpha vs 0.667 and 0.800)."""
    lo_axis = min(0.0, *(v for v in (value, low) if v is not None))
    left, right = 40, WIDTH - 40
    x = _axis(lo_axis, left, right)
    body = _scale_marks(x, lo_axis, thresholds, 20, 60, 80)
    body.append(
        _whisker(x, low, high, 40)
        + f'<circle cx="{x(value):.1f}" cy="40" r="6" fill="{OK}" stroke="#222"><title>{value:.3f}</title></circle>'
        f'<text x="{x(value):.1f}" y="14" text-anchor="middle" font-weight="bold">{value:.3f}</text>'
        f'<text x="{left}" y="98" text-anchor="middle">{lo_axis:.1f}</text>'
        f'<text x="{right}" y="98" text-anchor="middle">{1.0:.1f}</text>'
    )
    return _svg(104, body, label)


def intervals(
    rows: Sequence[tuple[str, float | None, float | None, float | None]],
    *,
    thresholds: Mapping[str, float],
    label: str,
) -> str:
    """One point with its confidence interval per named row on a shared scale and thresholds (alpha per criterion).

    A point below the lowest threshold is red; a row without a value says so.
    """
    shown = list(rows[:MAX_BARS])
    measured = [v for _, value, low, _ in shown for v in (value, low) if v is not None]
    lo_axis = min(0.0, *measured)
    left, right, row_h, top = LABEL_WIDTH, WIDTH - 60, 30, 16
    bottom = top + row_h * len(shown)
    x = _axis(lo_axis, left, right)
    body = _scale_marks(x, lo_axis, thresholds, top, bottom, bottom + 20)
    floor = min(thresholds.values(), default=lo_axis)
    for k, (name, value, low, high) in enumerate(shown):
        y = top + row_h * k + row_h / 2
        body.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{_e(_clip(name))}</text>')
        if value is None:
            body.append(f'<text x="{left + 6}" y="{y + 4:.1f}" fill="{MUTED}">not measured</text>')
            continue
        body.append(
            _whisker(x, low, high, y)
            + f'<circle cx="{x(value):.1f}" cy="{y:.1f}" r="6" fill="{BAD if value < floor else OK}" stroke="#222">'
            f"<title>{_e(name)}: {value:.3f}</title></circle>"
            f'<text x="{right + 8}" y="{y + 4:.1f}" font-weight="bold">{value:.3f}</text>'
        )
    body.append(
        f'<text x="{left}" y="{bottom + 36}" text-anchor="middle">{lo_axis:.1f}</text>'
        f'<text x="{right}" y="{bottom + 36}" text-anchor="middle">{1.0:.1f}</text>'
    )
    return _svg(bottom + 42, body, label)


def _axis(lo_axis: float, left: float, right: float) -> Callable[[float], float]:
    """Position on a scale from ``lo_axis`` to 1 (alpha's maximum)."""
    return lambda v: left + (right - left) * (v - lo_axis) / (1.0 - lo_axis)


def _scale_marks(
    x: Callable[[float], float], lo_axis: float, thresholds: Mapping[str, float], y_top: float, y_bottom: float, label_y: float
) -> list[str]:
    """Shaded bands between the thresholds (red, amber, green) and the named threshold lines."""
    limits = sorted(thresholds.items(), key=lambda t: t[1])
    edges = [lo_axis, *(v for _, v in limits), 1.0]
    fills = ["#f6d5d3", "#fbecc8", "#d9ead3"]
    body = [
        f'<rect x="{x(edges[i]):.1f}" y="{y_top:g}" width="{max(x(edges[i + 1]) - x(edges[i]), 0):.1f}" '
        f'height="{y_bottom - y_top:g}" fill="{fills[min(i, len(fills) - 1)]}"/>'
        for i in range(len(edges) - 1)
    ]
    for k, (name, v) in enumerate(limits):
        # Thresholds sit close together (0.667, 0.800): the lower label reads
        # leftwards from its line, the others rightwards, so they never overlap.
        anchor, dx = ("end", -3) if k == 0 and len(limits) > 1 else ("start", 3)
        body.append(
            f'<line x1="{x(v):.1f}" y1="{y_top - 6:g}" x2="{x(v):.1f}" y2="{y_bottom + 6:g}" stroke="#555" stroke-dasharray="3 3"/>'
            f'<text x="{x(v) + dx:.1f}" y="{label_y:g}" text-anchor="{anchor}">{_e(name)} {v:.3f}</text>'
        )
    return body


def _whisker(x: Callable[[float], float], low: float | None, high: float | None, y: float) -> str:
    """A confidence interval as a bar with end caps; nothing when either end is unknown."""
    if low is None or high is None:
        return ""
    return (
        f'<line x1="{x(low):.1f}" y1="{y:g}" x2="{x(high):.1f}" y2="{y:g}" stroke="#222" stroke-width="3"/>'
        f'<line x1="{x(low):.1f}" y1="{y - 8:g}" x2="{x(low):.1f}" y2="{y + 8:g}" stroke="#222" stroke-width="2"/>'
        f'<line x1="{x(high):.1f}" y1="{y - 8:g}" x2="{x(high):.1f}" y2="{y + 8:g}" stroke="#222" stroke-width="2"/>'
    )


# --- which charts a check's metrics feed --------------------------------------------


def _sorted_counts(counts: Mapping[str, Any]) -> list[tuple[str, float]]:
    items = [(str(k), float(v)) for k, v in counts.items() if _finite(v) is not None]
    return sorted(items, key=lambda t: (-t[1], t[0]))


def _count_charts(m: Mapping[str, Any]) -> list[Chart]:
    per = m.get("per_category")
    if not isinstance(per, Mapping) or not per:
        return []
    minimum = _finite(m.get("min_per_category"))
    return [
        Chart(
            "Effective examples per category",
            bars(_sorted_counts(per), label="effective examples per category", minimum=minimum),
            "Red bars are below the per-category minimum (dashed line)." if minimum is not None else "",
        )
    ]


def _length_series(m: Mapping[str, Any]) -> tuple[dict[str, Mapping[str, Any]], str]:
    """Quantile summaries from any metric whose key mentions length: {series name: {min, p50, ..., max}}."""
    series: dict[str, Mapping[str, Any]] = {}
    unit = "words"
    for key, value in m.items():
        if "length" not in key or not isinstance(value, Mapping):
            continue
        if "max" in value and _finite(value.get("max")) is not None:
            series[key.replace("_", " ")] = value
            continue
        unit = str(value.get("unit", unit))
        for name, q in value.items():
            if isinstance(q, Mapping) and _finite(q.get("max")) is not None:
                series[str(name).replace("_", " ")] = q
    # training next to its reference: "input", "reference input", "output", ...
    order = lambda name: (0 if "input" in name else 1, name.count(" "), name)  # noqa: E731
    return dict(sorted(series.items(), key=lambda t: order(t[0]))), unit


def _coverage_charts(m: Mapping[str, Any]) -> list[Chart]:
    out: list[Chart] = []
    cats = m.get("categories")
    if isinstance(cats, Mapping) and cats:
        out.append(Chart("Records per category", bars(_sorted_counts(cats), label="records per category")))
    series, unit = _length_series(m)
    if series:
        out.append(
            Chart(
                "Length distributions",
                ranges(series, label="length distributions", unit=unit),
                f"In {unit}: line from shortest to longest, box from median to 90th percentile, "
                "tick at the 99th percentile, dot at the mean. Orange rows are the reference.",
            )
        )
    topics = m.get("topics")
    if isinstance(topics, list) and topics:
        items = [(_topic_label(t), float(t.get("size", 0))) for t in topics if isinstance(t, Mapping)]
        thin = [_topic_label(t) for t in topics if isinstance(t, Mapping) and t.get("thin")]
        out.append(
            Chart("Training topics", bars(items, label="training records per topic", highlight=thin), "Red topics are thin.")
        )
    coverage = _finite(m.get("reference_coverage"))
    uncovered = m.get("uncovered_topics")
    if coverage is not None:
        items = [("covered", round(coverage * 100, 1))]
        if isinstance(uncovered, list):
            total = sum(float(t.get("size", 0)) for t in uncovered if isinstance(t, Mapping)) or 1.0
            share_uncovered = (1 - coverage) * 100
            items += [
                (_topic_label(t), round(share_uncovered * float(t.get("size", 0)) / total, 1))
                for t in uncovered
                if isinstance(t, Mapping)
            ]
        out.append(
            Chart(
                "Reference coverage by topic",
                bars(items, label="share of reference inputs, covered and by uncovered topic", highlight=[n for n, _ in items[1:]], unit="%"),
                f"{coverage:.1%} of reference inputs have a close training example; red bars are the topics "
                "of the uncovered rest, in % of the reference.",
            )
        )
    return out


def _topic_label(topic: Mapping[str, Any]) -> str:
    terms = topic.get("top_terms") or []
    return f"{topic.get('id', '?')} {', '.join(str(t) for t in list(terms)[:3])}".strip()


def _pair_matrix(m: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]] | None:
    """The pairwise agreement matrix: ``pairwise_kappa``, else any dict of dicts of numbers."""
    candidates = [m["pairwise_kappa"]] if "pairwise_kappa" in m else []
    candidates += [v for k, v in m.items() if k != "pairwise_kappa" and ("kappa" in k or "pairwise" in k)]
    for value in candidates:
        if (
            isinstance(value, Mapping)
            and value
            and all(isinstance(row, Mapping) for row in value.values())
            and all(v is None or _finite(v) is not None for row in value.values() for v in row.values())
        ):
            return value
    return None


def _agreement_charts(m: Mapping[str, Any]) -> list[Chart]:
    out: list[Chart] = []
    alpha = _finite(m.get("alpha"))
    thresholds = _thresholds(m)
    if alpha is not None:
        low, high = _finite(m.get("alpha_ci_low")), _finite(m.get("alpha_ci_high"))
        ci = f", confidence interval {low:.3f} to {high:.3f}" if low is not None and high is not None else ""
        weakest = m.get("weakest_criterion")
        of = f" (the weakest rubric criterion, {str(weakest)!r})" if weakest is not None else ""
        out.append(
            Chart(
                "Krippendorff's alpha",
                interval(alpha, low, high, thresholds=thresholds, label="Krippendorff's alpha against the thresholds"),
                f"alpha {alpha:.3f}{of}{ci}; reliable from {thresholds['reliable']:.3f}, tentative from {thresholds['tentative']:.3f}.",
            )
        )
    criteria = _criteria_chart(m)
    if criteria is not None:
        out.append(criteria)
    matrix = _pair_matrix(m)
    if matrix:
        out.append(
            Chart(
                "Pairwise agreement between annotators",
                heatmap(matrix, label="pairwise Cohen's kappa between annotators"),
                "Blue: agree beyond chance; white: chance; red: systematic disagreement; grey: too few shared items.",
            )
        )
    per = m.get("per_annotator")
    if isinstance(per, Mapping) and per and alpha is not None:
        items = [
            (str(name), _finite(v.get("alpha_without")))
            for name, v in per.items()
            if isinstance(v, Mapping) and _finite(v.get("alpha_without")) is not None
        ]
        if items:
            raised = [n for n, v in items if v is not None and v > alpha]
            out.append(
                Chart(
                    "Alpha without each annotator",
                    bars([(n, float(v or 0)) for n, v in items], label="alpha without each annotator", highlight=raised),
                    f"Red: alpha rises above {alpha:.3f} without this annotator.",
                )
            )
    return out


def _thresholds(m: Mapping[str, Any]) -> dict[str, float]:
    """The alpha limits the check judged by: its top-level metrics, else a rubric criterion's (each carries them)."""
    criteria = m.get("criteria")
    sources = [m, *(c for c in criteria.values() if isinstance(c, Mapping))] if isinstance(criteria, Mapping) else [m]
    judged = next((c for c in sources if _finite(c.get("tentative_alpha")) is not None), m)
    return {
        "tentative": _finite(judged.get("tentative_alpha")) or 0.667,
        "reliable": _finite(judged.get("reliable_alpha")) or 0.800,
    }


def _criteria_chart(m: Mapping[str, Any]) -> Chart | None:
    """Alpha with its interval for every rubric criterion (``criteria``), not only the weakest the headline shows."""
    per = m.get("criteria")
    if not isinstance(per, Mapping) or not per:
        return None
    rows = [
        (str(name), _finite(c.get("alpha")), _finite(c.get("alpha_ci_low")), _finite(c.get("alpha_ci_high")))
        for name, c in per.items()
        if isinstance(c, Mapping)
    ]
    if not any(value is not None for _, value, _, _ in rows):
        return None  # nothing rated: AGR003 says so; an empty scale would only repeat it
    thresholds = _thresholds(m)
    said = "; ".join(
        f"{name} {value:.3f}" + (f" ({low:.3f} to {high:.3f})" if low is not None and high is not None else "")
        if value is not None
        else f"{name} not measured"
        for name, value, low, high in rows
    )
    return Chart(
        "Krippendorff's alpha per rubric criterion",
        intervals(rows, thresholds=thresholds, label="Krippendorff's alpha per rubric criterion against the thresholds"),
        f"{said}. Red: below the tentative limit {thresholds['tentative']:.3f}; each criterion at its scale's level.",
    )


def cluster_sizes(findings: Iterable[Finding]) -> dict[int, int]:
    """Cluster size -> number of clusters, from the groups duplicate findings flag together."""
    sizes: Counter[int] = Counter()
    for f in findings:
        if f.groups is None:
            continue
        sizes.update(Counter(g for g in f.groups if g is not None).values())
    return dict(sorted(sizes.items()))


def _duplicate_charts(m: Mapping[str, Any], findings: Sequence[Finding]) -> list[Chart]:
    sizes = cluster_sizes(findings)
    if not sizes:
        return []
    return [
        Chart(
            "Duplicate and conflict group sizes",
            columns(sizes, label="number of groups by size", x_label="records in the group", y_label="groups"),
        )
    ]


def charts_for(name: str, metrics: Mapping[str, Any], findings: Sequence[Finding] = ()) -> list[Chart]:
    """The charts a check's metrics feed; none when the metrics are absent."""
    builders = {
        "count": lambda: _count_charts(metrics),
        "coverage": lambda: _coverage_charts(metrics),
        "agreement": lambda: _agreement_charts(metrics),
        "duplicates": lambda: _duplicate_charts(metrics, findings),
    }
    build = builders.get(name)
    return build() if build else []
