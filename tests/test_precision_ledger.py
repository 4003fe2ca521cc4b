"""The precision ledger's machinery (benchmarks/ledger.py) on a tiny synthetic fixture:
the Wilson interval, the staleness hash, the seeded sample and the join with judgements.
The ledger itself runs on the shared real sets (benchmarks/precision.py); none is read here."""

from __future__ import annotations

import math

import pytest

from benchmarks import ledger
from benchmarks.ledger import Context, Flag, Judgement


def flag(dataset: str, code: str, id_: int, group: str | None = None, output: str = "out", **kw: object) -> Flag:
    return Flag(dataset, code, id_, group, "warning", record={"input": f"in {id_}", "output": output}, **kw)  # type: ignore[arg-type]


def judged(f: Flag, verdict: str = "true", digest: str | None = None) -> Judgement:
    return Judgement(f.dataset, f.code, f.id, f.group, digest or f.fingerprint(), verdict, "because")


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (20, 20, 0.8389, 1.0),  # all right: the interval still admits 84 %
        (0, 20, 0.0, 0.1611),
        (14, 20, 0.4810, 0.8545),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_wilson_interval_matches_the_textbook_values(k: int, n: int, low: float, high: float) -> None:
    got = ledger.wilson(k, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_wilson_without_trials_is_undefined() -> None:
    assert all(math.isnan(x) for x in ledger.wilson(0, 0))


def test_fingerprint_changes_with_the_text_the_kind_and_the_context_only() -> None:
    base = flag("d", "QLT004", 1)
    same = flag("d", "QLT004", 1)
    assert base.fingerprint() == same.fingerprint()
    assert len(base.fingerprint()) == ledger.HASH_CHARS
    assert flag("d", "QLT004", 1, output="out, changed").fingerprint() != base.fingerprint()
    assert flag("d", "QLT004", 1, kind="kind=email").fingerprint() != base.fingerprint()
    with_peer = flag("d", "QLT004", 1, context=[Context("group member 2", "in 2 / out")])
    assert with_peer.fingerprint() != base.fingerprint()
    # The group's name is not hashed: renumbered clusters keep their judgements.
    assert flag("d", "QLT004", 1, group="near-7").fingerprint() == flag("d", "QLT004", 1, group="near-9").fingerprint()


def test_join_reuses_current_judgements_and_asks_again_for_stale_ones() -> None:
    kept, changed, new = flag("d", "QLT004", 1), flag("d", "QLT004", 2, output="now different"), flag("d", "QLT004", 3)
    old_changed = judged(flag("d", "QLT004", 2, output="as it was"), "false")
    gone = judged(flag("d", "QLT004", 99))
    joined = ledger.join([kept, changed, new], [judged(kept), old_changed, gone])
    assert [(f.id, j.verdict) for f, j in joined.judged] == [(1, "true")]
    assert [f.id for f in joined.pending] == [2, 3]
    assert set(joined.stale) == {changed.key}
    assert joined.unused == [old_changed, gone]


def test_join_counts_judgements_of_flags_still_raised_but_no_longer_sampled() -> None:
    sampled, unsampled = flag("d", "DUP003", 1, "near-1"), flag("d", "DUP003", 5, "near-2")
    joined = ledger.join([sampled], [judged(unsampled, "false")], extra=[unsampled])
    assert [f.id for f, _ in joined.judged] == [5]
    assert [f.id for f in joined.pending] == [1]  # an extra flag is never asked for


def test_sample_is_deterministic_spread_over_datasets_and_groups() -> None:
    flags = [flag("big", "DUP003", i, f"near-{i // 2}") for i in range(200)]
    flags += [flag("small", "DUP003", i, f"near-{i}") for i in range(2)]
    one = ledger.sample(flags, seed=17, target=20, per_dataset=3)
    again = ledger.sample(list(reversed(flags)), seed=17, target=20, per_dataset=3)
    assert [(f.dataset, f.id) for f in one] == [(f.dataset, f.id) for f in again]
    assert sum(f.dataset == "small" for f in one) == 2  # all it has
    assert len(one) == 20
    big_groups = [f.group for f in one if f.dataset == "big"]
    assert len(set(big_groups)) == len(big_groups)  # one per duplicate cluster
    assert ledger.sample(flags, seed=18, target=20, per_dataset=3) != one


def test_sample_keeps_a_flag_in_place_when_others_vanish() -> None:
    flags = [flag("d", "QLT004", i) for i in range(100)]
    before = {f.id for f in ledger.sample(flags, seed=17)}
    after = {f.id for f in ledger.sample([f for f in flags if f.id % 10 != 0], seed=17)}
    assert {i for i in before if i % 10 != 0} <= after


def test_sample_takes_every_flag_of_a_rare_code() -> None:
    flags = [flag("a", "QLT008", i) for i in range(5)] + [flag("b", "QLT008", i) for i in range(3)]
    assert len(ledger.sample(flags, seed=17)) == 8


def test_unspread_codes_are_sampled_in_plain_seeded_order() -> None:
    # One big topic and many single-item topics: spreading would pick the small topics first.
    flags = [flag("d", "COV005", i, "U1") for i in range(90)] + [flag("d", "COV005", 100 + i, f"U{i + 2}") for i in range(30)]
    spread = ledger.sample(flags, seed=17)
    plain = ledger.sample(flags, seed=17, unspread={"COV005"})
    assert sum(f.group == "U1" for f in spread) == 1
    assert sum(f.group == "U1" for f in plain) > 10


def test_summary_table_counts_precision_and_bars() -> None:
    flags = [flag("a", "QLT004", i) for i in range(30)] + [flag("b", "QLT004", i) for i in range(10)]
    sampled = ledger.sample(flags, seed=17)
    judgements = [judged(f, "true" if f.dataset == "a" else "false") for f in sampled]
    joined = ledger.join(sampled, judgements)
    rows = {r.code: r for r in ledger.summarise({"QLT004": "warning", "QLT010": "blocker"}, flags, sampled, joined)}
    row = rows["QLT004"]
    assert row.flagged == {"a": 30, "b": 10}
    assert row.judged == len(sampled) and row.true == sum(f.dataset == "a" for f in sampled)
    assert row.weighted == pytest.approx(0.75)  # dataset a right, b wrong, weighted by 30 and 10 flags
    assert row.bar == 0.90 and row.status == "BELOW BAR"
    assert rows["QLT010"].status == "not raised" and rows["QLT010"].bar == 0.95
    table = ledger.render_table(list(rows.values()))
    assert "| QLT004 | warning | 90 % | a 30; b 10 |" in table


def test_parse_judgements_rejects_a_bad_verdict_with_its_line() -> None:
    good = judged(flag("d", "QLT004", 1)).to_json()
    assert ledger.parse_judgements([good, ""])[0].verdict == "true"
    with pytest.raises(ValueError, match="line 2"):
        ledger.parse_judgements([good, good.replace('"true"', '"maybe"')])


def test_replace_section_keeps_the_hand_written_text() -> None:
    doc = "# Ledger\n\nwritten by hand\n\n<!-- ledger:table -->\nold\n<!-- /ledger:table -->\n\nmore prose\n"
    out = ledger.replace_section(doc, "table", "new")
    assert out == "# Ledger\n\nwritten by hand\n\n<!-- ledger:table -->\nnew\n<!-- /ledger:table -->\n\nmore prose\n"
    assert ledger.replace_section("# Ledger\n", "pending", "none").endswith("<!-- ledger:pending -->\nnone\n<!-- /ledger:pending -->\n")


def test_out_of_sample_files_are_sampled_each_on_their_own() -> None:
    # Up to 10 flags per code and file: a file with many flags does not crowd out one with few, and
    # the codes another change reworks (COV004) are not sampled.
    from collections import Counter

    from benchmarks import precision

    flags = [flag("oos-a", "QLT004", i) for i in range(30)] + [flag("oos-b", "QLT004", i) for i in range(2)]
    flags += [flag("oos-a", "COV004", i, group="T1") for i in range(5)]
    picked = precision.sample_out_of_sample(flags)
    assert Counter((f.dataset, f.code) for f in picked) == {("oos-a", "QLT004"): 10, ("oos-b", "QLT004"): 2}
    assert picked == precision.sample_out_of_sample(list(reversed(flags)))
