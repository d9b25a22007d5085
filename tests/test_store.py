from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.core.state import UserState
from bot.storage.store import SCHEMA_ALLOWLIST, Store, StoreError, load_secret


class Clock:
    def __init__(self, day: dt.date) -> None:
        self.day = day

    def __call__(self) -> dt.date:
        return self.day


async def open_store(tmp_path: Path, clock: Clock | None = None) -> Store:
    return await Store.open(tmp_path / "penah.sqlite3", b"k" * 32,
                            today=clock or Clock(dt.date(2026, 11, 25)))


def columns(path: Path) -> dict[str, set[str]]:
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {t: {r[1] for r in db.execute(f"PRAGMA table_info({t})")} for t in tables}
    finally:
        db.close()


async def test_schema_holds_only_the_allowed_columns(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    await store.close()
    assert columns(tmp_path / "penah.sqlite3") == SCHEMA_ALLOWLIST


async def test_users_are_stored_under_a_keyed_hash_only(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    key = store.prefs.user_key(123456789)
    assert len(key) == 32 and b"123456789" not in key
    assert store.prefs.user_key(123456789) == key != store.prefs.user_key(123456780)
    assert key == hmac.new(b"k" * 32, b"123456789", hashlib.sha256).digest()
    await store.prefs.visit(key)
    await store.prefs.save(key, UserState("ar", "iq-kr"))
    await store.close()
    db = sqlite3.connect(tmp_path / "penah.sqlite3")
    assert db.execute("SELECT lang, region FROM prefs").fetchall() == [("ar", "iq-kr")]
    db.close()


async def test_preferences_written_behind_are_read_back_after_a_restart(
    tmp_path: Path,
) -> None:
    store = await open_store(tmp_path)
    key = store.prefs.user_key(77)
    await store.prefs.save(key, UserState("ckb", "krg"))
    await store.flush()
    await store.close()
    again = await open_store(tmp_path)
    try:
        assert await again.prefs.visit(key) == UserState("ckb", "krg")
        assert await again.prefs.visit(again.prefs.user_key(78)) == UserState()
    finally:
        await again.close()


async def test_forget_removes_the_row_at_once(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    key = store.prefs.user_key(1)
    await store.prefs.save(key, UserState("en", "lb"))
    await store.prefs.forget(key)
    assert await store.prefs.visit(key) == UserState()
    await store.prefs.forget(key)
    async with store._db.execute("SELECT COUNT(*) FROM prefs") as cursor:
        assert await cursor.fetchone() == (0,)
    await store.close()


@pytest.mark.parametrize("others", [0, 50])
async def test_forget_during_a_flush_leaves_no_row_behind(tmp_path: Path, others: int) -> None:
    """Flush and /forget share one connection: a forget that lands while a flush is between its
    statements must not see the flush write the forgotten person back, even for a while."""
    store = await open_store(tmp_path)
    key = store.prefs.user_key(42)
    await store.prefs.save(key, UserState("ar", "iq-kr"))
    for n in range(others):  # a longer flush, so the forget lands inside it
        await store.prefs.save(store.prefs.user_key(1000 + n), UserState("en"))
    await asyncio.gather(store.prefs.flush(), store.prefs.forget(key))
    db = sqlite3.connect(tmp_path / "penah.sqlite3")
    try:
        rows = db.execute("SELECT count(*) FROM prefs WHERE user_key = ?", (key,)).fetchone()
    finally:
        db.close()
    assert rows == (0,), "the forgotten preference was written back"
    assert await store.prefs.peek(key) is None
    await store.close()


async def test_preferences_expire_after_the_retention_period(tmp_path: Path) -> None:
    clock = Clock(dt.date(2026, 11, 1))
    store = await open_store(tmp_path, clock)
    old, recent = store.prefs.user_key(1), store.prefs.user_key(2)
    await store.prefs.save(old, UserState("en", "jo"))
    clock.day = dt.date(2026, 11, 20)
    await store.prefs.save(recent, UserState("ku", "tr"))
    clock.day = dt.date(2026, 12, 1)  # 30 days after the first, 11 after the second
    assert await store.prefs.purge_expired() == 0
    clock.day = dt.date(2026, 12, 2)
    assert await store.prefs.purge_expired() == 1
    assert await store.prefs.visit(old) == UserState()
    assert await store.prefs.visit(recent) == UserState("ku", "tr")
    await store.close()


async def test_distinct_users_are_counted_once_a_day_without_a_key(tmp_path: Path) -> None:
    clock = Clock(dt.date(2026, 11, 25))
    store = await open_store(tmp_path, clock)
    for user in (1, 2, 1, 1):
        await store.prefs.visit(store.prefs.user_key(user))
    store.totals.count("view", "home")
    stats = await store.totals.stats(1)
    assert stats["2026-11-25"]["users"] == {"": 2}
    assert stats["2026-11-25"]["view"] == {"home": 1}
    await store.close()


async def test_close_truncates_the_write_ahead_log(tmp_path: Path) -> None:
    store = await open_store(tmp_path)
    async with store._db.execute("PRAGMA secure_delete") as cursor:
        assert await cursor.fetchone() == (1,)
    async with store._db.execute("PRAGMA journal_mode") as cursor:
        assert await cursor.fetchone() == ("wal",)
    await store.prefs.save(store.prefs.user_key(5), UserState("en", None))
    await store.close()
    wal = tmp_path / "penah.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0


async def test_a_damaged_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "penah.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged or not a Penah database"):
        await Store.open(path, b"k" * 32)
    assert path.read_bytes() == before


def test_generated_secret_is_private_and_stable(tmp_path: Path) -> None:
    secret = load_secret(tmp_path)
    assert len(secret) == 32
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600
    assert load_secret(tmp_path) == secret
    assert load_secret(tmp_path, b"ab" * 32) == bytes([0xAB]) * 32
