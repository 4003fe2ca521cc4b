"""What the engine runs: the Check protocol.

A check is any object with a stable ``name``, its ``codes`` and a pure
``run(context)``; built-ins are named in ``auditor.core.registry``, plugins
come from the ``auditor.checks`` entry-point group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from auditor.core.findings import CheckResult, CodeInfo

if TYPE_CHECKING:
    from auditor.core.config import Config
    from auditor.core.context import Context


@runtime_checkable
class Check(Protocol):
    """A check family: a stable name, its codes, and a pure ``run``.

    ``run`` must be deterministic for a fixed ``context.seed``; it may raise,
    in which case the pipeline turns the exception into a finding and goes on.
    """

    name: str
    codes: tuple[CodeInfo, ...]

    def run(self, context: Context) -> CheckResult: ...


@runtime_checkable
class ReportsNotRun(Protocol):
    """A check that says what it means when an engine cannot run it.

    The partitioned engines hold no text and run only the checks that
    implement ``auditor.core.partitioned.PartitionedCheck``; any other check
    is reported as skipped with ``reason``, unless it implements this: a
    readiness criterion that was not measured may have to weigh in the
    verdict (agreement does, exactly as missing annotations do).
    """

    def not_run(self, context: Context, reason: str) -> CheckResult: ...


@runtime_checkable
class ValidatesConfig(Protocol):
    """A check that checks its own options when the config is read, before any data is.

    ``validate_config`` raises ``ConfigError`` naming the option (e.g. a
    malformed rule in ``expectations.rules``); the registry calls it for the
    built-ins whose options the config changes (``auditor.core.registry.checked``).
    """

    def validate_config(self, config: Config) -> None: ...
