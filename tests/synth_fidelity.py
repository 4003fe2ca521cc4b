"""A seeded planted set for the task-fidelity rules: each case twice, kept (clean twin) and broken (planted).

Every case is an instruction stating one constraint (or asking for code) and an
output written from a small hand-written stock of English sentences, nouns and
code; the planted twin breaks exactly that constraint, the clean twin keeps it.
The rules must find the planted cases (recall) and leave the clean ones alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

TOPICS = ["the ocean", "a city park", "winter mornings", "public libraries", "electric bikes", "honeybees", "the moon",
          "rainforests", "coffee", "volcanoes", "chess", "bread baking", "lighthouses", "the violin", "deserts"]
SENTENCES = [
    "It changes slowly over many years.", "Most people notice it only in passing.", "Scientists still study it closely.",
    "Its history goes back a long way.", "Children often find it fascinating.", "It can be surprisingly quiet.",
    "Many artists have painted it.", "It looks different in every season.", "Visitors travel far to see it.",
    "It depends on a careful balance.", "Nobody fully agrees on its origin.", "It rewards patient observation.",
]
NOUNS = ["reasons", "tips", "examples", "benefits", "ideas", "facts", "uses", "questions", "risks", "habits"]
ITEMS = ["Stay curious", "Plan ahead", "Ask for help", "Take short breaks", "Keep notes", "Sleep well", "Drink water",
         "Read widely", "Walk daily", "Share results", "Check sources", "Start small"]
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
FRENCH = ["Le chat dort sur le canapé et il ne veut pas se lever pour manger.",
          "Nous allons au marché avec nos amis pour acheter des légumes frais.",
          "La maison est grande et elle a un jardin plein de fleurs pour les enfants."]
ENGLISH = ["The cat sleeps on the sofa and does not want to get up to eat.",
           "We are going to the market with our friends to buy fresh vegetables.",
           "The house is big and it has a garden full of flowers for the children."]


@dataclass(frozen=True)
class Case:
    code: str
    kind: str
    instruction: str
    good: str
    bad: str


def _sentences(rng: random.Random, n: int) -> str:
    return " ".join(rng.sample(SENTENCES, n))


def _items(rng: random.Random, n: int, marker: str = "-") -> str:
    picked = rng.sample(ITEMS, n)
    return "\n".join(f"{k}. {x}" if marker == "1" else f"{marker} {x}" for k, x in enumerate(picked, 1))


def _words(rng: random.Random, n: int) -> str:
    pool = " ".join(SENTENCES).replace(".", "").split()
    return " ".join(rng.choice(pool) for _ in range(n)).capitalize() + "."


def _case(rng: random.Random) -> Case:
    topic = rng.choice(TOPICS)
    which = rng.randrange(17)
    if which == 0:
        n = rng.randint(2, 6)
        noun = rng.choice(NOUNS)
        return Case("TSK002", "items", f"List {NUMBER_WORDS[n]} {noun} about {topic}.", _items(rng, n, rng.choice("-*1")),
                    _items(rng, n + rng.choice([1, 2]) if n < 5 else n - 1, rng.choice("-*1")))
    if which == 1:
        limit = rng.choice([15, 20, 30])
        return Case("TSK002", "words", f"Describe {topic} in no more than {limit} words.", _words(rng, limit - 5),
                    _words(rng, limit + rng.randint(8, 20)))
    if which == 2:
        n = rng.randint(1, 3)
        unit = "sentence" if n == 1 else "sentences"
        return Case("TSK002", "sentences", f"Explain {topic} in {NUMBER_WORDS.get(n, 'one')} {unit}.",
                    _sentences(rng, n), _sentences(rng, n + rng.randint(2, 3)))
    if which == 3:
        n = rng.choice([2, 3])
        paras = lambda k: "\n\n".join(_sentences(rng, 2) for _ in range(k))  # noqa: E731
        return Case("TSK002", "paragraphs", f"Write {n} paragraphs about {topic}.", paras(n), paras(n + 2))
    if which == 4:
        return Case("TSK002", "yes-no", f"Answer yes or no: is {topic} worth learning about?",
                    rng.choice(["Yes.", "No.", "Yes, it is."]), _sentences(rng, 1))
    if which == 5:
        return Case("TSK002", "json", f"Give three facts about {topic} in JSON format.",
                    '{"facts": ["' + '", "'.join(s.rstrip(".") for s in rng.sample(SENTENCES, 3)) + '"]}', _sentences(rng, 3))
    if which == 6:
        return Case("TSK002", "table", f"Compare {topic} and {rng.choice(TOPICS)} in a table.",
                    "| aspect | first | second |\n|---|---|---|\n| age | old | new |\n| size | big | small |", _sentences(rng, 3))
    if which == 7:
        return Case("TSK002", "numbered", f"Write the steps to enjoy {topic} as a numbered list.",
                    _items(rng, 4, "1"), _sentences(rng, 3))
    if which == 8:
        n = rng.choice([3, 4])
        return Case("TSK002", "bullets", f"Summarize {topic} in {n} bullet points.", _items(rng, n, "-"), _items(rng, n + 2, "-"))
    if which == 9:
        text = _sentences(rng, 2)
        return Case("TSK002", "case", f"Rewrite this in all capital letters: {text}", text.upper(), text)
    if which == 10:
        k = rng.randrange(3)
        return Case("TSK002", "language", "Translate the sentence into French.", FRENCH[k], ENGLISH[k])
    if which == 11:
        return Case("TSK002", "starts", f"Start your answer with 'Dear reader' and describe {topic}.",
                    "Dear reader, " + _sentences(rng, 2), _sentences(rng, 2))
    if which == 12:
        word = rng.choice(["serendipity", "lantern", "harvest", "compass"])
        return Case("TSK002", "includes", f"Write a sentence about {topic} using the word '{word}'.",
                    f"The {word} made me think of {topic}.", _sentences(rng, 1))
    if which == 13:
        name = rng.choice(["add", "total", "combine"])
        good = f"def {name}(a, b):\n    result = a + b\n    return result\n\nprint({name}(2, 3))"
        bad = rng.choice([good.replace("    ", ""), good.replace("):", ")"), good + "  // prints 5", good.replace("(2, 3))", "(2, 3)")])
        return Case("TSK001", "python", "Write a Python function that adds two numbers.", good, bad)
    if which == 14:
        city = rng.choice(["London", "Paris", "Lima"])
        good = f"SELECT name, email\nFROM customers\nWHERE city = '{city}'\nORDER BY name;"
        bad = rng.choice([good.replace(f"'{city}'", f"‘{city}’"), good.replace("FROM customers", "FROM customers WHERE"),
                          good.replace("WHERE city", "WHERE <column>")])
        return Case("TSK001", "sql", f"Write a SQL query to list the customers in {city}.", good, bad)
    if which == 16:
        code = "```python\ndef area(r):\n    return 3.14159 * r * r\n```"
        return Case("TSK002", "code-only", "Write a Python function for the area of a circle. Respond with code only.", code,
                    f"Of course! Here is a short function that computes the area of a circle about {topic}:\n{code}")
    good_json = '{"name": "%s", "tags": ["a", "b"], "size": %d}' % (topic, rng.randint(1, 99))
    bad_json = rng.choice([good_json.replace('"', "'"), good_json[:-1] + ",}", good_json.replace(', "size"', ' "size"')])
    return Case("TSK001", "json", f"Create a JSON object describing {topic}.", good_json, bad_json)


def planted(n: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    return [_case(rng) for _ in range(n)]


def twins(cases: list[Case], pick: Callable[[Case], str]) -> tuple[list[str], list[str]]:
    return [c.instruction for c in cases], [pick(c) for c in cases]
