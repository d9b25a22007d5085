"""Every screen a person can reach by pressing buttons, for one language and place."""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.callbacks import Action, Kind, decode
from bot.core.state import UserState
from bot.directory.queries import Directory
from bot.i18n.sensitive import NO_TERMS, SensitiveTerms
from bot.i18n.translator import Catalogs
from bot.screens import menus as screens
from bot.screens.menus import Screen, View

STATE_CHANGING = {Kind.SET_LANGUAGE, Kind.SET_REGION, Kind.FORGET, Kind.CLEAR, Kind.SET_DISCREET,
                  Kind.SET_TIDY}


def crawl(directory: Directory, catalogs: Catalogs, state: UserState,
          terms: SensitiveTerms = NO_TERMS) -> Iterator[tuple[Action, Screen]]:
    view = View(directory, catalogs, catalogs.get(state.lang), state, terms)
    start = Action(Kind.HOME)
    seen = {start.encode()}
    queue = [start]
    while queue:
        action = queue.pop()
        screen = screens.render(view, action)
        yield action, screen
        for button in screen.buttons():
            if button.action is None:
                continue
            data = button.action.encode()
            if data in seen:
                continue
            seen.add(data)
            decoded = decode(data)
            assert decoded == button.action
            if decoded.kind in STATE_CHANGING:
                yield decoded, screens.render(view, decoded)
            else:
                queue.append(decoded)
