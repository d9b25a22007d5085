"""A person's pace and a script's, through the real `penah run` against the stand-in Bot API,
which answers a bot that sends faster than Telegram allows with 429, as Telegram does.

These run in real time, so they are marked `e2e`; the flood guard's logic is tested on an
injected clock in test_guards.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.core.callbacks import Action, Kind
from bot.telegram.handlers import HELD_BACK
from tests.botprocess import BotProcess, penah_env
from tests.fakeapi import Call, FakeBotAPI
from tests.fakes import user

pytestmark = pytest.mark.e2e

HOME, HELP = Action(Kind.HOME).encode(), Action(Kind.HELP).encode()
ENGLISH = Action(Kind.SET_LANGUAGE, "en").encode()
EMERGENCY = Action(Kind.EMERGENCY).encode()
PERSON = user(4242, "en")


@contextlib.asynccontextmanager
async def penah(tmp_path: Path, *people: dict[str, Any]) -> AsyncIterator[FakeBotAPI]:
    """A running bot with the default settings, and people who have chosen English."""
    async with FakeBotAPI() as api, BotProcess(api, penah_env(api, tmp_path), tmp_path) as bot:
        await bot.ready()
        for person in people or (PERSON,):
            mark = len(api.calls)
            api.send_text(person, "/start")
            await api.wait_for(to_chat("sendMessage", person=person), 10, mark)
            mark = len(api.calls)
            api.press(person, ENGLISH)
            await api.wait_for(to_chat("editMessageText", person=person), 10, mark)
        yield api
        assert not api.throttled(), "nothing was sent faster than Telegram allows"


def to_chat(*methods: str, person: dict[str, Any] = PERSON) -> Callable[[Call], bool]:
    return lambda c: c.method in methods and c.params.get("chat_id") == person["id"]


async def until(condition: Callable[[], bool], within: float, what: str) -> None:
    began = time.monotonic()
    while not condition():
        assert time.monotonic() - began < within, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def answered(api: FakeBotAPI, queries: dict[str, float]) -> dict[str, Call]:
    return {c.params["callback_query_id"]: c for c in api.called("answerCallbackQuery")
            if c.params["callback_query_id"] in queries}


async def press_at(api: FakeBotAPI, count: int, per_second: float,
                   data: Callable[[int], str], person: dict[str, Any] = PERSON
                   ) -> dict[str, float]:
    """`count` presses, `per_second` a second; each query id with when it was pressed."""
    queries: dict[str, float] = {}
    began = time.monotonic()
    for n in range(count):
        queries[api.press(person, data(n))] = time.monotonic()
        await asyncio.sleep(max(0.0, began + (n + 1) / per_second - time.monotonic()))
    return queries


def alternating(n: int) -> str:
    return HELP if n % 2 == 0 else HOME


async def test_forty_presses_at_a_thumbs_pace_each_get_their_screen(tmp_path: Path) -> None:
    """Two people at once, one pressing twice a second and one three times."""
    paces = {2: user(4343, "en"), 3: user(4444, "en")}
    async with penah(tmp_path, *paces.values()) as api:
        mark = len(api.calls)
        pressed = await asyncio.gather(*(press_at(api, 40, per_second, alternating, person)
                                         for per_second, person in paces.items()))
        for queries, person in zip(pressed, paces.values(), strict=True):

            def edits(person: dict[str, Any] = person) -> list[Call]:
                edited = to_chat("editMessageText", person=person)
                return [c for c in api.calls[mark:] if edited(c)]

            def all_shown(queries: dict[str, float] = queries) -> bool:
                return len(edits()) >= 40 and len(answered(api, queries)) == 40

            await until(all_shown, 10, "a screen for every press")
            answers = answered(api, queries)
            assert all(answers[q].at - at < 1.0 for q, at in queries.items()), "answered at once"
            texts = [c.params["text"] for c in edits()]
            assert len(texts) == 40, "one screen for each press, none dropped"
            assert texts[0::2] == [texts[0]] * 20 and texts[1::2] == [texts[1]] * 20
            assert texts[0] != texts[1]
        assert not [e for e in api.errors if e[0].method == "editMessageText"]


async def test_a_script_is_held_back_and_told_once_while_emergency_and_clear_get_through(
    tmp_path: Path,
) -> None:
    async with penah(tmp_path) as api:
        mark = len(api.calls)
        queries = await press_at(api, 60, 20, alternating)  # three seconds at 20 a second
        await until(lambda: len(answered(api, queries)) == 60, 10, "every press answered")
        answers = answered(api, queries).values()
        told = [(a.params["text"], a.params.get("show_alert")) for a in answers
                if a.params.get("text")]
        assert told == [(HELD_BACK, True)], "told once"
        edits = [c for c in api.calls[mark:] if to_chat("editMessageText")(c)]
        assert len(edits) < 30, "the script's screens stopped"

        mark = len(api.calls)
        api.press(PERSON, EMERGENCY)
        emergency = await api.wait_for(to_chat("editMessageText"), 5, mark)
        assert emergency.params["text"].startswith("🚨 <b>Emergency</b>")

        mark = len(api.calls)
        api.send_text(PERSON, "/clear")
        done = await api.wait_for(to_chat("sendMessage"), 5, mark)
        assert done.params["text"] == "Done."
        assert [m["text"] for m in api.chats[PERSON["id"]].values()] == ["Done."]
