"""A stand-in for Telegram's servers: a python-telegram-bot request class that answers in-process.

Everything above it is real: the Bot, the Application, the handlers, the rate limiter, SQLite.
It keeps the chats as Telegram would (messages sent, edited, deleted) so tests can read what a
person would see, and can be told to fail a method with 429, 403, 400 or 5xx.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram.request import BaseRequest, RequestData

# The Bot API reads a method's name whatever its case; python-telegram-bot's own names say how
# each is written.
_METHODS = {name.lower(): name for name in dir(Bot) if name[:1].islower() and name != name.lower()}


def method_name(asked: str) -> str:
    return _METHODS.get(asked.lower(), asked)

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BOT_USER = {"id": 1, "is_bot": True, "first_name": "Penah", "username": "penah_test_bot"}


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    chat_id: int | None = None  # only calls to this chat fail


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=lambda: asyncio.get_running_loop().time())  # the limiter's


class FakeTelegram(BaseRequest):
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.chats: dict[int, dict[int, dict[str, Any]]] = {}
        self.failures: dict[str, list[Failure]] = {}
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._pending: list[dict[str, Any]] = []  # fetched, not yet confirmed by an offset
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self.latency = 0.0
        self.errors: list[tuple[Call, int, str]] = []  # every error answered

    # ---- BaseRequest
    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None,
                         ) -> tuple[int, bytes]:
        endpoint = method_name(url.rsplit("/", 1)[-1])
        params = dict(request_data.parameters) if request_data else {}
        call = Call(endpoint, params)
        if endpoint != "getUpdates":
            self.calls.append(call)
        if self.latency:
            await asyncio.sleep(self.latency)
        queued = [f for f in self.failures.get(endpoint, [])
                  if f.chat_id in (None, params.get("chat_id"))]
        if queued:
            failure = queued[0]
            failure.times -= 1
            if failure.times <= 0:
                self.failures[endpoint].remove(failure)
            body: dict[str, Any] = {"ok": False, "error_code": failure.status,
                                    "description": failure.description}
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, json.dumps(body).encode()
        try:
            result = await self._answer(endpoint, params, read_timeout)
        except LookupError as exc:
            error = {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
            self.errors.append((call, 400, f"Bad Request: {exc}"))
            return 400, json.dumps(error).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # ---- the Bot API, as far as Penah uses it
    async def _answer(self, endpoint: str, params: dict[str, Any], read_timeout: Any) -> Any:
        if endpoint == "getUpdates":
            return await self._get_updates(params)
        return answer_call(self.chats, self._ids, endpoint, params)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """As Telegram: updates from `offset` on, kept until an offset moves past them."""
        offset = int(params.get("offset") or 0)
        self._pending = [u for u in self._pending
                         if not isinstance(u.get("update_id"), int) or u["update_id"] >= offset]
        if not self._pending and self.updates.empty():
            timeout = float(params.get("timeout") or 0)
            try:
                self._pending.append(
                    await asyncio.wait_for(self.updates.get(), timeout=max(timeout, 0.01)))
            except TimeoutError:
                return []
        while not self.updates.empty():
            self._pending.append(self.updates.get_nowait())
        return list(self._pending)

    # ---- for tests
    def fail(self, endpoint: str, status: int, description: str, *,
             retry_after: int | None = None, times: int = 1, chat_id: int | None = None) -> None:
        """The next `times` calls of `endpoint` (to `chat_id` only, if given) fail."""
        self.failures.setdefault(endpoint, []).append(
            Failure(status, description, retry_after, times, chat_id)
        )

    def called(self, endpoint: str) -> list[Call]:
        return [c for c in self.calls if c.method == endpoint]

    def visible(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages of the bot still in a chat, oldest first."""
        return [m for _, m in sorted(self.chats.get(chat_id, {}).items())]

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def next_message_id(self) -> int:
        return next(self._ids)


def answer_call(chats: dict[int, dict[int, dict[str, Any]]], ids: Iterator[int],
                method: str, params: dict[str, Any]) -> Any:
    """What Telegram does with a call, as far as Penah uses the Bot API; both fakes use it.

    Editing a message that is not there, or to exactly what it already shows, raises
    LookupError (Telegram's 400).
    """
    if method == "getMe":
        return BOT_USER
    if method == "sendMessage":
        chat_id = int(params["chat_id"])
        message = bot_message(chat_id, next(ids), params)
        chats.setdefault(chat_id, {})[message["message_id"]] = message
        return message
    if method == "editMessageText":
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        if message_id not in chats.get(chat_id, {}):
            raise LookupError("message to edit not found")
        message = bot_message(chat_id, message_id, params)
        shown = chats[chat_id][message_id]
        if (shown.get("text"), shown.get("reply_markup")) == (
            message["text"], message.get("reply_markup")
        ):
            raise LookupError(NOT_MODIFIED)
        chats[chat_id][message_id] = message
        return message
    if method == "deleteMessages":
        chat = chats.get(int(params["chat_id"]), {})
        for message_id in params["message_ids"]:
            chat.pop(int(message_id), None)
    return True  # answerCallbackQuery, setMyCommands, leaveChat, deleteWebhook, …


def bot_message(chat_id: int, message_id: int, params: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
        "from": BOT_USER,
        "text": params.get("text", ""),
    }
    markup = params.get("reply_markup")
    if markup:
        message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
    return message


def user(user_id: int = 4242, language_code: str | None = "en") -> dict[str, Any]:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Test"}
    if language_code:
        data["language_code"] = language_code
    return data


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]
