"""Keeps the directory current, with the last good version of each file: an edit re-reads only
that file, and a file that breaks, or a change that would break another file, is held back,
named at its file and line, told once per version of the files, and read again with the next
change. The directory and its search index are built off the event loop and swapped together.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.directory.model import DirectoryError, Problem
from bot.directory.queries import Directory
from bot.loading.reader import Read, Reader, Signature, signatures
from bot.loading.validation import Unplaced, contact_problems, cross_problems, whole
from bot.search.index import Index

log = logging.getLogger(__name__)

ErrorHook = Callable[[DirectoryError], Awaitable[None]]
LOGGED_PROBLEMS = 50  # a file can hold thousands of mistakes; the log needs the first few
_NO_FILES = "holds no directory file (*.yaml or *.yml, not hidden)"
_UNCHECKED = ("its contacts were checked for the regions' countries before they changed: "
              "the change of country waits until this file reads again")
# A first load reads files in as many children at once as there are cores (more only compete).
WHOLE_LOAD_CHILDREN = os.cpu_count() or 1


def _countries(files: Iterable[Read]) -> dict[str, str | None]:
    return {r.id: r.country for read in files for r in read.part.regions}


class DirectoryFiles:
    def __init__(self, path: Path, reader: Reader | None = None) -> None:
        self.path = path
        self.reader = reader or Reader()
        self.folder = path if path.is_dir() else None
        self.seen: dict[str, Signature] = {}  # every file's signature when last read
        self._good: dict[str, Read] = {}
        # Files whose last reading did not go live (broken, or held back by the others): read
        # again with the next change, which may be the one they waited for.
        self._behind: set[str] = set()

    def changed_on_disk(self) -> bool:
        return signatures(self.path) != self.seen

    def load(self) -> Directory:
        """Read every file; DirectoryError on any problem."""
        directory, error = self.refresh(everything=True)
        if error is not None:
            raise error
        assert directory is not None
        return directory

    def refresh(
        self, *, everything: bool = False
    ) -> tuple[Directory | None, DirectoryError | None]:
        """Read what changed: (the new directory if it changed, the problems or None)."""
        now = signatures(self.path)
        if not now:  # a folder emptied by mistake: what was read keeps serving
            self.seen = now
            return None, DirectoryError([Problem(str(self.path), 0, 0, "", _NO_FILES)])
        todo = [name for name, sig in now.items()
                if everything or sig != self.seen.get(name) or name in self._behind]
        removed = [name for name in self._good if name not in now]
        self.seen = now
        if not todo and not removed:
            return None, None
        others = [read for name, read in self._good.items() if name not in todo]
        # A file of a folder is checked against the other files' regions, and their ids when
        # it is read alone (files read together may refer to each other's new ids).
        context = {"countries": _countries(others), "ids": {
            kind: [entry.id for read in others for entry in getattr(read.part, kind)]
            for kind in ("regions", "categories", "resources")} if len(todo) == 1 else {}}
        found, problems = self.reader.read(todo, self.folder, context if self.folder else None,
                                           children=WHOLE_LOAD_CHILDREN if everything else 1)
        # a file saved again unchanged keeps its last good reading: nothing changes
        fresh = {read.name: last if (last := self._good.get(read.name)) is not None
                 and last.digest == read.digest else read for read in found}
        candidate = {k: v for k, v in self._good.items() if k not in removed} | fresh
        # A file that failed to read keeps its last good numbers, checked for the countries
        # of their regions then: they are not served under another country unread.
        countries = _countries(self._good.values()).items() ^ _countries(candidate.values()).items()
        moved = {region for region, _ in countries}
        unchecked = [name for name in todo if name not in fresh and name in candidate
                     and any(moved.intersection(r.regions) for r in candidate[name].part.resources)]
        if unchecked:
            candidate = dict(self._good)
            problems += [Problem(name, 0, 0, "", _UNCHECKED) for name in unchecked]
        candidate, cross = self._settle(candidate, set(fresh) | set(removed))
        problems += cross
        self._behind = {name for name in todo if name not in fresh
                        or candidate.get(name) is not fresh[name]}
        error = DirectoryError(sorted(problems, key=lambda p: (p.file, p.line, p.column)))
        if problems and not self._good:  # a first load: nothing to serve but the whole
            return None, error
        changed = candidate.keys() != self._good.keys() or any(
            v is not self._good.get(k) for k, v in candidate.items())
        self._good = candidate
        told = error if problems else None
        if not changed:
            return None, told
        good = [candidate[name] for name in sorted(candidate)]
        return Directory(whole([r.part for r in good]), tuple(r.piece for r in good)), told

    def _settle(
        self, candidate: dict[str, Read], touched: set[str]
    ) -> tuple[dict[str, Read], list[Problem]]:
        """Check across files; take back the changes that break the whole, naming them."""
        found = self._cross(candidate, touched) if self.folder else []
        if not found:
            return candidate, []
        placed = self.reader.place(self.folder, found)
        if not self._good:
            return candidate, placed
        # Only a file with another last good version can be taken back; one read unchanged
        # that fails against the others holds back the change that made it fail.
        blamed = {name for name, _, _ in found
                  if name in touched and candidate.get(name) is not self._good.get(name)}
        kept = ({k: v for k, v in candidate.items() if k not in blamed}
                | {k: v for k, v in self._good.items() if k in blamed})
        if self._cross(kept, touched - blamed):
            kept = dict(self._good)  # the change broke other files: keep the last good whole
        return kept, placed

    def _cross(self, candidate: dict[str, Read], fresh: set[str]) -> list[Unplaced]:
        """What spans all files, and the contacts of the files read now in the whole's
        countries (of every file, when a region changed country)."""
        found = cross_problems([(name, read.part) for name, read in sorted(candidate.items())],
                               whole=True)
        countries = _countries(candidate.values())
        moved = countries != _countries(self._good.values())
        for name, read in candidate.items():
            if moved or name in fresh:
                found += [(name, path, message)
                          for path, message in contact_problems(read.part, countries)]
        return found


def load_directory(path: Path, reader: Reader | None = None) -> Directory:
    source = DirectoryFiles(path, reader)
    try:
        return source.load()
    finally:
        source.reader.close()


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
