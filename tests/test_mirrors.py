"""Other ways in: PENAH_MIRRORS lists where the same directory is when this bot cannot be
reached (a backup bot, a website), and /help shows them, each whole and tappable."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import MIRROR_LONGEST, MIRRORS_MOST, ConfigError, load_settings, shipped_locales
from bot.core.callbacks import Action, Kind
from bot.core.state import UserState
from bot.directory.queries import Directory
from bot.i18n.sensitive import load_terms
from bot.i18n.translator import Catalogs
from bot.screens.menus import MIRRORS, help_screen
from bot.screens.view import View
from tests import tdlib
from tests.conftest import make_settings, running_harness
from tests.langs import SHIPPED

MIRROR_LIST = ("@penah_backup_bot", "https://contacts.example.org/iq-kr/")


@pytest.mark.parametrize(("value", "read"), [
    ("@penah_backup_bot", ("@penah_backup_bot",)),
    ("@penah_backup_bot, https://contacts.example.org/ar/",
     ("@penah_backup_bot", "https://contacts.example.org/ar/")),
    ("https://a.example.org  https://b.example.org/x?y=1", (
        "https://a.example.org", "https://b.example.org/x?y=1")),
])
def test_mirrors_are_read_as_usernames_and_links(
    value: str, read: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PENAH_MIRRORS", value)
    assert load_settings().mirrors == read


@pytest.mark.parametrize("value", [
    "http://contacts.example.org",  # not https
    "contacts.example.org",  # no scheme
    "@abc",  # too short for a Telegram username
    "@1backup_bot",  # a username starts with a letter
    "penah_backup_bot",  # no @
    "https://localhost/",  # not a public name
    "@penah_backup_bot, ftp://example.org",
    "javascript:alert(1)",
    "https://contacts.example.org/\u202eorp.exe",  # a direction override turns it around
    "https://contacts.example.org/\u200b",  # an invisible character
    "https://contacts.example.org/" + "a" * 200,  # longer than /help has room for
    ", ".join(f"@penah_backup_{n}" for n in range(11)),  # more than /help has room for
])
def test_a_mirror_that_is_neither_is_refused_naming_the_variable(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PENAH_MIRRORS", value)
    with pytest.raises(ConfigError, match=r"^PENAH_MIRRORS: .*@username.*https://"):
        load_settings()


@pytest.mark.parametrize("lang", SHIPPED)
async def test_help_shows_each_mirror_whole_and_tappable_in_neutral_words(
    tmp_path: Path, lang: str
) -> None:
    terms = load_terms(shipped_locales())
    async with running_harness(make_settings(tmp_path, mirrors=MIRROR_LIST)) as h:
        await h.send("/start")
        await h.press(Action(Kind.SET_LANGUAGE, lang).encode())
        await h.send("/help")
        shown = tdlib.shown(h.screen()["text"])
        opened = [shown.covered(e) for e in shown.of_kind("mention", "url")]
        assert opened == list(MIRROR_LIST)
        said = h.bot.catalogs.get(lang).gettext(MIRRORS)
        assert said in tdlib.without_marks(shown.text)
        assert terms.found(shown.text, *h.bot.catalogs.get(lang).fallback) is None


@pytest.mark.parametrize("lang", SHIPPED)
def test_as_many_mirrors_as_long_as_allowed_stand_whole_on_help(
    lang: str, monkeypatch: pytest.MonkeyPatch, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    longest = [f"https://m{n}.example.org/" for n in range(MIRRORS_MOST)]
    longest = [link + "a" * (MIRROR_LONGEST - len(link)) for link in longest]
    monkeypatch.setenv("PENAH_MIRRORS", ",".join(longest))
    mirrors = load_settings().mirrors
    view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang), mirrors=mirrors)
    shown = tdlib.shown(help_screen(view).text)
    assert [shown.covered(e) for e in shown.of_kind("url")] == longest


async def test_help_says_nothing_of_mirrors_when_there_are_none(tmp_path: Path) -> None:
    async with running_harness(make_settings(tmp_path)) as h:
        await h.send("/start")
        await h.press(Action(Kind.SET_LANGUAGE, "en").encode())
        await h.send("/help")
        assert MIRRORS not in h.screen()["text"]
