"""Numbers to keep: the place's emergency and helpline numbers in a message of their own, to
write down or screenshot before the network is cut, left by tidy-up only if the person says so."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.config import shipped_locales
from bot.core.callbacks import Action, Kind
from bot.core.state import Tidy, UserState
from bot.directory.queries import Directory
from bot.i18n.bidi import LRI, PDI
from bot.i18n.sensitive import load_terms
from bot.i18n.translator import Catalogs
from bot.screens import cards
from bot.screens import menus as screens
from bot.screens.menus import View
from tests import tdlib
from tests.conftest import ROOT, Clock, Harness, make_settings, running_harness
from tests.fakes import buttons, user
from tests.langs import RTL, SHIPPED

TERMS = load_terms(shipped_locales())
KEEP_BUTTON = Action(Kind.KEEP).encode()


def places(directory: Directory) -> list[str]:
    return [r.id for r in directory.user_regions]


def with_shipped_directory(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "resources.yaml", tmp_path / "resources.yaml")
    return tmp_path


def dialable_on_emergency(directory: Directory, place: str) -> list[str]:
    """The numbers the Emergency screen shows for a place, in its order, each once."""
    found = [shown.number.display for r in directory.emergency_resources(place)
             for _, shown in directory.contacts(r) if shown.number is not None]
    return list(dict.fromkeys(found))


def in_order_and_whole(text: str, numbers: list[str], rtl: bool) -> bool:
    """Each number once, whole, in this order; right to left, each one with a space or a "+"
    inside an isolate, so it keeps its order (a run of digits keeps it anyway)."""
    at = 0
    for number in numbers:
        written = f"{LRI}{number}{PDI}" if rtl and not number.isdigit() else number
        match = re.compile(rf"(?<![\d+]){re.escape(written)}(?!\d)").search(text, at)
        if match is None:
            return False
        at = match.end()
    return True


async def keep_numbers(h: Harness, lang: str, place: str, *, discreet: bool = False) -> None:
    await h.send("/start")
    await h.press(Action(Kind.SET_LANGUAGE, lang).encode())
    await h.press(Action(Kind.SET_REGION, place).encode())
    if discreet:
        await h.press(Action(Kind.SET_DISCREET, "1").encode())
    await h.press(Action(Kind.EMERGENCY).encode())
    await h.press(KEEP_BUTTON, message_id=h.screen()["message_id"])


@pytest.mark.parametrize("lang", SHIPPED)
async def test_the_button_sends_the_places_numbers_as_a_message_of_their_own(
    tmp_path: Path, lang: str
) -> None:
    settings = make_settings(with_shipped_directory(tmp_path), flood_updates=10_000)
    async with running_harness(settings) as h:
        directory = h.bot.reloader.current
        for place in places(directory):
            await keep_numbers(h, lang, place)
            kept = h.screen()
            emergency = h.fake.visible(4242)[-2]
            assert kept["message_id"] > emergency["message_id"], "a new message, below"
            assert KEEP_BUTTON in [b.get("callback_data") for b in buttons(emergency)], (
                "the Emergency screen stays as it was")
            shown = tdlib.shown(kept["text"])  # as Telegram reads it, or refused
            numbers = dialable_on_emergency(directory, place)
            assert numbers, place
            assert in_order_and_whole(shown.text, numbers, lang in RTL), (place, shown.text)


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("discreet", [False, True], ids=["plain", "discreet"])
def test_the_first_line_tells_nothing_and_in_discreet_mode_no_purpose_does(
    lang: str, discreet: bool, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    languages = catalogs.get(lang).fallback
    told = []
    for place in places(shipped_directory):
        state = UserState(lang, place, discreet)
        view = View(shipped_directory, catalogs, catalogs.get(lang), state, TERMS)
        screen = cards.kept(view, place)
        assert screen is not None and screen.kept
        preview = tdlib.preview(screen.text)
        assert TERMS.found(preview, *languages) is None, (place, preview)
        purposes = [n.purpose for n in cards.numbers(view, place, neutral=discreet)]
        told += [(place, p) for p in purposes if TERMS.found(p, *languages)]
    if discreet:
        assert told == []
    else:  # the plain list names what each number is for, a violence line as such
        assert told, "the table's entries hold no telling name: the discreet half tests nothing"


def test_a_line_that_leaves_the_emergency_screen_leaves_the_numbers_to_keep(
    shipped_directory: Directory, catalogs: Catalogs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list is the Emergency screen's own query: a line it stops returning (marked closed,
    say) is gone from both."""
    view = View(shipped_directory, catalogs, catalogs.get("en"), UserState("en", "iq-kr"), TERMS)
    before = [n.display for n in cards.numbers(view, "iq-kr", neutral=False)]
    assert "911" in before
    query = Directory.emergency_resources
    monkeypatch.setattr(Directory, "emergency_resources", lambda self, region, now=None: [
        r for r in query(self, region, now) if r.id != "iq-911"])
    after = [n.display for n in cards.numbers(view, "iq-kr", neutral=False)]
    assert after == [n for n in before if n != "911"]
    assert "911" not in tdlib.parse_html(screens.emergency(view).text).text


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_button_stands_on_the_emergency_and_place_screens_once_a_place_is_known(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    for place in [None, *places(shipped_directory)]:
        view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, place))
        for screen in (screens.emergency(view), screens.regions(view)):
            offered = [b.action for b in screen.buttons()].count(Action(Kind.KEEP))
            assert offered == (place is not None), (place, screen.text[:40])


async def test_tidy_up_deletes_the_numbers_unless_the_person_keeps_them(tmp_path: Path) -> None:
    clock = Clock()
    settings = make_settings(with_shipped_directory(tmp_path), tidy_seconds=900)
    async with running_harness(settings, clock) as h:
        await keep_numbers(h, "ar", "iq-kr")
        first = h.screen()
        choices = [b["text"] for b in buttons(first)]
        assert len(choices) == 2 and choices[0].startswith("✅"), "tidied with the rest, at first"
        await keep_numbers(h, "ar", "lb")
        second = h.screen()
        await h.press(buttons(second)[1]["callback_data"], message_id=second["message_id"])
        assert buttons(h.screen())[1]["text"].startswith("✅"), "the choice shows on the message"
        assert h.screen()["text"] == second["text"]
        emergency = h.fake.visible(4242)[-2]
        clock.advance(901)
        await h.bot.jobs.tidy()
        left = {m["message_id"]: m for m in h.fake.visible(4242)}
        assert first["message_id"] not in left, "the numbers the person did not keep"
        assert left[second["message_id"]]["text"] == second["text"], "those they kept"
        neutral = h.bot.catalogs.get("ar").gettext("Tap /menu to continue.")
        assert tdlib.without_marks(left[emergency["message_id"]]["text"]) == neutral


@pytest.mark.parametrize("lang", SHIPPED)
async def test_tidy_up_does_what_the_message_shows_when_presses_are_handled_out_of_order(
    tmp_path: Path, lang: str
) -> None:
    """A quick tapper's "keep" then "delete too", the second handled first (updates run at
    once): the message shows the newer choice, and tidy-up does that one, not the older."""
    clock = Clock()
    settings = make_settings(with_shipped_directory(tmp_path), tidy_seconds=900)
    async with running_harness(settings, clock) as h:
        await keep_numbers(h, lang, "iq-kr")
        kept = h.screen()
        older, newer = (press_update(h, Action(Kind.KEEP_LEAVE, "iq-kr", page=leave).encode(),
                                     kept) for leave in (1, 0))
        await h.app.process_update(newer)
        await h.app.process_update(older)
        assert buttons(h.screen())[0]["text"].startswith("✅"), "the newer choice shows"
        clock.advance(901)
        await h.bot.jobs.tidy()
        assert kept["message_id"] not in {m["message_id"] for m in h.fake.visible(4242)}


@pytest.mark.parametrize("lang", SHIPPED)
async def test_the_choice_pressed_twice_or_after_clear_sends_nothing_and_leaves_nothing(
    tmp_path: Path, lang: str
) -> None:
    clock = Clock()
    settings = make_settings(with_shipped_directory(tmp_path), tidy_seconds=900)
    async with running_harness(settings, clock) as h:
        await keep_numbers(h, lang, "iq-kr")
        kept = h.screen()
        keep_it = Action(Kind.KEEP_LEAVE, "iq-kr", page=1).encode()
        edits = len(h.fake.called("editMessageText"))
        for _ in range(2):
            await h.press(keep_it, message_id=kept["message_id"])
        assert len(h.fake.called("editMessageText")) == edits + 1, "the second changes nothing"
        assert buttons(h.screen())[1]["text"].startswith("✅")
        await h.send("/clear")
        left, sent = h.fake.visible(4242), len(h.fake.called("sendMessage"))
        await h.press(keep_it, message_id=kept["message_id"])  # it was on its way
        assert (h.fake.visible(4242), len(h.fake.called("sendMessage"))) == (left, sent)
        clock.advance(901)
        await h.bot.jobs.tidy()
        assert [m["message_id"] for m in h.fake.visible(4242)] == [m["message_id"] for m in left]


def press_update(h: Harness, data: str, message: dict[str, Any]) -> Update:
    """A press on `message`, its update numbered now and handled whenever the test says."""
    query = {"id": str(h.fake.next_update_id()), "from": user(), "chat_instance": "1",
             "data": data, "message": message}
    return Update.de_json({"update_id": h.fake.next_update_id(), "callback_query": query},
                          h.app.bot)


async def test_a_chat_deleted_after_a_pause_keeps_the_numbers_kept_until_clear(
    tmp_path: Path,
) -> None:
    clock = Clock()
    settings = make_settings(with_shipped_directory(tmp_path), tidy_seconds=900)
    async with running_harness(settings, clock) as h:
        await h.send("/start")
        await h.press(Action(Kind.SET_LANGUAGE, "ckb").encode())
        await h.press(Action(Kind.SET_TIDY, Tidy.CLEAR.value).encode())
        await keep_numbers(h, "ckb", "sy")
        kept = h.screen()
        await h.press(Action(Kind.KEEP_LEAVE, "sy", page=1).encode(), message_id=kept["message_id"])
        await keep_numbers(h, "ckb", "tr")
        clock.advance(901)
        await h.bot.jobs.tidy()
        assert [m["message_id"] for m in h.fake.visible(4242)] == [kept["message_id"]]
        await h.send("/clear")
        assert kept["message_id"] not in {m["message_id"] for m in h.fake.visible(4242)}


@pytest.mark.parametrize("lang", SHIPPED)
def test_no_choice_is_offered_to_a_person_who_keeps_everything(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(shipped_directory, catalogs, catalogs.get(lang),
                UserState(lang, "jo", tidy=Tidy.KEEP), TERMS)
    screen = cards.kept(view, "jo")
    assert screen is not None and screen.rows == ()
