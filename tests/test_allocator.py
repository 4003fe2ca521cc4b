"""The driver's allocator tuning (``auditor.runtime.allocator``) gives freed arrays back to the system."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

PROGRAM = """
import sys
import numpy as np
from auditor.runtime import allocator

def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024

if sys.argv[1] == "tuned":
    allocator.give_back_large_blocks()
big = np.ones(30 << 20, np.uint8); del big  # glibc would now raise its threshold to 30 MiB
base = rss()
arrays = [np.ones(4 << 20, np.uint8) for _ in range(40)]  # 160 MiB of 4 MiB arrays
last = arrays.pop()  # still held, above the others in the heap: its top cannot be trimmed
del arrays
print(rss() - base)
"""


@pytest.mark.skipif(platform.system() != "Linux" or not platform.libc_ver()[0].startswith("glibc"), reason="glibc only")
def test_freed_arrays_leave_the_process_once_tuned() -> None:
    def kept(mode: str) -> int:
        out = subprocess.run([sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True, check=True)
        return int(out.stdout.split()[-1])

    assert kept("tuned") < 30  # MiB held after freeing 156 MiB of 160 (4 held)
    assert kept("default") > 100  # the behaviour the tuning is for: the heap keeps them


TRIM = """
import numpy as np
from auditor.runtime import allocator

def rss():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024

allocator.give_back_large_blocks()  # as the Spark driver runs: blocks under 1 MiB come from the heap
base = rss()
parts = [np.ones(512 << 10, np.uint8) for _ in range(320)]  # 160 MiB of a partition's 512 KiB columns
last = parts.pop()  # still held, above the others in the heap: its top cannot be trimmed
del parts
freed = rss() - base
allocator.return_free_pages()
print(freed, rss() - base)
"""


@pytest.mark.skipif(platform.system() != "Linux" or not platform.libc_ver()[0].startswith("glibc"), reason="glibc only")
def test_small_blocks_freed_inside_the_heap_leave_once_returned() -> None:
    out = subprocess.run([sys.executable, "-c", TRIM], capture_output=True, text=True, check=True)
    before, after = map(int, out.stdout.split())
    assert before > 100  # freed, but holes in the heap: still the process's
    assert after < 30  # given back
