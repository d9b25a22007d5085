"""python-telegram-bot's HTTP layer on aiohttp, whose C HTTP parser and keep-alive pool cost
less CPU per Bot API call than httpx/httpcore/anyio (benchmarks/http_clients.py). It behaves as
PTB's `HTTPXRequest`: the same bodies, a pool of `connection_pool_size` kept-alive connections,
PTB's timeouts (a pool wait and a connect count against `connect_timeout` + `pool_timeout`; no
write timeout: bodies are a few kilobytes), proxies from the environment as httpx reads them,
PTB's `TimedOut` and `NetworkError`. httpx stays the fallback (PENAH_HTTP_CLIENT).
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.config import Client


class AiohttpRequest(BaseRequest):
    def __init__(self, connection_pool_size: int = 1, read_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 1.0) -> None:
        self._pool_size = connection_pool_size
        self._read, self._connect, self._pool = read_timeout, connect_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0),
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none
                # Not trust_env: it looks up netrc and the proxy in a thread on every request.
                trust_env=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        if request_data is not None and request_data.multipart_data:
            raise NotImplementedError("Penah uploads no files")
        connect = _given(connect_timeout, self._connect)
        pool = _given(pool_timeout, self._pool)
        timeout = aiohttp.ClientTimeout(
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=_given(read_timeout, self._read),
        )
        fields = request_data.json_parameters if request_data is not None else None
        try:
            async with self._session.request(
                method, url, data=fields or None, timeout=timeout, allow_redirects=False,
                proxy=self._proxy(url),
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    def _proxy(self, url: str) -> str | None:
        """HTTPS_PROXY and the like, with NO_PROXY, as httpx reads them; once per host."""
        parts = urlsplit(url)
        host = (parts.scheme, parts.hostname or "")
        if host not in self._proxies:
            proxies = urllib.request.getproxies()
            bypass = urllib.request.proxy_bypass(host[1]) if host[1] else True
            self._proxies[host] = None if bypass else proxies.get(host[0]) or proxies.get("all")
        return self._proxies[host]


def _given(value: object, default: float | None) -> float | None:
    """A timeout as passed, or this request's own when none was (PTB's documented test)."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return float(value) if isinstance(value, int | float) else None


def make_request(client: Client, connection_pool_size: int = 1,
                 pool_timeout: float = 1.0) -> BaseRequest:
    kind = HTTPXRequest if client == "httpx" else AiohttpRequest
    return kind(connection_pool_size=connection_pool_size, pool_timeout=pool_timeout)
