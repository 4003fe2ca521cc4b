"""A chat written out in one text field with role markers, read back into turns.

Sets published for supervised fine-tuning libraries often hold one ``text``
field with the conversation already rendered in a prompt template:
openassistant-guanaco's ``### Human: ...### Assistant: ...``, Anthropic's
``Human:`` / ``Assistant:`` lines, ``User:`` / ``Assistant:`` lines, the
``<|user|>`` / ``<|assistant|>`` tokens of Zephyr-style templates, ChatML's
``<|im_start|>user``, Llama 2's ``<s>[INST] ... [/INST] ... </s>``. Such a text is a chat: the input is what comes before
the final assistant turn, the output that turn.

Precision first: a text reads as a chat of a template only when it starts
with a user (or system) marker, the roles then alternate user / assistant,
and it ends with an assistant turn that says something. Detection
(``auditor.load.detect``) adopts a template only when most sampled rows read
that way under it and under no other, so prose that merely quotes a
"User:" line is never split into turns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    """One way of writing a chat as text: the pattern of a role marker, and what it says to use."""

    name: str  # the layout's name
    marker: re.Pattern[str]  # group 1 is the role as written
    shown: str  # the markers as a message names them
    roles: dict[str, str]  # role as written (lower-cased) -> system / user / assistant
    ends: tuple[str, ...] = ()  # end-of-turn (and start-of-sequence) tokens left out of a turn's content


_USER_ASSISTANT = {"system": "system", "user": "user", "human": "user", "assistant": "assistant"}

# No text reads as a chat in two of them: the line-start markers need the role word first on its
# line, which "### Human:" and "<|user|>" are not. Detection refuses should two templates ever fit.
TEMPLATES: tuple[Template, ...] = (
    Template("guanaco", re.compile(r"###\s*(Human|Assistant|System):"), "'### Human:' / '### Assistant:'", _USER_ASSISTANT),
    Template("chatml", re.compile(r"<\|im_start\|>\s*(system|user|assistant)\b"), "'<|im_start|>user' / '<|im_start|>assistant'", _USER_ASSISTANT, ("<|im_end|>",)),
    Template("zephyr", re.compile(r"<\|(system|user|assistant)\|>"), "'<|user|>' / '<|assistant|>'", _USER_ASSISTANT, ("</s>",)),
    # Llama 2's chat template (guanaco-llama2 and the tutorials built on it): "<s>[INST] ... [/INST] reply </s>",
    # the system prompt inside the first [INST] between <<SYS>> and <</SYS>>.
    Template("llama2", re.compile(r"\[(/?INST)\]"), "'[INST]' / '[/INST]'", {"inst": "user", "/inst": "assistant"}, ("</s>", "<s>")),
    # Line-start markers only: "Human:" inside a sentence is prose, not a turn.
    Template("human-assistant", re.compile(r"(?:^|\n)[ \t]*(Human|Assistant):", re.IGNORECASE), "'Human:' / 'Assistant:' lines", _USER_ASSISTANT),
    Template("user-assistant", re.compile(r"(?:^|\n)[ \t]*(System|User|Assistant):", re.IGNORECASE), "'User:' / 'Assistant:' lines", _USER_ASSISTANT),
)
BY_NAME = {t.name: t for t in TEMPLATES}

# What may stand before the first marker: whitespace and a beginning-of-sequence token.
_LEAD = re.compile(r"\s*(?:<s>|<\|begin_of_text\|>|<\|endoftext\|>)?\s*")


class NotAChat(ValueError):
    """The text does not read as a chat of the template; the message says why."""


def read(text: str, template: Template) -> list[dict[str, str]]:
    """The turns of ``text`` written in ``template``, or NotAChat with the reason."""
    marks = list(template.marker.finditer(text))
    if not marks:
        raise NotAChat(f"no {template.shown} marker")
    lead = _LEAD.match(text)
    if lead is None or text[lead.end() : marks[0].start()].strip():
        raise NotAChat(f"text before the first {template.shown} marker")
    turns = []
    for k, m in enumerate(marks):
        stop = marks[k + 1].start() if k + 1 < len(marks) else len(text)
        content = text[m.end() : stop]
        for token in template.ends:
            content = content.replace(token, "")
        turns.append({"role": template.roles[m.group(1).lower()], "content": content.strip()})
    if template.name == "llama2":
        turns = _llama2_system(turns)
    expected = "user"
    for n, turn in enumerate(turns, 1):
        if turn["role"] == "system" and n == 1:
            continue
        if turn["role"] != expected:
            raise NotAChat(f"turn {n} is {turn['role']}, expected {expected}: the {template.shown} markers do not alternate")
        expected = "assistant" if expected == "user" else "user"
    if turns[-1]["role"] != "assistant" or not turns[-1]["content"]:
        raise NotAChat("it does not end with an assistant turn that says something")
    return turns


_SYS = re.compile(r"\s*<<SYS>>(.*?)<</SYS>>", re.DOTALL)


def _llama2_system(turns: list[dict[str, str]]) -> list[dict[str, str]]:
    """Llama 2 writes the system prompt inside the first user turn: make it a turn of its own."""
    found = _SYS.match(turns[0]["content"]) if turns and turns[0]["role"] == "user" else None
    if found is None:
        return turns
    first = {"role": "user", "content": turns[0]["content"][found.end() :].strip()}
    return [{"role": "system", "content": found.group(1).strip()}, first, *turns[1:]]


def reads_as(text: object, template: Template) -> bool:
    if not isinstance(text, str):
        return False
    try:
        read(text, template)
    except NotAChat:
        return False
    return True


def template_of(texts: list[object]) -> Template | None:
    """The one template most of ``texts`` read as a chat in, or None (none does, or two do)."""
    half = max(1, (len(texts) + 1) // 2)
    fits = [t for t in TEMPLATES if sum(reads_as(x, t) for x in texts) >= half]
    return fits[0] if len(fits) == 1 else None


def hint() -> str:
    """What a refusal says about single-text chats."""
    shown = ", ".join(t.shown for t in TEMPLATES)
    return (
        "a single text field is read as a chat only when most rows start with a user turn and alternate user and "
        f"assistant turns marked {shown}; otherwise write the prompt and the reply to two fields "
        "(e.g. prompt and completion) or a messages list"
    )
