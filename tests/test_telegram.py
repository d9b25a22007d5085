"""The bot end to end: the real Application and handlers, SQLite, and a fake Telegram."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from bot.core import decide as core
from bot.core.callbacks import Action, Kind
from bot.core.decide import Press
from bot.telegram.delivery import Turns
from tests.conftest import Harness, make_settings, running_harness
from tests.fakes import buttons, user
from tests.langs import REGISTRY, SHIPPED
from tests.skipping import on_skipping_clock

ADMIN = user(999)


def labels(message: dict[str, Any]) -> list[str]:
    return [b["text"] for b in buttons(message)]


async def test_start_offers_every_language_in_its_own_name_likely_one_first(
    harness: Harness,
) -> None:
    await harness.send("/start", user(language_code="ar"))
    offered = labels(harness.screen())
    assert offered[0] == "العربية"
    assert offered == ["العربية", *[REGISTRY.languages[c].name for c in SHIPPED if c != "ar"]]


async def test_the_whole_way_from_start_to_a_card_and_back(harness: Harness) -> None:
    ar = harness.bot.catalogs.get("ar")
    await harness.send("/start")
    await harness.tap("العربية")
    menu = harness.screen()
    assert ar.gettext("How can I help? Choose a button below.") in menu["text"]
    assert labels(menu)[0].endswith(ar.gettext("Emergency"))

    await harness.tap(ar.gettext("Where are you now?"))
    await harness.tap("العراق (الاتحادي)")
    await harness.tap("اللجوء وصفة اللاجئ")
    category = harness.screen()
    await harness.tap("مفوضية اللاجئين في العراق")
    card = harness.screen()
    assert "80069999" in card["text"] and card["message_id"] == category["message_id"]
    await harness.tap(ar.gettext("Back"))
    assert harness.screen()["text"] == category["text"]

    presses = 6
    assert len(harness.fake.called("answerCallbackQuery")) == presses
    assert len(harness.fake.called("sendMessage")) == 1, "navigation edits in place"

    # the choices are remembered: a new /start goes straight to the Arabic main menu
    await harness.send("/start")
    assert ar.gettext("Your place: {place}").split("{")[0] in harness.screen()["text"]


async def test_forged_callbacks_are_answered_and_the_bot_keeps_serving(harness: Harness) -> None:
    await harness.send("/start")
    await harness.tap("English")
    for forged in ["1:r:no-such-thing:-:0", "garbage", "1:c:../etc:0", "9:m", "1:L:xx", ""]:
        await harness.press(forged)
        assert harness.screen()["text"].startswith("This menu has changed.")
    assert len(harness.fake.called("answerCallbackQuery")) == 7
    other = user(5151)
    await harness.send("/start", other)
    assert "English" in labels(harness.screen(5151))


async def test_admin_commands_are_for_admins_only(harness: Harness) -> None:
    await harness.send("/start")
    await harness.tap("English")
    await harness.send("/stats")
    stranger_reply = harness.screen()["text"]
    await harness.send("/nosuchcommand")
    assert harness.screen()["text"] == stranger_reply
    assert "people" not in stranger_reply

    await harness.send("/start", ADMIN)
    await harness.tap("English", ADMIN)
    await harness.bot.store.flush()  # type: ignore[union-attr]
    await harness.send("/stats", ADMIN)
    stats = harness.screen(999)["text"]
    assert "2 people" in stats and "language: en 2" in stats
    await harness.send("/stale", ADMIN)
    assert "not confirmed or sourced in 180 days" in harness.screen(999)["text"]
    await harness.press(Action(Kind.REPORT, "smex", "digital", 0).encode())
    await harness.send("/reports", ADMIN)
    assert "smex: 1, last " in harness.screen(999)["text"]
    await harness.send("/reload", ADMIN)
    assert harness.screen(999)["text"].startswith("No change in the file: 4 resources")


async def test_free_text_is_never_echoed_and_a_long_one_gets_the_kind_reply(
    harness: Harness,
) -> None:
    await harness.send("/start")
    await harness.tap("English")
    secret = "my name is Zhiyar and I live in Erbil"
    await harness.send(secret)
    assert all(secret not in str(call.params) for call in harness.fake.calls)
    await harness.send("x" * 4096)
    assert "I did not find that." in harness.screen()["text"]
    await harness.send("/nosuchcommand")
    assert "I work with buttons only." in harness.screen()["text"]


async def test_photos_contacts_and_locations_are_refused_once(harness: Harness) -> None:
    await harness.send("/start")
    await harness.tap("English")
    await harness.send_message(contact={"phone_number": "+9647501234567", "first_name": "A"})
    assert "I do not need photos" in harness.screen()["text"]
    await harness.send_message(location={"latitude": 36.19, "longitude": 44.01})
    assert "I work with buttons only." in harness.screen()["text"]


async def test_group_chats_are_told_once_and_left(harness: Harness) -> None:
    group = {"id": -100123, "type": "supergroup", "title": "g"}
    for _ in range(2):
        message = {"message_id": 7, "date": int(time.time()), "chat": group,
                   "from": user(), "text": "/start",
                   "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
        await harness.app.process_update(harness._update(message=message))
    assert len(harness.fake.called("sendMessage")) == 1
    assert len(harness.fake.called("leaveChat")) == 1


async def test_a_reload_while_someone_is_mid_menu(harness: Harness) -> None:
    await harness.send("/start")
    await harness.tap("English")
    await harness.tap("Where are you now?")
    await harness.tap("Lebanon")
    await harness.tap("Emergency")
    await harness.tap("Internal Security Forces")
    card = harness.screen()

    text = harness.resources.read_text(encoding="utf-8")
    start = text.index("  - id: isf-1745")
    end = text.index("  - id: smex")
    temp = harness.resources.with_suffix(".tmp")
    temp.write_text(text[:start] + text[end:], encoding="utf-8")
    os.replace(temp, harness.resources)
    assert (await harness.bot.reloader.reload()).changed

    report = next(b for b in buttons(card) if "did not work" in b["text"])
    await harness.press(report["callback_data"], message_id=card["message_id"])
    assert harness.screen()["text"].startswith("This menu has changed.")


async def test_broken_contact_reports_are_counted_and_thanked_once(harness: Harness) -> None:
    await harness.send("/start")
    await harness.tap("English")
    card = Action(Kind.REPORT, "smex", "digital", 0).encode()
    await harness.press(card)
    await harness.press(card)
    answers = [c.params.get("text") for c in harness.fake.called("answerCallbackQuery")]
    assert answers[-2:] == ["Thank you. We will check this contact.",
                            "Thank you, this was already noted."]
    assert await harness.bot.store.totals.reports() == [  # type: ignore[union-attr]
        ("smex", 1, time.strftime("%Y-%m-%d"))
    ]


async def test_a_user_who_blocked_the_bot_is_forgotten_and_others_are_served(
    harness: Harness,
) -> None:
    await harness.send("/start")
    await harness.tap("English")
    harness.fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await harness.send("/menu")
    store = harness.bot.store
    assert store is not None
    async with store._db.execute("SELECT COUNT(*) FROM prefs") as cursor:
        assert (await cursor.fetchone()) == (0,)
    await harness.send("/start", user(7777))
    assert "English" in labels(harness.screen(7777))


@on_skipping_clock(settle=0.002)  # the bot's jobs and SQLite run beside it
async def test_retry_after_is_waited_out_and_the_reply_arrives(tmp_path: Path) -> None:
    """The pause is waited on the loop's clock, which skips ahead here."""
    async with running_harness(make_settings(tmp_path)) as h:
        h.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        loop = asyncio.get_running_loop()
        began = loop.time()
        await h.send("/start")
        assert loop.time() - began >= 1.0
        refused, retried = h.fake.called("sendMessage")
        assert retried.at - refused.at >= 1.0, "sent again once the pause was over"
        assert "English" in labels(h.screen())


async def test_commands_with_arguments_and_edited_messages(harness: Harness) -> None:
    await harness.send("/start some-payload")
    assert "English" in labels(harness.screen())
    sent = len(harness.fake.called("sendMessage"))
    edited = {"message_id": 5, "date": int(time.time()), "edit_date": int(time.time()),
              "chat": {"id": 4242, "type": "private"}, "from": user(), "text": "changed"}
    await harness.app.process_update(harness._update(edited_message=edited))
    assert len(harness.fake.called("sendMessage")) == sent


async def test_admins_are_told_when_an_automatic_reload_fails(harness: Harness) -> None:
    text = harness.resources.read_text(encoding="utf-8")
    harness.resources.write_text(text.replace("operator: ngo", "operator: charity"),
                                 encoding="utf-8")
    outcome = await harness.bot.reloader.reload()
    assert outcome.error is not None
    told = [c for c in harness.fake.called("sendMessage") if c.params["chat_id"] == 999]
    assert len(told) == 1
    assert "resources.yaml" in told[0].params["text"]
    assert "resources[3].operator: must be one of" in told[0].params["text"]
    assert "smex" in harness.bot.reloader.current.resources


async def test_a_new_catalog_is_offered_after_reload(tmp_path: Path) -> None:
    import shutil

    from babel.messages.frontend import CommandLineInterface

    from bot.config import shipped_locales

    locales = tmp_path / "locales"
    shutil.copytree(shipped_locales(), locales)
    async with running_harness(make_settings(tmp_path, locales=locales)) as h:
        await h.send("/start")
        assert "فارسی" not in labels(h.screen())
        init = ["init", "-i", str(locales / "messages.pot"), "-d", str(locales), "-l", "fa"]
        CommandLineInterface().run(["pybabel", "-q", *init])  # type: ignore[no-untyped-call]
        await h.send("/reload", ADMIN)
        await h.send("/language")
        assert labels(h.screen())[-1] == "فارسی"


async def test_presses_faster_than_the_chat_keeps_up_get_the_newest_screen_never_an_older(
    harness: Harness,
) -> None:
    await harness.send("/start")
    await harness.tap("English")
    assert harness.bot.store is not None
    state = await harness.bot.store.prefs.peek(harness.bot.store.prefs.user_key(4242))
    assert state is not None
    wanted = [Kind.HELP, Kind.PRIVACY, Kind.REGIONS, Kind.LANGUAGES, Kind.EMERGENCY]
    screens = [core.decide(harness.bot.context, state, Press(Action(kind)), "en").screen.text
               for kind in wanted]
    before = len(harness.fake.called("editMessageText"))
    harness.fake.latency = 0.05  # each request takes longer than the presses are apart
    await asyncio.gather(*(harness.press(Action(kind).encode()) for kind in wanted))
    harness.fake.latency = 0.0
    assert len(harness.fake.called("answerCallbackQuery")) == 1 + len(wanted), "all answered"
    edits = [c.params["text"] for c in harness.fake.called("editMessageText")[before:]]
    assert 1 <= len(edits) < len(wanted), "the screens still waiting gave way to the newest"
    assert edits[-1] == screens[-1] == harness.screen()["text"]
    order = [screens.index(text) for text in edits]
    assert order == sorted(order), "never an older screen after a newer one"


async def test_a_press_on_a_message_deleted_meanwhile_sends_no_stale_screen(
    harness: Harness,
) -> None:
    await harness.send("/start")
    await harness.tap("English")
    sent = len(harness.fake.called("sendMessage"))
    harness.fake.fail("editMessageText", 400, "Bad Request: message to edit not found")
    await harness.press(Action(Kind.HELP).encode())
    assert len(harness.fake.called("sendMessage")) == sent
    harness.fake.fail("editMessageText", 400, "Bad Request: message can't be edited")
    await harness.press(Action(Kind.HELP).encode())
    assert len(harness.fake.called("sendMessage")) == sent + 1, "too old to edit: sent anew"


async def test_a_chat_gets_one_request_at_a_time_and_an_older_press_never_the_last_word() -> None:
    turns = Turns()
    assert turns.newest(1, 7, order=12)
    assert not turns.newest(1, 7, order=11), "pressed before, handled after: dropped"
    assert turns.newest(1, 8, order=11), "another message has its own newest"
    under_way: dict[int, int] = {1: 0, 2: 0}
    most: dict[int, int] = {1: 0, 2: 0}

    async def request(chat: int) -> None:
        async with turns.turn(chat):
            under_way[chat] += 1
            most[chat] = max(most[chat], under_way[chat])
            await asyncio.sleep(0.01)
            under_way[chat] -= 1

    await asyncio.gather(*(request(chat) for chat in (1, 2, 1, 2, 1)))
    assert most == {1: 1, 2: 1}
    assert len(turns) == 0, "no chat is held once nothing waits"
