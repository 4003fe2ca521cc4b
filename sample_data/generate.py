"""Generate the sample datasets: customer-support messages with a category and a written reply.

Deterministic (one seeded ``random.Random``): running it twice writes the same
bytes. ``python sample_data/generate.py`` rewrites every file in this folder.

- ``support_ready.jsonl``: 640 varied records in six categories, 150 of them
  labelled by three annotators who mostly agree. Passes the readiness checks.
- ``support_not_ready.jsonl``: 430 records with one planted example of every
  gap the checks raise: exact and near duplicates, contradicting replies, a thin
  category, low annotator agreement, empty and truncated replies, personal
  data, an over-long record, a category outside the taxonomy, a repeated id,
  and two lines that are not valid JSON. ``expectations/support_suite.json``
  is a great_expectations suite it fails on purpose.
- ``support_chat.jsonl``: the ready records as OpenAI chat conversations (system, user, assistant).
- ``decision/``: the decision questions for the ready set (README, "Prompt first, then the cost"):
  ``support_eval.jsonl``, 200 held-out messages; ``prompt_baseline.csv``, a prompt-only system's
  score on each (passing about 60 %, against a target of 0.9); ``auditor.toml``, the target, the
  techniques tried, a production volume and example prices. Drawn from a random generator of its
  own, so the other files do not change when these do.

``python sample_data/generate.py rate SHEET OUT --config sample_data/rubric.toml``
fills a sheet from ``auditor sample`` with two simulated raters (``raters.py``).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261128

PRODUCTS = [
    "wireless headphones", "standing desk", "espresso machine", "hiking backpack", "air purifier",
    "mechanical keyboard", "robot vacuum", "smart thermostat", "electric kettle", "yoga mat",
    "office chair", "baby monitor", "cast-iron skillet", "rain jacket", "portable speaker",
    "laptop stand", "water filter", "desk lamp", "bike helmet", "blender",
]
CITIES = ["Leeds", "Porto", "Austin", "Lyon", "Osaka", "Denver", "Cork", "Ghent", "Perth", "Bergen"]
NAMES = ["Sam", "Priya", "Jonas", "Amara", "Luis", "Mei", "Tomasz", "Noor", "Ellen", "Kwame", "Ines", "Ravi"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

OPENERS = [
    "Hi there,", "Hello,", "Good morning,", "Hey support team,", "Hi,", "Dear support,",
    "Hello again,", "Evening,", "Hi folks,", "Greetings,",
]
CLOSERS = [
    "Thanks in advance.", "Appreciate any help.", "Let me know what you need from me.",
    "Cheers.", "Thank you.", "Hope you can sort this out quickly.", "Waiting for your answer.",
    "Kind regards.", "Thanks for looking into it.", "",
]

# Per category: customer situations (with slots) and reply building blocks.
SITUATIONS = {
    "billing": [
        "I was charged twice for order {order} and only received one {product}.",
        "My card statement shows {amount} from you on {day} but I never placed that order.",
        "The invoice for order {order} lists VAT although my business account is exempt.",
        "I used the discount code at checkout for the {product} but the full price of {amount} was taken.",
        "Can you explain the {amount} fee on my last invoice? I don't recognise it.",
        "My subscription renewed at {amount} instead of the price I signed up for.",
        "I need a copy of the receipt for order {order} for my expense report.",
        "The payment for order {order} failed but the money left my account anyway.",
    ],
    "shipping": [
        "Order {order} was supposed to arrive on {day} and the tracking hasn't moved since.",
        "The courier says my {product} was delivered but nothing is at my door in {city}.",
        "Can I change the delivery address for order {order}? I'm moving to {city} this week.",
        "My {product} arrived with the box crushed and one corner dented.",
        "Tracking for order {order} shows it went to {city} instead of where I live.",
        "How long does standard shipping to {city} usually take for a {product}?",
        "Only half of order {order} arrived; the {product} is missing from the parcel.",
        "Is express delivery available for order {order}? I need it before {day}.",
    ],
    "returns": [
        "I'd like to return the {product} from order {order}; it's the wrong size for my space.",
        "The {product} stopped working after two weeks. Can I get a replacement?",
        "I sent back order {order} a month ago and still haven't seen the refund.",
        "Do I have to pay for return shipping on the {product}?",
        "The return label for order {order} won't print; the link says it expired.",
        "Can I exchange the {product} for a different colour instead of returning it?",
        "I opened the {product} but never used it. Is it still returnable?",
        "My refund for order {order} came to less than I paid. Why?",
    ],
    "account": [
        "I can't log in: the password reset e-mail never arrives.",
        "How do I change the e-mail address on my account? I moved to a new provider.",
        "My account was locked after too many attempts on {day}. Please unlock it.",
        "I want to merge my two accounts so my order history for the {product} is in one place.",
        "Someone changed my shipping address to {city} and I didn't do it.",
        "How do I turn off the marketing e-mails without closing my account?",
        "Two-factor codes are going to my old phone. How can I update the number?",
        "Can you delete my saved card details from my profile?",
    ],
    "technical": [
        "The {product} won't connect to the app; pairing fails at the last step.",
        "After the firmware update on {day}, my {product} keeps restarting.",
        "The app crashes whenever I open the settings page for the {product}.",
        "My {product} shows error E{code} on the display. What does it mean?",
        "The {product} battery drains in a few hours even when it's switched off.",
        "I can't find the manual for the {product}; the link in the box is broken.",
        "The {product} makes a clicking noise when it starts. Is that normal?",
        "Voice commands stopped working with the {product} since yesterday.",
    ],
    "cancellation": [
        "Please cancel order {order}; I ordered the {product} by mistake.",
        "I want to cancel my subscription before it renews on {day}.",
        "Can I still cancel order {order} if it has already been dispatched?",
        "I cancelled order {order} yesterday but the confirmation e-mail never came.",
        "How do I cancel the extended warranty on my {product}?",
        "Please stop the recurring delivery of filters for my {product}.",
        "I'd like to cancel my membership; I'm moving abroad to {city}.",
        "Cancel the second {product} in order {order}, I only need one.",
    ],
}

REPLY_OPENERS = [
    "Thanks for getting in touch, {name}.", "Hi {name}, thanks for reaching out.", "Hello {name},",
    "Thank you for your message, {name}.", "Hi {name}, sorry for the trouble.", "Hello {name}, thanks for writing.",
]
REPLY_STEPS = {
    "billing": [
        "I've checked order {order} and can see the duplicate charge of {amount}; I've reversed it today.",
        "The {amount} charge is a pre-authorisation that your bank will release within five working days.",
        "I've reissued the invoice without VAT and attached it to your account.",
        "I've applied the discount retroactively, so {amount} will be credited to your card.",
        "That fee is the annual service charge; I've sent you the breakdown by e-mail.",
        "I've moved your subscription back to the original price and refunded the difference.",
        "You can download the receipt from Orders > {order} > Documents; I've also e-mailed a copy.",
        "The failed payment was returned to your account on {day}; your bank may take two days to show it.",
    ],
    "shipping": [
        "I've opened an investigation with the courier for order {order} and will update you within 48 hours.",
        "Please check with neighbours and your building's reception; if it doesn't turn up by {day}, we'll send a replacement.",
        "I've updated the delivery address for order {order} to your new address in {city}.",
        "I'm sorry it arrived damaged; I've arranged a replacement {product} at no cost.",
        "The parcel was misrouted through {city}; the courier is redirecting it and it should arrive by {day}.",
        "Standard delivery to {city} takes three to five working days for a {product}.",
        "The missing {product} ships separately; its tracking number is in your account under order {order}.",
        "I've upgraded order {order} to express delivery so it arrives before {day}.",
    ],
    "returns": [
        "I've created a return for the {product} from order {order}; the prepaid label is in your inbox.",
        "Since it failed within the warranty, we'll send a replacement {product} once you confirm your address.",
        "Your return for order {order} was received on {day}; the refund has now been released.",
        "Returns are free for faulty items; for a change of mind, the {amount} shipping cost is deducted.",
        "I've generated a new return label for order {order}; it's valid for 30 days.",
        "Exchanges are possible: choose the new colour in the return form and we'll ship it when the {product} arrives.",
        "Unused items in their original packaging can be returned within 30 days, so the {product} qualifies.",
        "The difference is the original shipping charge, which is non-refundable for change-of-mind returns.",
    ],
    "account": [
        "I've triggered a fresh reset link; please check your spam folder too, as some providers filter it.",
        "You can change your e-mail under Profile > Login details; we'll send a confirmation to both addresses.",
        "I've unlocked your account; please reset your password before logging in again.",
        "I've merged the accounts; your order history for the {product} is now under your main login.",
        "I've restored your address and secured the account; please change your password now.",
        "Untick the newsletter box under Profile > Notifications; your account stays open.",
        "I've removed the old number; add the new one under Security > Two-factor and confirm the code.",
        "I've deleted the saved card from your profile; future orders will ask for card details again.",
    ],
    "technical": [
        "Please update the app to the latest version, restart the {product}, and try pairing within one metre of it.",
        "Hold the power button for ten seconds to roll back the update; a fixed firmware is due on {day}.",
        "Clearing the app's cache usually fixes this; if it doesn't, reinstall the app and sign in again.",
        "Error E{code} means the sensor needs recalibrating; the steps are in section 4 of the manual.",
        "That drain points to a faulty battery; I've started a warranty replacement for the {product}.",
        "I've e-mailed you the PDF manual for the {product} and reported the broken link.",
        "A soft click at start-up is the pump priming and is normal; a loud or repeated click is not, so send us a video.",
        "Voice control broke after a server change on our side; it was fixed this morning, so please re-link the {product}.",
    ],
    "cancellation": [
        "I've cancelled order {order}; the refund of {amount} will reach your card in three to five days.",
        "Your subscription is cancelled and won't renew on {day}; you keep access until then.",
        "Dispatched orders can't be cancelled, but you can refuse the parcel and we'll refund you on return.",
        "Order {order} is cancelled; I've re-sent the confirmation to your e-mail address.",
        "I've cancelled the extended warranty on your {product} and refunded the unused months.",
        "The recurring filter delivery for your {product} is stopped; no further charges will be made.",
        "Your membership ends today; we're sorry to see you go and wish you well in {city}.",
        "I've removed the second {product} from order {order} and refunded {amount}.",
    ],
}
REPLY_CLOSERS = [
    "Let me know if there's anything else I can do.", "Is there anything else I can help with?",
    "Have a good {day}.", "Thanks for your patience.", "We're here if you need anything else.",
    "Sorry again for the inconvenience.",
]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        order=f"#{rng.randint(100000, 999999)}",
        product=rng.choice(PRODUCTS),
        amount=f"£{rng.randint(5, 400)}.{rng.randint(0, 99):02d}",
        day=rng.choice(DAYS),
        city=rng.choice(CITIES),
        name=rng.choice(NAMES),
        code=rng.randint(10, 99),
    )


def make_pair(category: str, rng: random.Random) -> tuple[str, str]:
    """One support message and its reply; slots are filled consistently within a pair."""
    slots = {
        "order": f"#{rng.randint(100000, 999999)}",
        "product": rng.choice(PRODUCTS),
        "amount": f"£{rng.randint(5, 400)}.{rng.randint(0, 99):02d}",
        "day": rng.choice(DAYS),
        "city": rng.choice(CITIES),
        "name": rng.choice(NAMES),
        "code": rng.randint(10, 99),
    }
    k = rng.randrange(len(SITUATIONS[category]))
    message = " ".join(
        p for p in (rng.choice(OPENERS), SITUATIONS[category][k].format(**slots), rng.choice(CLOSERS)) if p
    )
    reply = " ".join(
        (
            rng.choice(REPLY_OPENERS).format(**slots),
            REPLY_STEPS[category][k].format(**slots),
            rng.choice(REPLY_CLOSERS).format(**slots),
        )
    )
    return message, reply


CATEGORIES = list(SITUATIONS)


def annotate(category: str, rng: random.Random, agreement: float, annotators: tuple[str, ...]) -> list[dict[str, str]]:
    """Labels from each annotator: the true category with probability ``agreement``."""
    out = []
    for a in annotators:
        label = category if rng.random() < agreement else rng.choice([c for c in CATEGORIES if c != category])
        out.append({"annotator": a, "label": label})
    return out


def ready(rng: random.Random) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    seen: set[str] = set()
    weights = [0.2, 0.2, 0.18, 0.16, 0.16, 0.1]
    while len(records) < 640:
        category = rng.choices(CATEGORIES, weights)[0]
        message, reply = make_pair(category, rng)
        if message in seen:
            continue
        seen.add(message)
        rec: dict[str, object] = {"id": f"r{len(records) + 1:04d}", "category": category, "input": message, "output": reply}
        if len(records) < 150:
            rec["annotations"] = annotate(category, rng, 0.95, ("ana", "ben", "chloe"))
        records.append(rec)
    return records


def not_ready(rng: random.Random) -> list[dict[str, object] | str]:
    records: list[dict[str, object] | str] = []
    seen: set[str] = set()

    def add(category: str, message: str, reply: str, **extra: object) -> None:
        rec: dict[str, object] = {"id": f"n{len(records) + 1:04d}", "category": category, "input": message, "output": reply}
        rec.update(extra)
        records.append(rec)

    # The bulk: ordinary records, but no 'cancellation' beyond a handful (a thin category).
    main = [c for c in CATEGORIES if c != "cancellation"]
    while len(records) < 360:
        category = rng.choice(main)
        message, reply = make_pair(category, rng)
        if message in seen:
            continue
        seen.add(message)
        # Low agreement: annotators pick the true label barely more often than chance.
        ann = annotate(category, rng, 0.45, ("ana", "ben", "chloe")) if len(records) < 120 else None
        add(category, message, reply, **({"annotations": ann} if ann else {}))
    for _ in range(6):
        add("cancellation", *make_pair("cancellation", rng))
    # Exact duplicates: 12 records copied, some with changed case and spacing.
    for i in range(12):
        src = records[i * 7]
        assert isinstance(src, dict)
        message = str(src["input"])
        add(str(src["category"]), message.upper() if i % 3 == 0 else "  " + message.replace(" ", "  "), str(src["output"]))
    # Near duplicates: a few words changed in the message and the reply.
    for i in range(10):
        src = records[i * 11 + 3]
        assert isinstance(src, dict)
        message = str(src["input"]).replace("Hi", "Hiya", 1).replace("I ", "I really ", 1)
        add(str(src["category"]), message + " Urgent please.", str(src["output"]))
    # Contradicting outputs: the same message answered differently.
    for i in range(8):
        src = records[i * 13 + 5]
        assert isinstance(src, dict)
        other = make_pair(str(src["category"]), rng)[1]
        add(str(src["category"]), str(src["input"]), other)
    # Empty and whitespace-only replies.
    for i in range(6):
        message, _ = make_pair(rng.choice(main), rng)
        add("billing", message, "" if i % 2 else "   ")
    # Truncated replies: cut mid-sentence.
    for _ in range(5):
        message, reply = make_pair("technical", rng)
        add("technical", message, reply[: len(reply) // 2].rstrip(" .,"))
    # Personal data in messages and replies.
    pii = [
        ("My card 4539 1488 0343 6467 was charged twice, please check.", "billing"),
        ("Please e-mail me at jordan.lee@example.com about order #551234.", "shipping"),
        ("Call me on +44 20 7946 0958 about my refund.", "returns"),
        ("My IBAN is GB82 WEST 1234 5698 7654 32, refund it there.", "billing"),
    ]
    for message, category in pii:
        add(category, message, make_pair(category, rng)[1])
    # Refusal and boilerplate replies.
    for message, category in (
        ("Why was I charged a late fee?", "billing"),
        ("Where is my parcel?", "shipping"),
    ):
        add(category, message, "As an AI language model, I cannot access your account details.")
    # An over-long record: a pasted log that will not fit a small context window.
    log = " ".join(f"[{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}] sensor fault E{rng.randint(10, 99)} retry {i}" for i in range(900))
    add("technical", "The app keeps failing, here's the full log: " + log, "Thanks, that log shows a sensor fault; we'll replace the unit.")
    # Export slips a suite of expectations catches: a category outside the
    # taxonomy (a stray capital and space) and an id used twice.
    add("Billing ", *make_pair("billing", rng))
    dup_id = make_pair("shipping", rng)
    records.append({"id": "n0002", "category": "shipping", "input": dup_id[0], "output": dup_id[1]})
    # Two lines that are not valid JSON (a broken export).
    records.insert(40, '{"id": "n-broken-1", "category": "billing", "input": "My invoice is wrong", "output": ')
    records.insert(200, '{"id": "n-broken-2", "input": "Where is my order?" "output": "It ships today."}')
    return records


def chat(records: list[dict[str, object]]) -> list[dict[str, object]]:
    out = []
    for rec in records:
        conversation: dict[str, object] = {
            "id": rec["id"],
            "category": rec["category"],
            "messages": [
                {"role": "system", "content": "You are a friendly, precise customer-support agent for an online shop."},
                {"role": "user", "content": rec["input"]},
                {"role": "assistant", "content": rec["output"]},
            ],
        }
        if "annotations" in rec:
            conversation["annotations"] = rec["annotations"]
        out.append(conversation)
    return out


DECISION_SEED = SEED + 21
# The prompt-only system's chance of passing an item, by category: it handles the common requests.
PROMPT_PASS = {"billing": 0.7, "shipping": 0.7, "returns": 0.6, "account": 0.55, "technical": 0.5, "cancellation": 0.45}
DECISION_CONFIG = """\
# The decision questions for the sample data (README: "Prompt first, then the cost").
# The prices are examples for the walk-through, not any provider's current rates.

[agreement]
required = true

[decision]
target_quality = 0.9
techniques_tried = ["few-shot", "system-prompt"]
calls_per_day = 50000
prompt_extra_tokens = 1200        # the prompted system's instructions and few-shot examples
training_price = 25.0             # per million training tokens
prompted_input_price = 2.5        # per million tokens: a large general model
prompted_output_price = 10.0
tuned_input_price = 0.3           # per million tokens: a small fine-tuned model
tuned_output_price = 1.2
"""


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


def _near(text: str, others: list[set[tuple[str, ...]]]) -> bool:
    """Shares 60 % of its word 5-grams with another text: a margin below the auditor's 0.8, so no eval item leaks."""
    mine = _shingles(text)
    return any(len(mine & o) >= 0.6 * len(mine | o) for o in others)


def decision(train: list[dict[str, object]]) -> tuple[list[dict[str, object]], list[str]]:
    """A held-out eval set unlike any training message, and a prompt-only system's score per item."""
    rng = random.Random(DECISION_SEED)
    taken = [_shingles(f"{r['input']}") for r in train] + [_shingles(f"{r['output']}") for r in train]
    evals: list[dict[str, object]] = []
    scores = ["id,score,passed"]
    while len(evals) < 200:
        category = rng.choice(CATEGORIES)
        message, reply = make_pair(category, rng)
        if _near(message, taken) or _near(reply, taken):
            continue
        taken += [_shingles(message), _shingles(reply)]
        item = f"e{len(evals) + 1:03d}"
        evals.append({"id": item, "category": category, "input": message, "output": reply})
        passed = rng.random() < PROMPT_PASS.get(category, 0.6)
        scores.append(f"{item},{int(passed)},{str(passed).lower()}")
    return evals, scores


def write_jsonl(path: Path, rows: list[dict[str, object]] | list[dict[str, object] | str]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(row if isinstance(row, str) else json.dumps(row, ensure_ascii=False))
            fh.write("\n")


def main() -> None:
    rng = random.Random(SEED)
    ready_records = ready(rng)
    write_jsonl(HERE / "support_ready.jsonl", ready_records)
    write_jsonl(HERE / "support_not_ready.jsonl", not_ready(rng))
    write_jsonl(HERE / "support_chat.jsonl", chat(ready_records))
    evals, scores = decision(ready_records)
    (HERE / "decision").mkdir(exist_ok=True)
    write_jsonl(HERE / "decision" / "support_eval.jsonl", evals)
    (HERE / "decision" / "prompt_baseline.csv").write_text("\n".join(scores) + "\n", encoding="utf-8", newline="\n")
    (HERE / "decision" / "auditor.toml").write_text(DECISION_CONFIG, encoding="utf-8", newline="\n")


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["rate"]:  # simulated raters fill a sheet from `auditor sample` (see raters.py)
        import raters

        raters.main(sys.argv[2:])
    else:
        main()
