"""Which record layout a source uses, decided from a sample of its rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.runtime.errors import InputError
from auditor.core.records import FieldMap


@dataclass(frozen=True)
class FieldOverrides:
    """Field names the user forced with --input-field and friends ('' = detect)."""

    input: str = ""
    output: str = ""
    category: str = ""
    id: str = ""

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> FieldOverrides:
        return cls(**{k: str(section.get(k) or "") for k in ("input", "output", "category", "id")})


# Layouts in the order they are tried: the first whose required fields appear in
# most sampled rows wins. Chat layouts come first because chat rows often carry
# other fields too.
@dataclass(frozen=True)
class Layout:
    name: str
    required: tuple[str, ...]
    input: tuple[str, ...]
    output: str | None
    messages: str | None = None


LAYOUTS: tuple[Layout, ...] = (
    Layout("chat", ("messages",), (), None, messages="messages"),
    Layout("sharegpt", ("conversations",), (), None, messages="conversations"),
    Layout("alpaca", ("instruction", "output"), ("instruction", "input"), "output"),
    # GPTeacher and others ship alpaca with "response" for the output.
    Layout("alpaca", ("instruction", "response"), ("instruction", "input"), "response"),
    Layout("prompt-completion", ("prompt", "completion"), ("prompt",), "completion"),
    Layout("input-output", ("input", "output"), ("input",), "output"),
    Layout("question-answer", ("question", "answer"), ("question",), "answer"),
    Layout("text-label", ("text", "label"), ("text",), "label"),
)

CATEGORY_NAMES = ("category", "intent", "topic", "domain", "class", "task_category")
ID_NAMES = ("id", "_id", "uid", "uuid", "example_id", "record_id", "idx")
ANNOTATION_NAMES = ("annotations", "labels")


def detect(rows: Sequence[Mapping[str, Any]], overrides: FieldOverrides, source: str) -> tuple[str, FieldMap]:
    """Layout name and field map for these sample rows.

    A field counts as present when at least half the sampled rows carry it, so
    one odd row neither decides nor blocks the layout.
    """
    freq: Counter[str] = Counter(k for row in rows for k in row)
    half = max(1, (len(rows) + 1) // 2)
    present = {k for k, n in freq.items() if n >= half}

    layout = next((lay for lay in LAYOUTS if all(f in present for f in lay.required)), None)
    for flag, name in (("--input-field", overrides.input), ("--output-field", overrides.output)):
        if name and name not in freq:
            raise InputError(f"{source}: {flag} {name!r} not found; fields found: {_names(freq)}")
    if overrides.input or overrides.output:
        inp = (overrides.input,) if overrides.input else (layout.input if layout and not layout.messages else ())
        out = overrides.output or (layout.output if layout else None)
        if not inp or not out:
            missing = "--input-field" if not inp else "--output-field"
            raise InputError(f"{source}: {missing} is needed too; fields found: {_names(freq)}")
        name = "custom"
        fmap = FieldMap(input=tuple(inp), output=out)
    elif layout is None:
        raise InputError(
            f"{source}: cannot tell which fields hold the input and the output; fields found: {_names(freq)}; "
            "use --input-field NAME --output-field NAME"
        )
    else:
        name = layout.name
        fmap = FieldMap(input=layout.input, output=layout.output, messages=layout.messages)

    used = {*fmap.input, fmap.output, fmap.messages}
    category = overrides.category or next((c for c in CATEGORY_NAMES if c in present and c not in used), None)
    if overrides.category and overrides.category not in freq:
        raise InputError(f"{source}: --category-field {overrides.category!r} not found; fields found: {_names(freq)}")
    id_field = overrides.id or next((c for c in ID_NAMES if c in present and c not in used), None)
    if overrides.id and overrides.id not in freq:
        raise InputError(f"{source}: --id-field {overrides.id!r} not found; fields found: {_names(freq)}")
    annotations = next((c for c in ANNOTATION_NAMES if c in present and c not in used | {category}), None)
    return name, FieldMap(
        input=fmap.input,
        output=fmap.output,
        category=category,
        id=id_field,
        messages=fmap.messages,
        annotations=annotations,
    )


def _names(freq: Counter[str]) -> str:
    if not freq:
        return "none"
    names = [_show(k) for k, _ in freq.most_common(12)]
    return ", ".join(names) + (", ..." if len(freq) > 12 else "")


def _show(name: str) -> str:
    """A field name fit for a one-line message: odd characters escaped, long names cut."""
    text = name if name.isprintable() else repr(name)[1:-1]
    return text if len(text) <= 40 else text[:39] + "…"
