"""A third-party check that implements the partitioned-check protocol runs in the stream engine.

The engine (``auditor.scale``) names no check: it runs whatever the registry
holds that implements ``auditor.core.partitioned.PartitionedCheck``. These
plugins are registered the way an installed one is (the registry's entry
points) and must give the same result in the stream engine, cut into several
partitions on two workers, as in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from auditor.api import audit
from auditor.core import registry
from auditor.core.context import Context
from auditor.core.findings import CheckResult, CodeInfo, Severity
from auditor.core.partitioned import PartitionedCheck, in_order
from auditor.features import HASHES, NEAR_DUPLICATES, REPEATED_INPUTS, exact_groups
from auditor.scale.partitions import cut

KB = 1 / 1024  # scale.partition_mb in kilobytes

SHOUTING = CodeInfo(
    code="PLG001",
    symbol="shouting-output",
    severity=Severity.WARNING,
    summary="Outputs written in capitals.",
    why="A model trained on shouting answers shouts.",
    fix="Rewrite the outputs in sentence case.",
)
COPIES = CodeInfo(
    code="PLG002",
    symbol="copied-records",
    severity=Severity.INFO,
    summary="Records that repeat another exactly (from the shared exact groups).",
    why="Stands for any plugin that judges from the engine's shared features.",
    fix="Drop the copies.",
)
WHOLE = CodeInfo(
    code="PLG003",
    symbol="needs-every-text",
    severity=Severity.INFO,
    summary="A plugin that does not implement the protocol.",
    why="It must be reported as not run by an engine that holds no text.",
    fix="Run it in memory.",
)


class Shouting:
    """Measures its own numbers per partition: the indices of outputs in capitals."""

    name = "shouting"
    codes = (SHOUTING,)
    features = ()

    def run(self, ctx: Context) -> CheckResult:
        return self.judge(ctx, self.merge([self.measure(ctx)], [0]))

    def measure(self, part: Context) -> list[int]:
        return [i for i, text in enumerate(part.dataset.outputs) if text.isupper()]

    def merge(self, parts: Sequence[list[int]], starts: Sequence[int]) -> list[int]:
        return [start + i for part, start in zip(parts, starts) for i in part]

    def judge(self, ctx: Context, merged: list[int]) -> CheckResult:
        ids = [ctx.dataset.ids[i] for i in merged]
        found = (SHOUTING.finding(f"{len(ids)} outputs are in capitals", "rewrite them", ids),) if ids else ()
        return CheckResult(name=self.name, metrics={"shouting_outputs": len(ids)}, findings=found)


class Copies:
    """Measures nothing itself; judges from the shared exact groups, which the engine computes partitioned."""

    name = "copies"
    codes = (COPIES,)
    features = (HASHES,)

    def run(self, ctx: Context) -> CheckResult:
        return self.judge(ctx, None)

    def measure(self, part: Context) -> None:
        return None

    def merge(self, parts: Sequence[None], starts: Sequence[int]) -> None:
        return None

    def judge(self, ctx: Context, merged: None) -> CheckResult:
        groups = ctx.cached(exact_groups).groups
        ids = [ctx.dataset.ids[i] for g in groups for i in g[1:]]
        found = (COPIES.finding(f"{len(ids)} copies", "drop them", ids),) if ids else ()
        return CheckResult(name=self.name, metrics={"copies": len(ids)}, findings=found)


class Failing(Shouting):
    """Raises in the measure of one partition (``where="measure"``) or in its merge."""

    codes = ()

    def __init__(self, where: str) -> None:
        self.where = where
        self.name = f"failing-{where}"

    def measure(self, part: Context) -> list[int]:
        if self.where == "measure" and "r200" in part.dataset.ids:
            raise ValueError("no such label in partition")
        return []

    def merge(self, parts: Sequence[list[int]], starts: Sequence[int]) -> list[int]:
        if self.where == "merge":
            raise KeyError("lost")
        return []


class WholeText:
    """Not partitioned: needs every text in memory."""

    name = "whole"
    codes = (WHOLE,)

    def run(self, ctx: Context) -> CheckResult:
        return CheckResult(name=self.name, metrics={"chars": sum(map(len, ctx.dataset.outputs))})


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    registry.all_checks.cache_clear()
    monkeypatch.setattr(registry, "_plugins", lambda: [Shouting(), Copies(), WholeText()])
    yield
    registry.all_checks.cache_clear()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.jsonl"
    records: list[dict[str, Any]] = []
    for i in range(400):
        output = f"ANSWER NUMBER {i} IN CAPITALS" if i % 37 == 0 else f"A calm answer, number {i}, about item {i * 7}."
        records.append({"id": f"r{i}", "input": f"question {i} about item {i * 7} and the weather", "output": output})
    records += [dict(records[i], id=f"copy{i}") for i in (3, 150, 399)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _checks(report: Any, *names: str) -> dict[str, Any]:
    return {n: {k: v for k, v in report.to_dict()["checks"][n].items() if k != "note"} for n in names}


def test_plugins_implementing_the_protocol_run_in_the_stream_engine(plugins: None, data: Path) -> None:
    assert isinstance(Shouting(), PartitionedCheck) and isinstance(Copies(), PartitionedCheck)
    assert not isinstance(WholeText(), PartitionedCheck)
    assert len(cut(data, int(4 * KB * (1 << 20)))) >= 10  # the ids below come from many partitions
    memory = audit(data, config={}, engine="memory")
    stream = audit(data, config={}, engine="stream", scale__partition_mb=4 * KB, jobs=2)
    assert stream.config["scale"]["engine"] == "stream"
    assert _checks(stream, "shouting", "copies") == _checks(memory, "shouting", "copies")
    shouting = stream.checks["shouting"]
    assert shouting.metrics["shouting_outputs"] == 11  # every 37th of 400, ids in file order across partitions
    assert list(shouting.findings[0].ids) == [f"r{i}" for i in range(0, 400, 37)]
    assert stream.checks["copies"].metrics["copies"] == 3
    # The built-in partitioned checks judge as before, beside the plugins.
    assert _checks(stream, "count", "duplicates", "quality") == _checks(memory, "count", "duplicates", "quality")


def test_a_plugin_without_the_protocol_is_reported_as_not_run(plugins: None, data: Path) -> None:
    stream = audit(data, config={}, engine="stream", scale__partition_mb=4 * KB, jobs=1)
    whole = stream.checks["whole"]
    assert whole.status.value == "skipped" and not whole.findings
    assert "--engine memory" in whole.note
    # Every partitioned check is named in the reason, plugins included.
    assert "(it runs count, duplicates, quality, fidelity, decision, shouting, copies)" in whole.note


def test_features_are_merged_after_what_they_require() -> None:
    order = in_order([NEAR_DUPLICATES, REPEATED_INPUTS, HASHES, NEAR_DUPLICATES])
    assert order == [HASHES, NEAR_DUPLICATES, REPEATED_INPUTS]


def test_a_plugin_that_raises_partitioned_fails_alone(monkeypatch: pytest.MonkeyPatch, data: Path) -> None:
    """As in memory: a check that raises becomes AUD001 for it, and every other check still runs."""
    registry.all_checks.cache_clear()
    monkeypatch.setattr(registry, "_plugins", lambda: [Failing("measure"), Failing("merge"), Shouting()])
    try:
        report = audit(data, config={}, engine="stream", scale__partition_mb=4 * KB, jobs=2)
    finally:
        registry.all_checks.cache_clear()
    for name, error in (("failing-measure", "ValueError: no such label in partition"), ("failing-merge", "KeyError: 'lost'")):
        result = report.checks[name]
        assert result.status.value == "error" and error in result.note
        assert [f.code for f in result.findings] == ["AUD001"]
    assert report.verdict == "NOT_READY"
    assert report.checks["shouting"].metrics["shouting_outputs"] == 11
    assert report.checks["count"].status.value != "error" and report.checks["quality"].status.value != "error"
