"""EXP: the team's own rules, as great_expectations expectations, run on the normalised records.

Expectations come from the config (``expectations.rules``: tables with a
``type`` and the expectation's parameters) and/or a suite JSON the team already
keeps (``expectations.suite``, or ``ctx.paths["expectations"]``). They run on a
pandas DataFrame with one row per record and the columns ``id``, ``input``,
``output``, ``category`` (when the records have one) and any extra fields the
loader kept.

great_expectations takes seconds to import, so it is imported only when there
is something to run. It runs in an ephemeral, in-memory context: analytics
off, no progress bars, no project folder or file written, nothing sent over
the network.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.core.config import Config
from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Finding, Severity
from auditor.runtime.errors import ConfigError

FAILED = CodeInfo(
    code="EXP001",
    symbol="expectation-failed",
    severity=Severity.BLOCKER,
    summary="A great_expectations expectation the team configured fails on the records.",
    why="These are the team's own definition of a valid record; data that breaks them is, by that definition, "
    "not ready.",
    fix="Fix or drop the listed records, or change the expectation if the rule itself is wrong. A rule may carry "
    "`mostly` to tolerate a share of exceptions, or its own `severity`.",
    threshold="as configured in each expectation",
)
ERRORED = CodeInfo(
    code="EXP002",
    symbol="expectation-error",
    severity=Severity.WARNING,
    summary="A configured expectation could not be evaluated (e.g. it names a column the records do not have).",
    why="A rule that cannot run checks nothing, so the data may break it unnoticed.",
    fix="Correct the expectation: the records have the columns id, input, output, and category when categories "
    "are present.",
)

#: Keys of a rule table that are not expectation parameters.
_RULE_KEYS = {"type", "expectation_type", "kwargs", "meta", "severity", "id", "notes", "description", "rendered_content"}


@dataclass(frozen=True)
class Rule:
    """One expectation: its type, its parameters, and where it came from."""

    type: str
    kwargs: Mapping[str, Any]
    origin: str
    severity: Severity | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def label(self) -> str:
        params = ", ".join(f"{k}={_short(v)}" for k, v in self.kwargs.items())
        return f"{self.type}({params})"


class ExpectationsCheck:
    """Runs the configured expectations with great_expectations and reports every failure."""

    name = "expectations"
    codes = (FAILED, ERRORED)

    def validate_config(self, config: Config) -> None:
        """A malformed ``expectations.rules`` entry stops the run before any data is read (``ValidatesConfig``)."""
        if config["expectations.rules"]:
            parse_rules(config["expectations.rules"])

    def run(self, ctx: Context) -> CheckResult:
        rules = configured_rules(ctx)
        if not rules:
            return CheckResult.skipped(
                self.name, "no expectations configured (expectations.rules or expectations.suite)", {"evaluated": 0, "failed": 0}
            )
        results = _validate(records_frame(ctx), rules)
        ids = ctx.dataset.ids
        findings: list[Finding] = []
        failed = errored = 0
        for rule, result in zip(rules, results):
            if result.error is not None:
                errored += 1
                findings.append(
                    ERRORED.finding(
                        f"{rule.label()} could not be evaluated: {result.error}",
                        "correct the expectation (columns: id, input, output, category)",
                        details={"expectation": rule.type, "kwargs": dict(rule.kwargs), "origin": rule.origin},
                    )
                )
            elif not result.success:
                failed += 1
                findings.append(_failure(rule, result, ids))
        metrics = {"evaluated": len(rules), "failed": failed, "errored": errored, "passed": len(rules) - failed - errored}
        return CheckResult(name=self.name, metrics=metrics, findings=tuple(findings))


def _failure(rule: Rule, result: _Outcome, ids: Sequence[Any]) -> Finding:
    failing = [ids[i] for i in result.unexpected_rows if 0 <= i < len(ids)]
    details: dict[str, Any] = {"expectation": rule.type, "kwargs": dict(rule.kwargs), "origin": rule.origin}
    if result.unexpected_count is not None:
        # great_expectations' share counts non-null values only; so does the message.
        judged = (result.element_count or 0) - (result.missing_count or 0)
        share = result.unexpected_count / judged if judged else 0.0
        details.update(
            unexpected_count=result.unexpected_count,
            element_count=result.element_count,
            missing_count=result.missing_count or 0,
            unexpected_share=round(share, 6),
        )
        nulls = f" ({result.missing_count:,} nulls not judged)" if result.missing_count else ""
        message = f"{rule.label()} failed: {result.unexpected_count:,} of {judged:,} values ({share:.1%}) are unexpected{nulls}"
        action = f"fix or drop the {len(failing):,} listed records, or change the expectation if the rule is wrong"
    else:
        observed = result.observed_value
        details["observed_value"] = observed if isinstance(observed, (int, float, str, bool)) else _short(observed, 200)
        message = f"{rule.label()} failed: observed {_short(result.observed_value, 200)}"
        action = "change the data to meet the expectation, or change the expectation if the rule is wrong"
    return FAILED.finding(message, action, failing, severity=rule.severity, details=details)


# -- configuration -----------------------------------------------------------------


def configured_rules(ctx: Context) -> list[Rule]:
    """Rules from ``expectations.rules``, then from the suite file (config or ``ctx.paths``)."""
    rules = parse_rules(ctx.config["expectations.rules"])
    suite = str(ctx.config["expectations.suite"]) or ctx.paths.get("expectations")
    if suite:
        rules += load_suite(Path(suite))
    return rules


def parse_rules(raw_rules: Sequence[Any]) -> list[Rule]:
    """The rules written in ``expectations.rules``; ConfigError naming the first bad one (also used
    when the config is read, so a bad rule stops the run before any data is loaded)."""
    return [_rule(raw, f"expectations.rules[{i}]") for i, raw in enumerate(raw_rules)]


def load_suite(path: Path) -> list[Rule]:
    """The expectations of a suite JSON (great_expectations 1.x, or the 0.x layout); ConfigError if it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"expectations.suite: cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"expectations.suite: {path} is not valid JSON ({exc})") from None
    expectations = data.get("expectations") if isinstance(data, dict) else None
    if not isinstance(expectations, list):
        raise ConfigError(f"expectations.suite: {path} is not an expectation suite (no 'expectations' list)")
    return [_rule(raw, f"{path.name}[{i}]") for i, raw in enumerate(expectations)]


def _rule(raw: Any, origin: str) -> Rule:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{origin}: an expectation must be a table with a 'type', got {raw!r}")
    kind = raw.get("type", raw.get("expectation_type"))
    if not isinstance(kind, str) or not kind.startswith("expect_"):
        raise ConfigError(f"{origin}: an expectation needs a 'type' such as 'expect_column_values_to_not_be_null'")
    kwargs = raw.get("kwargs")
    if kwargs is None:
        kwargs = {k: v for k, v in raw.items() if k not in _RULE_KEYS}
    if not isinstance(kwargs, Mapping):
        raise ConfigError(f"{origin}: 'kwargs' of {kind} must be a table")
    meta = raw.get("meta") or {}
    level = raw.get("severity", meta.get("severity") if isinstance(meta, Mapping) else None)
    try:
        severity = Severity(level) if level is not None else None
    except ValueError:
        raise ConfigError(f"{origin}: severity must be blocker, warning or info, got {level!r}") from None
    return Rule(kind, dict(kwargs), origin, severity, dict(meta) if isinstance(meta, Mapping) else {})


# -- running great_expectations ------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    success: bool
    error: str | None = None
    unexpected_rows: Sequence[int] = ()
    unexpected_count: int | None = None
    element_count: int | None = None
    missing_count: int | None = None
    observed_value: Any = None


def records_frame(ctx: Context) -> Any:
    """The normalised records as a DataFrame: id, input, output, category, extra fields."""
    import pandas as pd

    data = ctx.dataset
    columns: dict[str, Any] = {"id": data.ids, "input": data.inputs, "output": data.outputs}
    if data.categories is not None:
        columns["category"] = data.categories
    for name, values in (getattr(data, "extra", None) or {}).items():
        if name not in columns and len(values) == len(data):
            columns[name] = values
    return pd.DataFrame(columns)


def _validate(frame: Any, rules: Sequence[Rule]) -> list[_Outcome]:
    gx, context = _ephemeral_context()
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    suite = gx.ExpectationSuite(name="auditor")
    for rule in rules:
        try:
            suite.add_expectation_configuration(ExpectationConfiguration(type=rule.type, kwargs=dict(rule.kwargs)))
        except Exception as exc:  # great_expectations raises its own and pydantic types for a bad rule
            raise ConfigError(f"{rule.origin}: {rule.type} is not a valid expectation: {_first_line(exc)}") from None
    batch = (
        context.data_sources.add_pandas("auditor")
        .add_dataframe_asset("records")
        .add_batch_definition_whole_dataframe("all")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    # COMPLETE gives every failing row index (the DataFrame's RangeIndex = record position).
    validation = batch.validate(suite, result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False})
    return _in_rule_order(rules, validation.results)


def _in_rule_order(rules: Sequence[Rule], results: Sequence[Any]) -> list[_Outcome]:
    """Each rule's outcome, matched on type and parameters rather than trusting the result order."""
    pending = list(results)
    out = []
    for rule in rules:
        for k, result in enumerate(pending):
            config = result.expectation_config
            kwargs = {key: v for key, v in config.kwargs.items() if key != "batch_id"}
            if config.type == rule.type and all(kwargs.get(key) == v for key, v in rule.kwargs.items()):
                out.append(_outcome(pending.pop(k)))
                break
        else:
            out.append(_Outcome(False, error="great_expectations returned no result for it"))
    return out


def _outcome(result: Any) -> _Outcome:
    info = result.exception_info or {}
    raised = info.get("raised_exception") if "raised_exception" in info else None
    if raised is None:  # keyed by metric when several metrics were computed
        nested = [v for v in info.values() if isinstance(v, Mapping)]
        raised = any(v.get("raised_exception") for v in nested)
        message = next((v.get("exception_message") for v in nested if v.get("raised_exception")), None)
    else:
        message = info.get("exception_message")
    if raised:
        return _Outcome(False, error=_first_line(message or "unknown error"))
    res = result.result or {}
    # Without unexpected_index_column_names these are RangeIndex positions (ints).
    rows = [int(i) for i in res.get("unexpected_index_list") or [] if not isinstance(i, Mapping)]
    return _Outcome(
        bool(result.success),
        unexpected_rows=rows,
        unexpected_count=res.get("unexpected_count"),
        element_count=res.get("element_count"),
        missing_count=res.get("missing_count"),
        observed_value=res.get("observed_value"),
    )


def _ephemeral_context() -> tuple[Any, Any]:
    """great_expectations and an in-memory context with analytics and progress bars off."""
    # Read when great_expectations is imported and when a context starts: forced off here,
    # since an audit must never phone home.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx, gx.get_context(mode="ephemeral", project_config=config)


def _first_line(value: Any) -> str:
    """An error as one line (pydantic spreads one error over several)."""
    lines = [line.strip() for line in str(value).strip().splitlines() if line.strip()]
    text = "; ".join(lines) if lines else type(value).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
