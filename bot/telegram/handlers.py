"""Updates in, core decisions out, their effects carried out. Every update is hostile until
proven otherwise: callback data is decoded strictly, text is never logged, forwarded messages
are never commands, and every failure ends in a clean menu, never a stack trace.

Before any handler, the `Gate`: private chats only, unknown update shapes dropped, a message's
id kept for /clear, floods held back (told once). Presses are still answered at once, and
/clear, the Emergency button and typed text (which may tell of danger) still get through.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from cachetools import FIFOCache
from telegram import CallbackQuery, Chat, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core import decide as core
from bot.core.callbacks import Action, Kind, decode
from bot.core.commands import BY_NAME, command_name
from bot.core.decide import Context, Decision, Event, Media, Press, Text, Typed, not_saved
from bot.core.state import (
    ClearChat,
    CountSearch,
    CountView,
    Forget,
    KeepNumbers,
    RecordReport,
    SavePrefs,
    ScheduleTidy,
    UserState,
)
from bot.i18n import N_
from bot.ops.admin import AdminCommands
from bot.screens.view import Screen
from bot.storage.guards import FORGED, Guards
from bot.storage.store import SaveFailed, Store
from bot.telegram.delivery import Delivery

log = logging.getLogger(__name__)

HELD_BACK = N_("That was too fast. Please wait a few seconds, then try again.")
OUTCOME_CACHE = 4096
PTBContext = ContextTypes.DEFAULT_TYPE


@dataclass(frozen=True)
class Services:
    context: Callable[[], Context]  # the directory and the locales, one version of each
    started: Callable[[], Store | None]  # the store, once the bot has started
    guards: Guards
    delivery: Delivery
    admin: AdminCommands
    tell_admins: Callable[[str], Awaitable[None]]  # at once, as reload problems are

    def store(self) -> Store:
        store = self.started()
        assert store is not None, "updates are handled only once the bot has started"
        return store


def client_language(update: Update) -> str | None:
    """Used until the person chooses one."""
    return update.effective_user.language_code if update.effective_user else None


class Gate:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, update: Update, context: PTBContext) -> None:
        chat, user = update.effective_chat, update.effective_user
        message, query = update.message, update.callback_query
        if chat is not None and chat.type != ChatType.PRIVATE:
            if update.my_chat_member or message or query:  # added, or spoken to: leave
                await self._leave(chat)
            raise ApplicationHandlerStop
        if message is None and query is None:
            raise ApplicationHandlerStop  # member changes, edited messages, …: not for Penah
        if chat is None or user is None or self.services.started() is None:
            raise ApplicationHandlerStop
        guards = self.services.guards
        if message is not None:
            guards.history.add(chat.id, message.message_id)
        key = self.services.store().prefs.user_key(user.id)
        action = decode(query.data) if query is not None else None
        if guards.flood.allow(key, FORGED if query is not None and action is None else 1.0):
            return
        # /clear, and typed text (searched: it may tell of danger); a forwarded message is neither
        if (message is not None and message.text and message.forward_origin is None
                and command_name(message.text) in (None, "clear")):
            return
        if action is not None and action.kind is Kind.EMERGENCY and guards.flood.urgent(key):
            return
        await self.held(update, key)
        raise ApplicationHandlerStop

    async def held(self, update: Update, key: bytes) -> None:
        """A press is answered at once all the same; the first of a hold says why nothing
        happens (a press in a dialog, which leaves nothing in the chat)."""
        notice = None
        if self.services.guards.flood.tell(key):
            state = await self.services.store().prefs.peek(key) or UserState()
            notice = core.view(self.services.context(), state, client_language(update)).t
        with contextlib.suppress(TelegramError):
            if update.callback_query is not None:
                text = notice.gettext(HELD_BACK) if notice else None
                await update.callback_query.answer(text, show_alert=notice is not None)
            elif notice is not None and update.effective_chat is not None:
                text = notice.mark_lines(escape(notice.gettext(HELD_BACK), quote=False))
                await self.services.delivery.send(update.effective_chat, Screen(text), key)

    async def _leave(self, chat: Chat) -> None:
        if not self.services.guards.left_groups.first(chat.id):
            return
        t = self.services.context().catalogs.get(None)
        with contextlib.suppress(TelegramError):
            await chat.send_message(t.gettext("I only work in private chats. Goodbye."))
        with contextlib.suppress(TelegramError):
            await chat.leave()


class Handlers:
    def __init__(self, services: Services) -> None:
        self.services, self.delivery = services, services.delivery
        self.gate = Gate(services)
        self._outcomes: FIFOCache[tuple[object, ...], Decision] = FIFOCache(OUTCOME_CACHE)

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.add_handler(TypeHandler(Update, self.gate), group=-1)
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.FORWARDED, self._on_text))
        app.add_handler(MessageHandler(filters.ALL, self._on_other))
        app.add_error_handler(self._on_error)

    async def _state(self, update: Update) -> tuple[bytes, UserState]:
        store = self.services.store()
        assert update.effective_user is not None
        key = store.prefs.user_key(update.effective_user.id)
        return key, await store.prefs.visit(key)

    async def _on_text(self, update: Update, context: PTBContext) -> None:
        """Commands, and typed text: searched in memory, never kept, logged or echoed."""
        message, user, chat = update.message, update.effective_user, update.effective_chat
        assert message is not None and message.text and user is not None and chat is not None
        name = command_name(message.text)  # forwards never come here: see `register`
        if name is not None and self.services.admin.handles(name, user.id):
            _, state = await self._state(update)
            t = core.view(self.services.context(), state, client_language(update)).t
            text = await self.services.admin.reply(name, t)
            for start in range(0, len(text), 4000):
                await chat.send_message(text[start : start + 4000])
            return
        command = BY_NAME.get(name or "")  # else typed text, searched, or an unknown command
        event = Typed(command) if command else Text("" if name else message.text)
        await self._decide(update, event)

    async def _on_other(self, update: Update, context: PTBContext) -> None:
        """Photos, files, contacts, locations, forwards: not needed, said once, never kept."""
        assert update.message is not None and update.effective_user is not None  # by the gate
        key = self.services.store().prefs.user_key(update.effective_user.id)
        await self._decide(update, Media(told=not self.services.guards.told_media.first(key)))

    async def _decide(self, update: Update, event: Event) -> None:
        """A message always gets a new message back, after the effects are carried out; from
        a person held back, only an urgent one (typed text that tells of danger)."""
        key, state = await self._state(update)
        assert update.effective_chat is not None
        outcome = core.decide(self.services.context(), state, event, client_language(update))
        flood = self.services.guards.flood
        if isinstance(event, Text) and flood.holding(key) and not (
            outcome.screen.urgent and flood.urgent(key)
        ):
            await self.gate.held(update, key)
            return
        if await self._carry_out(outcome, key, update.effective_chat, None):
            await self.delivery.send(update.effective_chat, outcome.screen, key)

    async def _on_button(self, update: Update, context: PTBContext) -> None:
        query = update.callback_query
        assert query is not None
        action = decode(query.data)
        if not core.reports_later(action):
            await query.answer()  # first, so the client stops spinning whatever comes next
        key, state = await self._state(update)
        outcome = self._press(state, action, query.from_user.language_code)
        if core.reports_later(action) and not any(isinstance(e, RecordReport)
                                                  for e in outcome.effects):
            await query.answer()
        chat = query.message.chat if query.message is not None else None
        if await self._carry_out(outcome, key, chat, query):
            await self.delivery.edit(query, outcome.screen, key, update.update_id)

    def _press(self, state: UserState, action: Action | None, language: str | None) -> Decision:
        """Decisions are pure, so a press seen before is answered from memory (this minute's,
        where hours or dated alerts change screens with the clock)."""
        ctx = self.services.context()
        client = ctx.catalogs.best_match(language) if state.lang is None else None
        minute = ctx.clock().replace(second=0, microsecond=0) if ctx.directory.timed else None
        cache_key = (ctx.generation, ctx.unreachable, state, action, client, minute)
        outcome = self._outcomes.get(cache_key)
        if outcome is None:
            outcome = self._outcomes[cache_key] = core.decide(ctx, state, Press(action), language)
        return outcome

    async def _carry_out(self, outcome: Decision, key: bytes, chat: Chat | None,
                         query: CallbackQuery | None) -> bool:
        """Do what the core decided; False when the screen was already sent (after a clear, or
        as numbers to keep)."""
        store, guards = self.services.store(), self.services.guards
        fresh = False  # numbers to keep: a message of their own, below the screen pressed
        for effect in outcome.effects:
            if isinstance(effect, RecordReport) and query is not None:
                if guards.reported.first((key, f"{effect.kind.code}:{effect.resource}")):
                    counted, alert = guards.reports.add(effect.kind, effect.resource, key)
                    if counted and effect.kind is Kind.REPORT:  # the cap holds for totals too
                        await store.totals.report_broken(effect.resource)
                    # "They are told now" only when they are: no admins, or this person's
                    # reports past the cap, get the thanks that promises a check.
                    heard = alert is not None and bool(self.services.admin.admin_ids)
                    await query.answer(effect.thanks if heard else effect.checked, show_alert=True)
                    if alert is not None:
                        await self.services.tell_admins(alert)
                else:
                    await query.answer(effect.again)
            elif isinstance(effect, Forget):
                await store.prefs.forget(key)
            elif isinstance(effect, SavePrefs):
                await store.prefs.save(key, effect.state)
            elif isinstance(effect, CountView):
                store.totals.count("view", effect.metric)
            elif isinstance(effect, CountSearch):
                store.totals.count("search", "found" if effect.found else "not found")
            elif isinstance(effect, ScheduleTidy) and chat is not None:
                guards.tidy.arm(chat.id, key, effect.mode, effect.lang)
            elif isinstance(effect, KeepNumbers):
                fresh = True
            elif isinstance(effect, ClearChat) and chat is not None:
                await self.delivery.clear(chat, outcome.screen, key)
                return False
        if fresh and chat is not None:
            await self.delivery.send(chat, outcome.screen, key)
        return not fresh

    async def _on_error(self, update: object, context: PTBContext) -> None:
        """Log the update id and the exception type, nothing a user sent; answer cleanly."""
        error = context.error
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("update %s failed: %s", update_id, type(error).__name__)
        if not isinstance(update, Update) or isinstance(error, Forbidden):
            return
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            ctx = self.services.context()
            screen = core.failed(ctx, client_language(update))
            if isinstance(error, SaveFailed):  # a full disk: say so, in their language
                screen = not_saved(ctx, error.lang, client_language(update))
            with contextlib.suppress(TelegramError):
                await self.delivery.send(chat, screen)
