"""Checks the directory's links over the network: `penah check --online`, and the bot's daily run.

Only links people are sent to are checked: website, form and https contact links, and guide
sources (a guide shows its source). They are taken from the loaded directory, never by reading
its files again. Each address is fetched once, at most `CONCURRENCY` at a time, with no
retries: a busy site gets at most one request from us.

Every link has one deadline for everything (the name's lookup, connecting, TLS, the headers,
each redirect), and the run has one too, so no server, however slow it drips its answer, and
no resolver can hold the check: `penah check --online` ends within
`seconds × addresses / CONCURRENCY` and a few seconds more.

A directory link, or a redirect from one, may point inside the network the bot runs in
(127.0.0.1, 10.0.0.0/8, 169.254.169.254 where clouds hand out credentials, …). Each name is
looked up once, by the check itself; if any of its addresses is not public the link is
refused and reported as such, and otherwise the connection goes to the address that was
checked (TLS and the Host header still use the name), so a name cannot answer differently the
second time. Every redirect is checked the same way. With a proxy configured (HTTPS_PROXY and
the like, NO_PROXY honoured) the proxy is trusted to reach only what it should and looks names
up itself: links through it are checked by their host name alone (an internal address written
as the host, or `localhost`). `allow_private` (`penah check --online --allow-private`,
PENAH_CHECK_LINKS_ALLOW_PRIVATE=1 for the bot) lifts the refusal, for tests and intranets.
SSL_CERT_FILE and SSL_CERT_DIR are honoured, as httpx does.
This never runs in a request path: the CLI runs it, and the bot in a background task.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from bot.directory.queries import Directory
from bot.printable import printable

USER_AGENT = "Penah-link-check/1 (directory maintenance; one request per link)"
CONCURRENCY = 8
TIMEOUT = 8.0  # seconds for one link, redirects included
RUN_SLACK = 1.0  # the run's deadline beyond its links' deadlines laid end to end
MAX_REDIRECTS = 10
RAN_OUT = "not checked: the check's time ran out"
# A site that refuses robots is not a dead link: people can still open it.
REFUSED = frozenset({401, 403, 405, 429})
METADATA = ipaddress.ip_address("169.254.169.254")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
ALLOW_HINT = (
    "not fetched (for an intranet: penah check --allow-private, PENAH_CHECK_LINKS_ALLOW_PRIVATE=1)"
)


@dataclass(frozen=True)
class Link:
    owner: str  # the resource or guide id
    url: str


@dataclass(frozen=True)
class LinkResult:
    """What one address answered. `dead` links make the check fail."""

    url: str
    status: int | None
    reason: str
    final_url: str | None = None

    @property
    def dead(self) -> bool:
        return self.status is None or (self.status >= 400 and self.status not in REFUSED)

    @property
    def refused(self) -> bool:
        return self.status in REFUSED

    @property
    def redirected(self) -> bool:
        return self.final_url is not None and self.final_url != self.url


# --------------------------------------------------------------------------- which links


def links_of(directory: Directory) -> list[Link]:
    """The links people are sent to, from the loaded directory: resources' https contacts,
    then guides' sources."""
    found = [
        Link(resource.id, contact.value)
        for resource in directory.resources.values()
        for contact in resource.contacts
        if contact.value.startswith("https://")
    ]
    return found + [Link(guide.id, guide.source.url) for guide in directory.data.guides]


# --------------------------------------------------------------------------- addresses


class RefusedAddress(Exception):
    """A link's host is, or resolves to, an address inside the network."""


def inward(address: str) -> str | None:
    """What kind of internal address this is, or None for a public one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):  # IPv4 inside IPv6: judged as the IPv4 it is
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            ip = embedded
    if ip == METADATA:
        return "the cloud metadata address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private and not ip.is_reserved:
        return "a private address"
    if not ip.is_global:
        return "not a public address"
    return None


def _refusal(host: str, address: str, why: str) -> RefusedAddress:
    what = f"{host} is {why}" if host == address else f"{host} is {why} ({address})"
    return RefusedAddress(f"refused: {printable(what)}; {ALLOW_HINT}")


def check_host_name(host: str) -> None:
    """The check for a link that goes through a proxy: by what its host says it is."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        raise _refusal(host, host, "a loopback name")
    with contextlib.suppress(ValueError):
        why = inward(name)
        if why is not None:
            raise _refusal(host, name, why)


def getaddrinfo(host: str, port: int) -> list[Any]:
    """The resolver's answer for a host (here, so that tests can stand in for DNS)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


async def resolve(host: str, port: int) -> list[str]:
    """The host's addresses, looked up in a thread of its own.

    A lookup cannot be cancelled; in a daemon thread a hung resolver holds neither the link's
    deadline nor, at the end, the process (asyncio's own executor would be waited for).
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[list[Any]] = loop.create_future()

    def settle(result: list[Any] | None, error: BaseException | None) -> None:
        if not answer.done():
            if error is not None:
                answer.set_exception(error)
            else:
                answer.set_result(result or [])

    def look_up() -> None:
        try:
            result, error = getaddrinfo(host, port), None
        except Exception as exc:
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop is gone: nobody waits any more
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=look_up, name="link-lookup", daemon=True).start()
    infos = await answer
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the address it checked: each name is looked up here, once per connection."""

    def __init__(self, allow_private: bool) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot look up {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} has no address")
        if not self.allow_private:
            for address in addresses:
                why = inward(address)
                if why is not None:
                    raise _refusal(host, address, why)
        error: Exception | None = None
        for address in addresses:  # as a browser would, the next address if one fails
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address,
                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("links are not fetched over unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self.stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self.stream:
            yield part

    async def aclose(self) -> None:
        await self.stream.aclose()


# httpcore's errors as httpx's, so that both read the same in a report.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
)


class LinkTransport(httpx.AsyncBaseTransport):
    """Every request of the check (each redirect too) goes through here: straight to a checked
    address, or through the proxy the environment names, checked by host name."""

    def __init__(self, *, allow_private: bool, concurrency: int = CONCURRENCY) -> None:
        self.allow_private = allow_private
        self.ssl_context = httpx.create_ssl_context(trust_env=True)  # SSL_CERT_FILE, …_DIR
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=self.ssl_context,
            max_connections=concurrency,
            network_backend=_PinnedBackend(allow_private),
        )
        self.proxies: dict[str, httpx.AsyncHTTPTransport] = {}

    def _proxy(self, url: httpx.URL) -> httpx.AsyncHTTPTransport | None:
        """HTTPS_PROXY and the like, unless NO_PROXY names the host."""
        host = url.host
        if not host or urllib.request.proxy_bypass(host):
            return None
        proxies = urllib.request.getproxies()
        proxy = proxies.get(url.scheme) or proxies.get("all")
        if not proxy:
            return None
        if proxy not in self.proxies:
            self.proxies[proxy] = httpx.AsyncHTTPTransport(proxy=proxy, verify=self.ssl_context)
        return self.proxies[proxy]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self._proxy(request.url)
        if proxy is not None:
            if not self.allow_private:
                check_host_name(request.url.host)
            return await proxy.handle_async_request(request)
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = await self.pool.handle_async_request(core)
        except Exception as exc:
            for theirs, ours in _ERRORS:
                if isinstance(exc, theirs):
                    raise ours(str(exc), request=request) from exc
            if isinstance(exc, httpcore.TimeoutException):
                raise httpx.TimeoutException(str(exc), request=request) from exc
            raise
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()
        for proxy in self.proxies.values():
            await proxy.aclose()


# --------------------------------------------------------------------------- fetching


def _reason(exc: BaseException, seconds: float = TIMEOUT) -> str:
    """Name the failure as an admin can act on it; TLS problems and refusals say so."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, RefusedAddress):
            return str(cause)
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS error: {cause.verify_message or 'certificate not trusted'}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause.reason or cause}"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {seconds:g} s ({type(exc).__name__})"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    text = str(exc) or type(exc).__name__
    if "certificate" in text.lower() or "ssl" in text.lower():
        return f"TLS error: {text[:160]}"
    return f"cannot connect: {text[:160]}"


async def _fetch(client: httpx.AsyncClient, url: str, seconds: float) -> LinkResult:
    try:
        async with asyncio.timeout(seconds):  # the whole of it: lookups, TLS, every redirect
            async with client.stream("GET", url) as response:  # headers only; no body read
                final = str(response.url)
                return LinkResult(url, response.status_code, response.reason_phrase or "", final)
    except TimeoutError:
        return LinkResult(url, None, f"no answer within {seconds:g} s")
    except (httpx.HTTPError, RefusedAddress, ssl.SSLError, OSError, ValueError) as exc:
        return LinkResult(url, None, _reason(exc, seconds))


async def check_urls(
    urls: Iterable[str],
    *,
    concurrency: int = CONCURRENCY,
    request_timeout: float = TIMEOUT,
    allow_private: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, LinkResult]:
    """Each distinct address once, at most `concurrency` at a time, each within
    `request_timeout` seconds, and all of them within their deadlines laid end to end."""
    distinct = list(dict.fromkeys(urls))
    gate = asyncio.Semaphore(concurrency)
    transport = transport or LinkTransport(allow_private=allow_private, concurrency=concurrency)
    async with httpx.AsyncClient(
        transport=transport,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(request_timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"},
        trust_env=False,  # the transport reads the proxy and certificate variables itself
    ) as client:

        async def one(url: str) -> LinkResult:
            async with gate:
                return await _fetch(client, url, request_timeout)

        tasks = [asyncio.ensure_future(one(url)) for url in distinct]
        if not tasks:
            return {}
        budget = request_timeout * math.ceil(len(tasks) / concurrency) + RUN_SLACK
        done, late = await asyncio.wait(tasks, timeout=budget)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    return {
        url: task.result() if task in done else LinkResult(url, None, RAN_OUT)
        for url, task in zip(distinct, tasks, strict=True)
    }


# --------------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class Report:
    links: tuple[Link, ...]
    outcomes: dict[str, LinkResult]
    seconds: float

    def problems(self) -> list[tuple[Link, LinkResult]]:
        return [(link, self.outcomes[link.url]) for link in self.links
                if self.outcomes[link.url].dead]

    def lines(self, where: str = "") -> list[str]:
        """`[where: ]id: url: status/reason` per problem, then notices, then a summary."""
        out: list[str] = []
        notices: list[str] = []
        prefix = f"{printable(where)}: " if where else ""
        for link in self.links:
            outcome = self.outcomes[link.url]
            about = f"{prefix}{link.owner}: {printable(link.url)}"
            if outcome.dead:
                out.append(f"{about}: {describe(outcome)}")
            elif outcome.refused:
                notices.append(f"{about}: refused the check ({describe(outcome)}); open it by hand")
            elif outcome.redirected:
                notices.append(f"{about}: redirected to {printable(outcome.final_url or '')}")
        dead = len({link.url for link, _ in self.problems()})
        out += notices
        out.append(
            f"checked {len(self.links)} links ({len(self.outcomes)} addresses) in "
            f"{self.seconds:.1f} s: {dead} dead, "
            f"{sum(o.redirected for o in self.outcomes.values())} redirected, "
            f"{sum(o.refused for o in self.outcomes.values())} refused the check"
        )
        return out


def describe(outcome: LinkResult) -> str:
    """What went wrong, printable: a reason phrase is whatever the server chose to send."""
    if outcome.status is None:
        return printable(outcome.reason)
    return printable(f"HTTP {outcome.status} {outcome.reason}".strip())


async def check_links(links: Sequence[Link], **options: Any) -> Report:
    started = time.perf_counter()
    outcomes = await check_urls((link.url for link in links), **options)
    return Report(tuple(links), outcomes, time.perf_counter() - started)


def run_online(
    directory: Directory, where: str, *, allow_private: bool, seconds: float = TIMEOUT
) -> int:
    """`penah check --online`: print the problems and a summary; 1 if a link is dead."""
    report = asyncio.run(check_links(
        links_of(directory), allow_private=allow_private, request_timeout=seconds))
    for line in report.lines(where):
        print(line)
    return 1 if report.problems() else 0
