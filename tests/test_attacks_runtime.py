"""What broke bots before launch, reproduced against the real `penah run` (or the real
Application) with a stand-in Bot API: unparseable and truncated updates, library logging,
broken secrets, a full disk, the WAL after /forget, and start-up failures. Each test asserts
the fixed behaviour; each failed before the fix.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.config import StartupError
from bot.ops.logs import setup_logging
from bot.storage.store import Store, load_secret
from tests.botprocess import ROOT, TOKEN, BotProcess, penah_env
from tests.fakeapi import Call, FakeBotAPI
from tests.fakes import user

CANARY = "zq-canary-5e1b"
PHONE = "+9647501234567"
STRANGER: dict[str, Any] = {"id": 7700112233, "is_bot": False, "first_name": CANARY,
                             "last_name": PHONE, "username": "zqcanary5e1b",
                             "language_code": "en"}
NEEDLES = [CANARY, PHONE, PHONE.lstrip("+"), "zqcanary5e1b", str(STRANGER["id"]), TOKEN,
           TOKEN.split(":")[1]]
NOT_SAVED = "could not be saved"


def assert_clean(log: str) -> None:
    """Nothing a person sent, nor the token, nor a traceback, in the log."""
    for needle in NEEDLES:
        assert needle not in log, f"{needle!r} reached the log"
    assert "Traceback" not in log


def to_chat(chat_id: int, *methods: str) -> Callable[[Call], bool]:
    return lambda c: c.method in methods and c.params.get("chat_id") == chat_id


@contextlib.asynccontextmanager
async def penah(tmp_path: Path, **env: str) -> AsyncIterator[tuple[FakeBotAPI, BotProcess]]:
    async with FakeBotAPI() as api:
        environment = {**penah_env(api, tmp_path), **env}
        async with BotProcess(api, environment, tmp_path) as bot:
            await bot.ready()
            yield api, bot


class PipedBotProcess(BotProcess):
    """Its log goes to a pipe, not a file, so a file-size limit on the bot leaves it whole;
    `file_limit` starts it with that RLIMIT_FSIZE (a disk with that little room per file)."""

    file_limit: int | None = None

    async def __aenter__(self) -> PipedBotProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._log = bytearray()
        limit = self.file_limit
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, *self.args, env=self.env, cwd=self.workdir,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=None if limit is None
            else lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while chunk := await self.process.stderr.read(65536):
            self._log += chunk

    async def stop(self, sig: int = signal.SIGTERM, within: float = 10.0) -> tuple[int, float]:
        result = await super().stop(sig, within)
        await self._reader
        return result

    def stderr(self) -> str:
        return self._log.decode("utf-8", errors="replace")


async def exits(bot: BotProcess, within: float = 20.0) -> int:
    assert bot.process is not None
    return await asyncio.wait_for(bot.process.wait(), within)


# ---------------------------------------------------------------------- 1. unparseable updates
@pytest.mark.e2e
async def test_an_update_the_library_cannot_parse_is_skipped_and_the_next_person_answered(
    tmp_path: Path,
) -> None:
    async with penah(tmp_path) as (api, bot):
        bad = api.forward_poll(STRANGER, f"{CANARY} call me on {PHONE}")
        nxt = user(4343)
        mark = len(api.calls)
        api.send_text(nxt, "/start")
        await api.wait_for(to_chat(4343, "sendMessage"), 10, mark)
        # the bad update was confirmed (the offset moved past it), not fetched again forever
        await api.wait_for(lambda c: c.method == "getUpdates"
                           and int(c.params.get("offset") or 0) > bad, 10)
        await asyncio.sleep(0.5)
        log = bot.stderr()
        polls = len(api.called("getUpdates"))
    assert all(c.params.get("chat_id") != STRANGER["id"] for c in api.called("sendMessage"))
    assert_clean(log)
    assert f"update {bad} of type message" in log  # its id and type, nothing more
    assert len(log.splitlines()) < 15, log
    assert polls < 20, "the same batch was not fetched again and again"


async def test_updates_with_no_readable_id_make_polling_back_off(tmp_path: Path) -> None:
    from telegram.error import TelegramError

    from tests.conftest import make_settings, running_harness

    async with running_harness(make_settings(tmp_path)) as h:
        await h.fake.updates.put({"message": {"text": CANARY}})
        await h.fake.updates.put({"update_id": "7", "message": {"text": CANARY}})
        with pytest.raises(TelegramError):  # the Updater's back-off, not a tight loop
            await h.app.bot.get_updates(timeout=0)
        await h.fake.updates.put({"update_id": True})
        await h.fake.updates.put({"update_id": 12, "edited_message": {"text": CANARY}})
        updates = await h.app.bot.get_updates(timeout=0)
        assert [u.update_id for u in updates] == [12]


@pytest.mark.e2e
async def test_a_truncated_updates_body_is_not_logged_and_is_fetched_again(
    tmp_path: Path,
) -> None:
    async with penah(tmp_path) as (api, bot):
        api.truncate_updates(1)
        mark = len(api.calls)
        api.send_text(STRANGER, f"/start {CANARY} {PHONE}")
        # the cut answer confirmed nothing: the same update comes again, whole, and is answered
        await api.wait_for(to_chat(STRANGER["id"], "sendMessage"), 20, mark)
        log = bot.stderr()
    assert_clean(log)
    assert "invalid JSON data" in log  # said, without the body
    assert len(log.splitlines()) < 15, log


# ---------------------------------------------------------------------- 1. library loggers
LIBRARY_LOGGERS = ["telegram.ext.Updater", "telegram.Bot", "telegram.request.BaseRequest",
                   "telegram.ext.Application", "httpx", "httpcore.http11", "tornado.general",
                   "tornado.application", "tornado.access", "asyncio", "aiosqlite",
                   "apscheduler.scheduler", "hpack"]
LEVELS = [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, logging.CRITICAL]


def _log_everything_with_the_canary() -> int:
    """Each library logger, each level: values in args, in an f-string, in an exception."""
    update = {"update_id": 9, "message": {"from": STRANGER, "text": f"{CANARY} {PHONE}"}}
    records = 0
    for name in LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        for level in LEVELS:
            logger.log(level, "Error while parsing updates! Received data was %r", update)
            logger.log(level, f"Task exception was never retrieved: {update}")
            logger.log(level, update)  # an object as the message
            try:
                raise ValueError(f'Can not load invalid JSON data: "{update}"')
            except ValueError:
                logger.log(level, "Exception happened while polling", exc_info=True)
            records += 4 if logger.isEnabledFor(level) else 0
    return records


def test_no_library_logger_carries_user_data_at_any_level() -> None:
    out = io.StringIO()
    setup_logging("DEBUG", stream=out)  # the most a library could ever write
    try:
        written = _log_everything_with_the_canary()
    finally:
        setup_logging("INFO")
    log = out.getvalue()
    assert_clean(log)
    assert written > 100
    assert log.count("Received data was …") == written // 4  # rewritten, not dropped
    assert "[ValueError at" in log  # an exception by its type and place


def test_unsafe_debug_lets_library_records_through_unchanged() -> None:
    out = io.StringIO()
    setup_logging("DEBUG", stream=out, unsafe=True)
    try:
        _log_everything_with_the_canary()
    finally:
        setup_logging("INFO")
    assert CANARY in out.getvalue()
    assert TOKEN not in out.getvalue()


# ---------------------------------------------------------------------- 5. the secret
@pytest.mark.e2e
async def test_an_empty_secret_file_stops_the_bot_with_what_to_do(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "secret").write_bytes(b"")  # what a start on a full disk used to leave
    async with FakeBotAPI() as api, BotProcess(api, penah_env(api, tmp_path), tmp_path) as bot:
        code = await exits(bot)
        log = bot.stderr()
    assert code == 1
    lines = log.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("penah: ") and "empty" in lines[0]
    assert "free some space" in lines[0] and "Traceback" not in log
    assert not api.called("getUpdates") and not api.called("setWebhook")


def test_a_full_disk_while_the_secret_is_written_leaves_no_secret_behind(
    tmp_path: Path,
) -> None:
    """`penah run` with RLIMIT_FSIZE 0: every write fails as on a full disk (Python ignores
    SIGXFSZ). It must stop with one line and leave no half-written secret to be trusted."""
    def run(limit: bool) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PENAH_", "TELEGRAM_"))}
        env.update(PENAH_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT),
                   TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL="http://127.0.0.1:9/bot",
                   PENAH_RESOURCES=str(ROOT / "tests" / "data" / "directory.yaml"))
        return subprocess.run(
            [sys.executable, "-m", "bot", "run"], env=env, text=True, cwd=tmp_path,
            capture_output=True, timeout=60, check=False,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0)),
        )

    failed = run(limit=True)
    assert failed.returncode == 1, failed.stderr
    assert failed.stderr.startswith("penah: cannot write the secret file")
    assert len(failed.stderr.strip().splitlines()) == 1 and "Traceback" not in failed.stderr
    assert not (tmp_path / "data" / "secret").exists()  # nothing half-written left
    assert not list((tmp_path / "data").glob(".secret-*"))
    load_secret(tmp_path / "data")  # a start with space writes a whole one
    written = (tmp_path / "data" / "secret").read_bytes()
    assert len(written) == 65 and written.endswith(b"\n") and bytes.fromhex(written.decode())
    assert stat.S_IMODE((tmp_path / "data" / "secret").stat().st_mode) == 0o600


@pytest.mark.parametrize("content", [b"", b"\n", b"abcd", b"ab" * 31, b"ab" * 33, b"zz" * 32,
                                     "ü".encode() * 64, bytes(32)])
def test_a_secret_file_that_is_not_32_hex_bytes_is_refused(tmp_path: Path,
                                                           content: bytes) -> None:
    (tmp_path / "secret").write_bytes(content)
    with pytest.raises(StartupError, match="secret"):
        load_secret(tmp_path)


@pytest.mark.parametrize("given", [b"", b"short", b"ab" * 31, b"ab" * 32 + b"0", b"xy" * 32])
def test_penah_secret_must_be_64_hex_characters(tmp_path: Path, given: bytes) -> None:
    with pytest.raises(StartupError, match="PENAH_SECRET"):
        load_secret(tmp_path, given)
    assert load_secret(tmp_path, b"0f" * 32) == bytes([15]) * 32
    assert not (tmp_path / "secret").exists()


# ---------------------------------------------------------------------- 6. the WAL
async def test_forget_leaves_the_key_in_neither_the_wal_nor_the_database(
    tmp_path: Path,
) -> None:
    from tests.conftest import make_settings, running_harness

    settings = make_settings(tmp_path)
    wal = settings.database.with_name(settings.database.name + "-wal")
    async with running_harness(settings) as h:
        await h.send("/start")
        await h.tap("English")
        assert h.bot.store is not None
        await h.bot.store.flush()
        key = h.bot.store.prefs.user_key(4242)
        assert key in wal.read_bytes()  # the preference is in the WAL before /forget
        await h.send("/forget")
        assert "Your saved settings are deleted." in h.screen()["text"]
        assert key not in (wal.read_bytes() if wal.exists() else b"")
        assert key not in settings.database.read_bytes()


async def test_purging_expired_preferences_leaves_nothing_in_the_wal(tmp_path: Path) -> None:
    import datetime as dt

    day = [dt.date(2026, 1, 1)]
    path = tmp_path / "penah.sqlite3"
    store = await Store.open(path, bytes(32), retention_days=30, today=lambda: day[0])
    try:
        keys = [store.prefs.user_key(i) for i in range(50)]
        for key in keys:
            await store.prefs.visit(key)
        await store.flush()
        assert keys[0] in path.with_name(path.name + "-wal").read_bytes()
        day[0] += dt.timedelta(days=40)
        assert await store.prefs.purge_expired() == 50
        wal = path.with_name(path.name + "-wal")
        everything = (wal.read_bytes() if wal.exists() else b"") + path.read_bytes()
        assert not any(key in everything for key in keys)
    finally:
        await store.close()


# ---------------------------------------------------------------------- 7. a full disk
async def test_a_full_database_keeps_every_change_for_the_next_flush(tmp_path: Path) -> None:
    """PRAGMA max_page_count makes the database full: SQLite's own SQLITE_FULL path."""
    from bot.core.state import UserState

    path = tmp_path / "penah.sqlite3"
    store = await Store.open(path, bytes(32))
    try:
        await store.flush()
        await store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        async with store._db.execute("PRAGMA page_count") as cursor:
            row = await cursor.fetchone()
        assert row is not None
        await store._db.execute(f"PRAGMA max_page_count = {row[0]}")
        keys = [store.prefs.user_key(i) for i in range(400)]
        for key in keys:
            await store.prefs.visit(key)
            await store.prefs.save(key, UserState(lang="ar", region="iq-kr"))
        await store.flush()  # full: no exception, nothing lost
        await store._db.execute("PRAGMA max_page_count = 1073741823")
        await store.flush()
        async with store._db.execute("SELECT COUNT(*) FROM prefs WHERE lang = 'ar'") as cursor:
            assert await cursor.fetchone() == (400,)
        async with store._db.execute(
            "SELECT count FROM counters WHERE metric = 'users'"
        ) as cursor:
            assert await cursor.fetchone() == (400,)
    finally:
        await store.close()


def _db_rows(database: Path) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        return int(db.execute("SELECT COUNT(*) FROM prefs").fetchone()[0])


@pytest.mark.e2e
async def test_forget_on_a_full_disk_is_told_retried_and_the_stop_still_exits_0(
    tmp_path: Path,
) -> None:
    """Every write past the files' present sizes fails, as on a full disk (RLIMIT_FSIZE set
    on the running bot; Python ignores SIGXFSZ, so writes fail with EFBIG)."""
    database = tmp_path / "data" / "penah.sqlite3"
    person = user(5151)
    async with FakeBotAPI() as api, PipedBotProcess(api, penah_env(api, tmp_path),
                                                    tmp_path) as bot:
        await bot.ready()
        mark = len(api.calls)
        api.send_text(person, "/start")
        await api.wait_for(to_chat(5151, "sendMessage"), 10, mark)
        message = api.last_message(5151)
        english = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"]
                       for b in row if b["text"] == "English")
        mark = len(api.calls)
        api.press(person, english)
        await api.wait_for(to_chat(5151, "editMessageText"), 10, mark)
        for _ in range(200):  # the preference reaches the database within a flush (5 s)
            if _db_rows(database) == 1:
                break
            await asyncio.sleep(0.05)
        assert _db_rows(database) == 1
        wal = database.with_name(database.name + "-wal")
        limit = wal.stat().st_size  # the WAL cannot grow: the next write fails
        resource.prlimit(bot.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

        mark = len(api.calls)
        api.send_text(person, "/forget")
        told = await api.wait_for(to_chat(5151, "sendMessage"), 10, mark)
        assert NOT_SAVED in told.params["text"] and "menu has changed" not in told.params["text"]

        resource.prlimit(bot.pid, resource.RLIMIT_FSIZE,
                         (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        for _ in range(200):  # retried by the next flush, even before the person asks again
            if _db_rows(database) == 0:
                break
            await asyncio.sleep(0.05)
        assert _db_rows(database) == 0
        mark = len(api.calls)
        api.send_text(person, "/forget")
        done = await api.wait_for(to_chat(5151, "sendMessage"), 10, mark)
        assert "Your saved settings are deleted." in done.params["text"]

        # full again, with a change pending: the stop's last write fails, the stop does not
        mark = len(api.calls)
        api.send_text(person, "/start")
        await api.wait_for(to_chat(5151, "sendMessage"), 10, mark)
        limit = wal.stat().st_size  # the WAL cannot grow: the next write fails
        resource.prlimit(bot.pid, resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
        mark = len(api.calls)
        api.press(person, english)
        await api.wait_for(to_chat(5151, "editMessageText"), 10, mark)
        code, _ = await bot.stop()
        log = bot.stderr()
    assert code == 0
    assert "Traceback" not in log
    assert "could not write" in log, log  # said in the log, by count and type


@pytest.mark.e2e
async def test_a_database_that_cannot_be_written_at_start_is_one_clear_line(
    tmp_path: Path,
) -> None:
    """Room for the secret but not for the database: not "damaged", and no traceback."""
    async with FakeBotAPI() as api:
        bot = PipedBotProcess(api, penah_env(api, tmp_path), tmp_path)
        bot.file_limit = 4096
        async with bot:
            code = await exits(bot)
            await bot._reader
            log = bot.stderr()
    assert code == 1, log
    lines = [line for line in log.strip().splitlines() if line.startswith("penah: ")]
    assert len(lines) == 1 and "cannot write the database" in lines[0], log
    assert "damaged" not in log and "Traceback" not in log
    assert not api.called("getUpdates")


async def test_a_failing_background_job_is_named_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The heartbeat's file cannot be made (its folder is gone): the log says which job failed,
    not `<lambda>`. Served by webhook, the heartbeat waits for no Updater."""
    from tests.conftest import make_settings, running_harness

    settings = make_settings(tmp_path, heartbeat_seconds=0.05,
                             webhook_url="https://bot.example/telegram")
    settings.data_dir.mkdir()
    settings.heartbeat.symlink_to(tmp_path / "gone" / "heartbeat")
    with caplog.at_level(logging.ERROR, logger="bot"):
        async with running_harness(settings):
            for _ in range(100):
                if caplog.records:
                    break
                await asyncio.sleep(0.05)
    assert "background job heartbeat failed: FileNotFoundError" in caplog.messages


# ---------------------------------------------------------------------- 12. start-up
@pytest.mark.e2e
async def test_data_folder_database_and_secret_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)  # as an older Penah left it
    old = data / "penah.sqlite3"
    sqlite3.connect(old).close()
    old.chmod(0o644)
    async with penah(tmp_path) as (api, bot):
        mark = len(api.calls)
        api.send_text(user(6161), "/start")
        await api.wait_for(to_chat(6161, "sendMessage"), 10, mark)
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.rglob("*")}
        folders = {p.name for p in data.rglob("*") if p.is_dir()}
        folder = stat.S_IMODE(data.stat().st_mode)
        code, _ = await bot.stop()
    assert code == 0
    assert folder == 0o700
    assert {"penah.sqlite3", "secret"} <= modes.keys()
    assert all(mode == (0o700 if name in folders else 0o600) for name, mode in modes.items()), modes


START_UP_FAILURES = {
    "data-under-a-file": ({"PENAH_DATA_DIR": "file/data"}, "data folder"),
    "locales-missing": ({"PENAH_LOCALES": "no-such-folder"}, "translations folder"),
    "secret-too-short": ({"PENAH_SECRET": "0123abcd"}, "PENAH_SECRET must be exactly 64"),
}


@pytest.mark.e2e
@pytest.mark.parametrize("what", list(START_UP_FAILURES))
async def test_a_start_up_failure_is_one_clear_line(tmp_path: Path, what: str) -> None:
    (tmp_path / "file").write_text("not a folder")
    values, said = START_UP_FAILURES[what]
    env = {k: v if k == "PENAH_SECRET" else str(tmp_path / v) for k, v in values.items()}
    async with FakeBotAPI() as api:
        process = BotProcess(api, {**penah_env(api, tmp_path), **env}, tmp_path)
        async with process as bot:
            code = await exits(bot)
            log = bot.stderr()
    assert code in (1, 2)
    lines = log.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("penah: "), log
    assert said in lines[0]
    assert not api.called("getUpdates")
