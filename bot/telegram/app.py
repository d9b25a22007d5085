"""Start-up and wiring: the store, the guards, the reload path, the Application and its jobs.

`PenahBot` owns what lives as long as the process; `telegram.Handlers` turns updates into
core decisions and carries out their effects. One reload path serves the file watcher,
/reload and SIGHUP: the directory and the catalogs are swapped together into a new core
`Context`, and admins hear about a directory that could not be loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, Updater
from telegram.request import BaseRequest

from bot.config import Settings
from bot.core.commands import COMMANDS
from bot.core.decide import Context
from bot.directory.model import DirectoryError
from bot.i18n.sensitive import load_terms
from bot.i18n.translator import N_, Catalogs, Translator, catalog_alert, load_catalogs
from bot.loading.reloader import Reloader
from bot.ops.admin import NOT_RELOADED, problems_text
from bot.ops.digest import Digest
from bot.printable import printable_lines
from bot.search.danger import DangerFileError, danger_words_in
from bot.storage.guards import MB, FloodGuard, Guards, History
from bot.storage.store import Store, load_secret
from bot.telegram.handlers import Handlers
from bot.telegram.http import make_request
from bot.telegram.limiter import PriorityRateLimiter
from bot.telegram.updates import make_bot

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
CONCURRENT_UPDATES = 4096
SAFE_DESCRIPTION = N_("Contacts and practical information. Press Start.")

App = Application[Any, Any, Any, Any, Any, Any]


class PenahBot:
    def __init__(self, settings: Settings, reloader: Reloader, catalogs: Catalogs) -> None:
        self.settings = settings
        self.reloader = reloader
        self.catalogs = catalogs
        self.terms = load_terms(settings.locales)
        self.danger, fault = danger_words_in(settings.locales)
        self.store: Store | None = None
        self.secret = load_secret(settings.data_dir, settings.secret_bytes)
        day = 86_400.0
        self.guards = Guards(
            FloodGuard(
                settings.flood_updates,
                settings.flood_window,
                settings.flood_pause,
                settings.guard_size,
            ),
            History(settings.clear_memory_mb * MB),
            settings.guard_size,
            settings.guard_days * day,
            settings.tidy_seconds,
        )
        self.limiter = PriorityRateLimiter(
            settings.messages_per_second, settings.chat_messages_per_second
        )
        self._catalogs_generation = 0
        self._catalog_alert = catalog_alert(catalogs) + _danger_alert(fault)
        self._context: Context | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.application: App | None = None
        self.handlers = Handlers(self)
        reloader.on_error = self._tell_admins
        self.digest = Digest(
            settings.data_dir,
            settings.stale_days,
            settings.check_links,
            allow_private=settings.check_links_allow_private,
        )

    # ------------------------------------------------------------------ the core's inputs
    @property
    def context(self) -> Context:
        """The current directory and catalogs, as one value: a press sees one version of both."""
        generation = (self.reloader.generation, self._catalogs_generation)
        ctx = self._context
        if ctx is None or ctx.generation != generation:
            loaded = self.reloader.loaded
            ctx = Context(
                loaded.directory,
                loaded.index,
                self.catalogs,
                self.settings.retention_days,
                generation,
                self.terms,
                self.danger,
            )
            self._context = ctx
        return ctx

    async def reload(self) -> tuple[bool, DirectoryError | None]:
        """/reload and SIGHUP: the directory and the catalogs; a broken new one is not used."""
        outcome = await self.reloader.reload()
        self.catalogs = await asyncio.to_thread(load_catalogs, self.settings.locales)
        self.terms = await asyncio.to_thread(load_terms, self.settings.locales)
        self.danger, fault = await asyncio.to_thread(
            danger_words_in, self.settings.locales, self.danger)
        self._catalogs_generation += 1
        alert = catalog_alert(self.catalogs) + _danger_alert(fault)
        if alert != self._catalog_alert:  # each new set of problems once, like the reloader
            self._catalog_alert = alert
            if alert:
                await self._notify_admins(alert)
        return outcome.changed, outcome.error

    async def _tell_admins(self, error: DirectoryError) -> None:
        await self._notify_admins(f"⚠️ {NOT_RELOADED}\n\n{problems_text(error)}")

    async def _notify_admins(self, text: str) -> None:
        app = self.application
        if app is None or not app.running:
            return
        # Each line printable: an alert quotes file names, which need not even be UTF-8.
        text = printable_lines(text)[:4000]
        for admin_id in self.settings.admin_ids:
            try:
                await app.bot.send_message(admin_id, text, disable_notification=True)
            except TelegramError as exc:  # one admin who blocked the bot stops no other
                log.warning("an admin could not be told (%s)", type(exc).__name__)

    # ------------------------------------------------------------------ building
    def build(
        self, request: BaseRequest | None = None, updates_request: BaseRequest | None = None
    ) -> App:
        if not self.settings.token:
            raise ValueError("a bot token is needed")
        if request is None:
            # Answers to button presses are not rate-limited and can come in hundreds at once.
            request = make_request(self.settings.http_client, 512, pool_timeout=5.0)
            updates_request = make_request(self.settings.http_client)
        bot = make_bot(
            self.settings.bot_token, self.settings.api_url, self.limiter, request, updates_request
        )
        # A webhook is served by Penah's own server (bot/webhook.py), which puts updates into
        # the Application's queue: no Updater then, as PTB's custom-webhook guide builds it.
        builder: Any = Application.builder()  # its type follows the bot's, set on one branch
        if self.settings.webhook_url:
            builder = builder.bot(bot).updater(None)
        else:
            builder = builder.updater(Updater(bot, asyncio.Queue()))
        builder = (
            builder
            # Far above any send queue: a handler waiting for its turn to send must not keep
            # the next person's button from being answered.
            .concurrent_updates(CONCURRENT_UPDATES)
            .post_init(self._started)
            .post_stop(self._stopping)
            .post_shutdown(self._stopped)
        )
        app: App = builder.build()
        self.handlers.register(app)
        self.application = app
        return app

    def webhook_secret(self) -> str:
        """Telegram sends it with every update, so strangers cannot post fake ones."""
        if self.settings.webhook_secret:
            return str(self.settings.webhook_secret.get_secret_value())
        return hmac.new(self.secret, b"telegram-webhook", hashlib.sha256).hexdigest()

    # ------------------------------------------------------------------ lifecycle
    async def _started(self, app: App) -> None:
        self.store = await Store.open(
            self.settings.database, self.secret, retention_days=self.settings.retention_days
        )
        purged = await self.store.purge_expired()
        log.info("started; %d expired preferences deleted", purged)
        self._tasks = [
            asyncio.create_task(self.reloader.watch(), name="reload"),
            asyncio.create_task(
                self._every(self.settings.heartbeat_seconds, self._heartbeat), name="heartbeat"
            ),
            asyncio.create_task(self._every(5.0, self.store.flush), name="flush"),
            asyncio.create_task(self._every(3600.0, self._hourly), name="purge"),
            asyncio.create_task(self._every(3600.0, self._digest_due), name="digest"),
            asyncio.create_task(self._describe(app), name="describe"),  # not before polling
        ]
        if self.settings.tidy_seconds > 0:  # 0: tidying is off, nothing to wake up for
            tidy = self._every(self._tidy_tick, self.handlers.tidy)
            self._tasks.append(asyncio.create_task(tidy, name="tidy"))
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(self.reload())
            )

    @property
    def _tidy_tick(self) -> float:
        return min(1.0, max(0.05, self.settings.tidy_seconds / 4))

    async def _stopping(self, app: App) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _stopped(self, app: App) -> None:
        self.reloader.close()  # a reader child still at work is not waited for
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
        self.guards.prune()
        if self.store is not None:
            await self.store.purge_expired()

    async def _digest_due(self) -> None:
        """The daily link check (if enabled) and the weekly digest, in the background."""
        assert self.store is not None and self.application is not None
        store, bot = self.store, self.application.bot

        async def translator_for(admin_id: int) -> Translator:
            state = await store.peek(store.user_key(admin_id))
            return self.catalogs.get(state.lang if state else None)

        async def send(chat_id: int, text: str) -> object:
            return await bot.send_message(chat_id, text, disable_notification=True)

        await self.digest.hourly(
            lambda: self.reloader.current,
            sorted(self.settings.admin_ids),
            translator_for,
            send,
            store.reports,
        )

    async def _describe(self, app: App) -> None:
        """Commands and a neutral description per language: nothing telling in a preview."""
        for code in self.catalogs.codes:
            t = self.catalogs.get(code)
            language = None if code == "en" else code
            if language is not None and len(language) != 2:
                continue  # Telegram takes two-letter ISO 639-1 codes only
            commands = [BotCommand(c.name, t.gettext(c.menu)) for c in COMMANDS if c.menu]
            try:
                await app.bot.set_my_commands(commands, language_code=language)
                await app.bot.set_my_short_description(
                    t.gettext(SAFE_DESCRIPTION), language_code=language
                )
            except TelegramError as exc:
                log.warning("could not set commands for %s: %s", code, type(exc).__name__)


def _danger_alert(fault: DangerFileError | None) -> str:
    """What admins are told when the danger words cannot be read ("" when they can)."""
    if fault is None:
        return ""
    log.error("danger words not reloaded, the last good ones are used: %s", fault)
    return f"\n⚠️ The danger words were not reloaded; the last good ones are used:\n{fault}"
