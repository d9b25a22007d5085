"""Every screen a person can reach by pressing buttons, for one language and place.

Screens are pure (state in, screen out), so each worker draws a directory's screens for one
state once, and the tests that read them (limits, isolation, numbers, buttons) share them;
screens read only once (a generated directory's, TDLib's reading of each reader's) are walked
and kept nowhere."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from bot.core.callbacks import Action, Kind, decode
from bot.core.state import UserState
from bot.directory.queries import Directory
from bot.i18n.sensitive import NO_TERMS, SensitiveTerms
from bot.i18n.translator import Catalogs
from bot.screens import menus as screens
from bot.screens.menus import Screen, View

STATE_CHANGING = {Kind.SET_LANGUAGE, Kind.SET_REGION, Kind.FORGET, Kind.CLEAR, Kind.SET_DISCREET,
                  Kind.SET_TIDY}


def drawn_once(langs: Iterable[str], group: str = "screens-drawn") -> list[Any]:
    """Languages to parametrize a test that reads every screen of each: the tests reading one
    language's screens run on one worker (`--dist loadgroup`), which draws them once."""
    return [pytest.param(lang, marks=pytest.mark.xdist_group(f"{group}-{lang}")) for lang in langs]


_DRAWN: dict[tuple[int, int, int, UserState], tuple[Any, list[tuple[Action, Screen]]]] = {}


def crawl(directory: Directory, catalogs: Catalogs, state: UserState,
          terms: SensitiveTerms = NO_TERMS) -> list[tuple[Action, Screen]]:
    key = (id(directory), id(catalogs), id(terms), state)
    if key not in _DRAWN:  # the objects are held with their screens, so no id is reused
        _DRAWN[key] = (directory, catalogs, terms), list(walk(directory, catalogs, state, terms))
    return _DRAWN[key][1]


def walk(directory: Directory, catalogs: Catalogs, state: UserState,
         terms: SensitiveTerms = NO_TERMS) -> Iterator[tuple[Action, Screen]]:
    """Each screen as it is reached. Each action a button holds is encoded and decoded once:
    the same action is the same callback data on every screen that shows it."""
    view = View(directory, catalogs, catalogs.get(state.lang), state, terms)
    start = Action(Kind.HOME)
    seen = {start}
    queue = [start]
    while queue:
        action = queue.pop()
        screen = screens.render(view, action)
        yield action, screen
        for button in screen.buttons():
            if button.action is None or button.action in seen:
                continue
            seen.add(button.action)
            decoded = decode(button.action.encode())
            assert decoded == button.action
            if decoded.kind in STATE_CHANGING:
                yield decoded, screens.render(view, decoded)
            else:
                queue.append(decoded)
