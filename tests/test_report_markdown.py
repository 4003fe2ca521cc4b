"""The Markdown report: golden summaries for the samples, and escaping of dataset text.

Regenerate the goldens after an intended change with
UPDATE_GOLDEN=1 pytest tests/test_report_markdown.py and review the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.api import audit
from auditor.report import markdown
from auditor.report.markdown import md
from tests.report_builders import PII_VALUES, full_report

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
SAMPLES = sorted(p.name for p in (REPO / "sample_data").glob("*.jsonl"))

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.mark.parametrize("name", SAMPLES)
def test_golden_markdown(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO / "sample_data")
    got = markdown.render(audit(REPO / "sample_data" / name, config={}))
    path = GOLDEN / name.replace(".jsonl", ".md")
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", r"a\|b"),
        ("`rm -rf`", r"\`rm -rf\`"),
        ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
        ("**bold** and [link](x)", r"\*\*bold\*\* and \[link\](x)"),
        ("snake_case stays, _em_ does not", r"snake_case stays, \_em\_ does not"),
        ("line one\nline two\r\n", "line one line two"),
        ("&lt; is not <", r"\&lt; is not \<"),
        ("back\\slash", r"back\\slash"),
        ("mail a.b@corp.io", r"mail \[email\]"),
    ],
)
def test_md_escapes(raw: str, escaped: str) -> None:
    assert md(raw) == escaped


@given(st.text(max_size=80))
def test_md_cell_never_breaks_a_table_row(text: str) -> None:
    cell = md(text)
    assert "\n" not in cell and "\r" not in cell
    assert not UNESCAPED_PIPE.search(cell.replace("\\\\", ""))
    assert "`" not in cell.replace("\\`", "")


def test_hostile_records_stay_in_their_cells() -> None:
    page = markdown.render(full_report())
    for value in PII_VALUES:
        assert value not in page
    header_cells = None
    for line in page.splitlines():
        if line.startswith("|"):
            cells = len(UNESCAPED_PIPE.findall(line.replace("\\\\", "")))
            if line.startswith("| code |") or line.startswith("| severity |") or line.startswith("| check |"):
                header_cells = cells
            assert cells == header_cells, line
    assert "<script>" not in page and "\\<script\\>" in page


def test_thousands_of_gaps_fit_a_pull_request_comment() -> None:
    from dataclasses import replace

    from auditor.core.findings import CodeInfo, Severity
    from auditor.core.verdict import gaps_of
    from auditor.report.model import Report

    report = full_report(50, payloads=False)
    code = CodeInfo("DUP002", "conflicting-outputs", Severity.BLOCKER, "s", "w", "f")
    many = tuple(code.finding(f"group {k} contradicts", "pick one", ["r1", "r2"]) for k in range(5000))
    checks = {**report.checks, "duplicates": replace(report.checks["duplicates"], findings=many)}
    page = markdown.render(Report(**{**report.__dict__, "checks": checks, "gaps": gaps_of(checks)}))
    assert len(page) < 65_536 and "more gaps in the JSON report" in page
