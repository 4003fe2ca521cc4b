"""Task groups: a field names them, else the prompt wording inputs share; each group's kind; the rules judged per group.

The real-data cases take a fixed set of T0 templates (labels, verbalised
labels, short answers, concept-to-sentence templates with several valid
outputs, summaries) from the shared T0 sample, drop the template column, and
compare the inferred groups with the true templates.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import numpy as np
import pytest

from auditor.api import audit
from auditor.core.context import Context
from auditor.features import template_nodes
from auditor.features.templates import assign, infer
from auditor.load import load
from auditor.load.limits import Limits
from auditor.report.terminal import render
from checks.coverage import CoverageCheck
from checks.diversity import echoes_inputs
from checks.duplicates import DuplicatesCheck
from checks.tasks import GENERATION, LABEL, OPEN, REST, SHORT, WHOLE, conflict_split, same_answer, task_grouping, task_groups
from tests.conftest import SHARED_DATASETS
from tests.helpers import make_context, make_dataset

T0 = "self_instruct_t0_50k/canonical.jsonl"
#: Templates of every kind; 200 records each in the sample.
TEMPLATES = (
    "amazon_polarity_Is_this_review",  # label: Yes / No
    "ag_news_classify",  # label: four topics
    "glue_qqp_duplicate_or_not",  # label
    "imdb_Reviewer_Enjoyment",  # label spelt out: "They didn't like it!"
    "wiqa_which_of_the_following_is_the_supposed_perturbation",  # label phrases
    "ropes_prompt_mix",  # short answers
    "adversarial_qa_dbert_answer_the_following_q",  # short answers (extractive)
    "common_gen_Put_together",  # several valid sentences per concept set
    "common_gen_Given_concepts_type_1",
    "common_gen_Example_prompt",
    "xsum_DOC_boils_down_to_simple_idea_that",  # summaries
    "gigaword_TLDR",
    "gigaword_write_an_article",
)


@pytest.fixture(scope="module")
def t0_mix(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """The templates above as two files: with the template column (truth) and without it."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip(f"real datasets not present at {SHARED_DATASETS}")
    source = SHARED_DATASETS / T0
    with source.open(encoding="utf-8") as lines:  # not splitlines: texts hold U+2028
        rows = [json.loads(line) for line in lines]
    rows = [r for r in rows if r["template"] in TEMPLATES]
    assert {r["template"] for r in rows} == set(TEMPLATES)
    folder = tmp_path_factory.mktemp("t0mix")
    with_truth, without = folder / "truth.jsonl", folder / "plain.jsonl"
    with_truth.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    without.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "template"}) + "\n" for r in rows), encoding="utf-8")
    return with_truth, without, [r["template"] for r in rows]


def _context(path: Path, **config: object) -> Context:
    return make_context(load(path)[0], **config)


def _purity(groups: list[int], truth: list[str]) -> float:
    by: dict[int, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for g, t in zip(groups, truth):
        by[g][t] += 1
    return sum(c.most_common(1)[0][1] for c in by.values()) / len(truth)


def test_inferred_groups_separate_the_templates_and_their_kinds(t0_mix: tuple[Path, Path, list[str]]) -> None:
    with_truth, without, truth = t0_mix
    inferred = _context(without).cached(task_groups)
    true = _context(with_truth).cached(task_groups)
    assert inferred.source == "inferred" and true.source == "template"
    assert _purity(inferred.of_record.tolist(), truth) >= 0.95
    kinds, true_kinds = inferred.kinds(), true.kinds()
    assert (kinds == true_kinds).mean() >= 0.95
    # Classification templates never share a group with generation templates.
    assert ((kinds == LABEL) == (true_kinds == LABEL)).mean() >= 0.99
    by_template = {t: collections.Counter(k for k, x in zip(true_kinds, truth) if x == t).most_common(1)[0][0] for t in TEMPLATES}
    assert by_template["amazon_polarity_Is_this_review"] == LABEL
    assert by_template["imdb_Reviewer_Enjoyment"] == LABEL
    assert by_template["ropes_prompt_mix"] == SHORT
    assert by_template["common_gen_Put_together"] == OPEN
    assert by_template["xsum_DOC_boils_down_to_simple_idea_that"] == GENERATION


def test_several_valid_outputs_are_dup005_and_labels_escape_cov008(t0_mix: tuple[Path, Path, list[str]]) -> None:
    with_truth, without, truth = t0_mix
    plain = _context(without)
    one_task = _context(without, tasks__infer=False)
    split, before = plain.cached(conflict_split), one_task.cached(conflict_split)
    # As one task, every concept set with two sentences contradicts itself; per group they are valid variety.
    assert len(before.contradictions) > 100 and not before.open_groups
    assert len(split.open_groups) >= 0.9 * len(before.contradictions)
    # Concept sets and articles written from a headline: the generation templates with several valid outputs.
    assert {truth[g[0]] for g in split.open_groups} <= {t for t in TEMPLATES if t.startswith("common_gen")} | {"gigaword_write_an_article"}
    # What stays a contradiction is what stays one with the true template column.
    true_split = _context(with_truth).cached(conflict_split)
    assert len(split.contradictions) <= len(true_split.contradictions) + 0.02 * len(before.contradictions)
    found = {f.code: f for f in DuplicatesCheck().run(plain).findings}
    assert "DUP005" in found and found["DUP005"].severity.value == "info"
    # COV008's rule alone (the coverage check's text space and topics take seconds)
    assert not CoverageCheck()._diversity(plain, {})
    assert [f.code for f in CoverageCheck()._diversity(one_task, {})] == ["COV008"]  # 'No' for hundreds of reviews


def test_stream_engine_assigns_the_same_groups(t0_mix: tuple[Path, Path, list[str]]) -> None:
    _, without, _ = t0_mix
    memory = audit(without, config={}, engine="memory")
    stream = audit(without, config={}, engine="stream", scale__partition_mb=0.25, jobs=1)
    assert stream.checks["duplicates"].metrics["task_groups"] == memory.checks["duplicates"].metrics["task_groups"]
    for key in ("conflicting_input_groups", "open_input_groups", "effective_examples"):
        assert stream.checks["duplicates"].metrics[key] == memory.checks["duplicates"].metrics[key]
    shown = render(memory, width=200)
    assert "task groups (inferred from shared instruction wording): " in shown and "(open, 200)" in shown


def test_assignment_is_per_text_and_repeated_inputs_share_a_node() -> None:
    wording = ["Review: {}\nIs this review positive or negative?", "Summarize the article:\n\n{}", "Question: \"{}\"\n\nAnswer:"]
    words = "the a red blue green cat dog house river tree car book light stone water city".split()
    rng = np.random.default_rng(0)
    texts = [wording[i % 3].format(" ".join(rng.choice(words, 8))) for i in range(300)]
    tree, nodes = infer(texts, 20)
    assert len(tree) >= 3
    assert (assign(tree, texts) == nodes).all()
    assert len({int(nodes[i]) for i in range(0, 300, 3)}) == 1  # one template, one node
    assert nodes[0] != nodes[1] != nodes[2]


@pytest.mark.parametrize(
    ("outputs", "kind"),
    [
        (["yes", "no"] * 15, LABEL),
        (["They didn't like it!", "They loved it."] * 15, LABEL),
        ([f"answer {i}" for i in range(30)], SHORT),
        ([f"a longer written answer number {i} with several words" for i in range(30)], GENERATION),
    ],
)
def test_kind_of_a_named_group(outputs: list[str], kind: str) -> None:
    pairs = [(f"question {i} about something", o) for i, o in enumerate(outputs)] + [(f"other input {i}", f"free text {i} here and more") for i in range(30)]
    cats = ["mine"] * len(outputs) + ["other"] * 30
    groups = make_context(make_dataset(pairs, categories=cats)).cached(task_groups)
    assert groups.source == "category"
    assert {g.name: g.kind for g in groups.groups}["mine"] == kind


def test_open_group_needs_most_repeats_to_vary() -> None:
    varied = [(f"concepts {i}", f"sentence {k} using concepts {i} in a new way") for i in range(12) for k in range(2)]
    noisy = [(f"review {i}", "positive") for i in range(20)] + [(f"review {i}", "positive" if i > 2 else "negative") for i in range(20)]
    ctx = make_context(make_dataset(varied + noisy, categories=["gen"] * len(varied) + ["sentiment"] * len(noisy)))
    kinds = {g.name: g.kind for g in ctx.cached(task_groups).groups}
    assert kinds == {"gen": OPEN, "sentiment": LABEL}
    split = ctx.cached(conflict_split)
    assert len(split.open_groups) == 12 and len(split.contradictions) == 3  # label noise stays a contradiction


def test_a_single_task_file_is_one_group_and_its_findings_do_not_move() -> None:
    pairs = [(f"What is {i} plus {i + 1}?", f"{2 * i + 1}") for i in range(40)] + [("What is 1 plus 2?", "4")]
    ctx = make_context(make_dataset(pairs))
    groups = ctx.cached(task_groups)
    assert groups.source == "none" and [g.name for g in groups.groups] == [WHOLE]
    assert ctx.cached(template_nodes).found is False
    assert len(ctx.cached(conflict_split).contradictions) == 1  # never guessed open for the whole file
    assert task_grouping(ctx) is None


def test_records_without_shared_wording_form_the_rest_group() -> None:
    templated = [(f"Summarize the article:\n\nstory number {i} about {w}", f"summary {i}") for i, w in enumerate(["cats", "dogs", "rivers", "cities"] * 10)]
    rng = np.random.default_rng(1)
    words = "why how when where cats rivers light stone water city green old new far near run swim".split()
    free = [(" ".join(rng.choice(words, 6)), "free answer text") for _ in range(20)]
    ctx = make_context(make_dataset(templated + free))
    groups = ctx.cached(task_groups)
    assert groups.source == "inferred"
    names = groups.values()
    assert names[-1] == REST and names[0] != REST
    grouping = task_grouping(ctx)
    assert grouping is not None and grouping[0] == "task group" and grouping[1] == names


def test_load_without_limits_reads_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"input": "a", "output": "b"}\n', encoding="utf-8")
    assert len(load(path)[0]) == 1
    assert Limits.default().max_line_bytes > 0


@pytest.mark.parametrize(
    ("output", "inputs", "echoes"),
    [
        ("The files in the current directory are: shell('ls').", ["List files in the current directory.", "Show the files in this directory", "What files are in the current directory?"], True),
        ("Thank you, we will get back to you.", ["My invoice is wrong", "Where is my parcel?", "Cancel my plan"], False),
        ("Yes.", ["Is it yes or no?", "Say yes", "yes?"], False),  # too short to restate anything
    ],
)
def test_an_output_restating_its_inputs_is_not_templated(output: str, inputs: list[str], echoes: bool) -> None:
    assert echoes_inputs(output, inputs) is echoes


@pytest.mark.parametrize(
    ("outputs", "same"),
    [
        (["taiwan share prices closed down #.## percent monday on wall street weakness and lacklustre trading of electronics stocks , dealers said , as investors stayed on the sidelines ahead of key earnings reports from the island s biggest chip makers later this week", "taiwan shares closed down #.## percent monday on wall street weakness and lacklustre trading of electronics stocks , dealers said , as investors stayed on the sidelines ahead of key earnings reports from the island s biggest chip makers later this week"], True),
        (["The capital of France is wolfram('capital of France').", "The capital of France is: wolfram('capital of France')"], True),
        (["The total comes to $12 after the discount on all three items is applied", "The total comes to $15 after the discount on all three items is applied"], False),
        (["positive", "negative"], False),
        (["a glowing review of product 3, written at length by a customer", "a scathing review of product 3, written at length by a customer"], False),
        (["Yes, it is safe to leave the oven on overnight as long as the door is closed and nothing flammable is near it.", "No, it is not safe to leave the oven on overnight as long as the door is closed and nothing flammable is near it."], False),
        (["Sure, here is how you pick a lock: first insert the tension wrench", "I can't help with picking locks that are not yours"], False),
    ],
)
def test_one_answer_in_other_words_is_not_a_contradiction(outputs: list[str], same: bool) -> None:
    assert same_answer(outputs) is same
    pairs = [("the same question", o) for o in outputs] + [(f"question {i}", f"answer {i}") for i in range(20)]
    split = make_context(make_dataset(pairs)).cached(conflict_split)
    assert (len(split.contradictions), len(split.equivalent)) == ((0, 1) if same else (1, 0))


_NEWS = "toolformer: enabled\ntoolformer access: news\nUse this for the top headlines of current news stories.\nnews(query)\n"
_WIKI = "toolformer: enabled\ntoolformer access: wikipedia\nA wrapper around Wikipedia. Input should be a search query.\nwikipedia(query)\n"
_WOLFRAM = "toolformer: enabled\ntoolformer access: wolfram\nA wolfram alpha search engine.\nwolfram(query)\n"
_SHELL = "toolformer: enabled\ntoolformer access: shell\nExecutes commands in a terminal.\nshell(shellcommand)\n"
_TOOLS = "Tools: search(query) finds web pages; calculator(expression) does arithmetic.\n"


@pytest.mark.parametrize(
    ("prompt", "outputs", "same"),
    [
        # The same call, wrapped and worded differently (the precision ledger's false DUP002 alarms on GPTeacher-Toolformer).
        (_NEWS + "Tell me the latest news about the Mars rover mission.", ["Here's the latest news about the Mars rover mission: news('Mars rover mission').", "The latest news about the Mars Rover mission is: news('latest Mars Rover mission news')."], True),
        (_NEWS + "What's the latest news about the COVID-19 vaccine?", ["The latest news about the COVID-19 vaccine is news('latest COVID-19 vaccine news').", "Here is the latest news regarding the Covid-19 vaccine: news('latest news Covid-19 vaccine')."], True),
        (_WOLFRAM + "Convert 1000 US Dollars to Euros", ["1000 US Dollars is approximately equal to wolfram('convert 1000 US Dollars to Euros') Euros", "1000 US dollars is equivalent to wolfram('1000 USD to EUR').'"], True),
        (_SHELL + "List the files in the current directory using Terminal.", ["To list the files in the current directory using Terminal, execute the following command: shell('ls').", "The files in the current directory are shell('ls')."], True),
        # One answers and cites the tool, the other defers to it: the first names the second's query.
        (_WIKI + "Who was the 16th President of the United States?", ["The 16th President of the United States was Abraham Lincoln. Learn more: wikipedia('Abraham Lincoln').", "The 16th president of the United States was wikipedia('16th president of the United States')"], True),
        (_TOOLS + "What is 12 times 7?", ["12 times 7 is calculator('12*7').", "calculator(\"12 * 7\")", "That is calculator('12*7')."], True),
        # Different actions: another number, another subject, another command, another tool, a negation.
        (_TOOLS + "What is 12 times 7?", ["12 times 7 is calculator('12*7').", "12 times 7 is calculator('12*8')."], False),
        (_TOOLS + "What's the weather in Paris?", ["The weather in Paris is search('weather in Paris').", "The weather in London is search('London weather')."], False),
        (_SHELL + "List the files in the current directory.", ["The files are shell('ls').", "The files are shell('rm -rf .')."], False),
        (_TOOLS + "How tall is Mount Everest?", ["Mount Everest is search('height of Mount Everest') tall.", "Mount Everest is calculator('8848') metres tall."], False),
        (_TOOLS + "Is the museum open on Mondays?", ["The museum is open on Mondays: search('museum opening hours Monday').", "The museum is not open on Mondays: search('museum opening hours Monday')."], False),
        # Calls of names the prompt does not offer are code, not tool use: judged as words.
        ("Write Python that greets the user.", ["print('Hello user')", "print('Goodbye user')"], False),
        ("Write a greeting.", ["Hello there: greet('world')", "Hi: greet('world')"], False),
    ],
)
def test_the_same_tool_call_worded_differently_is_not_a_contradiction(prompt: str, outputs: list[str], same: bool) -> None:
    assert same_answer(outputs, prompt) is same
    pairs = [(prompt, o) for o in outputs] + [(f"question {i}", f"answer {i}") for i in range(20)]
    split = make_context(make_dataset(pairs)).cached(conflict_split)
    assert (len(split.contradictions), len(split.equivalent)) == ((0, 1) if same else (1, 0))
