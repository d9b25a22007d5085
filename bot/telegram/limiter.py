"""A lean rate limiter for the Bot API that lets emergency screens jump the queue.

Telegram allows a bot about 30 messages a second and a chat about one a second, with short
bursts, and its engineers say a bot answering what people do can hardly exceed the per-chat
limit. So every request that carries a chat id waits, in priority order, for a slot in a global
window (never more than `messages_per_second` in any second, so no 429 comes back); a reply to
a person's own tap or message (`reply=True`) goes out as soon as the global window allows,
while bot-initiated messages (admin alerts, digests) also wait for their chat's bucket. The
flood guard, before any handler, keeps a person's own pace within bounds. Requests without a
chat id (answerCallbackQuery, getUpdates) never wait, so a pressed button is answered at once
even while screens queue. RetryAfter is retried a bounded number of times and pauses everyone,
as Telegram asks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import heapq
import itertools
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, TypedDict

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

URGENT, NORMAL = 0, 1


def retry_after_seconds(exc: RetryAfter) -> float:
    """The pause Telegram asked for, in seconds.

    `RetryAfter.retry_after` is an int of seconds that warns it will become a timedelta (or is
    one already with PTB_TIMEDELTA=1, as PTB documents): either is read, without the warning.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class LimitArgs(TypedDict, total=False):
    priority: int
    reply: bool  # an answer to the person's own update: not held by the chat's bucket


class _Lane:
    """Waiters served lowest priority first, as fast as `_take` allows."""

    def __init__(self) -> None:
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def queued(self) -> int:
        return len(self._waiters)

    def _take(self) -> float:
        """Take a slot and return 0.0, or return the seconds until one frees up."""
        raise NotImplementedError

    def _give_back(self) -> None:
        raise NotImplementedError

    async def acquire(self, priority: int = NORMAL) -> None:
        if not self._waiters and self._take() == 0.0:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        self._schedule()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._give_back()  # granted just as we were cancelled
                self._schedule()
            raise

    def _schedule(self, delay: float | None = None) -> None:
        if self._timer is None and self._waiters:
            if delay is None:
                delay = self._wait()
            if delay != math.inf:  # else a send's answer will call again
                self._timer = asyncio.get_running_loop().call_later(delay, self._release)

    def _wait(self) -> float:
        raise NotImplementedError

    def _release(self) -> None:
        self._timer = None
        delay = 0.0
        while self._waiters:
            if self._waiters[0][2].done():
                heapq.heappop(self._waiters)
                continue
            delay = self._take()
            if delay > 0:
                break
            _, _, future = heapq.heappop(self._waiters)
            future.set_result(None)
        self._schedule(delay if delay > 0 else None)


class TokenBucket(_Lane):
    """Tokens refill at `rate` a second up to `burst`; waiters are served lowest priority first."""

    def __init__(self, rate: float, burst: float) -> None:
        super().__init__()
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._stamp = time.monotonic()

    @property
    def idle(self) -> bool:
        self._refill()
        return not self._waiters and self._tokens >= self.burst

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def _take(self) -> float:
        self._refill()
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.rate

    def _give_back(self) -> None:
        self._tokens += 1

    def _wait(self) -> float:
        self._refill()
        return max(0.0, (1 - self._tokens) / self.rate)


class SlidingWindow(_Lane):
    """At most `limit` sends in any `window` seconds as the server counts them, where a token
    bucket's burst on top of its rate lets 35 through in one second.

    The server counts a request when it arrives, somewhere between our grant and its answer.
    So a send counts as "now" while in flight, and from its answer's time once answered: any
    second on the server's clock then holds at most `limit`, however late a request arrives.
    Every grant must be followed by `done()`.
    """

    def __init__(self, limit: int, window: float = 1.0) -> None:
        super().__init__()
        self.limit = max(1, limit)
        self.window = window
        self._in_flight = 0
        self._answered: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._answered and self._answered[0] <= now - self.window:
            self._answered.popleft()

    def _take(self) -> float:
        now = time.monotonic()
        self._expire(now)
        if self._in_flight + len(self._answered) < self.limit:
            self._in_flight += 1
            return 0.0
        return self._answered[0] + self.window - now if self._answered else math.inf

    def _give_back(self) -> None:
        self._in_flight -= 1

    def _wait(self) -> float:
        now = time.monotonic()
        self._expire(now)
        if self._in_flight + len(self._answered) < self.limit:
            return 0.0
        return max(0.0, self._answered[0] + self.window - now) if self._answered else math.inf

    def done(self) -> None:
        """The send was answered (or failed): it counts from now until `window` has passed."""
        self._in_flight -= 1
        self._answered.append(time.monotonic())
        self._schedule()


class PriorityRateLimiter(BaseRateLimiter[LimitArgs]):
    def __init__(
        self,
        messages_per_second: float = 30.0,
        chat_per_second: float = 1.0,
        chat_burst: float = 3.0,
        max_retries: int = 3,
    ) -> None:
        self._global = SlidingWindow(round(messages_per_second))
        self._chat_rate = chat_per_second
        self._chat_burst = chat_burst
        self._chats: dict[int | str, TokenBucket] = {}
        self._max_retries = max_retries
        self._paused_until = 0.0

    @property
    def queued(self) -> int:
        return self._global.queued

    async def initialize(self) -> None:
        self._paused_until = 0.0

    async def shutdown(self) -> None:
        self._chats.clear()

    def _chat(self, chat_id: int | str) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 10_000:  # forget chats whose buckets are full again
                self._chats = {k: v for k, v in self._chats.items() if not v.idle}
            bucket = self._chats[chat_id] = TokenBucket(self._chat_rate, self._chat_burst)
        return bucket

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: LimitArgs | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        limits = rate_limit_args or {}
        priority = limits.get("priority", NORMAL)
        paced = not limits.get("reply", False)
        for attempt in range(self._max_retries + 1):
            await self._wait_out_pause()
            if chat_id is not None:
                if paced:
                    await self._chat(chat_id).acquire(priority)
                await self._global.acquire(priority)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self._max_retries:
                    raise
                seconds = retry_after_seconds(exc)
                log.warning("Telegram asked to slow down (%s): pausing %.1f s", endpoint, seconds)
                self._paused_until = max(self._paused_until, time.monotonic() + seconds + 0.1)
            finally:
                if chat_id is not None:
                    self._global.done()
        raise AssertionError("unreachable")

    async def _wait_out_pause(self) -> None:
        """Everyone waits while Telegram's longest requested pause lasts."""
        # A loop, not an Event: another 429 may push the end further while we sleep.
        while (left := self._paused_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)
