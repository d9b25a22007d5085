"""The Emergency screen of the shipped directory: something to call at once, local first."""

from __future__ import annotations

import pytest

from bot.core.state import UserState
from bot.directory.contacts import KINDS, ContactType
from bot.directory.model import GLOBAL_REGION
from bot.directory.queries import Directory
from bot.i18n.translator import Catalogs
from bot.screens import menus as screens
from bot.screens.menus import View


def places(directory: Directory) -> list[str]:
    return [r.id for r in directory.user_regions]


def test_emergency_starts_with_a_dialable_local_number_in_every_place(
    shipped_directory: Directory,
) -> None:
    d = shipped_directory
    for place in places(d):
        found = d.emergency_resources(place)
        assert found, place
        first = found[0]
        assert GLOBAL_REGION not in first.regions and place in first.regions, (place, first.id)
        phones = [(c, s) for c, s in d.contacts(first) if c.type is ContactType.PHONE]
        assert phones, (place, first.id)
        contact, shown = phones[0]
        assert shown.number is not None, (place, first.id)  # it could be read as a number
        assert d.contact_country(first, contact) == d.regions[place].country
        assert shown.number.dial.lstrip("+").isdigit()


def test_nothing_without_a_number_or_message_channel_stands_on_emergency(
    shipped_directory: Directory,
) -> None:
    for place in [None, *places(shipped_directory)]:
        for resource in shipped_directory.emergency_resources(place):
            assert any(KINDS[c.type].on_emergency for c in resource.contacts), resource.id
        ids = [r.id for r in shipped_directory.emergency_resources(place)]
        assert "front-line-defenders" not in ids and "tr-kades" not in ids


@pytest.mark.parametrize("lang", ["en", "ar", "ckb", "ku"])
def test_the_emergency_screen_shows_a_number_right_under_the_first_name(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    for place in places(shipped_directory):
        view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, place))
        lines = screens.emergency(view).text.split("\n")
        first_name = next(i for i, line in enumerate(lines) if i > 0 and "<b>" in line)
        assert "📞" in lines[first_name + 1], (place, lines[first_name : first_name + 2])
        assert "🌐" not in screens.emergency(view).text, place
