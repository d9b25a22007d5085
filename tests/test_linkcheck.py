"""`penah check --online` against real HTTPS servers on 127.0.0.1: dead links named, internal
addresses refused unless allowed, and every link and every run ends within its deadline
whatever the servers (or DNS) do."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.ops import linkcheck
from tests.conftest import DATA, ROOT
from tests.linkserver import Handler, certificate, https_server

GOOD = (DATA / "directory.yaml").read_text(encoding="utf-8")
HUNG_DNS = "hung-dns.test"  # a name whose lookup never returns (see hang_dns)
# A link's deadline where one is waited out: far above what a local server takes to answer,
# and far above DRIP, so that a dripping server is cut by the deadline alone.
DEADLINE = 0.3
DRIP = 0.02  # seconds between a dripping server's bytes


def directory_with_links(base: str, *, dead: str = "/dead", moved: str = "/moved",
                         live: str = "/live") -> str:
    """The test directory with a live website, a dead form and a moved guide source."""
    text = GOOD.replace("https://www.iraqinformationcentre.org/about", f"{base}{live}")
    text = text.replace(
        '      - {type: email, value: "help@accessnow.org"',
        f'      - {{type: form, value: "{base}{dead}"}}\n'
        '      - {type: email, value: "help@accessnow.org"',
    )
    guide_source = (
        "https://help.unhcr.org/faq/how-can-we-help-you/reporting-misconduct-or-sexual-abuse/"
        "fraud-committed-by-forcibly-displaced-people"
    )
    text = text.replace(guide_source, f"{base}{moved}")
    assert text.count(base) == 3
    return text


def test_online_check_exits_1_and_names_only_the_dead_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with https_server() as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # as an admin behind a TLS proxy would
        path = tmp_path / "resources.yaml"
        path.write_text(directory_with_links(base), encoding="utf-8")
        Handler.seen.clear()
        assert main(["check", "--online", "--allow-private", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    dead = f"{path}: smex: {base}/dead: HTTP 404 Not Found"
    assert dead in out
    problems = [line for line in out if ": HTTP " in line or "cannot connect" in line]
    assert problems == [dead]
    assert not any("/live: " in line and "HTTP" in line for line in out)
    redirect = f"{path}: unhcr-is-free: {base}/moved: redirected to "
    assert any(line.startswith(redirect) and line.endswith("/live") for line in out)
    assert out[-1].startswith("checked 3 links (3 addresses) in ")
    assert out[-1].endswith(": 1 dead, 1 redirected, 0 refused the check")
    assert {agent for _, agent in Handler.seen} == {linkcheck.USER_AGENT}
    assert sorted(path for path, _ in Handler.seen) == ["/dead", "/live", "/live", "/moved"]


def test_an_untrusted_certificate_is_named_as_a_tls_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with https_server() as (base, _):
        path = tmp_path / "resources.yaml"
        path.write_text(directory_with_links(base), encoding="utf-8")
        assert main(["check", "--online", "--allow-private", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{base}/live: TLS error: " in out
    assert "certificate" in out


def test_a_closed_port_is_dead_and_the_same_address_is_fetched_once() -> None:
    links = [linkcheck.Link(f"r{n}", "https://127.0.0.1:9/x") for n in (1, 2)]
    report = asyncio.run(linkcheck.check_links(links, request_timeout=2.0, allow_private=True))
    assert len(report.outcomes) == 1
    assert [line.split(": ")[0] for line in report.lines()[:2]] == ["r1", "r2"]
    assert "cannot connect" in report.lines()[0]


# ---------------------------------------------------------------------- internal addresses
# Hosts a directory link may name (the directory wants a dot in a link's host name).
INTERNAL_HOSTS = ["127.0.0.1", "169.254.169.254", "10.0.0.1", "172.16.0.1", "192.168.1.1",
                  "0.0.0.0", "[::ffff:127.0.0.1]"]
# Addresses a name may resolve to, and what the refusal calls them.
INWARD = {
    "127.0.0.1": "a loopback address", "::1": "a loopback address",
    "10.1.2.3": "a private address", "172.16.0.1": "a private address",
    "192.168.1.1": "a private address", "fc00::1": "a private address",
    "169.254.169.254": "the cloud metadata address", "fe80::1": "a link-local address",
    "0.0.0.0": "the unspecified address", "::": "the unspecified address",
    "::ffff:127.0.0.1": "a loopback address", "64:ff9b::a00:1": "a private address",
    "2002:7f00:1::": "a loopback address", "100.64.0.1": "not a public address",
    "224.0.0.1": "a multicast address", "255.255.255.255": "not a public address",
}
PUBLIC = ["8.8.8.8", "1.1.1.1", "2001:4860:4860::8888", "2a00:1450:4001::1"]


def test_each_kind_of_internal_address_is_named_and_public_ones_pass() -> None:
    assert {address: linkcheck.inward(address) for address in INWARD} == INWARD
    assert [linkcheck.inward(address) for address in PUBLIC] == [None] * len(PUBLIC)


def test_internal_addresses_are_refused_and_reported_without_the_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with https_server() as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        port = base.rsplit(":", 1)[1]
        urls = [f"https://{host}:{port}/live" for host in INTERNAL_HOSTS]
        links = "".join(f'      - {{type: website, value: "{url}"}}\n' for url in urls)
        text = GOOD.replace(
            '      - {type: email, value: "help@accessnow.org"',
            links + '      - {type: email, value: "help@accessnow.org"')
        path = tmp_path / "resources.yaml"
        path.write_text(text, encoding="utf-8")
        Handler.seen.clear()
        started = time.monotonic()
        assert main(["check", "--online", str(path)]) == 1
        took = time.monotonic() - started
    out = capsys.readouterr().out.splitlines()
    assert Handler.seen == [], "nothing was fetched from an internal address"
    refused = [line for line in out if ": refused: " in line]
    assert len(refused) == len(INTERNAL_HOSTS), out
    assert any("127.0.0.1 is a loopback address" in line for line in refused)
    assert any("169.254.169.254 is the cloud metadata address" in line for line in refused)
    assert any("10.0.0.1 is a private address" in line for line in refused)
    assert all("--allow-private" in line for line in refused)
    assert took < 5, "refused before any connection is tried"


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "169.254.169.254", "fd12::3"])
def test_a_name_that_resolves_inward_is_refused(
    monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    def lookup(host: str, port: object, *args: object, **kwargs: object) -> list[object]:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, int(str(port))))]

    monkeypatch.setattr(linkcheck, "getaddrinfo", lookup)
    outcomes = asyncio.run(linkcheck.check_urls(["https://inward.test/"]))
    assert outcomes["https://inward.test/"].reason.startswith(
        f"refused: inward.test is {linkcheck.inward(address)} ({address})")


def test_a_redirect_into_an_internal_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first hop is public here (127.0.0.1 is let through as if it were); its redirect to
    the metadata address is checked again and refused."""
    real = linkcheck.inward
    monkeypatch.setattr(linkcheck, "inward", lambda ip: None if ip == "127.0.0.1" else real(ip))
    with https_server() as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        Handler.seen.clear()
        target = "https://169.254.169.254/latest/meta-data/iam/security-credentials/"
        outcomes = asyncio.run(linkcheck.check_urls([f"{base}/redirect?to={target}"]))
    (outcome,) = outcomes.values()
    assert outcome.dead
    assert "refused: 169.254.169.254 is the cloud metadata address" in outcome.reason
    assert [path for path, _ in Handler.seen] == [f"/redirect?to={target}"]


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_connected_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The check looks a name up once and connects to that address (no second lookup that a
    rebinding name could answer differently); TLS is still asked for the name, so the test
    certificate, made for 127.0.0.1 alone, is refused for it."""
    lookups: list[str] = []

    def lookup(host: str, port: object, *args: object, **kwargs: object) -> list[object]:
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(str(port))))]

    monkeypatch.setattr(linkcheck, "getaddrinfo", lookup)
    with https_server() as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        port = base.rsplit(":", 1)[1]
        outcomes = asyncio.run(linkcheck.check_urls(
            [f"https://penah-link.test:{port}/live"], allow_private=True))
    (outcome,) = outcomes.values()
    assert lookups == ["penah-link.test"], "one lookup, by the check itself"
    # the certificate is for 127.0.0.1, not for the name: TLS was asked for the name
    assert outcome.reason.startswith("TLS error") and "penah-link.test" in outcome.reason, outcome


# ---------------------------------------------------------------------- through a proxy
# Links whose host says it is inside, and how the check through a proxy names each.
BY_NAME = {
    "https://localhost/x": "refused: localhost is a loopback name",
    "https://10.0.0.1/x": "refused: 10.0.0.1 is a private address",
    "https://[::1]/x": "refused: ::1 is a loopback address",
}


@contextlib.contextmanager
def silent_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """HTTPS_PROXY, the only proxy variable, names a local port that takes connections and
    never answers: whatever reached the proxy waits in its queue."""
    for name in [*os.environ]:
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{listener.getsockname()[1]}")
        yield listener


def connections(listener: socket.socket) -> int:
    """How many connections reached the proxy."""
    count = 0
    with contextlib.suppress(BlockingIOError):
        while True:
            listener.accept()[0].close()
            count += 1
    return count


def looked_up(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names the check looks up itself (a proxied link's name is the proxy's business),
    each answered with 127.0.0.1."""
    lookups: list[str] = []

    def lookup(host: str, port: object, *args: object, **kwargs: object) -> list[object]:
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(str(port))))]

    monkeypatch.setattr(linkcheck, "getaddrinfo", lookup)
    return lookups


def reasons(outcomes: dict[str, linkcheck.LinkResult]) -> dict[str, str]:
    return {url: outcome.reason.split(";")[0] for url, outcome in outcomes.items()}


def test_links_through_a_proxy_are_refused_by_host_name_and_never_reach_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups = looked_up(monkeypatch)
    with silent_proxy(monkeypatch) as proxy:
        outcomes = asyncio.run(linkcheck.check_urls(BY_NAME, request_timeout=2.0))
        assert connections(proxy) == 0
    assert reasons(outcomes) == BY_NAME
    assert all(linkcheck.ALLOW_HINT in o.reason for o in outcomes.values())
    assert lookups == []


def test_no_proxy_sends_a_link_past_the_proxy_to_be_checked_by_its_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups = looked_up(monkeypatch)
    with silent_proxy(monkeypatch) as proxy:
        monkeypatch.setenv("NO_PROXY", "localhost")
        outcomes = asyncio.run(linkcheck.check_urls(BY_NAME, request_timeout=2.0))
        assert connections(proxy) == 0
    assert reasons(outcomes) == {
        **BY_NAME, "https://localhost/x": "refused: localhost is a loopback address (127.0.0.1)"}
    assert lookups == ["localhost"]


def test_allow_private_sends_proxied_links_to_the_proxy_and_the_others_straight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with silent_proxy(monkeypatch) as proxy, https_server() as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        Handler.seen.clear()
        # /live must answer over TLS within it, on a machine as busy as CI's: not the 0.3 s
        outcomes = asyncio.run(linkcheck.check_urls(
            [*BY_NAME, f"{base}/live"], request_timeout=1.0, allow_private=True))
        assert connections(proxy) == len(BY_NAME), "each proxied link reached the proxy"
    assert reasons(outcomes) == {
        **{url: "no answer within 1 s" for url in BY_NAME}, f"{base}/live": "OK"}
    assert [path for path, _ in Handler.seen] == ["/live"]


# ---------------------------------------------------------------------- deadlines
@contextlib.asynccontextmanager
async def dripping_server() -> AsyncIterator[tuple[str, Path]]:
    """HTTPS on 127.0.0.1 that answers every request one header byte at a time, forever: its
    base address and the certificate file that makes it trusted."""
    cert, key = certificate()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await reader.readline()
            for byte in b"HTTP/1.1 200 OK\r\nX-Drip: " + b"a" * 100_000:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(DRIP)  # far under any read timeout
        writer.close()

    server = await asyncio.start_server(drip, "127.0.0.1", 0, ssl=context)
    try:
        yield f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}", cert
    finally:
        server.close()


def hang_dns(host: str = HUNG_DNS) -> None:
    """Make every lookup of `host` in this process block for a minute, as a dead resolver's."""
    real = socket.getaddrinfo

    def lookup(name: object, *args: object, **kwargs: object) -> object:
        if name == host:
            threading.Event().wait(60)
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    socket.getaddrinfo = lookup  # type: ignore[assignment]


async def test_a_dripping_server_and_a_hung_lookup_are_cut_at_the_links_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", socket.getaddrinfo)  # restored afterwards
    hang_dns()
    async with dripping_server() as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        started = time.monotonic()
        outcomes = await asyncio.wait_for(linkcheck.check_urls(
            [f"{base}/a", f"{base}/b", f"https://{HUNG_DNS}/"],
            request_timeout=DEADLINE, allow_private=True), 10)
        took = time.monotonic() - started
    assert took < 3, f"took {took:.1f} s"
    assert [o.reason for o in outcomes.values()] == [f"no answer within {DEADLINE:g} s"] * 3


SITE = """\
import socket, threading
real = socket.getaddrinfo
def lookup(name, *args, **kwargs):
    if name == {host!r}:
        threading.Event().wait(600)
    return real(name, *args, **kwargs)
socket.getaddrinfo = lookup
"""


async def test_penah_check_online_ends_within_its_bound_whatever_the_servers_and_dns_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real command, as a process: ten dripping addresses and a lookup that never returns
    end within (per-link deadline) × addresses / 8 + 10 s."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SITE.format(host=HUNG_DNS))
    async with dripping_server() as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        links = "".join(f'      - {{type: website, value: "{base}/{n}"}}\n' for n in range(10))
        links += f'      - {{type: website, value: "https://{HUNG_DNS}/"}}\n'
        text = GOOD.replace('      - {type: email, value: "help@accessnow.org"',
                            links + '      - {type: email, value: "help@accessnow.org"')
        path = tmp_path / "resources.yaml"
        path.write_text(text, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{ROOT}"}
        started = time.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "check", "--online", "--allow-private",
            "--timeout", str(DEADLINE), str(path), env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            out, _ = await asyncio.wait_for(process.communicate(), 60)
        finally:
            if process.returncode is None:
                process.kill()
        took = time.monotonic() - started
    summary = out.decode().splitlines()[-1]
    distinct = int(summary.split("(")[1].split()[0])  # "checked N links (M addresses) in …"
    assert process.returncode == 1
    assert took < DEADLINE * distinct / 8 + 10, f"{distinct} addresses took {took:.1f} s"
    assert out.decode().count(f"no answer within {DEADLINE:g} s") >= 11
