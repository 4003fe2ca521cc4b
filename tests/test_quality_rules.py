"""Golden cases for each per-text quality rule: pass strings, fail strings, the kind reported."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.privacy.pii import iban_ok, kinds_in, luhn_ok
from auditor.runtime.errors import ConfigError
from checks.quality_rules.chat import chat_problems, normalise_role
from checks.quality_rules.encoding import damage_kind
from checks.quality_rules.groups import GroupField, breakdown
from checks.quality_rules.language import detected_language
from checks.quality_rules.lengths import outliers
from checks.quality_rules.phrases import boilerplate, refusals
from checks.quality_rules.scan import CHUNK, ScanOptions, scan
from auditor.features.tokens import estimate_tokens, make_counter
from checks.quality_rules.truncation import UNPUNCTUATED, truncation_reason


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("write to john.roe@gmail.com today", {"email"}),
        ("write to john.doe@gmail.com today", set()),  # the stock placeholder name
        ("see user@example.com in the docs", set()),  # reserved documentation domain
        ("call (415) 867-2213 now", {"phone"}),
        ("call (555) 123-4567 now", set()),  # 555: the numbers films and examples use
        ("call +44 20 7946 0958", {"phone"}),
        ("1-800-555-0199 is toll free", set()),  # a toll-free service line, and a 555 number
        ("seasons 2006 2007 2009 and 2010 2011 2012", set()),  # years, not a phone
        ("card 4111 1111 1111 1111 expires", {"credit_card"}),
        ("card 4111-1111-1111-1111", {"credit_card"}),
        ("amex 3782 822463 10005", {"credit_card"}),
        ("order 4111 1111 1111 1112", set()),  # fails Luhn
        ("stats 0 27 6 11 2 3 0 0 25 13 4 1 33 0", set()),
        ("IBAN DE89 3704 0044 0532 0130 00", {"iban"}),
        ("GB82WEST12345698765432", {"iban"}),
        ("IBAN DE89 3704 0044 0532 0130 01", set()),  # bad checksum
        ("ssn 234-56-7890", {"national_id"}),
        ("ssn 123-45-6789", set()),  # never issued: the advertising number
        ("ssn 000-45-6789", set()),
        ("NINO AB 12 34 56 C", {"national_id"}),
        ("my IP is 81.2.69.160", {"ip_address"}),
        ("server at 192.168.1.20 is down", set()),  # a private network's address
        ("localhost 127.0.0.1", set()),
        ("use sk-abcdefghijklmnopqrstuvwxyz123456", {"api_key"}),
        ("AKIAIOSFODNN7EXAMPLE", {"api_key"}),
        ("token ghp_" + "a1" * 18, {"api_key"}),
        ('API_KEY = "a1b2c3d4e5f6g7h8i9j0k1"', {"api_key"}),
        ('password_hint = "correct horse"', set()),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE...", {"private_key"}),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", {"private_key"}),
        ("In 2020 there were 1234567 people and 3.14 pies", set()),
        ("a plain sentence about keys and tokens", set()),
    ],
)
def test_pii_kinds(text: str, kinds: set[str]) -> None:
    assert kinds_in(text) == kinds


def test_pii_kinds_can_be_narrowed() -> None:
    assert kinds_in("server at 192.168.1.20", frozenset({"email"})) == set()


def _with_luhn_digit(body: str) -> str:
    for d in "0123456789":
        if luhn_ok(body + d):
            return body + d
    raise AssertionError("one check digit always fits")


@given(st.text(alphabet="0123456789", min_size=12, max_size=18))
def test_luhn_check_digit_is_unique(body: str) -> None:
    card = _with_luhn_digit(body)
    assert luhn_ok(card)
    assert not luhn_ok(card[:-1] + str((int(card[-1]) + 1) % 10))


@pytest.mark.parametrize(("iban", "ok"), [("DE89370400440532013000", True), ("NL91ABNA0417164300", True), ("NL91ABNA0417164301", False), ("XX00123", False)])
def test_iban_checksum(iban: str, ok: bool) -> None:
    assert iban_ok(iban) is ok


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("A complete sentence that ends properly with a full stop.", None),
        ("positive", None),  # a label: too short to judge punctuation
        ("def f(x):\n    return x", None),  # code ends without a full stop
        ("Here is the code:\n```python\nprint(1)\n", "unclosed code fence"),
        ('{"name": "Ada", "languages": ["en", "fr"', "unclosed JSON"),
        ('{"name": "Ada", "languages": ["en", "fr"]}', None),
        ("The result (which we computed earlier is 5.", None),  # an unbalanced bracket in prose is a typo, not a cut
        ('He said "we will be there at noon.', None),
        ("Steps:\n1. Open the box\n2.", "list ends on its marker"),
        ("Things to buy:\n- milk\n-", "list ends on its marker"),
        ("We went to the market, bought bread,", "ends on a comma or connector"),
        ("Here is the list you asked for:", "ends on a comma or connector"),
        ("The reason this matters for customers is that the", "ends on a word that cannot end a sentence"),
        ("The delivery should arrive within five business days if you ordered bef", None),  # one sentence: no evidence
        ("Thanks for your order. The delivery should arrive within five business days if you ord", UNPUNCTUATED),
        ("Thanks for your order. The delivery should arrive within five business days", UNPUNCTUATED),
        ("Thanks for your order. I'm", UNPUNCTUATED),  # a sentence cut after its first word
        ("The information you need is on the form. Fill in the informati", UNPUNCTUATED),  # a word cut short
        ("Thanks for reaching out! Your refund has been issued.", None),
        # Complete answers that end without a full stop.
        ("Five tips:\n1. Sleep at fixed times\n2. Dim the lights\n3. Keep the room cool", None),  # a list's last item
        ("Light is scattered by air. Blue scatters most.\n\nSource: World Health Organization, 2023", None),
        ("It fails because the key is missing. You will keep seeing:\n\nKeyError: 'revenue'", None),  # a quoted error
        ('Because the port is taken, Docker stops with "Bind for 0.0.0.0:8080 failed: port is already allocated"', None),
        ("Please note the office is closed on Friday. Thank you for your patience.\n\nBest regards,\nMaria Lopez\nFacilities", None),
        ("I encourage you to look for kindness. Yours sincerely, Jane Austen", None),  # a signature on one line
        # A letter left unsigned (Self-Instruct user_oriented_task_5): a salutation line, a sign-off line with its comma.
        ("Hi there,\n\nI'm inviting you over for dinner on Friday night. Please let me know!\n\nLooking forward to seeing you,", None),
        ("Dear Ms. Lee,\nThank you for the interview.\n\nBest regards,", None),
        ("Hi there,\n\nI'm inviting you over for dinner on Friday night, and after that,", "ends on a comma or connector"),  # one line
        ("Dear Ms. Lee,\nThank you for the interview.\nI would like to add that the team, the office and,", "ends on a comma or connector"),
        ("I'm inviting you over for dinner.\n\nLooking forward to seeing you,", "ends on a comma or connector"),  # no salutation
        ("Stick with it and you will improve. Best of luck! - Harry", None),
        ("Sam buys 3 * 4 = 12 pens.\nHe gives away 5, so 12 - 5 = 7 are left.\n#### 7", None),  # a GSM8K answer
        (r"^\d{5}(-\d{4})?$", None),  # a regex
        ('find . -name "*.log" -type f -delete', None),  # a shell one-liner
        ("The answer is wolfram('convert 1000 US Dollars to Euros') Euros", None),  # a tool call
        ("Day 1: Arrive in Tokyo\nDay 2: Visit Asakusa\nDay 3: Shopping in Ikebukuro and farewell dinner", None),
        ("dog lazy the over jumped fox brown quick The", None),  # a reversed sentence: a capital "The" does not dangle
        ("Great app. Works like a charm! Love it", None),  # a closing formula
        ("Great. Visit www.example.com", None),
    ],
)
def test_truncation(text: str, reason: str | None) -> None:
    assert truncation_reason(text, min_words=3) == reason


def test_extractive_answer_ends_where_its_span_ends() -> None:
    passage = "The committee met in May. It approved the budget for the new library and the"
    answer = "It approved the budget for the new library and the"
    assert truncation_reason(answer, min_words=3) == "ends on a word that cannot end a sentence"
    assert truncation_reason(answer, min_words=3, source=passage) is None


@given(st.lists(st.sampled_from(["the", "cat", "sat", "on", "a", "mat", "quietly", "today"]), min_size=1, max_size=30))
def test_prose_with_a_full_stop_is_never_truncated(words: list[str]) -> None:
    assert truncation_reason(" ".join(words) + ".", min_words=3) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("plain ascii text\twith tabs\nand newlines", None),
        ("café au lait, naïve, 東京", None),
        ("cafÃ© au lait", "mojibake"),
        ("itâ€™s broken", "mojibake"),
        ("Scienceâ\x80\x94quantified", "mojibake"),
        ("\ufeffok" , None),
        ("ï»¿BOM as text", "mojibake"),
        ("bad byte \ufffd here", "replacement character"),
        ("nul\x00inside", "control character"),
        ("bell\x07", "control character"),
    ],
)
def test_encoding_damage(text: str, kind: str | None) -> None:
    assert damage_kind(text) == kind


@pytest.mark.parametrize(
    ("text", "refusal", "placeholder"),
    [
        ("As an AI language model, I cannot have opinions.", True, False),
        ("I’m sorry, but I can’t help with that.", True, False),  # typographic apostrophes
        ("Sure! Here is the answer.", False, False),
        ("<noinput>", False, True),
        ("TODO", False, True),
        ("Lorem ipsum dolor sit amet", False, True),
        ("Make a todo list app", False, False),  # 'todo' as content, not a placeholder
        ("Dear [INSERT NAME], thanks", False, True),
    ],
)
def test_phrases(text: str, refusal: bool, placeholder: bool) -> None:
    assert refusals().matches(text) is refusal
    assert boilerplate().matches(text) is placeholder


def test_phrase_lists_extend_and_their_needles_cover_every_phrase() -> None:
    extended = refusals(["Computer says no"])
    assert extended.matches("well... COMPUTER SAYS NO.")
    for phrases in (extended, boilerplate(["N/A here"])):
        assert all(any(n in p for n in phrases.needles) for p in phrases.phrases)
        assert all(len(n) >= 5 or n in phrases.phrases for n in phrases.needles)


@pytest.mark.parametrize(
    ("turns", "problems"),
    [
        ([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}], []),
        ([{"role": "system", "content": "be kind"}, {"from": "human", "value": "hi"}, {"from": "gpt", "value": "hey"}], []),
        ([], ["no_turns"]),
        ([{"role": "wizard", "content": "hi"}, {"role": "assistant", "content": "x"}], ["unknown_role"]),
        ([{"role": "user", "content": " "}, {"role": "assistant", "content": "x"}], ["empty_turn"]),
        ([{"role": "user", "content": "a"}, {"role": "system", "content": "b"}, {"role": "assistant", "content": "c"}], ["system_not_first"]),
        ([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}, {"role": "assistant", "content": "c"}], ["consecutive_user"]),
        ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}], ["no_final_assistant"]),
        ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "", "tool_calls": [{"id": 1}]}, {"role": "tool", "content": "r"}, {"role": "assistant", "content": "ok"}], []),
        (["not a turn"], ["unknown_role", "no_final_assistant"]),
    ],
)
def test_chat_problems(turns: list, problems: list[str]) -> None:
    assert chat_problems(turns) == problems


def test_consecutive_user_turns_can_be_allowed() -> None:
    turns = [{"role": "user", "content": "a"}, {"role": "user", "content": "b"}, {"role": "assistant", "content": "c"}]
    assert chat_problems(turns, allow_consecutive_user=True) == []
    assert normalise_role("Prompter") == "user" and normalise_role(None) is None


@pytest.mark.parametrize(
    ("text", "expected", "detected"),
    [
        ("The weather is nice today and we are going to the park with the children.", "en", None),
        ("Das Wetter ist heute schön und wir gehen mit den Kindern in den Park, das ist nicht weit.", "en", "de"),
        ("Le temps est beau aujourd'hui et nous allons au parc avec les enfants pour la journée.", "en", "fr"),
        ("Сегодня хорошая погода, и мы идём в парк с детьми на весь день.", "en", "cyrillic"),
        ("Сегодня хорошая погода, и мы идём в парк с детьми на весь день.", "ru", None),
        ("The weather is nice today and we are going to the park with the children.", "ru", "latin"),
        ("ok", "en", None),  # too short to tell
    ],
)
def test_language(text: str, expected: str, detected: str | None) -> None:
    assert detected_language(text, expected) == detected


def test_token_estimate_and_counter_spec() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd" * 100) == 100
    assert estimate_tokens("東京" * 10) > estimate_tokens("ab" * 10)
    assert make_counter("estimate").count_many(["abcd", ""]) == [1, 0]
    with pytest.raises(ConfigError, match="not understood"):
        make_counter("gpt2-please")
    with pytest.raises(ConfigError, match="no tokenizer file"):
        make_counter("/nonexistent/tokenizer.json")


def test_tiktoken_is_refused_when_missing_or_uncached() -> None:
    # Either the package is absent here, or the encoding is not cached: both refuse, never download.
    with pytest.raises(ConfigError, match="tiktoken"):
        make_counter("tiktoken:no_such_encoding_for_tests")


def test_length_outliers_on_log_scale() -> None:
    rng = np.random.default_rng(0)
    lengths = np.exp(rng.normal(5, 0.3, 500)).astype(int).tolist() + [50_000, 2]
    long_, short, median = outliers(lengths, 3.5)
    assert 500 in long_ and 501 in short
    assert len(long_) + len(short) <= 6  # a normal sample has few points beyond 3.5 robust sigmas
    assert 120 < median < 180
    assert outliers([10] * 100 + [1000], 3.5)[:2] == ([], [])  # MAD 0: nothing judged


def test_breakdown_names_a_concentrated_defect() -> None:
    values = [f"t{i % 50}" for i in range(5000)]  # 50 templates of 100
    field = GroupField.of("template", values)
    bug = [i for i in range(5000) if values[i] in ("t3", "t7")]
    found = breakdown(bug, field, share=0.8, max_groups_share=0.2, min_records=5, min_rate=0.25)
    assert found.concentrated and [g for g, _, _ in found.top] == ["t3", "t7"]
    assert "all come from 2 of 50 templates" in found.sentence()
    assert "every record of 2 of them" in found.sentence()
    spread = breakdown(list(range(0, 5000, 7)), field, 0.8, 0.2, 5, 0.25)  # every template, 1 in 7
    assert not spread.concentrated


def test_scan_chunks_give_the_same_indices_as_one_chunk() -> None:
    n = CHUNK + 7
    outputs = ["A fine answer here." if i % 997 else "mail a.b@corp.io now." for i in range(n)]
    outputs[CHUNK] = "As an AI language model I cannot."
    outputs[CHUNK + 3] = ""
    result = scan(["q"] * n, outputs, ScanOptions())
    assert result.pii["email"] == [i for i in range(n) if i % 997 == 0 and i != CHUNK + 3 and i != CHUNK]
    assert result.refusals == [CHUNK]
    assert result.empty_out == [CHUNK + 3]


def test_scan_with_a_non_ascii_team_phrase_takes_the_exact_path() -> None:
    # "É" is not lowered by bytes.lower(), so this phrase must be matched on str.lower()'d text.
    outputs = ["Ça va, merci.", "DÉSOLÉ, JE NE PEUX PAS vous aider.", "Très bien."]
    result = scan(["q"] * 3, outputs, ScanOptions(refusal_phrases=("désolé, je ne peux pas",), min_output_words=1))
    assert result.refusals == [1]


def test_natural_text_is_not_boilerplate() -> None:
    assert not boilerplate().matches("5 glasses still need to be filled with water.")


PII_TEXTS = [text for text, _ in test_pii_kinds.pytestmark[0].args[1]]  # the golden table above


@settings(deadline=None)  # the first example builds the gates' automata and may import libphonenumber
@given(st.lists(st.sampled_from(PII_TEXTS + [t for t, _ in test_encoding_damage.pytestmark[0].args[1]] + ["Version 4.2.1"]), min_size=1, max_size=12))
def test_chunk_gates_never_hide_what_the_rules_find(texts: list[str]) -> None:
    # The gates are only a shortcut: the scan must report exactly what the per-text rules find.
    result = scan(texts, ["ok."] * len(texts), ScanOptions())
    expected: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        for kind in sorted(kinds_in(text)):
            expected.setdefault(kind, []).append(i)
    assert result.pii == expected
    damaged = sorted(i for i, t in enumerate(texts) if damage_kind(t))
    assert sorted(i for members in result.encoding.values() for i in members) == damaged


@pytest.mark.parametrize(
    "text",
    [
        "NI number AB 1234 56C, thanks",  # a NINO spaced after its letters: the shape gate once let it through only beside a date
        "NI number AB123456C",
        "NI number AB 12 34 56 C",
        "born 2013-11-02, NI number AB 1234 56 C",
        "SSN 212-34-5678 on file",
        "on 2013-11-02 and 2014-01-05",  # dates: no value, and no longer sent to the per-text rules
        "api_\u212aey = 'a1b2c3d4e5f6g7h8i9j0k1l2'",  # a Kelvin sign is a K to the case-insensitive key name
        "SECRET_TOKEN: \"Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk\"",
        "use ghp_" + "a1" * 20 + " here",
        "snake_case_identifier = compute_total(items)",  # underscores only: no key shape
    ],
)
def test_scan_gates_let_every_value_through(text: str) -> None:
    result = scan([text], ["ok."], ScanOptions())
    assert {kind for kind, members in result.pii.items() if members} == kinds_in(text)


@settings(deadline=None)  # each new needle set builds an automaton
@given(
    st.lists(st.text(alphabet="ab@_kK-", max_size=12), min_size=1, max_size=30),
    st.lists(st.lists(st.text(alphabet="ab@_kK-", min_size=1, max_size=3), max_size=3), min_size=1, max_size=3),
    st.integers(min_value=3, max_value=40),
)
def test_multi_needle_gate_finds_what_substring_search_finds(texts: list[str], groups: list[list[str]], window: int) -> None:
    # The one-pass search reads a window at a time (tiny windows here, so needles fall
    # across their ends) and lets matches overlap: each group must hit exactly the texts
    # that hold one of its needles.
    from checks.quality_rules import scan as scan_module

    haystack = scan_module._Chunk(texts).utf8
    original = scan_module._WINDOW, scan_module._DENSE
    # Tiny windows and a tiny density limit: the path that settles a text group by group runs too.
    scan_module._WINDOW = max(window, max((len(n) for g in groups for n in g), default=1))
    scan_module._DENSE = window % 4
    try:
        found = haystack.containing_each([[n.encode() for n in g] for g in groups])
    finally:
        scan_module._WINDOW, scan_module._DENSE = original
    assert found == [{k for k, t in enumerate(texts) if any(n in t for n in g)} for g in groups]
