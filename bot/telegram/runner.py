"""Runs the Application until SIGTERM or SIGINT, and stops within a bounded time.

PTB's `run_polling` waits out its polling back-off (up to 30 s in a Bot API outage) before it
stops. This is the same life cycle, as PTB's guide to running beside other asyncio code has it,
with a deadline on every step after the signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from telegram.error import InvalidToken, NetworkError

log = logging.getLogger(__name__)
T = TypeVar("T")

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Receiver(Protocol):
    """Long polling (PTB's Updater) or Penah's webhook server."""

    @property
    def running(self) -> bool: ...

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Called only while running."""


def raise_open_files_limit() -> int:
    """The soft limit raised to the hard one, as servers do (a webhook holds a file per
    connection, and many shells start at 1024); the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):  # an unlimited hard limit the kernel caps
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


async def _until(stop: asyncio.Event, work: Awaitable[object]) -> bool:
    """Run `work` unless `stop` is set first; True if it finished."""
    task, waiter = asyncio.ensure_future(work), asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if task.done():
        task.result()
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return False


async def retried(attempt: Callable[[], Awaitable[T]], failing: type[Exception], warning: str,
                  stop: asyncio.Event | None = None) -> T | None:
    """`attempt()` until it succeeds (its result) or `stop` is set (None): a start during a Bot
    API outage waits instead of dying, 1 s, then 1.5 times as long each time, 30 s at most. A
    wrong token never heals: InvalidToken is raised at once."""
    stop = asyncio.Event() if stop is None else stop
    delay = 1.0
    while not stop.is_set():
        try:
            return await attempt()
        except InvalidToken:
            raise
        except failing as exc:
            log.warning("%s (%s); trying again in %.0f s", warning, type(exc).__name__, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(30.0, delay * 1.5)
    return None


async def serve(app: Any, receiver: Receiver, grace: float = 2.5) -> None:
    """`app` as `PenahBot.build` makes it, with its post_init, post_stop and post_shutdown."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    initialized = False
    try:
        # getMe until the Bot API answers, unless a stop signal comes first
        initialized = bool(await retried(
            lambda: _until(stop, app.initialize()), NetworkError, "Bot API not reachable", stop))
        if initialized:
            await app.post_init(app)
            if await _until(stop, receiver.start()):
                await app.start()
                log.info("serving")
                await stop.wait()
    finally:
        deadline = loop.time() + grace

        async def bounded(step: Awaitable[object], name: str, floor: float = 0.1) -> None:
            try:
                await asyncio.wait_for(step, max(floor, deadline - loop.time()))
            except TimeoutError:
                log.warning("stopping: %s took too long and was cut short", name)
            except Exception as exc:
                log.warning("stopping: %s failed: %s", name, type(exc).__name__)

        # A stop never raises: a step that fails (a full disk at the last write) is logged by
        # type and the next step still runs, so the process exits 0 with no traceback.
        if receiver.running:
            await bounded(receiver.stop(), "receiving updates")
        if app.running:
            await bounded(app.stop(), "updates in flight")
        if initialized:
            await bounded(app.post_stop(app), "background tasks")
            await bounded(app.shutdown(), "the connection to Telegram")
            # the last write of what is pending gets its time
            await bounded(app.post_shutdown(app), "closing the database", floor=5.0)
        for sig in STOP_SIGNALS:
            loop.remove_signal_handler(sig)
