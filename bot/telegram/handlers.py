"""The Telegram adapter: updates in, core decisions out, their effects carried out.

Every update is hostile until proven otherwise: callback data is decoded strictly, text is
never read for content and never logged, forwarded messages are never commands, and every
failure ends in a clean menu, never a stack trace.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from html import escape
from typing import TYPE_CHECKING, Any, cast

from cachetools import FIFOCache
from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.core import decide as core
from bot.core.callbacks import Action, Kind, decode
from bot.core.commands import BY_NAME, command_name
from bot.core.decide import Decision, Event, Media, Press, Text, Typed
from bot.core.state import (
    ClearChat,
    CountSearch,
    CountView,
    Forget,
    RecordReport,
    SavePrefs,
    ScheduleTidy,
    Tidy,
    UserState,
)
from bot.i18n.translator import N_
from bot.ops import admin
from bot.screens.failures import not_saved
from bot.screens.menus import Screen
from bot.storage.guards import FORGED
from bot.storage.store import SaveFailed
from bot.telegram.limiter import NORMAL, URGENT, LimitArgs
from bot.telegram.onscreen import OnScreen, digest
from bot.telegram.turns import Turns

if TYPE_CHECKING:
    from bot.telegram.app import PenahBot

log = logging.getLogger(__name__)

DELETE_BATCH = 100
OUTCOME_CACHE = 4096
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PTBContext = ContextTypes.DEFAULT_TYPE
HELD_BACK = N_("That was too fast. Please wait a few seconds, then try again.")


@functools.lru_cache(maxsize=4096)  # screens are immutable, and so are PTB's markups
def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(b.label, callback_data=b.action.encode() if b.action else "")
            for b in row
        ]
        for row in screen.rows
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def screen_markup(screen: Screen) -> InlineKeyboardMarkup | None:
    """The cached keyboard, except for a search's results: what was found stays unkept."""
    return keyboard.__wrapped__(screen) if screen.private else keyboard(screen)


def _reply(screen: Screen) -> LimitArgs:
    """An answer to the person's own update: only the global limit and the lanes apply."""
    return {"priority": URGENT if screen.urgent else NORMAL, "reply": True}


def client_language(update: Update) -> str | None:
    """The client's language, used until the person chooses one."""
    return update.effective_user.language_code if update.effective_user else None


def typed_command(message: Message | None) -> str | None:
    """The command a message gives, if any: a forwarded message is never one."""
    if message is None or message.forward_origin is not None:
        return None
    return command_name(message.text)


def searched(message: Message) -> bool:
    """Typed text that is searched: the words may say that the person is in danger."""
    return bool(message.text) and message.forward_origin is None and not typed_command(message)


class Handlers:
    def __init__(self, bot: PenahBot) -> None:
        self.bot = bot
        self._outcomes: FIFOCache[tuple[object, ...], Decision] = FIFOCache(OUTCOME_CACHE)
        self.onscreen = OnScreen()  # what each recent message shows: no edit to the same
        self.turns = Turns()  # one request at a time to each chat; only a message's newest screen

    def register(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.add_handler(TypeHandler(Update, self._gate), group=-1)
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.FORWARDED, self._on_text))
        app.add_handler(MessageHandler(filters.ALL, self._on_other))
        app.add_error_handler(self._on_error)

    # ------------------------------------------------------------------ plumbing
    @property
    def _api(self) -> ExtBot[Any]:
        assert self.bot.application is not None
        return cast("ExtBot[Any]", self.bot.application.bot)

    async def _state(self, update: Update) -> tuple[bytes, UserState]:
        store = self.bot.store
        assert store is not None and update.effective_user is not None
        key = store.user_key(update.effective_user.id)
        return key, await store.visit(key)

    async def _send(self, chat: Chat, screen: Screen, key: bytes | None = None) -> None:
        async with self.turns.turn(chat.id):
            await self._send_now(chat, screen, key)

    async def _send_now(self, chat: Chat, screen: Screen, key: bytes | None) -> None:
        """Within the chat's turn."""
        markup = screen_markup(screen)
        try:
            sent = await self._api.send_message(
                chat.id,
                screen.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
                disable_notification=True,  # no sound, no lock-screen line to be seen by others
                rate_limit_args=_reply(screen),
            )
        except Forbidden:
            await self._blocked(key)
            return
        self.bot.guards.history.add(chat.id, sent.message_id)
        self.bot.guards.tidy.shown(chat.id, sent.message_id)
        if key is not None:
            self.onscreen.shown(key, sent.message_id, digest(screen.text, markup))

    async def _edit(self, query: CallbackQuery, screen: Screen, key: bytes, order: int) -> None:
        """The press's screen in place of the message, unless a newer press (`order` is the
        update's id) asked for another meanwhile."""
        message = query.message
        if not isinstance(message, Message):  # too old to edit: send it fresh
            if query.message is not None:
                await self._send(query.message.chat, screen, key)
            return
        chat_id, message_id = message.chat_id, message.message_id
        if not self.turns.newest(chat_id, message_id, order):
            return
        async with self.turns.turn(chat_id):
            if self.turns.newest(chat_id, message_id, order):  # none came while this waited
                await self._edit_now(message, screen, key)

    async def _edit_now(self, message: Message, screen: Screen, key: bytes) -> None:
        """Within the chat's turn."""
        markup = screen_markup(screen)
        shows = digest(screen.text, markup)
        if self.onscreen.showing(key, message.message_id, shows):
            return  # already on screen: Telegram would refuse the edit
        try:
            await self._api.edit_message_text(
                screen.text,
                chat_id=message.chat_id,
                message_id=message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
                rate_limit_args=_reply(screen),
            )
            self.bot.guards.tidy.shown(message.chat_id, message.message_id)
            self.onscreen.shown(key, message.message_id, shows)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                self.onscreen.shown(key, message.message_id, shows)
                return
            log.warning("editMessageText failed: %s", exc.message[:80])
            if "not found" not in exc.message.lower():  # gone: deleted by /clear meanwhile
                await self._send_now(message.chat, screen, key)
        except Forbidden:
            await self._blocked(key)

    async def _blocked(self, key: bytes | None) -> None:
        """The user blocked the bot: forget them, as they would want."""
        if key is not None and self.bot.store is not None:
            self.onscreen.forget(key)
            await self.bot.store.forget(key)

    # ------------------------------------------------------------------ the gate
    async def _gate(self, update: Update, context: PTBContext) -> None:
        """Before any handler: private chats only, unknown update shapes dropped, floods held.

        A message's id is kept for /clear before the flood check. A person going faster than
        the flood guard's pace is held back and told so once; their presses are still answered
        at once, and /clear (what a flood left in the chat can always be deleted), the
        Emergency button and typed text that tells of danger (the search says, see `_decide`)
        still get through.
        """
        chat, user = update.effective_chat, update.effective_user
        if update.my_chat_member is not None:
            if chat is not None and chat.type != ChatType.PRIVATE:
                await self._leave(chat)
            raise ApplicationHandlerStop
        if update.message is None and update.callback_query is None:
            raise ApplicationHandlerStop  # edited messages, channel posts, …: not for Penah
        if chat is None or user is None or self.bot.store is None:
            raise ApplicationHandlerStop
        if chat.type != ChatType.PRIVATE:
            await self._leave(chat)
            raise ApplicationHandlerStop
        message, query = update.message, update.callback_query
        if message is not None:
            self.bot.guards.history.add(chat.id, message.message_id)
        key = self.bot.store.user_key(user.id)
        action = decode(query.data) if query is not None else None
        flood = self.bot.guards.flood
        if flood.allow(key, FORGED if query is not None and action is None else 1.0):
            return
        if typed_command(message) == "clear" or (message is not None and searched(message)):
            return
        if action is not None and action.kind is Kind.EMERGENCY and flood.urgent(key):
            return
        await self._held(update, key)
        raise ApplicationHandlerStop

    async def _held(self, update: Update, key: bytes) -> None:
        """An update from a person held back: a press is answered at once all the same, and
        the first of the hold says why nothing happens (a press in a dialog, which leaves
        nothing in the chat)."""
        notice = None
        if self.bot.guards.flood.tell(key):
            assert self.bot.store is not None
            state = await self.bot.store.peek(key) or UserState()
            notice = core.view(self.bot.context, state, client_language(update)).t
        with contextlib.suppress(TelegramError):
            if update.callback_query is not None:
                text = notice.gettext(HELD_BACK) if notice else None
                await update.callback_query.answer(text, show_alert=notice is not None)
            elif notice is not None and update.effective_chat is not None:
                text = notice.mark_lines(escape(notice.gettext(HELD_BACK), quote=False))
                await self._send(update.effective_chat, Screen(text), key)

    async def _leave(self, chat: Chat) -> None:
        if not self.bot.guards.left_groups.first(chat.id):
            return
        t = self.bot.catalogs.get(None)
        with contextlib.suppress(TelegramError):
            await chat.send_message(
                t.gettext("I only work in private chats. Goodbye."), disable_notification=True
            )
        with contextlib.suppress(TelegramError):
            await chat.leave()

    # ------------------------------------------------------------------ messages
    async def _on_text(self, update: Update, context: PTBContext) -> None:
        """Commands, and typed text: searched in memory, never kept, logged or echoed."""
        message, user, chat = update.message, update.effective_user, update.effective_chat
        assert message is not None and user is not None and chat is not None
        name = typed_command(message)
        if name in admin.ADMIN_COMMANDS and user.id in self.bot.settings.admin_ids:
            state = (await self._state(update))[1]
            code = state.lang or self.bot.catalogs.best_match(client_language(update))
            text = await admin.ADMIN_COMMANDS[name](self.bot, self.bot.catalogs.get(code))
            for start in range(0, len(text), 4000):
                await chat.send_message(text[start : start + 4000], disable_notification=True)
            return
        command = BY_NAME.get(name or "")
        if command is not None:
            await self._decide(update, Typed(command))
        elif name is None and message.forward_origin is None and message.text:
            await self._decide(update, Text(message.text))  # typed text searches
        else:
            await self._decide(update, Text())  # an unknown command

    async def _on_other(self, update: Update, context: PTBContext) -> None:
        """Photos, files, contacts, locations, forwards: not needed, said once, never kept."""
        if update.message is None:
            return
        assert self.bot.store is not None and update.effective_user is not None
        key = self.bot.store.user_key(update.effective_user.id)
        await self._decide(update, Media(told=not self.bot.guards.told_media.first(key)))

    async def _decide(self, update: Update, event: Event) -> None:
        """A message always gets a new message back, after the effects are carried out; from
        a person held back, only an urgent one (typed text that tells of danger)."""
        key, state = await self._state(update)
        assert update.effective_chat is not None
        outcome = core.decide(self.bot.context, state, event, client_language(update))
        flood = self.bot.guards.flood
        if isinstance(event, Text) and flood.holding(key) and not (
            outcome.screen.urgent and flood.urgent(key)
        ):
            await self._held(update, key)
            return
        if await self._carry_out(outcome, key, update.effective_chat, None):
            await self._send(update.effective_chat, outcome.screen, key)

    # ------------------------------------------------------------------ buttons
    async def _on_button(self, update: Update, context: PTBContext) -> None:
        query = update.callback_query
        assert query is not None
        action = decode(query.data)
        if not core.reports_later(action):
            await query.answer()  # first, so the client stops spinning whatever comes next
        key, state = await self._state(update)
        outcome = self._press(state, action, query.from_user.language_code)
        if core.reports_later(action) and not any(
            isinstance(e, RecordReport) for e in outcome.effects
        ):
            await query.answer()
        chat = query.message.chat if query.message is not None else None
        if await self._carry_out(outcome, key, chat, query):
            await self._edit(query, outcome.screen, key, update.update_id)

    def _press(self, state: UserState, action: Action | None, language: str | None) -> Decision:
        """Decisions are pure, so a press seen before is answered from memory."""
        ctx = self.bot.context
        client = ctx.catalogs.best_match(language) if state.lang is None else None
        cache_key = (ctx.generation, state, action, client)
        outcome = self._outcomes.get(cache_key)
        if outcome is None:
            outcome = self._outcomes[cache_key] = core.decide(ctx, state, Press(action), language)
        return outcome

    # ------------------------------------------------------------------ effects
    async def _carry_out(
        self, outcome: Decision, key: bytes, chat: Chat | None, query: CallbackQuery | None
    ) -> bool:
        """Do what the core decided; False when the screen was already sent (after a clear)."""
        store = self.bot.store
        assert store is not None
        for effect in outcome.effects:
            if isinstance(effect, RecordReport) and query is not None:
                if self.bot.guards.reported.first((key, effect.resource)):
                    await store.report_broken(effect.resource)
                    await query.answer(effect.thanks, show_alert=True)
                else:
                    await query.answer(effect.again)
            elif isinstance(effect, Forget):
                await store.forget(key)
            elif isinstance(effect, SavePrefs):
                await store.save(key, effect.state)
            elif isinstance(effect, CountView):
                store.count("view", effect.metric)
            elif isinstance(effect, CountSearch):
                store.count("search", "found" if effect.found else "not found")
            elif isinstance(effect, ScheduleTidy) and chat is not None:
                self.bot.guards.tidy.arm(chat.id, key, effect.mode, effect.lang)
            elif isinstance(effect, ClearChat) and chat is not None:
                self.bot.guards.tidy.disarm(chat.id)  # nothing left to tidy
                async with self.turns.turn(chat.id):  # after what is under way, before the rest
                    await self._delete_all(chat.id, key)
                    await self._send_now(chat, outcome.screen, key)
                return False
        return True

    async def _delete_all(self, chat_id: int, key: bytes) -> None:
        """Delete both sides of the chat that Telegram still allows."""
        ids = self.bot.guards.history.take(chat_id)
        batches = [ids[i : i + DELETE_BATCH] for i in range(0, len(ids), DELETE_BATCH)]
        while batches:
            batch = batches.pop(0)
            try:
                await self._api.delete_messages(chat_id, batch)
            except Forbidden:
                await self._blocked(key)
                return
            except BadRequest as exc:
                # One message Telegram will not delete fails its whole batch: halve and retry,
                # skipping it in the end (for example a message just past the 48 hours).
                log.info("deleteMessages refused a batch of %d: %s", len(batch), exc.message[:80])
                if len(batch) > 1:
                    half = len(batch) // 2
                    batches[:0] = [batch[:half], batch[half:]]

    async def tidy(self) -> None:
        """Chats whose person went quiet: a neutral last screen, or an empty chat."""
        for chat_id, countdown in self.bot.guards.tidy.due():
            async with self.turns.turn(chat_id):  # not in the middle of a press's edit
                try:
                    if countdown.mode is Tidy.CLEAR:
                        await self._delete_all(chat_id, countdown.key)
                    elif countdown.message_id is not None:
                        screen = core.tidied(self.bot.context, countdown.lang)
                        self.onscreen.drop(countdown.key, countdown.message_id)  # it changes now
                        await self._api.edit_message_text(
                            screen.text,
                            chat_id=chat_id,
                            message_id=countdown.message_id,
                            parse_mode=ParseMode.HTML,
                            reply_markup=keyboard(screen),
                        )
                except Forbidden:
                    await self._blocked(countdown.key)
                except TelegramError as exc:  # gone, too old, not modified: nothing to tidy
                    log.info("tidying a chat failed: %s", type(exc).__name__)

    # ------------------------------------------------------------------ errors
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
            screen = core.failed(self.bot.context, client_language(update))
            if isinstance(error, SaveFailed):  # a full disk: say so, in their language
                screen = not_saved(self.bot.context, error.lang, client_language(update))
            with contextlib.suppress(TelegramError):
                await self._send(chat, screen)
