"""The layering rules of ARCHITECTURE.md, enforced.

The import-linter contracts live in pyproject.toml (``lint-imports`` runs
them by hand); here they run with the suite, beside two rules a contract
cannot state: no module takes part in an import circle, and only the
registry names a built-in check (by string, so the engine imports none).
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp
import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold(capsys: pytest.CaptureFixture[str]) -> None:
    from importlinter import configuration
    from importlinter.application.use_cases import lint_imports

    configuration.configure()  # what the lint-imports command does first: the readers and the graph builder
    passed = lint_imports(config_filename=str(REPO / "pyproject.toml"), cache_dir=None, no_logo=True)
    assert passed, "an import-linter contract is broken:\n" + capsys.readouterr().out


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The import circles among the graph's modules: strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        # Tarjan's algorithm, iteratively: (module, its imports not yet visited).
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, pending = work[-1]
            child = next(pending, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_planted_circle() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in (("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w")):
        graph.add_import(importer=importer, imported=imported)
    assert cycles(graph) == [["a.x", "a.y", "a.z"]]


def test_no_import_circle() -> None:
    # Every import counts: inside functions and under TYPE_CHECKING too.
    graph = grimp.build_graph("auditor", "checks", cache_dir=None)
    assert cycles(graph) == []


def _check_names(path: Path) -> list[str]:
    """String constants in a module that name a module of the checks package."""
    return [
        node.value
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(("checks.", "checks:"))
    ]


def test_only_the_registry_names_built_in_checks() -> None:
    naming = {str(p.relative_to(REPO)): names for p in sorted((REPO / "auditor").rglob("*.py")) if (names := _check_names(p))}
    assert list(naming) == ["auditor/core/registry.py"], naming
    from auditor.core.registry import BUILTINS, SAMPLER

    assert set(naming["auditor/core/registry.py"]) == {*BUILTINS, SAMPLER}  # the checks, and the sampler that judges with them


def test_checks_base_re_exports_the_engine_vocabulary() -> None:
    """Plugins written against ``checks.base`` get the very objects the engine uses."""
    import checks.base as base
    from auditor.core import findings, protocol

    for name in base.__all__:
        assert getattr(base, name) is getattr(findings, name, None) or getattr(base, name) is getattr(protocol, name), name
    assert base.Check is protocol.Check
