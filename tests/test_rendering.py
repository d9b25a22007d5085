"""Every screen, read as Telegram reads it: no broken entity, no mark in one, no split command."""

from __future__ import annotations

import pytest

from bot.core.callbacks import Kind
from bot.core.state import UserState
from bot.directory.queries import Directory
from bot.i18n.translator import Catalogs
from bot.screens import menus as screens
from bot.screens.about import help_screen, privacy
from bot.screens.menus import View
from tests.langs import RTL, SHIPPED
from tests.screen_crawl import crawl
from tests.telegram_html import parse_html, rendering_problems


def regions_of(directory: Directory) -> list[str | None]:
    return [None, *[r.id for r in directory.user_regions]]


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_screen_of_the_shipped_directory_decodes_as_telegram_reads_it(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    problems = []
    screens_seen = 0
    for region in regions_of(shipped_directory):
        for action, screen in crawl(shipped_directory, catalogs, UserState(lang, region)):
            screens_seen += 1
            problems += [(region, action, p) for p in rendering_problems(screen.text)]
    assert screens_seen > 50
    assert problems == []


@pytest.mark.parametrize("lang", RTL)
def test_commands_in_help_and_privacy_are_tappable_in_right_to_left_languages(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, None))
    help_commands = parse_html(help_screen(view).text).commands()
    assert {"/menu", "/language", "/privacy", "/clear", "/forget"} <= set(help_commands)
    shown = parse_html(privacy(view, 30).text)
    assert {"/forget", "/clear"} <= set(shown.commands())
    assert "&gt;" not in shown.text and ">" in shown.text  # «Settings > Privacy» shown right


@pytest.mark.parametrize("lang", RTL)
def test_guides_with_menu_paths_show_the_arrow_not_the_entity(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, None))
    shown = 0
    for guide in shipped_directory.guides.values():
        if ">" not in guide.answer.get(lang, ""):
            continue
        screen = screens.guide(view, guide.id, "")
        assert screen is not None
        assert rendering_problems(screen.text) == [], guide.id
        assert ">" in parse_html(screen.text).text
        shown += 1
    assert shown >= 3  # tg-passcode, tg-2step, tg-end-sessions … have them


@pytest.mark.parametrize("lang", RTL)
def test_right_to_left_buttons_that_begin_with_a_latin_name_start_with_rlm(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    latin_first = []
    for region in regions_of(shipped_directory):
        for action, screen in crawl(shipped_directory, catalogs, UserState(lang, region)):
            if action.kind is Kind.LANGUAGES:
                continue  # each language's own name, in its own direction
            for button in screen.buttons():
                first = next((c for c in button.label if c.isalpha()), "")
                if first.isascii() and first:
                    latin_first.append(button.label)
    assert latin_first, "the shipped directory has Latin-named services (SMEX, IraQueer …)"
    assert all(label.startswith("\u200f") for label in latin_first if label != "◀️")


def test_the_parser_catches_what_broke_before() -> None:
    assert rendering_problems("الإعدادات &\u2066gt\u2069; الخصوصية")
    assert rendering_problems("استخدم /\u2066forget\u2069")
    assert rendering_problems("<script>x</script>")
    assert rendering_problems("&amp;gt;")
    assert rendering_problems("الإعدادات &gt; الخصوصية \u2066/forget\u2069") == []


def test_sorani_lists_use_the_arabic_comma_and_wa(
    shipped_directory: Directory, catalogs: Catalogs
) -> None:
    t = catalogs.get("ckb")
    view = View(shipped_directory, catalogs, t, UserState("ckb", None))
    resource = next(r for r in shipped_directory.resources.values()
                    if any(len(c.languages) >= 3 for c in r.contacts))
    card = screens.resource_card(view, resource.id, "", 0)
    assert card is not None
    line = next(x for x in parse_html(card.text).text.split("\n") if "،" in x and " و " in x)
    assert ", " not in line
