"""The promise: no message content kept, ever; /clear and /forget do what they say."""

from __future__ import annotations

import gc
import io
import logging
import time
from pathlib import Path
from typing import Any

import pytest

from bot.core.callbacks import Action, Kind
from bot.ops.logs import setup_logging
from tests.conftest import TOKEN, Harness, make_settings, running_harness
from tests.fakes import user
from tests.langs import SHIPPED

CANARY = "zq-canary-7f3a9"
PHONE = "+9647509876543"
USER_ID = 8675309123
SENSITIVE = ["lgbt", "gay", "queer", "violence", "asylum", "refugee", "police", "abuse",
             "مثلي", "الميم", "عنف", "لجوء", "لاجئ", "شرطة", "پەنابەر", "توندوتیژی", "پۆلیس",
             "penaber", "tundî", "polîs"]


async def test_canary_content_never_reaches_a_file_or_the_log(tmp_path: Path) -> None:
    log = io.StringIO()
    setup_logging("INFO", stream=log)
    person = {"id": USER_ID, "is_bot": False, "first_name": CANARY, "last_name": PHONE,
              "username": f"u{CANARY.replace('-', '')}", "language_code": "ar"}
    try:
        async with running_harness(make_settings(tmp_path, flood_updates=1000)) as h:
            # Telegram's error texts are its own, never the user's: errors while handling
            h.fake.fail("sendMessage", 400, "Bad Request: message is too long", times=2)
            await h.send(f"/start {CANARY}", person)
            await h.send(f"/start {CANARY}", person)
            await h.send("/start", person)
            await h.press(Action(Kind.SET_LANGUAGE, "ar").encode(), person)
            for i in range(6):
                await h.send(f"{CANARY} my number is {PHONE} ({i})", person)
            for query in (f"lawyer {CANARY}", f"{CANARY} محامي", f"خطر {CANARY}", CANARY,
                          f"پارێزەر {CANARY}", f"avukat {PHONE}", f"{CANARY} " * 50):
                await h.send(query, person)  # typed search: nothing of it kept or logged
            for i in range(4):
                await h.send_message(person, photo=[{"file_id": "f", "file_unique_id": "u",
                                                     "width": 1, "height": 1}],
                                     caption=f"{CANARY} {PHONE} {i}")
            for i in range(4):
                await h.send(f"forwarded {CANARY} {i}", person, forward_origin={
                    "type": "user", "date": int(time.time()),
                    "sender_user": {"id": 55555, "is_bot": False, "first_name": CANARY}})
            await h.send_message(person, contact={"phone_number": PHONE, "first_name": CANARY})
            await _unparseable_update_in_the_stream(h, person)
            await h.send_message(person, location={"latitude": 36.19, "longitude": 44.01})
            for data in (CANARY, f"1:r:{CANARY}:-:0", PHONE, f"1:L:{CANARY[:3]}", "1:b:x:-:0"):
                await h.press(data, person)
            for command in ("/menu", "/help", "/privacy", f"/nosuch {CANARY}", "/language",
                            f"/stats {PHONE}", "/reload"):
                await h.send(command, person)
            h.fake.fail("editMessageText", 400, "Bad Request: message to edit not found")
            await h.press(Action(Kind.HOME).encode(), person)
            await h.press(Action(Kind.REPORT, "smex", "digital").encode(), person)
            assert h.bot.store is not None
            await h.bot.store.flush()
            searches = {v for day in (await h.bot.store.totals.stats(1)).values()
                        for m, values in day.items() if m == "search" for v in values}
            assert searches and searches <= {"found", "not found"}  # never the words
        updates = h.fake.next_update_id() - 1
        assert updates >= 30
        answered = len(h.fake.called("answerCallbackQuery"))
        assert answered == 8, "every update was handled, none cut by the flood guard"
    finally:
        setup_logging("INFO")

    written = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"penah.sqlite3", "secret"}
    needles = [CANARY, PHONE, PHONE.lstrip("+"), str(USER_ID), TOKEN, TOKEN.split(":")[1]]
    for path in written:
        content = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in content, (path.name, needle)
            assert needle.encode("utf-16-le") not in content, (path.name, needle)
    logged = log.getvalue()
    assert "update" in logged  # the errors above were logged, by id and type only
    for needle in needles:
        assert needle not in logged, needle


async def _unparseable_update_in_the_stream(h: Harness, person: dict[str, Any]) -> None:
    """A forwarded poll in a shape python-telegram-bot cannot parse, fetched by getUpdates in
    one batch with a good update: the bad one is skipped, the good one answered."""
    poll = {"id": "5", "question": f"{CANARY} {PHONE}", "total_voter_count": 0,
            "is_closed": False, "is_anonymous": True, "type": "regular",
            "allows_multiple_answers": False, "options": [{"text": CANARY, "voter_count": 0}]}
    origin = {"type": "user", "date": int(time.time()), "sender_user": person}
    bad = h._message(person, poll=poll, forward_origin=origin)
    good = h._message(person, text=f"{CANARY} {PHONE}")
    await h.fake.updates.put({"update_id": h.fake.next_update_id(), "message": bad})
    await h.fake.updates.put({"update_id": h.fake.next_update_id(), "message": good})
    sent = len(h.fake.called("sendMessage"))
    updates = await h.app.bot.get_updates(timeout=0)
    assert len(updates) == 2 and updates[0].message is None  # skipped by its id
    for update in updates:
        await h.app.process_update(update)
    assert len(h.fake.called("sendMessage")) == sent + 1  # the good one was answered


def test_token_shaped_text_is_redacted_from_logs() -> None:
    log = io.StringIO()
    setup_logging("INFO", stream=log)
    try:
        logging.getLogger("bot.any").error("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed for {TOKEN}")
        except RuntimeError:
            logging.getLogger("bot.any").exception("boom")
        assert logging.getLogger("httpx").level == logging.WARNING
        assert logging.getLogger("httpcore").level == logging.WARNING
    finally:
        setup_logging("INFO")
    assert TOKEN not in log.getvalue() and "[token]" in log.getvalue()


async def test_clear_deletes_both_sides_in_batches_and_leaves_one_neutral_word(
    tmp_path: Path,
) -> None:
    async with running_harness(make_settings(tmp_path, flood_updates=1000)) as harness:
        await _clear_a_long_chat(harness)


async def _clear_a_long_chat(harness: Harness) -> None:
    await harness.send("/start")
    await harness.tap("English")
    for i in range(70):
        await harness.send(f"message {i}")  # each one gets a menu back: 140 messages
    harness.fake.fail("deleteMessages", 400, "Bad Request: message can't be deleted")
    await harness.send("/clear")
    batches = harness.fake.called("deleteMessages")
    assert len(batches) >= 2 and all(len(b.params["message_ids"]) <= 100 for b in batches)
    # the refused batch was halved and tried again
    assert [len(b.params["message_ids"]) for b in batches[:3]] == [100, 50, 50]
    remaining = harness.fake.visible(4242)
    assert len(remaining) == 1
    neutral = remaining[0]["text"].lower()
    assert neutral == "done." and not any(word in neutral for word in SENSITIVE)


async def test_clear_button_under_privacy_clears_too(harness: Harness) -> None:
    await harness.send("/start")
    await harness.tap("English")
    await harness.tap("Privacy")
    await harness.tap("Clear this chat")
    assert [m["text"] for m in harness.fake.visible(4242)] == ["Done."]


async def test_forget_deletes_the_stored_preference_and_says_so(harness: Harness) -> None:
    await harness.send("/start")
    await harness.tap("English")
    await harness.send("/forget")
    assert "Your saved settings are deleted." in harness.screen()["text"]
    store = harness.bot.store
    assert store is not None
    async with store._db.execute("SELECT COUNT(*) FROM prefs") as cursor:
        assert await cursor.fetchone() == (0,)


@pytest.mark.parametrize("code", SHIPPED)
async def test_first_message_commands_and_description_are_discreet(
    tmp_path: Path, code: str
) -> None:
    async with running_harness(make_settings(tmp_path)) as h:
        await h.send("/start", user(language_code=code))
        await h.bot.jobs.tasks["describe"]  # runs beside it
        shown = [h.screen()["text"]]
        for call in h.fake.called("setMyCommands"):
            shown += [command["description"] for command in call.params["commands"]]
        shown += [c.params["short_description"] for c in h.fake.called("setMyShortDescription")]
    assert len(shown) > 10
    for text in shown:
        for word in SENSITIVE:
            assert word not in text.lower(), (word, text)


async def test_privacy_screen_says_what_is_kept_and_what_telegram_sees(harness: Harness) -> None:
    await harness.send("/start")
    await harness.tap("English")
    await harness.send("/privacy")
    text = harness.screen()["text"]
    assert "30 days" in text and "/forget" in text
    assert "not end-to-end encrypted" in text and "court" in text
    assert "passcode" in text and "auto-delete" in text


async def test_the_raw_updates_batch_is_not_kept_once_read(harness: Harness) -> None:
    """getUpdates' raw JSON holds people's messages: nothing of it stays after the call,
    whether python-telegram-bot read the batch or not."""
    person = user(USER_ID)
    chat = {"id": USER_ID, "type": "private", "first_name": "Test"}
    logging.disable()  # the test's log capture would keep PTB's record of the batch it failed
    try:
        for shape in ({}, {"entities": [{"type": "a shape no library reads"}]}):
            text = f"{CANARY}-{len(shape)}-{time.time_ns()}"  # made now: no module holds it
            message = {"message_id": 1, "date": int(time.time()), "chat": chat, "from": person,
                       "text": text, **shape}
            await harness.fake.updates.put({"update_id": harness.fake.next_update_id(),
                                            "message": message})
            del message
            updates = await harness.app.bot.get_updates(timeout=0)
            assert (updates[0].message is not None) == (not shape)
            confirmed = await harness.app.bot.get_updates(updates[-1].update_id + 1, timeout=0)
            assert confirmed == ()
            del updates
            gc.collect()
            held = [o for o in gc.get_objects() if isinstance(o, dict | list)
                    and any(v == text for v in (o.values() if isinstance(o, dict) else o))]
            assert held == [], "the raw update is still held"
    finally:
        logging.disable(logging.NOTSET)
