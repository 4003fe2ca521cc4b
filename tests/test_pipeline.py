from __future__ import annotations

import pytest

from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Severity, Status
from auditor.core.pipeline import run_checks
from auditor.core.registry import all_checks, validate
from auditor.core.verdict import exit_code, gaps_of, verdict_of
from checks.count import CountCheck
from tests.helpers import make_context, make_dataset


class Boom:
    name = "boom"
    codes = ()

    def run(self, ctx: Context) -> CheckResult:
        raise ZeroDivisionError("division by zero in a check")


def test_a_crashing_check_becomes_a_finding_and_the_run_goes_on() -> None:
    ctx = make_context(make_dataset([("a", "b")]), min_examples=1)
    results, timing = run_checks(ctx, [Boom(), CountCheck()])
    assert results["boom"].status is Status.ERROR
    (finding,) = results["boom"].findings
    assert finding.code == "AUD001" and "ZeroDivisionError" in finding.message
    assert results["count"].status is Status.PASS and set(timing) == {"boom", "count"}
    assert verdict_of(gaps_of(results)) == "NOT_READY"


@pytest.mark.parametrize(
    "config,codes,verdict",
    [
        ({}, ["CNT001"], "NOT_READY"),
        ({"severity": {"CNT001": "warning"}}, ["CNT001"], "READY_WITH_WARNINGS"),
        ({"severity": {"CNT001": "info"}}, [], "READY"),
        ({"ignore": ["CNT"]}, [], "READY"),
        ({"select": ["DUP"]}, [], "READY"),
        ({"select": ["CNT001"]}, ["CNT001"], "NOT_READY"),
    ],
)
def test_policy(config: dict, codes: list[str], verdict: str) -> None:  # type: ignore[type-arg]
    ctx = make_context(make_dataset([("a", "b")]), min_examples=5, **config)
    results, _ = run_checks(ctx, [CountCheck()])
    gaps = gaps_of(results)
    assert [g.finding.code for g in gaps] == codes and verdict_of(gaps) == verdict


def test_exit_codes() -> None:
    assert [exit_code(v, False) for v in ("READY", "READY_WITH_WARNINGS", "NOT_READY")] == [0, 0, 1]
    assert [exit_code(v, True) for v in ("READY", "READY_WITH_WARNINGS", "NOT_READY")] == [0, 1, 1]


def test_registry_refuses_duplicate_codes_and_documents_every_code() -> None:
    info = CodeInfo("CNT001", "dup", Severity.INFO, "s", "w", "f")

    class Clash:
        name = "clash"
        codes = (info,)

        def run(self, ctx: Context) -> CheckResult:
            return CheckResult("clash")

    with pytest.raises(ValueError, match="CNT001"):
        validate([CountCheck(), Clash()])
    for check in all_checks():
        for code in check.codes:
            assert code.summary and code.why and code.fix, code.code
