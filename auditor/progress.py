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
        try:
            yield lambda advance: status.update(f"{name} … {time.monotonic() - started:.0f} s")
        finally:
            timer.cancel()
            if shown.is_set():
                status.stop()
