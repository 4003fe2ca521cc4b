"""The task-fidelity rules, in the order they run and report: one module per rule.

Adding a rule: a module beside this one with ``CODE``, ``KINDS``, ``ACTION``
and ``find`` (see ``checks.fidelity.base``), one line here, its cases in
``tests/test_fidelity.py`` and a ``CODE_SAMPLES`` row there.
"""

from __future__ import annotations

from types import ModuleType

# One import and one RULES line per rule, so branches adding rules merge trivially.
from checks.fidelity import parsing
from checks.fidelity import constraints
from checks.fidelity import arithmetic
from checks.fidelity import final_answer
from checks.fidelity import statistics
from checks.fidelity import context
from checks.fidelity import actions
from checks.fidelity import placeholder
from checks.fidelity import merged

RULES: tuple[ModuleType, ...] = (
    parsing,
    constraints,
    arithmetic,
    final_answer,
    statistics,
    context,
    actions,
    placeholder,
    merged,
)
