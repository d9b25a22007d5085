"""Screens as Telegram lays them out: commands tappable, links whole, and in right-to-left
languages every left-to-right run (a link, a time, a menu path, a Latin name) kept in order."""

from __future__ import annotations

import re

import pytest

from bot.core.callbacks import Kind
from bot.core.state import UserState
from bot.directory.queries import Directory
from bot.i18n.bidi import LRI, PDI, RLM, isolate_html, mark_label, starts_ltr
from bot.i18n.translator import Catalogs
from bot.screens import menus as screens
from bot.screens.menus import View, help_screen, privacy
from tests import tdlib
from tests.langs import RTL, SHIPPED
from tests.screen_crawl import crawl, drawn_once

# Punctuation that follows a run in each script, and a run of each kind.
PUNCTUATION = [".", ",", ":", ";", "!", "?", ")", "»", "…", "،", "؛", "؟"]
RUNS = {
    "link": "https://help.unhcr.org/iraq/ar/",
    "e-mail": "info@example.org",
    "command": "/forget",
    "Latin name": "UNHCR",
    "time range": "8:00–18:00",
}
# The same sentence per right-to-left language, with a run and punctuation after it.
SENTENCES = {
    "ar": "المصدر: {run}{mark} بتاريخ اليوم",
    "ckb": "سەرچاوە: {run}{mark} بەرواری ئەمڕۆ",
    "ku-Arab": "ژێدەر: {run}{mark} ب رێکەفتا ئەڤرۆ",
}


def regions_of(directory: Directory) -> list[str | None]:
    return [None, *[r.id for r in directory.user_regions]]


CRAWLED = drawn_once(RTL)


def test_every_right_to_left_language_has_a_sentence_here() -> None:
    assert set(SENTENCES) == set(RTL)


@pytest.mark.parametrize("lang", RTL)
@pytest.mark.parametrize("mark", PUNCTUATION)
@pytest.mark.parametrize("kind", RUNS)
def test_punctuation_of_either_script_stays_outside_a_run_and_its_link(
    lang: str, mark: str, kind: str
) -> None:
    run = RUNS[kind]
    html = isolate_html(SENTENCES[lang].format(run=run, mark=mark))
    assert f"{LRI}{run}{PDI}{mark}" in html
    shown = tdlib.shown(html)
    tappable = [shown.covered(e) for e in shown.of_kind(*tdlib.TAPPABLE, "bot_command")]
    assert tappable == ([run] if kind in ("link", "e-mail", "command") else [])


@pytest.mark.parametrize("lang", RTL)
def test_a_time_range_is_one_left_to_right_run(lang: str) -> None:
    html = isolate_html(SENTENCES[lang].format(run="8:00 – 18:00", mark=""))
    assert f"{LRI}8:00 – 18:00{PDI}" in html
    assert isolate_html("09:30-16:00") == f"{LRI}09:30-16:00{PDI}"


@pytest.mark.parametrize("lang", RTL)
def test_a_settings_path_is_one_left_to_right_run(lang: str) -> None:
    path = "Settings > Privacy and Security > Passcode"
    html = isolate_html(SENTENCES[lang].format(run=f"({path})", mark=""))
    assert f"{LRI}{path.replace('>', '&gt;')}{PDI})" in html
    assert tdlib.parse_html(html).text.count(LRI) == 1


@pytest.mark.parametrize(
    ("label", "wanted"),
    [
        ("پشتەڤانی بۆ کەسێن LGBTIQ+", f"پشتەڤانی بۆ کەسێن {LRI}LGBTIQ+{PDI}"),  # not "+LGBTIQ"
        ("ژ UNHCR ە", f"ژ {LRI}UNHCR{PDI} ە"),  # «ە» stays after the name
        ("دعم أفراد مجتمع الميم", "دعم أفراد مجتمع الميم"),
        ("SMEX", f"{RLM}{LRI}SMEX{PDI}"),
        ("❓ Front Line Defenders", f"{RLM}❓ {LRI}Front Line Defenders{PDI}"),
    ],
)
def test_latin_runs_in_right_to_left_button_labels_are_isolated(label: str, wanted: str) -> None:
    assert mark_label(label) == wanted
    assert mark_label(wanted) == wanted  # marked once only


@pytest.mark.parametrize("lang", CRAWLED)
def test_right_to_left_buttons_isolate_their_latin_runs(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    latin = re.compile(r"[A-Za-z][A-Za-z0-9+]*")
    labels = {
        button.label
        for region in regions_of(shipped_directory)
        for action, screen in crawl(shipped_directory, catalogs, UserState(lang, region))
        if action.kind is not Kind.LANGUAGES  # each language's own name, in its direction
        for button in screen.buttons()
    }
    with_latin = [label for label in labels if latin.search(label)]
    assert with_latin, "the shipped directory has Latin-named services (SMEX, IraQueer …)"
    for label in with_latin:
        outside = re.sub(f"{LRI}[^{PDI}]*{PDI}", "", label)
        assert not latin.search(outside), label
        assert label.startswith(RLM) or not starts_ltr(label), label


@pytest.mark.parametrize("lang", RTL)
def test_commands_in_help_and_privacy_are_tappable_in_right_to_left_languages(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, None))
    help_shown = tdlib.shown(help_screen(view).text)
    commands = {help_shown.covered(e) for e in help_shown.of_kind("bot_command")}
    assert {"/menu", "/language", "/privacy", "/clear", "/forget"} <= commands
    shown = tdlib.shown(privacy(view, 30).text)
    assert {"/forget", "/clear"} <= {shown.covered(e) for e in shown.of_kind("bot_command")}
    assert tdlib.command_problems(shown) == []
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
        parsed = tdlib.parse_html(screen.text)
        assert tdlib.entities_left_as_text(parsed.text) == [], guide.id
        assert ">" in parsed.text
        shown += 1
    assert shown >= 3  # tg-passcode, tg-2step, tg-end-sessions … have them


@pytest.mark.parametrize("lang", SHIPPED)
def test_guide_and_card_sources_show_the_site_name_linked_to_the_page(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, None))
    guide = shipped_directory.guides["phone-what-police-see"]  # …/digital-targeting-…-lgbt
    resource = next(r for r in shipped_directory.resources.values() if not r.confirmations)
    for screen, source in (
        (screens.guide(view, guide.id, ""), guide.source.url),
        (screens.resource_card(view, resource.id, "", 0), resource.source.url),
    ):
        assert screen is not None
        shown = tdlib.shown(screen.text)
        links = [e for e in shown.of_kind("text_url") if e.url == source]
        assert len(links) == 1
        assert tdlib.without_marks(shown.covered(links[0])) in source
        assert source not in shown.text and "digital-targeting" not in shown.text


def test_the_reading_catches_what_broke_before() -> None:
    assert tdlib.entities_left_as_text(tdlib.parse_html("الإعدادات &\u2066gt\u2069; الخصوصية").text)
    assert tdlib.entities_left_as_text(tdlib.parse_html("&amp;gt;").text) == ["&gt;"]
    assert tdlib.command_problems(tdlib.shown("استخدم /\u2066forget\u2069"))
    with pytest.raises(tdlib.Refused):
        tdlib.parse_html("<script>x</script>")
    fine = tdlib.shown(f"الإعدادات &gt; الخصوصية {LRI}/forget{PDI}")
    assert tdlib.entities_left_as_text(fine.text) == [] and tdlib.command_problems(fine) == []


def test_sorani_lists_use_the_arabic_comma_and_wa(
    shipped_directory: Directory, catalogs: Catalogs
) -> None:
    t = catalogs.get("ckb")
    view = View(shipped_directory, catalogs, t, UserState("ckb", None))
    resource = next(r for r in shipped_directory.resources.values()
                    if any(len(c.languages) >= 3 for c in r.contacts))
    card = screens.resource_card(view, resource.id, "", 0)
    assert card is not None
    lines = tdlib.parse_html(card.text).text.split("\n")
    line = next(x for x in lines if "،" in x and " و " in x)
    assert ", " not in line


@pytest.mark.parametrize("lang", CRAWLED)
def test_numbers_in_right_to_left_screens_have_no_ascii_thousands_separator(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    """«5,205» reads as a list in Arabic script; numbers are written as «5205»."""
    separated = re.compile(r"\d,\d{3}(?!\d)")
    view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, None))
    assert "1500" in tdlib.parse_html(privacy(view, 1500).text).text
    found = [
        match.group(0)
        for region in regions_of(shipped_directory)
        for _, screen in crawl(shipped_directory, catalogs, UserState(lang, region))
        for match in separated.finditer(tdlib.parse_html(screen.text).text)
    ]
    assert found == []
