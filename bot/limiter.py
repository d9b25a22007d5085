"""A lean rate limiter for the Bot API that lets emergency screens jump the queue.

Telegram allows a bot about 30 messages a second and a chat about one a second. Requests that
carry a chat id wait for a token from a global bucket, in priority order, then from their
chat's bucket (which allows a short burst, so a person tapping through menus is not slowed).
Requests without a chat id (answerCallbackQuery, getUpdates) never wait, so a pressed button
is answered at once even while screens queue. RetryAfter is retried a bounded number of times
and pauses everyone, as Telegram asks.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypedDict

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

URGENT, NORMAL = 0, 1


class LimitArgs(TypedDict, total=False):
    priority: int


class TokenBucket:
    """Tokens refill at `rate` a second up to `burst`; waiters are served lowest priority first."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._stamp = time.monotonic()
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None

    @property
    def queued(self) -> int:
        return len(self._waiters)

    @property
    def idle(self) -> bool:
        self._refill()
        return not self._waiters and self._tokens >= self.burst

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self, priority: int = NORMAL) -> None:
        self._refill()
        if not self._waiters and self._tokens >= 1:
            self._tokens -= 1
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (priority, next(self._order), future))
        self._schedule()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self._tokens += 1  # granted just as we were cancelled: give it back
                self._schedule()
            raise

    def _schedule(self) -> None:
        if self._timer is None and self._waiters:
            delay = max(0.0, (1 - self._tokens) / self.rate)
            self._timer = asyncio.get_running_loop().call_later(delay, self._release)

    def _release(self) -> None:
        self._timer = None
        self._refill()
        while self._waiters and self._tokens >= 1:
            _, _, future = heapq.heappop(self._waiters)
            if future.done():
                continue
            self._tokens -= 1
            future.set_result(None)
        self._schedule()


class PriorityRateLimiter(BaseRateLimiter[LimitArgs]):
    def __init__(
        self,
        messages_per_second: float = 30.0,
        chat_per_second: float = 1.0,
        chat_burst: float = 3.0,
        max_retries: int = 3,
    ) -> None:
        # A small burst: a full one (30) after a quiet spell put 60 messages into one second.
        self._global = TokenBucket(messages_per_second, max(1.0, messages_per_second / 6))
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
        priority = (rate_limit_args or {}).get("priority", NORMAL)
        for attempt in range(self._max_retries + 1):
            await self._wait_out_pause()
            if chat_id is not None:
                await self._chat(chat_id).acquire(priority)
                await self._global.acquire(priority)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self._max_retries:
                    raise
                # The public attribute warns of a type change; PTB's own limiter reads this one.
                seconds = exc._retry_after.total_seconds()
                log.warning("Telegram asked to slow down (%s): pausing %.1f s", endpoint, seconds)
                self._paused_until = max(self._paused_until, time.monotonic() + seconds + 0.1)
        raise AssertionError("unreachable")

    async def _wait_out_pause(self) -> None:
        """Everyone waits while Telegram's longest requested pause lasts."""
        # A loop, not an Event: another 429 may push the end further while we sleep.
        while (left := self._paused_until - time.monotonic()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(left)
