"""What every forked worker process does first.

The parent's SIGTERM handler (``auditor check`` turns SIGTERM into an
exception, to unwind and remove temporary files) is inherited by a
forked worker, so a worker ended by its pool would print a traceback; and
Ctrl-C reaches the whole process group, so every worker would raise its own
KeyboardInterrupt beside the parent's. Workers instead die quietly on
SIGTERM and ignore SIGINT: the parent unwinds and ends them itself (its
pools terminate their workers, the side hasher's worker stops when its pipe
closes).
"""

from __future__ import annotations

import signal


def quiet_signals() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
