"""Small builders for tests: a Dataset and a Context without going through files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor.core.config import resolve
from auditor.core.context import Context
from auditor.core.records import Dataset, FieldMap, LoadProblem


def make_dataset(
    pairs: Sequence[tuple[str, str]],
    *,
    categories: Sequence[str | None] | None = None,
    annotations: Sequence[Any] | None = None,
    messages: Sequence[list[dict[str, str]]] | None = None,
    ids: Sequence[str | int] | None = None,
    problems: Sequence[LoadProblem] = (),
) -> Dataset:
    n = len(pairs)
    return Dataset(
        format="test/input-output",
        fields=FieldMap(input=("input",), output="output", category="category" if categories is not None else None),
        ids=list(ids) if ids is not None else list(range(1, n + 1)),
        lines=list(range(1, n + 1)),
        inputs=[p[0] for p in pairs],
        outputs=[p[1] for p in pairs],
        categories=list(categories) if categories is not None else None,
        messages=list(messages) if messages is not None else None,
        annotations=list(annotations) if annotations is not None else None,
        problems=list(problems),
    )


def make_context(dataset: Dataset, others: Mapping[str, Dataset] | None = None, **config: Any) -> Context:
    """A context with defaults plus ``config`` (dotted keys may be given with '__': count__min_per_category)."""
    overrides = {k.replace("__", "."): v for k, v in config.items()}
    return Context(dataset=dataset, config=resolve(overrides=overrides, search=False), others=dict(others or {}))
