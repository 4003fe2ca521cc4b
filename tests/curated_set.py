"""A curated instruction set, generated: about a thousand careful answers of the kinds real
fine-tuning sets hold, none of them defective.

Every answer is complete and deliberate, and many end the way careful writing ends
without a full stop: a list on its last item, a source line, a quoted error message,
a signature under a letter, a code block, a regex or shell one-liner, a label, a
GSM8K-style ``#### n`` answer. Support answers give public help-line numbers, and a few
summarisation records carry a long report (about 6,000 tokens), as long-context tasks do.
Records are distinct examples: no repeated input, no near-copy. An audit of this set
should find nothing wrong with its records.

Deterministic: one seeded ``random.Random``; the same seed gives the same records.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

SEED = 1717
Record = dict[str, Any]

FIRST_NAMES = ["Maria", "Tom", "Aisha", "Daniel", "Sofia", "Liam", "Yuki", "Grace", "Omar", "Elena", "Kofi", "Hana",
               "Lucas", "Priya", "Jonas", "Chloe", "Mateo", "Zara", "Ivan", "Nadia"]
SURNAMES = ["Lopez", "Becker", "Khan", "Okafor", "Rossi", "O'Neill", "Tanaka", "Mensah", "Novak", "Silva", "Haddad",
            "Jensen", "Moreau", "Iyer", "Kowalski", "Andersson", "Costa", "Nakamura", "Byrne", "Fischer"]
PLACES = ["Leeds", "Porto", "Austin", "Lyon", "Osaka", "Denver", "Cork", "Ghent", "Perth", "Bergen", "Quito", "Accra",
          "Tallinn", "Malmo", "Utrecht", "Seville", "Busan", "Hobart", "Calgary", "Graz"]
ORGS = ["World Health Organization", "NHS England", "Office for National Statistics", "US Census Bureau", "OECD",
        "International Energy Agency", "European Environment Agency", "Pew Research Center", "UNESCO", "World Bank",
        "Eurostat", "Bureau of Labor Statistics"]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


# --- advice: lists that end on their last item ---------------------------------------------------

TIPS = {
    "sleep better": ["keep a fixed wake-up time, even at weekends", "dim the lights an hour before bed", "keep the bedroom cool",
                     "avoid caffeine after lunch", "get daylight soon after waking", "write tomorrow's list before bed",
                     "keep screens out of the bedroom", "limit naps to twenty minutes", "go to bed only when sleepy",
                     "keep a notebook by the bed for worries"],
    "save money on groceries": ["plan the week's meals before shopping", "buy store brands for staples", "shop with a list",
                                "compare unit prices, not pack prices", "cook large batches and freeze portions",
                                "buy fruit and vegetables in season", "check the reduced shelf late in the day",
                                "use up leftovers before buying more", "avoid shopping when hungry", "buy dried beans and lentils"],
    "learn a new language": ["practise a little every day", "learn the most common words first", "speak from the first week",
                             "listen to podcasts for learners", "keep a notebook of phrases you need",
                             "find a conversation partner online", "switch your phone's language", "read children's books in it",
                             "label things around the house", "watch series with subtitles in the language"],
    "prepare for a job interview": ["research the company's recent news", "prepare three stories that show your strengths",
                                    "practise answers out loud", "prepare questions for the interviewer",
                                    "plan the route and arrive early", "bring printed copies of your CV",
                                    "send a short thank-you note afterwards", "read the job description line by line",
                                    "lay out your clothes the night before", "check the interviewers' profiles"],
    "reduce stress at work": ["take short breaks every ninety minutes", "read e-mail in two or three slots a day",
                              "decline meetings without an agenda", "write down what is worrying you", "walk outside at lunchtime",
                              "agree priorities with your manager", "switch off notifications after hours",
                              "keep one afternoon a week free of meetings", "finish the day by planning tomorrow",
                              "talk to a colleague you trust"],
    "start running": ["start with run-walk intervals", "get shoes fitted at a running shop", "run at a pace where you can talk",
                      "add no more than ten percent distance a week", "rest a day between runs", "warm up with brisk walking",
                      "join a local park run", "track your runs to see progress", "stretch your calves afterwards",
                      "run with a friend for motivation"],
    "keep houseplants alive": ["check the soil before watering", "use pots with drainage holes", "give most plants bright, indirect light",
                               "wipe dust off the leaves", "repot in spring when roots circle the pot", "feed monthly in the growing season",
                               "keep plants away from radiators", "group plants to raise humidity", "water less in winter",
                               "turn pots a quarter turn each week"],
    "write a good CV": ["keep it to two pages", "lead with your most relevant experience", "quantify results where you can",
                        "tailor it to each job", "use a clean, readable layout", "cut jargon and clichés",
                        "ask someone else to proofread it", "list the skills the advert asks for", "use a professional e-mail address",
                        "explain gaps briefly and honestly"],
    "cut your energy bill": ["turn the thermostat down by one degree", "draught-proof doors and windows", "wash clothes at 30 degrees",
                             "switch to LED bulbs", "turn appliances off at the wall", "insulate the loft", "boil only the water you need",
                             "dry clothes outside when you can", "fit a shower timer", "bleed the radiators before winter"],
    "study for exams": ["space your revision over several weeks", "test yourself instead of re-reading", "mix subjects within a session",
                        "explain topics out loud", "do past papers under timed conditions", "sleep well the night before",
                        "make one-page summaries of each topic", "start with the hardest topics", "put your phone in another room",
                        "review mistakes from practice papers"],
    "make a small garden": ["start with a single raised bed", "pick vegetables you actually eat", "find the sunniest spot",
                            "improve the soil with compost", "water in the morning", "mulch to keep moisture in",
                            "sow salad every two weeks", "grow herbs in pots near the door", "keep a note of what you planted",
                            "leave a corner wild for insects"],
    "organise a small home office": ["put the desk near natural light", "keep cables in one tray", "use a monitor at eye level",
                                     "keep only today's papers on the desk", "label storage boxes", "add a plant",
                                     "choose a chair with lumbar support", "keep a bin within reach", "use a separate lamp for evenings",
                                     "clear the desk at the end of each day"],
}
CONTEXTS = ["with a busy schedule", "on a tight budget", "as a complete beginner", "living in a small flat", "with two young kids",
            "working night shifts", "who has tried before and given up", "starting this month", "who travels a lot", "at the age of 60"]


def _advice(rng: random.Random) -> Record:
    topic = rng.choice(list(TIPS))
    k = rng.randint(4, 7)
    chosen = rng.sample(TIPS[topic], k)
    who = rng.choice(CONTEXTS)
    ask = rng.choice([f"List {k} tips to {topic} for someone {who}.", f"How can I {topic}? I'm {who.replace('who ', '')}.",
                      f"What are some ways to {topic} {who}?", f"Give me {k} practical ideas to {topic}, {who}."])
    intro = rng.choice([f"For someone {who}, these {k} habits make the biggest difference:", "Start with these:",
                        f"Here are {k} practical steps that work {who}:", "A few small changes go a long way:"])
    numbered = rng.random() < 0.6
    lines = [f"{j + 1}. {_cap(t)}" if numbered else f"- {_cap(t)}" for j, t in enumerate(chosen)]
    if rng.random() < 0.35:  # some writers end every item with a full stop; most do not
        lines = [ln + "." for ln in lines]
    return {"input": ask, "output": intro + "\n\n" + "\n".join(lines), "category": "advice"}


# --- explanations that end on their source line ----------------------------------------------------

TRENDS = [
    ("household recycling rates", "rose", "councils collected food waste separately and charged for general waste"),
    ("the share of people working from home", "rose", "employers kept the hybrid arrangements started during the pandemic"),
    ("average broadband speeds", "rose", "fibre replaced copper lines in most towns"),
    ("new car sales", "fell", "prices rose faster than wages and buyers kept their cars longer"),
    ("cinema attendance", "fell", "streaming services released films at home within weeks"),
    ("the number of electric vehicles on the road", "rose", "battery prices dropped and charging points spread"),
    ("adult smoking rates", "fell", "taxes rose and smoking was banned in workplaces"),
    ("the average age of first-time home buyers", "rose", "house prices grew much faster than incomes"),
    ("public library visits", "fell", "opening hours were cut and more reading moved online"),
    ("solar power's share of electricity", "rose", "panel costs fell by more than half"),
    ("the birth rate", "fell", "people had children later and housing costs rose"),
    ("cycling to work", "rose", "cities built separated bike lanes"),
]


def _explanation(rng: random.Random) -> Record:
    what, direction, why = rng.choice(TRENDS)
    place = rng.choice(PLACES)
    y1 = rng.randint(2005, 2014)
    y2 = y1 + rng.randint(5, 9)
    a = rng.randint(8, 60)
    b = a + rng.randint(3, 25) if direction == "rose" else max(1, a - rng.randint(3, a - 1 if a > 4 else 3))
    ask = rng.choice([f"Why did {what} change in {place} between {y1} and {y2}?", f"Explain the trend in {what} in {place} since {y1}.",
                      f"What happened to {what} in {place} from {y1} to {y2}, and why?"])
    second = rng.choice(["Most of the change came in the second half of the period.", "The change was similar in neighbouring areas.",
                         "Surveys suggest the trend has continued since.", "Smaller towns nearby followed a few years later."])
    body = (f"Between {y1} and {y2}, {what} in {place} {direction} from {a} to {b} per cent, mainly because {why}. {second}")
    org = rng.choice(ORGS)
    source = rng.choice([f"Source: {org}, {y2 + 1}", f"Source: {org} ({y2})", f"Sources: {org}; {rng.choice(ORGS)} annual report {y2}",
                         f"Data: {org}, table {rng.randint(1, 40)}"])
    return {"input": ask, "output": f"{body}\n\n{source}", "category": "explanation"}


# --- debugging answers that end on the quoted error ---------------------------------------------

ERRORS = [
    ("Python", "add a number to a string", "{v} = 'Total: ' + {w}", "Python does not turn the number into text for you",
     "use an f-string such as f'Total: {{{w}}}'", 'TypeError: can only concatenate str (not "int") to str'),
    ("Python", "read a key from a dictionary", "{v} = row['{k}']", "the dictionary has no key '{k}' (check the spelling and case)",
     "use row.get('{k}') or check the keys first", "KeyError: '{k}'"),
    ("Python", "open a file next to my script", "open('{f}.json')", "relative paths start from the folder you run the script in",
     "build the path from Path(__file__).parent", "FileNotFoundError: [Errno 2] No such file or directory: '{f}.json'"),
    ("Node.js", "import a package I just installed", "const {v} = require('{k}');", "the package was installed in another folder",
     "run npm install {k} inside the project folder", "Error: Cannot find module '{k}'"),
    ("git", "push a new branch", "git push", "the branch has no upstream yet", "run git push -u origin {k} once",
     "fatal: The current branch {k} has no upstream branch."),
    ("Docker", "start a container on port {n}", "docker run -p {n}:80 {k}", "another process already listens on port {n}",
     "stop that process or map another port", "Bind for 0.0.0.0:{n} failed: port is already allocated"),
    ("SQL", "insert a row twice", "INSERT INTO {k} (email) VALUES ('x@y.test');", "the email column is unique and the row exists",
     "use INSERT ... ON CONFLICT DO NOTHING", 'ERROR: duplicate key value violates unique constraint "{k}_email_key"'),
    ("Java", "read the last element of an array", "int {v} = {w}[{w}.length];", "indices run from 0 to length - 1",
     "use {w}[{w}.length - 1]", "java.lang.ArrayIndexOutOfBoundsException: Index {n} out of bounds for length {n}"),
    ("Python", "convert user input to a number", "{v} = int(text)", "the text contains something that is not a whole number",
     "strip it and check text.isdigit() first, or catch ValueError", "ValueError: invalid literal for int() with base 10: '{n}.5'"),
]
IDENTS = ["total", "count", "price", "user", "order", "items", "result", "score", "config", "report", "payload", "values",
          "amount", "name", "rows", "balance", "limit", "index", "cart", "events"]
KEYS = ["express", "lodash", "customers", "orders", "feature-login", "web", "invoices", "fix-typo", "axios", "api", "users", "dayjs"]


def _debugging(rng: random.Random) -> Record:
    tool, doing, code, why, fix, message = rng.choice(ERRORS)
    slots = {"v": rng.choice(IDENTS), "w": rng.choice(IDENTS), "k": rng.choice(KEYS), "f": rng.choice(IDENTS),
             "n": str(rng.randint(3, 9000))}
    doing, code, why, fix, message = (s.format(**slots) for s in (doing, code, why, fix, message))
    where = f"{rng.choice(['app', 'main', 'report', 'sync', 'import', 'server'])}.{rng.choice(['py', 'js', 'sql', 'sh'])}"
    line = rng.randint(5, 400)
    ask = rng.choice([f"I'm trying to {doing} in {tool} with `{code}` (line {line} of {where}) and it fails. What's wrong?",
                      f"Why does `{code}` on line {line} of {where} fail when I {doing}?",
                      f"{tool} gives me an error when I {doing}. My line {line} in {where} is: {code}"])
    context = rng.choice([f"Line {line} of {where} is the one to change.", f"Nothing else in {where} needs to change.",
                          f"After the fix, run {where} again to confirm.", f"The rest of {where} looks fine."])
    if rng.random() < 0.5:
        out = f"It fails because {why}. To fix it, {fix}. {context} Until then you will keep seeing:\n\n{message}"
    else:
        out = f"{context} Because {why}, {tool} stops with the message \"{message}\""
    return {"input": ask, "output": out, "category": "debugging"}


# --- support answers that give public help lines -------------------------------------------------

HELPLINES = [
    ("the Samaritans", "116 123", "free, any time, in the UK and Ireland"),
    ("the 988 Suicide & Crisis Lifeline", "988", "by call or text in the US"),
    ("Childline", "0800 1111", "free for anyone under 19 in the UK"),
    ("the National Domestic Abuse Helpline", "0808 2000 247", "free and open 24 hours in the UK"),
    ("the SAMHSA National Helpline", "1-800-662-4357", "free and confidential, 24 hours a day, in the US"),
    ("Lifeline Australia", "13 11 14", "24 hours a day"),
    ("NHS 111", "111", "in England, when it is urgent but not an emergency"),
    ("Citizens Advice", "0800 144 8848", "for free advice in England"),
]
FEELINGS = ["I've been feeling really low for weeks", "I can't cope with everything at the moment", "my friend says she feels hopeless",
            "things at home have become frightening", "I don't know who to talk to", "I've been drinking more than I want to",
            "my teenage son won't talk to anyone", "I'm in debt and can't sleep", "I feel alone since I moved to {p}",
            "my partner keeps threatening me", "I lost my job in {p} and feel lost", "I keep having panic attacks at night"]


ACKNOWLEDGE = ["I'm sorry you're going through this.", "Thank you for telling me.", "That sounds really hard.",
               "It took courage to write this.", "You're not alone in feeling this way.", "I'm glad you reached out."]
NEXT = ["Talking to someone can help.", "You don't have to handle this alone.", "A trained listener can help you think it through.",
        "It can help to say it out loud to someone.", "Support is there for exactly this."]


def _support(rng: random.Random) -> Record:
    name, number, when = rng.choice(HELPLINES)
    place = rng.choice(PLACES)
    feeling = rng.choice(FEELINGS).format(p=place)
    ask = f"{_cap(feeling)}. {rng.choice(['What can I do?', 'Who can I talk to?', 'Is there anyone I can call?', 'Any advice?'])}"
    first, second = rng.choice(ACKNOWLEDGE), rng.choice(NEXT)
    out = rng.choice([
        f"{first} {second} You can call {name} on {number}, {when}.",
        f"{first} {second} {_cap(name)} listens on {number} ({when}). If you are in immediate danger, call your local emergency number.",
        f"{first} {second} {_cap(when)}, you can reach {name} on {number}",  # ends on the number itself
    ])
    return {"input": ask, "output": out, "category": "support"}


# --- summaries, a few of very long reports ---------------------------------------------------------

WORDS = ["committee", "quarter", "budget", "survey", "pilot", "region", "supplier", "training", "audit", "schedule",
         "network", "customer", "warehouse", "forecast", "policy", "volunteer", "clinic", "library", "council", "project"]


MONTHS = ["January", "March", "April", "June", "July", "September", "October", "November"]
VERBS = ["rose", "fell", "held steady", "recovered", "slipped", "doubled", "grew", "dropped"]
SENTENCES = [
    "{name} from the {word} team said {word2} costs in {place} {verb} by {n} percent in {month}.",
    "In {place}, the {word} review found {n} open issues, {m} of them about the {word2}.",
    "The {word} budget for {month} is {n} thousand, against {m} thousand a year ago.",
    "{name} asked for a decision on the {word2} before week {week}, when the {word} plan is due.",
    "Staff in {place} reported {n} {word} requests and {m} complaints about the {word2}.",
    "A pilot of the new {word} process starts in {place} in {month}, led by {name}.",
    "Figures for the {word2} {verb} after the {word} changes agreed in {month}.",
    "{name} noted that {word} training reached {n} people in {place}, {m} more than planned.",
]


def _report(rng: random.Random, size: int) -> str:
    """A report of varied sentences: many short templates with a slot every few words, as a real report
    varies its wording (a long text that repeats one passage is itself a defect the audit reports)."""
    paras: list[str] = []
    while sum(map(len, paras)) < size:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            a, b = rng.sample(WORDS, 2)
            sentences.append(rng.choice(SENTENCES).format(
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}", word=a, word2=b, place=rng.choice(PLACES),
                verb=rng.choice(VERBS), n=rng.randint(2, 95), m=rng.randint(2, 95), month=rng.choice(MONTHS),
                week=rng.randint(1, 52)))
        paras.append(" ".join(sentences))
    return "\n\n".join(paras)


def _summary(rng: random.Random, long: bool) -> Record:
    # A long report is about 24,000 characters: some 6,000 tokens, a long-context task.
    doc = _report(rng, 23_500 if long else rng.randint(400, 1600))
    place = rng.choice(PLACES)
    count = rng.choice(['two', 'three'])
    ask = f"Summarise this report from the {place} office in {count} sentences.\n\n{doc}"
    sentences = [
        f"The {place} office reports progress across its teams, with most work on schedule.",
        f"Reviews asked for more detail on {rng.choice(['costs and timing', 'budgets', 'staffing', 'supplier risks'])} before decisions.",
        f"Follow-ups are planned for {rng.choice(['the coming weeks', 'next quarter', 'week ' + str(rng.randint(1, 52))])}.",
    ]
    # As many sentences as the instruction asks for: a careful answer keeps to it (TSK002 checks).
    out = " ".join(sentences[: 2 if count == "two" else 3])
    return {"input": ask, "output": out, "category": "summarisation"}


# --- code: fenced blocks, bare functions, regexes and one-liners ----------------------------------

def _code(rng: random.Random) -> Record:
    name = rng.choice(["values", "numbers", "scores", "prices", "readings", "ages", "sizes", "weights"])
    k = rng.randint(2, 9)
    tasks = [
        (f"return the {k} largest {name} from a list", f"def top_{name}({name}: list[float]) -> list[float]:\n    return sorted({name}, reverse=True)[:{k}]"),
        (f"keep only the {name} above {k * 10}", f"def above_{k * 10}({name}: list[float]) -> list[float]:\n    return [x for x in {name} if x > {k * 10}]"),
        (f"average the {name}, ignoring missing ones", f"def mean_{name}({name}: list[float | None]) -> float:\n    kept = [x for x in {name} if x is not None]\n    return sum(kept) / len(kept) if kept else 0.0"),
        (f"split the {name} into chunks of {k}", f"def chunks({name}: list, size: int = {k}) -> list[list]:\n    return [{name}[i:i + size] for i in range(0, len({name}), size)]"),
        (f"count how many {name} are multiples of {k}", f"def multiples_of_{k}({name}: list[int]) -> int:\n    return sum(1 for x in {name} if x % {k} == 0)"),
    ]
    task, code = rng.choice(tasks)
    ask = rng.choice([f"Write a Python function to {task}.", f"How do I {task} in Python?", f"Python: {task}, please."])
    style = rng.random()
    if style < 0.45:
        out = f"```python\n{code}\n```"
    elif style < 0.75:
        out = f"Here is a short version:\n\n```python\n{code}\n```\n\nIt makes one pass over the list."
    else:
        out = code
    return {"input": ask, "output": out, "category": "code"}


def _one_liner(rng: random.Random) -> Record:
    n = rng.randint(2, 30)
    ext = rng.choice(["log", "tmp", "bak", "csv", "txt", "json", "png", "pdf"])
    d = rng.randint(1, 90)
    options = [
        (f"Shell one-liner to delete all .{ext} files older than {d} days under the current directory?",
         f'find . -name "*.{ext}" -type f -mtime +{d} -delete'),
        (f"Bash command to show the {n} largest files in this directory", f"du -ah . | sort -rh | head -n {n}"),
        (f"Write a regex that matches a string of exactly {n} digits.", f"^\\d{{{n}}}$"),
        (f"Regex for a word of at least {n} letters", f"\\b[A-Za-z]{{{n},}}\\b"),
        (f"How do I count the lines of every .{ext} file in a folder from the shell?", f"find . -name '*.{ext}' | xargs wc -l"),
        (f"SQL to list the {n} customers with the most orders",
         f"SELECT customer_id, COUNT(*) AS orders FROM orders GROUP BY customer_id ORDER BY orders DESC LIMIT {n}"),
        (f"What git command shows the last {n} commits on one line each?", f"git log --oneline -n {n}"),
    ]
    ask, answer = rng.choice(options)
    return {"input": ask, "output": answer, "category": "code"}


# --- short answers and labels ------------------------------------------------------------------

ITEMS = ["headphones", "kettle", "backpack", "desk lamp", "hotel", "restaurant", "phone case", "blender", "watch", "jacket",
         "printer", "tent", "sofa", "bike", "camera", "mattress", "laptop", "toaster", "scooter", "umbrella"]
ASPECTS = ["the battery", "the delivery", "the price", "the build quality", "the staff", "the instructions", "the app",
           "the size", "the noise", "the colour"]
POS = ["exceeded what I expected", "is excellent", "made me very happy", "is the best I have had", "works perfectly"]
NEG = ["was a real letdown", "is terrible", "broke within a week", "made me regret buying it", "never worked properly"]
MID = ["is fine but nothing special", "is average", "could be better, could be worse", "is acceptable for the money"]


def _sentiment(rng: random.Random) -> Record:
    mood = rng.choice(["positive", "negative", "neutral"])
    pool = {"positive": POS, "negative": NEG, "neutral": MID}[mood]
    item = rng.choice(ITEMS)
    text = f"Bought the {item} in {rng.choice(PLACES)} {rng.randint(2, 30)} days ago: {rng.choice(ASPECTS)} {rng.choice(pool)}"
    ask = rng.choice(["Classify the sentiment of this review as positive, negative or neutral.",
                      "Sentiment (positive/negative/neutral)?", "Label the review's sentiment."]) + f"\n\nReview: {text}."
    return {"input": ask, "output": mood, "category": "sentiment"}


UNITS = [("km", "miles", 0.621371), ("kg", "pounds", 2.20462), ("litres", "US gallons", 0.264172), ("metres", "feet", 3.28084),
         ("hours", "minutes", 60.0)]


def _short_answer(rng: random.Random) -> Record:
    src, dst, factor = rng.choice(UNITS)
    x = rng.randint(2, 500)
    value = x * factor
    shown = f"{value:.0f}" if factor == 60.0 else f"{value:.2f}"
    ask = rng.choice([f"Convert {x} {src} to {dst}.", f"How many {dst} is {x} {src}?", f"{x} {src} in {dst}?"])
    return {"input": ask, "output": f"{shown} {dst}", "category": "facts"}


# --- letters and notes that end on a signature ---------------------------------------------------

REASONS = ["the office will be closed on {d} for maintenance", "the team lunch moves to {d} at noon",
           "the new parking permits can be collected from {d}", "the staff survey closes on {d}",
           "the fire drill is on {d} morning", "the kitchen will be repainted on {d}", "the lifts will be serviced on {d}",
           "the heating will be off on {d} for repairs", "the quarterly all-hands moves to {d}", "the car park is resurfaced on {d}"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
TEAMS = ["Customer Care", "The Events Team", "Head of Operations", "Office Manager", "Facilities", "HR Department", "People Team"]


def _letter(rng: random.Random) -> Record:
    reason = rng.choice(REASONS).format(d=f"{rng.choice(DAYS)} {rng.randint(1, 28)} {rng.choice(['March', 'June', 'October', 'May'])}")
    who = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
    ask = f"Write a short note to staff in the {rng.choice(PLACES)} office saying that {reason}."
    closing = rng.choice(["Best regards,", "Kind regards,", "Many thanks,", "Warm wishes,", "Thank you,", "Yours sincerely,"])
    body = (f"Dear colleagues,\n\nPlease note that {reason}. "
            f"{rng.choice(['If this causes problems, reply to this note.', 'Thank you for your patience.', 'Questions are welcome as always.', 'Please plan around it.'])}")
    sign = f"{closing}\n{who}\n{rng.choice(TEAMS)}" if rng.random() < 0.6 else f"{closing} {who}"
    return {"input": ask, "output": f"{body}\n\n{sign}", "category": "writing"}


def _math(rng: random.Random) -> Record:
    a, b, c = rng.randint(3, 40), rng.randint(2, 12), rng.randint(5, 30)
    name = rng.choice(FIRST_NAMES)
    thing = rng.choice(["pens", "stickers", "cookies", "marbles", "seedlings", "postcards"])
    ask = f"{name} buys {a} packs of {thing} with {b} in each pack and gives away {c}. How many {thing} are left?"
    total = a * b
    out = f"{name} buys {a} * {b} = {total} {thing}.\nAfter giving away {c}, {total} - {c} = {total - c} {thing} are left.\n#### {total - c}"
    return {"input": ask, "output": out, "category": "math"}


KINDS: list[tuple[Callable[[random.Random], Record], int]] = [
    (_advice, 130), (_explanation, 110), (_debugging, 90), (_support, 60), (lambda r: _summary(r, True), 6),
    (lambda r: _summary(r, False), 34), (_code, 90), (_one_liner, 50), (_sentiment, 130), (_short_answer, 100),
    (_letter, 100), (_math, 100),
]


def records(seed: int = SEED) -> list[Record]:
    """The curated set: every input distinct (a draw that repeats one is drawn again)."""
    rng = random.Random(seed)
    out: list[Record] = []
    seen: set[str] = set()
    for make, count in KINDS:
        made = 0
        while made < count:
            record = make(rng)
            if record["input"] in seen:
                continue
            seen.add(record["input"])
            out.append(record)
            made += 1
    rng.shuffle(out)
    return [{"id": f"c{k:04d}", **r} for k, r in enumerate(out, 1)]


def write(path: Path, seed: int = SEED) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for r in records(seed):
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":  # python -m tests.curated_set out.jsonl: write the set to look at it
    import sys

    print(write(Path(sys.argv[1] if len(sys.argv) > 1 else "curated.jsonl")))
