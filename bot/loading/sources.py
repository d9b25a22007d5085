"""A directory file or folder, read in child processes, with the last good version of each file.

A folder is read file by file: an edit re-reads only the changed file, and a file that breaks
keeps its last good version serving while the others go live. What spans files (ids,
references, one emergency category) is checked over the whole; a change that would break
another file's references is held back, naming the problem at its file and line, and read
again with the next change (the one it may have waited for).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.directory.model import SECTIONS, DirectoryError, DirectoryFile, Path_, Problem
from bot.directory.queries import Directory, Piece
from bot.loading.files import Signature, signatures
from bot.loading.reader import Read, Reader
from bot.loading.validation import Outline, contact_problem, outline, whole_problems

_UNCHECKED = ("its contacts were checked for the regions' countries before they changed: "
              "the change of country waits until this file reads again")

# A first load reads files in as many children at once as there are cores (more only compete).
WHOLE_LOAD_CHILDREN = os.cpu_count() or 1


@dataclass
class _Good:
    """The last good version of one file."""

    read: Read

    def __post_init__(self) -> None:
        part = self.read.part
        self.piece = Piece(part.resources, part.guides, self.read.words)
        self.outline: Outline = outline(self.read.name, part)

    def ids(self, kind: str) -> list[str]:
        return [e.id for e in getattr(self.read.part, kind)]


def _countries(good: dict[str, _Good]) -> dict[str, str | None]:
    return {r.id: r.country for g in good.values() for r in g.read.part.regions}


class DirectoryFiles:
    """A directory file or folder, with the last good version of each of its files."""

    def __init__(self, path: Path, reader: Reader | None = None) -> None:
        self.path = path
        self.reader = reader or Reader()
        self.folder = path if path.is_dir() else None
        self.seen: dict[str, Signature] = {}  # every file's signature when last read
        self._good: dict[str, _Good] = {}
        # Files whose last reading did not go live (broken, or held back by the others): read
        # again with the next change, which may be the one they waited for.
        self._behind: set[str] = set()

    def changed_on_disk(self) -> bool:
        return signatures(self.path) != self.seen

    def load(self) -> Directory:
        """Read every file; DirectoryError on any problem."""
        directory, error, _ = self.refresh(everything=True)
        if error is not None:
            raise error
        assert directory is not None
        return directory

    def refresh(
        self, *, everything: bool = False
    ) -> tuple[Directory | None, DirectoryError | None, bool]:
        """Read what changed: (the new directory or None, the problems or None, changed)."""
        now = signatures(self.path)
        todo = [name for name, sig in now.items()
                if everything or sig != self.seen.get(name) or name in self._behind]
        removed = [name for name in self._good if name not in now]
        self.seen = now
        if not todo and not removed:
            return None, None, False
        others = {k: v for k, v in self._good.items() if k not in todo}
        found, problems = self.reader.read(
            todo, self.folder, self._context(others) if self.folder else None,
            children=WHOLE_LOAD_CHILDREN if everything else 1,
        )
        fresh = {read.name: self._kept(read) for read in found}
        candidate = {k: v for k, v in self._good.items() if k not in removed}
        candidate.update(fresh)
        if not everything and self.folder and _countries(candidate) != _countries(self._good):
            return self.refresh(everything=True)  # regions changed country: read all again
        unchecked = self._unchecked(candidate, fresh)
        if unchecked:
            candidate = dict(self._good)
            problems += [Problem(name, 0, 0, "", _UNCHECKED) for name in unchecked]
        candidate, cross = self._settle(candidate, set(fresh) | set(removed))
        problems += cross
        self._behind = {name for name in todo if name not in fresh
                        or candidate.get(name) is not fresh[name]}
        if problems and not self._good:  # a first load: nothing to serve but the whole
            return None, DirectoryError(_sorted(problems)), False
        changed = candidate.keys() != self._good.keys() or any(
            v is not self._good.get(k) for k, v in candidate.items())
        self._good = candidate
        for good in candidate.values():
            good.read.deferred = []  # checked against the whole now, until regions change
        error = DirectoryError(_sorted(problems)) if problems else None
        return (self.directory() if changed else None), error, changed

    def _unchecked(self, candidate: dict[str, _Good], fresh: dict[str, _Good]) -> list[str]:
        """Files not read again whose contacts are in regions that changed country: their
        numbers were checked for the old countries, so the change waits for them."""
        before, after = _countries(self._good), _countries(candidate)
        moved = {r for r in before.keys() | after.keys() if before.get(r) != after.get(r)}
        return [name for name, good in sorted(candidate.items())
                if name not in fresh and any(
                    moved.intersection(r.regions) for r in good.read.part.resources)]

    def _kept(self, read: Read) -> _Good:
        """The last good version of a file saved again unchanged, else the new reading."""
        good = self._good.get(read.name)
        if good is None or good.read.digest != read.digest:
            return _Good(read)
        good.read.deferred = read.deferred  # its contacts, to check against the whole again
        return good

    @staticmethod
    def _context(others: dict[str, _Good]) -> dict[str, Any]:
        """What a file of a folder is checked against: the other files' regions and ids."""
        return {
            "countries": _countries(others),
            "ids": {kind: [i for g in others.values() for i in g.ids(kind)]
                    for kind in ("regions", "categories", "resources")},
        }

    def _settle(
        self, candidate: dict[str, _Good], touched: set[str]
    ) -> tuple[dict[str, _Good], list[Problem]]:
        """Check across files; take back the changes that break references, naming them."""
        if not self.folder:
            return candidate, []
        found = self._cross(candidate, touched)
        if not found:
            return candidate, []
        placed = self.reader.place(self.folder, found)
        if not self._good:
            return candidate, placed
        # Only a file with another last good version can be taken back; one read unchanged
        # that fails against the others holds back the change that made it fail.
        blamed = {name for name, _, _ in found
                  if name in touched and candidate.get(name) is not self._good.get(name)}
        kept = {k: v for k, v in candidate.items() if k not in blamed}
        kept.update({k: v for k, v in self._good.items() if k in blamed})
        if self._cross(kept, touched - blamed):
            kept = dict(self._good)  # the change broke other files: keep the last good whole
        return kept, placed

    @staticmethod
    def _cross(candidate: dict[str, _Good], fresh: set[str]) -> list[tuple[str, Path_, str]]:
        """References across all files; the contacts a fresh file's reader left for later."""
        found = whole_problems([g.outline for _, g in sorted(candidate.items())])
        countries = _countries(candidate)
        for name in fresh & candidate.keys():
            for path, contact, regions in candidate[name].read.deferred:
                message = contact_problem(contact, [countries.get(r) for r in regions])
                if message:
                    found.append((name, path, message))
        return found

    def directory(self) -> Directory:
        """The whole, put together from each file's validated entries."""
        good = [self._good[name] for name in sorted(self._good)]
        sections: dict[str, Any] = {
            kind: [entry for g in good for entry in getattr(g.read.part, kind)] for kind in SECTIONS
        }
        languages = next((g.read.part.languages for g in good if g.read.part.languages), ["en"])
        data = DirectoryFile.model_construct(None, version=1, languages=languages, **sections)
        return Directory(data, str(self.path), tuple(g.piece for g in good))


def _sorted(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line, p.column))


def load_directory(path: Path, reader: Reader | None = None) -> Directory:
    """Validate a directory file or folder (in child processes, unless told otherwise)."""
    source = DirectoryFiles(path, reader)
    try:
        return source.load()
    finally:
        source.reader.close()
