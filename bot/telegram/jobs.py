"""What the running bot does on its own: watch the directory, touch the heartbeat, write what
is pending, purge and prune hourly, the daily link check and weekly digest, tidy quiet chats,
and tell Telegram its commands and neutral description in each language."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand
from telegram.error import TelegramError
from telegram.ext import Application

from bot.config import Settings
from bot.core import decide as core
from bot.core.commands import COMMANDS
from bot.i18n.translator import N_, Translator
from bot.loading.reloader import Reloader
from bot.ops.digest import Digest
from bot.telegram.handlers import Services

log = logging.getLogger(__name__)

SAFE_DESCRIPTION = N_("Contacts and practical information. Press Start.")
App = Application[Any, Any, Any, Any, Any, Any]


class Jobs:
    def __init__(
        self, settings: Settings, reloader: Reloader, services: Services, digest: Digest,
        reload: Callable[[], Awaitable[object]],
    ) -> None:
        self.settings, self.reloader, self.services = settings, reloader, services
        self.digest, self.reload = digest, reload
        self._tasks: list[asyncio.Task[None]] = []

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
        self._tasks = [asyncio.create_task(job, name=name) for name, job in jobs.items()]
        with contextlib.suppress(NotImplementedError, RuntimeError):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: asyncio.ensure_future(self.reload())
            )

    def named(self, name: str) -> asyncio.Task[None]:
        return next(task for task in self._tasks if task.get_name() == name)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def tidy(self) -> None:
        """Tidy the chats whose person went quiet, each to a neutral screen in their language."""
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
        """The daily link check (if enabled) and the weekly digest, in the background."""
        store = self.services.store()

        async def translator_for(admin_id: int) -> Translator:
            state = await store.prefs.peek(store.prefs.user_key(admin_id))
            return self.services.context().catalogs.get(state.lang if state else None)

        await self.digest.hourly(
            lambda: self.reloader.current, sorted(self.settings.admin_ids), translator_for,
            lambda chat_id, text: app.bot.send_message(chat_id, text, disable_notification=True),
            store.totals.reports,
        )

    async def _describe(self, app: App) -> None:
        """Commands and a neutral description per language: nothing telling in a preview."""
        catalogs = self.services.context().catalogs
        for code in catalogs.codes:
            t = catalogs.get(code)
            language = None if code == "en" else code
            if language is not None and len(language) != 2:
                continue  # Telegram takes two-letter ISO 639-1 codes only
            commands = [BotCommand(c.name, t.gettext(c.menu)) for c in COMMANDS if c.menu]
            try:
                await app.bot.set_my_commands(commands, language_code=language)
                await app.bot.set_my_short_description(t.gettext(SAFE_DESCRIPTION),
                                                       language_code=language)
            except TelegramError as exc:
                log.warning("could not set commands for %s: %s", code, type(exc).__name__)


async def _every(seconds: float, job: Callable[[], Awaitable[object]]) -> None:
    """Run in a task named for the job, the name a failure is logged under (a job is often a
    lambda, whose own name says nothing)."""
    task = asyncio.current_task()
    name = task.get_name() if task is not None else "?"
    while True:
        await asyncio.sleep(seconds)
        try:
            await job()
        except Exception as exc:
            log.error("background job %s failed: %s", name, type(exc).__name__)
