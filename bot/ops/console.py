"""The core in a terminal, for admins and translators to preview: no token, no network, nothing
saved (a session leaves no trace)."""

from __future__ import annotations

import re
from html import unescape

from bot.core import decide as core
from bot.core.callbacks import Action
from bot.core.commands import BY_NAME, command_name
from bot.core.decide import Context, Event, Press, Text, Typed
from bot.core.state import UserState
from bot.directory.queries import Directory
from bot.i18n.sensitive import NO_TERMS, SensitiveTerms
from bot.i18n.translator import Catalogs
from bot.screens.menus import Screen
from bot.search.danger import NO_WORDS, DangerWords

_TAG = re.compile(r"<[^>]+>")


def as_text(screen: Screen) -> str:
    """The screen as a terminal shows it: tags dropped, buttons numbered from 1."""
    buttons = [f"  [{number}] {button.label}{f'  → {button.url}' if button.url else ''}"
               for number, button in enumerate(screen.buttons(), start=1)]
    return "\n".join([unescape(_TAG.sub("", screen.text)), "", *buttons])


class Console:
    def __init__(self, directory: Directory, catalogs: Catalogs, state: UserState,
                 retention_days: int = 30, terms: SensitiveTerms = NO_TERMS,
                 danger: DangerWords = NO_WORDS) -> None:
        # The bot's terms and danger words: discreet mode hides, and danger is heard, the same.
        self.context = Context.of(directory, catalogs, retention_days=retention_days, terms=terms,
                                  danger=danger)
        self.state = state
        self.screen = self._do(Typed(BY_NAME["start"]))

    def _do(self, event: Event) -> Screen:
        outcome = core.decide(self.context, self.state, event)
        self.state, self.screen = outcome.state, outcome.screen
        return self.screen

    def press(self, action: Action | None) -> Screen:
        return self._do(Press(action))

    def handle(self, line: str) -> Screen | None:
        """A button's number, a command, or words to search for; None for a link's button."""
        line = line.strip()
        buttons = self.screen.buttons()
        if line.isdecimal() and 0 < int(line) <= len(buttons):
            action = buttons[int(line) - 1].action
            return None if action is None else self.press(action)
        name = command_name(line)
        command = BY_NAME.get(name or "")
        if command is not None:
            return self._do(Typed(command))
        return self._do(Text(line if name is None else ""))  # typed words search


def run(console: Console) -> int:
    print(as_text(console.screen))
    while True:
        try:
            line = input("> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line.strip().lower() in ("q", "quit", "exit"):
            return 0
        screen = console.handle(line)
        print(as_text(screen) if screen else "(a link: open it in a browser)")
