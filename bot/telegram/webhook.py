"""The webhook server: the secret and the size checked before a byte of the body is read.

PTB's own webhook handler reads the whole body (tornado's default limit is 100 MB) and only
then checks Telegram's secret header, so strangers can make the bot hold gigabytes. Here the
handler streams: `prepare()` runs on the headers alone and refuses a wrong secret, a wrong
content type or a declared length over `MAX_BODY`; tornado itself cuts any body that grows
past it. The port is bound before Telegram is told the URL, so a port in use is a clear
start-up error, not a webhook pointing at nothing.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from http import HTTPStatus
from pathlib import Path
from socket import socket
from typing import Any

from telegram import Bot
from telegram.ext import Updater

from bot.ops.startup import StartupError
from bot.telegram.updates import parse_update

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # Telegram's largest updates are a few KB
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name

try:
    import tornado.httpserver
    import tornado.web
except ImportError:  # the webhook extra is not installed; polling still works
    tornado = None  # type: ignore[assignment]


def webhook_app(
    path: str, bot: Bot, queue: asyncio.Queue[object], secret: str
) -> tornado.web.Application:
    """A tornado Application that takes updates at `path` (leading slash included)."""

    @tornado.web.stream_request_body
    class UpdateHandler(tornado.web.RequestHandler):
        SUPPORTED_METHODS = ("POST",)

        def prepare(self) -> None:
            given = self.request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
            kind = self.request.headers.get("Content-Type", "").split(";")[0].strip()
            if kind != "application/json":
                raise tornado.web.HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
            length = self.request.headers.get("Content-Length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            self._chunks: list[bytes] = []
            self._size = 0

        def data_received(self, chunk: bytes) -> None:
            self._size += len(chunk)
            if self._size > MAX_BODY:  # chunked bodies declare no length
                raise tornado.web.HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            self._chunks.append(chunk)

        async def post(self) -> None:
            try:
                data = json.loads(b"".join(self._chunks))
            except (ValueError, RecursionError):  # not JSON, or nested past Python's limit
                raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
            update = parse_update(data, bot)
            if update is not None:
                await queue.put(update)
            self.set_status(HTTPStatus.OK)

        def log_exception(self, *args: Any) -> None:
            """Refusals are expected; an error in `post` is logged by type only."""
            kind = args[0] if args else None
            if kind is not None and not issubclass(kind, tornado.web.HTTPError):
                log.error("webhook request failed: %s", kind.__name__)

    class WebhookApp(tornado.web.Application):
        def log_request(self, handler: tornado.web.RequestHandler) -> None:
            """No access log: it would only say that Telegram called."""

    return WebhookApp([(rf"{path}/?", UpdateHandler)])


class BoundedWebhookServer:
    """What PTB's Updater expects of its server: serve_forever(ready), shutdown(), is_running."""

    def __init__(self, listen: str, port: int, app: tornado.web.Application) -> None:
        self._http = tornado.httpserver.HTTPServer(
            app,
            max_body_size=MAX_BODY,
            max_buffer_size=4 * MAX_BODY,
            idle_connection_timeout=60,
            body_timeout=30,  # a body trickled in a byte at a time is cut off
        )
        self.listen, self.port = listen, port
        self.is_running = False

    def bind(self) -> None:
        try:
            self._http.listen(self.port, address=self.listen)
        except OSError as exc:
            raise StartupError(
                f"the webhook server cannot listen on {self.listen}:{self.port} "
                f"({exc.strerror or exc}); free the port or set PENAH_LISTEN"
            ) from None
        self.is_running = True

    async def serve_forever(self, ready: asyncio.Event | None = None) -> None:
        if ready is not None:
            ready.set()

    async def shutdown(self) -> None:
        if self.is_running:
            self.is_running = False
            self._http.stop()
            await self._http.close_all_connections()


class PenahUpdater(Updater):
    """PTB's Updater with Penah's webhook server; polling is PTB's own."""

    async def _start_webhook(
        self,
        listen: str,
        port: int,
        url_path: str,
        bootstrap_retries: int,
        allowed_updates: Any,
        cert: str | Path | None = None,
        key: str | Path | None = None,
        drop_pending_updates: bool | None = None,
        webhook_url: str | None = None,
        ready: asyncio.Event | None = None,
        ip_address: str | None = None,
        max_connections: int = 40,
        secret_token: str | None = None,
        unix: str | Path | socket | None = None,
    ) -> None:
        if tornado is None:
            raise StartupError("webhook mode needs: pip install 'penah[webhook]'")
        if not secret_token or cert or key or unix or not webhook_url:
            raise StartupError("the webhook needs a secret and a public URL (PENAH_WEBHOOK_URL)")
        if not url_path.startswith("/"):
            url_path = f"/{url_path}"
        app = webhook_app(url_path, self.bot, self.update_queue, secret_token)
        server = BoundedWebhookServer(listen, port, app)
        server.bind()  # before Telegram is told to post here
        self._httpd = server  # type: ignore[assignment]
        await self._bootstrap(
            cert=None,
            max_retries=bootstrap_retries,
            drop_pending_updates=drop_pending_updates,
            webhook_url=webhook_url,
            allowed_updates=allowed_updates,
            ip_address=ip_address,
            max_connections=max_connections,
            secret_token=secret_token,
        )
        await server.serve_forever(ready=ready)
