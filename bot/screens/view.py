"""A `Screen` of text and buttons, and the `View` every screen is drawn from, with the rules of
escaping (Telegram HTML), right-to-left isolation and discreet masking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from html import escape

from bot.core.callbacks import Action, Kind
from bot.core.state import UserState
from bot.directory.model import Category, Guide, Resource, in_language, shown_language
from bot.directory.queries import Directory
from bot.i18n import N_, Html
from bot.i18n.sensitive import NO_TERMS, SensitiveTerms
from bot.i18n.translator import Catalogs, Translator

MAX_TEXT = 4096


@dataclass(frozen=True)
class Button:
    label: str
    action: Action | None = None
    url: str | None = None


@dataclass(frozen=True)
class Screen:
    text: str
    rows: tuple[tuple[Button, ...], ...] = ()
    urgent: bool = False  # emergency screens go first in the send queue
    private: bool = False  # drawn from what someone typed: never kept in a cache
    kept: bool = False  # numbers to keep: a message of its own, never the screen tidy-up hides
    leave: bool = False  # and the person chose that tidy-up leaves it

    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]


@dataclass(frozen=True)
class View:
    directory: Directory
    catalogs: Catalogs
    t: Translator
    state: UserState
    terms: SensitiveTerms = NO_TERMS
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))  # hours, alerts
    unreachable: frozenset[str] = frozenset()  # resources several people could not reach lately
    mirrors: tuple[str, ...] = ()  # other ways to reach the same directory (PENAH_MIRRORS)

    def telling(self, text: str) -> str | None:
        """Read in every language the person's texts fall back to (a Badini screen shows Arabic
        where Badini is missing)."""
        return self.terms.found(text, *self.t.fallback)

    def masked(self, label: str, neutral: str, n: int) -> str:
        telling = self.state.discreet and self.telling(label)
        return self.t.gettext(neutral).format(n=n) if telling else label

    def content(self, value: dict[str, str] | None) -> str:
        return self.t.isolate(escape(self.label(value), quote=False)) if value else ""

    def label(self, value: dict[str, str]) -> str:
        """For a button: plain text, Telegram shows it as typed."""
        return in_language(value, self.t.fallback)

    def fallback_notice(self, *values: dict[str, str] | None) -> str | None:
        used = {shown_language(v, self.t.fallback) for v in values if v} - {self.t.code}
        if not used:
            return None
        if used == {"en"}:
            return self.ui(N_("Some of this is not yet translated, so it is shown in English."))
        names = self.t.join_list(self.t.language_name(c) for c in self.t.fallback if c in used)
        return self.ui(N_("Some of this is not yet in your language, so it is shown in another "
                          "language: {languages}."), languages=names)

    def ui(self, message: str, **values: object) -> str:
        """Translated, escaped, filled in (values escaped but `Html` the code built), isolated."""
        safe = {k: v if isinstance(v, Html) else escape(str(v), quote=False)
                for k, v in values.items()}
        return self.t.isolate(escape(self.t.gettext(message), quote=False).format(**safe))

    def heading(self, message: str) -> str:
        """A neutral first line: where the person is, never what about."""
        return f"<b>{self.ui(message)}</b>"

    def screen(self, lines: Sequence[str], rows: Sequence[Sequence[Button]], *,
               urgent: bool = False) -> Screen:
        text = self.t.mark_lines("\n".join(lines).strip())
        if len(text) > MAX_TEXT:
            cut = self.ui(N_("(This message was shortened.)"))
            text = text[: MAX_TEXT - len(cut) - 2].rsplit("\n", 1)[0] + "\n" + cut
        marked = (tuple(replace(b, label=self.t.label(b.label)) for b in r) for r in rows if r)
        return Screen(text, tuple(marked), urgent)

    def back_row(self, back: Action | None) -> list[Button]:
        row = [Button("⬅️ " + self.t.gettext("Back"), back)] if back else []
        return [*row, Button("🏠 " + self.t.gettext("Main menu"), Action(Kind.HOME))]

    def entry_button(self, entry: Resource | Guide, n: int, origin: str, page: int = 0) -> Button:
        """In discreet mode one whose name tells is numbered instead."""
        if isinstance(entry, Guide):
            label = "❓ " + self.masked(self.label(entry.question), N_("Question {n}"), n)
            return Button(label, Action(Kind.GUIDE, entry.id, origin))
        label = self.masked(self.label(entry.name), N_("Contact {n}"), n)
        return Button(label, Action(Kind.RESOURCE, entry.id, origin, page))

    def category_name(self, category: Category) -> tuple[str, dict[str, str]]:
        """In discreet mode its discreet name and no icon."""
        if self.state.discreet:
            return "", category.discreet_name or category.name
        return f"{category.icon} ", category.name

    def category_button(self, category: Category) -> Button:
        icon, name = self.category_name(category)
        return Button(icon + self.label(name), Action(Kind.CATEGORY, category.id))
