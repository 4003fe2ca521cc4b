"""Run the checks on a context and collect their results.

Each check runs inside a guard: one that raises becomes a finding of its own
(AUD001, with the error text) and the run goes on. Config policy (severity
overrides, select/ignore) is applied here, once, so checks stay policy-free.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence
from dataclasses import replace

from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Finding, Severity, Status
from auditor.core.protocol import Check
from auditor.runtime.errors import AuditorError

CHECK_CRASHED = CodeInfo(
    code="AUD001",
    symbol="check-crashed",
    severity=Severity.BLOCKER,
    summary="A check stopped with an error, so part of the audit is missing.",
    why="A readiness verdict that silently skipped a check would vouch for data nobody looked at.",
    fix="Read the error text; if it comes from the data, fix the records it names, otherwise report it "
    "as a bug with the command line that produced it.",
)
ENGINE_CODES: tuple[CodeInfo, ...] = (CHECK_CRASHED,)


def run_checks(ctx: Context, checks: Sequence[Check]) -> tuple[dict[str, CheckResult], dict[str, float]]:
    """Results by check name, in order, and the seconds each check took."""
    results: dict[str, CheckResult] = {}
    timing: dict[str, float] = {}
    for check in checks:
        started = time.perf_counter()
        with ctx.progress.stage(check.name):
            result = _guarded(check, ctx)
        timing[check.name] = round(time.perf_counter() - started, 4)
        results[check.name] = apply_policy(result, ctx)
    return results, timing


def _guarded(check: Check, ctx: Context) -> CheckResult:
    try:
        return check.run(ctx)
    except AuditorError:
        raise  # bad configuration or side input: the user must fix it (exit 2), not read it as a finding
    except Exception as exc:  # the guard exists to catch whatever a check raises
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})" if frame else ""
        text = f"{type(exc).__name__}: {exc}"
        finding = CHECK_CRASHED.finding(
            f"the {check.name} check failed: {text}{where}",
            "fix the cause and run the audit again; until then this check's part of the verdict is missing",
            details={"check": check.name, "error": text},
        )
        return CheckResult(name=check.name, findings=(finding,), status=Status.ERROR, note=text)


def _matches(code: str, patterns: Sequence[str]) -> bool:
    return any(code.startswith(p) for p in patterns)


def apply_policy(result: CheckResult, ctx: Context) -> CheckResult:
    """Severity overrides and select/ignore from the config."""
    select = list(ctx.config["select"])
    ignore = list(ctx.config["ignore"])
    overrides = dict(ctx.config["severity"])
    kept: list[Finding] = []
    for f in result.findings:
        if f.code != CHECK_CRASHED.code and ((select and not _matches(f.code, select)) or _matches(f.code, ignore)):
            continue
        if f.code in overrides:
            f = replace(f, severity=Severity(overrides[f.code]))
        kept.append(f)
    if tuple(kept) == result.findings:
        return result
    keep_status = result.status in (Status.SKIPPED, Status.ERROR)
    return CheckResult(
        name=result.name,
        metrics=result.metrics,
        findings=tuple(kept),
        status=result.status if keep_status else None,
        note=result.note,
    )
