"""Keeps the directory current: watch the file or folder, read it in children, swap atomically.

A broken save never takes the bot down: the last good directory (in a folder, the last good
version of each file) keeps serving, and the error is told once per version of the files (log,
and a hook to the admins). The directory and typed search's index are built off the event
loop and swapped together, so a search never meets two directories.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bot.directory.model import DirectoryError, Problem
from bot.directory.queries import Directory
from bot.loading.reader import Reader
from bot.loading.sources import DirectoryFiles
from bot.search.index import Index

log = logging.getLogger(__name__)

ErrorHook = Callable[[DirectoryError], Awaitable[None]]
LOGGED_PROBLEMS = 50  # a file can hold thousands of mistakes; the log needs the first few


@dataclass(frozen=True)
class Loaded:
    directory: Directory
    index: Index  # typed search's, made from `directory`

    @classmethod
    def of(cls, directory: Directory) -> Loaded:
        """Made whole off the event loop: the first screen after a swap finds it ready."""
        directory.prepare()
        return cls(directory, Index(directory))


@dataclass(frozen=True)
class ReloadResult:
    changed: bool
    error: DirectoryError | None = None


class Reloader:
    def __init__(
        self, source: DirectoryFiles, loaded: Loaded, *, interval: float = 1.0,
        on_error: ErrorHook | None = None,
    ) -> None:
        self.source, self.path, self.loaded = source, source.path, loaded
        self.interval, self.on_error = interval, on_error
        self.last_error: DirectoryError | None = None
        self.generation = 0  # bumped on every swap, so caches of screens know to let go
        self._reported = ""
        self._lock = asyncio.Lock()

    @classmethod
    def start_with(
        cls, path: Path, *, interval: float = 1.0, on_error: ErrorHook | None = None,
        reader: Reader | None = None,
    ) -> Reloader:
        """Load the first directory; a broken file at start is fatal (there is nothing to serve)."""
        source = DirectoryFiles(path, reader)
        try:
            loaded = Loaded.of(source.load())
        except DirectoryError:
            source.reader.close()
            raise
        return cls(source, loaded, interval=interval, on_error=on_error)

    @property
    def current(self) -> Directory:
        return self.loaded.directory

    async def reload(self) -> ReloadResult:
        """Read what changed now: for the watcher, /reload and SIGHUP."""
        async with self._lock:
            loaded = None
            try:
                directory, error = await asyncio.to_thread(self.source.refresh)
                if directory is not None:
                    loaded = await asyncio.to_thread(Loaded.of, directory)
            except Exception as exc:  # never let the watcher die
                log.exception("unexpected error while reloading the directory")
                error = DirectoryError([Problem(str(self.path), 0, 0, "", type(exc).__name__)])
            self.last_error = error
            if error is not None:
                await self._report(error)
            else:
                self._reported = ""
            if loaded is None:
                return ReloadResult(False, error)
            self.loaded = loaded  # readers take it once per update: one whole version each
            self.generation += 1
            log.info("directory reloaded: %(resources)d resources, %(contacts)d contacts, "
                     "%(guides)d guides", loaded.directory.counts())
            return ReloadResult(True, error)

    async def watch(self) -> None:
        """Poll the files' signatures; an editor's atomic replace or a git pull both count."""
        while True:
            await asyncio.sleep(self.interval)
            if await asyncio.to_thread(self.source.changed_on_disk):
                await self.reload()

    def close(self) -> None:
        """Stop any reader child still at work: a stopping bot does not wait for it."""
        self.source.reader.close()

    async def _report(self, error: DirectoryError) -> None:
        """Once per version of the files and their problems: a poll finds the same again."""
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
