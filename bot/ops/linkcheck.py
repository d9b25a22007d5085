"""The link check: each address once, with a deadline per link (DNS, TLS, redirects) and per
run. A link or redirect must not reach inside the network: a name is looked up once, refused if
any address is not public, and the request pinned to that address (no DNS rebinding); through a
proxy, which looks names up itself, by its host name. `allow_private` lifts the refusal."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ipaddress
import math
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bot.directory.queries import Directory
from bot.ops.logs import chain
from bot.printable import printable

USER_AGENT = "Penah-link-check/1 (directory maintenance; one request per link)"
CONCURRENCY = 8
TIMEOUT = 8.0  # seconds for one link, redirects included
RUN_SLACK = 1.0  # the run's deadline beyond its links' deadlines laid end to end
MAX_REDIRECTS = 10
# A site that refuses robots is not a dead link: people can still open it.
REFUSED = frozenset({401, 403, 405, 429})
METADATA = ipaddress.ip_address("169.254.169.254")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
ALLOW_HINT = ("not fetched (for an intranet: penah check --allow-private, "
              "PENAH_CHECK_LINKS_ALLOW_PRIVATE=1)")


@dataclass(frozen=True)
class Link:
    owner: str  # the resource or guide id
    url: str


@dataclass(frozen=True)
class LinkResult:
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


def links_of(directory: Directory) -> list[Link]:
    return [*(Link(r.id, c.value) for r in directory.resources.values() for c in r.contacts
              if c.value.startswith("https://")),
            *(Link(guide.id, guide.source.url) for guide in directory.data.guides)]


class RefusedAddress(Exception):
    """A link's host is, or resolves to, an address inside the network."""


def inward(address: str) -> str | None:
    """What kind of internal address this is, or None for a public one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):  # IPv4 inside IPv6: judged as the IPv4 it is
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        ip = embedded or ip
    kinds = (
        (ip == METADATA, "the cloud metadata address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_private and not ip.is_reserved, "a private address"),
        (not ip.is_global, "not a public address"),
    )
    return next((why for inside, why in kinds if inside), None)


def _refusal(host: str, address: str, why: str) -> RefusedAddress:
    what = f"{host} is {why}" if host == address else f"{host} is {why} ({address})"
    return RefusedAddress(f"refused: {printable(what)}; {ALLOW_HINT}")


def check_host_name(host: str) -> None:
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
    """A lookup cannot be cancelled: in a daemon thread a hung resolver holds neither the link's
    deadline nor, at the end, the process (asyncio's executor would be waited for)."""
    answer: concurrent.futures.Future[list[Any]] = concurrent.futures.Future()

    def look_up() -> None:
        if not answer.set_running_or_notify_cancel():  # nobody waits any more
            return
        try:
            answer.set_result(getaddrinfo(host, port))
        except Exception as exc:
            answer.set_exception(exc)

    threading.Thread(target=look_up, name="link-lookup", daemon=True).start()
    infos = await asyncio.wrap_future(answer)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class LinkTransport(httpx.AsyncBaseTransport):
    """Each request (each redirect too): through the environment's proxy, checked by host name,
    or straight to an address looked up and found public."""

    def __init__(self, *, allow_private: bool, concurrency: int = CONCURRENCY) -> None:
        self.allow_private = allow_private
        self.ssl_context = httpx.create_ssl_context(trust_env=True)  # SSL_CERT_FILE, …_DIR
        # No connection is kept for another request: the pool knows it by its address alone,
        # and its TLS was checked for the name it was opened for.
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=0)
        self.direct = httpx.AsyncHTTPTransport(verify=self.ssl_context, limits=limits)
        self.proxies: dict[str, httpx.AsyncHTTPTransport] = {}

    def _proxy(self, url: httpx.URL) -> httpx.AsyncHTTPTransport | None:
        proxies = urllib.request.getproxies()
        proxy = proxies.get(url.scheme) or proxies.get("all")
        if not url.host or not proxy or urllib.request.proxy_bypass(url.host):
            return None
        if proxy not in self.proxies:
            self.proxies[proxy] = httpx.AsyncHTTPTransport(proxy=proxy, verify=self.ssl_context)
        return self.proxies[proxy]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        proxy = self._proxy(url)
        if proxy is not None:
            if not self.allow_private:
                check_host_name(url.host)
            return await proxy.handle_async_request(request)
        host = url.raw_host.decode("ascii")
        try:
            addresses = await resolve(host, url.port or (443 if url.scheme == "https" else 80))
        except OSError as exc:
            raise httpx.ConnectError(f"cannot look up {host}: {exc}", request=request) from exc
        if not addresses:
            raise httpx.ConnectError(f"{host} has no address", request=request)
        for address in addresses if not self.allow_private else ():
            why = inward(address)
            if why is not None:
                raise _refusal(host, address, why)
        extensions = {**request.extensions, "sni_hostname": host}
        for address in addresses:  # as a browser would, the next address if one fails
            pinned = httpx.Request(request.method, url.copy_with(host=address),
                                   headers=request.headers, stream=request.stream,
                                   extensions=extensions)
            try:
                return await self.direct.handle_async_request(pinned)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                error = exc
        raise error

    async def aclose(self) -> None:
        for transport in (self.direct, *self.proxies.values()):
            await transport.aclose()


def _reason(exc: BaseException, seconds: float = TIMEOUT) -> str:
    """The failure as an admin can act on it; TLS problems and refusals say so."""
    for cause in chain(exc):
        if isinstance(cause, RefusedAddress):
            return str(cause)
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS error: {cause.verify_message or 'certificate not trusted'}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause.reason or cause}"
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {seconds:g} s ({type(exc).__name__})"
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    text = str(exc) or type(exc).__name__
    if "certificate" in text.lower() or "ssl" in text.lower():
        return f"TLS error: {text[:160]}"
    return f"cannot connect: {text[:160]}"


async def check_urls(
    urls: Iterable[str],
    *,
    concurrency: int = CONCURRENCY,
    request_timeout: float = TIMEOUT,
    allow_private: bool = False,
) -> dict[str, LinkResult]:
    """At most `concurrency` at a time, each within `request_timeout` seconds, and all within
    their deadlines laid end to end."""
    distinct = list(dict.fromkeys(urls))
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(
        transport=LinkTransport(allow_private=allow_private, concurrency=concurrency),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(request_timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"},
        trust_env=False,  # the transport reads the proxy and certificate variables itself
    ) as client:

        async def one(url: str) -> LinkResult:
            async with gate:
                try:
                    async with asyncio.timeout(request_timeout):  # lookups, TLS, redirects
                        async with client.stream("GET", url) as response:  # no body read
                            return LinkResult(url, response.status_code,
                                              response.reason_phrase or "", str(response.url))
                except TimeoutError:
                    return LinkResult(url, None, f"no answer within {request_timeout:g} s")
                except (httpx.HTTPError, RefusedAddress, OSError, ValueError) as exc:
                    return LinkResult(url, None, _reason(exc, request_timeout))

        tasks = [asyncio.ensure_future(one(url)) for url in distinct]
        if not tasks:
            return {}
        budget = request_timeout * math.ceil(len(tasks) / concurrency) + RUN_SLACK
        done, late = await asyncio.wait(tasks, timeout=budget)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    ran_out = "not checked: the check's time ran out"
    return {url: task.result() if task in done else LinkResult(url, None, ran_out)
            for url, task in zip(distinct, tasks, strict=True)}


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
        dead, notices = [], []
        for link in self.links:
            outcome = self.outcomes[link.url]
            about = f"{printable(where)}: " * bool(where) + f"{link.owner}: {printable(link.url)}"
            if outcome.dead:
                dead.append(f"{about}: {describe(outcome)}")
            elif outcome.refused:
                notices.append(f"{about}: refused the check ({describe(outcome)}); open it by hand")
            elif outcome.redirected:
                notices.append(f"{about}: redirected to {printable(outcome.final_url or '')}")
        outcomes = self.outcomes.values()
        return [*dead, *notices, (
            f"checked {len(self.links)} links ({len(self.outcomes)} addresses) in "
            f"{self.seconds:.1f} s: {sum(o.dead for o in outcomes)} dead, "
            f"{sum(o.redirected for o in outcomes)} redirected, "
            f"{sum(o.refused for o in outcomes)} refused the check")]


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
    print("\n".join(report.lines(where)))
    return 1 if report.problems() else 0
