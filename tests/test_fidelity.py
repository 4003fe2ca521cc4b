"""The task-fidelity check (TSK): each rule's table of good and bad cases, and the check end to end."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.findings import CheckResult
from checks.fidelity import FidelityCheck
from checks.fidelity import constraints, counting, parsing
from checks.fidelity.base import RuleResult, View
from checks.fidelity.instructions import Constraint
from checks.fidelity.instructions import constraints as parse_constraints
from checks.fidelity.rules import RULES
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
    for rule in RULES:
        result = rule.find(view)
        assert all(0 <= h.index < len(pairs) for h in result.hits)
        assert all(h.kind in rule.KINDS for h in result.hits)
        assert sum(result.checked.values()) >= len({h.index for h in result.hits})


# == tsk18b: arithmetic, statistics, missing context, impossible actions ================

from checks.fidelity import actions, arithmetic, context, final_answer, merged, placeholder, statistics  # noqa: E402

CODE_SAMPLES.update(
    {
        "TSK005": Sample(with_odd({"input": "Tom has 48 apples and gets 24 more. How many?", "output": "He has 48 + 24 = 73 apples."})),
        "TSK007": Sample(with_odd({"input": "Calculate the median of the following data set.\n\n1, 2, 4, 5, 8, 9", "output": "5"})),
        "TSK008": Sample(with_odd({"input": "Summarize the given article in 200 Words.\n\nhttps://www.bbc.com/news/world-51461830", "output": "The protests in Belarus grew."})),
        "TSK009": Sample(with_odd({"input": "Increase the font size to 12 points.", "output": "The font size has been increased to 12 points."})),
        "TSK010": Sample(with_odd({"input": "Design a logo for a bakery.", "output": "<image of a croissant inside a circle>"})),
        "TSK011": Sample(with_odd({"input": "Should I invest in stocks?", "output": "It depends on your situation.\n##\n18. Instruction: Identify the noun in the following sentence:\n18. Input:\nThe large apple was delicious.\n18. Output:\nApple"})),
        "TSK006": Sample(with_odd({"input": "Tom has 48 apples and gets 24 more. How many?", "output": "He has 48 + 24 = 72 apples.\n#### 74"})),
    }
)

# -- TSK005: wrong arithmetic -------------------------------------------------------------

ARITHMETIC_CASES: list[tuple[str, str | None]] = [
    # (output, kind flagged or None)
    ("Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 24", None),
    ("Natalia sold 48/2 = <<48/2=25>>25 clips in May.\n#### 25", "annotation"),
    ("Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.", None),
    ("A third is <<1/3=0.33>>0.33 of it.", None),  # rounded to the decimals shown
    ("The total change is <<-36+13+-15+-10=-48>>-48 degrees.", None),  # negative operands and result
    ("The total change is <<-36+13+-15+-10=-46>>-46 degrees.", "annotation"),
    ("He adds <<+30+46=76>>76 more.", None),  # a leading plus
    ("Each box holds <<560//10=56>>56.", None),  # floor division
    ("A third is <<1/3=0.3333>>0.3333 of it.", None),
    ("She spends 7+9+1+2 = $19.50 per week.", "prose"),
    ("He has 48 + 24 = 72 apples.", None),
    ("He has 48 + 24 = 73 apples.", "prose"),
    ("The total is $1,200 + $300 = $1,500.", None),  # thousands separators and currency
    ("In 5 years the town grew by 467 000 - 450 000 = 17 000 people.", None),  # space-separated thousands
    ("That is 2400 / 200 = 12 200-pound bags.", None),  # '12 200' is not twelve thousand two hundred
    ("Food is 30% * $1000 = $300.", None),  # percent as a fraction
    ("The risk is 60% * 40% = 24%.", None),
    ("After the discount it costs 80 - 25% = 60 dollars.", None),  # percent of the left operand
    ("He gets 3 x 4 = 12 points.", None),  # x as the multiplication sign
    ("He gets 3 × 4 = 13 points.", "prose"),
    ("They need 50/3 = 17 buses.", None),  # the ceiling after a division
    ("It takes 25 / 1/3 = 75 steps.", None),  # a tight fraction is one number
    ("She worked 5 + 3 x 2 = 16 hours.", None),  # left to right, as on a calculator
    ("So 2x + 3 = 7 gives x = 2.", None),  # a variable: not a calculation
    ("She has 60 students x 2/3 = 40 students.", None),  # a unit inside the expression
    ("We have 8/3 = 24/y, so y = 9.", None),  # the result starts a longer expression
    ("It is not true that 2 + 2 = 5.", None),  # negated
    ("The claim 2 + 2 = 5 is false.", None),
    ("In binary, 1 + 1 = 10.", None),  # another number system
    ("The meeting moves from 0900-0130 = 0730.", None),  # clock times
    ("Each pays $1 / 2 = 50 cents.", None),  # cents
    ("mean = (3+5+8+9+10)/5 = 7.2", "prose"),
    ("The proportions total 2.46 because .8 + . 84 + .82 = 2.46", None),  # '. 84' is .84 split by a typo
    ("Then 2^10 = 1024 bytes.", None),
    ("Then 9^9^9 = 1 is absurd.", None),  # a power too large is not judged (and does not hang)
    ("The ratio is 3:2 = 1.5.", None),
]


@pytest.mark.parametrize(("output", "kind"), ARITHMETIC_CASES)
def test_arithmetic_rule_table(output: str, kind: str | None) -> None:
    result = arithmetic.find(View(["Solve the problem."], [output]))
    assert _kinds(result) == ([kind] if kind else [])


def test_arithmetic_note_gives_the_true_value() -> None:
    result = arithmetic.find(View(["Add."], ["So 70 + 40 = 100 people came."]))
    assert result.hits[0].note == "70 + 40 = 100 (is 110)"


# (flagged, checked, severity): a blocker needs a slip *rate* of 2 % shown with 95 % confidence and more
# than one slip. The first two rows blocked on the point share before (gpteacher-codegen's one wrong sum
# among its 8 records with prose arithmetic, 12.5 %).
HABIT_CASES: list[tuple[int, int, str]] = [
    (1, 8, "warning"),
    (1, 1, "warning"),
    (2, 60, "warning"),
    (1, 100, "warning"),
    (0, 100, "warning"),
    (3, 8, "blocker"),
    (2, 10, "blocker"),
    (10, 100, "blocker"),
    (60, 1000, "blocker"),
    (25, 1000, "warning"),
]


@pytest.mark.parametrize(("flagged", "checked", "expected"), HABIT_CASES)
def test_arithmetic_blocks_on_a_shown_habit(flagged: int, checked: int, expected: str) -> None:
    config = {"fidelity.arithmetic_blocker_share": 0.02}
    assert arithmetic.severity(flagged, checked, 5000, config).value == expected


@given(st.integers(0, 400), st.integers(1, 400))
def test_habit_bound_is_below_the_share_and_monotone(flagged: int, checked: int) -> None:
    k = min(flagged, checked)
    if k == 0:
        return
    low = arithmetic.habit_lower_bound(k, checked)
    assert 0.0 <= low <= k / checked
    if k < checked:
        assert arithmetic.habit_lower_bound(k + 1, checked) >= low


def test_arithmetic_is_a_blocker_only_above_its_share() -> None:
    good = ("Add them.", "So 2 + 3 = 5 in all.")
    few = _run([good] * 99 + [("Add them.", "So 2 + 3 = 6 in all.")])
    many = _run([good] * 90 + [("Add them.", "So 2 + 3 = 6 in all.")] * 10)
    assert [f.severity.value for f in few.findings if f.code == "TSK005"] == ["warning"]
    assert [f.severity.value for f in many.findings if f.code == "TSK005"] == ["blocker"]


# -- TSK006: the final answer does not follow from the last step ------------------------

FINAL_CASES: list[tuple[str, str | None]] = [
    ("She sold 48+24 = <<48+24=72>>72 clips.\n#### 72", None),
    ("Including his bonus, he scored 48 + 16 = <<48+16=64>>64 points.\n#### 66", "final-answer"),
    ("So it cost 1,000 + 500 = $1,500.\n#### 1,500", None),
    ("The grocery store is .50-.25 = $0.25 more expensive per can\n#### 25", None),  # asked in cents
    ("It took three days for the beanstalk to pass the window.\n#### 3", None),  # a number word
    ("The average is 10 / 3 = 3.33 hours.\n#### 3.33", None),
    ("Each gets 17 000/5 = 3 400 people.\n#### 3400", None),  # space-separated thousands
    ("The answer is shown above.\n#### x + 2", None),  # not a number: not judged
    ("No digits in the working here.\n#### 5", None),
    ("Total: 70 + 40 = 100 people.\n#### 110", "final-answer"),
    ("A solution with no final line: 2 + 2 = 4.", None),
]


@pytest.mark.parametrize(("output", "kind"), FINAL_CASES)
def test_final_answer_rule_table(output: str, kind: str | None) -> None:
    result = final_answer.find(View(["Solve the problem."], [output]))
    assert _kinds(result) == ([kind] if kind else [])


# -- TSK007: wrong statistics of numbers the input gives ---------------------------------

STAT_CASES: list[tuple[str, str, str | None]] = [
    # (input: instruction, blank line, material; output; kind flagged or None)
    ("Calculate the median of the following data set.\n\n1, 2, 4, 5, 8, 9", "5", "median"),  # the cleaned-Alpaca case
    ("Calculate the median of the following data set.\n\n1, 2, 4, 5, 8, 9", "4.5", None),
    ("Calculate the median of the following data set.\n\n1, 2, 4, 5, 8, 9", "The median is 4.5.", None),
    ("Round the median of the following data set to an integer.\n\n1, 2, 4, 5, 8, 9", "5", None),  # rounding asked
    ("Find the sum of the numbers in the given list.\n\nlist = [1, 4, 6, 8]", "19", None),
    ("Find the sum of the numbers in the given list.\n\nlist = [1, 4, 6, 8]", "20", "sum"),
    ("Compute the sum of the first 10 numbers in an array.\n\n[2, 4, 6, 7, 8, 10, 12, 14, 16, 18]", "100", "sum"),
    ("Compute the sum of the first 3 numbers in an array.\n\n[2, 4, 6, 7]", "12", None),  # a subset: not judged
    ("Calculate the average of the numbers in the following array.\n\n[3, 10, 7, 4]", "The average of the numbers in the array is 6.", None),
    ("Calculate the mean of the following list\n\n[2, 4, 5, 9, 14]", "6.8", None),
    ("Calculate the mean of the following list\n\n[2, 4, 5, 9, 14]", "7", "mean"),  # 6.8 written as a whole number
    ("Calculate the mean of this list [3, 5, 8, 9, 10]", "mean = (3+5+8+9+10)/5 = 7.2", "mean"),
    ("Find the largest number in the array\n\n[3, 6, 7, 4, 2, 1]", "7", None),
    ("Find the largest number in the array\n\n[3, 6, -7, 4, 2, 1]", "-7", "maximum"),
    ("Find the smallest number in the list.\n\n[4, -2, 9]", "-2", None),
    ("Find the smallest prime number in the list.\n\nList = [4,7,11,13,15]", "The smallest prime number in the list is 7.", None),
    ("Count the number of integers in the following array: [2, 4, 3, 6, 7].", "5", None),
    ("Count the number of integers in the following array: [2, 4, 3, 6, 7].", "6", "count"),
    ("Sort this array of integers in descending order.\n\n[2, 5, 3, 8, 6, 1]", "[8, 6, 5, 3, 2, 1]", None),
    ("Sort this array of integers in descending order.\n\n[2, 5, 3, 8, 6, 1]", "[1, 2, 3, 5, 6, 8]", "sort"),
    ("Sort this array of integers.\n\n[2, 5, 3]", "2, 3, 5", None),
    ("Sort this array of integers.\n\n[2, 5, 3]", "2, 5, 3", "sort"),
    ("Write a Python function to find the maximum of a list.\n\n[4, 2, 5, 3]", "def find_max(a):\n    return max(a)", None),  # code
    ("Create a program that sums the array.\n\narr = [2, 5, 7]", "total = 0\nfor x in arr:\n  total += x", None),
    ("Given a list of numbers, find the first pair of numbers that add up to 7.\n\n[1, 2, 3, 4, 5, 6]", "(1, 6)", None),
    ("Find the maximum and minimum of the list.\n\n[20, 10, 9]", "Max: 20\nMin: 9", None),  # two statistics
    ("Find the product of the numbers.\n\n2, 3, 4", "24", None),
    ("Find the product of the numbers.\n\n2, 3, 4", "20", "product"),
]


@pytest.mark.parametrize(("inp", "output", "kind"), STAT_CASES)
def test_statistics_rule_table(inp: str, output: str, kind: str | None) -> None:
    result = statistics.find(View([inp], [output]))
    assert _kinds(result) == ([kind] if kind else [])


# -- TSK008: missing context -------------------------------------------------------------

CONTEXT_CASES: list[tuple[str, str, str | None]] = [
    # (input, output, kind flagged or None)
    ("Summarize the given article in 200 Words.\n\nhttps://www.bbc.com/news/world-51461830", "Protests grew.", "url"),
    ("Given a recent news article, write a headline for it.\n\nhttps://www.news.example.com/article-1", "NASA Launches", "url"),
    ("Summarize the article at https://example.com/story.", "It is about cats.", "url"),
    ("Extract the domain name from the given URL.\n\nhttps://www.example.com/a/b", "example.com", None),  # about the link
    ("Write a cURL statement to send a POST request to a web server at https://www.example.com", "curl -X POST", None),
    ("Summarize the article.\n\nhttps://example.com/a\n\nThe article text is here and it goes on for many words.", "x", None),
    ("Classify the following shape according to simple geometry.\n\n<Picture Attached>", "Triangle", "media"),
    ("Describe the following image.", "In the image, a dog runs on a beach.", "media"),
    ("Describe the attached photo.\n\nphoto_0012.jpg", "A sunset.", "media"),
    ("Describe the following image.\n\nA dog running on a beach at sunset.", "A happy dog.", None),  # a description stands for it
    ("Generate an image caption for a photo of a cat.", "A cat naps.", None),  # no picture pointed at
    ("Summarize the following article.", "The article discusses the economy.", "material"),
    ("Summarize the following article.\n\nApple Inc.", "A company.", "material"),  # long-form text of two words
    ("Rewrite the following sentence.\n\nI goes home.", "I go home.", None),
    ("Rewrite the following sentence.", "I go home.", "material"),
    ("Rewrite the following sentence.\n\n<noinput>", "I go home.", "material"),
    ("What is the sentiment of this review?\n\nGreat app", "positive", None),  # a review may be two words
    ("effective but too-tepid biopic What is the sentiment expressed in this text?", "positive", None),  # text before
    ("A long passage about the city and its history goes here.\n\nSummarize the above passage.", "A city.", None),
    ("Summarize the above passage.", "A city.", "material"),
    ("Calculate the mean of this list [3, 5, 8, 9, 10]", "7", None),  # the list is inline
    ("Find the median of these numbers: 1, 2, 3", "2", None),
    ("Write a function that reverses the given string.", "def r(s):\n    return s[::-1]", None),  # a parameter
    ("Generate a list of even numbers from 0 to the given number n.", "def f(n): ...", None),
    ("Generate the output of the following Ruby code snippet.", "1\n2\n3", "material"),
    ('Given the question "Where does this conversation take place?", write a conversation.', "W: Hi.", None),  # quoted
    ("Human: Where can I email him?\n\nAssistant: Here is a site:\n\nhttp://www.example.com/x\n\nHuman: Summarize the page.", "ok", None),
    ("Categorize the following task.\n\nReformat the following code from python to java", "Editing", None),
]


@pytest.mark.parametrize(("inp", "output", "kind"), CONTEXT_CASES)
def test_context_rule_table(inp: str, output: str, kind: str | None) -> None:
    result = context.find(View([inp], [output]))
    assert _kinds(result) == ([kind] if kind else [])


def test_context_note_says_the_output_describes_it_anyway() -> None:
    result = context.find(View(["Describe the following image."], ["The image shows a dog on a beach."]))
    assert result.hits[0].note.endswith("the output describes it anyway")


# -- TSK009: claimed impossible actions ----------------------------------------------------

ACTION_CASES: list[tuple[str, str, str | None]] = [
    ("Increase the font size to 12 points.", "The font size has been increased to 12 points.", "claimed"),
    ("Send an email to John about the meeting.", "I've sent the email to John.", "claimed"),
    ("Send an email to John about the meeting.", "Subject: Meeting\n\nHi John, the meeting moves to 3 pm. Best, Ann", None),
    ("Set an alarm for 7 am tomorrow.", "Alarm set for 7 am.", "claimed"),
    ("Set an alarm for 7 am tomorrow.", "I can't set alarms, but on a phone open the Clock app and tap +.", None),
    ("Book a table for two at Luigi's tonight.", "Done! Your table is booked for 8 pm.", "claimed"),
    ("Open the website www.example.com.", "I have opened the website.", "claimed"),
    ("Turn on the lights in the kitchen.", "The kitchen lights have been turned on.", "claimed"),
    ("Delete the file report.docx.", "The file has been deleted.", "claimed"),
    ("Imagine you are a secretary. Send an email to the boss.", "I have sent the email, sir.", None),  # role-play
    ("Write a Python script to delete a file.", 'import os\nos.remove(p)\nprint("The file has been deleted.")', None),
    ("Explain how to increase the font size in Word.", "The font size has been increased by pressing Ctrl+].", None),
    ("Summarize the text.", "The budget has been increased by 5%.", None),
    ("Change the background color of the page to blue.", "Sure, done.", "claimed"),
]


@pytest.mark.parametrize(("instruction", "output", "kind"), ACTION_CASES)
def test_action_rule_table(instruction: str, output: str, kind: str | None) -> None:
    result = actions.find(View([instruction], [output]))
    assert _kinds(result) == ([kind] if kind else [])


# -- TSK010: bracketed placeholder outputs ---------------------------------------------------

PLACEHOLDER_CASES: list[tuple[str, str | None]] = [
    ("<image of a lion roaring>", "media"),
    ("Here is the logo: [Image: a lion on a shield]", "media"),
    ("[image]", "media"),
    ("<long answer>", "text"),
    ("<repeats himself in response to the second question>", "text"),
    ("[positive]", None),  # a label
    ("<br>", None),
    ('<item id="xyz"/>', None),  # markup
    ("[1, 2, 3]", None),
    ("['apple', 'pear']", None),  # a Python list
    ("[i*i for i in range(10)]", None),
    ("<No Output>", None),  # QLT008's stock placeholder
    ("[Insert answer here]", None),  # QLT008's too
    ("The answer is 42 [see note].", None),  # brackets inside a real answer
]


@pytest.mark.parametrize(("output", "kind"), PLACEHOLDER_CASES)
def test_placeholder_rule_table(output: str, kind: str | None) -> None:
    result = placeholder.find(View(["Answer."], [output]))
    assert _kinds(result) == ([kind] if kind else [])


# -- TSK011: outputs running on into another example ------------------------------------

MERGED_CASES: list[tuple[str, str, str | None]] = [
    ("Should I invest in stocks?", "It depends on your situation.\n##\n18. Instruction: Identify the noun in the "
     "following sentence:\n18. Input:\nThe large apple was delicious.\n18. Output:\nApple", "merged"),
    ("Expand the sentence.\n\nIt changed my life.", "It changed my life forever.\n\nInput: I ran.\nOutput: I ran far.", "merged"),
    ("Expand the sentence.\n\nIt changed my life.", "It changed my life forever, and the input of friends helped.", None),
    ("Output: the answer only.", "Output: 42", None),  # a label on the first line is the answer's own
    ("Write three input and output pairs for a sorting function.", "Input: [2, 1]\nOutput: [1, 2]\n\nInput: [3]\nOutput: [3]", None),
    ("Classify.\n\nInput: a cat\nOutput:", "animal\n\nInput: a car\nOutput: vehicle", None),  # the input uses the labels
]


@pytest.mark.parametrize(("inp", "output", "kind"), MERGED_CASES)
def test_merged_rule_table(inp: str, output: str, kind: str | None) -> None:
    result = merged.find(View([inp], [output]))
    assert _kinds(result) == ([kind] if kind else [])


# -- the planted set of the checkable-answer rules (TSK005-TSK011) ----------------------

from tests import synth_checkable  # noqa: E402

CHECKABLE = synth_checkable.planted(1400, seed=1805)
CHECKABLE_RULES = {"TSK005": arithmetic, "TSK006": final_answer, "TSK007": statistics, "TSK008": context,
                   "TSK009": actions, "TSK010": placeholder, "TSK011": merged}
# Outputs for the missing-context cases, whose twins differ in the input: one that describes the material.
CONTEXT_OUTPUT = "The article describes how the city changed over many years."


def _checkable_view(cases: list[Any], twin: str) -> View:
    """The twin's records: for TSK008 the twin is the input, for the others the output."""
    inputs = [getattr(c, twin) if c.code == "TSK008" else c.instruction for c in cases]
    outputs = [CONTEXT_OUTPUT if c.code == "TSK008" else getattr(c, twin) for c in cases]
    return View(inputs, outputs)


@pytest.mark.parametrize("code", sorted(CHECKABLE_RULES))
def test_checkable_planted_recall(code: str) -> None:
    rule = CHECKABLE_RULES[code]
    cases = [c for c in CHECKABLE if c.code == code]
    found = rule.find(_checkable_view(cases, "bad"))
    hit = {h.index for h in found.hits}
    for kind in {c.kind for c in cases}:
        of_kind = [i for i, c in enumerate(cases) if c.kind == kind]
        assert len(hit.intersection(of_kind)) >= 0.9 * len(of_kind), f"{code} {kind}: recall below 0.9"
    assert {h.kind for h in found.hits} <= {c.kind for c in cases}


@pytest.mark.parametrize("code", sorted(CHECKABLE_RULES))
def test_checkable_clean_twin_is_left_alone(code: str) -> None:
    """Each rule flags at most 1% of the whole clean twin (every rule's cases, not only its own)."""
    flagged = {h.index for h in CHECKABLE_RULES[code].find(_checkable_view(CHECKABLE, "good")).hits}
    assert len(flagged) <= 0.01 * len(CHECKABLE), f"{code} flags {len(flagged)} clean records"


# -- the cleaned-Alpaca project's documented defects (its README's list of issues) ----------

_BBC = ("The recent protests in Belarus are part of a growing wave of discontent against the rule of Alexander "
        "Lukashenko, who has led the country since 1994.")
ALPACA_CLEANED: list[tuple[str, str, str, str | None]] = [
    # (instruction, input, output, the TSK code that must flag it, or None: another family's, or not ours)
    ("Summarize the given article in 200 Words.", "https://www.bbc.com/news/world-51461830", _BBC, "TSK008"),
    ("Classify the following shape according to simple geometry.", "<Picture Attached>", "Triangle", "TSK008"),
    ("Given a recent news article, write a headline for it.", "https://www.news.example.com/article-1",
     '"NASA Launches a Mars 2020 Mission to Search for Signs of Ancient Life"', "TSK008"),
    ("Should I invest in stocks?", "", "It depends on your individual situation. Make a plan that works for you.\n##\n"
     "18. Instruction: Identify the noun in the following sentence:\n18. Input:\nThe large apple was delicious.\n"
     "18. Output:\nApple", "TSK011"),
    ("Calculate the area of the following shape in square centimeters.", "rectangle of size 4 cm x 5 cm", "", None),  # QLT002
    ("Create a graphic or logo that visually represents the word \"courage\".", "", "<No Output>", None),  # QLT008
    ("Calculate the median of the following data set.", "1, 2, 4, 5, 8, 9", "5", "TSK007"),
    ("Convert 25m to km.", "", "25km", None),  # unit conversions are not checked
    ("Freeze the following sample of yogurt for 10 minutes.", "Yogurt sample", "<noinput>", None),  # QLT008
    ("Increase the font size to 12 points.", "", "The font size has been increased to 12 points.", "TSK009"),
]


@pytest.mark.parametrize(("instruction", "inp", "output", "code"), ALPACA_CLEANED)
def test_cleaned_alpaca_examples(instruction: str, inp: str, output: str, code: str | None) -> None:
    """Each documented defect is flagged by the rule it belongs to, and by no other of ours."""
    text = f"{instruction}\n\n{inp}" if inp else instruction
    view = View([text], [output])
    flagged = {rule.CODE.code for rule in CHECKABLE_RULES.values() if rule.find(view).hits}
    assert flagged == ({code} if code else set())


# --- TSK005's other-number-system gate: the needle-anchored search equals the regex scan --------

_SYSTEM_WORDS = ["binary", "base 2", "base-8", "mod", "modulo", "hex", "hexadecimal", "octal", "boolean", "o'clock",
                 "clock", "roman numerals", "bit", "bits", "xor", "gf(", "galois", "congruent", "time zone",
                 "military time", "model", "habit", "database", "clocks", "hexagon"]


def _other_system_by_regex(text: str) -> bool:
    """The rule's definition: a needle in the lower-cased text and a match of the IGNORECASE regex."""
    low = text.lower()
    return any(n in low for n in arithmetic._OTHER_NEEDLES) and arithmetic._OTHER_SYSTEM.search(text) is not None


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(_SYSTEM_WORDS), st.sampled_from(list(" .,'(-_2xX")),
                          st.sampled_from(list("\u0130\u0131\u017f\u212aKSBIéß")), st.text(max_size=4)), max_size=12),
       st.booleans())
def test_other_system_gate_equals_the_regex(parts: list[str], upper: bool) -> None:
    text = "".join(parts)
    text = text.upper() if upper else text
    assert arithmetic._other_system(text) == _other_system_by_regex(text)


_SCALE_WORDS = ["cent", "cents", "percent", "thousand", "thousands", "hundreds", "million", "millions", "%", "x"]
# Letters IGNORECASE folds onto ASCII ones where lower() does not: long s, dotless i, dotted capital I.
_FOLDED = st.sampled_from(_SCALE_WORDS).flatmap(lambda w: st.sampled_from(
    [w, w.upper(), w.title(), w.replace("s", "\u017f"), w.replace("i", "\u0131"), w.upper().replace("I", "\u0130")]))


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet="09\u0663%)=$€£-−(.x \t\n\u00a0\u2003", max_size=14))
def test_candidate_test_equals_its_regex(text: str) -> None:
    assert arithmetic._has_candidate(text) == (arithmetic._CANDIDATE.search(text) is not None)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.one_of(_FOLDED, st.sampled_from(list(" .x_é5\u212a")), st.text(max_size=2)), max_size=8))
def test_scale_test_equals_its_regex(parts: list[str]) -> None:
    text = "".join(parts)
    assert arithmetic._scaled(text) == (arithmetic._SCALED.search(text) is not None)


from checks.fidelity import caseless, instructions  # noqa: E402

_CASELESS = {"TSK005 scale words": arithmetic._SCALE_WORDS, "TSK008 content": context._CONTENT,
             "TSK008 about the link": context._ABOUT_LINK, "TSK002 code words": instructions._CODE_WORDS,
             **{f"TSK007 {name}": pattern for name, pattern in statistics._ASK.items()}}


def _caseless_words(pattern: str) -> list[str]:
    words = __import__("re").findall(r"[a-z]{2,}", __import__("re").sub(r"\\.", " ", pattern))
    return sorted({v for w in words for v in (w, w.upper(), w.title(), w.replace("s", "\u017f"), w.replace("i", "\u0131"),
                                              w.upper().replace("I", "\u0130"), w.replace("k", "\u212a"))})


@pytest.mark.parametrize("name", sorted(_CASELESS))
def test_caseless_search_equals_ignorecase(name: str) -> None:
    pattern = _CASELESS[name]

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(st.one_of(st.sampled_from(_caseless_words(pattern.lower.pattern)), st.sampled_from(list(" .x_é5\n")),
                              st.text(max_size=2)), max_size=8))
    def check(parts: list[str]) -> None:
        text = "".join(parts)
        assert pattern.search(text) == (pattern.ignorecase.search(text) is not None), text

    check()


def test_caseless_refuses_upper_case_letters() -> None:
    with pytest.raises(ValueError):
        caseless.Caseless(r"\bURL\b")
    assert caseless.Caseless(r"\Surl\W").search("xURL!")

# --- TSK002's order pre-test: it never turns away a piece with an order sentence ---------

def _language(tree: Any) -> list[str]:
    """Every string a finite regex parse tree matches, one space for ``\\s+`` and '7' for a digit run."""
    import re._constants as c  # the parse tree's opcodes

    out = [""]
    for op, av in tree:
        if op is c.LITERAL:
            options = [chr(av)]
        elif op is c.IN:
            options = ["7" if (c.CATEGORY, c.CATEGORY_DIGIT) in av else " " if (c.CATEGORY, c.CATEGORY_SPACE) in av
                       else chr(next(v for o, v in av if o is c.LITERAL))]
        elif op is c.BRANCH:
            options = [s for branch in av[1] for s in _language(branch)]
        elif op is c.SUBPATTERN:
            options = _language(av[3])
        elif op is c.MAX_REPEAT:
            once = _language(av[2])
            options = (["", *once] if av[0] == 0 else once)
        elif op is c.AT:
            options = [""]
        else:
            raise AssertionError(f"no enumeration for {op}")
        out = [a + b for a in out for b in options]
    return out


def _orders_unfiltered(instruction: str) -> list[str]:
    """``order_sentences`` without its pre-test: every piece split and matched."""
    return [s for piece in instructions.pieces(instruction) for s in instructions.orders_in(piece, instruction)]


ORDER_OPENINGS = _language(__import__("re")._parser.parse(instructions._IMPERATIVE.pattern, 0))


def test_every_order_opening_passes_the_pretest() -> None:
    assert len(ORDER_OPENINGS) > 500
    opened = 0
    # Letters IGNORECASE folds onto ASCII ones that lower() keeps apart: long s, dotless i, Kelvin sign, dotted I.
    folded = [o.replace("s", "\u017f").replace("i", "\u0131").replace("k", "\u212a") for o in ORDER_OPENINGS]
    for opening in [*ORDER_OPENINGS, *folded, *(o.upper().replace("I", "\u0130") for o in ORDER_OPENINGS)]:
        for text in (opening, opening.upper(), f"Some context. {opening} 3 words", f"x:\n\n {opening.title()} (5 items)"):
            slow = _orders_unfiltered(text)
            assert instructions.order_sentences(text) == slow, text
            opened += bool(slow)
    assert opened > 4 * len(ORDER_OPENINGS)


_ORDER_PARTS = [*ORDER_OPENINGS[::7], "the answer should", "The response must", "in 3", "don't", "in no more", "then"]


@settings(max_examples=600, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(_ORDER_PARTS), st.sampled_from(["word", "words", "sentences", "5", "json", "yes"]),
                          st.sampled_from(list(" .?!:;,\n\t\"'“”()-_")), st.sampled_from(list("\u0130\u0131\u017f\u212aSTéß")),
                          st.text(max_size=4)), max_size=16),
       st.integers(0, 2))
def test_order_pretest_equals_the_split(parts: list[str], case: int) -> None:
    text = "".join(parts)
    text = (text, text.upper(), text.title())[case]
    assert instructions.order_sentences(text) == _orders_unfiltered(text)


def test_order_pretest_equals_the_split_on_real_instructions(shared_datasets: Any, tmp_path: Any) -> None:
    from auditor.load import load
    from benchmarks.generate import generate

    files = [shared_datasets / rel for rel in ("self_instruct_t0_50k/canonical.jsonl", "codealpaca/code_alpaca_2k.json",
                                               "gpteacher/canonical_toolformer.jsonl")]
    generate(2_000, tmp_path / "realtext.jsonl", kind="realtext")
    ordered = 0
    for path in [*files, tmp_path / "realtext.jsonl"]:
        for text in View(load(path)[0].inputs, []).instructions:
            fast = instructions.order_sentences(text)
            assert fast == _orders_unfiltered(text), text
            ordered += bool(fast)
    assert ordered > 1_000
