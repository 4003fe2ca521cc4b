"""How much the loader may read: per line, in a row of bad lines, and in all.

A hostile or broken file (a gzip bomb, a symlink to a device, a gigabyte of
blank lines) must end in a clear result in bounded time and memory, never in
the machine's memory cap. The values come from the ``load.*`` options; their
reasons are in ``auditor/defaults.py``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.runtime.errors import InputError


@dataclass(frozen=True)
class Limits:
    max_line_bytes: int = 256 << 20
    max_bad_run: int = 10_000  # 0: never stop
    max_bytes: int | None = None  # text read in all, and this process's growth while reading; None: unbounded
    budget: str = ""  # where max_bytes came from, for the message
    check_repeated_keys: bool = False  # on the orjson path too (always where Python's parser reads)

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> Limits:
        """The ``load`` section's limits; the byte budget is a share of the memory available now."""
        share = float(section.get("max_memory_share", 0.5))
        lines = int(section.get("max_line_bytes", cls.max_line_bytes))
        run = int(section.get("max_bad_run", cls.max_bad_run))
        repeated = bool(section.get("check_repeated_keys", cls.check_repeated_keys))
        if share <= 0:
            return cls(lines, run, check_repeated_keys=repeated)
        available = available_memory()
        budget = f"{share * 100:g}% of the {size(available)} of memory available"
        return cls(lines, run, int(available * share), budget, repeated)

    @classmethod
    def default(cls) -> Limits:
        from auditor.core.config import defaults

        values = defaults()
        return cls.from_config({k.removeprefix("load."): v for k, v in values.items() if k.startswith("load.")})


class MemoryGuard:
    """Ends the run with one line once this process has grown past the budget since reading began.

    The text read is not the memory it takes: a million records of 27 bytes
    each hold about 300 MB as Python objects, so a gzip of small records
    would reach the machine's cap long before its text reached the budget.
    Resident memory is what runs out, so that is what is watched.
    """

    def __init__(self, limits: Limits, label: str) -> None:
        self.limits = limits
        self.label = label
        self.start = resident_memory() if limits.max_bytes is not None else 0

    def check(self, extra: int = 0) -> None:
        """Raise when the growth so far (plus ``extra`` bytes about to be taken) passes the budget."""
        limit = self.limits.max_bytes
        if limit is not None and resident_memory() - self.start + extra > limit:
            raise self.error("the records read so far, with what reading them takes, need", limit)

    def error(self, what: str, amount: int) -> InputError:
        limit = self.limits.max_bytes or 0
        return InputError(
            f"{self.label}: {what} more than {size(amount)} of memory, past load.max_memory_share "
            f"({self.limits.budget or size(limit)}); use --engine stream for JSON lines larger than memory, "
            "or raise load.max_memory_share"
        )


def resident_memory() -> int:
    """This process's resident memory in bytes (its peak where the current figure is not available)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB elsewhere


try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (ValueError, OSError, AttributeError):
    _PAGE = 4096


def size(n: float) -> str:
    """Bytes as a person reads them: 1 MiB, 2.5 GiB, 1023 KiB."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024:
            break
        n /= 1024
    else:
        unit = "TiB"
    if unit == "bytes" or n >= 100:
        return f"{n:.0f} {unit}"
    return f"{n:.1f}".removesuffix(".0") + f" {unit}"


def available_memory() -> int:
    """Bytes this process may still allocate: the least of the system's and its cgroup's headroom.

    A container's memory cap is a cgroup limit the system-wide figure does not
    show; running into it kills the process without a message.
    """
    candidates = [_meminfo_available(), _cgroup_headroom()]
    known = [c for c in candidates if c is not None and c > 0]
    if known:
        return min(known)
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_AVPHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not a POSIX system: assume a modest machine
        return 8 << 30


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", "rb") as fh:
            for line in fh:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_headroom() -> int | None:
    # cgroup v2 first, then v1; "max" (or a v1 limit near 2**63) means no limit.
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        ("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes"),
    ):
        try:
            limit_text = Path(limit_file).read_text().strip()
            if limit_text == "max":
                return None
            limit = int(limit_text)
            if limit >= 1 << 60:
                return None
            return max(0, limit - int(Path(usage_file).read_text().strip()))
        except (OSError, ValueError):
            continue
    return None
