"""The duplicates check: exact groups, contradictions, near-duplicates, leakage, baseline, effective count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.findings import Severity
from auditor.core.registry import all_checks
from checks.count import CountCheck
from checks.duplicates import DuplicatesCheck
from checks.effective import effective
from tests.code_samples import Sample, lines, numbered, topical
from tests.helpers import make_context, make_dataset

STORY = "the old dragon lived in a cave near the sea and every morning it counted the gold coins it had taken from ships"
STORY_EDIT = STORY.replace("from ships", "from boats")  # one word: Jaccard 18/20 on the input
LONG_ANSWER = "once upon a time a dragon guarded a hoard of treasure and never let any sailor come near its cave at night"


def run(pairs, **config):
    ctx = make_context(make_dataset(pairs), **config)
    return ctx, DuplicatesCheck().run(ctx)


def by_code(result):
    return {f.code: f for f in result.findings}


@pytest.mark.parametrize(
    ("pairs", "metric", "value"),
    [
        ([("a", "b"), ("A ", "b"), ("c", "d")], "exact_duplicate_groups", 1),
        ([("a", "b"), ("A ", "b"), ("a", "b"), ("c", "d")], "exact_duplicate_records", 2),
        ([("Q?", "yes"), ("q?", "no")], "conflicting_input_groups", 1),
        ([("Q?", "yes"), ("q?", "no"), ("q?", "yes")], "conflicting_records", 3),
        # Near-identical outputs (case, whitespace, trailing punctuation) are not contradictions.
        ([("Capital of France?", "Paris."), ("capital of france?", "paris"), ("capital of france?", " Paris !")], "conflicting_input_groups", 0),
        ([(STORY, LONG_ANSWER), (STORY_EDIT, LONG_ANSWER)], "near_duplicate_clusters", 1),
        ([(STORY, LONG_ANSWER), (STORY_EDIT, LONG_ANSWER)], "near_duplicate_records", 1),
        ([(STORY, "a"), ("something else entirely different here", "b")], "near_duplicate_clusters", 0),
    ],
)
def test_metrics_table(pairs, metric, value):
    _, result = run(pairs)
    assert result.metrics[metric] == value


def test_metrics_always_present():
    _, result = run([("a", "b")])
    for key in (
        "exact_duplicate_groups",
        "exact_duplicate_records",
        "near_duplicate_clusters",
        "near_duplicate_records",
        "conflicting_input_groups",
        "conflicting_records",
    ):
        assert result.metrics[key] == 0
    assert "leaked_records" not in result.metrics


def test_contradictions_list_every_output_per_group():
    pairs = [("What is 2+2?", "4"), ("what is 2+2?", "5"), ("what is 2+2? ", "four"), ("x", "y")]
    _, result = run(pairs)
    finding = by_code(result)["DUP002"]
    assert finding.ids == (1, 2, 3)
    assert finding.groups == ("conflict-1",) * 3
    (group,) = finding.details["groups"]
    assert [o["output"] for o in group["outputs"]] == ["4", "5", "four"]
    assert finding.severity is Severity.BLOCKER  # 3 of 4 records: far above 5%


def test_findings_carry_group_ids_aligned_with_ids():
    pairs = [("a", "b"), ("a", "b"), ("c", "d"), ("c", "d"), ("c", "d"), (STORY, LONG_ANSWER), (STORY_EDIT, LONG_ANSWER)]
    _, result = run(pairs)
    exact, near = by_code(result)["DUP001"], by_code(result)["DUP003"]
    assert list(zip(exact.ids, exact.groups)) == [(1, "exact-1"), (2, "exact-1"), (3, "exact-2"), (4, "exact-2"), (5, "exact-2")]
    assert list(zip(near.ids, near.groups)) == [(6, "near-1"), (7, "near-1")]
    assert exact.count == 3 and near.count == 1


@pytest.mark.parametrize(
    ("copies", "total", "severity"),
    [(0, 200, None), (1, 200, Severity.INFO), (2, 100, Severity.WARNING), (30, 100, Severity.BLOCKER)],
)
def test_exact_severity_by_share(copies, total, severity):
    pairs = [(f"question number {i}", f"answer {i}") for i in range(total - copies)]
    pairs += [pairs[0]] * copies
    _, result = run(pairs)
    finding = by_code(result).get("DUP001")
    assert (finding.severity if finding else None) is severity


def test_share_thresholds_are_configurable():
    pairs = [(f"question number {i}", f"answer {i}") for i in range(98)] + [("question number 0", "answer 0")] * 2
    _, result = run(pairs, duplicates__warning_share=0.5, duplicates__blocker_share=0.9)
    assert by_code(result)["DUP001"].severity is Severity.INFO


def test_open_task_makes_repeats_information():
    pairs = [("write a review of a phone", "great phone"), ("write a review of a phone", "battery dies fast")]
    ctx, result = run(pairs, task="open")
    assert "DUP002" not in by_code(result)
    assert by_code(result)["DUP005"].severity is Severity.INFO
    assert ctx.cached(effective).removed_conflicting == 0


def test_open_category_detected_per_template():
    # Template "review": every repeated input has several outputs (by design); "qa": one real contradiction.
    pairs, cats = [], []
    for i in range(6):
        for out in ("good", "bad", "fine"):
            pairs.append((f"write a review of product {i}", f"a {out} product, number {i} in my list of things I bought"))
            cats.append("review")
    for i in range(6):
        pairs.append((f"what is {i} + 1?", f"the sum of {i} and one is {i + 1}"))
        cats.append("qa")
    pairs += [("what is 0 + 1?", "the sum of 0 and one is 2"), ("what is 1 + 1?", "the sum of 1 and one is 2")]
    cats += ["qa", "qa"]
    ctx = make_context(make_dataset(pairs, categories=cats))
    result = DuplicatesCheck().run(ctx)
    codes = by_code(result)
    assert result.metrics["open_categories"] == ["review"]
    assert result.metrics["conflicting_input_groups"] == 1
    assert codes["DUP002"].ids == (19, 25)
    assert len(codes["DUP005"].details["largest_groups"]) == 6


def test_explicit_generation_task_never_guesses_open():
    pairs = [(f"write a review of product {i}", f"{out} {i}") for i in range(6) for out in ("good", "bad")]
    ctx = make_context(make_dataset(pairs, categories=["review"] * len(pairs)), task="generation")
    assert DuplicatesCheck().run(ctx).metrics["conflicting_input_groups"] == 6


def test_chat_compares_the_whole_conversation_before_the_final_turn():
    # Same last user turn, different history: different inputs, so no contradiction.
    first = "user: I want to fly to Paris\nassistant: When?\nuser: tomorrow"
    second = "user: I want to fly to Rome\nassistant: When?\nuser: tomorrow"
    messages = [
        [{"role": "user", "content": "I want to fly to Paris"}, {"role": "assistant", "content": "When?"}, {"role": "user", "content": "tomorrow"}, {"role": "assistant", "content": "Booked Paris."}],
        [{"role": "user", "content": "I want to fly to Rome"}, {"role": "assistant", "content": "When?"}, {"role": "user", "content": "tomorrow"}, {"role": "assistant", "content": "Booked Rome."}],
    ]
    ctx = make_context(make_dataset([(first, "Booked Paris."), (second, "Booked Rome.")], messages=messages))
    assert DuplicatesCheck().run(ctx).metrics["conflicting_input_groups"] == 0


def test_shared_system_prompt_does_not_make_chat_records_alike():
    system = " ".join(f"rule{i} always answer politely and cite the handbook section {i}" for i in range(25))
    pairs = [
        (f"system: {system}\nuser: question {i} about topic t{i} and detail d{i}", f"answer {i} covering t{i} with d{i} and more")
        for i in range(120)
    ]
    _, result = run(pairs)
    assert result.metrics["near_duplicate_clusters"] == 0 and result.metrics["near_input_clusters"] == 0
    assert result.metrics["boilerplate_shingles"]["input"] > 100
    _, without = run(pairs, duplicates__boilerplate_share=1.0)
    assert without.metrics["near_input_records"] > 100  # what the rule prevents: every input alike
    assert without.metrics["near_duplicate_records"] == 0  # (the outputs differ, so never whole examples)


@pytest.mark.parametrize("same_output", [False, True])
def test_short_user_turns_under_one_system_prompt(same_output):
    """A user turn shorter than a shingle is a slot in the shared prompt: the inputs compare whole and
    are alike. Different answers keep the examples apart (DUP004 at most); one answer to all makes
    them copies of one example. (Answers repeating the slot, 'answer {i}', are answers to other requests:
    see test_same_request_or_another.) The texts here are the input as given: a chat the loader read has
    its system turn cut off before comparing (test_load_public_shapes: the short turns are then compared
    as themselves)."""
    system = " ".join(f"rule{i} always answer politely and cite the handbook section {i}" for i in range(25))
    pairs = [(f"system: {system}\nuser: question {i}", "we cannot say" if same_output else f"answer covering t{i}") for i in range(120)]
    _, result = run(pairs)
    assert result.metrics["near_duplicate_records"] == (119 if same_output else 0)
    assert ("DUP004" in by_code(result)) is not same_output


def test_different_answers_to_one_long_input_are_not_near_duplicate_examples():
    """Issue 17: the union of input and output shingles is dominated by a long input, so two short
    answers to nearly one input reached Jaccard 0.8 as whole examples; an example is a near-duplicate
    only when its output is one too."""
    passage = " ".join(f"sentence {i} of the passage says something about item {i} and its place" for i in range(12))
    pairs = [(f"{passage} question: which item is the best?", "the first one"), (f"{passage} question: which item is the worst?", "the last one")]
    _, result = run(pairs)
    assert result.metrics["near_duplicate_clusters"] == 0
    assert list(by_code(result)["DUP004"].ids) == [1, 2]  # the same request but one word, another answer


_PASSAGE = " ".join(f"sentence {i} of the passage says something about item {i} and its place" for i in range(12))


@pytest.mark.parametrize(
    ("questions", "flagged"),
    [
        # Contrast questions picking other spans of the shared passage: each answer is right.
        (("which item comes first?", "which item comes last?"), False),
        # The same question up to punctuation, two spans: one of them is wrong.
        (("which item comes first?", "which item comes first ?!"), True),
    ],
)
def test_answers_drawn_from_a_shared_passage(questions, flagged):
    """DUP004 leaves out records whose answer every input of the cluster holds (a span, a name, an
    offered option): near-identical questions over one text that pick different spans are contrast
    questions ('more' vs 'less'), unless the inputs differ by punctuation alone."""
    pairs = [(f"{_PASSAGE} question: {q}", answer) for q, answer in zip(questions, ("item 0", "item 11"))]
    _, result = run(pairs)
    assert result.metrics["near_duplicate_clusters"] == 0
    assert ("DUP004" in by_code(result)) is flagged


def test_a_paraphrased_request_with_the_same_long_answer_is_a_near_duplicate():
    """The whole example is compared (input and output shingles together): a short instruction
    reworded around one long output is one example twice (GPTeacher codegen has such pairs)."""
    code = " ".join(f"line {i}: total = total + value_{i} * weight_{i}" for i in range(10))
    pairs = [("Write a Python function that sums the weighted values.", code), ("Create a Python function to sum the weighted values.", code)]
    _, result = run(pairs)
    assert result.metrics["near_duplicate_clusters"] == 1


def test_other_questions_on_a_shared_passage_are_not_similar_inputs():
    """Inputs within Jaccard 0.8 only through a long shared passage ask different things: each holds
    a question of a shingle or more that the other lacks, so DUP004 does not call them similar."""
    passage = " ".join(f"sentence {i} of the passage says something about item {i} and its place" for i in range(12))
    pairs = [
        (f"{passage} question: which item is said to come first in the passage?", "item 0"),
        (f"{passage} question: how many sentences does the whole passage hold?", "twelve"),
    ]
    _, result = run(pairs)
    assert result.metrics["near_input_clusters"] == 1 and result.metrics["similar_input_clusters"] == 0
    assert "DUP004" not in by_code(result)


_TOOLS = (
    "You have these tools. python(code) runs Python code and returns what it prints. wikipedia(title) returns the "
    "summary of the Wikipedia page with that title. search(query) returns the top web results for the query. "
    "weather(place) returns the current weather at the place. Answer the request with one call to one tool.\n"
)
_PLOT = (
    "Jimmie Rainwood is an airline maintenance supervisor living a quiet life in a suburb with his wife Kate. "
    "Two narcotics detectives raid the wrong house one night, and when Jimmie comes out holding a hair dryer "
    "they shoot him and plant drugs to cover their mistake. Convicted and sent to prison, he learns to survive "
    "among hardened inmates, and after his release he and Kate set out to prove that the detectives framed him.\n"
)


@pytest.mark.parametrize(
    ("inputs", "outputs", "flagged"),
    [
        # Another question on one passage: the question line is the request, most of it changed.
        ((f"Answer from the plot.\nQuestion: What is Jimmie's job?\nPlot: {_PLOT}", f"Answer from the plot.\nQuestion: Who is Kate?\nPlot: {_PLOT}"),
         ("He supervises aircraft repairs.", "Jimmie's spouse."), False),
        # Another seed for a generated question on one passage.
        ((f"Generate a question that has the following answer:\nJimmie\nfor the following movie plot:\n{_PLOT}",
          f"Generate a question that has the following answer:\nhair dryer\nfor the following movie plot:\n{_PLOT}"),
         ("Who is shot by the detectives?", "What is Jimmie holding?"), False),
        # Another slot value (a number, a proper noun) that each output repeats: another request.
        ((f"{_TOOLS}Request: the volume of a sphere with radius 4.", f"{_TOOLS}Request: the volume of a sphere with radius 5."),
         ("The volume for radius 4 is python('4/3 * 3.14159 * 4**3')", "The volume for radius 5 is python('import math; 4/3*math.pi*5**3')"), False),
        ((f"{_TOOLS}Request: what was the significance of the Battle of Waterloo?", f"{_TOOLS}Request: what was the significance of the Battle of Hastings?"),
         ("It is wikipedia('Battle of Waterloo')", "The significance of Hastings: wikipedia('Battle of Hastings significance')"), False),
        # The same request up to punctuation, or a reworded verb, or one word of it: two outputs to one request.
        ((f"{_TOOLS}Request: what is the weather in New York City.", f"{_TOOLS}Request: what is the weather in New York City"),
         ("The weather is weather('New York City')", "Here it is: weather('NYC weather')"), True),
        (("Write a C++ function that returns the factorial of 6 using recursion, and print the result",
          "Implement a C++ function that returns the factorial of 6 using recursion, and print the result"),
         ("int f(int n) { return n < 2 ? 1 : n * f(n - 1); }", "long fact(long n) { if (n <= 1) return 1; return n * fact(n - 1); }"), True),
        ((f"{_TOOLS}Request: the latest updates on COVID-19 vaccines.", f"{_TOOLS}Request: the latest updates on COVID-19 vaccinations."),
         ("Latest on vaccines: search('COVID-19 vaccines')", "Updates on vaccinations: search('COVID-19 vaccination news')"), True),
        # A name changed that the outputs do not repeat: the same word problem answered twice.
        (("Josie buys 2 tapes at $9 each and a $25 headphone set. She had $50. How much does she have left?",
          "Amanda buys 2 tapes at $9 each and a $25 headphone set. She had $50. How much does she have left?"),
         ("2 * 9 + 25 = 43, so 50 - 43 = 7 dollars are left.", "She spends 18 + 25 = 43 and keeps 7."), True),
    ],
    ids=["other-question", "other-seed", "other-number", "other-name", "punctuation", "reworded-verb", "one-word-of-the-request", "unrepeated-name"],
)
def test_same_request_or_another(inputs, outputs, flagged):
    """DUP004 reports near-identical inputs with other outputs only when they make one request: not when
    what differs is most of a request segment over shared context, nor a number or proper noun each
    output repeats (checks.samerequest)."""
    _, result = run(list(zip(inputs, outputs)))
    assert result.metrics["similar_input_clusters"] == 1  # every row is similar inputs to the old rule
    assert ("DUP004" in by_code(result)) is flagged


def test_same_request_partners_are_capped(monkeypatch):
    """A record is compared with at most PARTNERS other inputs: with none allowed, only a partner of the
    very same input counts, so the punctuation pair (which needs one comparison) is no longer flagged."""
    import checks.duplicates as duplicates_module

    inputs = (f"{_TOOLS}Request: what is the weather in New York City.", f"{_TOOLS}Request: what is the weather in New York City")
    pairs = list(zip(inputs, ("The weather is weather('New York City')", "Here it is: weather('NYC weather')")))
    assert "DUP004" in by_code(run(pairs)[1])
    monkeypatch.setattr(duplicates_module, "PARTNERS", 0)
    assert "DUP004" not in by_code(run(pairs)[1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["Question:", "what", "is", "Jimmie's", "job", "Kate", "radius", "4", "5", "\n", "the", "news"]), min_size=1, max_size=12),
    st.lists(st.sampled_from(["what", "is", "Kate", "job", "4", "5", "news", "the"]), max_size=6),
    st.lists(st.sampled_from(["what", "is", "Kate", "job", "4", "5", "news", "the"]), max_size=6),
)
def test_different_requests_is_symmetric(words, out_a, out_b):
    from checks.samerequest import Tokens, different_requests

    a = " ".join(words)
    b = " ".join(words[:-1] + ["Robby"])
    pa, pb = Tokens.of(a), Tokens.of(b)
    assert different_requests(pa, pb, " ".join(out_a), " ".join(out_b)) == different_requests(pb, pa, " ".join(out_b), " ".join(out_a))
    assert not different_requests(pa, pa, " ".join(out_a), " ".join(out_b))  # one input is one request


def test_eval_leakage_exact_and_near():
    train = [(STORY, LONG_ANSWER), ("unrelated question here", "unrelated answer"), ("What is 2+2?", "4")]
    evals = make_dataset([(STORY_EDIT, "a different answer"), ("what is 2+2?", "four")], ids=["e1", "e2"])
    ctx = make_context(make_dataset(train), others={"eval": evals})
    result = DuplicatesCheck().run(ctx)
    leak = by_code(result)["DUP006"]
    assert result.metrics["leaked_records"] == 2
    assert leak.severity is Severity.BLOCKER
    assert dict(zip(leak.ids, leak.groups)) == {1: "eval:e1", 3: "eval:e2"}


def test_baseline_duplicates():
    base = make_dataset([(STORY, LONG_ANSWER), ("old q", "old a")], ids=["b1", "b2"])
    batch = [(STORY_EDIT, LONG_ANSWER), ("new q", "new a"), ("old q", "old a")]
    ctx = make_context(make_dataset(batch), others={"baseline": base})
    result = DuplicatesCheck().run(ctx)
    assert result.metrics["baseline_duplicate_records"] == 2
    assert dict(zip(by_code(result)["DUP007"].ids, by_code(result)["DUP007"].groups)) == {1: "baseline:b1", 3: "baseline:b2"}


def test_count_check_uses_the_same_effective_definition():
    pairs = [("a", "b"), ("a", "b"), ("q", "yes"), ("q", "no"), (STORY, LONG_ANSWER), (STORY_EDIT, LONG_ANSWER), ("z", "w")]
    ctx = make_context(make_dataset(pairs))
    count = CountCheck().run(ctx).metrics
    dup = DuplicatesCheck().run(ctx).metrics
    assert count["effective_examples"] == dup["effective_examples"] == 3
    assert (count["removed_exact_duplicates"], count["removed_near_duplicates"], count["removed_conflicting"]) == (1, 1, 2)


def test_empty_dataset_is_skipped():
    assert DuplicatesCheck().run(make_context(make_dataset([]))).status.value == "skipped"


def test_registered_with_unique_codes():
    names = [c.name for c in all_checks()]
    assert "duplicates" in names
    codes = [i.code for i in DuplicatesCheck.codes]
    assert codes == sorted(set(codes)) and all(c.startswith("DUP") for c in codes)


def test_deterministic_for_a_seed():
    from tests.synth_duplicates import generate

    syn = generate(600, seed=3)
    pairs = list(zip(syn.inputs, syn.outputs))
    a = run(pairs, duplicates__exact_below=0)[1]
    b = run(pairs, duplicates__exact_below=0)[1]
    assert a.metrics == b.metrics
    assert [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]


texts = st.sampled_from(["a b", "A b", "c", "the old dragon", "x y z w v u", "x y z w v t"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=25))
def test_effective_accounts_for_every_record(pairs):
    ctx = make_context(make_dataset(pairs))
    eff = ctx.cached(effective)
    assert eff.count + eff.removed_exact + eff.removed_near + eff.removed_conflicting == len(pairs)
    result = DuplicatesCheck().run(ctx)
    # Every exact group keeps exactly one record unless it is in a contradiction.
    assert result.metrics["exact_duplicate_records"] >= eff.removed_exact


@pytest.mark.parametrize("exact_below", [0, 5000])
@pytest.mark.parametrize(
    "pairs",
    [[("", "")] * 3, [("", ""), ("a", "")], [("", "x y z w v u"), ("", "x y z w v u t")], [("one", "two")]],
)
def test_degenerate_texts_on_both_search_paths(pairs, exact_below):
    _, result = run(pairs, duplicates__exact_below=exact_below)
    assert result.metrics["records"] == len(pairs)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=2, max_size=20))
def test_lsh_and_exact_paths_agree_on_small_inputs(pairs):
    lsh = run(pairs, duplicates__exact_below=0)[1].metrics
    exact = run(pairs, duplicates__exact_below=5000)[1].metrics
    for key in ("near_duplicate_clusters", "near_duplicate_records", "near_input_clusters", "similar_input_clusters", "effective_examples"):
        assert lsh[key] == exact[key]


def test_similar_inputs_with_different_outputs_are_information():
    # Inputs one word apart (Jaccard 18/20), outputs unrelated: DUP004, not a near-duplicate example.
    pairs = [(STORY, "the dragon had four hundred coins"), (STORY_EDIT, "nobody knows how many coins there were in the end")]
    _, result = run(pairs)
    finding = by_code(result)["DUP004"]
    assert finding.severity is Severity.INFO
    assert list(zip(finding.ids, finding.groups)) == [(1, "similar-input-1"), (2, "similar-input-1")]
    assert result.metrics["near_duplicate_clusters"] == 0 and result.metrics["near_input_clusters"] == 1


@pytest.mark.parametrize("code", [info.code for info in DuplicatesCheck.codes])
def test_every_code_is_documented(code):
    info = next(i for i in DuplicatesCheck.codes if i.code == code)
    assert info.summary and info.why and info.fix and info.threshold


def test_contradictions_with_the_baseline() -> None:
    """A batch input accepted before with another answer is flagged; the same answer (loosely) is not."""
    from checks.duplicates import DuplicatesCheck
    from tests.helpers import make_context, make_dataset

    baseline = make_dataset(
        [("How do I reset my password?", "Use the link on the login page."), ("Where is my parcel?", "It ships today.")],
        ids=["old1", "old2"],
    )
    batch = make_dataset(
        [
            ("how do I reset my  password?", "Call support to reset it."),  # contradicts old1
            ("Where is my parcel?", "it ships today"),  # agrees with old2 up to case and punctuation
            ("A brand new question here", "A new answer."),
        ]
    )
    result = DuplicatesCheck().run(make_context(batch, others={"baseline": baseline}))
    (finding,) = [f for f in result.findings if f.code == "DUP008"]
    assert finding.ids == (1,) and finding.groups == ("baseline:old1",)
    assert finding.details["examples"][0]["baseline_output"] == "Use the link on the login page."
    assert result.metrics["baseline_conflicting_records"] == 1
    opened = DuplicatesCheck().run(make_context(batch, others={"baseline": baseline}, task="open"))
    assert "DUP008" not in {f.code for f in opened.findings}


# --- one sample per code, run by the registry meta-test (tests/test_registry_samples.py) ---

CODE_SAMPLES: dict[str, Sample] = {
    "DUP001": Sample(lines(numbered(30) + numbered(3))),
    "DUP002": Sample(lines(numbered(30) + [{"input": "distinct question number 0 about item 0", "output": "a different answer"}])),
    "DUP003": Sample(lines(topical(30) + [{**r, "id": f"copy{i}", "output": r["output"] + " Thanks."} for i, r in enumerate(topical(3))])),
    "DUP004": Sample(lines(topical(30) + [{"id": f"alt{i}", "input": r["input"] + " please", "output": f"A wholly different reply {i}."} for i, r in enumerate(topical(3))])),
    "DUP005": Sample(lines(numbered(30) + [{"input": "distinct question number 0 about item 0", "output": "another valid answer"}]), {"task": "open"}),
    "DUP006": Sample(lines(numbered(30)), files={"eval": ("eval.jsonl", lines(numbered(2)))}),
    "DUP007": Sample(lines(numbered(30)), files={"baseline": ("accepted.jsonl", lines(numbered(2)))}),
    "DUP008": Sample(
        lines(numbered(30)),
        files={"baseline": ("accepted.jsonl", lines([{"input": "distinct question number 0 about item 0", "output": "an answer accepted earlier"}]))},
    ),
}
