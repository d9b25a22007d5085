"""The language registry is checked like a catalog: a date or list pattern with a misspelt,
unknown or formatted field falls back for its language and is reported, at load and by
`penah i18n`, instead of breaking or stalling every card in that language."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import shipped_locales
from bot.core.callbacks import Action, Kind
from bot.i18n.languages import load_registry
from bot.i18n.translator import load_catalogs
from tests.botprocess import penah_env
from tests.fakeapi import FakeBotAPI
from tests.fakes import user
from tests.langs import SHIPPED
from tests.test_attacks_runtime import PipedBotProcess, assert_clean, to_chat

PADDED = "{0:>5000}"  # a format spec; the same with a width of 300000000 holds the loop
CARD = Action(Kind.RESOURCE, "unhcr-iq-iic", "asylum").encode()  # a date and a list of three
CHANGED = "This menu has changed."


def hostile_locales(folder: Path) -> Path:
    """The shipped locales, with Badini's date misspelt and Sorani's list padded."""
    shutil.copytree(shipped_locales(), folder)
    registry = folder / "languages.yaml"
    text = registry.read_text(encoding="utf-8")
    assert text.count('date: "{day} {month} {year}"') == 1  # Badini's
    text = text.replace('date: "{day} {month} {year}"', 'date: "{day} {month} {yaer}"')
    sorani = 'list: {pair: "{0} و {1}", middle: "{0}، {1}", end: "{0} و {1}"}'
    assert text.count(sorani) == 2  # Sorani's, then Badini's
    text = text.replace(sorani, sorani.replace('end: "{0}', f'end: "{PADDED}'), 1)
    registry.write_text(text, encoding="utf-8")
    return folder


def test_bad_patterns_fall_back_for_their_language_and_are_reported(tmp_path: Path) -> None:
    locales = hostile_locales(tmp_path / "locales")
    registry = load_registry(locales)
    shipped = load_registry(shipped_locales())
    assert registry.languages["ku-Arab"].date == "{day} {month} {year}"
    assert registry.languages["ckb"].list_patterns == {}  # CLDR's way, with a warning
    assert registry.languages["ku-Arab"].list_patterns == shipped.languages["ku-Arab"].list_patterns
    problems = "\n".join(registry.problems)
    assert "ku-Arab" in problems and "{yaer}" in problems
    assert "ckb" in problems and "format spec" in problems
    catalogs = load_catalogs(locales)
    assert any("{yaer}" in str(p) for p in catalogs.problems), "the admins are told"


@pytest.mark.parametrize("pattern", [
    "{day} {month} {yaer}", "{day} {month}", "{day.__class__} {month} {year}",
    "{day!r} {month} {year}", "{day:>9} {month} {year}", "{day} {month} {year", "{0} {1} {2}",
])
def test_a_date_pattern_is_only_the_three_bare_fields(tmp_path: Path, pattern: str) -> None:
    locales = hostile_locales(tmp_path / "locales")
    registry = locales / "languages.yaml"
    text = registry.read_text(encoding="utf-8").replace("{day} {month} {yaer}", pattern)
    registry.write_text(text, encoding="utf-8")
    assert load_registry(locales).languages["ku-Arab"].date == "{day} {month} {year}"


def test_penah_i18n_fails_on_a_bad_pattern(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["i18n", "--locales", str(hostile_locales(tmp_path / "locales"))]) == 1
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("error:")]
    assert any("{yaer}" in line for line in errors)
    assert any("ckb" in line and "list" in line for line in errors)


@pytest.mark.e2e
async def test_cards_in_every_language_survive_a_bad_registry(tmp_path: Path) -> None:
    locales = hostile_locales(tmp_path / "locales")
    async with FakeBotAPI() as api:
        env = {**penah_env(api, tmp_path), "PENAH_LOCALES": str(locales)}
        async with PipedBotProcess(api, env, tmp_path) as bot:
            await bot.ready()
            cards: dict[str, tuple[str, float]] = {}
            for n, code in enumerate(SHIPPED):
                person = user(6300 + n)
                mark = len(api.calls)
                api.send_text(person, "/start")
                await api.wait_for(to_chat(person["id"], "sendMessage"), 10, mark)
                mark = len(api.calls)
                api.press(person, Action(Kind.SET_LANGUAGE, code).encode())
                await api.wait_for(to_chat(person["id"], "editMessageText"), 10, mark)
                mark = len(api.calls)
                started = time.monotonic()
                api.press(person, CARD)
                shown = await api.wait_for(
                    to_chat(person["id"], "editMessageText", "sendMessage"), 10, mark)
                cards[code] = (shown.params["text"], time.monotonic() - started)
            exit_code, _ = await bot.stop()
            log = bot.stderr()
    for language, (text, seconds) in cards.items():
        assert "80069999" in text and CHANGED not in text, (language, text[:200])
        # whole: a padded list made it too long to send, and it was cut before its link
        assert "iraqinformationcentre.org" in text and not re.search(" {100}", text), language
        assert seconds < 2, (language, seconds)
    assert "{yaer}" in log and "ckb" in log  # reported at start
    assert exit_code == 0
    assert_clean(log)
