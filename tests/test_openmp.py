"""The audit asks OpenMP's idle threads to sleep (auditor.runtime.openmp), which changes no result:
the coverage topics of a set large enough for scikit-learn's k-means are the same to the byte
under either wait policy (each in a fresh process: libgomp reads the policy once, when loaded)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typing import Any

import pandas as pd
import pytest

from auditor import api
from auditor.api import audit
from auditor.runtime.errors import InputError

REPO = Path(__file__).resolve().parents[1]

# 1,500 inputs over four topics: the scikit-learn path (SMALL_TEXTS is 1,000), k-means with OpenMP threads.
TOPICS = """
import hashlib, os, random
from checks.textspace import build_space
from checks.topics import cluster
rng = random.Random(7)
words = {t: [f"{t}{i}" for i in range(40)] for t in ("refund", "parcel", "login", "river")}
texts = [" ".join(rng.choice(words[t]) for _ in range(12)) for t in rng.choices(list(words), k=1500)]
space = build_space(texts, seed=3)
topics = cluster(space.train, space.terms, max_topics=20, seed=3)
digest = hashlib.md5(topics.labels.tobytes() + repr([(t.size, t.top_terms, t.cohesion) for t in topics.topics]).encode())
print(os.environ.get("OMP_WAIT_POLICY"), digest.hexdigest())
"""


def _topics(policy: str) -> tuple[str, str]:
    env = {**os.environ, "OMP_WAIT_POLICY": policy, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", TOPICS], capture_output=True, text=True, env=env, cwd=REPO, check=True)
    policy_seen, digest = out.stdout.split()
    return policy_seen, digest


def test_topics_are_the_same_under_either_wait_policy() -> None:
    passive, active = _topics("PASSIVE"), _topics("ACTIVE")
    assert passive[0] == "PASSIVE" and active[0] == "ACTIVE"
    assert passive[1] == active[1]


def test_audit_runs_passive_unless_the_user_chose_and_leaves_the_environment_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({"instruction": ["what is my refund status", "where is my parcel"], "output": ["On its way.", "In transit."]})
    seen: list[str | None] = []
    real_run = api.run

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(os.environ.get("OMP_WAIT_POLICY"))
        return real_run(*args, **kwargs)

    monkeypatch.setattr(api, "run", spy)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    audit(frame, config={})
    assert seen == ["PASSIVE"]
    assert "OMP_WAIT_POLICY" not in os.environ  # the caller's later OpenMP runtimes start with its own environment
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")  # the user's choice stands
    audit(frame, config={})
    assert seen == ["PASSIVE", "ACTIVE"] and os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


def test_the_policy_is_removed_even_when_the_audit_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    with pytest.raises(InputError):
        audit("/nonexistent/file.jsonl", config={})
    assert "OMP_WAIT_POLICY" not in os.environ
