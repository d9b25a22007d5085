"""Checks the directory's links over the network: `penah check --online`, and the bot's daily run.

Only links people are sent to are checked: website, form and https contact links, and guide
sources (a guide shows its source). A resource's own source is a citation, not a button, and
may be an archived or http page. Each address is fetched once, with a bound on concurrency,
one timeout per request, redirects followed and reported, and no retries: a busy site gets at
most one request from us. httpx reads SSL_CERT_FILE and the proxy variables (trust_env).
This never runs in a request path: the CLI runs it, and the bot in a background task.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from bot.loading.files import files_of, read_file
from bot.loading.yamlfile import decode, scan

USER_AGENT = "Penah-link-check/1 (directory maintenance; one request per link)"
CONCURRENCY = 8
TIMEOUT = 8.0  # 47 addresses, 8 at a time: under a minute even if every site times out
# A site that refuses robots is not a dead link: people can still open it.
REFUSED = frozenset({401, 403, 405, 429})


@dataclass(frozen=True)
class Link:
    file: str
    line: int
    owner: str  # the resource or guide id
    url: str


@dataclass(frozen=True)
class Outcome:
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


def links_in(text: str, filename: str) -> list[Link]:
    """The links of a directory file, each with the line it is written on.

    The file may have changed since it was validated: the same nesting and alias limits
    apply before anything is composed (DirectoryError if they are broken)."""
    scan(text, filename)
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    found: list[Link] = []
    for kind, entry in _entries(root):
        owner = _scalar(entry, "id")
        if kind == "resources":
            for contact in _items(_child(entry, "contacts")):
                value = _child(contact, "value")
                if isinstance(value, yaml.ScalarNode) and str(value.value).startswith("https://"):
                    found.append(Link(filename, value.start_mark.line + 1, owner, value.value))
        else:
            url = _child(_child(entry, "source"), "url")
            if isinstance(url, yaml.ScalarNode):
                found.append(Link(filename, url.start_mark.line + 1, owner, url.value))
    return found


def _entries(root: yaml.Node | None) -> Iterator[tuple[str, yaml.Node]]:
    for kind in ("resources", "guides"):
        for entry in _items(_child(root, kind)):
            yield kind, entry


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == key:
                return value  # type: ignore[no-any-return]
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _scalar(node: yaml.Node, key: str) -> str:
    child = _child(node, key)
    return str(child.value) if isinstance(child, yaml.ScalarNode) else "?"


# --------------------------------------------------------------------------- fetching


def _reason(exc: Exception, seconds: float = TIMEOUT) -> str:
    """Name the failure as an admin can act on it; TLS problems say so."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
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


async def _fetch(client: httpx.AsyncClient, url: str, seconds: float) -> Outcome:
    try:
        async with client.stream("GET", url) as response:  # headers only; the body is not read
            final = str(response.url)
            return Outcome(url, response.status_code, response.reason_phrase or "", final)
    except httpx.HTTPError as exc:
        return Outcome(url, None, _reason(exc, seconds))
    except (ssl.SSLError, OSError, ValueError) as exc:
        return Outcome(url, None, _reason(exc, seconds))


async def check_urls(
    urls: Iterable[str],
    *,
    concurrency: int = CONCURRENCY,
    request_timeout: float = TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Outcome]:
    """Each distinct address once, at most `concurrency` at a time."""
    distinct = list(dict.fromkeys(urls))
    gate = asyncio.Semaphore(concurrency)
    options: dict[str, Any] = {
        "follow_redirects": True,
        "timeout": httpx.Timeout(request_timeout),
        "headers": {"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"},
        "limits": httpx.Limits(max_connections=concurrency),
        "trust_env": True,  # SSL_CERT_FILE, SSL_CERT_DIR, HTTPS_PROXY, NO_PROXY …
    }
    if transport is not None:
        options["transport"] = transport
    async with httpx.AsyncClient(**options) as client:

        async def one(url: str) -> Outcome:
            async with gate:
                return await _fetch(client, url, request_timeout)

        results = await asyncio.gather(*(one(u) for u in distinct))
    return dict(zip(distinct, results, strict=True))


# --------------------------------------------------------------------------- reporting


@dataclass(frozen=True)
class Report:
    links: tuple[Link, ...]
    outcomes: dict[str, Outcome]
    seconds: float

    def problems(self) -> list[tuple[Link, Outcome]]:
        return [(link, self.outcomes[link.url]) for link in self.links
                if self.outcomes[link.url].dead]

    def lines(self) -> list[str]:
        """`file:line: id: url: status/reason` per problem, then notices, then a summary."""
        out: list[str] = []
        notices: list[str] = []
        for link in self.links:
            outcome = self.outcomes[link.url]
            where = f"{link.file}:{link.line}: {link.owner}: {link.url}"
            if outcome.dead:
                out.append(f"{where}: {describe(outcome)}")
            elif outcome.refused:
                notices.append(f"{where}: refused the check ({describe(outcome)}); open it by hand")
            elif outcome.redirected:
                notices.append(f"{where}: redirected to {outcome.final_url}")
        dead = len({link.url for link, _ in self.problems()})
        out += notices
        out.append(
            f"checked {len(self.links)} links ({len(self.outcomes)} addresses) in "
            f"{self.seconds:.1f} s: {dead} dead, "
            f"{sum(o.redirected for o in self.outcomes.values())} redirected, "
            f"{sum(o.refused for o in self.outcomes.values())} refused the check"
        )
        return out


def describe(outcome: Outcome) -> str:
    if outcome.status is None:
        return outcome.reason
    return f"HTTP {outcome.status} {outcome.reason}".strip()


async def check_links(links: Sequence[Link], **options: Any) -> Report:
    started = time.perf_counter()
    outcomes = await check_urls((link.url for link in links), **options)
    return Report(tuple(links), outcomes, time.perf_counter() - started)


def links_of_path(path: Path) -> list[Link]:
    """The links of a directory file, or of every YAML file in a directory folder."""
    files = files_of(path)  # a folder's files in the order the directory reads them
    folder = path if path.is_dir() else None
    return [link for f in files for link in links_in(decode(read_file(f, folder), str(f)), str(f))]


def run_online(path: Path) -> int:
    """`penah check --online FILE`: print the problems and a summary; 1 if a link is dead."""
    report = asyncio.run(check_links(links_of_path(path)))
    for line in report.lines():
        print(line)
    return 1 if report.problems() else 0
