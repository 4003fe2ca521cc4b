"""The registry meta-test: every finding code is documented and has a sample that triggers it.

Each built-in check family keeps its samples beside its other tests: a
``CODE_SAMPLES`` table in ``tests/test_<check name>.py`` mapping each of its
codes to a tiny input (``tests.code_samples.Sample``) that makes
``auditor.api.audit`` report it. The codes come from the registry (each
check's ``codes``), so a code declared without a sample fails
``test_every_code_has_a_sample`` with the file and code to add, and nothing
else lists codes by hand. The engine's own code (AUD001) is sampled here.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from auditor.core import registry
from auditor.core.findings import CheckResult, CodeInfo
from auditor.core.pipeline import ENGINE_CODES
from auditor.core.registry import all_checks
from tests.code_samples import Sample, lines, numbered, triggered


class Crashing:
    """A check that raises, for AUD001."""

    name = "crashing"
    codes = ()

    def run(self, ctx: Any) -> CheckResult:
        raise RuntimeError("boom")


def _with_crashing_check(monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry.all_checks()
    monkeypatch.setattr(registry, "all_checks", lambda: (*real, Crashing()))


ENGINE_SAMPLES: dict[str, Sample] = {
    "AUD001": Sample(lines(numbered(3)), setup=_with_crashing_check),
}


def _builtin() -> list[Any]:
    """The project's own checks (an installed plugin keeps its samples in its own project)."""
    return [c for c in all_checks() if type(c).__module__.startswith("checks.")]


def _family_samples(check: Any) -> dict[str, Sample]:
    module = importlib.import_module(f"tests.test_{check.name}")
    return dict(getattr(module, "CODE_SAMPLES", {}))


def _registered() -> dict[str, CodeInfo]:
    codes: dict[str, CodeInfo] = {info.code: info for info in ENGINE_CODES}
    codes.update({info.code: info for check in _builtin() for info in check.codes})
    return codes


def _samples() -> dict[str, Sample]:
    out = dict(ENGINE_SAMPLES)
    for check in _builtin():
        out.update(_family_samples(check))
    return out


SAMPLES = _samples()


@pytest.mark.parametrize("check", _builtin(), ids=lambda c: c.name)
def test_every_code_has_a_sample(check: Any) -> None:
    samples = _family_samples(check)
    missing = [info.code for info in check.codes if info.code not in samples]
    assert not missing, f"codes without a triggering sample: {', '.join(missing)}; add a row for each to CODE_SAMPLES in tests/test_{check.name}.py"
    stale = sorted(set(samples) - {info.code for info in check.codes})
    assert not stale, f"CODE_SAMPLES rows in tests/test_{check.name}.py for codes the {check.name} check does not declare: {', '.join(stale)}"


def test_every_family_module_exists() -> None:
    for check in _builtin():
        assert (Path(__file__).parent / f"test_{check.name}.py").is_file(), f"the {check.name} check needs tests/test_{check.name}.py"


@pytest.mark.parametrize("code", sorted(_registered()))
def test_every_code_is_documented(code: str) -> None:
    info = _registered()[code]
    assert info.summary.strip() and info.why.strip() and info.fix.strip(), f"{code} needs a summary, a why and a fix"
    from auditor.report.explain import describe

    assert info.fix.split()[0] in describe(code)


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_sample_triggers_its_code(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found = triggered(SAMPLES[code], tmp_path, monkeypatch)
    assert code in found, f"the {code} sample did not trigger it; the run reported {sorted(found)}"
