"""A stand-in Telegram Bot API server on 127.0.0.1, for running the real `penah run` process.

tests/fakes.py replaces Telegram inside the bot's own process; this one is a real HTTP/1.1
server, so the bot's HTTP client, connection pool, timeouts, long polling, signal handling and
process start-up are exercised as in production. It records every call with a monotonic time
stamp (comparable with the test's own `time.monotonic()`), and can fail a method, answer slowly
or go away for a while. It enforces Telegram's sending limits (`Limits`), so a bot that sends
too fast gets a 429 here as it would there. Stdlib only: asyncio streams, urllib and email.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import itertools
import json
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl

from tests.fakes import answer_call, method_name

HOST = "127.0.0.1"
# Form fields that are plain strings even when they look like JSON ("123", "true").
STRING_FIELDS = frozenset(
    {"text", "callback_query_id", "description", "short_description", "language_code",
     "parse_mode", "url", "caption", "secret_token"}
)


@dataclass
class Call:
    """One request as the server saw it; `at` is time.monotonic() on arrival."""

    method: str
    params: dict[str, Any]
    at: float
    token: str = ""


@dataclass
class Failure:
    method: str
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    chat_id: int | None = None


DESCRIPTIONS = {
    400: "Bad Request: message is not modified",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
}


# Calls that put a message on someone's screen; answerCallbackQuery and the rest are not limited.
SENDING = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup", "copyMessage",
                     "forwardMessage", "sendPhoto", "sendDocument"})


@dataclass
class Limits:
    """Telegram's sending limits as its Bot FAQ states them, enforced with 429 and retry_after.

    - No more than `per_second` messages in any second, across all chats.
    - A group gets no more than `group_per_minute` in any minute.
    - A private chat: about one message a second, short bursts allowed (`chat_rate`,
      `chat_burst`). Each update a person sends gives the bot one answer that does not count
      against this pace (up to `credit_cap` banked), following Telegram's engineers: editing
      the message a button is on is subject to per-chat limits, but a bot that does not send
      without user interaction can hardly exceed them. The exact private-chat rule is not
      published; this one is strict about what a bot does on its own.
    Edits count as sends (Telegram shares the limits between them).
    """

    per_second: int = 30
    group_per_minute: int = 20
    chat_rate: float = 1.0
    chat_burst: float = 3.0
    credit_cap: int = 20
    enabled: bool = True

    def __post_init__(self) -> None:
        self._sent: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._tokens: dict[int, tuple[float, float]] = {}  # chat -> (tokens, stamp)
        self._credits: dict[int, int] = {}

    def person_sent(self, chat_id: int) -> None:
        self._credits[chat_id] = min(self.credit_cap, self._credits.get(chat_id, 0) + 1)

    def admit(self, chat_id: int, now: float) -> float:
        """0.0 if a message to `chat_id` may go now (and counts it), else seconds to wait."""
        if not self.enabled:
            return 0.0
        while self._sent and self._sent[0] <= now - 1.0:
            self._sent.popleft()
        if len(self._sent) >= self.per_second:
            return self._sent[0] + 1.0 - now
        if chat_id < 0:
            group = self._groups.setdefault(chat_id, deque())
            while group and group[0] <= now - 60.0:
                group.popleft()
            if len(group) >= self.group_per_minute:
                return group[0] + 60.0 - now
            group.append(now)
        elif self._credits.get(chat_id, 0) > 0:
            self._credits[chat_id] -= 1
        else:
            tokens, stamp = self._tokens.get(chat_id, (self.chat_burst, now))
            tokens = min(self.chat_burst, tokens + (now - stamp) * self.chat_rate)
            if tokens < 1:
                self._tokens[chat_id] = (tokens, now)
                return (1 - tokens) / self.chat_rate
            self._tokens[chat_id] = (tokens - 1, now)
        self._sent.append(now)
        return 0.0


@dataclass
class _Waiter:
    predicate: Callable[[Call], bool]
    future: asyncio.Future[Call]


@dataclass
class FakeBotAPI:
    """`async with FakeBotAPI() as api:` serves until the block ends; `api.url` is the base URL."""

    latency: float = 0.0  # added before every answer except getUpdates
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    chats: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)
    pushed_at: dict[int, float] = field(default_factory=dict)  # update_id -> push time
    senders: dict[int, int] = field(default_factory=dict)  # update_id -> user id
    delivered_at: dict[int, float] = field(default_factory=dict)  # update_id -> getUpdates answer
    polling: int = 0  # getUpdates requests being held open right now
    refused: list[float] = field(default_factory=list)  # connections closed by an outage
    limits: Limits = field(default_factory=Limits)
    errors: list[tuple[Call, int, str]] = field(default_factory=list)  # every error answered

    def __post_init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self._failures: list[Failure] = []
        self._waiters: list[_Waiter] = []
        self._ids = itertools.count(1000)
        self._update_ids = itertools.count(1)
        self._connections: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None
        self._down_until = 0.0
        self._restart: asyncio.Task[None] | None = None
        self._truncate = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/bot"

    async def __aenter__(self) -> FakeBotAPI:
        await self._listen()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._restart is not None:
            self._restart.cancel()
        if self._server is not None:
            self._server.close()
        await self._drop_connections()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, HOST, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _drop_connections(self) -> None:
        tasks = list(self._connections)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ------------------------------------------------------------------ test controls
    def push(self, payload: dict[str, Any]) -> int:
        """Queue an update (`{"message": …}` or `{"callback_query": …}`); returns its id."""
        update = {"update_id": next(self._update_ids), **payload}
        self._pending.append(update)
        self.pushed_at[update["update_id"]] = time.monotonic()
        body: Any = next(iter(payload.values()), {})
        if isinstance(body, dict) and isinstance(body.get("from"), dict):
            self.senders[update["update_id"]] = int(body["from"]["id"])
            chat = (body.get("message") or body).get("chat", {}).get("id", body["from"]["id"])
            self.limits.person_sent(int(chat))
        self._arrived.set()
        return int(update["update_id"])

    def send_text(self, sender: dict[str, Any], text: str) -> int:
        """A person types `text` (a /command gets its entity) in their private chat."""
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": sender["id"], "type": "private", "first_name": sender["first_name"]},
            "from": sender,
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self.chats.setdefault(sender["id"], {})[message["message_id"]] = message
        return self.push({"message": message})

    def press(
        self, sender: dict[str, Any], data: str, message: dict[str, Any] | None = None
    ) -> str:
        """A person presses a button on `message` (default: the bot's last one); the query id."""
        message = message or self.last_message(sender["id"])
        query_id = str(next(self._ids))
        self.push({"callback_query": {"id": query_id, "from": sender, "chat_instance": "1",
                                      "data": data, "message": message}})
        return query_id

    def forward_poll(self, sender: dict[str, Any], question: str,
                     origin: dict[str, Any] | None = None) -> int:
        """A forwarded poll in an older Bot API's shape (its options lack fields python-telegram-bot
        now requires), so the library cannot parse the update; its id."""
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": sender["id"], "type": "private", "first_name": sender["first_name"]},
            "from": sender,
            "forward_origin": {"type": "user", "date": int(time.time()),
                               "sender_user": origin or sender},
            "poll": {"id": "5", "question": question, "total_voter_count": 0,
                     "is_closed": False, "is_anonymous": True, "type": "regular",
                     "allows_multiple_answers": False,
                     "options": [{"text": question, "voter_count": 0}]},
        }
        return self.push({"message": message})

    def truncate_updates(self, times: int = 1) -> None:
        """Cut the next `times` non-empty getUpdates answers in half: invalid JSON that still
        holds the start of the updates (names, text)."""
        self._truncate += times

    def fail(
        self, method: str, status: int, description: str | None = None, *,
        retry_after: int | None = None, times: int = 1, chat_id: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (to `chat_id` only, if given) with an error."""
        text = description or DESCRIPTIONS.get(status, HTTPStatus(status).phrase)
        self._failures.append(
            Failure(method, status, text.format(retry_after=retry_after), retry_after, times,
                    chat_id)
        )

    def outage(
        self, seconds: float, mode: Literal["refuse", "close"] = "refuse"
    ) -> asyncio.Task[None]:
        """Go away now, for `seconds`: every open connection is cut, then new ones are refused
        (the port is closed) or accepted and closed at once. The task ends when it is back."""
        self._down_until = time.monotonic() + seconds
        if mode == "refuse" and self._server is not None:
            self._server.close()
            self._server = None

        async def come_back() -> None:
            await self._drop_connections()
            await asyncio.sleep(seconds)
            if self._server is None:
                await self._listen()

        self._restart = asyncio.create_task(come_back())
        return self._restart

    def throttled(self) -> list[Call]:
        """Calls answered with 429."""
        return [call for call, status, _ in self.errors if status == 429]

    def refused_edits(self) -> list[Call]:
        """Edits refused because the message already showed exactly that."""
        return [call for call, status, text in self.errors
                if status == 400 and "not modified" in text]

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def last_message(self, chat_id: int) -> dict[str, Any]:
        """The bot's latest message in a chat, as the person sees it now."""
        mine = [m for m in self.chats.get(chat_id, {}).values() if m.get("from", {}).get("is_bot")]
        if not mine:
            raise AssertionError(f"the bot has sent nothing to chat {chat_id}")
        return max(mine, key=lambda m: m["message_id"])

    async def wait_for(self, predicate: Callable[[Call], bool], within: float = 5.0,
                       since: int = 0) -> Call:
        """The first call from index `since` on that matches, waiting up to `within` s."""
        for call in self.calls[since:]:
            if predicate(call):
                return call
        waiter = _Waiter(predicate, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter.future, within)
        except TimeoutError:
            recent = [c.method for c in self.calls[-8:]]
            raise AssertionError(f"no matching call within {within} s; last calls: {recent}") \
                from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        for waiter in list(self._waiters):
            if not waiter.future.done() and waiter.predicate(call):
                waiter.future.set_result(call)

    # ------------------------------------------------------------------ HTTP
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            if time.monotonic() < self._down_until:
                self.refused.append(time.monotonic())
            while time.monotonic() >= self._down_until:
                request = await _read_request(reader)
                if request is None:
                    break
                path, headers, body = request
                status, answer = await self._dispatch(path, headers, body)
                if time.monotonic() < self._down_until or writer.is_closing():
                    break  # the outage began while this request waited: no answer
                payload = json.dumps(answer).encode()
                truncate = self._truncate and answer.get("result")
                if truncate and method_name(path.rsplit("/", 1)[-1]) == "getUpdates":
                    self._truncate -= 1
                    payload = payload[: len(payload) // 2]
                writer.write(
                    f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
                    .encode() + payload
                )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            pass  # cut by an outage or the end: asyncio 3.11 logs a handler ending cancelled
        finally:
            self._connections.discard(task)
            writer.close()

    async def _dispatch(self, path: str, headers: dict[str, str], body: bytes,
                        ) -> tuple[int, dict[str, Any]]:
        parts = path.split("?", 1)[0].split("/")
        if len(parts) != 3 or not parts[1].startswith("bot"):
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = parts[1][3:], method_name(parts[2])
        try:
            params = parse_body(headers.get("content-type", ""), body)
        except ValueError as exc:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        call = Call(method, params, time.monotonic(), token)
        self._record(call)
        status, answer = await self._answer(call)
        if status != 200:
            self.errors.append((call, status, str(answer.get("description", ""))))
        return status, answer

    async def _answer(self, call: Call) -> tuple[int, dict[str, Any]]:
        method, params = call.method, call.params
        if self.latency and method != "getUpdates":
            await asyncio.sleep(self.latency)
        failure = self._failure_for(method, params)
        if failure is not None:
            answer: dict[str, Any] = {"ok": False, "error_code": failure.status,
                                      "description": failure.description}
            if failure.retry_after is not None:
                answer["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, answer
        if method in SENDING and isinstance(params.get("chat_id"), int):
            wait = self.limits.admit(params["chat_id"], call.at)
            if wait > 0:
                seconds = max(1, math.ceil(wait))
                return 429, {"ok": False, "error_code": 429,
                             "description": f"Too Many Requests: retry after {seconds}",
                             "parameters": {"retry_after": seconds}}
        try:
            result = await self._result(method, params)
        except LookupError as exc:
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        return 200, {"ok": True, "result": result}

    def _failure_for(self, method: str, params: dict[str, Any]) -> Failure | None:
        for failure in self._failures:
            if failure.method == method and failure.chat_id in (None, params.get("chat_id")):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    # ------------------------------------------------------------------ the Bot API
    async def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False,
                    "pending_update_count": len(self._pending)}
        return answer_call(self.chats, self._ids, method, params)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: updates from `offset` on; confirmed ones (below it) are forgotten."""
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        self.polling += 1
        try:
            while not self._pending and loop.time() < deadline:
                self._arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())
        finally:
            self.polling -= 1
        batch = self._pending[:limit]
        now = time.monotonic()
        for update in batch:
            self.delivered_at.setdefault(update["update_id"], now)
        return batch


# ---------------------------------------------------------------------- parsing
async def _read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes] | None:
    """One HTTP/1.1 request: (path, lower-cased headers, body); None when the client left."""
    line = await reader.readline()
    if not line.strip():
        return None
    _, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while size := int((await reader.readline()).split(b";")[0], 16):
            body += await reader.readexactly(size)
            await reader.readline()
        await reader.readline()
    else:
        body = await reader.readexactly(int(headers.get("content-length") or 0))
    return path, headers, body


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """JSON, form (values JSON-encoded unless plain strings, as PTB sends) or multipart."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return {}
    if kind == "application/json":
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object")
        return data
    if kind == "multipart/form-data":
        fields = _multipart(content_type, body)
    else:
        fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    return {name: _field_value(name, value) for name, value in fields.items()}


def _field_value(name: str, value: str | bytes) -> Any:
    if isinstance(value, bytes) or name in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _multipart(content_type: str, body: bytes) -> dict[str, str | bytes]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str | bytes] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = data if part.get_filename() else data.decode()
    return fields
