"""An event loop whose clock skips ahead: what waits on the loop's clock (sleeps, timers, the
rate limiter's windows and pauses) is tested as it would run, without the wait.

The loop's clock stands still while there is work to do, and jumps straight to the next timer
whenever the loop would otherwise sit idle until it. So a test sees the same order of events
as in real time, on exact times; only the waiting is gone. Work in threads (SQLite, files)
answers through the loop: `settle` is the real time given to it before the clock jumps, for a
test where something runs on timers beside what it is about.
"""

from __future__ import annotations

import asyncio
import functools
import selectors
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec

P = ParamSpec("P")


class _SkippingSelector(selectors.DefaultSelector):
    def __init__(self, settle: float) -> None:
        super().__init__()
        self.now, self.settle = 1000.0, settle

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None or timeout <= 0:  # nothing timed to wait for, or nothing to wait
            return super().select(timeout)
        ready = super().select(min(timeout, self.settle))
        if not ready:  # idle until the next timer: it is due now
            self.now += timeout
        return ready


class SkippingLoop(asyncio.SelectorEventLoop):
    def __init__(self, settle: float = 0.0) -> None:
        self._skipping = _SkippingSelector(settle)
        super().__init__(self._skipping)

    def time(self) -> float:
        return self._skipping.now


def now() -> float:
    """The running loop's clock: the one the rate limiter reads, skipping or not."""
    return asyncio.get_running_loop().time()


def on_skipping_clock(
    settle: float = 0.0,
) -> Callable[[Callable[P, Coroutine[Any, Any, None]]], Callable[P, None]]:
    """Runs an async test on a `SkippingLoop` of its own (the test is a plain function to
    pytest, with the same fixtures; an async fixture would run on another loop)."""

    def decorate(test: Callable[P, Coroutine[Any, Any, None]]) -> Callable[P, None]:
        @functools.wraps(test)
        def run(*args: P.args, **kwargs: P.kwargs) -> None:
            with asyncio.Runner(loop_factory=lambda: SkippingLoop(settle)) as runner:
                runner.run(test(*args, **kwargs))

        return run

    return decorate
