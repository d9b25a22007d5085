"""The store's per-update read path, kept off aiosqlite's thread.

Every update needs the person's key and, the first time they are seen since start, their
preferences. Through aiosqlite each lookup hands off to its thread and wakes the event loop
again (about 0.3 ms of CPU); a point lookup on a direct read-only `sqlite3` connection takes a
few microseconds, short enough to run on the loop. In WAL mode a reader never waits for the
writer, and writes still go through the store's one aiosqlite connection. The keyed hash of a
user id is computed once and remembered for recent users (in memory only, bounded), so the
flood guard and the handler do not each pay for it.
"""

from __future__ import annotations

import hmac
import sqlite3
from pathlib import Path
from typing import Any

KEYS_REMEMBERED = 8192


class UserKeys:
    """HMAC-SHA256(secret, user id), remembered for the most recent users."""

    def __init__(self, secret: bytes, limit: int = KEYS_REMEMBERED) -> None:
        self._secret = secret
        self._limit = limit
        self._keys: dict[int, bytes] = {}

    def __call__(self, user_id: int) -> bytes:
        key = self._keys.get(user_id)
        if key is None:
            key = hmac.digest(self._secret, str(user_id).encode(), "sha256")
            if len(self._keys) >= self._limit:
                self._keys.pop(next(iter(self._keys)))
            self._keys[user_id] = key
        return key


class PrefsReader:
    """A read-only connection for the store's point lookups (`… WHERE user_key = ?`)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.1,
            isolation_level=None, check_same_thread=False,
        )
        self._db.execute("PRAGMA query_only = ON")

    def fetchone(self, query: str, params: tuple[object, ...]) -> Any:
        """The first row of a read, or None; the store keeps the SQL and what a row means."""
        return self._db.execute(query, params).fetchone()

    def close(self) -> None:
        self._db.close()
