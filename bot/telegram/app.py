"""Start-up and wiring: `PenahBot` owns what lives as long as the process; handlers get only
the services they use. One reload path serves the file watcher, /reload and SIGHUP: directory
and locales swap together into a new core `Context`; admins hear of a file that failed to load.
`Jobs` is what the bot does on its own, including telling Telegram its commands and a neutral
description in each language Telegram takes a code for (two letters; others see English's).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, cast

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.error import TelegramError
from telegram.ext import Application, Defaults, ExtBot, Updater
from telegram.request import BaseRequest

from bot.config import Settings
from bot.core import decide as core
from bot.core.commands import COMMANDS
from bot.core.decide import Context
from bot.directory.model import DirectoryError
from bot.i18n import N_
from bot.i18n.sensitive import load_terms
from bot.i18n.translator import Catalogs, Translator, catalog_alert, load_catalogs
from bot.loading.reloader import Reloader
from bot.ops.admin import NOT_RELOADED, AdminCommands, problems_text
from bot.ops.digest import Digest
from bot.printable import printable_lines
from bot.search.danger import DangerFileError, danger_words_in
from bot.storage.guards import MB, FloodGuard, Guards, History
from bot.storage.store import Store, load_secret
from bot.telegram.delivery import Delivery
from bot.telegram.handlers import Handlers, Services
from bot.telegram.http import make_request
from bot.telegram.limiter import PriorityRateLimiter
from bot.telegram.updates import PenahExtBot

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
CONCURRENT_UPDATES = 4096
SAFE_DESCRIPTION = N_("Contacts and practical information. Press Start.")
# Every message: no sound, no line on a lock screen, no link preview fetched.
SILENT = Defaults(disable_notification=True,
                  link_preview_options=LinkPreviewOptions(is_disabled=True))
App = Application[Any, Any, Any, Any, Any, Any]


class Polling(Updater):
    """PTB's long polling, started as a `Receiver`."""

    async def start(self) -> None:
        await self.start_polling(allowed_updates=ALLOWED_UPDATES, timeout=10,
                                 bootstrap_retries=-1)


class Jobs:
    def __init__(self, settings: Settings, reloader: Reloader, services: Services,
                 digest: Digest, reload: Callable[[], Awaitable[object]]) -> None:
        self.settings, self.reloader, self.services = settings, reloader, services
        self.digest, self.reload = digest, reload
        self.tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, app: App) -> None:
        settings = self.settings
        jobs = {
            "reload": self.reloader.watch(),
            "heartbeat": _every(settings.heartbeat_seconds, lambda: self._heartbeat(app)),
            "flush": _every(5.0, self.services.store().flush),
            "purge": _every(3600.0, self._hourly),
            "digest": _every(3600.0, lambda: self.digest_due(app)),
            "describe": self._describe(app),  # not before polling
        }
        if settings.tidy_seconds > 0:  # 0: tidying is off, nothing to wake up for
            jobs["tidy"] = _every(min(1.0, max(0.05, settings.tidy_seconds / 4)), self.tidy)
        self.tasks = {name: asyncio.create_task(job, name=name) for name, job in jobs.items()}
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(self.reload()))

    async def stop(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        self.tasks = {}

    async def tidy(self) -> None:
        await self.services.delivery.tidy(lambda lang: core.tidied(self.services.context(), lang))

    async def _heartbeat(self, app: App) -> None:
        """The container's health check reads this file's age."""
        if app.running and (app.updater is None or app.updater.running):
            heartbeat = self.settings.heartbeat
            heartbeat.parent.mkdir(parents=True, exist_ok=True)
            heartbeat.touch()

    async def _hourly(self) -> None:
        self.services.guards.prune()
        await self.services.store().prefs.purge_expired()

    async def digest_due(self, app: App) -> None:
        store = self.services.store()

        async def translator_for(admin_id: int) -> Translator:
            state = await store.prefs.peek(store.prefs.user_key(admin_id))
            return self.services.context().catalogs.get(state.lang if state else None)

        await self.digest.hourly(
            lambda: self.reloader.current, sorted(self.settings.admin_ids), translator_for,
            lambda chat_id, text: app.bot.send_message(chat_id, text),
            store.totals.reports,
        )

    async def _describe(self, app: App) -> None:
        """Commands and a neutral description per language: nothing telling in a preview."""
        catalogs = self.services.context().catalogs
        for code in catalogs.codes:
            if code != "en" and len(code) != 2:
                continue  # Telegram takes two-letter ISO 639-1 codes only
            t, language = catalogs.get(code), None if code == "en" else code
            commands = [BotCommand(c.name, t.gettext(c.menu)) for c in COMMANDS if c.menu]
            try:
                await app.bot.set_my_commands(commands, language_code=language)
                await app.bot.set_my_short_description(t.gettext(SAFE_DESCRIPTION),
                                                       language_code=language)
            except TelegramError as exc:
                log.warning("could not set commands for %s: %s", code, type(exc).__name__)


async def _every(seconds: float, job: Callable[[], Awaitable[object]]) -> None:
    """A failure is logged under the task's name, the job's (a lambda's own says nothing)."""
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except Exception as exc:
            task = asyncio.current_task()
            log.error("background job %s failed: %s", task and task.get_name(),
                      type(exc).__name__)


class PenahBot:
    def __init__(
        self, settings: Settings, reloader: Reloader, catalogs: Catalogs,
        clock: Callable[[], float] = time.monotonic,  # the guards' time: pace, quiet chats
        wall_clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),  # hours, alerts
    ) -> None:
        self.settings, self.reloader, self.catalogs = settings, reloader, catalogs
        self.wall_clock = wall_clock
        self.terms = load_terms(settings.locales)
        self.danger, fault = danger_words_in(settings.locales)
        self.store: Store | None = None
        self.secret = load_secret(settings.data_dir, settings.secret_bytes)
        self.guards = Guards(
            FloodGuard(settings.flood_updates, settings.flood_window, settings.flood_pause,
                       settings.guard_size, clock),
            History(settings.clear_memory_mb * MB, clock=clock),
            settings.guard_size, settings.guard_days * 86_400.0, settings.tidy_seconds, clock,
        )
        self._catalogs_generation = 0
        self._catalog_alert = catalog_alert(catalogs) + _danger_alert(fault)
        self._context: Context | None = None
        self.application: App | None = None
        reloader.on_error = lambda error: self._notify_admins(
            f"⚠️ {NOT_RELOADED}\n\n{problems_text(error)}")
        self.digest = Digest(settings.data_dir, settings.stale_days, settings.check_links,
                             allow_private=settings.check_links_allow_private)
        self.services = Services(
            context=lambda: self.context, started=lambda: self.store, guards=self.guards,
            delivery=Delivery(self._api, self.guards,
                              lambda key: self.services.store().prefs.forget(key)),
            admin=AdminCommands(
                settings.admin_ids, self.reload, lambda: self.reloader.current,
                lambda: self.catalogs, lambda: self.services.store(), self.digest,
                settings.stale_days),
            tell_admins=self._notify_admins,
        )
        self.jobs = Jobs(settings, reloader, self.services, self.digest, self.reload)

    @property
    def context(self) -> Context:
        """The current directory and locales, as one value: a press sees one version of both."""
        generation = (self.reloader.generation, self._catalogs_generation)
        if self._context is None or self._context.generation != generation:
            loaded = self.reloader.loaded
            self._context = Context(loaded.directory, loaded.index, self.catalogs,
                                    self.settings.retention_days, generation, self.terms,
                                    self.danger, self.wall_clock, mirrors=self.settings.mirrors)
        unreachable = self.guards.reports.unreachable()  # as time passes, without a reload
        if self._context.unreachable != unreachable:
            self._context = replace(self._context, unreachable=unreachable)
        return self._context

    async def reload(self) -> tuple[bool, DirectoryError | None]:
        """The directory and the locales; a broken new one is not used."""
        outcome = await self.reloader.reload()
        self.catalogs = await asyncio.to_thread(load_catalogs, self.settings.locales)
        self.terms = await asyncio.to_thread(load_terms, self.settings.locales, self.terms)
        self.danger, fault = await asyncio.to_thread(
            danger_words_in, self.settings.locales, self.danger)
        self._catalogs_generation += 1
        alert = catalog_alert(self.catalogs) + _danger_alert(fault)
        if alert != self._catalog_alert:  # each new set of problems once, like the reloader
            self._catalog_alert = alert
            if alert:
                await self._notify_admins(alert)
        return outcome.changed, outcome.error

    async def _notify_admins(self, text: str) -> None:
        app = self.application
        if app is None or not app.running:
            return
        # Each line printable: an alert quotes file names, which need not even be UTF-8.
        text = printable_lines(text)[:4000]
        for admin_id in self.settings.admin_ids:
            try:
                await app.bot.send_message(admin_id, text)
            except TelegramError as exc:  # one admin who blocked the bot stops no other
                log.warning("an admin could not be told (%s)", type(exc).__name__)

    def _api(self) -> ExtBot[Any]:
        assert self.application is not None
        return cast("ExtBot[Any]", self.application.bot)

    def build(self, request: BaseRequest | None = None) -> App:
        updates_request = request  # a test's one stand-in answers everything
        if request is None:
            # Answers to button presses are not rate-limited and can come in hundreds at once.
            request = make_request(self.settings.http_client, 512, pool_timeout=5.0)
            updates_request = make_request(self.settings.http_client)
        limiter = PriorityRateLimiter(self.settings.messages_per_second,
                                      self.settings.chat_messages_per_second)
        bot = PenahExtBot(
            self.settings.bot_token, base_url=self.settings.api_url, request=request,
            get_updates_request=updates_request, rate_limiter=limiter,
            defaults=SILENT)
        # A webhook fills the Application's queue itself: no Updater (PTB's custom-webhook guide).
        builder: Any = Application.builder()  # its type follows the bot's, set on one branch
        if self.settings.webhook_url:
            builder = builder.bot(bot).updater(None)
        else:
            builder = builder.updater(Polling(bot, asyncio.Queue()))
        app: App = (
            # Far above any send queue: a handler waiting for its turn to send must not keep
            # the next person's button from being answered.
            builder.concurrent_updates(CONCURRENT_UPDATES)
            .post_init(self._started)
            .post_stop(lambda app: self.jobs.stop())
            .post_shutdown(self._stopped)
            .build()
        )
        Handlers(self.services).register(app)
        self.application = app
        return app

    def webhook_secret(self) -> str:
        """Telegram sends it with every update, so strangers cannot post fake ones."""
        if self.settings.webhook_secret:
            return str(self.settings.webhook_secret.get_secret_value())
        return hmac.new(self.secret, b"telegram-webhook", hashlib.sha256).hexdigest()

    async def _started(self, app: App) -> None:
        self.store = await Store.open(self.settings.database, self.secret,
                                      retention_days=self.settings.retention_days)
        purged = await self.store.prefs.purge_expired()
        log.info("started; %d expired preferences deleted", purged)
        self.jobs.start(app)

    async def _stopped(self, app: App) -> None:
        self.reloader.close()  # a reader child still at work is not waited for
        if self.store is not None:
            await self.store.close()
            self.store = None
        self.settings.heartbeat.unlink(missing_ok=True)


def _danger_alert(fault: DangerFileError | None) -> str:
    if fault is None:
        return ""
    log.error("danger words not reloaded, the last good ones are used: %s", fault)
    return f"\n⚠️ The danger words were not reloaded; the last good ones are used:\n{fault}"
