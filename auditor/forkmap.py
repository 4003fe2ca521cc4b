"""Split index ranges of in-memory data across forked workers.

Forked children inherit the parent's memory, so the data never has to be
sent to them: each computes a slice of the result from what it already sees
and sends back only that slice (hashes, numbers), which is small.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

#: Below this many items the fork costs more than it saves.
MIN_ITEMS = 200_000


def fork_map(work: Callable[[int, int], list[T]], n: int, workers: int) -> list[T]:
    """``work(0, n)``, computed as ``workers`` slices in parallel when worth it."""
    if workers < 2 or n < MIN_ITEMS:
        return work(0, n)
    ctx = multiprocessing.get_context("fork")
    bounds = [n * k // workers for k in range(workers + 1)]
    pipes: list[tuple[Any, Any]] = []
    for k in range(1, workers):
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(send, work, bounds[k], bounds[k + 1]), daemon=True)
        proc.start()
        send.close()
        pipes.append((proc, receive))
    result = work(bounds[0], bounds[1])
    for proc, receive in pipes:
        try:
            status, payload = pickle.loads(receive.recv_bytes())
        except EOFError:
            proc.join()
            raise RuntimeError(f"a worker process died (exit code {proc.exitcode}); try jobs = 1") from None
        proc.join()
        if status == "error":
            raise payload
        result.extend(payload)
    return result


def _child(send: Any, work: Callable[[int, int], list[Any]], start: int, stop: int) -> None:
    try:
        message: tuple[str, Any] = ("ok", work(start, stop))
    except BaseException as exc:  # the parent decides what an error means
        message = ("error", exc)
    send.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
    send.close()
