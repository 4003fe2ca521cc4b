"""Turn one source row into the normalised record fields, or say why it cannot be."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from auditor.load import transcripts
from auditor.load.jsonvalues import BigNumber
from auditor.core.records import FieldMap

# ShareGPT and other chat exports name roles differently; map them to the
# OpenAI names so every later check sees one vocabulary.
ROLE_ALIASES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bard": "assistant",
    "bing": "assistant",
    "model": "assistant",
    "bot": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "tool",
    "ipython": "tool",
    # ShareGPT tool use (LLaMA-Factory's format): the model's call of a tool is
    # an assistant turn, what the tool returned a tool turn.
    "function_call": "assistant",
    "observation": "tool",
}


class RecordError(ValueError):
    """This row cannot become an input-output pair; the message is the reason."""


def is_missing(value: Any) -> bool:
    # pandas and Parquet give NaN or None for an empty cell.
    return value is None or (isinstance(value, float) and math.isnan(value))


def text_field(row: Mapping[str, Any], name: str, *, optional: bool = False, labels: bool = False) -> str:
    if name not in row:
        if optional:
            return ""
        raise RecordError(f"missing field: {name!r}")
    value = row[name]
    if is_missing(value):
        if optional:
            return ""
        raise RecordError(f"missing field: {name!r} is null")
    if isinstance(value, BigNumber):  # a number too large for a float, kept as written
        if labels:
            return str(value)
        raise RecordError(f"wrong type: field {name!r} is a number, expected text")
    if isinstance(value, str):
        return value
    if labels and isinstance(value, bool):
        return "true" if value else "false"
    if labels and isinstance(value, int | float):
        # A class label may be numeric (0/1, star ratings); 1.0 and 1 are one label.
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    raise RecordError(f"wrong type: field {name!r} is {_type_name(value)}, expected text")


# A reference passage the instruction is about (Dolly's "context": "Summarize the passage above") is
# part of the input, after the instruction. Retrieval-augmented sets write the passages retrieved for
# the question as a list: joined a blank line apart, as the input's fields are.
PASSAGE_NAMES = ("context", "passage")


def passages_field(row: Mapping[str, Any], name: str) -> str:
    """An optional passage field: its text, or its list of passages joined (blank ones left out)."""
    value = row.get(name)
    if not isinstance(value, list):
        return text_field(row, name, optional=True)
    for n, passage in enumerate(value, 1):
        if type(passage) is not str and (not isinstance(passage, str) or isinstance(passage, BigNumber)):
            raise RecordError(f"wrong type: passage {n} of field {name!r} is {_type_name(passage)}, expected text")
    return "\n\n".join(p for p in value if p.strip())


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", int: "a number", float: "a number", BigNumber: "a number"}.get(
        type(value), type(value).__name__
    )


def scalar_id(value: Any) -> str | int | None:
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str | float):
        return str(value)
    return None  # an object as id is unusable; the line number stands in


def category_of(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    if is_missing(value) or value == "":
        return None
    if isinstance(value, str | int | float | bool):
        return str(value)
    raise RecordError(f"wrong type: field {name!r} is {_type_name(value)}, expected a category name")


def chat_turns(row: Mapping[str, Any], name: str) -> list[dict[str, str]]:
    """The turns as [{"role", "content"}], roles mapped to system/user/assistant/tool.

    Unknown roles are kept as given (lower-cased) so the quality check can flag
    them; only a structure that cannot be read at all is an error here.
    """
    turns = row.get(name)
    if is_missing(turns):
        raise RecordError(f"missing field: {name!r}")
    if not isinstance(turns, list):
        raise RecordError(f"wrong type: field {name!r} is {_type_name(turns)}, expected a list of turns")
    out: list[dict[str, str]] = []
    for n, turn in enumerate(turns, 1):
        if not isinstance(turn, Mapping):
            raise RecordError(f"wrong type: turn {n} of {name!r} is {_type_name(turn)}, expected an object")
        role = turn.get("role", turn.get("from"))
        content = turn.get("content", turn.get("value"))
        if type(role) is not str and (not isinstance(role, str) or isinstance(role, BigNumber)):
            raise RecordError(f"turn {n} of {name!r} has no role")
        out.append({"role": ROLE_ALIASES.get(role.strip().lower(), role.strip().lower()), "content": _content(content, n, name)})
    return out


def _content(content: Any, n: int, name: str) -> str:
    if type(content) is str:  # the common case first: one type check per turn
        return content
    if is_missing(content):
        return ""
    if isinstance(content, str) and not isinstance(content, BigNumber):
        return content
    if isinstance(content, list):
        # OpenAI content parts: keep the text parts, in order.
        parts = [p.get("text", "") for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str)]
        return "\n".join(parts)
    raise RecordError(f"wrong type: content of turn {n} of {name!r} is {_type_name(content)}, expected text")


def render_turns(turns: list[dict[str, str]]) -> str:
    return "\n".join(f"{t['role']}: {t['content']}" for t in turns)


def split_chat(turns: list[dict[str, str]]) -> tuple[str, str]:
    """Input = every turn before the final assistant turn; output = that turn."""
    for i in range(len(turns) - 1, -1, -1):
        if turns[i]["role"] == "assistant":
            return render_turns(turns[:i]), turns[i]["content"]
    raise RecordError("no assistant turn: nothing for the model to learn as output")


def map_row(row: Any, fmap: FieldMap, layout: str) -> tuple[str, str, list[dict[str, str]] | None]:
    """(input, output, turns or None) for one row."""
    if not isinstance(row, Mapping):
        raise RecordError(f"wrong type: record is {_type_name(row)}, expected an object")
    if fmap.messages:
        turns = history_turns(row, fmap) if layout == "alpaca-history" else turns_of(row, fmap.messages, layout)
        if fmap.input and fmap.input[0] in fmap.optional:  # a system prompt beside the turns: what the model sees first
            system = text_field(row, fmap.input[0], optional=True)
            if system.strip() and not (turns and turns[0]["role"] == "system"):
                turns = [{"role": "system", "content": system}, *turns]
        inp, out = split_chat(turns)
        return inp, out, turns
    assert fmap.output is not None
    if layout == "self-instruct":
        return (*instance_pair(row, fmap.input[0], fmap.output), None)
    inp = join_inputs([passages_field(row, f) if f in PASSAGE_NAMES and f in fmap.optional else text_field(row, f, optional=f in fmap.optional) for f in fmap.input], fmap)
    out = text_field(row, fmap.output, labels=layout in ("text-label", "custom"))
    return inp, out, None


def system_end(row: Any, fmap: FieldMap, inp: str, turns: list[dict[str, str]] | None) -> int:
    """Where ``inp``'s system prompt ends (0: none): after a chat's leading system turn and its
    line break, or after a flat layout's system field and its blank line (``join_inputs``)."""
    if turns is not None:
        if turns and turns[0]["role"] == "system" and inp.startswith("system: "):
            return min(len("system: \n") + len(turns[0]["content"]), len(inp))
        return 0
    if system_field(fmap) and isinstance(row, Mapping):
        system = row.get(fmap.input[0])
        if isinstance(system, str) and system.strip():
            return min(len(system) + 2, len(inp))
    return 0


def system_field(fmap: FieldMap) -> bool:
    """Whether a flat layout's first input field is a system prompt (the only optional field put first)."""
    return not fmap.messages and len(fmap.input) > 1 and fmap.input[0] in fmap.optional


def join_inputs(parts: list[str], fmap: FieldMap) -> str:
    """The input fields' texts as one input, a blank line apart; an optional field only when it holds text."""
    if not fmap.optional:
        return "\n\n".join(parts)
    return "\n\n".join(p for p, f in zip(parts, fmap.input) if f not in fmap.optional or p.strip())


def turns_of(row: Mapping[str, Any], name: str, layout: str) -> list[dict[str, str]]:
    """A chat row's turns, however its layout writes them."""
    if layout in ("lima", "chat-strings"):  # detect.STRING_TURNS
        return string_turns(row, name)
    template = transcripts.BY_NAME.get(layout)
    if template is not None:
        try:
            return transcripts.read(text_field(row, name), template)
        except transcripts.NotAChat as exc:
            raise RecordError(f"field {name!r} does not read as a chat: {exc}") from None
    return chat_turns(row, name)


def history_turns(row: Mapping[str, Any], fmap: FieldMap) -> list[dict[str, str]]:
    """LLaMA-Factory's alpaca row with its history: the earlier [instruction, response] pairs, then this one.

    A leading optional input field is the system prompt: ``map_row`` puts it first."""
    assert fmap.messages is not None and fmap.output is not None
    fields = fmap.input[1:] if fmap.input and fmap.input[0] in fmap.optional else fmap.input
    history = row.get(fmap.messages)
    if is_missing(history):
        history = []
    if not isinstance(history, list) or not all(isinstance(p, list) and len(p) == 2 for p in history):
        raise RecordError(f"wrong type: field {fmap.messages!r} is {_type_name(history)}, expected a list of [instruction, response] pairs")
    turns = []
    for n, pair in enumerate(history, 1):
        for role, text in zip(("user", "assistant"), pair):
            if type(text) is not str:
                raise RecordError(f"wrong type: pair {n} of {fmap.messages!r} holds {_type_name(text)}, expected text")
            turns.append({"role": role, "content": text})
    request = join_inputs([text_field(row, f, optional=f in fmap.optional) for f in fields], replace(fmap, input=fields))
    return [*turns, {"role": "user", "content": request}, {"role": "assistant", "content": text_field(row, fmap.output)}]


def string_turns(row: Mapping[str, Any], name: str) -> list[dict[str, str]]:
    """LIMA's turns: a list of plain texts, the user's first, then the assistant's, alternating.

    The roles are told by position only, so an odd count of more than one turn cannot be read
    safely: the last turn is unanswered, or a leading system prompt shifts every role (the
    user's text would be learnt as the answer). One turn is a prompt without its answer (LIMA's
    test split): ``split_chat`` says so."""
    turns = row.get(name)
    if is_missing(turns):
        raise RecordError(f"missing field: {name!r}")
    if not isinstance(turns, list):
        raise RecordError(f"wrong type: field {name!r} is {_type_name(turns)}, expected a list of turns")
    for n, turn in enumerate(turns, 1):
        if type(turn) is not str:
            raise RecordError(f"wrong type: turn {n} of {name!r} is {_type_name(turn)}, expected text like the other rows' turns")
    if len(turns) > 1 and len(turns) % 2:
        raise RecordError(
            f"{len(turns)} turns of plain text in {name!r}: their roles alternate user, assistant, so an odd count leaves the last "
            "unanswered or shifts every role (a leading system prompt?); write the turns as objects with role and content"
        )
    return [{"role": "user" if n % 2 == 0 else "assistant", "content": t} for n, t in enumerate(turns)]


def instance_pair(row: Mapping[str, Any], instruction_field: str, instances_field: str) -> tuple[str, str]:
    """A Self-Instruct task of one instance as (instruction and the instance's input, its output).

    A task of several instances is several examples in one row: taking one would drop the
    others silently, so it is refused with its reason (the user splits the instances into rows)."""
    instruction = text_field(row, instruction_field)
    instances = row.get(instances_field)
    if is_missing(instances) or instances == []:
        raise RecordError(f"missing field: {instances_field!r} holds no instance")
    if not isinstance(instances, list):
        raise RecordError(f"wrong type: field {instances_field!r} is {_type_name(instances)}, expected a list of {{input, output}}")
    if len(instances) > 1:
        raise RecordError(f"{len(instances)} instances in one task: write one row per instance (instruction, input, output)")
    instance = instances[0]
    if not isinstance(instance, Mapping):
        raise RecordError(f"wrong type: an instance is {_type_name(instance)}, expected an object with input and output")
    extra = text_field(instance, "input", optional=True)
    return (f"{instruction}\n\n{extra}" if extra.strip() else instruction), text_field(instance, "output")


BatchMapper = Callable[[list[Any]], tuple[list[str], list[str]] | None]

_STR = {str}
_STR_OR_NONE = ({str}, {str, type(None)}, {type(None)})


def batch_mapper(fmap: FieldMap, layout: str) -> BatchMapper:
    """A mapper for a batch of rows in the common case: dicts whose fields are all plain text.

    It returns (inputs, outputs) for the whole batch, or None when anything in
    it is unusual; the caller then maps that batch row by row with
    ``map_row``, which gives each odd row its precise reason. Loading a
    million records spends most of its time here, so the common case runs as
    a few list comprehensions and C-level type checks per batch, never a
    Python-level branch per field per row.
    """
    if fmap.messages or fmap.output is None:
        return lambda rows: None
    out_field = fmap.output
    if fmap.optional and layout != "self-instruct":
        fields = fmap.input

        def joined(rows: list[Any]) -> tuple[list[str], list[str]] | None:
            outs = [r.get(out_field) for r in rows]
            if set(map(type, outs)) != _STR:
                return None
            columns = []
            for f in fields:
                column = [r.get(f) for r in rows]
                if set(map(type, column)) not in (_STR_OR_NONE if f in fmap.optional else (_STR,)):
                    return None
                columns.append(column)
            if len(columns) == 2 and fields[0] not in fmap.optional:  # alpaca: the common case, inlined
                ins, extras = columns
                return [f"{i}\n\n{e}" if e and e.strip() else i for i, e in zip(ins, extras)], outs
            return [join_inputs([p or "" for p in parts], fmap) for parts in zip(*columns)], outs

        return _dicts_only(joined)
    if len(fmap.input) == 1:
        in_field = fmap.input[0]

        def single(rows: list[Any]) -> tuple[list[str], list[str]] | None:
            ins = [r.get(in_field) for r in rows]
            outs = [r.get(out_field) for r in rows]
            if set(map(type, ins)) != _STR or set(map(type, outs)) != _STR:
                return None
            return ins, outs

        return _dicts_only(single)
    return lambda rows: None


def _dicts_only(mapper: BatchMapper) -> BatchMapper:
    def guarded(rows: list[Any]) -> tuple[list[str], list[str]] | None:
        return mapper(rows) if set(map(type, rows)) == {dict} else None

    return guarded
