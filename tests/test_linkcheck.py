"""`penah check --online` against a real HTTPS server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.ops import linkcheck
from tests.conftest import DATA
from tests.linkserver import Handler, https_server

GOOD = (DATA / "directory.yaml").read_text(encoding="utf-8")


def directory_with_links(base: str) -> str:
    text = GOOD.replace("https://www.iraqinformationcentre.org/about", f"{base}/live")
    text = text.replace(
        '      - {type: email, value: "help@accessnow.org"',
        f'      - {{type: form, value: "{base}/dead"}}\n'
        '      - {type: email, value: "help@accessnow.org"',
    )
    guide_source = (
        "https://help.unhcr.org/faq/how-can-we-help-you/reporting-misconduct-or-sexual-abuse/"
        "fraud-committed-by-forcibly-displaced-people"
    )
    text = text.replace(guide_source, f"{base}/moved")
    assert text.count(base) == 3
    return text


def line_of(text: str, needle: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), 1) if needle in row)


def test_online_check_exits_1_and_names_only_the_dead_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with https_server(tmp_path) as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # as an admin behind a TLS proxy would
        text = directory_with_links(base)
        path = tmp_path / "resources.yaml"
        path.write_text(text, encoding="utf-8")
        Handler.seen.clear()
        assert main(["check", "--online", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    dead = f"{path}:{line_of(text, '/dead')}: smex: {base}/dead: HTTP 404 Not Found"
    assert dead in out
    problems = [line for line in out if ": HTTP " in line or "cannot connect" in line]
    assert problems == [dead]
    assert not any("/live: " in line and "HTTP" in line for line in out)
    redirect = f"{path}:{line_of(text, '/moved')}: unhcr-is-free: {base}/moved: redirected to "
    assert any(line.startswith(redirect) and line.endswith("/live") for line in out)
    assert out[-1].startswith("checked 3 links (3 addresses) in ")
    assert out[-1].endswith(": 1 dead, 1 redirected, 0 refused the check")
    assert {agent for _, agent in Handler.seen} == {linkcheck.USER_AGENT}
    assert sorted(path for path, _ in Handler.seen) == ["/dead", "/live", "/live", "/moved"]


def test_an_untrusted_certificate_is_named_as_a_tls_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with https_server(tmp_path) as (base, _):
        path = tmp_path / "resources.yaml"
        path.write_text(directory_with_links(base), encoding="utf-8")
        assert main(["check", "--online", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{base}/live: TLS error: " in out
    assert "certificate" in out


def test_a_closed_port_is_dead_and_the_same_address_is_fetched_once(tmp_path: Path) -> None:
    import asyncio

    links = [linkcheck.Link("f.yaml", n, f"r{n}", "https://127.0.0.1:9/x") for n in (1, 2)]
    report = asyncio.run(linkcheck.check_links(links, request_timeout=2.0))
    assert len(report.outcomes) == 1
    assert [line.split(": ")[0] for line in report.lines()[:2]] == ["f.yaml:1", "f.yaml:2"]
    assert "cannot connect" in report.lines()[0]
