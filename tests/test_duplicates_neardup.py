"""Shingling, MinHash, exact Jaccard and the LSH search, against exhaustive exact Jaccard."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.similarity import minhash
from auditor.similarity.clusters import components
from auditor.similarity.jaccard import SetIndex, all_pairs_above, pair_jaccard
from auditor.similarity.minhash import EMPTY, densify, signatures
from auditor.similarity.neardup import NearParams, near_views
from auditor.similarity.normalize import Normalizer
from auditor.similarity.shingles import Shingles, encode, shingle


@pytest.mark.parametrize(
    ("text", "count"),
    [("", 0), ("   ", 0), ("one", 1), ("a b c", 1), ("a b c d", 1), ("a b c d e", 1), ("a b c d e f", 2), ("w " * 12, 8)],
)
def test_shingle_counts_short_texts_included(text, count):
    assert len(shingle(encode([text]), 5).hashes) == count


def test_shingle_hash_is_independent_of_position_and_owner():
    sh = shingle(encode(["x y a b c d e", "a b c d e", "", "q a b c d e"]), 5)
    by_owner = {o: set(sh.hashes[sh.owner == o].tolist()) for o in range(4)}
    assert by_owner[1] <= by_owner[0] and by_owner[1] <= by_owner[3]
    assert by_owner[2] == set()


def test_salt_keeps_fields_apart():
    plain, salted = shingle(encode(["a b c d e"]), 5), shingle(encode(["a b c d e"]), 5, salt=12345)
    assert plain.hashes[0] != salted.hashes[0]


def test_short_texts_match_only_the_same_words():
    sh = shingle(encode(["good morning", "good morning", "good evening"]), 5)
    assert sh.hashes[0] == sh.hashes[1] != sh.hashes[2]


def test_signatures_of_equal_sets_are_equal_and_dense():
    sh = shingle(encode(["a b c d e f g h", "a b c d e f g h", "z"]), 5)
    sig = densify(signatures(sh, 120), seed=0)
    assert (sig[0] == sig[1]).all()
    assert (sig != EMPTY).all()  # even the one-shingle text fills every bin


def test_signature_collision_rate_tracks_jaccard():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 2**63, 400, dtype=np.uint64)
    other = base.copy()
    other[:80] = rng.integers(0, 2**63, 80, dtype=np.uint64)  # J = 320 / 480
    sh = Shingles(np.repeat([0, 1], 400), np.concatenate([base, other]), 2)
    sig = densify(signatures(sh, 1200), seed=1)
    assert abs((sig[0] == sig[1]).mean() - 320 / 480) < 0.05


def densified_one_by_one(sig: np.ndarray, seed: int) -> np.ndarray:
    """The definition of ``densify``, bin by bin: the first attempt reaching a bin the text filled."""
    donors = minhash._donor_table(sig.shape[1], seed)
    out = sig.copy()
    for r, row in enumerate(sig):
        own = row != EMPTY
        if not own.any():
            continue
        for j in np.flatnonzero(~own):
            reached = np.flatnonzero(own[donors[j]])
            out[r, j] = row[donors[j, reached[0]]] if len(reached) else row[np.argmax(own)]
    return out


@pytest.mark.parametrize("max_tries", [minhash._MAX_TRIES, 12])  # 12: the fallback to the first filled bin is exercised
def test_densify_follows_its_definition_for_sparse_and_dense_rows(monkeypatch: pytest.MonkeyPatch, max_tries: int) -> None:
    monkeypatch.setattr(minhash, "_MAX_TRIES", max_tries)
    minhash._first_attempts.cache_clear()
    rng = np.random.default_rng(4)
    num_perm = 64
    sig = np.full((400, num_perm), EMPTY, np.uint32)
    for r in range(400):
        filled = rng.choice(num_perm, size=int(rng.choice([0, 1, 2, 3, 5, 16, 17, 30, 63, 64])), replace=False)
        sig[r, filled] = rng.integers(0, 2**31, len(filled), dtype=np.uint32)
    expected = densified_one_by_one(sig, seed=9)
    got = densify(sig.copy(), seed=9)
    minhash._first_attempts.cache_clear()
    assert (got == expected).all()
    assert (got[(sig != EMPTY).any(axis=1)] != EMPTY).all()


sets = st.lists(st.frozensets(st.integers(0, 40), max_size=25), min_size=2, max_size=8)


@settings(max_examples=60, deadline=None)
@given(sets)
def test_pair_jaccard_matches_python_sets(texts):
    owner = np.concatenate([np.full(len(s), i) for i, s in enumerate(texts)]).astype(np.int64)
    hashes = np.array([x for s in texts for x in sorted(s)], np.uint64)
    index = SetIndex.build(Shingles(owner, hashes, len(texts)))
    a, b = np.triu_indices(len(texts), 1)
    got = pair_jaccard(index, a, b)
    want = [len(texts[i] & texts[j]) / len(texts[i] | texts[j]) if texts[i] | texts[j] else 0.0 for i, j in zip(a, b)]
    assert np.allclose(got, want)
    ea, eb, ej = all_pairs_above(index, 0.5)
    assert {(int(i), int(j)) for i, j in zip(ea, eb)} == {(int(i), int(j)) for i, j, w in zip(a, b, want) if w >= 0.5}


def _jac(x: frozenset, y: frozenset) -> float:
    return len(x & y) / len(x | y) if x | y else 1.0  # two empty fields are equal


@settings(max_examples=60, deadline=None)
@given(sets, st.data())
@pytest.mark.parametrize("parts", [((0, 1),), ((0, 1), (1,)), ((0,), (1,))])
def test_all_pairs_above_judges_each_part_as_python_sets_do(parts, texts, data):
    """Two fields (input, output), salted apart: a pair is kept when every part's Jaccard (of the
    union of its fields' sets) reaches the threshold."""
    from auditor.similarity.boilerplate import FieldSets
    from auditor.similarity.neardup import FieldIndex, Judge

    outs = data.draw(st.lists(st.frozensets(st.integers(0, 12), max_size=6), min_size=len(texts), max_size=len(texts)))
    fields = []
    n = len(texts)
    for field, group in enumerate((texts, outs)):
        owner = np.concatenate([np.full(len(s), i) for i, s in enumerate(group)] + [np.zeros(0)]).astype(np.int64)
        hashes = np.array([x + 1000 * field for s in group for x in sorted(s)], np.uint64)
        none = Shingles(np.zeros(0, np.int64), np.zeros(0, np.uint64), n)
        fields.append(FieldIndex(FieldSets(Shingles(owner, hashes, n), none, np.zeros(n, np.bool_), np.zeros(n, np.bool_))))
    a, b, value = Judge(fields, parts, 0.6).exhaustive()
    if len(a):  # the LSH path's verification judges the same pairs alike
        assert np.allclose(Judge(fields, parts, 0.6)(a, b), value)
    got = {(int(i), int(j)): v for i, j, v in zip(a, b, value)}
    salted = [frozenset(x + 1000 for x in o) for o in outs]
    want = {}
    for i, j in zip(*np.triu_indices(len(texts), 1)):
        whole = [texts[i] | salted[i], texts[j] | salted[j]]
        if not (whole[0] & whole[1]):
            continue  # sharing nothing: never a pair (both wholly empty would be one text)
        by_field = {(0,): _jac(texts[i], texts[j]), (1,): _jac(salted[i], salted[j]), (0, 1): _jac(*whole)}
        score = min(by_field[p] for p in parts)
        if score >= 0.6:
            want[(int(i), int(j))] = score
    assert got.keys() == want.keys()
    assert all(abs(got[k] - want[k]) < 1e-9 for k in got)


# --- accuracy against exhaustive exact Jaccard --------------------------------

WORDS = [f"{a}{b}{c}" for a in "bcdfghklmnprstvz" for b in "aeiou" for c in ("n", "r", "s", "l", "ta", "mo", "ri")]


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."


def _variant(rng: random.Random, text: str) -> str:
    words = text.split()
    kind = rng.randrange(3)
    if kind == 0:  # a few words changed
        for _ in range(rng.randint(1, 3)):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        return " ".join(words)
    if kind == 1:  # punctuation and case changed
        i = rng.randrange(len(words))
        words[i] = words[i].upper() + ","
        return " ".join(words).replace(".", "!", 1)
    return text + " " + _sentence(rng)  # a sentence added


def synthetic_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` records: originals, near-copies of them, and same-template hard negatives."""
    rng = random.Random(seed)
    templates = [" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(15)]
    pairs: list[tuple[str, str]] = []
    while len(pairs) < n:
        roll = rng.random()
        if roll < 0.4 and pairs:
            src_in, src_out = rng.choice(pairs)
            pairs.append((_variant(rng, src_in), _variant(rng, src_out) if rng.random() < 0.5 else src_out))
        elif roll < 0.6:  # hard negative: a shared template, different content
            content = " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
            pairs.append((rng.choice(templates) + ": " + content, _sentence(rng) + " " + _sentence(rng)))
        else:
            pairs.append((" ".join(_sentence(rng) for _ in range(rng.randint(3, 8))), " ".join(_sentence(rng) for _ in range(rng.randint(1, 8)))))
    return pairs


def _labels(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    lab = np.arange(n)
    for k, g in enumerate(components(n, a, b)):
        lab[g] = n + k
    return lab


@pytest.mark.parametrize("view", ["inputs", "pairs"])
def test_lsh_recall_and_precision_against_exhaustive_jaccard(view):
    pairs = synthetic_pairs(3000, seed=7)
    norm = Normalizer()
    ins, outs = norm.many(p[0] for p in pairs), norm.many(p[1] for p in pairs)
    first_pair = np.array(sorted({(i, o): k for k, (i, o) in reversed(list(enumerate(zip(ins, outs))))}.values()))
    first_in = np.array(sorted({i: k for k, i in reversed(list(enumerate(ins)))}.values()))
    truth = getattr(near_views(ins, outs, first_pair, first_in, NearParams(exact_below=10**9, threshold=0.5)), view)
    found = getattr(near_views(ins, outs, first_pair, first_in, NearParams(exact_below=0)), view)
    assert found.method == "lsh" and truth.method == "exact"

    lab = _labels(len(pairs), found.a, found.b)
    strong = truth.jaccard >= 0.85
    assert strong.sum() > 75  # the planted near-copies are there to be found (as whole examples: output too)
    recall = (lab[truth.a[strong]] == lab[truth.b[strong]]).mean()
    assert recall >= 0.95
    # Precision of the pairs reported: each must truly be at or above the threshold...
    true_pairs = {(int(a), int(b)): j for a, b, j in zip(truth.a, truth.b, truth.jaccard)}
    reported = [true_pairs.get((int(a), int(b)), 0.0) for a, b in zip(found.a, found.b)]
    assert np.mean([j >= 0.8 for j in reported]) >= 0.98
    # ...and of the clusters: pairs put together are pairs the exact clustering puts together.
    truth_lab = _labels(len(pairs), truth.a[truth.jaccard >= 0.8], truth.b[truth.jaccard >= 0.8])
    together = [(i, j) for g in components(len(pairs), found.a, found.b) for i in g for j in g if i < j]
    assert np.mean([truth_lab[i] == truth_lab[j] for i, j in together]) >= 0.98
    # Hard negatives (same template) are never reported.
    assert all(j >= 0.8 for j in reported)


def test_empty_texts_at_the_end_do_not_break_shingling() -> None:
    """Found by the clean() property test: an empty last text started past the buffer."""
    from checks.effective import effective
    from tests.helpers import make_context, make_dataset

    for pairs in ([("a", "a"), ("a", "")], [("", ""), ("x y", "")], [("a b c d e f", "")]):
        eff = make_context(make_dataset(pairs)).cached(effective)
        assert eff.count + eff.removed_exact + eff.removed_near + eff.removed_conflicting == len(pairs)


# --- boilerplate that a family of copies shares, and own words ----------------------


def _own_reference(text: str, shared: set[tuple[str, ...]], k: int = 5) -> int:
    """Words of ``text`` in no k-gram of ``shared``, the text padded with k-1 marks at each end."""
    words = ["\x01"] * (k - 1) + text.split() + ["\x02"] * (k - 1)
    covered = np.zeros(len(words), np.bool_)
    for i in range(len(words) - k + 1):
        if tuple(words[i : i + k]) in shared:
            covered[i : i + k] = True
    return int((~covered[k - 1 : len(words) - k + 1]).sum())


def _grams(text: str, k: int = 5) -> set[tuple[str, ...]]:
    words = ["\x01"] * (k - 1) + text.split() + ["\x02"] * (k - 1)
    return {tuple(words[i : i + k]) for i in range(len(words) - k + 1)}


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(st.sampled_from("a b c d e f g h".split()), min_size=5, max_size=30),
    edits=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(["x", "y", "x y", "z z z", "q r s t u v"])), max_size=3),
)
def test_pair_own_words_matches_a_padded_reference(base, edits):
    from auditor.similarity.edits import pair_own_words

    other = list(base)
    for at, words in edits:
        at %= len(other)
        other[at : at + 1] = words.split()
    texts = [" ".join(base), " ".join(other)]
    seq = shingle(encode(texts), 5, edges=True)
    own_a, own_b = pair_own_words(seq, np.array([0]), np.array([1]), 5)
    if min(len(base), len(other)) >= 5:  # shorter texts are one shingle: equal or not
        assert (own_a[0], own_b[0]) == (_own_reference(texts[0], _grams(texts[1])), _own_reference(texts[1], _grams(texts[0])))


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from("a b c d e f".split()), min_size=5, max_size=25), min_size=1, max_size=6),
    shared_texts=st.lists(st.lists(st.sampled_from("a b c d e f".split()), min_size=5, max_size=25), min_size=1, max_size=3),
)
def test_own_words_against_boilerplate_matches_a_padded_reference(texts, shared_texts):
    """A text's words covered by no boilerplate gram (edge grams included), as the Shingler counts them."""
    from auditor.similarity.boilerplate import Boilerplate, own_words

    texts_s = [" ".join(t) for t in texts]
    shared_s = [" ".join(t) for t in shared_texts]
    grams = set().union(*(_grams(t) for t in shared_s))
    ref = shingle(encode(shared_s), 5, edges=True)
    boiler = Boilerplate(np.unique(ref.hashes & np.uint64(0xFFFFFFFF)), np.unique(ref.edges[ref.edges.any(axis=1)] & np.uint64(0xFFFFFFFF)))
    sh = shingle(encode(texts_s), 5, edges=True)
    got = own_words(sh.owner, Boilerplate.holds(boiler.shingles, sh.hashes), Boilerplate.holds(boiler.edges, sh.edges), 5)
    assert got.tolist() == [_own_reference(t, grams) for t in texts_s]


@pytest.mark.parametrize("size", [40, 200, 2000])
def test_a_family_of_near_copies_is_one_effective_example_at_any_size(size):
    """Issue 17: one 100-word text copied with one word changed per copy, same output. Its shared
    text is boilerplate once 50 copies hold it; the copies keep their whole sets, since what they
    add (one word) is shorter than a shingle, and stay one cluster."""
    from checks.effective import effective
    from tests.helpers import make_context, make_dataset
    from tests.synth_duplicates import near_copy_families

    fam = near_copy_families(size, families=2, seed=size)
    background = [(f"unrelated question number {i} about topic {i * 7}", f"its own answer {i}") for i in range(300)]
    ctx = make_context(make_dataset(list(zip(fam.inputs, fam.outputs)) + background))
    eff = ctx.cached(effective)
    assert eff.count == 2 + len(background)


def test_a_family_of_near_copies_is_one_cluster_on_the_lsh_path_too():
    from tests.synth_duplicates import near_copy_families

    fam = near_copy_families(3000, families=1, seed=3)
    norm = Normalizer()
    ins, outs = norm.many(fam.inputs), norm.many(fam.outputs)
    rows = np.arange(len(ins))
    found = near_views(ins, outs, rows, rows, NearParams(exact_below=0)).pairs
    assert found.method == "lsh" and found.boilerplate[0] > 50  # the family's text is boilerplate
    assert components(len(ins), found.a, found.b) == [list(range(len(ins)))]


@settings(max_examples=25, deadline=None)
@given(
    where=st.lists(st.integers(0, 99), min_size=60, max_size=60, unique=True),
    shift=st.lists(st.integers(1, 999), min_size=60, max_size=60),
)
def test_a_family_collapses_whichever_word_each_copy_changes(where, shift):
    """The invariant behind issue 17's family: 60 distinct copies of a 100-word text (common enough
    to be boilerplate: 50 records and 5 %), each with one word replaced anywhere (the first and last
    k words included, where own words are hardest to count), one output: one effective example."""
    from auditor.features import near_duplicates
    from checks.effective import effective
    from tests.helpers import make_context, make_dataset

    base = [f"w{i}" for i in range(100)]
    pairs = []
    for at, by in zip(where, shift):
        copy = list(base)
        copy[at] = f"v{by}"
        pairs.append((" ".join(copy), "the family's one answer"))
    background = [(f"unrelated question number {i} about topic {i * 7}", f"its own answer {i}") for i in range(20)]
    ctx = make_context(make_dataset(pairs + background))
    assert ctx.cached(near_duplicates).pairs.boilerplate[0] > 0  # the rule that used to erase the family applies
    assert ctx.cached(effective).count == 1 + len(background)


def test_hash_powers_do_not_depend_on_how_they_grew() -> None:
    """The powers table grows by doubling from the first size asked (a small file no longer
    builds 8M entries); every prefix must equal the one a single large build gives."""
    from auditor.similarity.shingles import _Powers

    grown, whole = _Powers(), _Powers()
    for n in (10, 11, 700, 70_000):
        pow_, inv = grown.upto(n)
        assert len(pow_) > n
    big_pow, big_inv = whole.upto(200_000)
    np.testing.assert_array_equal(pow_, big_pow[: len(pow_)])
    np.testing.assert_array_equal(inv, big_inv[: len(inv)])
    assert int(pow_[5]) == pow(0x9E3779B1, 5, 2**32) and (int(pow_[5]) * int(inv[5])) % 2**32 == 1


def test_near_views_read_the_same_from_on_demand_columns() -> None:
    """The near-duplicate pass given on-demand normalised columns (the run's, since issue 20)
    finds exactly the pairs it finds in lists, on both the exact and the LSH path."""
    from auditor.features.texts import NormalisedTexts

    pairs = synthetic_pairs(1500, seed=3)
    norm = Normalizer()
    raw_in, raw_out = [p[0].upper() for p in pairs], [p[1] for p in pairs]
    ins, outs = norm.many(raw_in), norm.many(raw_out)
    first_pair = np.array(sorted({(i, o): k for k, (i, o) in reversed(list(enumerate(zip(ins, outs))))}.values()))
    first_in = np.array(sorted({i: k for k, i in reversed(list(enumerate(ins)))}.values()))
    for params in (NearParams(exact_below=10**9), NearParams(exact_below=0, boilerplate_min_records=5)):
        listed = near_views(ins, outs, first_pair, first_in, params)
        lazy = near_views(NormalisedTexts(norm, raw_in), NormalisedTexts(norm, raw_out), first_pair, first_in, params)
        for view in ("inputs", "pairs", "similar"):
            a, b = getattr(listed, view), getattr(lazy, view)
            assert len(a.a) > 0 or view == "similar"
            np.testing.assert_array_equal(a.a, b.a)
            np.testing.assert_array_equal(a.b, b.b)
            np.testing.assert_array_equal(a.jaccard, b.jaccard)
