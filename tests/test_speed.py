"""Replies at human speed, no edit Telegram would refuse, and the lean per-update path: the
limiter's lanes, the on-screen digest, the aiohttp request class."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot.telegram.delivery import OnScreen, digest
from bot.telegram.http import AiohttpRequest, make_request
from bot.telegram.limiter import PriorityRateLimiter, SlidingWindow
from tests.botprocess import TOKEN, BotProcess, penah_env
from tests.conftest import Clock, make_settings, running_harness
from tests.fakeapi import Call, FakeBotAPI, Limits
from tests.fakes import buttons, user
from tests.skipping import now, on_skipping_clock

# Buttons a walk may press: not /clear, /forget, a broken-contact report, or the numbers to
# keep (a message of its own, whose only buttons are its tidy-up choice, and none at all when
# the person keeps everything).
SKIPPED = ("1:x", "1:f", "1:b:", "1:k")


async def ok(*args: Any, **kwargs: Any) -> bool:
    return True


# ---------------------------------------------------------------------- the limiter
@on_skipping_clock()
async def test_replies_are_not_held_by_the_chat_window() -> None:
    limiter = PriorityRateLimiter(messages_per_second=1000.0, chat_per_second=1.0)
    await limiter.initialize()
    began = now()
    for _ in range(10):
        await limiter.process_request(ok, (), {}, "editMessageText", {"chat_id": 7},
                                      {"reply": True})
    assert now() == began, "not held at all"


@on_skipping_clock()
async def test_bot_initiated_messages_keep_the_chat_pace() -> None:
    limiter = PriorityRateLimiter(messages_per_second=1000.0, chat_per_second=10.0,
                                  chat_burst=1.0)
    await limiter.initialize()
    began = now()
    for _ in range(4):
        await limiter.process_request(ok, (), {}, "sendMessage", {"chat_id": 7}, None)
    assert now() - began >= 0.28  # one at once, then three at 10 a second


@on_skipping_clock()
async def test_replies_still_wait_for_the_global_limit() -> None:
    limiter = PriorityRateLimiter(messages_per_second=10.0)
    await limiter.initialize()
    began = now()
    await asyncio.gather(*(limiter.process_request(
        ok, (), {}, "sendMessage", {"chat_id": i}, {"reply": True}) for i in range(11)))
    assert now() - began >= 1.0


@on_skipping_clock()
async def test_no_second_ever_holds_more_than_the_limit() -> None:
    window = SlidingWindow(20, window=0.25)
    granted: list[float] = []

    async def take() -> None:
        await window.acquire()
        granted.append(now())
        await asyncio.sleep(0.01)  # the request's round trip
        window.done()

    await asyncio.gather(*(take() for _ in range(70)))
    busiest = max(sum(1 for t in granted if s <= t < s + 0.25) for s in granted)
    assert busiest == 20
    assert granted[-1] - granted[0] >= 0.75  # 70 at 20 per 0.25 s


@on_skipping_clock()
async def test_a_late_arrival_still_counts_in_its_second() -> None:
    """A send still in flight holds its slot, so a slow one cannot share a second with the
    next window's sends on the server's clock."""
    window = SlidingWindow(2, window=0.2)
    await window.acquire()
    await window.acquire()
    began = now()
    third = asyncio.create_task(window.acquire())
    await asyncio.sleep(0.3)
    assert not third.done(), "both are still in flight"
    window.done()
    await asyncio.sleep(0.05)
    assert not third.done(), "the answered one counts for a window from its answer"
    await asyncio.wait_for(third, 0.3)
    assert now() - began >= 0.5


# ---------------------------------------------------------------------- never send what is shown
def markup(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])


def test_the_digest_sees_text_and_every_button() -> None:
    same = digest("Menu", markup("1:a", "1:b"))
    assert same == digest("Menu", markup("1:a", "1:b"))
    assert same != digest("Menu ", markup("1:a", "1:b"))
    assert same != digest("Menu", markup("1:a", "1:c"))
    assert same != digest("Menu", markup("1:a"))
    assert same != digest("Menu", None)


def test_what_is_on_screen_is_remembered_for_recent_messages_only() -> None:
    shown = OnScreen(maxsize=2)
    shown[(b"k", 1)] = 1
    shown[(b"k", 2)] = 2
    shown[(b"k", 3)] = 3
    assert shown.get((b"k", 1)) != 1  # the oldest left
    latest = shown.get((b"k", 3))
    assert latest == 3 and latest != 2
    shown.forget(b"k")
    assert len(shown) == 0


async def test_150_presses_refuse_no_edit_and_answer_every_button(tmp_path: Path) -> None:
    """A walk that also presses the button for the screen already shown, now and then."""
    settings = make_settings(tmp_path, flood_updates=10_000)
    async with running_harness(settings) as h:
        await h.send("/start")
        await h.tap("English")
        walk = random.Random(14)
        previous = ""
        for step in range(150):
            choices = [b["callback_data"] for b in buttons(h.screen())
                       if "callback_data" in b and not b["callback_data"].startswith(SKIPPED)]
            data = previous if step % 5 == 4 and previous else walk.choice(choices)
            await h.press(data, message_id=h.screen()["message_id"])
            previous = data
        refused = [c for c, status, _ in h.fake.errors if status == 400]
        assert refused == []
        assert len(h.fake.called("answerCallbackQuery")) == 151
        edits = len(h.fake.called("editMessageText"))
        assert 100 < edits < 150, "the presses that changed nothing sent no edit"


async def test_a_changed_screen_after_an_unchanged_one_is_sent(tmp_path: Path) -> None:
    async with running_harness(make_settings(tmp_path)) as h:
        await h.send("/start")
        await h.tap("English")
        await h.press("1:h")
        help_text = h.screen()["text"]
        await h.press("1:h")  # already on screen: answered, not edited
        await h.press("1:p")
        edits = [c.params["text"] for c in h.fake.called("editMessageText")]
        assert len(edits) == 3 and edits[1] == help_text != edits[2] == h.screen()["text"]
        assert len(h.fake.called("answerCallbackQuery")) == 4
        assert h.fake.errors == []


# ---------------------------------------------------------------------- the fake's limits
def test_the_fake_bot_api_refuses_a_31st_message_in_one_second() -> None:
    limits = Limits()
    for chat in range(30):
        limits.person_sent(chat)
        assert limits.admit(chat, 10.0 + chat / 100) == 0.0
    limits.person_sent(99)
    assert limits.admit(99, 10.5) > 0
    assert limits.admit(99, 11.01) == 0.0


def test_the_fake_bot_api_paces_what_a_bot_sends_unasked_to_one_chat() -> None:
    limits = Limits()
    assert all(limits.admit(5, 1.0) == 0.0 for _ in range(3))  # a short burst
    assert limits.admit(5, 1.0) > 0
    limits.person_sent(5)
    assert limits.admit(5, 1.0) == 0.0, "an answer to the person's own update"
    assert limits.admit(5, 2.0) == 0.0


# ---------------------------------------------------------------------- aiohttp
async def test_aiohttp_request_talks_to_the_bot_api_as_httpx_does() -> None:
    async with FakeBotAPI() as api:
        for client in ("aiohttp", "httpx"):
            bot = Bot(TOKEN, base_url=api.url, request=make_request(client, 4))
            async with bot:
                me = await bot.get_me()
                sent = await bot.send_message(4242, "سلام <b>1</b>", parse_mode="HTML",
                                              reply_markup=markup("1:m"))
            assert me.is_bot and sent.text == "سلام <b>1</b>"
            assert buttons(api.last_message(4242))[0]["callback_data"] == "1:m"
        first, second = api.called("sendMessage")
        assert first.params == second.params


async def test_aiohttp_request_turns_failures_into_telegram_errors() -> None:
    async with FakeBotAPI(latency=0.5) as api:
        request = AiohttpRequest(read_timeout=0.05)
        bot = Bot(TOKEN, base_url=api.url, request=request)
        await request.initialize()
        with pytest.raises(TimedOut):
            await bot.get_me()
        await request.shutdown()
        port = api.port
    closed = AiohttpRequest()
    await closed.initialize()
    with pytest.raises(NetworkError):
        await Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=closed).get_me()
    await closed.shutdown()


def test_aiohttp_request_takes_the_proxy_from_the_environment_as_httpx_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    request = AiohttpRequest()
    assert request._proxy("https://api.telegram.org/botX/getMe") == "http://proxy.invalid:3128"
    assert request._proxy("http://127.0.0.1:8081/botX/getMe") is None


def sent_to(chat: int) -> Callable[[Call], bool]:
    return lambda c: c.method == "sendMessage" and c.params.get("chat_id") == chat


@pytest.mark.e2e
async def test_penah_run_answers_45_people_at_once_without_a_429(tmp_path: Path) -> None:
    """Through the real process and HTTP client, against an API that enforces 30 a second."""
    async with FakeBotAPI() as api, BotProcess(api, penah_env(api, tmp_path), tmp_path) as bot:
        await bot.ready()
        people = [user(5000 + i) for i in range(45)]
        mark = len(api.calls)
        for person in people:
            api.send_text(person, "/start")
        for person in people:
            await api.wait_for(sent_to(person["id"]), 10, mark)
        sent = [c.at for c in api.calls[mark:] if c.method == "sendMessage"]
        assert api.throttled() == [] and len(sent) == 45
        assert max(sum(1 for t in sent if s <= t < s + 1.0) for s in sent) <= 30
        assert " ERROR " not in bot.stderr()


async def test_a_tidied_screen_is_shown_again_when_its_button_is_pressed(tmp_path: Path) -> None:
    """The neutral message that tidying leaves is not what was remembered as on screen."""
    clock = Clock()
    async with running_harness(make_settings(tmp_path, tidy_seconds=900), clock) as h:
        await h.send("/start")
        await h.tap("English")
        await h.press("1:h")
        help_text = h.screen()["text"]
        clock.advance(901)
        await h.bot.jobs.tidy()
        assert h.screen()["text"] != help_text, "tidied"
        await h.press("1:h", message_id=h.screen()["message_id"])
        assert h.screen()["text"] == help_text
