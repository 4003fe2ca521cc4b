"""Issue 17's acceptance test: a curated set audits with no blocker other than agreement, and at most
two warnings.

The curated set (``tests/curated_set.py``) is generated, seeded: about a thousand careful answers
whose endings and contents real rules used to misread (lists ending on their last item, source
lines, quoted error messages, signatures, code, labels, public help-line numbers, long reports to
summarise). It has no annotations, so the agreement check blocks; nothing else may. The README's
sample data must pass the same bar.

Codes owned by work not yet landed are marked ``xfail(strict=True)`` with the reason: the mark
fails the suite the day the code stops firing, so it is removed then.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.api import audit
from auditor.report.model import Report
from auditor.core.findings import Severity
from tests import curated_set

MAX_WARNINGS = 2
OUTPUT_SHAPE = ("QLT003", "QLT004", "QLT005")
# Codes that still fire on careful data, and the work that removes them (issue 17).
PENDING = {
    # The detector places a national number in a numbering plan only in the North American shape
    # (auditor/privacy/pii.py); a UK freephone number written nationally (Citizens Advice, 0800 144 8848)
    # with no help-line word before it stays personal.
    "QLT009": "QLT009 reports a UK freephone number written without a help-line cue as personal data (issue 17 point 3)",
}


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Report:
    path = curated_set.write(tmp_path_factory.mktemp("curated") / "curated.jsonl")
    return audit(path, config={})


def _codes(report: Report, *severities: Severity) -> set[str]:
    return {f.code for _, f in report.findings() if not severities or f.severity in severities}


def _verdict_shape(report: Report) -> tuple[set[str], list[str]]:
    """(blocking codes other than agreement, warning codes)."""
    blockers = {g.finding.code for g in report.gaps if g.finding.severity is Severity.BLOCKER and not g.finding.code.startswith("AGR")}
    warnings = [g.finding.code for g in report.gaps if g.finding.severity is Severity.WARNING]
    return blockers, warnings


def test_the_generator_is_seeded_and_distinct() -> None:
    first, again, other = curated_set.records(), curated_set.records(), curated_set.records(seed=2)
    assert first == again and first != other
    assert len(first) >= 1_000 and len({r["input"] for r in first}) == len(first)


@pytest.mark.parametrize("code", OUTPUT_SHAPE)
def test_no_output_shape_false_alarm(curated: Report, code: str) -> None:
    assert code not in _codes(curated), [f.message for _, f in curated.findings() if f.code == code]


@pytest.mark.parametrize(
    "code", [pytest.param(code, marks=pytest.mark.xfail(strict=True, reason=reason)) for code, reason in PENDING.items()]
)
def test_no_false_alarm_from_pending_rules(curated: Report, code: str) -> None:
    assert code not in _codes(curated)


def test_curated_set_verdict(curated: Report) -> None:
    blockers, warnings = _verdict_shape(curated)
    assert not blockers and len(warnings) <= MAX_WARNINGS, (blockers, warnings)


def test_only_pending_codes_stand_between_the_curated_set_and_the_bar(curated: Report) -> None:
    # Until the pending work lands, every other code already meets the bar: nothing new may creep in.
    blockers, warnings = _verdict_shape(curated)
    assert blockers <= set(PENDING) and set(warnings) <= set(PENDING), (blockers, warnings)


@pytest.mark.parametrize("name", ["support_ready.jsonl", "support_chat.jsonl"])
def test_readme_sample_data_meets_the_bar(sample_data: Path, name: str) -> None:
    blockers, warnings = _verdict_shape(audit(sample_data / name, config={}))
    assert not blockers and len(warnings) <= MAX_WARNINGS, (blockers, warnings)
