"""The task-fidelity rules, in the order they run and report: one module per rule.

Adding a rule: a module beside this one with ``CODE``, ``KINDS``, ``ACTION``
and ``find`` (see ``checks.fidelity.base``), one line here, its cases in
``tests/test_fidelity.py`` and a ``CODE_SAMPLES`` row there.
"""

from __future__ import annotations

from types import ModuleType

from checks.fidelity import constraints, parsing

RULES: tuple[ModuleType, ...] = (
    parsing,
    constraints,
)
