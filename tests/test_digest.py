"""The admins' digest through the Telegram path: /digest, the weekly send, the daily link check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core.callbacks import Action, Kind
from bot.directory.queries import Directory
from bot.i18n.translator import Catalogs
from bot.ops import digest
from tests.conftest import Harness, make_settings, running_harness
from tests.fakes import user
from tests.linkserver import Handler, https_server
from tests.test_linkcheck import directory_with_links

ADMIN = user(999, language_code="ar")


async def test_digest_lists_stale_entries_failed_links_and_reports_in_the_admins_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with https_server() as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        (tmp_path / "resources.yaml").write_text(directory_with_links(base), encoding="utf-8")
        settings = make_settings(tmp_path, check_links=True, check_links_allow_private=True)
        async with running_harness(settings) as harness:
            # someone finds a contact that did not work
            await harness.send("/start")
            await harness.tap("English")
            await harness.press(Action(Kind.REPORT, "unhcr-iq-iic", "asylum", 0).encode())
            # the daily background check, as the bot's hourly task runs it
            await harness.bot.digest.check_links(harness.bot.reloader.current)

            await harness.send("/start", ADMIN)
            await harness.tap("العربية", ADMIN)
            await harness.send("/digest", ADMIN)
            text = harness.screen(999)["text"]
            ar = harness.bot.catalogs.get("ar")
            title = ar.gettext(digest.TITLE).split("{")[0]
            assert title != digest.TITLE.split("{")[0], "the title has an Arabic translation"
            assert text.startswith(title)
            assert "• isf-1745 — 📄 2020-04-03" in text
            assert f"• smex: {base}/dead: HTTP 404 Not Found" in text
            assert f"{base}/live" not in text
            assert "• unhcr-iq-iic: 1" in text

            # a stranger's /digest is answered like any unknown command
            await harness.send("/digest")
            assert "isf-1745" not in harness.screen()["text"]

            # a week later the hourly task sends it to every admin, unasked
            sent_before = len(harness.fake.called("sendMessage"))
            week_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
            harness.bot.digest.state.last_sent = week_ago
            harness.bot.digest.links_enabled = False  # checked already today
            await harness.bot.jobs.digest_due(harness.app)
            pushed = harness.fake.called("sendMessage")[sent_before:]
            assert [c.params["chat_id"] for c in pushed] == [999]
            assert pushed[0].params["text"].startswith(title)
            assert harness.bot.digest.state.last_sent > week_ago
            await harness.bot.jobs.digest_due(harness.app)  # not due again
            assert len(harness.fake.called("sendMessage")) == sent_before + 1

    saved = digest.DigestState.load(settings.data_dir / "digest.json")
    assert saved.failed == [("smex", f"{base}/dead", "HTTP 404 Not Found")]


def test_without_link_checks_the_digest_says_how_to_turn_them_on(
    tmp_path: Path, catalogs: Catalogs, small_directory: Directory
) -> None:
    text = digest.compose(
        catalogs.get("en"),
        small_directory,
        stale_days=180,
        now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        state=digest.DigestState(tmp_path / "digest.json"),
        reports=[],
        links_enabled=False,
    )
    assert "set PENAH_CHECK_LINKS=1" in text
    assert "No contact was reported as not working since November 24, 2026." in text


def test_a_stale_entry_shows_what_it_rests_on_in_any_language(
    tmp_path: Path, catalogs: Catalogs
) -> None:
    from tests.test_provenance import with_confirmations

    directory = with_confirmations("      - {date: 2025-01-02, how: call, by: penah admin}\n")
    for code in ("ar", "ku-Arab"):
        text = digest.compose(
            catalogs.get(code),
            directory,
            stale_days=180,
            now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
            state=digest.DigestState(tmp_path / "digest.json"),
            reports=[("smex", 2, "2026-11-30")],
            links_enabled=True,
        )
        assert "• smex — 📞 2025-01-02" in text
        assert "• isf-1745 — 📄 2020-04-03" in text
        assert "• smex: 2" in text


# ---------------------------------------------------------------------- the hourly task
def week_ago() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=8)


async def hourly(harness: Harness, times: int = 1) -> None:
    """The bot's hourly digest task; what fails for one admin is caught inside it."""
    for _ in range(times):
        await harness.bot.jobs.digest_due(harness.app)


def digests_to(harness: Harness, chat_id: int) -> int:
    """Digests the admin received (a send that failed left nothing in the chat)."""
    title = digest.TITLE.split("{")[0]
    return sum(1 for message in harness.fake.visible(chat_id)
               if message["text"].startswith(title))


async def test_the_daily_check_takes_its_links_from_the_loaded_directory_not_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file on disk that did not load (here: a version the bot does not read) is never read
    for links: what is checked is what people are shown."""
    with https_server() as (base, cert):
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        resources = tmp_path / "resources.yaml"
        resources.write_text(directory_with_links(base), encoding="utf-8")
        settings = make_settings(tmp_path, check_links=True, check_links_allow_private=True)
        async with running_harness(settings) as harness:
            unloaded = directory_with_links(base, live="/only-on-disk")
            resources.write_text(unloaded.replace("version: 1", "version: 7"), encoding="utf-8")
            await harness.bot.reload()
            assert harness.bot.reloader.last_error is not None, "the file on disk is not served"
            Handler.seen.clear()
            await hourly(harness)
            fetched = sorted(path for path, _ in Handler.seen)
            checked = harness.bot.digest.state.links_checked
    assert checked is not None
    assert "/only-on-disk" not in fetched
    assert fetched == ["/dead", "/live", "/live", "/moved"]


async def test_a_broken_file_on_disk_does_not_stop_the_weekly_digest(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, check_links=True, check_links_allow_private=True)
    async with running_harness(settings) as harness:
        (tmp_path / "resources.yaml").write_text("version: [1\nregions: {", encoding="utf-8")
        await harness.bot.reload()
        harness.bot.digest.state.last_sent = week_ago()
        await hourly(harness)
        assert digests_to(harness, 999) == 1
        assert harness.bot.digest.state.last_sent > week_ago()


async def test_each_admin_gets_the_weekly_digest_once_though_one_blocked_the_bot(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, admin_ids=frozenset({998, 999, 1000}))
    async with running_harness(settings) as harness:
        harness.fake.fail("sendMessage", 403, "Forbidden: bot was blocked by the user",
                          times=100, chat_id=999)
        harness.bot.digest.state.last_sent = week_ago()
        await hourly(harness, times=3)  # three hours go by
        assert [digests_to(harness, admin) for admin in (998, 999, 1000)] == [1, 0, 1]


async def test_a_weekly_digest_nobody_could_be_sent_is_tried_again_the_next_hour(
    tmp_path: Path,
) -> None:
    settings = make_settings(tmp_path, admin_ids=frozenset({998, 999}))
    async with running_harness(settings) as harness:
        harness.fake.fail("sendMessage", 502, "Bad Gateway", times=2)  # Telegram is down
        harness.bot.digest.state.last_sent = week_ago()
        await hourly(harness)
        assert harness.bot.digest.state.last_sent < week_ago() + dt.timedelta(minutes=1)
        await hourly(harness, times=2)  # back: sent, once
        assert [digests_to(harness, admin) for admin in (998, 999)] == [1, 1]


@pytest.mark.parametrize("written", [
    b'{"last_sent": "2024-01-01T00:00:00"}',  # no zone: compared with an aware now it would raise
    b'{"links_checked": "2024-01-01T00:00:00", "failed": []}',
    b"[1, 2]", b'{"failed": "abc"}', b"\xff", b"", None,  # None: a folder in the file's place
])
async def test_a_damaged_digest_state_starts_afresh_and_the_digest_still_goes_out(
    tmp_path: Path, written: bytes | None
) -> None:
    settings = make_settings(tmp_path, admin_ids=frozenset({999}))
    path = settings.data_dir / "digest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    if written is None:
        path.mkdir()
    else:
        path.write_bytes(written)
    assert digest.DigestState.load(path) == digest.DigestState(path)
    async with running_harness(settings) as harness:
        harness.bot.digest.links_enabled = False
        await harness.bot.jobs.digest_due(harness.app)  # a new bot's week has not passed
        assert harness.fake.called("sendMessage") == []
        harness.bot.digest.state.last_sent = dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
        await harness.bot.jobs.digest_due(harness.app)
        assert [c.params["chat_id"] for c in harness.fake.called("sendMessage")] == [999]
