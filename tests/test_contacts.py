"""One row per contact type, and the directory's icons and app contacts kept safe."""

from __future__ import annotations

import pytest

from bot.directory.contacts import CONTACT_KINDS, ContactType
from bot.directory.model import DirectoryError
from bot.loading.validation import parse_directory
from tests.conftest import DATA, Harness
from tests.fakes import user

GOOD = (DATA / "directory.yaml").read_text(encoding="utf-8")
HOSTILE_ICON = '"<a href=\\"https://phish.example\\">x</a>"'


def problems_of(text: str) -> list[str]:
    with pytest.raises(DirectoryError) as caught:
        parse_directory(text, "resources.yaml")
    return [str(p) for p in caught.value.problems]


def test_every_contact_type_has_its_row() -> None:
    assert set(CONTACT_KINDS) == set(ContactType)
    for kind in CONTACT_KINDS.values():
        assert kind.icon and kind.link_label


@pytest.mark.parametrize("icon", [HOSTILE_ICON, '"   "', '"help"', '"🚨🚨🚨🚨🚨🚨🚨🚨🚨"', '"a&b"'])
def test_an_icon_is_a_short_symbol_without_markup(icon: str) -> None:
    text = GOOD.replace('icon: "🛂"', f"icon: {icon}")
    [problem] = problems_of(text)
    assert "categories[1].icon" in problem


def test_flags_and_keycaps_are_icons() -> None:
    for icon in ("🏳️‍🌈", "1️⃣", "☎️", "•"):
        parse_directory(GOOD.replace('icon: "🛂"', f'icon: "{icon}"'))


@pytest.mark.parametrize("value", ["http://store.example/app", "<b>App</b>", "javascript:alert(1)",
                                   "x" * 80])
def test_an_app_is_a_store_name_or_an_https_link(value: str) -> None:
    text = GOOD.replace('{type: email, value: "help@accessnow.org"',
                        f'{{type: app, value: "{value}"')
    [problem] = problems_of(text)
    assert "resources[3].contacts[1].value" in problem


def test_app_names_and_store_links_are_accepted() -> None:
    for value in ("SafeYOU", "KADES", "https://play.google.com/store/apps/details?id=x.y"):
        parse_directory(GOOD.replace('{type: email, value: "help@accessnow.org"',
                                     f'{{type: app, value: "{value}"'))


async def test_a_hostile_icon_is_refused_on_reload_and_never_reaches_a_screen(
    harness: Harness,
) -> None:
    text = harness.resources.read_text(encoding="utf-8")
    harness.resources.write_text(text.replace('icon: "🛂"', f"icon: {HOSTILE_ICON}"),
                                 encoding="utf-8")
    outcome = await harness.bot.reloader.reload()
    assert outcome.error is not None
    assert "categories[1].icon" in str(outcome.error)
    await harness.send("/start")
    await harness.tap("English")
    await harness.tap("Asylum")
    assert "<a" not in harness.screen()["text"] and "phish" not in str(harness.screen())


async def test_an_unchecked_app_link_is_refused_on_reload(harness: Harness) -> None:
    text = harness.resources.read_text(encoding="utf-8")
    harness.resources.write_text(
        text.replace('{type: email, value: "help@accessnow.org"',
                     '{type: app, value: "http://phish.example/app"'), encoding="utf-8")
    outcome = await harness.bot.reloader.reload()
    assert outcome.error is not None
    assert "resources[3].contacts[1].value" in str(outcome.error)
    await harness.send("/start", user(6001))
    assert harness.screen(6001)["text"]
