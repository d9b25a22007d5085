"""What Penah keeps, and nothing more: preferences under HMAC-SHA256(secret, user id), daily
totals, broken-contact counts; no column can hold text a person typed (`SCHEMA_ALLOWLIST`).
Writes are batched every few seconds, so an update costs no disk write; `/forget` is at once.
The secret that keys them is read, or made once, here too."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import hmac
import logging
import os
import re
import secrets
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiosqlite
from cachetools import LRUCache

from bot.config import StartupError
from bot.core.state import Tidy, UserState

Clock = Callable[[], dt.date]
log = logging.getLogger(__name__)

MIGRATIONS = (
    """
    CREATE TABLE prefs (
        user_key BLOB PRIMARY KEY,           -- HMAC-SHA256(secret, user id)
        lang TEXT,                           -- a locale code the bot offers
        region TEXT,                         -- a region id from resources.yaml
        last_seen INTEGER NOT NULL           -- day number (proleptic ordinal)
    ) WITHOUT ROWID;
    CREATE INDEX prefs_last_seen ON prefs (last_seen);
    CREATE TABLE counters (
        day TEXT NOT NULL, metric TEXT NOT NULL, value TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (day, metric, value)
    ) WITHOUT ROWID;
    CREATE TABLE reports (
        resource TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (resource, day)
    ) WITHOUT ROWID;
    """,
    """
    ALTER TABLE prefs ADD COLUMN discreet INTEGER NOT NULL DEFAULT 0;  -- 1: discreet menus
    ALTER TABLE prefs ADD COLUMN tidy TEXT;  -- neutral | clear | keep, after quiet time
    """,
)
# Every column, and what may be in it: ids and codes the bot itself chose, never user text.
SCHEMA_ALLOWLIST = {
    "prefs": {"user_key", "lang", "region", "last_seen", "discreet", "tidy"},
    "counters": {"day", "metric", "value", "count"},
    "reports": {"resource", "day", "count"},
}
CACHE_LIMIT = 100_000
DELETE = "DELETE FROM prefs WHERE user_key = ?"
# What a full or failing disk raises: SQLITE_FULL, SQLITE_IOERR_* (OperationalError), OSError.
WRITE_ERRORS = (sqlite3.OperationalError, OSError)
SECRET_BYTES = 32
HEX = re.compile(rb"[0-9a-fA-F]{64}")
MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


class StoreError(RuntimeError):
    """The database cannot be used; the message says what to do. Nothing is deleted."""


class SaveFailed(RuntimeError):
    """A write failed (a full disk); what it held is kept and tried again. `lang` is the
    person's language, for telling them, when the store still knew it."""

    def __init__(self, cause: BaseException, lang: str | None = None) -> None:
        super().__init__(type(cause).__name__)
        self.lang = lang


class Store:
    def __init__(self, db: aiosqlite.Connection, prefs: Preferences, totals: Totals) -> None:
        self._db, self.prefs, self.totals = db, prefs, totals

    @classmethod
    async def open(
        cls, path: Path, secret: bytes, *, retention_days: int = 30, today: Clock = dt.date.today
    ) -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = await aiosqlite.connect(path)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {path}: {exc}") from None
        try:
            await _prepare(db)
        except sqlite3.OperationalError as exc:  # a full disk, an I/O error, no permission
            await db.close()
            raise StoreError(
                f"cannot write the database {path} ({exc}). Nothing was lost: free some "
                "space or fix the data folder's permissions, then start again."
            ) from None
        except sqlite3.DatabaseError as exc:
            await db.close()
            raise StoreError(
                f"the database {path} is damaged or not a Penah database ({exc}). "
                "Nothing was changed: move it aside or restore a backup, then start again."
            ) from None
        writing = asyncio.Lock()  # one transaction at a time on the one connection
        totals = Totals(db, today, writing)
        return cls(db, Preferences(db, secret, retention_days, today, totals, writing), totals)

    async def flush(self) -> None:
        await self.prefs.flush()
        await self.totals.flush()

    async def close(self) -> None:
        """Write what is pending and leave no write-ahead log behind; never raises, so a stop
        on a full disk still ends cleanly."""
        try:
            await self.flush()
            await _checkpoint(self._db)
        finally:
            try:
                await self._db.close()
            except WRITE_ERRORS as exc:
                log.warning("closing the database failed: %s", type(exc).__name__)


@dataclass
class _Cached:
    state: UserState
    last_seen: int


class Preferences:
    """Each person's language, place and choices under their keyed hash, for as long as they
    come back within `retention_days`."""

    def __init__(
        self, db: aiosqlite.Connection, secret: bytes, retention_days: int, today: Clock,
        totals: Totals, writing: asyncio.Lock,
    ) -> None:
        self._db, self._secret, self._today, self._totals = db, secret, today, totals
        # Held by every write: a /forget landing between a flush's statements would otherwise
        # commit half of it and see the rest write the forgotten person back.
        self._writing = writing
        self._retention_days = retention_days
        self._cache: LRUCache[bytes, _Cached] = LRUCache(CACHE_LIMIT)
        # What the next flush writes: a changed preference, or None for one forgotten, kept
        # even once deleted, so that no flush failing or in flight can bring it back.
        self._unwritten: dict[bytes, _Cached | None] = {}

    def user_key(self, user_id: int) -> bytes:
        return hmac.digest(self._secret, str(user_id).encode(), "sha256")

    async def visit(self, key: bytes) -> UserState:
        """The user's state; the first visit of a day is counted once, with no user key kept."""
        today = self._today().toordinal()
        cached = await self._find(key) or _Cached(UserState(), 0)
        if cached.last_seen != today:
            cached.last_seen = today
            self._unwritten[key] = cached
            self._totals.count("users")
            self._totals.chosen(cached.state, UserState())
        self._cache[key] = cached
        return cached.state

    async def peek(self, key: bytes) -> UserState | None:
        """A stored preference without counting a visit (for messages the bot starts)."""
        cached = await self._find(key)
        return cached.state if cached else None

    async def save(self, key: bytes, state: UserState) -> None:
        cached = await self._find(key)
        if cached is not None and cached.state == state:
            return
        self._unwritten[key] = self._cache[key] = _Cached(state, self._today().toordinal())
        self._totals.chosen(state, cached.state if cached else UserState())

    async def forget(self, key: bytes) -> None:
        """Delete at once, WAL included; if the disk refuses, SaveFailed, and every flush
        tries again (the preference is already gone from memory)."""
        known = self._cache.pop(key, None) or self._unwritten.get(key)
        self._unwritten[key] = None
        async with self._writing:
            try:
                await self._db.execute(DELETE, (key,))
                await self._db.commit()
            except WRITE_ERRORS as exc:
                await _rollback(self._db)
                raise SaveFailed(exc, known.state.lang if known else None) from None
            await _checkpoint(self._db)

    async def purge_expired(self) -> int:
        limit = self._today().toordinal() - self._retention_days
        await self.flush()
        async with self._writing:
            try:
                cursor = await self._db.execute("DELETE FROM prefs WHERE last_seen < ?", (limit,))
                await self._db.commit()
            except WRITE_ERRORS as exc:
                await _rollback(self._db)
                log.warning("expired preferences not deleted (%s); next hour", type(exc).__name__)
                return 0
        for key in [k for k, cached in self._cache.items() if cached.last_seen < limit]:
            del self._cache[key]
        if cursor.rowcount:
            await _checkpoint(self._db)
        return cursor.rowcount

    async def _find(self, key: bytes) -> _Cached | None:
        cached = self._cache.get(key) or self._unwritten.get(key)
        if cached is not None or key in self._unwritten:  # forgotten, maybe not yet on disk
            return cached
        query = "SELECT lang, region, last_seen, discreet, tidy FROM prefs WHERE user_key = ?"
        async with self._db.execute(query, (key,)) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        tidy = Tidy(row[4]) if row[4] in set(Tidy) else Tidy.NEUTRAL
        return _Cached(UserState(row[0], row[1], bool(row[3]), tidy), int(row[2]))

    async def flush(self) -> None:
        """Write changed and forgotten preferences in one transaction; a refusing disk keeps
        them all for the next flush. Never raises for that."""
        async with self._writing:
            await self._flush()

    async def _flush(self) -> None:
        if not self._unwritten:
            return
        unwritten, self._unwritten = self._unwritten, {}
        dirty = {k: e for k, e in unwritten.items() if e is not None}
        try:
            await self._db.executemany(DELETE, [(k,) for k, e in unwritten.items() if e is None])
            await self._db.executemany(
                "INSERT INTO prefs (user_key, lang, region, last_seen, discreet, tidy) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_key) DO UPDATE SET "
                "lang = excluded.lang, region = excluded.region, last_seen = "
                "excluded.last_seen, discreet = excluded.discreet, tidy = excluded.tidy",
                [(k, e.state.lang, e.state.region, e.last_seen, e.state.discreet, e.state.tidy)
                 for k, e in dirty.items()],
            )
            await self._db.commit()
        except WRITE_ERRORS as exc:
            await _rollback(self._db)
            self._unwritten = unwritten | self._unwritten  # newer changes and forgetting win
            log.warning("could not write %d preferences (%s); kept for the next try",
                        len(dirty), type(exc).__name__)
            return
        if len(dirty) < len(unwritten):
            await _checkpoint(self._db)


class Totals:
    """Daily totals and broken-contact reports: counts with no link to any person."""

    def __init__(self, db: aiosqlite.Connection, today: Clock, writing: asyncio.Lock) -> None:
        self._db, self._today, self._writing = db, today, writing
        self._pending: Counter[tuple[str, str, str]] = Counter()

    def count(self, metric: str, value: str = "") -> None:
        self._pending[(self._today().isoformat(), metric, value)] += 1

    def chosen(self, state: UserState, before: UserState) -> None:
        """A language or place newly chosen (or held on a person's first visit of the day)."""
        if state.lang and state.lang != before.lang:
            self.count("language", state.lang)
        if state.region and state.region != before.region:
            self.count("region", state.region)

    async def flush(self) -> None:
        """Write the pending totals; a refusing disk keeps them for the next flush."""
        async with self._writing:
            await self._flush()

    async def _flush(self) -> None:
        pending, self._pending = self._pending, Counter()
        if not pending:
            return
        try:
            await self._db.executemany(
                "INSERT INTO counters (day, metric, value, count) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (day, metric, value) DO UPDATE SET count = count + excluded.count",
                [(*k, n) for k, n in pending.items()],
            )
            await self._db.commit()
        except WRITE_ERRORS as exc:
            await _rollback(self._db)
            self._pending.update(pending)
            log.warning("could not write %d totals (%s); kept for the next try",
                        len(pending), type(exc).__name__)

    async def report_broken(self, resource_id: str) -> None:
        async with self._writing:
            try:
                await self._db.execute(
                    "INSERT INTO reports (resource, day, count) VALUES (?, ?, 1) "
                    "ON CONFLICT (resource, day) DO UPDATE SET count = count + 1",
                    (resource_id, self._today().isoformat()),
                )
                await self._db.commit()
            except WRITE_ERRORS as exc:
                await _rollback(self._db)
                raise SaveFailed(exc) from None

    async def stats(self, days: int = 7) -> dict[str, dict[str, dict[str, int]]]:
        """{day: {metric: {value: count}}} for the last `days` days, today included."""
        await self.flush()
        since = (self._today() - dt.timedelta(days=days - 1)).isoformat()
        out: dict[str, dict[str, dict[str, int]]] = {}
        async with self._db.execute(
            "SELECT day, metric, value, count FROM counters WHERE day >= ? "
            "ORDER BY day DESC, metric, count DESC", (since,),
        ) as cursor:
            async for day, metric, value, count in cursor:
                out.setdefault(day, {}).setdefault(metric, {})[value] = count
        return out

    async def reports(self, since: str = "") -> list[tuple[str, int, str]]:
        """(resource id, reports, last day reported), most reported first; `since` an ISO day."""
        async with self._db.execute(
            "SELECT resource, SUM(count), MAX(day) FROM reports WHERE day >= ? "
            "GROUP BY resource ORDER BY SUM(count) DESC, resource", (since,),
        ) as cursor:
            return [(r, int(n), d) for r, n, d in await cursor.fetchall()]


async def _checkpoint(db: aiosqlite.Connection) -> None:
    """After a deletion: copy the WAL into the database (where secure_delete has zeroed the
    rows) and empty it, so no deleted key waits in the WAL for the next clean stop."""
    try:
        async with db.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            row = await cursor.fetchone()
    except WRITE_ERRORS as exc:
        log.warning("WAL checkpoint failed (%s); the next one retries", type(exc).__name__)
        return
    if row is not None and row[0]:  # another process was reading
        log.warning("WAL checkpoint could not finish while the database was read")


async def _rollback(db: aiosqlite.Connection) -> None:
    try:
        await db.rollback()
    except WRITE_ERRORS as exc:
        log.warning("rollback failed: %s", type(exc).__name__)


async def _prepare(db: aiosqlite.Connection) -> None:
    async with db.execute("PRAGMA quick_check") as cursor:
        result = await cursor.fetchone()
    if not result or result[0] != "ok":
        raise sqlite3.DatabaseError(f"integrity check failed: {result[0] if result else '?'}")
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "secure_delete = ON",
                   "busy_timeout = 5000"):
        await db.execute(f"PRAGMA {pragma}")
    async with db.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    version = int(row[0]) if row else 0
    if version > len(MIGRATIONS):
        raise sqlite3.DatabaseError(f"made by a newer Penah (schema {version})")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        await db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")


def parse_secret(raw: bytes, where: str) -> bytes:
    """32 bytes from 64 hexadecimal characters (a final newline allowed), or StartupError: a
    short key would make every stored key computable from a Telegram id, and the derived
    webhook secret a public constant."""
    text = raw.rstrip(b"\r\n")
    if not text:
        raise StartupError(
            f"{where} is empty. If it is the secret file and the disk was full when Penah "
            "first started: free some space, restore the file from a backup or, if no backup "
            "exists, delete it (saved settings will not be found again and expire)"
        )
    if not HEX.fullmatch(text):
        raise StartupError(
            f"{where} must be exactly {SECRET_BYTES * 2} hexadecimal characters "
            f"({SECRET_BYTES} random bytes); make one with: {MAKE_ONE}"
        )
    return bytes.fromhex(text.decode("ascii"))


def load_secret(data_dir: Path, given: bytes | None = None) -> bytes:
    """PENAH_SECRET if given, else the data folder's `secret`, generated once (mode 0600)."""
    if given is not None:
        return parse_secret(given, "PENAH_SECRET")
    path = data_dir / "secret"
    with contextlib.suppress(FileNotFoundError):
        return parse_secret(path.read_bytes(), f"the secret file {path}")
    try:
        return _create_secret(path)
    except FileExistsError:  # another process won the race
        return parse_secret(path.read_bytes(), f"the secret file {path}")
    except OSError as exc:
        raise StartupError(
            f"cannot write the secret file {path} ({exc.strerror or exc}); "
            "free some space or fix the data folder's permissions, then start again"
        ) from None


def _create_secret(path: Path) -> bytes:
    """Written atomically (a temporary file, fsync, then linked into place), so a start on a
    full disk never leaves a short key behind."""
    value = secrets.token_bytes(SECRET_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(value.hex().encode() + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temp, path)  # unlike rename, never replaces a secret another start wrote
        except OSError as exc:  # a filesystem without hard links; FileExistsError goes on
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return value
