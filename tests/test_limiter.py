from __future__ import annotations

import asyncio
import datetime as dt
import warnings
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.telegram.limiter import (
    NORMAL,
    URGENT,
    PriorityRateLimiter,
    SlidingWindow,
    retry_after_seconds,
)
from tests.skipping import now, on_skipping_clock


@on_skipping_clock()
async def test_a_window_serves_urgent_waiters_before_earlier_normal_ones() -> None:
    window = SlidingWindow(1, window=0.02)
    await window.acquire()
    window.done()
    order: list[str] = []

    async def take(name: str, priority: int) -> None:
        await window.acquire(priority)
        order.append(name)
        window.done()

    tasks = [asyncio.create_task(take(f"normal-{i}", NORMAL)) for i in range(5)]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(take("urgent", URGENT)))
    await asyncio.gather(*tasks)
    assert order[0] == "urgent"
    assert order[1:] == [f"normal-{i}" for i in range(5)]


@on_skipping_clock()
async def test_a_window_holds_its_rate() -> None:
    window = SlidingWindow(1, window=0.01)
    began = now()

    async def take() -> None:
        await window.acquire()
        window.done()

    await asyncio.gather(*(take() for _ in range(31)))
    assert now() - began == pytest.approx(0.30), "one every 0.01 s, neither more nor less"


@on_skipping_clock()
async def test_requests_without_a_chat_never_wait_for_the_send_queue() -> None:
    limiter = PriorityRateLimiter(messages_per_second=5.0)
    await limiter.initialize()

    async def call(*args: Any, **kwargs: Any) -> bool:
        return True

    sends = [asyncio.create_task(limiter.process_request(
        call, (), {}, "sendMessage", {"chat_id": i}, None)) for i in range(20)]
    await asyncio.sleep(0.05)
    began = now()
    assert await limiter.process_request(call, (), {}, "answerCallbackQuery",
                                         {"callback_query_id": "1"}, None)
    assert now() == began, "no time at all"
    assert not all(task.done() for task in sends), "sends still queue meanwhile"
    for task in sends:
        task.cancel()
    await asyncio.gather(*sends, return_exceptions=True)


@on_skipping_clock()
async def test_retry_after_is_retried_a_bounded_number_of_times() -> None:
    limiter = PriorityRateLimiter(max_retries=2)
    await limiter.initialize()
    attempts = 0

    async def flooded(*args: Any, **kwargs: Any) -> bool:
        nonlocal attempts
        attempts += 1
        raise RetryAfter(0)

    with pytest.raises(RetryAfter):
        await limiter.process_request(flooded, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert attempts == 3


@on_skipping_clock()
async def test_a_429_holds_every_request_until_its_pause_is_over() -> None:
    """RetryAfter pauses everyone, a reply too, and the refused request goes out again after."""
    limiter = PriorityRateLimiter()
    await limiter.initialize()
    refused_at: list[float] = []
    went_out: dict[int, float] = {}  # chat → when Telegram took its request

    async def send(chat: int) -> bool:
        if not refused_at:
            refused_at.append(now())
            raise RetryAfter(3)
        went_out[chat] = now()
        return True

    began = now()
    refused = asyncio.create_task(limiter.process_request(
        send, (1,), {}, "sendMessage", {"chat_id": 1}, None))
    await asyncio.sleep(1)
    assert await limiter.process_request(send, (2,), {}, "sendMessage", {"chat_id": 2},
                                         {"reply": True})
    assert await refused
    assert refused_at == [began]
    assert sorted(went_out) == [1, 2] and min(went_out.values()) - began >= 3


@pytest.mark.parametrize("opted_in", ["", "1"])
@pytest.mark.parametrize("seconds", [3, 2.5])
def test_retry_after_is_read_whether_the_library_gives_seconds_or_a_timedelta(
    monkeypatch: pytest.MonkeyPatch, opted_in: str, seconds: float
) -> None:
    """RetryAfter.retry_after is an int (with a deprecation warning) unless PTB_TIMEDELTA=1
    makes it the timedelta it will become: the pause is the same either way, unwarned."""
    monkeypatch.setenv("PTB_TIMEDELTA", opted_in)
    exc = RetryAfter(dt.timedelta(seconds=seconds))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert retry_after_seconds(exc) == seconds
