"""Each partition's distinct records, derived from its repeats: the same rows as slicing the representatives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.features.distinctrows import part_rows
from auditor.similarity.keys import Runs, pair_keys

# Few distinct values, so that inputs repeat with and without their outputs.
_KEY = st.sampled_from([1, 2, 3])


@settings(deadline=None)  # a loaded machine; the property is what counts
@given(
    records=st.lists(st.tuples(_KEY, _KEY), max_size=50),
    cuts=st.lists(st.integers(0, 50), max_size=6),
    grouped=st.booleans(),
)
def test_rows_expand_to_the_slices_of_the_representatives(records: list[tuple[int, int]], cuts: list[int], grouped: bool) -> None:
    n = len(records)
    ins = np.array([[r[0], 0] for r in records], np.uint64).reshape(-1, 2)
    outs = np.array([[r[1], 0] for r in records], np.uint64).reshape(-1, 2)
    pairs, inputs = Runs.of(pair_keys(ins, outs)), Runs.of(ins)
    if grouped:  # as a cluster run knows them: the groups of two or more only
        pairs, inputs = (Runs.of_groups(n, np.array([i for g in r.groups() for i in g], np.int64), np.array([len(g) for g in r.groups()], np.int64)) for r in (pairs, inputs))
    starts = np.array(sorted({0, n, *(min(c, n) for c in cuts)}), np.int64)
    pm, im = pairs.representatives()[0], inputs.representatives()[0]
    is_input = np.isin(pm, im)
    bounds = np.searchsorted(pm, starts)
    got = part_rows(pairs, inputs, starts)
    assert len(got) == len(starts) - 1
    for k, rows in enumerate(got):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        at, first_in = rows.expand()
        assert at.tolist() == (pm[lo:hi] - starts[k]).tolist()
        assert first_in.tolist() == is_input[lo:hi].tolist()
        assert rows.first_row == lo
