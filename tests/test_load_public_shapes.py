"""Layout detection on tiny files in the shapes of well-known public fine-tuning sets.

Each row of ``SHAPES`` is one real shape (field names and value types as the
set's card publishes them, the texts made up): what the loader must detect
(its format, the field map) and the first record's input and output. A clean
twin sits beside a shape where a field may be blank (Dolly's open questions
have no passage, many OpenOrca rows no system prompt).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.load import load
from auditor.load.detect import FieldOverrides
from auditor.runtime.errors import InputError
from checks.duplicates import DuplicatesCheck
from tests.helpers import make_context
from tests.test_load_formats import _write_jsonl as _write

SYSTEM = "You are an AI assistant. Think step-by-step and justify your steps."

# (name, rows, format, field map {input, optional, output, messages, category, id}, first input, first output)
SHAPES: list[tuple[str, list[dict[str, Any]], str, dict[str, Any], str, str]] = [
    (
        "dolly-15k",  # databricks/databricks-dolly-15k: closed_qa, summarization and information_extraction rows hold a passage
        [
            {"instruction": "Summarize the passage above.", "context": "Virgin Australia began flying in 2000.", "response": "It began in 2000.", "category": "summarization"},
            {"instruction": "Name a fruit.", "context": "", "response": "Apple.", "category": "open_qa"},
        ],
        "alpaca",
        {"input": ("instruction", "input", "context"), "optional": ("input", "context"), "output": "response", "category": "category"},
        "Summarize the passage above.\n\nVirgin Australia began flying in 2000.",
        "It began in 2000.",
    ),
    (
        "dolly-15k-no-passage",  # the clean twin: an open question's blank context adds nothing
        [{"instruction": "Name a fruit.", "context": "", "response": "Apple.", "category": "open_qa"}] * 2,
        "alpaca",
        {"input": ("instruction", "input", "context"), "optional": ("input", "context"), "output": "response", "category": "category"},
        "Name a fruit.",
        "Apple.",
    ),
    (
        "alpaca-noinput",  # Alpaca / Self-Instruct's placeholder stays in the input: the fidelity rules read it
        [{"instruction": "Rewrite the sentence.", "input": "<noinput>", "output": "Done."}],
        "alpaca",
        {"input": ("instruction", "input"), "optional": ("input",), "output": "output"},
        "Rewrite the sentence.\n\n<noinput>",
        "Done.",
    ),
    (
        "alpaca-with-system",  # orca_minis-style alpaca with a system column
        [{"system": "You are a helpful assistant.", "instruction": "Do X.", "input": "ctx", "output": "done"}],
        "alpaca",
        {"input": ("system", "instruction", "input"), "optional": ("system", "input"), "output": "output"},
        "You are a helpful assistant.\n\nDo X.\n\nctx",
        "done",
    ),
    (
        "openorca",  # Open-Orca/OpenOrca: id, system_prompt, question, response
        [{"id": "niv.242684", "system_prompt": SYSTEM, "question": "Is 7 prime?", "response": "Yes."}],
        "question-response",
        {"input": ("system_prompt", "question"), "optional": ("system_prompt",), "output": "response", "id": "id"},
        f"{SYSTEM}\n\nIs 7 prime?",
        "Yes.",
    ),
    (
        "openorca-no-system-prompt",  # the clean twin: a blank system prompt adds nothing
        [{"id": "flan.1", "system_prompt": "", "question": "Is 7 prime?", "response": "Yes."}],
        "question-response",
        {"input": ("system_prompt", "question"), "optional": ("system_prompt",), "output": "response", "id": "id"},
        "Is 7 prime?",
        "Yes.",
    ),
    (
        "prompt-response",
        [{"prompt": "Write a haiku.", "response": "Autumn moonlight..."}],
        "prompt-response",
        {"input": ("prompt",), "output": "response"},
        "Write a haiku.",
        "Autumn moonlight...",
    ),
    (
        "metamathqa",  # meta-math/MetaMathQA: type, query, original_question, response
        [{"type": "GSM_Rephrased", "query": "What is 3 + 4?", "original_question": "Add 3 and 4.", "response": "3 + 4 = 7. The answer is: 7"}],
        "query-response",
        {"input": ("query",), "output": "response", "category": "type"},  # GSM_Rephrased, MATH_AnsAug, ...: its augmentation of which set
        "What is 3 + 4?",
        "3 + 4 = 7. The answer is: 7",
    ),
    (
        "flan",  # Muennighoff/flan, the FLAN collection's exports, xP3: inputs, targets (and the task)
        [{"inputs": "Premise: A man sleeps.\nHypothesis: He is awake.\nDoes the premise entail the hypothesis?", "targets": "no", "task": "rte"}],
        "inputs-targets",
        {"input": ("inputs",), "output": "targets"},
        "Premise: A man sleeps.\nHypothesis: He is awake.\nDoes the premise entail the hypothesis?",
        "no",
    ),
    (
        "flan-collection",  # the FLAN collection's exports (SirNeural/flan_v2), Super-NaturalInstructions: the task's name beside its source
        [{"inputs": "Is 7 prime? Options: yes, no", "targets": "yes", "task_source": "Flan2021", "task_name": "glue/rte:2.0.0", "template_type": "zs_opt"}],
        "inputs-targets",
        {"input": ("inputs",), "output": "targets", "category": "task_name"},
        "Is 7 prime? Options: yes, no",
        "yes",
    ),
    (
        "messages-as-strings",  # a chat's turns as plain strings, user first, alternating (as LIMA writes its conversations)
        [{"messages": ["How do I boil an egg?", "Put it in boiling water for 9 minutes.", "And soft?", "6 minutes."]}],
        "chat-strings",
        {"input": (), "output": None, "messages": "messages"},
        "user: How do I boil an egg?\nassistant: Put it in boiling water for 9 minutes.\nuser: And soft?",
        "6 minutes.",
    ),
    (
        "context-passages",  # retrieval-augmented sets: the passages retrieved for the question, as a list
        [{"instruction": "When did it open?", "context": ["The bridge opened in 1932.", "", "It spans the harbour."], "response": "In 1932."}],
        "alpaca",
        {"input": ("instruction", "input", "context"), "optional": ("input", "context"), "output": "response"},
        "When did it open?\n\nThe bridge opened in 1932.\n\nIt spans the harbour.",
        "In 1932.",
    ),
    (
        "lima",  # GAIR/lima: conversations as plain strings, user first, alternating; and its source
        [{"conversations": ["How do I boil an egg?", "Put it in boiling water for 9 minutes.", "And soft?", "6 minutes."], "source": "multi_turn"}],
        "lima",
        {"input": (), "output": None, "messages": "conversations"},
        "user: How do I boil an egg?\nassistant: Put it in boiling water for 9 minutes.\nuser: And soft?",
        "6 minutes.",
    ),
    (
        "openassistant-guanaco",  # timdettmers/openassistant-guanaco: one text field, turns run together
        [{"text": "### Human: Can you write a haiku?### Assistant: Leaves fall.### Human: Another?### Assistant: Snow melts."}],
        "guanaco",
        {"input": (), "output": None, "messages": "text"},
        "user: Can you write a haiku?\nassistant: Leaves fall.\nuser: Another?",
        "Snow melts.",
    ),
    (
        "zephyr-template",  # a text rendered with <|system|>/<|user|>/<|assistant|> and </s>
        [{"text": "<|system|>\nBe brief.</s>\n<|user|>\nHi</s>\n<|assistant|>\nHello!</s>\n"}],
        "zephyr",
        {"input": (), "output": None, "messages": "text"},
        "system: Be brief.\nuser: Hi",
        "Hello!",
    ),
    (
        "guanaco-llama2",  # mlabonne/guanaco-llama2-1k and the tutorials on it: Llama 2's chat template in one text field
        [{"text": "<s>[INST] <<SYS>>\nBe kind.\n<</SYS>>\n\nWhat is a meme? [/INST] An idea that spreads. </s><s>[INST] Origin? [/INST] Dawkins, 1976. </s>"}],
        "llama2",
        {"input": (), "output": None, "messages": "text"},
        "system: Be kind.\nuser: What is a meme?\nassistant: An idea that spreads.\nuser: Origin?",
        "Dawkins, 1976.",
    ),
    (
        "chatml-text",
        [{"text": "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"}],
        "chatml",
        {"input": (), "output": None, "messages": "text"},
        "user: Hi",
        "Hello!",
    ),
    (
        "human-assistant-lines",  # Anthropic's "\n\nHuman: ...\n\nAssistant: ..." written into one text field
        [{"text": "\n\nHuman: What is 2+2?\n\nAssistant: 4."}],
        "human-assistant",
        {"input": (), "output": None, "messages": "text"},
        "user: What is 2+2?",
        "4.",
    ),
    (
        "user-assistant-lines",
        [{"text": "User: What is 2+2?\nAssistant: 4."}],
        "user-assistant",
        {"input": (), "output": None, "messages": "text"},
        "user: What is 2+2?",
        "4.",
    ),
    (
        "llama-factory-sharegpt",  # LLaMA-Factory's ShareGPT format: the system prompt in a column beside the turns
        [{"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "R"}], "system": "You are a helpful assistant."}],
        "sharegpt",
        {"input": ("system",), "optional": ("system",), "output": None, "messages": "conversations"},
        "system: You are a helpful assistant.\nuser: Q",
        "R",
    ),
    (
        "llama-factory-sharegpt-own-system-turn",  # the turns' own system turn is not doubled
        [{"conversations": [{"from": "system", "value": "S"}, {"from": "human", "value": "Q"}, {"from": "gpt", "value": "R"}], "system": "Be brief."}],
        "sharegpt",
        {"input": ("system",), "optional": ("system",), "output": None, "messages": "conversations"},
        "system: S\nuser: Q",
        "R",
    ),
    (
        "llama-factory-alpaca-history",  # LLaMA-Factory's alpaca format: system, and the earlier turns as [instruction, response] pairs
        [
            {"instruction": "And in French?", "input": "", "output": "Bonjour.", "system": "You translate.", "history": [["Say hello in Spanish.", "Hola."]]},
            {"instruction": "Say thanks in German.", "input": "", "output": "Danke.", "system": "You translate.", "history": []},
        ],
        "alpaca-history",
        {"input": ("system", "instruction", "input"), "optional": ("system", "input"), "output": "output", "messages": "history"},
        "system: You translate.\nuser: Say hello in Spanish.\nassistant: Hola.\nuser: And in French?",
        "Bonjour.",
    ),
    # Shapes supported before, which must still load as they did.
    (
        "openhermes-2.5",  # teknium/OpenHermes-2.5: ShareGPT turns with a system turn, plus source and category
        [
            {
                "conversations": [{"from": "system", "value": "S"}, {"from": "human", "value": "Q"}, {"from": "gpt", "value": "R", "weight": 1}],
                "source": "airoboros2.2",
                "category": "orca",
                # the card's other columns, null in most rows
                "system_prompt": None,
                "topic": None,
                "model": None,
                "idx": None,
                "skip_prompt_formatting": False,
            }
        ],
        "sharegpt",
        {"input": ("system_prompt",), "optional": ("system_prompt",), "output": None, "messages": "conversations", "category": "category", "id": "idx"},
        "system: S\nuser: Q",
        "R",
    ),
    (
        "ultrachat-200k",  # HuggingFaceH4/ultrachat_200k: prompt, prompt_id, messages (the chat wins over the prompt)
        [{"prompt": "Q", "prompt_id": "ab12", "messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "R"}]}],
        "chat",
        {"input": (), "output": None, "messages": "messages"},
        "user: Q",
        "R",
    ),
    (
        "openai-messages-with-system",
        [{"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}, {"role": "assistant", "content": "A"}]}],
        "chat",
        {"input": (), "output": None, "messages": "messages"},
        "system: S\nuser: U",
        "A",
    ),
]


@pytest.mark.parametrize("name,rows,layout,fields,inp,out", SHAPES, ids=[s[0] for s in SHAPES])
def test_public_shapes(tmp_path: Path, name: str, rows: list[dict[str, Any]], layout: str, fields: dict[str, Any], inp: str, out: str) -> None:
    data, _ = load(_write(tmp_path / "d.jsonl", rows))
    assert (data.inputs[0], data.outputs[0]) == (inp, out)
    assert data.format == f"jsonl/{layout}"
    assert data.invalid_records == 0 and len(data) == len(rows)
    fmap = data.fields
    got = {"input": fmap.input, "optional": fmap.optional, "output": fmap.output, "messages": fmap.messages, "category": fmap.category, "id": fmap.id}
    assert got == {"optional": (), "messages": None, "category": None, "id": None, **fields}


def test_flat_shapes_read_alike_from_csv_and_parquet(tmp_path: Path) -> None:
    """The batch path (Parquet, CSV: nulls and blanks) joins optional fields as the row path does."""
    import pandas as pd

    rows = [
        {"id": "a", "system_prompt": SYSTEM, "question": "Is 7 prime?", "response": "Yes."},
        {"id": "b", "system_prompt": None, "question": "Is 8 prime?", "response": "No."},
        {"id": "c", "system_prompt": "  ", "question": "Is 9 prime?", "response": "No."},
    ]
    pd.DataFrame(rows).to_parquet(tmp_path / "d.parquet")
    pd.DataFrame(rows).to_csv(tmp_path / "d.csv", index=False)
    expected = [f"{SYSTEM}\n\nIs 7 prime?", "Is 8 prime?", "Is 9 prime?"]
    for kind in ("parquet", "csv"):
        data, _ = load(tmp_path / f"d.{kind}")
        assert data.format == f"{kind}/question-response" and data.inputs == expected, kind


@pytest.mark.parametrize(
    "row,reason",
    [
        ({"conversations": ["Q", {"from": "gpt", "value": "A"}], "source": "x"}, "turn 2 of 'conversations' is an object, expected text"),
        ({"conversations": ["Q", 7], "source": "x"}, "turn 2 of 'conversations' is a number"),
        ({"conversations": "Q", "source": "x"}, "expected a list of turns"),
        ({"conversations": ["Q"], "source": "x"}, "no assistant turn"),  # LIMA's test split: prompts only
        ({"source": "x"}, "missing field: 'conversations'"),
    ],
)
def test_lima_rows_that_are_not_chats_say_why(tmp_path: Path, row: dict[str, Any], reason: str) -> None:
    good = {"conversations": ["Q", "A"], "source": "stackexchange"}
    data, _ = load(_write(tmp_path / "d.jsonl", [good, good, row]))
    assert data.format == "jsonl/lima" and len(data) == 2 and data.invalid_records == 1
    assert reason in data.problems[0].reason, data.problems


@pytest.mark.parametrize("name", ["conversations", "messages"])
def test_string_turns_of_an_odd_count_are_the_rows_problem(tmp_path: Path, name: str) -> None:
    """Roles told by position alternate user, assistant: three turns leave the last unanswered, or a leading
    system prompt shifts every role. Either reading could be wrong, so the row is not read (before: LIMA's
    read with its last turn left out of the example; a messages field of strings refused on every row)."""
    good = {name: ["Q", "A"], "source": "x"}
    data, _ = load(_write(tmp_path / "d.jsonl", [good, good, {name: ["You are terse.", "Q", "A"], "source": "x"}, {name: ["Q", {"role": "assistant", "content": "A"}], "source": "x"}]))
    assert data.format == ("jsonl/lima" if name == "conversations" else "jsonl/chat-strings") and len(data) == 2
    assert [p.line for p in data.problems] == [3, 4]
    assert "3 turns of plain text" in data.problems[0].reason and "roles" in data.problems[0].reason, data.problems
    assert f"turn 2 of {name!r} is an object, expected text" in data.problems[1].reason


def test_chat_objects_are_not_read_as_strings(tmp_path: Path) -> None:
    """An OpenAI-style file with one row of strings stays a chat of objects: that row is the load problem."""
    good = {"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": "A"}]}
    data, _ = load(_write(tmp_path / "d.jsonl", [good, good, {"messages": ["Q", "A"]}]))
    assert data.format == "jsonl/chat" and len(data) == 2
    assert "turn 1 of 'messages' is str, expected an object" in data.problems[0].reason


def test_a_category_name_is_read_only_with_its_sets_shape(tmp_path: Path) -> None:
    """'type' and 'task_name' are categories in MetaMathQA's and FLAN's shapes only: elsewhere 'type' may be anything."""
    rows = [{"query": f"What is {i} + 4?", "response": f"{i + 4}", "type": t} for i, t in enumerate(["GSM_Rephrased", "MATH_AnsAug", "GSM_SV"])]
    data, _ = load(_write(tmp_path / "m.jsonl", rows))
    assert data.categories == ["GSM_Rephrased", "MATH_AnsAug", "GSM_SV"]
    for shape in ({"instruction": "Q", "output": "A"}, {"question": "Q", "answer": "A"}):
        data, _ = load(_write(tmp_path / "o.jsonl", [{**shape, "type": "text", "task_name": "t"}] * 2))
        assert data.fields.category is None and data.categories is None, shape
    # A category the generic names give wins, as before.
    data, _ = load(_write(tmp_path / "c.jsonl", [{**rows[0], "category": "algebra"}] * 2))
    assert data.fields.category == "category"


def test_passages_that_are_not_text_say_why(tmp_path: Path) -> None:
    """A list of passages holding a number is its row's problem; a passage list that is empty adds nothing."""
    good = {"instruction": "Q", "context": ["P1", "P2"], "response": "R"}
    data, _ = load(_write(tmp_path / "d.jsonl", [good, good, {**good, "context": []}, {**good, "context": ["P1", 7]}, {**good, "context": {"title": "P"}}]))
    assert data.inputs == ["Q\n\nP1\n\nP2", "Q\n\nP1\n\nP2", "Q"]
    reasons = [p.reason for p in data.problems]
    assert "passage 2 of field 'context' is a number, expected text" in reasons[0] and "field 'context' is an object" in reasons[1], reasons


def test_sharegpt_objects_are_not_read_as_lima(tmp_path: Path) -> None:
    """A ShareGPT file with one row of strings stays ShareGPT: that row is the load problem."""
    good = {"conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}
    data, _ = load(_write(tmp_path / "d.jsonl", [good, good, {"conversations": ["Q", "A"]}]))
    assert data.format == "jsonl/sharegpt" and len(data) == 2
    assert "turn 1 of 'conversations' is str, expected an object" in data.problems[0].reason


def test_text_chat_rows_that_do_not_read_say_why(tmp_path: Path) -> None:
    good = {"text": "### Human: Hi### Assistant: Hello."}
    rows = [good, good, {"text": "### Human: Hi### Human: again"}, {"text": "Intro.### Human: Hi### Assistant: Hello."}]
    data, _ = load(_write(tmp_path / "d.jsonl", rows))
    assert data.format == "jsonl/guanaco" and len(data) == 2 and data.invalid_records == 2
    reasons = [p.reason for p in data.problems]
    assert "turn 2 is user, expected assistant" in reasons[0] and "text before the first" in reasons[1], reasons


@pytest.mark.parametrize(
    "texts",
    [
        ["A paragraph of prose.", "Another one."],  # no markers at all
        # markers that only quote a dialogue inside prose
        ["The log said\nUser: hi\nAssistant: hello\nand then it stopped.", "Plain text."],
        # a minority of rows read as a chat: not enough to decide
        ["### Human: Hi### Assistant: Hello.", "Plain.", "Plain too."],
        # the last turn is the user's: nothing to learn as output
        ["User: Hi\nAssistant: Hello\nUser: Bye", "User: Hi\nAssistant: Hello\nUser: Bye"],
    ],
)
def test_a_text_field_that_is_not_clearly_a_chat_is_refused_with_what_to_do(tmp_path: Path, texts: list[str]) -> None:
    with pytest.raises(InputError) as err:
        load(_write(tmp_path / "d.jsonl", [{"text": t} for t in texts]))
    message = str(err.value)
    assert "fields found: text" in message and "'### Human:' / '### Assistant:'" in message and "--input-field" in message


def test_oasst_message_trees_are_refused_with_what_to_do(tmp_path: Path) -> None:
    row = {"message_id": "m1", "parent_id": None, "text": "Hi", "role": "prompter", "lang": "en", "message_tree_id": "m1"}
    with pytest.raises(InputError, match=r"one message of a conversation tree .*join each thread"):
        load(_write(tmp_path / "d.jsonl", [row]))


def test_overrides_still_win_over_the_new_layouts(tmp_path: Path) -> None:
    rows = [{"system_prompt": SYSTEM, "question": "Q1", "response": "R1", "notes": "N1"}]
    path = _write(tmp_path / "d.jsonl", rows)
    data, _ = load(path, FieldOverrides(input="question", output="notes"))
    assert (data.format, data.inputs, data.outputs) == ("jsonl/custom", ["Q1"], ["N1"])
    # Only the output forced: the input is the detected one, its system prompt still optional.
    again = {**rows[0], "question": "Q3"}
    data, _ = load(_write(tmp_path / "e.jsonl", [*rows, {"system_prompt": None, "question": "Q2", "response": "R2", "notes": "N2"}, again]), FieldOverrides(output="notes"))
    assert data.inputs == [f"{SYSTEM}\n\nQ1", "Q2", f"{SYSTEM}\n\nQ3"] and data.invalid_records == 0
    assert list(data.requests) == ["Q1", "Q2", "Q3"]  # what the near-duplicate and leakage comparison reads (a prompt two share)


def test_a_system_field_that_is_not_a_prompt_stays_out_of_the_input(tmp_path: Path) -> None:
    """'system' naming the model that wrote the row (one word), or an object, is not a prompt."""
    for value in ("gpt-4", {"name": "gpt-4"}):
        data, _ = load(_write(tmp_path / "d.jsonl", [{"system": value, "question": "Q", "response": "R"}] * 2))
        assert data.fields.input == ("question",) and data.inputs == ["Q", "Q"] and data.invalid_records == 0


# OpenOrca's shape with one long system prompt in every row and short, distinct questions.
_SUBJECTS = (
    "photosynthesis gravity inflation democracy volcanoes tides rainbows vaccines glaciers magnetism electricity friction "
    "evaporation erosion hurricanes earthquakes bacteria enzymes proteins neurons telescopes satellites compilers databases "
    "encryption bandwidth algorithms transistors batteries lasers"
).split()
_FRAMES = ("What is {}?", "Who discovered {}?", "Why does {} matter?", "Describe {} briefly.")
_ORCA_SYSTEM = (
    "You are an AI assistant that helps people find information. User will give you a question. Your task is to answer "
    "as faithfully as you can. While answering think step-by-step and justify your answer."
)


def _orca_rows() -> list[dict[str, str]]:
    asks = [frame.format(s) for frame in _FRAMES for s in _SUBJECTS]
    return [
        {"id": f"q{i}", "system_prompt": _ORCA_SYSTEM, "question": q, "response": f"{q.split()[-1].strip('?.').capitalize()}: answer {i}, a sentence of its own."}
        for i, q in enumerate(asks)
    ]


def test_a_system_prompt_every_row_shares_makes_no_duplicates(tmp_path: Path) -> None:
    """The shared prompt is in every input, yet no two records are duplicates or near-duplicates of each other."""
    rows = _orca_rows()
    data, _ = load(_write(tmp_path / "d.jsonl", rows))
    assert all(x.startswith(_ORCA_SYSTEM + "\n\n") for x in data.inputs) and len(data) == 120
    assert list(data.requests) == [r["question"] for r in rows]
    chats, _ = load(_write(tmp_path / "c.jsonl", [_as_chat(r) for r in rows[:2]] + [_as_chat({**rows[2], "system_prompt": ""})]))
    assert list(chats.requests) == [f"user: {r['question']}" for r in rows[:3]] and chats.inputs[2] == chats.requests[2]
    result = DuplicatesCheck().run(make_context(data))
    assert [f.code for f in result.findings] == []
    assert result.metrics["effective_examples"] == 120 and result.metrics["near_duplicate_records"] == 0
    # The twin with real repeats: one question asked again (another answer) and one example copied are found.
    twin = [*rows, {**rows[5], "id": "again", "response": "Another answer."}, {**rows[9], "id": "copy"}]
    data, _ = load(_write(tmp_path / "twin.jsonl", twin))
    assert {"DUP001", "DUP002"} <= {f.code for f in DuplicatesCheck().run(make_context(data)).findings}


def _dolly_rows() -> list[dict[str, str]]:
    """Dolly's closed_qa, summarization and information_extraction rows: an instruction about the passage in context."""
    topics = ("Virgin Australia", "the Eiffel Tower", "the Amazon river", "Marie Curie", "the printing press", "Mount Kilimanjaro")
    asks = (
        ("Given this paragraph about {t}, in what year was it founded or discovered?", "In {y}.", "closed_qa"),
        ("Summarize the following passage about {t} in one sentence.", "{t} dates from {y} and has been widely studied.", "summarization"),
        ("Extract the year from the text below about {t}.", "{y}", "information_extraction"),
    )
    rows = []
    for i in range(90):
        t, y, (ask, answer, category) = topics[i % len(topics)], 1800 + i, asks[i % len(asks)]
        context = f"{t} is described in paragraph {i}. It was founded or discovered in {y}, and many have studied {t} since for its history."
        rows.append({"instruction": ask.format(t=t), "context": context, "response": answer.format(t=t, y=y), "category": category})
    return rows


def test_dolly_passages_reach_the_checks(tmp_path: Path) -> None:
    """With the context dropped (main before this fix) every row 'refers to text not given' (TSK008 on 100 %)
    and one instruction asked of several passages reads as one input with contradicting outputs (DUP002, on
    main: TSK008 and DUP002 here; DUP005 when the task groups read the variety as open)."""
    from checks.fidelity.check import FidelityCheck

    data, _ = load(_write(tmp_path / "d.jsonl", _dolly_rows()))
    ctx = make_context(data)
    codes = {f.code for f in FidelityCheck().run(ctx).findings} | {f.code for f in DuplicatesCheck().run(ctx).findings}
    assert not codes & {"TSK008", "DUP002", "DUP005"}, codes


# How each template writes a turn, to check that reading undoes it.
_RENDER = {
    "guanaco": lambda role, text: f"### {'Human' if role == 'user' else role.capitalize()}: {text}",
    "chatml": lambda role, text: f"<|im_start|>{role}\n{text}<|im_end|>\n",
    "zephyr": lambda role, text: f"<|{role}|>\n{text}</s>\n",
    "human-assistant": lambda role, text: f"\n\n{'Human' if role == 'user' else role.capitalize()}: {text}",
    "user-assistant": lambda role, text: f"{role.capitalize()}: {text}\n",
}
# Turn texts without anything a template reads as a marker (no '#', '<', '[', ':' or line breaks).
_TURN = st.text(st.characters(blacklist_characters="#<[:|\n\r", blacklist_categories=("Cs", "Zl", "Zp", "Cc")), min_size=1, max_size=12).filter(str.strip)


@pytest.mark.parametrize("template", sorted([*_RENDER, "llama2"]))  # llama2 is written whole: its system prompt sits in the first turn
@settings(max_examples=60, deadline=None)
@given(system=st.one_of(st.none(), _TURN), pairs=st.lists(st.tuples(_TURN, _TURN), min_size=1, max_size=3))
def test_a_rendered_chat_reads_back_as_its_turns(template: str, system: str | None, pairs: list[tuple[str, str]]) -> None:
    from auditor.load import transcripts

    if template == "human-assistant":
        system = None  # Anthropic's transcripts have no system line
    turns = ([{"role": "system", "content": system.strip()}] if system else []) + [
        {"role": role, "content": text.strip()} for user, reply in pairs for role, text in (("user", user), ("assistant", reply))
    ]
    if template == "llama2":  # the system prompt sits inside the first [INST]
        head = f"<<SYS>>\n{turns[0]['content']}\n<</SYS>>\n\n" if system else ""
        rest = turns[1:] if system else turns
        rendered = "".join(f"<s>[INST] {head if k == 0 else ''}{u['content']} [/INST] {a['content']} </s>" for k, (u, a) in enumerate(zip(rest[::2], rest[1::2])))
    else:
        rendered = "".join(_RENDER[template](t["role"], t["content"]) for t in turns)
    assert transcripts.read(rendered, transcripts.BY_NAME[template]) == turns
    assert transcripts.template_of([rendered]) == transcripts.BY_NAME[template]  # and no other template reads it


def test_preference_pairs_are_refused_with_what_to_do(tmp_path: Path) -> None:
    """DPO-style rows (prompt, chosen, rejected): which reply to audit is the user's call; the override reads it."""
    path = _write(tmp_path / "d.jsonl", [{"prompt": "Q", "chosen": "good", "rejected": "bad"}])
    with pytest.raises(InputError, match="preference set .*--input-field prompt --output-field chosen"):
        load(path)
    assert load(path, FieldOverrides(input="prompt", output="chosen"))[0].outputs == ["good"]


def test_alpaca_history_rows_say_why_they_do_not_read(tmp_path: Path) -> None:
    good = {"instruction": "Next?", "input": "", "output": "B.", "history": [["First?", "A."]]}
    rows = [good, good, {**good, "history": "First? A."}, {**good, "history": [["First?", 1]]}, {**good, "history": None}]
    data, _ = load(_write(tmp_path / "d.jsonl", rows))
    assert data.format == "jsonl/alpaca-history" and len(data) == 3 and data.inputs[2] == "user: Next?"
    reasons = [p.reason for p in data.problems]
    assert "expected a list of [instruction, response] pairs" in reasons[0] and "pair 1 of 'history' holds a number" in reasons[1], reasons


def _as_chat(row: dict[str, str]) -> dict[str, Any]:
    """An Orca row as a chat: its system prompt the leading system turn."""
    turns = [("system", row["system_prompt"]), ("user", row["question"]), ("assistant", row["response"])]
    return {"id": row["id"], "messages": [{"role": role, "content": text} for role, text in turns if text]}


_LONG = (
    "Explain in a few sentences how {} shapes the daily work of a field researcher who studies it for a living.",
    "Write a short paragraph for a school newsletter about why {} still surprises the people who study it.",
)


def _leak_sets(twin: bool) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Orca training rows and an eval set behind the same system prompt: only new requests (``twin`` False),
    or also requests the training rows make (the defective twin: 4 exact, 4 near, 2 behind another prompt)."""
    train = _orca_rows()
    others = ("volcanism", "cartography", "linguistics", "astronomy", "metallurgy", "botany", "zoology", "geology")
    evals = [{"id": f"e{i}", "system_prompt": _ORCA_SYSTEM, "question": frame.format(s), "response": f"{s}: {i}."} for i, (frame, s) in enumerate((f, s) for f in _FRAMES for s in others)]
    if twin:
        long = [{"id": f"long{i}", "system_prompt": _ORCA_SYSTEM, "question": _LONG[i % 2].format(s), "response": f"About {s}: a paragraph {i}."} for i, s in enumerate(_SUBJECTS[:8])]
        train += long
        evals += [{**r, "id": f"asked{i}", "response": "Another answer."} for i, r in enumerate(train[:4])]  # same request, same prompt
        evals += [{**r, "id": f"near{i}", "question": r["question"].rsplit(" ", 1)[0] + " today."} for i, r in enumerate(long[:4])]  # its last word changed
        evals += [{**r, "id": f"other{i}", "system_prompt": "You are a terse assistant."} for i, r in enumerate(long[4:6])]  # another prompt
    return train, evals


@pytest.mark.parametrize("chat", [False, True], ids=["system_prompt", "chat"])
@pytest.mark.parametrize("engine", ["memory", "stream", "stream-join", "spark"])
def test_a_system_prompt_shared_with_the_eval_set_is_not_leakage(tmp_path: Path, chat: bool, engine: str, request: pytest.FixtureRequest) -> None:
    """Before the fix every short request behind the shared prompt read as leaked (DUP006 on 120 of 120
    records; for chats also one DUP004 cluster of all 120): a 'slot' filled in the prompt to the
    similarity engine. Its twin's real leaks are found."""
    from auditor.api import audit
    from tests.test_scale import KB, checks_of

    options: dict[str, Any] = {"engine": "memory"}
    if engine.startswith("stream"):
        options = {"engine": "stream", "scale__partition_mb": 8 * KB, "jobs": 1}
    if engine == "stream-join":
        options["duplicates__exact_below"] = 20  # the band-key join of large sets
    if engine == "spark":
        request.getfixturevalue("spark")  # the session's local Spark (skipped without pyspark and Java)
        options = {"engine": "spark", "scale__partition_mb": 8 * KB, "duplicates__exact_below": 20}
    shape = _as_chat if chat else dict
    found = [] if engine != "spark" else [(0, 0)]  # a Spark run costs seconds: the twin alone (its eval set holds the clean one's items)
    for twin in (False, True) if engine != "spark" else (True,):
        train, evals = _leak_sets(twin)
        path, held_out = _write(tmp_path / f"train{twin}.jsonl", [shape(r) for r in train]), _write(tmp_path / f"eval{twin}.jsonl", [shape(r) for r in evals])
        dup = checks_of(audit(str(path), config={}, eval=str(held_out), **options))["duplicates"]
        if engine != "memory":  # every figure as in memory (near_candidates too: the partitions sketch requests)
            same = {k: v for k, v in options.items() if k.startswith("duplicates__")}
            assert dup == checks_of(audit(path, config={}, eval=held_out, engine="memory", **same))["duplicates"]
        codes = {f["code"]: f for f in dup["findings"]}
        assert "DUP004" not in codes
        found.append((dup["metrics"]["leaked_records"], codes.get("DUP006", {}).get("details", {}).get("eval_records_matched", 0)))
    # The twin: 4 requests asked again, 4 near copies and 2 behind another prompt, each a training row's.
    assert found == [(0, 0), (10, 10)]


def test_an_odd_system_prompt_value_is_its_rows_problem_not_the_fields(tmp_path: Path) -> None:
    """One row's system prompt written as a number neither keeps the others' prompts out nor vanishes."""
    rows = [{"system_prompt": SYSTEM, "question": f"Q{i}", "response": "R"} for i in range(3)] + [{"system_prompt": 7, "question": "Q", "response": "R"}]
    data, _ = load(_write(tmp_path / "d.jsonl", rows))
    assert data.inputs[0] == f"{SYSTEM}\n\nQ0" and len(data) == 3
    assert list(data.requests) == ["Q0", "Q1", "Q2"]  # read row by row (the odd row): the same cut
    assert "field 'system_prompt' is a number, expected text" in data.problems[0].reason


# Per-record system prompts: a document (or a tool list, a persona) put in the system prompt of its own record.
_WORDS = (
    "river harbour engine ledger orchard quarry lantern meadow archive bridge canal furnace granary mill tavern "
    "chapel market garrison forge vineyard beacon cellar pier college depot foundry guild hamlet kiln lighthouse "
    "monastery observatory pavilion quay refinery shipyard tannery theatre turbine warehouse workshop abbey "
    "aqueduct barracks brewery causeway citadel colliery dockyard estate ferry fortress gallery gatehouse "
    "infirmary jetty library manor mint museum"
).split()
_ASK = "Summarize the document in one sentence."


def _document(rng: random.Random, n: int = 45) -> str:
    return "This document describes " + " ".join(rng.choice(_WORDS) for _ in range(n)) + "."


def _doc_rows(rng: random.Random, prefix: str, n: int) -> list[dict[str, str]]:
    """Rows whose system prompt is a document of their own, all asking the same question."""
    return [{"id": f"{prefix}{i}", "system_prompt": _document(rng), "question": _ASK, "response": f"The {prefix} document {i} is summarized here."} for i in range(n)]


def _system_prompt_case(case: str) -> tuple[list[dict[str, str]], list[dict[str, str]], tuple[int, int]]:
    """Training rows, eval rows, and (near-duplicate records, leaked records) the duplicates check must find.

    shared: one prompt in every row (boilerplate, cut off); documents: a prompt of each row's own (content,
    compared); mixed: both, a near copy of one document row planted in training and three of the eval set's
    items a training row's (one asked again with its document, one near copy of its document, one behind
    the shared prompt)."""
    rng = random.Random(7)
    if case == "shared":
        return _orca_rows(), [{**r, "id": f"e{i}", "question": r["question"].replace("?", " today?")} for i, r in enumerate(_leak_sets(False)[1])], (0, 0)
    if case == "documents":
        return _doc_rows(rng, "t", 120), _doc_rows(rng, "e", 30), (0, 0)
    train = _orca_rows()[:60] + _doc_rows(rng, "t", 60)
    doc = train[70]["system_prompt"]
    train.append({**train[70], "id": "near-copy", "system_prompt": doc.rsplit(" ", 1)[0] + " lighthouse."})
    evals = _doc_rows(rng, "e", 20) + [{**r, "id": f"e{i}", "question": r["question"].replace("?", " now?")} for i, r in enumerate(train[:20])]
    evals.append({**train[80], "id": "asked-again", "response": "Another answer."})
    evals.append({**train[90], "id": "near-doc", "system_prompt": train[90]["system_prompt"].rsplit(" ", 1)[0] + " pier."})
    evals.append({**train[3], "id": "shared-again", "response": "Another answer."})
    return train, evals, (1, 3)


@pytest.mark.parametrize("case", ["shared", "documents", "mixed"])
@pytest.mark.parametrize("chat", [False, True], ids=["system_prompt", "chat"])
@pytest.mark.parametrize("engine", ["memory", "stream", "stream-join", "spark"])
def test_only_a_system_prompt_records_share_is_cut_off(tmp_path: Path, case: str, chat: bool, engine: str, request: pytest.FixtureRequest) -> None:
    """A system prompt two records share is boilerplate; one of a single record's own is content.

    Before, every system prompt was cut off: behind per-record documents the one question every row asks
    read as 120 copies of one request (documents: DUP004 on every row, every eval item leaked)."""
    from auditor.api import audit
    from tests.test_scale import KB, checks_of

    if engine == "spark" and (chat or case != "mixed"):
        pytest.skip("a Spark run costs seconds: the mixed flat case alone")
    options: dict[str, Any] = {"engine": "memory"}
    if engine.startswith("stream"):
        options = {"engine": "stream", "scale__partition_mb": 8 * KB, "jobs": 1}
    if engine == "stream-join":
        options["duplicates__exact_below"] = 20  # the band-key join and the sketch pass of large sets
    if engine == "spark":
        request.getfixturevalue("spark")
        options = {"engine": "spark", "scale__partition_mb": 8 * KB, "duplicates__exact_below": 20}
    shape = _as_chat if chat else dict
    train, evals, (near, leaked) = _system_prompt_case(case)
    path, held_out = _write(tmp_path / "train.jsonl", [shape(r) for r in train]), _write(tmp_path / "eval.jsonl", [shape(r) for r in evals])
    dup = checks_of(audit(str(path), config={}, eval=str(held_out), **options))["duplicates"]
    if engine != "memory":
        same = {k: v for k, v in options.items() if k.startswith("duplicates__")}
        assert dup == checks_of(audit(path, config={}, eval=held_out, engine="memory", **same))["duplicates"]
    codes = {f["code"] for f in dup["findings"]}
    assert not codes & {"DUP002", "DUP004", "DUP005"}, codes
    assert (dup["metrics"]["near_duplicate_records"], dup["metrics"]["leaked_records"]) == (near, leaked)
    assert ("DUP006" in codes) == bool(leaked) and ("DUP003" in codes) == bool(near)


def test_a_side_sets_prompt_is_cut_off_when_either_set_repeats_it(tmp_path: Path) -> None:
    """The eval side: the training set's shared prompt goes even on a single eval item, the eval set's own
    instructions go though no training row carries them; a document neither set repeats stays on both sides."""
    row = {"system_prompt": SYSTEM, "question": "Q", "response": "R"}
    train, _ = load(_write(tmp_path / "t.jsonl", [row, {**row, "question": "Q2"}, {**row, "system_prompt": "Document one, about mills."}]))
    evals, _ = load(_write(tmp_path / "e.jsonl", [row, {**row, "system_prompt": "Answer in French."}, {**row, "system_prompt": " Answer in French.\n"}, {**row, "system_prompt": "Document two."}, {**row, "system_prompt": "Document one, about mills."}]))
    assert list(evals.requests_beside(train)) == ["Q", "Q", "Q", "Document two.\n\nQ", "Document one, about mills.\n\nQ"]
    assert list(train.requests) == ["Q", "Q2", "Document one, about mills.\n\nQ"]
    assert list(evals.requests) == [f"{SYSTEM}\n\nQ", "Q", "Q", "Document two.\n\nQ", "Document one, about mills.\n\nQ"]  # alone: its own count
