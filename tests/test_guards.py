"""The in-memory guards: bounded in size and in age, and a flood never keeps /clear away."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.storage.guards import FloodGuard, History, Once
from tests.conftest import make_settings, running_harness
from tests.fakes import user


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_once_forgets_after_its_age_and_beyond_its_size() -> None:
    clock = Clock()
    once = Once[int](size=3, age=10.0, clock=clock)
    assert once.first(1) and not once.first(1)
    clock.now += 11
    assert once.first(1), "forgotten after its age"
    for n in range(2, 10):
        once.first(n)
    assert len(once) == 3 and 1 not in once


def test_flood_guard_silences_then_forgives_and_follows_a_bounded_number_of_people() -> None:
    clock = Clock()
    guard = FloodGuard(limit=3, window=10.0, pause=30.0, people=100, clock=clock)
    assert [guard.allow(b"a") for _ in range(4)] == [True, True, True, False]
    assert not guard.allow(b"a")
    clock.now += 31
    assert guard.allow(b"a")
    for n in range(1000):
        guard.allow(n.to_bytes(4, "big"))
    assert len(guard) <= 100
    clock.now += 11
    guard.allow(b"z")
    assert len(guard) == 1, "people quiet for longer than the window are forgotten"


def test_history_is_bounded_per_chat_in_chats_and_in_age() -> None:
    clock = Clock()
    history = History(per_chat=5, chats=10, age=100.0, clock=clock)
    for message_id in range(20):
        history.add(1, message_id)
    assert history.take(1) == [15, 16, 17, 18, 19]
    for chat in range(50):
        history.add(chat, 1)
    assert len(history) == 10
    clock.now += 101
    history.add(999, 7)
    history.prune()
    assert len(history) == 1 and history.take(999) == [7]


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


async def test_clear_is_answered_while_the_person_is_silenced(tmp_path: Path) -> None:
    async with running_harness(make_settings(tmp_path, flood_updates=3)) as h:
        for i in range(6):
            await h.send(f"text {i}", user())
        silenced = len(h.fake.called("sendMessage"))
        await h.send("/menu")
        assert len(h.fake.called("sendMessage")) == silenced, "still silenced"
        await h.send("/clear")
        assert [m["text"] for m in h.fake.visible(4242)] == ["Done."]
