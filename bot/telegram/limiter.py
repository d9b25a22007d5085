"""A rate limiter for the Bot API that never draws a 429 and lets emergency screens jump the queue.

Telegram allows a bot about 30 messages a second and a chat about one a second, with short
bursts. A request with a chat id waits, in priority order, for a slot in the global window; a
reply to a person's own update (`reply=True`) waits for nothing else (the flood guard keeps a
person's pace), what the bot sends unasked also for its chat's window. Requests without a chat
id (answerCallbackQuery, getUpdates) never wait. RetryAfter pauses everyone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import logging
import math
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, TypedDict

from cachetools import LRUCache
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

URGENT, NORMAL = 0, 1
CHATS = 10_000  # chats whose window is remembered; the least recently used starts afresh
Answer = bool | dict[str, Any] | list[dict[str, Any]]  # what the Bot API gave back


def retry_after_seconds(exc: RetryAfter) -> float:
    """An int that warns it will become a timedelta, or one already (PTB_TIMEDELTA=1): either
    is read, without the warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class LimitArgs(TypedDict, total=False):
    priority: int
    reply: bool  # an answer to the person's own update: not held by the chat's window


class SlidingWindow:
    """At most `limit` sends in any `window` seconds on the server's clock, waiters served lowest
    priority first (a token bucket's burst on top of its rate let more through in a second). A
    send counts as "now" while in flight and from its answer once answered, as the server counts
    it somewhere between the two. Every grant must be followed by `done()`. Time is the event
    loop's, the clock its timers wait on."""

    def __init__(self, limit: int, window: float = 1.0) -> None:
        self.limit, self.window = max(1, limit), window
        self._in_flight = 0
        self._answered: deque[float] = deque()
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    def _delay(self) -> float:
        """Seconds until a slot is free: 0.0 now, inf when only an answer frees one."""
        now = asyncio.get_running_loop().time()
        while self._answered and self._answered[0] <= now - self.window:
            self._answered.popleft()
        if self._in_flight + len(self._answered) < self.limit:
            return 0.0
        return self._answered[0] + self.window - now if self._answered else math.inf

    async def acquire(self, priority: int = NORMAL) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        self._release()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted just as it was cancelled
                self.done()
            raise

    def done(self) -> None:
        """The send was answered (or failed): it counts from now until `window` has passed."""
        self._in_flight -= 1
        self._answered.append(asyncio.get_running_loop().time())
        self._release()

    def _release(self) -> None:
        """Grant what is free now, and come back when the next slot frees up."""
        if self._timer is not None:
            self._timer.cancel()
        while self._waiters:
            if self._waiters[0][2].done():  # cancelled while waiting
                heapq.heappop(self._waiters)
                continue
            delay = self._delay()
            if delay > 0:
                if delay != math.inf:
                    self._timer = asyncio.get_running_loop().call_later(delay, self._release)
                return
            self._in_flight += 1
            heapq.heappop(self._waiters)[2].set_result(None)


class PriorityRateLimiter(BaseRateLimiter[LimitArgs]):
    def __init__(self, messages_per_second: float = 30.0, chat_per_second: float = 1.0,
                 chat_burst: float = 3.0, max_retries: int = 3) -> None:
        self._global = SlidingWindow(round(messages_per_second))
        # `chat_burst` at once, then no more in the window that burst is worth at the rate
        self._chat_limit, self._chat_window = round(chat_burst), chat_burst / chat_per_second
        self._chats: LRUCache[int | str, SlidingWindow] = LRUCache(CHATS)
        self._max_retries = max_retries
        self._paused_until = 0.0

    async def initialize(self) -> None:
        self._paused_until = 0.0

    async def shutdown(self) -> None:
        self._chats.clear()

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Answer]],
                              args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: LimitArgs | None) -> Answer:
        chat_id = data.get("chat_id")
        limits = rate_limit_args or {}
        lanes: list[SlidingWindow] = []
        now = asyncio.get_running_loop().time  # the windows' clock
        if chat_id is not None:
            if not limits.get("reply", False):
                chat = self._chats.get(chat_id)
                if chat is None:
                    chat = self._chats[chat_id] = SlidingWindow(self._chat_limit, self._chat_window)
                lanes.append(chat)
            lanes.append(self._global)
        for attempt in range(self._max_retries + 1):
            # A loop, not an Event: another 429 may push the end further while we sleep.
            while (left := self._paused_until - now()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(left)
            granted: list[SlidingWindow] = []
            try:
                for lane in lanes:
                    await lane.acquire(limits.get("priority", NORMAL))
                    granted.append(lane)
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self._max_retries:
                    raise
                seconds = retry_after_seconds(exc)
                log.warning("Telegram asked to slow down (%s): pausing %.1f s", endpoint, seconds)
                self._paused_until = max(self._paused_until, now() + seconds + 0.1)
            finally:
                for lane in granted:
                    lane.done()
        raise AssertionError("unreachable")
