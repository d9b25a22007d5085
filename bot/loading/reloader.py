"""Keeps the directory current: watch the file or folder, validate in a child, swap atomically.

A broken save never takes the bot down: every file is read in a child process under memory
and time limits (bot/parse.py), the last good directory (in a folder, the last good version of
each file) keeps serving, and the error is reported once per version of the files (log, and a
hook through which admins are told).
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.directory.model import DirectoryError, Problem
from bot.directory.queries import Directory
from bot.loading.readcache import ReadCache
from bot.loading.reader import KINDS, Parsers
from bot.loading.sources import Source
from bot.search import lookup as search

log = logging.getLogger(__name__)

ErrorHook = Callable[[DirectoryError], Awaitable[None]]
SWITCH_INTERVAL = 0.001  # seconds a busy thread may hold the interpreter while the loop waits
RETIRE_POLLS = 600  # a minute: an update that holds the old directory longer frees it itself
LOGGED_PROBLEMS = 50  # a file can hold thousands of mistakes; the log needs the first few


@dataclass(frozen=True)
class Outcome:
    changed: bool
    error: DirectoryError | None = None


class Reloader:
    def __init__(
        self,
        source: Source,
        directory: Directory,
        *,
        interval: float = 1.0,
        on_error: ErrorHook | None = None,
    ) -> None:
        self.source = source
        self.path = source.path
        self._directory = directory
        self._reported = ""
        self.interval = interval
        self.on_error = on_error
        self.last_error: DirectoryError | None = None
        self.generation = 0  # bumped on every swap, so caches of screens know to let go
        self._lock = asyncio.Lock()
        self._retiring: asyncio.Task[None] | None = None

    @classmethod
    def start_with(
        cls,
        path: Path,
        *,
        interval: float = 1.0,
        on_error: ErrorHook | None = None,
        cache: ReadCache | None = None,
    ) -> Reloader:
        """Load the first directory; a broken file at start is fatal (there is nothing to serve)."""
        source = Source(path, Parsers(warm=True), cache)
        try:
            directory = source.load()
            search.index_for(directory)  # typed search's index, built with the directory
        except DirectoryError:
            source.parsers.close()
            raise
        finally:
            give_back_memory()
        return cls(source, directory, interval=interval, on_error=on_error)

    @property
    def current(self) -> Directory:
        return self._directory

    async def reload(self) -> Outcome:
        """Read what changed now. Used by the watcher, /reload and SIGHUP."""
        async with self._lock:
            try:
                directory, error, changed = await asyncio.to_thread(self.source.refresh)
            except Exception as exc:  # never let the watcher die
                log.exception("unexpected error while reloading the directory")
                error = DirectoryError([Problem(str(self.path), 0, 0, "", type(exc).__name__)])
                directory, changed = None, False
            if error is not None:
                await self._report(error)
            else:
                self.last_error = None
                self._reported = ""
            if directory is None:
                return Outcome(False, error)
            # Readers take `current` once per update, so each sees one whole directory.
            old, self._directory = self._directory, directory
            self.generation += 1
            # Typed search's index follows at once, from the old one; a search in between
            # waits for it, so it never meets two directories.
            try:
                await asyncio.to_thread(search.index_for, directory)
            except Exception:  # a search builds it when asked; the watcher goes on
                log.exception("could not build typed search's index for the new directory")
            self._retiring = asyncio.create_task(self._retire([old]))
            del old
            log.info(
                "directory reloaded: %(resources)d resources, %(contacts)d contacts, "
                "%(guides)d guides",
                directory.counts(),
            )
            return Outcome(changed, error)

    async def retired(self) -> None:
        """Wait until the directory the last reload replaced is freed (the reload's last step,
        in the background)."""
        if self._retiring is not None:
            await self._retiring

    async def _retire(self, holder: list[Directory]) -> None:
        """Free the replaced directory off the loop, piece by piece, once nothing reads it.

        Dropped at once, a large directory's million objects would be freed in one go on the
        event loop (a second for 10,000 resources). Updates still reading it keep it whole.
        """
        for _ in range(RETIRE_POLLS):
            if sys.getrefcount(holder[0]) <= 2:  # only `holder` and the call's argument
                await asyncio.to_thread(_dismantle, holder)
                return
            await asyncio.sleep(0.1)

    async def watch(self) -> None:
        """Poll the files' signatures; an editor's atomic replace or a git pull both count."""
        while True:
            await asyncio.sleep(self.interval)
            if await asyncio.to_thread(self.source.changed_on_disk):
                await self.reload()

    async def _report(self, error: DirectoryError) -> None:
        self.last_error = error
        key = repr((sorted(self.source.seen.items(), key=str), str(error)))
        if key == self._reported:
            return
        self._reported = key
        shown = error.problems[:LOGGED_PROBLEMS]
        more = len(error.problems) - len(shown)
        log.error(
            "directory not (wholly) reloaded, the last good version keeps serving:\n%s%s",
            "\n".join(map(str, shown)), f"\n… and {more} more" if more else "",
        )
        if self.on_error:
            try:
                await self.on_error(error)
            except Exception:
                log.exception("could not tell the admins about the directory error")


def keep_the_loop_responsive() -> None:
    """Let the event loop take the interpreter back within a millisecond of waking.

    A reload works in threads (reading, merging, indexing) while the loop answers people. By
    default a busy thread keeps the interpreter for 5 ms before handing it over, and with two
    busy threads the loop waited 11-27 ms for its turn; at 1 ms it waits under 10.
    """
    sys.setswitchinterval(SWITCH_INTERVAL)


def give_back_memory() -> None:
    """Return the allocator's free pages to the system after a directory was built or freed.

    A load allocates and frees hundreds of megabytes in small pieces; glibc keeps the freed
    pages for reuse, so the bot would go on holding its peak. Elsewhere this does nothing.
    """
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None


_LIBC = _libc()


def _dismantle(holder: list[Directory]) -> None:
    """Empty the containers only this directory owns, a piece at a time, so the interpreter
    can switch threads between pieces; entries shared with the new directory stay."""
    directory = holder.pop()
    owned: list[Any] = [v for v in vars(directory).values() if isinstance(v, dict)]
    owned += [getattr(directory.data, kind) for kind in KINDS]  # built for this one alone
    del directory
    for value in owned:
        if isinstance(value, dict):
            while value:
                value.popitem()
        elif isinstance(value, list):
            while value:
                del value[-64:]
    give_back_memory()
