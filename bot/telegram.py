"""The Telegram adapter: python-telegram-bot handlers that turn updates into screens.

Handlers stay thin: find the user's state, render a pure screen, send or edit it. Every update
is hostile until proven otherwise: callback data is decoded strictly, text is never read for
content and never logged, and every failure ends in a clean menu, never a stack trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import logging
import signal
import time
from collections import deque
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any, cast

from telegram import (
    BotCommand,
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
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from . import admin, screens
from .aiohttp_request import make_request
from .callbacks import Action, Kind, decode
from .config import Settings
from .directory import Directory, DirectoryError
from .i18n import N_, Catalogs, Translator, load_catalogs
from .limiter import NORMAL, URGENT, LimitArgs, PriorityRateLimiter
from .onscreen import OnScreen, digest
from .reloader import Reloader
from .screens import Screen, UserState, View
from .store import Store, load_secret

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
DELETABLE_FOR = 48 * 3600 - 300  # Telegram deletes messages up to 48 h old; keep a margin
DELETE_BATCH = 100
SCREEN_CACHE = 4096
CONCURRENT_UPDATES = 4096
USER_COMMANDS = ("start", "menu", "language", "help", "privacy", "clear", "forget")
ADMIN_COMMANDS = ("reload", "stats", "stale", "reports")
COMMAND_DESCRIPTIONS = {
    "menu": N_("Main menu"),
    "language": N_("Language"),
    "help": N_("Help"),
    "privacy": N_("Privacy"),
    "clear": N_("Clear this chat"),
    "forget": N_("Forget my settings"),
}
SAFE_DESCRIPTION = N_("Contacts and practical information. Press Start.")


@dataclass
class History:
    """Message ids of each private chat, in memory only, for /clear; none older than 48 h."""

    ids: dict[int, deque[tuple[float, int]]] = field(default_factory=dict)
    limit: int = 2000

    def add(self, chat_id: int, message_id: int) -> None:
        chat = self.ids.setdefault(chat_id, deque(maxlen=self.limit))
        chat.append((time.monotonic(), message_id))

    def take(self, chat_id: int) -> list[int]:
        """The ids still deletable, forgetting all of them."""
        horizon = time.monotonic() - DELETABLE_FOR
        return [m for t, m in self.ids.pop(chat_id, ()) if t >= horizon]

    def prune(self) -> None:
        horizon = time.monotonic() - DELETABLE_FOR
        for chat_id in list(self.ids):
            chat = self.ids[chat_id]
            while chat and chat[0][0] < horizon:
                chat.popleft()
            if not chat:
                del self.ids[chat_id]


@dataclass
class FloodGuard:
    """More than `limit` updates in `window` seconds silences a user for `pause` seconds."""

    limit: int = 20
    window: float = 10.0
    pause: float = 30.0
    seen: dict[bytes, deque[float]] = field(default_factory=dict)
    silenced: dict[bytes, float] = field(default_factory=dict)

    def allow(self, key: bytes) -> bool:
        now = time.monotonic()
        until = self.silenced.get(key)
        if until is not None:
            if now < until:
                return False
            del self.silenced[key]
        times = self.seen.setdefault(key, deque())
        while times and times[0] < now - self.window:
            times.popleft()
        times.append(now)
        if len(times) > self.limit:
            self.silenced[key] = now + self.pause
            times.clear()
            return False
        if len(self.seen) > 50_000:
            self.seen = {k: v for k, v in self.seen.items() if v and v[-1] >= now - self.window}
        return True


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


NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class PenahBot:
    def __init__(self, settings: Settings, reloader: Reloader, catalogs: Catalogs) -> None:
        self.settings = settings
        self.reloader = reloader
        self.catalogs = catalogs
        self.store: Store | None = None
        self.secret = load_secret(settings.data_dir, settings.secret)
        self.history = History()
        self.flood = FloodGuard(settings.flood_updates, settings.flood_window, settings.flood_pause)
        self.reported: set[tuple[bytes, str]] = set()
        self.warned_media: set[bytes] = set()
        self.left_groups: set[int] = set()
        self.limiter = PriorityRateLimiter(
            settings.messages_per_second, settings.chat_messages_per_second
        )
        self.onscreen = OnScreen()
        self._tasks: list[asyncio.Task[None]] = []
        self._screens: dict[tuple[object, ...], Screen] = {}
        self._catalogs_generation = 0
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        reloader.on_error = self._tell_admins

    # ------------------------------------------------------------------ building
    def build(
        self, request: BaseRequest | None = None, updates_request: BaseRequest | None = None
    ) -> Application[Any, Any, Any, Any, Any, Any]:
        if not self.settings.token:
            raise ValueError("a bot token is needed")
        builder = (
            Application.builder()
            .token(self.settings.token)
            .base_url(self.settings.api_url)
            .rate_limiter(self.limiter)
            # Far above any send queue: a handler waiting for its turn to send must not keep
            # the next person's button from being answered.
            .concurrent_updates(CONCURRENT_UPDATES)
            .post_init(self._started)
            .post_stop(self._stopping)
            .post_shutdown(self._stopped)
        )
        if request is None:
            # Answers to button presses are not rate-limited and can come in hundreds at once.
            request = make_request(self.settings.http_client, 512, pool_timeout=5.0)
            updates_request = make_request(self.settings.http_client)
        builder = builder.request(request).get_updates_request(updates_request or request)
        app = builder.build()
        app.add_handler(TypeHandler(Update, self._gate), group=-1)
        app.add_handler(CommandHandler(["start", "menu"], self._on_start))
        app.add_handler(CommandHandler("language", self._on_language))
        app.add_handler(CommandHandler("help", self._on_screen_command))
        app.add_handler(CommandHandler("privacy", self._on_screen_command))
        app.add_handler(CommandHandler("clear", self._on_clear))
        app.add_handler(CommandHandler("forget", self._on_forget))
        app.add_handler(CommandHandler(list(ADMIN_COMMANDS), self._on_admin))
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.FORWARDED, self._on_text))
        app.add_handler(MessageHandler(filters.ALL, self._on_other))
        app.add_error_handler(self._on_error)
        self.application = app
        return app

    # ------------------------------------------------------------------ lifecycle
    def webhook_secret(self) -> str:
        """Telegram sends it with every update, so strangers cannot post fake ones."""
        if self.settings.webhook_secret:
            return self.settings.webhook_secret
        return hmac.new(self.secret, b"telegram-webhook", hashlib.sha256).hexdigest()

    async def _started(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        self.store = await Store.open(
            self.settings.database, self.secret, retention_days=self.settings.retention_days
        )
        purged = await self.store.purge_expired()
        log.info("started; %d expired preferences deleted", purged)
        self._tasks = [
            asyncio.create_task(self.reloader.watch(), name="reload"),
            asyncio.create_task(self._every(5.0, self._heartbeat), name="heartbeat"),
            asyncio.create_task(self._every(5.0, self.store.flush), name="flush"),
            asyncio.create_task(self._every(3600.0, self._hourly), name="purge"),
            asyncio.create_task(self._describe(app), name="describe"),  # not before polling
        ]
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(self.reload())
            )

    async def _stopping(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _stopped(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        if self.store is not None:
            await self.store.close()
            self.store = None
        with contextlib.suppress(FileNotFoundError):
            self.settings.heartbeat.unlink()

    async def _every(self, seconds: float, job: Callable[[], Awaitable[object]]) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await job()
            except Exception as exc:
                log.error(
                    "background job %s failed: %s",
                    getattr(job, "__name__", job),
                    type(exc).__name__,
                )

    async def _heartbeat(self) -> None:
        """The container's health check reads this file's age."""
        app = self.application
        if app is not None and app.running and (app.updater is None or app.updater.running):
            self.settings.heartbeat.parent.mkdir(parents=True, exist_ok=True)
            self.settings.heartbeat.touch()

    async def _hourly(self) -> None:
        self.history.prune()
        if self.store is not None:
            await self.store.purge_expired()

    async def _describe(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Commands and a neutral description per language: nothing telling in a preview."""
        for code in self.catalogs.codes:
            t = self.catalogs.get(code)
            language = None if code == "en" else code
            if language is not None and len(language) != 2:
                continue  # Telegram takes two-letter ISO 639-1 codes only
            commands = [BotCommand(c, t.gettext(d)) for c, d in COMMAND_DESCRIPTIONS.items()]
            try:
                await app.bot.set_my_commands(commands, language_code=language)
                await app.bot.set_my_short_description(
                    t.gettext(SAFE_DESCRIPTION), language_code=language
                )
            except TelegramError as exc:
                log.warning("could not set commands for %s: %s", code, type(exc).__name__)

    async def reload(self) -> tuple[bool, DirectoryError | None]:
        """/reload and SIGHUP: the directory and the catalogs, both kept if broken."""
        outcome = await self.reloader.reload()
        self.catalogs = await asyncio.to_thread(load_catalogs, self.settings.locales)
        self._catalogs_generation += 1
        return outcome.changed, outcome.error

    async def _tell_admins(self, error: DirectoryError) -> None:
        app = self.application
        if app is None or not app.running:
            return
        text = "⚠️ resources.yaml was not reloaded; the last good version keeps serving.\n\n"
        text += "\n".join(map(str, error.problems))
        for admin_id in self.settings.admin_ids:
            with contextlib.suppress(TelegramError):
                await app.bot.send_message(admin_id, text[:4000])

    # ------------------------------------------------------------------ plumbing
    @property
    def _bot(self) -> ExtBot[Any]:
        assert self.application is not None
        return cast("ExtBot[Any]", self.application.bot)

    def _translator(self, state: UserState, language_code: str | None) -> Translator:
        return self.catalogs.get(state.lang or self.catalogs.best_match(language_code))

    def _view(
        self, state: UserState, language_code: str | None = None, directory: Directory | None = None
    ) -> View:
        return View(
            directory or self.reloader.current,
            self.catalogs,
            self._translator(state, language_code),
            state,
        )

    async def _state(self, update: Update) -> tuple[bytes, UserState]:
        assert self.store is not None and update.effective_user is not None
        key = self.store.user_key(update.effective_user.id)
        return key, await self.store.visit(key)

    async def _send(self, chat: Chat, screen: Screen, key: bytes | None = None) -> None:
        markup = keyboard(screen)
        try:
            sent = await self._bot.send_message(
                chat.id,
                screen.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
                rate_limit_args=_reply(screen),
            )
        except Forbidden:
            await self._blocked(key)
            return
        self.history.add(chat.id, sent.message_id)
        if key is not None:
            self.onscreen.shown(key, sent.message_id, digest(screen.text, markup))

    async def _edit(self, query: CallbackQuery, screen: Screen, key: bytes) -> None:
        message = query.message
        if not isinstance(message, Message):  # too old to edit: send it fresh
            if query.message is not None:
                await self._send(query.message.chat, screen, key)
            return
        markup = keyboard(screen)
        shows = digest(screen.text, markup)
        if self.onscreen.showing(key, message.message_id, shows):
            return  # already on screen: Telegram would refuse the edit
        try:
            await self._bot.edit_message_text(
                screen.text,
                chat_id=message.chat_id,
                message_id=message.message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=NO_PREVIEW,
                rate_limit_args=_reply(screen),
            )
            self.onscreen.shown(key, message.message_id, shows)
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                self.onscreen.shown(key, message.message_id, shows)
                return
            log.warning("editMessageText failed: %s", exc.message[:80])
            await self._send(message.chat, screen, key)
        except Forbidden:
            await self._blocked(key)

    async def _blocked(self, key: bytes | None) -> None:
        """The user blocked the bot: forget them, as they would want."""
        if key is not None and self.store is not None:
            self.onscreen.forget(key)
            await self.store.forget(key)

    # ------------------------------------------------------------------ the gate
    async def _gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Before any handler: private chats only, unknown update shapes dropped, floods cut."""
        chat, user = update.effective_chat, update.effective_user
        if update.my_chat_member is not None:
            if chat is not None and chat.type != ChatType.PRIVATE:
                await self._leave(chat)
            raise ApplicationHandlerStop
        if update.message is None and update.callback_query is None:
            raise ApplicationHandlerStop  # edited messages, channel posts, …: not for Penah
        if chat is None or user is None or self.store is None:
            raise ApplicationHandlerStop
        if chat.type != ChatType.PRIVATE:
            await self._leave(chat)
            raise ApplicationHandlerStop
        if not self.flood.allow(self.store.user_key(user.id)):
            if update.callback_query is not None:
                with contextlib.suppress(TelegramError):
                    await update.callback_query.answer()
            raise ApplicationHandlerStop
        if update.message is not None:
            self.history.add(chat.id, update.message.message_id)

    async def _leave(self, chat: Chat) -> None:
        if chat.id in self.left_groups:
            return
        self.left_groups.add(chat.id)
        t = self.catalogs.get(None)
        with contextlib.suppress(TelegramError):
            await chat.send_message(t.gettext("I only work in private chats. Goodbye."))
        with contextlib.suppress(TelegramError):
            await chat.leave()

    # ------------------------------------------------------------------ commands
    async def _on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        key, state = await self._state(update)
        assert update.effective_chat and update.effective_user
        if state.lang is None or state.lang not in self.catalogs.translators:
            suggested = self.catalogs.best_match(update.effective_user.language_code)
            await self._send(
                update.effective_chat, screens.language_picker(self.catalogs, suggested), key
            )
            self._count("language-picker")
            return
        await self._send(update.effective_chat, screens.main_menu(self._view(state)), key)
        self._count("home")

    async def _on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        key, state = await self._state(update)
        assert update.effective_chat
        await self._send(
            update.effective_chat, screens.language_picker(self.catalogs, state.lang), key
        )

    async def _on_screen_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        key, state = await self._state(update)
        assert update.effective_chat and update.message and update.message.text
        command = update.message.text.split()[0].lstrip("/").split("@")[0].lower()
        kind = Kind.PRIVACY if command == "privacy" else Kind.HELP
        view = self._view(state, _language_code(update))
        await self._send(
            update.effective_chat,
            screens.render(view, Action(kind), retention_days=self.settings.retention_days),
            key,
        )
        self._count(kind.name.lower())

    async def _on_forget(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        key, state = await self._state(update)
        assert update.effective_chat and self.store
        view = self._view(state)
        await self.store.forget(key)
        await self._send(update.effective_chat, screens.forgotten(view))

    async def _on_clear(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        key, state = await self._state(update)
        assert update.effective_chat
        await self._clear(update.effective_chat, self._view(state), key)

    async def _clear(self, chat: Chat, view: View, key: bytes) -> None:
        """Delete both sides of the chat that Telegram still allows, then one neutral word."""
        ids = sorted(set(self.history.take(chat.id)))
        batches = [ids[i : i + DELETE_BATCH] for i in range(0, len(ids), DELETE_BATCH)]
        while batches:
            batch = batches.pop(0)
            try:
                await self._bot.delete_messages(chat.id, batch)
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
        await self._send(chat, screens.cleared(view), key)

    async def _on_admin(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user, chat, message = update.effective_user, update.effective_chat, update.message
        assert user and chat and message and message.text
        if user.id not in self.settings.admin_ids:
            await self._on_text(update, context)  # exactly what an unknown command gets
            return
        command = message.text.split()[0].lstrip("/").split("@")[0].lower()
        text = await self._admin_text(command)
        for start in range(0, len(text), 4000):
            await chat.send_message(text[start : start + 4000])

    async def _admin_text(self, command: str) -> str:
        assert self.store is not None
        if command == "reload":
            changed, error = await self.reload()
            return admin.reload_report(self.reloader.current, changed, error, self.catalogs)
        if command == "stats":
            return admin.stats_report(await self.store.stats(7))
        if command == "stale":
            return admin.stale_report(self.reloader.current, self.settings.stale_days)
        return admin.reports_report(await self.store.reports(), self.reloader.current)

    # ------------------------------------------------------------------ messages
    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text and unknown commands: never read, never echoed; the menu instead."""
        key, state = await self._state(update)
        assert update.effective_chat
        if state.lang is None:
            await self._on_start(update, context)
            return
        await self._send(update.effective_chat, screens.buttons_only(self._view(state)), key)

    async def _on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, files, contacts, locations, forwards: not needed, said once, never kept."""
        if update.message is None:
            return
        key, state = await self._state(update)
        assert update.effective_chat
        if key in self.warned_media:
            await self._on_text(update, context)
            return
        self.warned_media.add(key)
        view = self._view(state, _language_code(update))
        notice = view.ui(
            N_(
                "I do not need photos, files, contacts, locations or forwarded "
                "messages, and I do not keep them. You can delete them with "
                "/clear."
            )
        )
        await self._send(update.effective_chat, screens.main_menu(view, notice=notice), key)

    # ------------------------------------------------------------------ buttons
    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and self.store is not None
        action = decode(query.data)
        reporting = action is not None and action.kind is Kind.REPORT
        if not reporting:
            await query.answer()  # first, so the client stops spinning whatever comes next
        key, state = await self._state(update)
        generation, directory = self._generation(), self.reloader.current
        view = self._view(state, query.from_user.language_code, directory)
        if reporting:
            assert action is not None
            if action.target in directory.resources:
                await self._report(query, view, key, action.target)
            else:
                await query.answer()

        new_state = screens.apply(state, action, directory, self.catalogs) if action else state
        if action is not None and action.kind is Kind.FORGET:
            await self.store.forget(key)
        elif new_state != state:
            await self.store.save(key, new_state)
            view = self._view(new_state, None, directory)
        if action is not None and action.kind is Kind.CLEAR and query.message is not None:
            await self._clear(query.message.chat, view, key)
            return
        self._count(_metric(action, directory.categories))
        await self._edit(query, self._render(generation, view, action), key)

    def _generation(self) -> tuple[int, int]:
        return self.reloader.generation, self._catalogs_generation

    def _render(self, generation: tuple[int, int], view: View, action: Action | None) -> Screen:
        """Screens are pure, so a press seen before is answered from memory."""
        cache_key = (generation, view.t.code, view.state.region, action)
        screen = self._screens.get(cache_key)
        if screen is None:
            screen = screens.render(view, action, retention_days=self.settings.retention_days)
            if len(self._screens) >= SCREEN_CACHE:
                self._screens.pop(next(iter(self._screens)))
            self._screens[cache_key] = screen
        return screen

    async def _report(self, query: CallbackQuery, view: View, key: bytes, resource: str) -> None:
        assert self.store is not None
        if (key, resource) in self.reported:
            await query.answer(view.t.gettext("Thank you, this was already noted."))
            return
        self.reported.add((key, resource))
        await self.store.report_broken(resource)
        await query.answer(
            view.t.gettext("Thank you. We will check this contact."), show_alert=True
        )

    def _count(self, metric: str) -> None:
        if self.store is not None:
            self.store.count("view", metric)

    # ------------------------------------------------------------------ errors
    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
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
            view = self._view(UserState(), _language_code(update))
            with contextlib.suppress(TelegramError):
                await self._send(chat, screens.menu_changed(view))


def _reply(screen: Screen) -> LimitArgs:
    """An answer to the person's own update: only the global limit and the lanes apply."""
    return {"priority": URGENT if screen.urgent else NORMAL, "reply": True}


def _language_code(update: Update) -> str | None:
    """The client's language, used until the person chooses one."""
    return update.effective_user.language_code if update.effective_user else None


def _metric(action: Action | None, categories: Collection[str]) -> str:
    if action is None:
        return "invalid"
    if action.kind is Kind.CATEGORY and action.target in categories:
        return f"category:{action.target}"
    return action.kind.name.lower()
