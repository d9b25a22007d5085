"""The same screens in a terminal, for admins and translators to preview: no token, no network."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

from . import screens, search, search_screens
from .callbacks import Action, Kind
from .directory import Directory
from .i18n import Catalogs
from .screens import Screen, UserState, View

COMMANDS = {
    "/start": Action(Kind.HOME),
    "/menu": Action(Kind.HOME),
    "/language": Action(Kind.LANGUAGES),
    "/help": Action(Kind.HELP),
    "/privacy": Action(Kind.PRIVACY),
}
_TAG = re.compile(r"<[^>]+>")


def as_text(screen: Screen) -> str:
    """The screen as a terminal shows it: tags dropped, buttons numbered from 1."""
    lines = [unescape(_TAG.sub("", screen.text)), ""]
    for number, button in enumerate(screen.buttons(), start=1):
        target = f"  → {button.url}" if button.url else ""
        lines.append(f"  [{number}] {button.label}{target}")
    return "\n".join(lines)


class Console:
    def __init__(
        self, directory: Directory, catalogs: Catalogs, state: UserState, retention_days: int = 30
    ) -> None:
        self.directory = directory
        self.catalogs = catalogs
        self.state = state
        self.retention_days = retention_days
        self.screen = (
            screens.language_picker(catalogs)
            if state.lang is None
            else screens.main_menu(self._view())
        )

    def _view(self) -> View:
        return View(self.directory, self.catalogs, self.catalogs.get(self.state.lang), self.state)

    def press(self, action: Action | None) -> Screen:
        if action is not None:
            self.state = screens.apply(self.state, action, self.directory, self.catalogs)
        self.screen = screens.render(self._view(), action, retention_days=self.retention_days)
        return self.screen

    def handle(self, line: str) -> Screen | None:
        """A typed line: a button number, a command, or words to search for."""
        line = line.strip()
        if line.isdigit():
            buttons = self.screen.buttons()
            index = int(line) - 1
            if 0 <= index < len(buttons):
                button = buttons[index]
                if button.action is None:
                    return None  # a link: the terminal can only show where it goes
                return self.press(button.action)
        if line.split(" ")[0] in COMMANDS:
            return self.press(COMMANDS[line.split(" ")[0]])
        if not line or line.startswith("/"):
            self.screen = screens.buttons_only(self._view())
            return self.screen
        found = search.search(self.directory, line, self.state.region)  # typed text searches
        self.screen = search_screens.results(self._view(), found)
        return self.screen


def run(
    console: Console, read: Callable[[str], str] = input, write: Callable[[str], None] = print
) -> int:
    write(as_text(console.screen))
    while True:
        try:
            line = read("> ")
        except (EOFError, KeyboardInterrupt):
            write("")
            return 0
        if line.strip().lower() in ("q", "quit", "exit"):
            return 0
        screen = console.handle(line)
        write(as_text(screen) if screen else "(a link: open it in a browser)")
