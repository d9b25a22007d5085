"""The core: what one press or message does, decided as pure data (new state, screen, effects
for an adapter to carry out). Nothing here does I/O, so Telegram, the terminal and the tests
share every decision, and one seen before can be answered from memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.core.callbacks import REPORTS, Action, Kind
from bot.core.commands import Command
from bot.core.state import (
    ClearChat,
    CountSearch,
    CountView,
    Effect,
    Forget,
    KeepNumbers,
    RecordReport,
    SavePrefs,
    ScheduleTidy,
    Tidy,
    UserState,
)
from bot.directory.queries import Directory, check
from bot.i18n import N_
from bot.i18n.sensitive import NO_TERMS, SensitiveTerms
from bot.i18n.translator import Catalogs
from bot.screens import menus as screens
from bot.screens import results as search_screens
from bot.screens.results import checked
from bot.screens.view import Screen, View
from bot.search.danger import NO_WORDS, DangerWords
from bot.search.index import Answer, Index

MEDIA_NOTICE = N_("I do not need photos, files, contacts, locations or forwarded messages, "
                  "and I do not keep them. You can delete them with /clear.")
NOT_SAVED = N_("This could not be saved just now. Please try again in a few minutes.")
CHECKED = N_("Thank you. We will check this contact.")
TOLD = N_("Thank you. The people who keep this list are told now, with nothing about you.")


@dataclass(frozen=True)
class Context:
    """What every decision reads; replaced whole when the directory or catalogs reload."""

    directory: Directory
    index: Index  # typed search's, made from `directory`
    catalogs: Catalogs
    retention_days: int = 30
    generation: tuple[int, int] = (0, 0)  # (directory, catalogs): tells caches to let go
    terms: SensitiveTerms = NO_TERMS
    danger: DangerWords = NO_WORDS  # the locales' danger words: typed danger is heard
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)  # hours and alerts
    unreachable: frozenset[str] = frozenset()  # resources several people could not reach lately
    mirrors: tuple[str, ...] = ()  # other ways to reach the same directory, shown on /help

    @classmethod
    def of(cls, directory: Directory, catalogs: Catalogs, *, retention_days: int = 30,
           terms: SensitiveTerms = NO_TERMS, danger: DangerWords = NO_WORDS) -> Context:
        return cls(directory, Index(directory), catalogs, retention_days=retention_days,
                   terms=terms, danger=danger)


@dataclass(frozen=True)
class Press:
    action: Action | None  # None: callback data not ours, or that no longer means anything


@dataclass(frozen=True)
class Typed:
    command: Command


@dataclass(frozen=True)
class Text:
    """Typed text, searched for; empty for an unknown command. It is matched in memory and
    never stored, counted by content, logged, shown or part of any repr."""

    query: str = field(default="", repr=False)


@dataclass(frozen=True)
class Media:
    """A photo, file, contact, location or forwarded message."""

    told: bool  # the notice was given once already


Event = Press | Typed | Text | Media


@dataclass(frozen=True)
class Decision:
    state: UserState
    screen: Screen
    effects: tuple[Effect, ...] = ()


def view(ctx: Context, state: UserState, client_language: str | None = None) -> View:
    """The person's language, else the one their Telegram app uses, else English."""
    code = state.lang or ctx.catalogs.best_match(client_language)
    return View(ctx.directory, ctx.catalogs, ctx.catalogs.get(code), state, ctx.terms, ctx.clock(),
                ctx.unreachable, ctx.mirrors)


def reports_later(action: Action | None) -> bool:
    """A report is answered with its thanks; every other button is answered at once."""
    return action is not None and action.kind in REPORTS


def decide(ctx: Context, state: UserState, event: Event,
           client_language: str | None = None) -> Decision:
    """Every outcome but a cleared chat (re)starts the quiet-time countdown."""
    outcome = _decide(ctx, state, event, client_language)
    if any(isinstance(e, ClearChat) for e in outcome.effects):
        return outcome
    lang = view(ctx, outcome.state, client_language).t.code
    return replace(outcome, effects=(*outcome.effects, ScheduleTidy(outcome.state.tidy, lang)))


def tidied(ctx: Context, lang: str) -> Screen:
    return screens.tidied(view(ctx, UserState(lang=lang)))


def failed(ctx: Context, client_language: str | None) -> Screen:
    """After an error: the main menu, in the client's language, never a stack trace."""
    return screens.menu_changed(view(ctx, UserState(), client_language))


def not_saved(ctx: Context, lang: str | None, client_language: str | None) -> Screen:
    """When the disk refuses a write: the person can go on, and knows to try again."""
    return screens.main_menu(view(ctx, UserState(lang=lang), client_language), NOT_SAVED)


def _decide(ctx: Context, state: UserState, event: Event, client: str | None) -> Decision:
    if isinstance(event, Press):
        return _press(ctx, state, event.action, client)
    if isinstance(event, Typed):  # a command does what its button does; /start asks a language
        action = event.command.action
        if action.kind is Kind.HOME and state.lang not in ctx.catalogs.translators:
            return _welcome(ctx, state, client)
        if action.kind is Kind.LANGUAGES:
            return Decision(state, screens.language_picker(ctx.catalogs, state.lang))
        return _press(ctx, state, action, client)
    if isinstance(event, Media) and not event.told:
        return Decision(state, screens.main_menu(view(ctx, state, client), MEDIA_NOTICE))
    if state.lang not in ctx.catalogs.translators:
        return _welcome(ctx, state, client)
    if isinstance(event, Text) and event.query.strip():
        return _search(ctx, state, event.query)
    return Decision(state, screens.buttons_only(view(ctx, state)))


def _search(ctx: Context, state: UserState, query: str) -> Decision:
    """What was typed, found in every language and shown in the person's; danger first."""
    sent = check(ctx.directory.lookup, query)  # "is this real?", unless the rest tells of danger
    found = ctx.index.search(query if sent is None else sent.rest, state.region, ctx.danger)
    if sent is not None and found.danger is None and found.outcome is not Answer.EMERGENCY:
        return Decision(state, checked(view(ctx, state), sent), (CountView("check"),))
    screen = search_screens.results(view(ctx, state), found)
    return Decision(state, screen, (CountSearch(found.found),))


def _welcome(ctx: Context, state: UserState, client: str | None) -> Decision:
    picker = screens.language_picker(ctx.catalogs, ctx.catalogs.best_match(client))
    return Decision(state, picker, (CountView("language-picker"),))


def _next_state(ctx: Context, state: UserState, action: Action) -> UserState:
    """Only known languages and places are kept."""
    if screens.known_choice(ctx.directory, ctx.catalogs, action):
        if action.kind is Kind.SET_LANGUAGE:
            return replace(state, lang=action.target)
        return replace(state, region=action.target)
    if action.kind is Kind.SET_DISCREET:
        return replace(state, discreet=action.target == "1")
    if action.kind is Kind.SET_TIDY and action.target in set(Tidy):
        return replace(state, tidy=Tidy(action.target))
    return UserState() if action.kind is Kind.FORGET else state


def _press(ctx: Context, state: UserState, action: Action | None, client: str | None) -> Decision:
    shown = view(ctx, state, client)
    if action is None:
        return Decision(state, screens.menu_changed(shown), (CountView("invalid"),))
    effects: list[Effect] = []
    if action.kind in REPORTS and action.target in ctx.directory.resources:
        promise = shown.t.gettext(CHECKED)  # a line not working: checked, not told at once
        thanks = promise if action.kind is Kind.REPORT else shown.t.gettext(TOLD)
        again = shown.t.gettext("Thank you, this was already noted.")
        effects.append(RecordReport(action.target, thanks, again, promise, action.kind))
    new = _next_state(ctx, state, action)
    if action.kind is Kind.FORGET:
        effects.append(Forget())
    elif new != state:
        effects.append(SavePrefs(new))
        shown = view(ctx, new)
    if action.kind is Kind.CLEAR:
        return Decision(new, screens.cleared(shown), (*effects, ClearChat()))
    # counted by kind or category id, never by anything typed
    counted = action.kind.name.lower()
    if action.kind is Kind.CATEGORY and action.target in ctx.directory.categories:
        counted = f"category:{action.target}"
    effects.append(CountView(counted))
    screen = screens.render(shown, action, retention_days=ctx.retention_days)
    if screen.kept and action.kind is not Kind.KEEP_LEAVE:  # not the choice pressed on one
        effects.append(KeepNumbers())
    return Decision(new, screen, tuple(effects))
