from __future__ import annotations

import pytest

from auditor import forkmap
from auditor.features import input_hashes
from tests.helpers import make_context, make_dataset


def test_fork_map_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forkmap, "MIN_ITEMS", 0)
    data = [f"item {i}" for i in range(1001)]
    work = lambda a, b: [len(x) * 7 for x in data[a:b]]  # noqa: E731
    for workers in (1, 2, 3, 5):
        assert forkmap.fork_map(work, len(data), workers) == work(0, len(data))


def test_fork_map_passes_errors_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forkmap, "MIN_ITEMS", 0)

    def work(a: int, b: int) -> list[int]:
        if a > 0:
            raise ValueError("bad slice")
        return [1]

    with pytest.raises(ValueError, match="bad slice"):
        forkmap.fork_map(work, 10, 2)


def test_parallel_hashes_equal_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    pairs = [(f"Question {i % 50}  here", "a") for i in range(500)]
    serial = make_context(make_dataset(pairs), jobs=1).cached(input_hashes)
    monkeypatch.setattr(forkmap, "MIN_ITEMS", 0)
    assert make_context(make_dataset(pairs), jobs=2).cached(input_hashes) == serial
