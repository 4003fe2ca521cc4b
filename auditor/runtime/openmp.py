"""OpenMP threads that sleep when idle instead of spinning.

scikit-learn's k-means (the coverage check's topics: mini-batch k-means on a
sample, k-means on the residue) runs hundreds of short OpenMP parallel regions
on every core. Between regions GNU OpenMP's idle threads spin by default,
burning a core while they wait; on a machine whose cores are shared (two
checks' processes, other jobs) the spinning thread also takes the core from
the one with work, and the fit slows down. With ``OMP_WAIT_POLICY=PASSIVE``
idle threads sleep: the topics of 100k generated inputs took 2.0-2.4
CPU-seconds and 13-15 s of wall time against 4.0-4.8 and 26 s (load average
12-17, same process, same space), with the same labels to the byte. The
policy says only how an idle thread waits, not how work is split among the
threads or summed, so every result is the same (``tests/test_openmp.py``).

libgomp reads the variable once, when it is loaded (the first import of
scikit-learn's compiled code), so it is set at the start of an audit; a
value the user set is kept. It is set only for the audit's duration: the
audit is often the first step of a caller's pipeline, and an OpenMP runtime
that pipeline loads afterwards (a training library's own copy) must start
with the caller's environment, not ours.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
_NAME = "OMP_WAIT_POLICY"


@contextmanager
def passive_wait() -> Iterator[None]:
    """``OMP_WAIT_POLICY=PASSIVE`` inside the block unless the caller chose a policy; the environment restored after."""
    if _NAME in os.environ:
        yield
        return
    os.environ[_NAME] = "PASSIVE"
    try:
        yield
    finally:
        os.environ.pop(_NAME, None)


def with_passive_wait(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` run inside ``passive_wait``."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with passive_wait():
            return fn(*args, **kwargs)

    return run
