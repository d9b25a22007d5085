"""Updates read one at a time when python-telegram-bot cannot read a batch.

PTB parses a getUpdates batch at once: one update in a shape it does not expect (an older, newer
or self-hosted Bot API) fails the batch, fetched again forever. Then each is parsed on its own;
one that fails becomes a bare `Update(update_id=…)`, so the offset still advances, the gate drops
it, and the log gets its type and id only. The raw answer is kept for that by the request's
`parse_json_payload`, PTB's documented place to customise reading Telegram's answers.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

KNOWN_TYPES = frozenset(Update.ALL_TYPES)  # any other key is logged as "unknown"


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
        kind = ("unknown" if keys[0] not in KNOWN_TYPES else keys[0]) if keys else "empty"
        log.warning("skipped update %d of type %s that could not be read (%s)", update_id,
                    kind, type(exc).__name__)
        update = Update(update_id=update_id)
        update.set_bot(bot)
        return update
    if isinstance(bot, ExtBot):
        bot.insert_callback_data(update)
    return update


class UpdatesRequest(BaseRequest):
    """Another request, keeping the last answer it read."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner
        self.last_answer: object = None

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,  # passed on as given
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        return await self.inner.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        self.last_answer = BaseRequest.parse_json_payload(payload)
        return self.last_answer


class PenahExtBot(ExtBot[Any]):
    __slots__ = ("_penah_updates",)

    def __init__(self, token: str, base_url: str, rate_limiter: BaseRateLimiter[Any],
                 request: BaseRequest, updates_request: BaseRequest | None = None) -> None:
        updates = UpdatesRequest(updates_request or request)
        super().__init__(token, base_url=base_url, request=request,
                         get_updates_request=updates, rate_limiter=rate_limiter)
        self._penah_updates = updates  # a bot's public attributes are frozen

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates: tuple[Update, ...] | None
        try:
            updates = await super().get_updates(*args, **kwargs)
        except TelegramError:  # the network or the Bot API: the Updater backs off
            raise
        except Exception:  # PTB could not read an update of the batch
            updates = None
        finally:  # the batch's raw JSON (people's messages) is not kept past this call
            answer, self._penah_updates.last_answer = self._penah_updates.last_answer, None
        if updates is not None and all(type(u.update_id) is int for u in updates):
            return updates
        result = answer.get("result") if isinstance(answer, dict) else None
        if not isinstance(result, list):  # nor an id the offset could move past
            raise TelegramError("getUpdates did not return a list of updates")
        parsed = tuple(u for u in (parse_update(item, self) for item in result) if u is not None)
        if result and not parsed:  # no id to move the offset past: back off, do not spin
            raise TelegramError("getUpdates returned no update with a readable id")
        return parsed
