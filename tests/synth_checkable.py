"""A seeded planted set for the checkable-answer rules (TSK005-TSK011): each case twice, clean and planted.

Arithmetic in prose and calculator annotations, final answer lines, statistics
of given numbers, instructions pointing at material, claimed actions and
bracketed placeholders, outputs running on into another example. The planted twin breaks exactly one thing (a result
off by a few, the article replaced by its link, the e-mail draft replaced by
'I've sent it'); the clean twin is the same record done right, so a rule that
flags a clean twin is wrong, not unlucky.
"""

from __future__ import annotations

import random
from fractions import Fraction

from tests.synth_fidelity import SENTENCES, TOPICS, Case

NAMES = ["Ann", "Bob", "Chen", "Dana", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jo"]
THINGS = ["apples", "books", "stamps", "marbles", "pencils", "cookies", "tickets", "shells", "cards", "plants"]
COLORS = ["red", "blue", "green", "golden", "black", "orange"]


def _off(rng: random.Random, value: int) -> int:
    """A wrong value near the right one (never the right one)."""
    return value + rng.choice([-1, 1]) * rng.randint(1, max(2, abs(value) // 5 + 1))


def _money(n: int) -> str:
    return f"${n:,}"


def _arithmetic(rng: random.Random) -> Case:
    name, thing = rng.choice(NAMES), rng.choice(THINGS)
    a, b = rng.randint(2, 60), rng.randint(2, 60)
    op = rng.choice("+-*/")
    if op == "/":
        a = a * b
    value = {"+": a + b, "-": a - b, "*": a * b, "/": a // b}[op]
    shown = {"+": "+", "-": "-", "*": rng.choice(["*", "x", "×"]), "/": "/"}[op]
    wrong = _off(rng, value)
    style = rng.randrange(4)
    if style == 0:
        line = lambda c: f"{name} has {a} {shown} {b} = {c} {thing} now."  # noqa: E731
    elif style == 1:
        line = lambda c: f"So {name} pays {_money(a * 100)} {shown} {b} = {_money(c)} in all."  # noqa: E731
        value = {"+": a * 100 + b, "-": a * 100 - b, "*": a * 100 * b, "/": a * 100 // b}[op]  # a is a multiple of b
        wrong = _off(rng, value)
    elif style == 2:
        py = {"+": "+", "-": "-", "*": "*", "/": "/"}[op]
        line = lambda c: f"{name} sold {a}{py}{b} = <<{a}{py}{b}={c}>>{c} {thing}."  # noqa: E731
    else:
        line = lambda c: f"First, {a} {shown} {b} = {c}, which is the number of {thing} left for {name}."  # noqa: E731
    intro = rng.choice(SENTENCES)
    kind = "annotation" if style == 2 else "prose"
    question = f"{name} counts {thing}. How many are there?"
    return Case("TSK005", kind, question, f"{intro}\n{line(value)}", f"{intro}\n{line(wrong)}")


def _final(rng: random.Random) -> Case:
    name, thing = rng.choice(NAMES), rng.choice(THINGS)
    a, b, c = rng.randint(3, 40), rng.randint(3, 40), rng.randint(2, 9)
    total = (a + b) * c
    working = (f"{name} buys {a} + {b} = <<{a}+{b}={a + b}>>{a + b} {thing} a week.\n"
               f"Over {c} weeks that is {a + b} * {c} = <<{a + b}*{c}={total}>>{total} {thing}.")
    return Case("TSK006", "final-answer", f"How many {thing} does {name} buy in {c} weeks?",
                f"{working}\n#### {total}", f"{working}\n#### {_off(rng, total)}")


def _statistic(rng: random.Random) -> Case:
    numbers = [rng.randint(-20, 99) for _ in range(rng.randint(4, 9))]
    stat = rng.choice(["sum", "mean", "median", "maximum", "minimum", "count", "sort"])
    wording = {
        "sum": "Find the sum of the numbers in the given list.",
        "mean": "Calculate the mean of the following list.",
        "median": "Calculate the median of the following data set.",
        "maximum": "Find the largest number in the array.",
        "minimum": "Find the smallest number in the list.",
        "count": "Count the number of integers in the following array.",
        "sort": "Sort this array of integers in ascending order.",
    }[stat]
    listed = rng.choice([f"[{', '.join(map(str, numbers))}]", ", ".join(map(str, numbers))])
    ordered = sorted(numbers)
    if stat == "sort":
        shuffled = ordered[:]
        while shuffled == ordered:
            rng.shuffle(shuffled)
        return Case("TSK007", stat, f"{wording}\n\n{listed}", f"[{', '.join(map(str, ordered))}]",
                    f"[{', '.join(map(str, shuffled))}]")
    n = len(numbers)
    true = {
        "sum": Fraction(sum(numbers)),
        "mean": Fraction(sum(numbers), n),
        "median": Fraction(ordered[n // 2]) if n % 2 else Fraction(ordered[n // 2 - 1] + ordered[n // 2], 2),
        "maximum": Fraction(max(numbers)),
        "minimum": Fraction(min(numbers)),
        "count": Fraction(n),
    }[stat]
    shown = str(true.numerator) if true.denominator == 1 else f"{float(true):.2f}"
    wrong = str(_off(rng, int(true))) if true.denominator == 1 else f"{float(true) + rng.choice([-1, 1]) * rng.randint(1, 9):.2f}"
    template = rng.choice(["{}", "The {stat} is {}.", "{stat} = {}"])
    fill = lambda v: template.replace("{stat}", stat).replace("{}", v, 1)  # noqa: E731
    return Case("TSK007", stat, f"{wording}\n\n{listed}", fill(shown), fill(wrong))


def _article(rng: random.Random) -> str:
    return " ".join(rng.sample(SENTENCES, 4))


def _context(rng: random.Random) -> Case:
    topic = rng.choice(TOPICS)
    which = rng.randrange(6)
    if which == 0:
        ask = rng.choice(["Summarize the given article in 50 words.", "Write a headline for the following news article.",
                          "Given a news article, write a short summary of it."])
        link = f"https://www.{rng.choice(['bbc.com/news', 'example.com/story', 'news.example.org'])}/{rng.randint(1000, 99999)}"
        return Case("TSK008", "url", ask, f"{ask}\n\n{_article(rng)}", f"{ask}\n\n{link}")
    if which == 1:
        ask = rng.choice(["Classify the following shape according to simple geometry.", "Describe the following image.",
                          "What is shown in the attached photo?", "Write a caption for this picture."])
        stand_in = rng.choice(["<Picture Attached>", "[image]", "photo_0042.jpg", "<image>"])
        description = f"A photo of {topic} at dawn, with a {rng.choice(COLORS)} sky behind it."
        return Case("TSK008", "media", ask, f"{ask}\n\n{description}", f"{ask}\n\n{stand_in}")
    if which == 2:
        ask = rng.choice(["Summarize the following article.", "Rewrite the following paragraph in a formal tone.",
                          "Translate the following passage into Spanish.", "Proofread the following essay."])
        return Case("TSK008", "material", ask, f"{ask}\n\n{_article(rng)}", rng.choice([ask, f"{ask}\n\n<noinput>", f"{ask}\n\nN/A"]))
    if which == 3:
        ask = rng.choice(["Rewrite the following sentence in the passive voice.", "Correct the grammar of the given sentence."])
        return Case("TSK008", "material", ask, f"{ask}\n\n{rng.choice(NAMES)} reads a book about {topic}.", ask)
    if which == 4:
        ask = "Summarize the above passage in one sentence."
        return Case("TSK008", "material", ask, f"{_article(rng)}\n\n{ask}", ask)
    ask = rng.choice(["Describe the given image.", "What does the following chart show?"])
    return Case("TSK008", "media", ask, f"{ask}\n\nA bar chart of {topic} visitors per year, rising from 10 to 40.", ask)


def _action(rng: random.Random) -> Case:
    name, topic = rng.choice(NAMES), rng.choice(TOPICS)
    which = rng.randrange(6)
    if which == 0:
        ask = f"Send an email to {name} about {topic}."
        good = f"Subject: {topic.capitalize()}\n\nHi {name},\n\n{rng.choice(SENTENCES)}\n\nBest regards"
        bad = rng.choice([f"I've sent the email to {name}.", f"The email has been sent to {name}.", "Email sent."])
    elif which == 1:
        size = rng.choice([12, 14, 16])
        ask = f"Increase the font size to {size} points."
        good = f"Select the text, open the Font menu and choose {size} in the size box."
        bad = rng.choice([f"The font size has been increased to {size} points.", f"I have increased the font size to {size} points."])
    elif which == 2:
        hour = rng.randint(5, 9)
        ask = f"Set an alarm for {hour} am tomorrow."
        good = f"I can't set alarms, but on most phones you open the Clock app, tap Alarm and choose {hour}:00."
        bad = rng.choice([f"Alarm set for {hour} am.", f"Your alarm has been set for {hour} am tomorrow."])
    elif which == 3:
        ask = f"Book a table for two at {name}'s restaurant tonight."
        good = f"Call {name}'s restaurant or use its booking page, and ask for a table for two tonight."
        bad = rng.choice(["Done! Your table is booked for 8 pm.", "I have booked a table for two at 8 pm."])
    elif which == 4:
        ask = "Turn on the lights in the living room."
        good = "Use the wall switch by the door, or say 'turn on the living room lights' to your smart speaker."
        bad = rng.choice(["The living room lights have been turned on.", "I've turned on the lights."])
    else:
        ask = "Open the website www.example.com."
        good = "Type www.example.com into your browser's address bar and press Enter."
        bad = rng.choice(["I have opened the website.", "The website has been opened."])
    return Case("TSK009", "claimed", ask, good, bad)


def _placeholder(rng: random.Random) -> Case:
    topic, color = rng.choice(TOPICS), rng.choice(COLORS)
    if rng.random() < 0.6:
        ask = f"Design a logo for a shop about {topic}."
        good = f"A {color} circle with a simple outline of {topic} inside it and the shop's name below in bold letters."
        bad = rng.choice([f"<image of a {color} logo showing {topic}>", f"[Picture of a {color} circle with {topic}]",
                          f"Here is the logo: [Image: {topic} in a {color} circle]"])
        return Case("TSK010", "media", ask, good, bad)
    ask = f"Write a short answer about {topic}."
    return Case("TSK010", "text", ask, f"{rng.choice(SENTENCES)} {rng.choice(SENTENCES)}",
                rng.choice(["<long answer>", "[answer goes here]", f"<a short answer about {topic}>"]))


def _merged(rng: random.Random) -> Case:
    topic, name = rng.choice(TOPICS), rng.choice(NAMES)
    ask = f"Write two sentences about {topic}."
    answer = " ".join(rng.sample(SENTENCES, 2))
    tail = rng.choice([
        f"\n##\n{rng.randint(2, 40)}. Instruction: Identify the noun in the following sentence:\n"
        f"{rng.randint(2, 40)}. Input:\n{name} was happy.\n{rng.randint(2, 40)}. Output:\n{name}",
        f"\n\nInput: {rng.choice(TOPICS)}\nOutput: {rng.choice(SENTENCES)}",
        f"\n\nInstruction: Write two sentences about {rng.choice(TOPICS)}.\nResponse: {rng.choice(SENTENCES)}",
    ])
    # The clean twin may carry the labels' words in prose, never as a new block.
    good = answer + rng.choice(["", f"\nThe input to this was short; the output is two sentences about {topic}."])
    return Case("TSK011", "merged", ask, good, answer + tail)


_MAKERS = (_arithmetic, _final, _statistic, _context, _action, _placeholder, _merged)


def planted(n: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    return [_MAKERS[k % len(_MAKERS)](rng) for k in range(n)]
