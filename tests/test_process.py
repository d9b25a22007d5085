"""The real `penah run` process against a stand-in Bot API server on 127.0.0.1.

The in-process tests replace Telegram below python-telegram-bot's request layer; these keep
everything real down to the sockets, so start-up, signals, the HTTP client's behaviour during
an outage, and the file watcher are tested as an admin's server would run them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import shipped_locales
from bot.i18n.translator import load_catalogs
from tests.botprocess import TOKEN, BotProcess, penah_env
from tests.fakeapi import Call, FakeBotAPI
from tests.fakes import buttons, user
from tests.langs import REGISTRY, SHIPPED
from tests.writes import atomic_write

pytestmark = pytest.mark.e2e  # every test here starts `penah run`

AR = load_catalogs(shipped_locales()).get("ar")
LANGUAGES = [REGISTRY.languages[code].name for code in SHIPPED]
SMEX = "SMEX Digital Safety Helpdesk"
SMEX_CARD = "1:r:smex:digital:0"


@contextlib.asynccontextmanager
async def penah(tmp_path: Path) -> AsyncIterator[tuple[FakeBotAPI, BotProcess]]:
    """A running bot (ready: its first long poll is open) and the server it talks to."""
    async with FakeBotAPI() as api, BotProcess(api, penah_env(api, tmp_path), tmp_path) as bot:
        await bot.ready()
        yield api, bot
        assert TOKEN not in bot.stderr(), "the token reached the log"


def to_chat(chat_id: int, *methods: str) -> Callable[[Call], bool]:
    return lambda c: c.method in methods and c.params.get("chat_id") == chat_id


async def until(condition: Callable[[], bool], within: float, what: str) -> float:
    """Poll `condition` every 20 ms for at most `within` s; the seconds it took."""
    began = time.monotonic()
    while not condition():
        assert time.monotonic() - began < within, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)
    return time.monotonic() - began


async def start(api: FakeBotAPI, person: dict[str, Any], within: float = 10.0) -> Call:
    mark = len(api.calls)
    api.send_text(person, "/start")
    return await api.wait_for(to_chat(person["id"], "sendMessage"), within, mark)


async def press(api: FakeBotAPI, person: dict[str, Any], data: str) -> tuple[str, Call]:
    """Press a button and wait for the screen it edits in; (query id, the edit)."""
    mark = len(api.calls)
    query = api.press(person, data)
    edit = await api.wait_for(to_chat(person["id"], "editMessageText"), 10, mark)
    return query, edit


def button(message: dict[str, Any], label: str) -> str:
    found = [str(b["callback_data"]) for b in buttons(message) if label in b["text"]]
    assert found, f"no button {label!r} in {[b['text'] for b in buttons(message)]}"
    return found[0]


async def test_start_offers_four_languages_and_arabic_gives_arabic_menus(tmp_path: Path) -> None:
    async with penah(tmp_path) as (api, _):
        person = user(4242, "en")
        await start(api, person)
        assert [b["text"] for b in buttons(api.last_message(4242))] == LANGUAGES

        queries = []
        query, menu = await press(api, person, button(api.last_message(4242), "العربية"))
        queries.append(query)
        assert AR.gettext("How can I help? Choose a button below.") in menu.params["text"]
        assert button(api.last_message(4242), AR.gettext("Emergency")) == "1:e"
        for label in ("اللجوء وصفة اللاجئ", "مفوضية اللاجئين في العراق"):
            query, screen = await press(api, person, button(api.last_message(4242), label))
            queries.append(query)
        assert "80069999" in screen.params["text"]
        assert AR.gettext("Back") in str(screen.params["reply_markup"])
        query, screen = await press(api, person, "forged:data")  # a stale or forged button
        queries.append(query)
        assert AR.gettext("How can I help? Choose a button below.") in screen.params["text"]

        answered = [c.params["callback_query_id"] for c in api.called("answerCallbackQuery")]
        assert sorted(answered) == sorted(queries), "every press answered exactly once"


@pytest.mark.parametrize("moment", ["long poll open", "reply in flight"])
async def test_sigterm_exits_0_in_under_5_seconds(tmp_path: Path, moment: str) -> None:
    async with penah(tmp_path) as (api, bot):
        if moment == "long poll open":
            await until(lambda: api.polling > 0, 5, "a long poll")
            await asyncio.sleep(0.3)
            assert api.polling > 0 and api.called("getUpdates")[-1].params["timeout"] == 10
        else:
            api.latency = 1.5  # the reply is held by the server when the signal comes
            mark = len(api.calls)
            api.send_text(user(), "/start")
            await api.wait_for(to_chat(4242, "sendMessage"), 10, mark)
        code, seconds = await bot.stop()
        print(f"SIGTERM ({moment}): exit {code} after {seconds:.2f} s")
        assert code == 0
        assert seconds < 5.0
        assert "Traceback" not in bot.stderr()
        if moment == "reply in flight":
            assert api.chats.get(4242), "the reply in flight was finished, not dropped"


async def test_serves_again_after_a_six_second_outage(tmp_path: Path) -> None:
    async with penah(tmp_path) as (api, _):
        await start(api, user(1))
        back = api.outage(6.0)
        await asyncio.sleep(1.0)
        mark = len(api.calls)
        api.send_text(user(2), "/start")  # Telegram keeps it while the bot cannot reach it
        await back
        ended = time.monotonic()
        held = await api.wait_for(to_chat(2, "sendMessage"), 15, mark)
        fresh = await start(api, user(3), within=5)
        print(f"after the outage: held update answered in {held.at - ended:.2f} s, "
              f"a new one in {fresh.at - held.at:.2f} s more")
        assert held.at - ended < 10.0


async def test_live_edit_is_served_and_a_broken_edit_keeps_the_last_good(
    tmp_path: Path,
) -> None:
    async with penah(tmp_path) as (api, bot):
        resources = tmp_path / "resources.yaml"
        good = resources.read_text(encoding="utf-8")
        person = user()
        await start(api, person)
        await press(api, person, "1:L:en")
        _, card = await press(api, person, SMEX_CARD)
        assert SMEX in card.params["text"]

        atomic_write(resources, good.replace(SMEX, "SMEX Helpdesk"))
        took = await until(lambda: "directory reloaded" in bot.stderr(), 20, "the reload")
        print(f"live edit seen after {took:.2f} s")
        _, card = await press(api, person, SMEX_CARD)
        assert "SMEX Helpdesk" in card.params["text"] and SMEX not in card.params["text"]

        marker = "    operator: ngo\n"
        broken = good.replace(SMEX, "SMEX Helpdesk").replace(marker, marker + "    oops: 1\n")
        line = broken[: broken.index("    oops: 1")].count("\n") + 1
        mark = len(api.calls)
        atomic_write(resources, broken)
        expected = f"{resources}:{line}:5: resources[3].oops: unknown key 'oops'"
        await until(lambda: expected in bot.stderr(), 20, "the error in the log")
        told = await api.wait_for(to_chat(999, "sendMessage"), 20, mark)
        assert expected in told.params["text"], "the admins are told, with the line"
        await press(api, person, "1:l")  # away from the card: it is shown again, not skipped
        _, card = await press(api, person, SMEX_CARD)
        assert "SMEX Helpdesk" in card.params["text"], "the last good directory keeps serving"


async def test_a_429_is_waited_out_and_a_403_disturbs_no_one_else(tmp_path: Path) -> None:
    async with penah(tmp_path) as (api, bot):
        api.fail("sendMessage", 429, retry_after=1, chat_id=1001)
        await start(api, user(1001))

        def tries() -> list[Call]:
            return [c for c in api.called("sendMessage") if c.params["chat_id"] == 1001]

        await until(lambda: len(tries()) == 2, 5, "the retry")
        assert tries()[1].at - tries()[0].at >= 1.0
        await until(lambda: len(api.chats[1001]) == 2, 5, "the reply after the wait")
        assert buttons(api.last_message(1001)) and not api.called("answerCallbackQuery")

        api.fail("sendMessage", 403, chat_id=1002)  # 1002 blocked the bot
        mark = len(api.calls)
        api.send_text(user(1002), "/start")
        other = await start(api, user(1003), within=5)
        assert other.at - api.pushed_at[max(api.pushed_at)] < 2.0
        await press(api, user(1003), "1:L:en")
        assert [c.params["chat_id"] for c in api.calls[mark:] if c.method == "sendMessage"] \
            .count(1002) == 1, "a blocked user is not retried"
        assert 1002 not in api.chats or not any(
            m["from"].get("is_bot") for m in api.chats[1002].values()
        )
        assert "failed" not in bot.stderr() and "Traceback" not in bot.stderr()


async def test_sigterm_during_an_api_outage_exits_in_under_5_seconds(tmp_path: Path) -> None:
    """python-telegram-bot's polling loop backs off 1, 1.5, 2.25 … up to 30 s while the API is
    down, and its own `run_polling` waits the back-off out before it stops: a container's stop
    signal must not (it took 6.9 s, 15.3 s later on, before bot/runner.py bounded it)."""
    async with penah(tmp_path) as (api, bot):
        api.outage(40.0, mode="close")  # connections are accepted and closed: retries are seen

        def long_back_off_ended() -> bool:  # the retry after ~5.1 s; the next wait is ~7.6 s
            return any(b - a >= 4.5 for a, b in itertools.pairwise(api.refused))

        waited = await until(long_back_off_ended, 30, "a long retry back-off")
        code, seconds = await bot.stop()
        print(f"SIGTERM {waited:.1f} s into an outage: exit {code} after {seconds:.2f} s")
        assert code == 0
        assert seconds < 5.0
