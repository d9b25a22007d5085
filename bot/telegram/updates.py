"""Updates read one at a time, so one python-telegram-bot cannot parse stops nobody.

PTB's `Bot.get_updates` parses a whole batch in one go: one update in a shape it does not
expect (an older, newer or self-hosted Bot API) fails the batch, is logged whole at CRITICAL
(names, phone numbers, text) and the same batch is fetched again, forever. Here each update is
parsed on its own; one that fails becomes a bare `Update(update_id=…)`, so the offset still
advances, the gate drops it (it has no message), and the log gets its type and id only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Bot, Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import TelegramError
from telegram.ext import BaseRateLimiter, ExtBot, Updater
from telegram.request import BaseRequest, HTTPXRequest

log = logging.getLogger(__name__)

# The update types the Bot API documents; any other key is reported as "unknown".
KNOWN_TYPES = frozenset(Update.ALL_TYPES)


def update_type(data: dict[str, Any]) -> str:
    """The update's type from its keys, never from its content."""
    for key in data:
        if key != "update_id":
            return key if key in KNOWN_TYPES else "unknown"
    return "empty"


def parse_update(data: object, bot: Bot) -> Update | None:
    """One update from its JSON; a bare one (id only) if PTB cannot read it, None if not even
    its id can be read."""
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        log.warning("skipped an update with no readable id")
        return None
    assert isinstance(data, dict)
    try:
        update = Update.de_json(data, bot)
    except Exception as exc:  # PTB raises whatever its constructors raise
        log.warning(
            "skipped update %d of type %s that could not be read (%s)",
            update_id,
            update_type(data),
            type(exc).__name__,
        )
        update = Update(update_id=update_id)
        update.set_bot(bot)
        return update
    if isinstance(bot, ExtBot):
        bot.insert_callback_data(update)
    return update


class PenahExtBot(ExtBot[Any]):
    """An ExtBot whose getUpdates parses each update on its own."""

    __slots__ = ()

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: int | dt.timedelta | None = None,  # noqa: ASYNC109 - the Bot API's own
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: dict[str, Any] | None = None,
    ) -> tuple[Update, ...]:
        # The same long-poll read timeout as Bot.get_updates: the base one plus the poll's.
        if isinstance(read_timeout, DefaultValue):
            base = float(self._request[0].read_timeout or 0)
        else:
            base = float(read_timeout or 0)
        seconds = timeout.total_seconds() if isinstance(timeout, dt.timedelta) else timeout or 0
        data = {
            "timeout": timeout,
            "offset": offset,
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        result = await self._post(
            "getUpdates",
            data,
            read_timeout=base + seconds,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        if not isinstance(result, list):
            raise TelegramError("getUpdates did not return a list")
        updates = tuple(u for u in (parse_update(item, self) for item in result) if u is not None)
        if result and not updates:  # no id to move the offset past: back off, do not spin
            raise TelegramError("getUpdates returned no update with a readable id")
        return updates


def make_updater(
    token: str,
    base_url: str,
    rate_limiter: BaseRateLimiter[Any],
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
) -> Updater:
    """The Updater (and its bot) for ApplicationBuilder.updater(): Penah's getUpdates, and
    Penah's webhook server. Without `request`, HTTPX with a pool for hundreds of answers."""
    from bot.telegram.webhook import PenahUpdater

    if request is None:
        # Answers to button presses are not rate-limited and can come in hundreds at once.
        request = HTTPXRequest(connection_pool_size=512, pool_timeout=5.0)
        updates_request = HTTPXRequest()
    bot = PenahExtBot(
        token,
        base_url=base_url,
        request=request,
        get_updates_request=updates_request or request,
        rate_limiter=rate_limiter,
    )
    return PenahUpdater(bot=bot, update_queue=asyncio.Queue())
