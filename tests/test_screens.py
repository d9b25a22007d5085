from __future__ import annotations

import re

import pytest

from bot.core.callbacks import MAX_BYTES, Action, Kind
from bot.core.state import UserState
from bot.directory.queries import Directory
from bot.i18n.bidi import LRI, PDI, RLM
from bot.i18n.translator import Catalogs
from bot.screens import menus as screens
from bot.screens.menus import View
from tests.langs import RTL, SHIPPED
from tests.screen_crawl import crawl, drawn_once

TAG = re.compile(r"<[^>]+>")
# What must never flip in right-to-left text: phone numbers, links, emails.
LTR_THINGS = re.compile(
    r"https?://[^\s\u2066-\u2069]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\+?\d[\d\s-]{4,}\d"
)


def regions_of(directory: Directory) -> list[str | None]:
    return [None, *[r.id for r in directory.user_regions]]


@pytest.mark.parametrize("lang", drawn_once(SHIPPED))
def test_every_reachable_screen_fits_telegram(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    for region in regions_of(shipped_directory):
        reached: set[str] = set()
        for action, screen in crawl(shipped_directory, catalogs, UserState(lang, region)):
            assert len(screen.text) <= 4096, (action, len(screen.text))
            assert screen.text.strip(), action
            for button in screen.buttons():
                assert button.label.strip(), action
                assert (button.action is None) != (button.url is None)
                if button.action:
                    data = button.action.encode()
                    assert data.isascii() and len(data.encode()) <= MAX_BYTES
                else:
                    assert button.url and button.url.startswith("https://")
            if action.kind is Kind.CATEGORY:
                reached.add(action.target)
        wanted = {c.id for c in shipped_directory.categories_for(region)}
        wanted |= {c.id for c in shipped_directory.categories_for(region, advice=True)}
        assert wanted <= reached, (region, wanted - reached)


def test_every_category_has_something_somewhere(shipped_directory: Directory) -> None:
    for category in shipped_directory.data.categories:
        found = any(
            shipped_directory.resources_for(region.id, category.id)
            or shipped_directory.guides_for(region.id, category.id)
            for region in shipped_directory.user_regions
        )
        assert found, category.id


@pytest.mark.parametrize("lang", drawn_once(RTL))
def test_rtl_screens_isolate_numbers_and_links(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    for region in regions_of(shipped_directory):
        for action, screen in crawl(shipped_directory, catalogs, UserState(lang, region)):
            if action.kind is Kind.LANGUAGES:
                continue  # one line per language, each in its own direction
            for line in TAG.sub("", screen.text).split("\n"):
                if not line:
                    continue
                assert line.startswith(RLM), (action, line)
                for match in LTR_THINGS.finditer(line):
                    before = line[: match.start()]
                    assert before.count(LRI) > before.count(PDI), (action, match.group(0), line)


def test_forged_or_removed_entries_give_the_changed_menu(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(small_directory, catalogs, catalogs.get("en"), UserState("en", "iq-fed"))
    for action in [None, Action(Kind.RESOURCE, "gone"), Action(Kind.CATEGORY, "gone"),
                   Action(Kind.GUIDE, "gone")]:
        screen = screens.render(view, action)
        assert screen.text.startswith("This menu has changed.")
        assert screen.buttons()[0].action == Action(Kind.EMERGENCY)


def test_emergency_comes_first_and_shows_numbers_and_cautions(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(small_directory, catalogs, catalogs.get("en"), UserState("en", "iq-fed"))
    menu = screens.main_menu(view)
    assert menu.rows[0][0].action == Action(Kind.EMERGENCY)
    emergency = screens.render(view, Action(Kind.EMERGENCY))
    assert emergency.urgent
    assert "📞 911" in emergency.text and "run by the police" in emergency.text


def test_card_shows_operator_contacts_and_date_in_the_users_language(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(small_directory, catalogs, catalogs.get("ar"), UserState("ar", "iq-fed"))
    card = screens.render(view, Action(Kind.RESOURCE, "unhcr-iq-iic", "asylum"))
    text = TAG.sub("", card.text)
    assert "مفوضية اللاجئين في العراق" in text
    assert "80069999" in text
    assert "2020" in text and "حزيران" in text  # the month name used in Iraq
    labels = [b.label for b in card.buttons()]
    assert any(b.url == "https://www.iraqinformationcentre.org/about" for b in card.buttons())
    assert len(labels) == 6  # website, the three reports, back, main menu


def test_untranslated_card_falls_back_to_english_and_says_so(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(small_directory, catalogs, catalogs.get("ku"), UserState("ku", "lb"))
    card = screens.render(view, Action(Kind.RESOURCE, "isf-1745", "emergency"))
    assert "Internal Security Forces domestic violence hotline" in card.text
    note = catalogs.get("ku").gettext(
        "Some of this is not yet translated, so it is shown in English.")
    assert note in card.text


def test_long_lists_are_paged(shipped_directory: Directory, catalogs: Catalogs) -> None:
    view = View(shipped_directory, catalogs, catalogs.get("en"), UserState("en", None))
    big = max((c for c in shipped_directory.data.categories if not c.emergency),
              key=lambda c: len(shipped_directory.resources_for(None, c.id)))
    first = screens.render(view, Action(Kind.CATEGORY, big.id, page=0))
    entries = [b for b in first.buttons() if b.action and b.action.kind in (Kind.RESOURCE,
                                                                           Kind.GUIDE)]
    assert len(entries) <= screens.PAGE_SIZE
    assert any(b.label == "▶️" for b in first.buttons())
