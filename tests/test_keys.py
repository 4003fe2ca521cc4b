"""Grouping records by hash keys: ``Runs`` against the plain definition."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import auditor.similarity.keys as keys_module
from auditor.similarity.keys import GroupedRuns, Runs, pair_keys


def plain_groups(keys: list[tuple[int, ...]]) -> list[list[int]]:
    """Indices sharing a key, groups of two or more, ordered by first member."""
    members: dict[tuple[int, ...], list[int]] = {}
    for i, k in enumerate(keys):
        members.setdefault(k, []).append(i)
    return [g for g in members.values() if len(g) > 1]


def plain_representatives(keys: list[tuple[int, ...]]) -> tuple[list[int], list[int]]:
    first: dict[tuple[int, ...], int] = {}
    rep = [first.setdefault(k, i) for i, k in enumerate(keys)]
    return sorted(first.values()), rep


# Few distinct words, so that keys repeat, share a first word or differ in one word only.
_WORDS = st.sampled_from([0, 1, 2**63, 2**64 - 1, 12345])


@settings(deadline=None)  # a loaded machine; the property is what counts
@given(rows=st.lists(st.tuples(_WORDS, _WORDS), max_size=60), width=st.sampled_from([2, 4]))
def test_runs_group_like_the_plain_definition(rows: list[tuple[int, int]], width: int) -> None:
    keys = [r * (width // 2) for r in rows]
    array = np.array(keys, np.uint64).reshape(-1, width)
    runs = Runs.of(array)
    assert runs.groups() == plain_groups(keys)
    first, rep = runs.representatives()
    want_first, want_rep = plain_representatives(keys)
    assert (first.tolist(), rep.tolist()) == (want_first, want_rep)
    assert sorted(runs.sizes.tolist()) == sorted(Counter(keys).values())
    _assert_firsts_and_repeats(runs, keys)


def _assert_firsts_and_repeats(runs: Runs | GroupedRuns, keys: list[tuple[int, ...]]) -> None:
    """``firsts`` is ``representatives()[0]`` (values and width); ``repeats`` every other record."""
    first, rep = runs.representatives()
    assert runs.firsts().dtype == first.dtype and runs.firsts().tolist() == first.tolist()
    want = [i for i in range(len(keys)) if rep[i] != i]
    assert runs.repeats().dtype == np.int64 and runs.repeats().tolist() == want
    later, first_of = runs.links()
    assert later.tolist() == want and first_of.dtype == np.int64 and first_of.tolist() == [int(rep[i]) for i in want]


@settings(deadline=None)  # a loaded machine; the property is what counts
@given(rows=st.lists(st.tuples(_WORDS, _WORDS), max_size=60))
def test_runs_of_groups_found_elsewhere_are_the_runs(rows: list[tuple[int, int]]) -> None:
    """A cluster run sends back only the groups (two or more records); the runs built from them are the same."""
    groups = plain_groups(rows)
    members = np.array([i for g in groups for i in g], np.int64)
    runs = Runs.of_groups(len(rows), members, np.array([len(g) for g in groups], np.int64))
    assert runs.groups() == groups
    first, rep = runs.representatives()
    assert (first.tolist(), rep.tolist()) == plain_representatives(rows)
    assert sorted(runs.sizes.tolist()) == sorted(Counter(rows).values())
    assert _partition_of(runs.run_ids()) == _partition_of(Runs.of(np.array(rows, np.uint64).reshape(-1, 2)).run_ids())
    assert _partition_of(runs.run_ids()) == sorted(map(sorted, _by_key(rows).values()))
    _assert_firsts_and_repeats(runs, rows)


def _by_key(rows: list[tuple[int, int]]) -> dict[tuple[int, int], list[int]]:
    out: dict[tuple[int, int], list[int]] = {}
    for i, k in enumerate(rows):
        out.setdefault(k, []).append(i)
    return out


def _partition_of(ids: np.ndarray) -> list[list[int]]:
    """The records grouped by run number: equal numbers for one run's records, and only for them."""
    out: dict[int, list[int]] = {}
    for i, k in enumerate(ids.tolist()):
        out.setdefault(k, []).append(i)
    return sorted(out.values())


@given(rows=st.lists(st.tuples(_WORDS, _WORDS), max_size=40))
def test_a_folded_word_shared_by_different_keys_falls_back_to_the_full_keys(rows: list[tuple[int, int]]) -> None:
    """Every row folding to one word (a collision everywhere) still groups exactly."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(keys_module, "_fold", lambda keys: np.zeros(len(keys), np.uint64))
        runs = Runs.of(np.array(rows, np.uint64).reshape(-1, 2))
    assert runs.groups() == plain_groups(rows)
    assert runs.representatives()[1].tolist() == plain_representatives(rows)[1]


def test_fold_keeps_rows_differing_in_one_word_apart() -> None:
    base = np.array([[7, 8, 9, 10]], np.uint64)
    variants = np.repeat(base, 4, axis=0)
    for c in range(4):
        variants[c, c] += np.uint64(1)
    words = keys_module._fold(np.concatenate([base, variants]))
    assert len(set(words.tolist())) == 5


def test_pair_keys_put_input_before_output() -> None:
    a = np.array([[1, 2]], np.uint64)
    b = np.array([[3, 4]], np.uint64)
    assert pair_keys(a, b).tolist() == [[1, 2, 3, 4]]
    assert Runs.of(np.zeros((0, 4), np.uint64)).groups() == []
