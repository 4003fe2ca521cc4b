"""Tuning glibc's allocator for one process's pattern of large arrays (elsewhere: no-ops).

glibc maps a block of at least M_MMAP_THRESHOLD bytes on its own and unmaps it
when freed; smaller blocks come from the heap, whose freed pages stay with the
process. The threshold starts at 128 KiB and, unless set, rises to the size of
each large block freed (up to 32 MiB). Two processes want opposite things:

- a worker whose every batch allocates and frees megabyte temporaries wants
  them kept for reuse (``keep_freed_memory``: no page fault per 4 KB of each);
- a driver that holds a few large per-record arrays for the whole run, and
  builds dataset-sized temporaries stage after stage, wants those given back
  (``give_back_large_blocks``): after the first large free, glibc would serve
  the next temporaries of a few MiB from the heap, and the heap keeps its
  high-water mark as the process's RSS for the rest of the run (a stream run
  of 100k records: a driver peak of 285 MiB with the rising threshold, 227
  with it fixed at 64 KiB).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from glibc's malloc.h


def _resolve(name: str) -> Callable[..., int] | None:
    try:
        # The symbols already loaded (libc's among them): no library search, which would start a subprocess.
        return getattr(ctypes.CDLL(None), name)  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return None


# Resolved once, at import, in the parent: a forked worker (sidehash's) that called dlopen itself could hang on
# the loader's lock if another thread of its parent (Spark's gateway threads, in a test process) held it at fork.
_MALLOPT = _resolve("mallopt")
_MALLOC_TRIM = _resolve("malloc_trim")


def _mallopt() -> Callable[[int, int], int] | None:
    return _MALLOPT


def keep_freed_memory() -> None:
    """Keep and reuse freed blocks up to 64 MiB; trim the heap's top only past 256 MiB free."""
    mallopt = _mallopt()
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, 64 << 20)
        mallopt(M_TRIM_THRESHOLD, 256 << 20)


def give_back_large_blocks(threshold: int = 1 << 20) -> None:
    """Map every block of ``threshold`` bytes or more on its own, whatever was freed before, so that freeing it
    returns it; trim the heap's top past 64 MiB free."""
    mallopt = _mallopt()
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, threshold)
        mallopt(M_TRIM_THRESHOLD, 64 << 20)


def return_free_pages() -> None:
    """Give the system the whole free pages inside the heap, not only past its top (``malloc_trim(0)``).

    Blocks under the mmap threshold come from the heap: a partitioned run's
    driver receives each partition's results as such blocks (at ten million
    records in 54 partitions, a partition's column of counts is 740 KB) and
    frees them all once merged. The holes they leave stay the process's RSS
    until reused; trimming after such a stage returns them. It walks the
    heap's free lists: milliseconds."""
    trim = _MALLOC_TRIM
    if trim is not None:
        trim(0)
