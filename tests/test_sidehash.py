"""The side hasher: a forked worker hashing texts while a large file loads."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import numpy as np
import pytest

from auditor.core.config import resolve
from auditor.core.context import Context
from auditor.features import exact_groups, input_groups, input_keys, output_keys
from auditor.load import load, parallel
from auditor.load import sidehash
from auditor.load.sidehash import SideHasher
from auditor.similarity.normalize import Normalizer

NORM = Normalizer()

# Everything the hashing treats differently: case, runs of whitespace, edges,
# non-ASCII, undecodable bytes of a CSV file (lone surrogates), empty texts.
PIECES = ["Hello", "WORLD", " ", "  ", "\t", "\n\n", "é", "ß", "ﬁ", "\u00a0", "\udc80", "", "x" * 300]


def texts(rng: random.Random, n: int) -> list[str]:
    return ["".join(rng.choices(PIECES, k=rng.randint(0, 8))) for _ in range(n)]


def expected(columns: list[list[str]]) -> list[np.ndarray]:
    return [NORM.hashes(c) for c in columns]


@pytest.mark.parametrize("slot_bytes", [sidehash.SLOT_BYTES, 4096])
def test_worker_hashes_like_the_parent(monkeypatch: pytest.MonkeyPatch, slot_bytes: int) -> None:
    """Batch by batch, in order; a batch too large for a slot is hashed by the parent."""
    monkeypatch.setattr(sidehash, "SLOT_BYTES", slot_bytes)
    rng = random.Random(7)
    batches = [(texts(rng, k), texts(rng, k)) for k in (0, 1, 40, 3, 200, 17)]
    with SideHasher(NORM) as side:
        for batch in batches:
            side.submit(batch)
        got = side.finish(2)
    assert got is not None
    want = expected([[t for b in batches for t in b[0]], [t for b in batches for t in b[1]]])
    assert all((g == w).all() and g.shape == w.shape for g, w in zip(got, want))


def test_a_dead_worker_is_reported_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(self: SideHasher, requests: int, done: int) -> None:
        raise RuntimeError("worker failed")

    monkeypatch.setattr(SideHasher, "_serve", crash)
    with SideHasher(NORM) as side:
        for _ in range(sidehash.SLOTS + 2):  # more batches than slots: the parent must not wait forever
            side.submit((["a", "b"], ["c", "d"]))
        assert side.finish(2) is None


def test_leaving_early_ends_the_worker() -> None:
    with pytest.raises(KeyError):
        with SideHasher(NORM) as side:
            side.submit((["a"], ["b"]))
            pid = side._pid
            raise KeyError("the load failed")
    with pytest.raises(ChildProcessError):  # already reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


@pytest.fixture
def big_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file the loader treats as large, on a machine with two cores or more."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "worker_count", lambda jobs: jobs or 2)
    rng = random.Random(11)
    lines = []
    for i in range(3000):
        inp = rng.choice(["Reset my password", "reset  my PASSWORD", "Où est ma commande ?", f"q{i}"])
        out = rng.choice(["Use the link.", "use the link", "Voilà.", f"a{i % 50}", ""])
        if i % 3 == 0:  # repeated inputs whose outputs agree
            inp, out = f"Track order {i % 40}", f"Order {i % 40} ships Monday."
        lines.append(json.dumps({"input": inp, "output": out, "category": f"c{i % 4}"}))
    lines.insert(100, "{broken")
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_large_loads_arrive_hashed(big_file: Path) -> None:
    data, _ = load(big_file, jobs=0, normalizer=NORM)
    assert set(data.hashes) == {("inputs", NORM), ("outputs", NORM)}
    assert (data.hashes["inputs", NORM] == NORM.hashes(data.inputs)).all()
    assert (data.hashes["outputs", NORM] == NORM.hashes(data.outputs)).all()
    assert len(data) == 3000 and data.invalid_records == 1


def test_one_job_or_a_failed_worker_gives_the_same_count(big_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = resolve(search=False)

    def count(jobs: int) -> tuple[object, ...]:
        data, _ = load(big_file, jobs=jobs, normalizer=NORM)
        ctx = Context(dataset=data, config=config)
        groups = ctx.cached(input_groups)
        keys = (ctx.cached(input_keys).tolist(), ctx.cached(output_keys).tolist())
        return bool(data.hashes), ctx.cached(exact_groups), groups.conflicts, groups.redundant, keys

    hashed = count(0)
    single = count(1)  # one job: no worker, the count hashes the texts itself
    monkeypatch.setattr(SideHasher, "_serve", lambda self, requests, done: os._exit(3))
    failed = count(0)
    assert (hashed[0], single[0], failed[0]) == (True, False, False)
    assert hashed[1:] == single[1:] == failed[1:]
    assert hashed[2] and hashed[3]  # the file has both contradictions and agreeing repeats


def test_no_process_to_spare_means_loading_without_a_worker(big_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> int:
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refuse)
    data, _ = load(big_file, jobs=0, normalizer=NORM)
    assert len(data) == 3000 and data.hashes == {}
