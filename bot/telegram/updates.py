"""Updates read one at a time when python-telegram-bot cannot read a batch.

PTB parses a getUpdates batch at once: one update in a shape it does not expect (an older, newer
or self-hosted Bot API) fails the batch, fetched again forever. Then each is parsed on its own;
one that fails becomes a bare `Update(update_id=…)`, so the offset still advances, the gate drops
it, and the log gets its type and id only. The raw batch is fetched again for that, with the
public `do_api_request`, and not kept past the call: it holds people's messages.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

log = logging.getLogger(__name__)


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
        keys = [k for k in data if k != "update_id"]  # its type from its keys, not content
        kind = ("unknown" if keys[0] not in Update.ALL_TYPES else keys[0]) if keys else "empty"
        log.warning("skipped update %d of type %s that could not be read (%s)", update_id,
                    kind, type(exc).__name__)
        update = Update(update_id=update_id)
        update.set_bot(bot)
    if isinstance(bot, ExtBot):  # nothing to insert in a bare one
        bot.insert_callback_data(update)
    return update


class PenahExtBot(ExtBot[Any]):
    __slots__ = ()

    async def get_updates(
        self, offset: int | None = None, limit: int | None = None,
        timeout: Any = None,  # noqa: ASYNC109 - the Bot API's own
        allowed_updates: Sequence[str] | None = None, **kwargs: Any,
    ) -> tuple[Update, ...]:
        updates: tuple[Update, ...] | None
        try:
            updates = await super().get_updates(offset, limit, timeout, allowed_updates, **kwargs)
        except TelegramError:  # the network or the Bot API: the Updater backs off
            raise
        except Exception:  # PTB could not read an update of the batch
            updates = None
        if updates is not None and all(type(u.update_id) is int for u in updates):
            return updates
        # The same batch again, raw: Telegram keeps it until an offset moves past it. The Bot
        # API reads method names in any case; PTB warns of "getUpdates" (it has a method for it).
        result = await self.do_api_request("getupdates", api_kwargs={
            "offset": offset, "limit": limit, "allowed_updates": allowed_updates})
        if not isinstance(result, list):
            raise TelegramError("getUpdates did not return a list of updates")
        parsed = tuple(u for u in (parse_update(item, self) for item in result) if u is not None)
        if result and not parsed:  # no id to move the offset past: back off, do not spin
            raise TelegramError("getUpdates returned no update with a readable id")
        return parsed
