"""Updates read one at a time, so one python-telegram-bot cannot parse stops nobody.

PTB's `Bot.get_updates` parses a whole batch in one go: one update in a shape it does not
expect (an older, newer or self-hosted Bot API) fails the batch, and the same batch is fetched
again, forever. Here, when PTB cannot read a batch, each of its updates is parsed on its own;
one that fails becomes a bare `Update(update_id=…)`, so the offset still advances, the gate
drops it (it has no message), and the log gets its type and id only (PTB's own CRITICAL
record of the batch reaches the log with its values withheld, by bot/ops/logs.py). A batch PTB
reads is used as PTB read it: the common case costs nothing more.

Only public extension points: the getUpdates request is a `BaseRequest` whose
`parse_json_payload` (documented as the place to customise reading Telegram's answers) keeps
the last answer, and `get_updates` calls PTB's own before falling back to it.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import BaseRequest, RequestData

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


class UpdatesRequest(BaseRequest):
    """The getUpdates request: another request's, keeping the last answer it read."""

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

    def take_last(self) -> object:
        """The last answer's `result`, once (None if there was none)."""
        answer, self.last_answer = self.last_answer, None
        return answer.get("result") if isinstance(answer, dict) else None


class PenahExtBot(ExtBot[Any]):
    """An ExtBot whose getUpdates falls back to parsing each update on its own."""

    __slots__ = ("_penah_updates",)

    def __init__(
        self,
        token: str,
        *,
        base_url: str,
        request: BaseRequest,
        updates_request: UpdatesRequest,
        rate_limiter: BaseRateLimiter[Any],
    ) -> None:
        super().__init__(
            token,
            base_url=base_url,
            request=request,
            get_updates_request=updates_request,
            rate_limiter=rate_limiter,
        )
        self._penah_updates = updates_request  # a bot's public attributes are frozen

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        updates: tuple[Update, ...] | None
        try:
            updates = await super().get_updates(*args, **kwargs)
        except TelegramError:  # the network or the Bot API: the Updater backs off
            raise
        except Exception:  # PTB could not read an update of the batch
            updates = None
        finally:  # the batch's raw JSON (people's messages) is not kept past this call
            result = self._penah_updates.take_last()
        if updates is not None and all(type(u.update_id) is int for u in updates):
            return updates
        if not isinstance(result, list):  # nor an id the offset could move past
            raise TelegramError("getUpdates did not return a list of updates")
        parsed = tuple(u for u in (parse_update(item, self) for item in result) if u is not None)
        if result and not parsed:  # no id to move the offset past: back off, do not spin
            raise TelegramError("getUpdates returned no update with a readable id")
        return parsed


def make_bot(
    token: str,
    base_url: str,
    rate_limiter: BaseRateLimiter[Any],
    request: BaseRequest,
    updates_request: BaseRequest | None = None,
) -> PenahExtBot:
    """The bot for ApplicationBuilder.bot(): Penah's getUpdates."""
    return PenahExtBot(
        token,
        base_url=base_url,
        request=request,
        updates_request=UpdatesRequest(updates_request or request),
        rate_limiter=rate_limiter,
    )
