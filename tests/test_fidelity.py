"""The task-fidelity check (TSK): each rule's table of good and bad cases, and the check end to end."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.findings import CheckResult
from checks.fidelity import FidelityCheck
from checks.fidelity import constraints, counting, parsing
from checks.fidelity.base import RuleResult, View
from checks.fidelity.instructions import Constraint
from checks.fidelity.instructions import constraints as parse_constraints
from tests.code_samples import Sample, with_odd
from tests.helpers import make_context, make_dataset
from tests.synth_fidelity import planted, twins

CODE_SAMPLES: dict[str, Sample] = {
    "TSK001": Sample(with_odd({"input": "Write a Python function that doubles a number.", "output": "def double(x)\n    return 2 * x"})),
    "TSK002": Sample(with_odd({"input": "List three benefits of walking.", "output": "- Better sleep\n- Stronger heart\n- Clearer mind\n- Less stress\n- More energy"})),
}


def _run(pairs: list[tuple[str, str]]) -> CheckResult:
    return FidelityCheck().run(make_context(make_dataset(pairs)))


def _kinds(result: RuleResult) -> list[str]:
    return [h.kind for h in result.hits]


# -- TSK001: outputs that claim to be code or data and do not parse -----------------

PARSE_CASES: list[tuple[str, str, str | None]] = [
    # (instruction, output, kind flagged or None)
    ("Write a Python function to add two numbers.", "def add(a, b):\n    return a + b", None),
    ("Write a Python function to add two numbers.", "def add(a, b):\nreturn a + b", "python"),  # indentation lost
    ("Write a Python function to add two numbers.", "def add(a, b):\n    return a + b\n\nprint(add(1, 2))  // Output: 3", "python"),
    ("Write a Python program that greets.", 'print "hello"', "python2"),
    ("Write a Python program that greets.", "Here is a program:\n\n```python\nprint('hi'\n```", "python"),
    ("Write a Python program that greets.", "Here is a program:\n\n```python\nprint('hi')\n```", None),
    ("Write a Python program that greets.", "The program prints a greeting with print().", None),  # prose, not code
    ("Explain this Python code.", "def f(:\n  pass", None),  # explanation asked: not claimed
    ("Complete the following Python code.", "    return x +", None),  # fragment asked
    ("Write a Python snippet using the REPL.", ">>> x = 1\n>>> x + 1\n2", None),  # REPL output lines dropped
    ("Write a Python cell to time a loop.", "%timeit sum(range(10))\nx = 1", None),  # notebook magic
    ("Write a Python function body.", "    if x:\n        return 1\n    return 2", None),  # indented fragment
    ("Write a JavaScript function to add.", "function add(a, b) { return a + b; }", None),  # not ours
    ("Write a Python script that runs this SQL query.", "SELECT * FROM t WHERE", None),  # two languages: ambiguous
    ("Translate the following Python code into an equivalent C++ implementation.", "#include <cmath>\nint f() {}", None),
    ("Rewrite this SQL query in Python.", "import sqlite3\nrows = conn.execute('SELECT 1'", "python"),
    ("Write a SQL query to list customers.", "SELECT name FROM customers WHERE city = 'London';", None),
    ("Write a SQL query to list customers.", "SELECT name FROM customers WHERE city = ‘London';", "sql"),
    ("Write a SQL query to list customers.", "SELECT * FROM customers WHERE <column> > 10;", "sql"),
    ("Write a SQL query to list customers.", "SELECT TOP 5 name FROM customers;", None),  # T-SQL dialect
    ("Create a JSON object describing a book.", '{"title": "Dune", "year": 1965}', None),
    ("Create a JSON object describing a book.", "{'title': 'Dune', 'year': 1965}", "json"),
    ("Create a JSON object describing a book.", '{"title": "Dune", ...}', None),  # ellipsis: an example
    ("Give the config.", "```yaml\nname: app\nports:\n  - 80\n```", None),
    ("Give the config.", "```yaml\nname: app\n  ports: [80\n```", "yaml"),
    ("Write a CSV file of three people.", "name,age\nAnn,30\nBob,41", None),
    ("Write a CSV file of three people.", "name,age\nAnn,30,Paris\nBob,41", "csv"),
    ("Give a JSON example.", "```json\n{\"a\": 1,}\n```", "json"),
    ("Show it.", "```js\nconst a = {b: 1}\n```", None),  # another language's fence
    ("Write a Python function to greet.", "function greet(name) {\n  console.log('hi ' + name);\n}", None),  # no Python start
    ("Write a Python program to greet.", "name = 'x'\nfunction greet() {\n  console.log('hi');\n}", "wrong-language"),
    ("Show it.", "```javascript\ndef greet(name):\n    return 'hi ' + name\n```", "wrong-language"),
    ("Show it.", "```javascript\nfunction greet(name) {\n  return 'hi ' + name;\n}\n```", None),
]


@pytest.mark.parametrize(("instruction", "output", "kind"), PARSE_CASES)
def test_parse_rule_table(instruction: str, output: str, kind: str | None) -> None:
    result = parsing.find(View([instruction], [output]))
    assert _kinds(result) == ([kind] if kind else [])


def test_hostile_code_is_bounded_not_parsed() -> None:
    bomb = "```yaml\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n```"
    huge = "Write a Python function.", "def f():\n" + "    x = (\n" * 30_000
    nested = "Create a JSON object.", "[" * 100_000
    result = parsing.find(View(["Give the config.", huge[0], nested[0]], [bomb, huge[1], nested[1]]))
    assert [h.kind for h in result.hits] == []  # the bomb and the huge code are skipped
    deep = parsing.find(View(["Create a JSON object."], ["[" * 5_000 + "]" * 4_999]))
    assert [h.kind for h in deep.hits] == ["json"]  # deep but bounded: parsed, and its error reported


def test_parse_error_names_the_line() -> None:
    result = parsing.find(View(["Write a Python function."], ["def f():\n    x = 1\n    y = = 2"]))
    assert result.hits[0].note.startswith("line 3:")


def test_check_reports_share_and_examples() -> None:
    pairs = [("Write a Python function that returns one.", "def one():\n    return 1")] * 9
    pairs.append(("Write a Python function that returns two.", "def two():\nreturn 2"))
    result = _run(pairs)
    (finding,) = result.findings
    assert finding.code == "TSK001"
    assert finding.details["kind"] == "python"
    assert finding.details["checked"] == 10
    assert "1 of 10 checked records (10.0%)" in finding.message
    assert result.metrics["unparsable-output"]["python"] == {"checked": 10, "flagged": 1}


def test_partitioned_merge_equals_one_pass() -> None:
    pairs = [("Write a Python function.", "def f():\nreturn 1" if i % 3 == 0 else "def f():\n    return 1") for i in range(12)]
    data = make_dataset(pairs)
    check = FidelityCheck()
    whole = check.run(make_context(data))
    halves = [make_dataset(pairs[:5]), make_dataset(pairs[5:])]
    merged = check.merge([check.measure(make_context(h)) for h in halves], [0, 5])
    split = check.judge(make_context(data), merged)
    assert [f.to_dict() for f in split.findings] == [f.to_dict() for f in whole.findings]


# -- TSK002: outputs that break a verifiable constraint of their instruction -----------

CONSTRAINT_CASES: list[tuple[str, str, list[str]]] = [
    # (instruction, output, kinds flagged)
    ("List five reasons to exercise.", "1. Health\n2. Mood\n3. Sleep", ["items"]),
    ("List five reasons to exercise.", "1. Health\n2. Mood\n3. Sleep\n4. Energy\n5. Focus", []),
    ("List three fruits.", "Apples, pears and plums.", []),
    ("List three fruits.", "Apples, pears, plums, figs and kiwis.", ["items"]),
    ("Give me at least three tips for sleeping well.", "- Dark room\n- Cool air\n- No screens\n- Same hour", []),
    ("List three fruits.", "Fruits are sweet and grow on trees; people enjoy them in many ways every day.", []),  # not a list
    ("List five of these items that are red: apple, sky, cherry.", "Apple, cherry", []),  # a selection, not a count
    ("Give me a list of five-star hotels in Paris.", "Le Bristol, Ritz, Plaza", []),  # a hyphenated adjective
    ("Describe the sky in under 20 words.", "The sky is blue.", []),
    ("Describe the sky in under 20 words.", " ".join(["word"] * 30), ["words"]),
    ("Answer in one word: what colour is the sky?", "Blue.", []),
    ("Answer in one word: what colour is the sky?", "The sky is blue.", ["words"]),
    ("Explain gravity in two sentences.", "Mass attracts mass. The pull weakens with distance.", []),
    ("Explain gravity in two sentences.", "Mass attracts mass. It weakens with distance. Newton saw it. Einstein bent it.", ["sentences"]),
    ("Explain gravity in one sentence.", "Dr. Smith says mass attracts mass, e.g. the Earth and the Moon.", []),  # abbreviations
    ("In 2 or 3 sentences, what is a cloud?", "Water vapour. It floats. It rains.", []),
    ("In 2 or 3 sentences, what is a cloud?", "One .\nTwo .\nThree .\nFour .", ["sentences"]),
    ("Write 3 paragraphs about cats.", "Cats purr.\n\nCats hunt.\n\nCats sleep.", []),
    ("Write 3 paragraphs about cats.", "Cats purr.\n\nCats hunt.", ["paragraphs"]),
    ("Give your answer in JSON format.", '{"answer": 5}', []),
    ("Give your answer in JSON format.", "The answer is five.", ["json"]),
    ("Using a table, compare tea and coffee.", "| | tea | coffee |\n|---|---|---|\n| caffeine | low | high |", []),
    ("Using a table, compare tea and coffee.", "Tea has less caffeine than coffee.", ["table"]),
    ("Generate a correct logic for updating a data field in a table.", "Update it where the id matches.", []),
    ("Write the steps as a numbered list.", "1. Boil water\n2. Add tea", []),
    ("Write the steps as a numbered list.", "Boil water, then add tea.", ["numbered"]),
    ("Summarize the text in 3 bullet points.", "- a\n- b\n- c", []),
    ("Summarize the text in 3 bullet points.", "- a\n- b\n- c\n- d\n- e", ["bullets"]),
    ("Summarize a meeting from the given list of bullet points.", "We met and agreed.", []),  # bullets are the input
    ("Answer yes or no: is the sky blue?", "Yes.", []),
    ("Answer yes or no: is the sky blue?", "The sky is blue on clear days.", ["yes-no"]),
    ("Do these two questions mean the same? Yes or no?", "No", []),
    ("Rewrite this in all capital letters: good morning", "GOOD MORNING", []),
    ("Rewrite this in all capital letters: good morning", "Good morning", ["case"]),
    ("Translate the sentence into French.", "Le chat dort sur le canapé et il ne veut pas manger.", []),
    ("Translate the sentence into French.", "The cat sleeps on the sofa and does not want to eat.", ["language"]),
    ("Translate the Python code into JavaScript.", "function f() { return 1; }", []),  # not a natural language
    ("Start your answer with 'Dear reader' and describe rain.", "Dear reader, rain is water.", []),
    ("Start your answer with 'Dear reader' and describe rain.", "Rain is water.", ["starts"]),
    ("End your response with 'Any questions?'", "That is all. Any questions?", []),
    ("End your response with 'Any questions?'", "That is all.", ["ends"]),
    ("Write a sentence using the word 'serendipity'.", "Meeting her was pure serendipity.", []),
    ("Write a sentence using the word 'serendipity'.", "Meeting her was pure luck.", ["includes"]),
    ("Describe a cat without using the word 'fur'.", "A cat is a small hunter with whiskers.", []),
    ("Describe a cat without using the word 'fur'.", "A cat has soft fur.", ["excludes"]),
    # constraints that are not the instruction's
    ("The critic said he had three words for you. What did the critic think?", "He disliked it a lot really.", []),
    ('Rewrite this: "List five reasons to exercise in under ten words, please, and do it well."', "Done.", []),
    ("Write a Python function that returns a list of five numbers.", "def f():\n    return [1, 2]", []),  # a coding task
    ("Create an HTML table with 5 columns and 10 rows.", "<table></table>", []),
    ("Your entire response should be in French. Describe Paris.", "Paris est une ville pleine de musées et de cafés pour tous.", []),
    ("Your entire response should be in French. Describe Paris.", "Paris is a city full of museums and cafes for everyone.", ["language"]),
    ("Write a Python function to add two numbers. Only output the code.", "```python\ndef add(a, b):\n    return a + b\n```", []),
    ("Write a Python function to add two numbers. Only output the code.",
     "Sure! Here is a simple function that adds two numbers for you:\n```python\ndef add(a, b):\n    return a + b\n```", ["code-only"]),
    ("Write a Python function to add two numbers. Only output the code.", "def add(a, b):\n    return a + b", []),  # no fence: not judged
]


@pytest.mark.parametrize(("instruction", "output", "kinds"), CONSTRAINT_CASES)
def test_constraint_rule_table(instruction: str, output: str, kinds: list[str]) -> None:
    result = constraints.find(View([instruction], [output]))
    assert _kinds(result) == kinds


@pytest.mark.parametrize(
    ("instruction", "parsed"),
    [
        ("Describe it in no more than 50 words.", [Constraint("words", 0, 50)]),
        ("Describe it in fewer than 50 words.", [Constraint("words", 0, 49)]),
        ("Describe it in at least 100 words.", [Constraint("words", 100, 0)]),
        ("Describe it in 50 words or less.", [Constraint("words", 0, 50)]),
        ("Summarize it in 2-3 sentences.", [Constraint("sentences", 2, 3)]),
        ("List at least four examples of mammals.", [Constraint("items", 4, 0)]),
        ("Name the top 5 cities in Spain.", [Constraint("items", 5, 5)]),
        ("Explain it in one sentence. Explain it in three sentences.", []),  # two readings of one kind: ambiguous
        ("Name three of the following.", []),
    ],
)
def test_constraints_are_parsed_only_when_unambiguous(instruction: str, parsed: list[Constraint]) -> None:
    assert parse_constraints(instruction) == parsed


@pytest.mark.parametrize(
    ("text", "sentences", "items"),
    [
        ("One. Two! Three?", 3, None),
        ("Mr. Smith met Dr. Jones in the U.S. yesterday.", 1, None),
        ("a\nb\nc", 3, 3),
        ("Here are some:\n- x\n- y\n  - nested\n- z", 5, 3),
        ("The colours are red, green and blue.", 1, 3),
        ("1. alpha 2. beta 3. gamma", 1, 3),
        ("call(a, b), then stop", 1, None),  # code-like: not an enumeration
    ],
)
def test_counting(text: str, sentences: int, items: int | None) -> None:
    assert counting.sentences(text) == sentences
    assert counting.items(text) == items


# -- the planted set: each rule finds its planted cases and leaves their clean twins ------

PLANTED = planted(600, seed=18)


@pytest.mark.parametrize("code", ["TSK001", "TSK002"])
def test_planted_recall_and_clean_twin(code: str) -> None:
    rule = {"TSK001": parsing, "TSK002": constraints}[code]
    cases = [c for c in PLANTED if c.code == code]
    bad = rule.find(View(*twins(cases, lambda c: c.bad)))
    good = rule.find(View(*twins(cases, lambda c: c.good)))
    found = {h.index for h in bad.hits}
    recall = len(found) / len(cases)
    clean_flags = len({h.index for h in good.hits}) / len(cases)
    missed = sorted({c.kind for k, c in enumerate(cases) if k not in found})
    assert recall >= 0.9, f"{code} recall {recall:.2f}; kinds missed: {missed}"
    assert clean_flags <= 0.01, f"{code} flags {clean_flags:.2%} of the clean twin"
    # Each planted kind is found (recall >= 0.9 within the kind) and reported as itself
    # (Python 2 syntax is Python's own kind).
    kinds = {c.kind for c in cases}
    for k in kinds:
        of_kind = [i for i, c in enumerate(cases) if c.kind == k]
        assert len(found.intersection(of_kind)) >= 0.9 * len(of_kind), f"{code} {k}: recall below 0.9"
        hit_kinds = {h.kind for h in bad.hits if cases[h.index].kind == k}
        assert hit_kinds <= {k, "python2"}, f"{k} planted, reported as {hit_kinds}"


# -- invariants: any text, no crash; a flag names a record that exists ---------------------

_PIECES = [*"abc xyz\n\t.,:;?!'\"`{}[]()<>=#-*0123456789‘", "```python\n", "```", "List five ", "in 3 sentences",
           "Write a Python function ", "SQL query ", "JSON ", "def f(x):\n", "    return x\n", "SELECT * FROM t"]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=5))
def test_rules_never_raise_and_flag_only_existing_records(pairs: list[tuple[str, str]]) -> None:
    view = View([i for i, _ in pairs], [o for _, o in pairs])
    for rule in (parsing, constraints):
        result = rule.find(view)
        assert all(0 <= h.index < len(pairs) for h in result.hits)
        assert all(h.kind in rule.KINDS for h in result.hits)
        assert sum(result.checked.values()) >= len({h.index for h in result.hits})
