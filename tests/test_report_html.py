"""The HTML report: self-contained, escaped, masked, sampled, with help text and charts."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.api import audit
from auditor.core.findings import CodeInfo, Severity
from auditor.report import html
from auditor.report.model import Report
from tests.report_builders import PII_VALUES, RUBRIC_CRITERIA, full_report, with_rubric

REPO = Path(__file__).resolve().parents[1]
SAMPLES = sorted(p.name for p in (REPO / "sample_data").glob("*.jsonl"))


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


@pytest.fixture(scope="module")
def page() -> str:
    return html.render(full_report())


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_reports_render(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "sample_data")
    report = audit(REPO / "sample_data" / name, config={})
    page = html.render(report)
    assert page.startswith("<!DOCTYPE html>") and f'<h1>{report.verdict}</h1>' in page
    assert html.render(report) == page  # deterministic


def test_no_payload_becomes_markup(page: str) -> None:
    found = tags(page)
    names = {t for t, _ in found}
    assert "script" not in names and "img" not in names and "h1" in names
    assert sum(1 for t, _ in found if t == "style") == 1  # ours only: the "</style>" payload did not open another
    assert sum(1 for t, _ in found if t == "h1") == 1  # ...nor inject a heading
    assert not any(k.startswith("on") for _, attrs in found for k in attrs)  # no event handlers anywhere
    for text in ("&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;", "&lt;/style&gt;&lt;h1 id=&quot;injected&quot;&gt;"):
        assert text in page


def test_self_contained_and_script_free(page: str) -> None:
    found = tags(page)
    assert not any(attrs.get("src") for _, attrs in found)
    hrefs = [attrs.get("href") or "" for _, attrs in found if "href" in attrs]
    assert hrefs and all(h.startswith("#") for h in hrefs)
    assert "script-src" not in page and "default-src 'none'" in page  # CSP forbids scripts outright
    assert "@import" not in page and "url(" not in page


def test_personal_data_is_masked(page: str) -> None:
    for value in PII_VALUES:
        assert value not in page
    assert "[email]" in page and "[card]" in page


def test_every_gap_embeds_its_explain_text() -> None:
    report = full_report()
    from checks.count import THIN_CATEGORY

    page = html.render(report)
    assert "What CNT002 means and how to fix it" in page
    assert THIN_CATEGORY.fix.split(",")[0] in page


def test_charts_present_for_every_family(page: str) -> None:
    assert page.count("<svg") == 9
    for title in ("Effective examples per category", "Krippendorff&#x27;s alpha", "Length distributions",
                  "Reference coverage by topic", "Duplicate and conflict group sizes"):
        assert title in page or title.replace("&#x27;", "'") in page


def test_examples_are_sampled_and_the_total_said(monkeypatch: pytest.MonkeyPatch) -> None:
    report = full_report(3000, payloads=False)
    many = CodeInfo("QLT001", "empty-output", Severity.WARNING, "s", "w", "f").finding("m", "a", report.dataset.ids)
    quality = replace(report.checks["quality"], findings=(many,))
    report = Report(**{**report.__dict__, "checks": {**report.checks, "quality": quality}})
    page = html.render(report)
    assert f"Showing the first {html.EXAMPLES_PER_FINDING} of 3,000 flagged examples" in page
    assert page.count("<tr><td>r") <= html.MAX_EXAMPLES


def test_long_text_is_truncated() -> None:
    report = full_report(5, payloads=False)
    report.dataset.inputs[0] = "word " * 1000
    page = html.render(report)
    assert "word " * 50 in page and "word " * 60 not in page


def test_missing_dataset_and_unknown_ids_still_render() -> None:
    report = full_report()
    report = Report(**{**report.__dict__, "dataset": None})
    page = html.render(report)
    assert re.search(r"not a loaded record", page)


def test_thousands_of_findings_are_capped() -> None:
    report = full_report(50, payloads=False)
    code = CodeInfo("DUP002", "conflicting-outputs", Severity.BLOCKER, "s", "w", "f")
    many = tuple(code.finding(f"group {k} contradicts", "pick one", ["r1", "r2"]) for k in range(1000))
    dups = replace(report.checks["duplicates"], findings=many)
    report = Report(**{**report.__dict__, "checks": {**report.checks, "duplicates": dups}, "gaps": [*report.gaps]})
    page = html.render(report)
    assert page.count("group 1 contradicts") == 1 and "group 999 contradicts" not in page
    assert "900 more findings of this check" in page
    assert len(page) < 400_000


HOSTILE = st.text(alphabet=st.sampled_from(list("<>\"'&/=; \nabcsriptonelyg")), max_size=60)


@settings(max_examples=40, deadline=None)
@given(text=HOSTILE, record_id=HOSTILE, category=HOSTILE)
def test_any_record_text_adds_no_markup(text: str, record_id: str, category: str) -> None:
    """Whatever the record holds, the page has exactly the tags of a page without it."""
    report = full_report(8, payloads=False)
    baseline = [t for t, _ in tags(html.render(report))]
    data = report.dataset
    data.inputs[0], data.outputs[0], data.categories[0] = text, text, category  # r0 is flagged
    data.ids[0] = record_id
    report.checks["duplicates"] = replace(
        report.checks["duplicates"],
        findings=tuple(replace(f, ids=(record_id, *f.ids[1:])) for f in report.checks["duplicates"].findings),
    )
    assert [t for t, _ in tags(html.render(report))] == baseline


def _with_task_groups(report: Report, groups: dict[str, object]) -> Report:
    dups = report.checks["duplicates"]
    dups = replace(dups, metrics={**dups.metrics, "task_groups": groups})
    return Report(**{**report.__dict__, "checks": {**report.checks, "duplicates": dups}})


def _group_rows(page: str) -> list[list[str]]:
    section = page.split('<section id="task-groups">', 1)[1].split("</section>", 1)[0]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr><td>.*?</tr>", section)]


def test_task_groups_are_listed_as_the_terminal_and_json_name_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """The groups of checks.duplicates.metrics.task_groups: how found, their kinds, the largest first."""
    monkeypatch.chdir(REPO / "sample_data")
    report = audit(REPO / "sample_data" / "support_not_ready.jsonl", config={})
    groups = report.checks["duplicates"].metrics["task_groups"]
    page = html.render(report)
    assert '<a href="#task-groups">task groups</a>' in page
    assert f"<h2>Task groups ({groups['count']})</h2>" in page and "groups by the category field: " in page
    rows = _group_rows(page)
    assert rows == [[g["name"], g["kind"], f"{g['records']:,}"] for g in groups["groups"]]
    assert page.index('id="gaps"') < page.index('id="task-groups"') < page.index('id="check-count"')


def test_task_groups_are_escaped_masked_and_capped() -> None:
    named = [{"name": "<b>billing</b>", "kind": "label", "records": 900}, {"name": "ask jane.roe@gmail.com", "kind": "open", "records": 800}]
    rest = [{"name": f"template {k}", "kind": "generation", "records": 100 - k} for k in range(40)]
    report = _with_task_groups(
        full_report(payloads=False),
        {"source": "inferred", "count": 42, "kinds": {"label": 1, "open": 1, "generation": 40}, "groups": named + rest},
    )
    page = html.render(report)
    rows = _group_rows(page)
    assert len(rows) == html.TASK_GROUPS_SHOWN and rows[0] == ["&lt;b&gt;billing&lt;/b&gt;", "label", "900"]
    assert "jane.roe@gmail.com" not in page and rows[1][0] == "ask [email]"
    assert "22 smaller groups are in the JSON report" in page
    assert "42 groups inferred from the instruction wording their inputs share: 1 label, 1 open, 40 generation." in page


def test_one_task_has_no_task_group_section() -> None:
    report = _with_task_groups(full_report(payloads=False), {"source": "none", "count": 1, "kinds": {"generation": 1},
                                                              "groups": [{"name": "(whole file)", "kind": "generation", "records": 60}]})  # fmt: skip
    page = html.render(report)
    assert 'id="task-groups"' not in page and "#task-groups" not in page
    assert 'id="task-groups"' not in html.render(full_report(payloads=False))  # no metric at all


def _figure(page: str, title: str) -> str:
    start = page.index(f"<h3>{title}</h3>")
    return page[start : page.index("</figure>", start)]


def test_every_rubric_criterion_is_charted_with_its_interval() -> None:
    """Not only the weakest criterion the headline alpha stands for: every criterion's alpha and interval."""
    page = html.render(with_rubric(full_report(payloads=False)))
    figure = _figure(page, "Krippendorff&#x27;s alpha per rubric criterion")
    measured = [(n, c) for n, c in RUBRIC_CRITERIA.items() if c["alpha"] is not None]
    assert figure.count("<circle") == len(measured) == 3
    for name, c in measured:
        assert f"{html.escape(name)}: {c['alpha']:.3f}</title>" in figure  # the point, named
        assert f"({c['alpha_ci_low']:.3f} to {c['alpha_ci_high']:.3f})" in figure  # its interval, in the caption
    assert "<b>complete</b>" not in page and "&lt;b&gt;complete&lt;/b&gt;" in figure
    assert figure.count('fill="#d8453b"') == 1  # red: only the criterion below the tentative limit
    assert "concise not measured" in figure and ">not measured</text>" in figure
    assert "tentative 0.700" in figure and "reliable 0.850" in figure  # the limits the check judged by, not the defaults
    headline = _figure(page, "Krippendorff&#x27;s alpha")
    assert "the weakest rubric criterion, &#x27;&lt;b&gt;complete&lt;/b&gt;&#x27;" in headline and "tentative 0.700" in headline
    # The nine of a plain report, less its annotator heatmap and bars (a rubric run keeps those per criterion), and this one.
    assert page.count("<svg") == 9 - 2 + 1


def test_no_rubric_no_criterion_chart(page: str) -> None:
    assert "per rubric criterion" not in page
