"""Progress on stderr for stages that take longer than a second (CLI only)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

DELAY = 1.0  # quick stages stay silent: a flash of spinners is noise


class TerminalProgress:
    def __init__(self, console: Any) -> None:
        self.console = console  # a rich Console on stderr

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        if not self.console.is_terminal:
            yield lambda advance: None
            return
        status = self.console.status(f"{name} …", spinner="dots")
        started = time.monotonic()
        shown = threading.Event()

        def show() -> None:
            shown.set()
            status.start()

        timer = threading.Timer(DELAY, show)
        timer.daemon = True
        timer.start()
        done = 0

        def update(advance: int) -> None:
            nonlocal done
            done += advance
            count = f"{done:,}/{total:,} " if total else ""
            status.update(f"{name} … {count}{time.monotonic() - started:.0f} s")

        try:
            yield update
        finally:
            timer.cancel()
            if shown.is_set():
                status.stop()
