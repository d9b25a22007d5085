"""What the update handlers use of the running bot, and nothing more."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core.decide import Context
from bot.ops.admin import AdminCommands
from bot.storage.guards import Guards
from bot.storage.store import Store
from bot.telegram.delivery import Delivery


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
