"""The webhook server: Telegram's posts answered whatever strangers do to the port.

PTB's documented custom-webhook setup: no Updater; this server puts each update into
`application.update_queue`, and `set_webhook` is called once the port is bound (so a port in
use is a clear start-up error). Against strangers: the secret, the content type and a declared
length over `MAX_BODY` are refused on the headers, before a byte of the body is read; headers
must all arrive within `HEADER_SECONDS`; and at the connection cap a newcomer closes the
connection that has waited longest for its headers, so idle strangers never lock Telegram out.
tornado, not aiohttp.web, for its per-connection hook, header deadline and streaming handlers.
Imported only in webhook mode (the extra).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, cast

import tornado.httpserver
import tornado.httputil
import tornado.iostream
import tornado.web
from telegram import Bot
from telegram.error import TelegramError
from tornado.http1connection import HTTP1Connection, HTTP1ServerConnection

from bot.config import StartupError
from bot.telegram.runner import retried
from bot.telegram.updates import parse_update

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Telegram's largest updates are a few KB
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
PATH = "/telegram"
HEADER_SECONDS = 10.0  # Telegram sends a request's headers at once
BODY_SECONDS = 30.0  # a body trickled in a byte at a time is cut off
TELEGRAM_CONNECTIONS = 40  # what Telegram is told it may open at once (its own default)
MOST_CONNECTIONS = 256
# The open connections, in the order they began to wait for a request's headers: True while
# they wait, False while a request is under way (which the cap does not drop).
Streams = dict[tornado.iostream.IOStream, bool]


def connection_cap(open_files: int) -> int:
    """A quarter of the open-files limit, at most 256: the rest is for the Bot API's pool, the
    database and the reader child, so strangers can never make an accept fail."""
    return max(16, min(MOST_CONNECTIONS, open_files // 4))


def webhook_app(bot: Bot, queue: asyncio.Queue[object], secret: str,
                streams: Streams) -> tornado.web.Application:

    @tornado.web.stream_request_body
    class UpdateHandler(tornado.web.RequestHandler):
        """Every path: bodies are streamed, so `prepare` refuses on the headers alone, where
        tornado's own 404 would wait for a whole body that a stranger may drip for ever."""

        SUPPORTED_METHODS = ("POST",)

        def prepare(self) -> None:
            stream = cast(HTTP1Connection, self.request.connection).stream
            if stream in streams:  # its headers are in: a request under way now
                streams[stream] = False
            if self.request.path not in (PATH, PATH + "/"):
                raise tornado.web.HTTPError(HTTPStatus.NOT_FOUND)
            given = self.request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
            kind = self.request.headers.get("Content-Type", "").split(";")[0].strip()
            if kind != "application/json":
                raise tornado.web.HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
            length = self.request.headers.get("Content-Length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            self._body = bytearray()

        def data_received(self, chunk: bytes) -> None:
            self._body += chunk
            if len(self._body) > MAX_BODY:  # chunked bodies declare no length
                raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

        async def post(self) -> None:
            try:
                data = json.loads(self._body)
            except (ValueError, RecursionError):  # not JSON, or nested past Python's limit
                raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
            update = parse_update(data, bot)
            if update is not None:
                await queue.put(update)
            self.set_status(HTTPStatus.OK)

        def log_exception(self, *args: Any) -> None:
            """Refusals are expected and not logged; an error is logged by its type only."""
            kind = args[0] if args else None
            if kind is not None and not issubclass(kind, tornado.web.HTTPError):
                log.error("webhook request failed: %s", kind.__name__)

    return tornado.web.Application(
        [(r".*", UpdateHandler)],
        log_function=lambda handler: None,  # no access log: it would only say Telegram called
    )


class CappedHTTPServer(tornado.httpserver.HTTPServer):
    """At most `max_connections` connections; at the cap, a newcomer closes the one that has
    waited longest for a request's headers, or is closed itself if every one is in a request."""

    def initialize(self, *args: Any, max_connections: int = MOST_CONNECTIONS,
                   streams: Streams | None = None, **kwargs: Any) -> None:
        super().initialize(*args, **kwargs)
        self.max_connections = max_connections
        self.streams = {} if streams is None else streams

    def handle_stream(self, stream: tornado.iostream.IOStream, address: tuple[Any, ...]) -> None:
        if len(self.streams) >= self.max_connections:
            oldest = next((s for s, waiting in self.streams.items() if waiting), None)
            if oldest is None:
                stream.close()
                return
            del self.streams[oldest]
            oldest.close()
        self.streams[stream] = True
        super().handle_stream(stream, address)

    def start_request(
        self, server_conn: object, request_conn: tornado.httputil.HTTPConnection
    ) -> tornado.httputil.HTTPMessageDelegate:
        """A connection starts waiting for its next request's headers: to the end of the line."""
        stream = cast(HTTP1ServerConnection, server_conn).stream
        if self.streams.pop(stream, None) is not None:
            self.streams[stream] = True
        return super().start_request(server_conn, request_conn)

    def on_close(self, server_conn: object) -> None:
        self.streams.pop(cast(HTTP1ServerConnection, server_conn).stream, None)
        super().on_close(server_conn)


class Webhook:
    """Receives updates for `penah run --webhook-url`: binds the port, then tells Telegram."""

    def __init__(self, bot: Bot, queue: asyncio.Queue[object], *, listen: str, port: int,
                 url: str, secret: str, allowed_updates: Sequence[str],
                 max_connections: int) -> None:
        if not secret or not url:
            raise StartupError("the webhook needs a secret and a public URL (PENAH_WEBHOOK_URL)")
        self.bot, self.listen, self.port = bot, listen, port
        self.url, self.secret, self.allowed_updates = url, secret, list(allowed_updates)
        streams: Streams = {}
        self.server = CappedHTTPServer(
            webhook_app(bot, queue, secret, streams), max_body_size=MAX_BODY,
            max_buffer_size=4 * MAX_BODY, body_timeout=BODY_SECONDS,
            idle_connection_timeout=HEADER_SECONDS,  # one deadline for the whole header block
            streams=streams, max_connections=max_connections,
        )
        self.running = False

    async def start(self) -> None:
        try:
            self.server.listen(self.port, address=self.listen)
        except OSError as exc:
            raise StartupError(
                f"the webhook server cannot listen on {self.listen}:{self.port} "
                f"({exc.strerror or exc}); free the port or set PENAH_LISTEN"
            ) from None
        self.running = True
        # until Telegram takes it: a start during an outage waits, as polling does
        await retried(lambda: self.bot.set_webhook(
            self.url, secret_token=self.secret, allowed_updates=self.allowed_updates,
            max_connections=TELEGRAM_CONNECTIONS), TelegramError, "could not set the webhook")

    async def stop(self) -> None:
        self.running = False
        self.server.stop()
        await self.server.close_all_connections()
