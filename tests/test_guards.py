"""The in-memory guards: bounded in size and in age; a person's pace always served, a script's
held back and told so once; /clear and the Emergency screen never held back."""

from __future__ import annotations

import asyncio
import shutil
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from bot.core import decide as core
from bot.core.callbacks import Action, Kind
from bot.core.decide import Press, Text
from bot.core.state import UserState
from bot.storage.guards import FORGED, MB, URGENT_EVERY, FloodGuard, History, Once
from bot.telegram.handlers import HELD_BACK
from tests.conftest import ROOT, Clock, Harness, make_settings, running_harness
from tests.fakes import user
from tests.langs import SHIPPED

HOME, HELP = Action(Kind.HOME).encode(), Action(Kind.HELP).encode()
EMERGENCY = Action(Kind.EMERGENCY).encode()
# Typed danger per language, from the shipped directory's danger words.
DANGER = {"en": "I want to die", "ar": "أنا في خطر", "ckb": "لە مەترسیدام",
          "ku": "ez di xeterê de me", "ku-Arab": "دخوازم بمرم"}


def test_once_forgets_after_its_age_and_beyond_its_size() -> None:
    clock = Clock()
    once = Once[int](size=3, age=10.0, clock=clock)
    assert once.first(1) and not once.first(1)
    clock.now += 11
    assert once.first(1), "forgotten after its age"
    for n in range(2, 10):
        once.first(n)
    assert len(once) == 3 and 1 not in once


async def test_every_guard_of_the_running_bot_keeps_the_time_it_is_given(tmp_path: Path) -> None:
    """One clock for all: the "once" sets and the /clear history age on the bot's clock too."""
    clock = Clock()
    async with running_harness(make_settings(tmp_path), clock) as h:
        guards = h.bot.guards
        once: list[tuple[Once[Any], Any]] = [
            (guards.reported, (b"k", "en")), (guards.told_media, b"k"), (guards.left_groups, 7)]
        assert all(seen.first(key) for seen, key in once)
        guards.history.add(7, 70)
        clock.advance(7 * 86_400.0)  # past the guards' days and Telegram's 48 h
        assert all(seen.first(key) for seen, key in once), "forgotten after their age"
        assert guards.history.take(7) == []


# ---------------------------------------------------------------------- the flood guard's pace
def presses(guard: FloodGuard, clock: Clock, count: int, every: float,
            weight: float = 1.0, key: bytes = b"a") -> list[bool]:
    allowed = []
    for _ in range(count):
        allowed.append(guard.allow(key, weight))
        clock.now += every
    return allowed


@pytest.mark.parametrize("per_second", [2, 3, 4])
def test_a_thumbs_pace_is_never_held_back_however_long_it_goes_on(per_second: int) -> None:
    clock = Clock()
    guard = FloodGuard(clock=clock)
    assert all(presses(guard, clock, 600, 1 / per_second))


def test_a_script_is_held_back_for_as_long_as_it_goes_on_and_told_once() -> None:
    clock = Clock()
    guard = FloodGuard(limit=20, window=4.0, pause=10.0, clock=clock)
    allowed = presses(guard, clock, 20 * 60, 1 / 20)  # a minute at 20 a second
    first_held = allowed.index(False)
    assert 20 <= first_held < 1.5 * 20, "held back within a second and a half"
    assert not any(allowed[first_held:]), "held back while it goes on, past the pause"
    assert guard.tell(b"a") and not guard.tell(b"a"), "told once"
    clock.now += 10 + 8  # the pause, and the time its debt takes to be paid off
    assert guard.allow(b"a")
    assert not guard.tell(b"a")
    assert all(presses(guard, clock, 40, 0.5)), "and then served at a person's pace"


def test_callback_data_no_button_carries_counts_more() -> None:
    clock = Clock()
    genuine = FloodGuard(clock=clock)
    assert all(presses(genuine, clock, 120, 0.5))
    forged = FloodGuard(clock=clock)
    held = presses(forged, clock, 120, 0.5, FORGED)
    assert not all(held), "forged data at the same pace is held back"
    assert held.index(False) < 20


def test_the_guard_follows_a_bounded_number_of_people_and_forgets_the_quiet() -> None:
    clock = Clock()
    guard = FloodGuard(limit=3, window=10.0, pause=30.0, people=100, clock=clock)
    assert [guard.allow(b"a") for _ in range(4)] == [True, True, True, False]
    assert not guard.allow(b"a")
    clock.now += 31
    assert guard.allow(b"a")
    for n in range(1000):
        guard.allow(n.to_bytes(4, "big"))
    assert len(guard) <= 100
    clock.now += 2 * 10.0 + 30.0  # a full bucket, any hold over: nothing left to know
    guard.allow(b"z")
    assert len(guard) == 1, "people quiet for that long are forgotten"


# ---------------------------------------------------------------------- /clear's memory
def test_history_is_bounded_per_chat_and_in_age() -> None:
    clock = Clock()
    history = History(per_chat=5, age=100.0, clock=clock)
    for message_id in range(20):
        history.add(1, message_id)
    assert history.take(1) == [15, 16, 17, 18, 19]
    assert history.take(1) == [], "taken once"
    history.add(2, 1)
    clock.now += 50
    history.add(2, 2)
    clock.now += 51
    history.add(999, 7)
    history.prune()
    assert history.take(2) == [2] and history.take(999) == [7]


def test_history_keeps_within_its_memory_for_all_chats_together_dropping_the_quietest() -> None:
    limit = MB // 4
    shapes = [(3_000, 1), (10, 2000), (75, 400), (3_000, 3)]  # chats, ids each: 4x the limit
    tracemalloc.start()
    try:
        before, used = tracemalloc.get_traced_memory()[0], []
        history = History(limit)
        for shape, (chats, ids) in enumerate(shapes):
            for chat in range(chats):
                for message_id in range(ids):
                    history.add(shape * 10**12 + chat, 2**40 + message_id)
            used.append(tracemalloc.get_traced_memory()[0] - before)
    finally:
        tracemalloc.stop()
    assert history.size <= limit
    assert max(used) <= limit, f"{used} bytes held for a limit of {limit}"
    newest = (len(shapes) - 1) * 10**12 + shapes[-1][0] - 1
    assert history.take(newest) == [2**40, 2**40 + 1, 2**40 + 2], "the newest chat is kept"
    assert history.take(10**12) == [], "the chats quiet longest went first"


def test_a_message_id_costs_what_the_default_bound_was_worked_out_with() -> None:
    history = History()
    history.add(1, 0)
    one = history.size
    for message_id in range(1, history.per_chat):
        history.add(1, message_id)
    per_id = (history.size - one) / (history.per_chat - 1)
    assert 16 <= per_id <= 18, "two 8-byte numbers, and the arrays' spare room"


# ---------------------------------------------------------------------- through the bot
def answers(h: Harness) -> list[dict[str, Any]]:
    return [c.params for c in h.fake.called("answerCallbackQuery")]


def edits(h: Harness) -> list[str]:
    return [c.params["text"] for c in h.fake.called("editMessageText")]


@pytest.mark.parametrize("per_second", [2, 3])
async def test_forty_presses_at_a_thumbs_pace_each_get_their_screen(
    tmp_path: Path, per_second: int
) -> None:
    clock = Clock()
    async with running_harness(make_settings(tmp_path), clock) as h:  # the default guard
        await h.send("/start")
        await h.tap("English")
        before_answers, before_edits = len(answers(h)), len(edits(h))
        shown = []
        for n in range(40):
            clock.now += 1 / per_second
            await h.press(HELP if n % 2 == 0 else HOME)
            shown.append(h.screen()["text"])
        assert len(answers(h)) - before_answers == 40, "every press answered"
        assert edits(h)[before_edits:] == shown, "every press got its own screen"
        assert len(set(shown[0::2])) == len(set(shown[1::2])) == 1 and shown[0] != shown[1]


async def settle(h: Harness, person: dict[str, Any], lang: str) -> UserState:
    await h.send("/start", person)
    await h.press(Action(Kind.SET_LANGUAGE, lang).encode(), person)
    await h.press(Action(Kind.SET_REGION, "iq-kr").encode(), person)
    assert h.bot.store is not None
    state = await h.bot.store.prefs.peek(h.bot.store.prefs.user_key(person["id"]))
    assert state is not None and state.lang == lang
    return state


@pytest.fixture
def shipped_resources(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "resources.yaml", tmp_path / "resources.yaml")
    return tmp_path


async def script(h: Harness, clock: Clock, seconds: float,
                 person: dict[str, Any] | None = None) -> None:
    """A script pressing 20 times a second, on the test's clock."""
    for n in range(round(seconds * 20)):
        clock.now += 0.05
        await h.press(HELP if n % 2 == 0 else HOME, person)


@pytest.mark.parametrize("lang", SHIPPED)
async def test_a_script_is_held_back_told_once_in_its_language_and_emergency_still_passes(
    shipped_resources: Path, lang: str
) -> None:
    clock = Clock()
    async with running_harness(make_settings(shipped_resources), clock) as h:
        person = user()
        state = await settle(h, person, lang)
        t = h.bot.catalogs.get(lang)
        if lang != "en":
            assert t.gettext(HELD_BACK) != HELD_BACK, "the notice is translated"
        before_answers, before_edits = len(answers(h)), len(edits(h))

        await script(h, clock, 3)
        got = answers(h)[before_answers:]
        assert len(got) == 60, "every press answered, held back or not"
        told = [(a["text"], a.get("show_alert")) for a in got if a.get("text")]
        assert told == [(t.gettext(HELD_BACK), True)], "told once, in its language"
        assert len(edits(h)) - before_edits < 1.5 * 20, "the script's screens stopped"

        sent = len(h.fake.called("sendMessage"))
        await h.send("anything", person)  # typed, held back too, and not told again
        await script(h, clock, 1, person)
        assert len(h.fake.called("sendMessage")) == sent
        assert len([a for a in answers(h) if a.get("text")]) == 1

        ctx = h.bot.context
        emergency = core.decide(ctx, state, Press(Action(Kind.EMERGENCY))).screen
        clock.now += 0.05
        await h.press(EMERGENCY, person)
        assert emergency.urgent and h.screen()["text"] == emergency.text

        danger = core.decide(ctx, state, Text(DANGER[lang])).screen
        assert danger.urgent, "a danger word of the shipped directory"
        await script(h, clock, URGENT_EVERY, person)
        for _ in range(3):  # typed danger gets the Emergency screen; a flood of it, not more
            clock.now += 0.05
            await h.send(DANGER[lang], person)
        assert len(h.fake.called("sendMessage")) == sent + 1
        assert h.screen()["text"] == danger.text

        key = h.bot.store.prefs.user_key(person["id"])  # type: ignore[union-attr]
        assert h.bot.guards.flood.holding(key)
        await h.send("/clear", person)
        cleared = core.decide(ctx, state, Press(Action(Kind.CLEAR))).screen
        assert [m["text"] for m in h.fake.visible(person["id"])] == [cleared.text]


@pytest.mark.parametrize("lang", SHIPPED)
async def test_typed_messages_beyond_the_pace_are_told_once_in_their_language(
    tmp_path: Path, lang: str
) -> None:
    clock = Clock()
    async with running_harness(make_settings(tmp_path), clock) as h:
        person = user()
        await settle(h, person, lang)
        sent = len(h.fake.called("sendMessage"))
        await asyncio.gather(*(h.send(f"/help {n}", person) for n in range(30)))
        texts = [c.params["text"] for c in h.fake.called("sendMessage")[sent:]]
        notice = h.bot.catalogs.get(lang).gettext(HELD_BACK)
        assert len([x for x in texts if notice in x]) == 1
        assert len(texts) <= 21


async def test_forged_callback_data_is_held_back_at_a_pace_genuine_presses_are_not(
    tmp_path: Path,
) -> None:
    clock = Clock()
    async with running_harness(make_settings(tmp_path), clock) as h:
        await h.send("/start")
        await h.tap("English")
        before = len(answers(h))
        for n in range(40):
            clock.now += 0.5
            await h.press(f"1:r:forged-{n}:x:99:9")  # no button of the bot's carries this
        got = answers(h)[before:]
        assert len(got) == 40, "answered all the same"
        assert [a["text"] for a in got if a.get("text")] == [HELD_BACK]


async def test_clear_after_a_flood_of_forwards_leaves_nothing_behind(tmp_path: Path) -> None:
    async with running_harness(make_settings(tmp_path)) as h:  # the default flood guard
        await h.send("/start")
        await h.tap("English")
        origin = {"type": "user", "date": int(time.time()),
                  "sender_user": {"id": 55555, "is_bot": False, "first_name": "X"}}
        await asyncio.gather(*(h.send(f"forwarded {i}", forward_origin=origin)
                               for i in range(30)))
        assert len(h.fake.visible(4242)) > 30
        await h.send("/clear")
        assert [m["text"] for m in h.fake.visible(4242)] == ["Done."]


async def test_clear_is_answered_while_the_person_is_held_back(tmp_path: Path) -> None:
    async with running_harness(make_settings(tmp_path, flood_updates=3)) as h:
        for i in range(6):
            await h.send(f"text {i}", user())
        held = len(h.fake.called("sendMessage"))
        await h.send("/menu")
        assert len(h.fake.called("sendMessage")) == held, "still held back"
        await h.send("/clear")
        assert [m["text"] for m in h.fake.visible(4242)] == ["Done."]
