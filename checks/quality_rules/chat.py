"""Chat structure: what is wrong with one conversation's turns.

Roles are normalised first (ShareGPT's human/gpt and function_call/observation,
Open Assistant's prompter, function/ipython tool turns, developer as system) so that only roles no format
uses are called unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ROLE_ALIASES: Mapping[str, str] = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "human": "user",
    "prompter": "user",
    "assistant": "assistant",
    "gpt": "assistant",
    "bot": "assistant",
    "model": "assistant",
    "chatgpt": "assistant",
    "ai": "assistant",
    "tool": "tool",
    "function": "tool",
    "ipython": "tool",
    "observation": "tool",
    "function_call": "assistant",  # ShareGPT tool use: the model calling a tool
}

#: Problem kinds, in report order, with the words the report uses.
PROBLEMS: Mapping[str, str] = {
    "no_turns": "have no turns at all",
    "unknown_role": "have a turn with a role no chat format uses",
    "empty_turn": "have an empty turn",
    "system_not_first": "have a system turn after the first turn",
    "consecutive_user": "have two user turns in a row",
    "no_final_assistant": "do not end on an assistant turn (nothing to learn from)",
}


def normalise_role(role: Any) -> str | None:
    """system / user / assistant / tool, or None for a role no format uses."""
    return ROLE_ALIASES.get(str(role).strip().lower()) if role is not None else None


def _content_text(content: Any) -> str:
    # OpenAI's multi-part content: a list of {"type": "text", "text": ...} parts.
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) if isinstance(p, Mapping) else str(p) for p in content)
    return "" if content is None else str(content)


def chat_problems(turns: Any, allow_consecutive_user: bool = False) -> list[str]:
    """The problem kinds of one conversation (empty list: well formed)."""
    if not isinstance(turns, list) or not turns:
        return ["no_turns"]
    problems: list[str] = []
    roles: list[str | None] = []
    for turn in turns:
        if not isinstance(turn, Mapping):
            roles.append(None)
            continue
        role = normalise_role(turn.get("role", turn.get("from")))
        roles.append(role)
        text = _content_text(turn.get("content", turn.get("value")))
        # An assistant turn that only calls a tool has no text, and that is fine.
        if not text.strip() and not (role == "assistant" and turn.get("tool_calls")):
            if "empty_turn" not in problems:
                problems.append("empty_turn")
    if None in roles:
        problems.append("unknown_role")
    if "system" in roles[1:]:
        problems.append("system_not_first")
    if not allow_consecutive_user and any(a == b == "user" for a, b in zip(roles, roles[1:])):
        problems.append("consecutive_user")
    if roles[-1] != "assistant":
        problems.append("no_final_assistant")
    return [p for p in PROBLEMS if p in problems]
