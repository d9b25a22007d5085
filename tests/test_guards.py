"""The in-memory guards: bounded in size and in age, and a flood never keeps /clear away."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from pathlib import Path

from bot.guards import MB, FloodGuard, History, Once
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
    limit = 1 * MB
    shapes = [(12_000, 1), (40, 2000), (300, 400), (12_000, 3)]  # chats, ids each: 4x the limit
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
