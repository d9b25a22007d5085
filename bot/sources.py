"""Where a directory comes from: one file, or a folder of files that admins split as they like.

A folder is read whole once; after that a reload reads only the files whose contents changed,
validates them in a child against what the other files define, and checks references across
the whole here, which is cheap. A broken file keeps its last good version serving; so does a
change that breaks another file's references. Every file's validated entries are kept, so the
directory is put together again without validating anything twice.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .children import KINDS, Parsed, Parsers
from .model import DirectoryError, DirectoryFile, Path_, Problem
from .queries import Directory
from .validation import contact_problem, whole_problems
from .yamlfile import read_file

SUFFIXES = (".yaml", ".yml")
Signature = tuple[int, int, int] | None


def files_of(path: Path) -> list[Path]:
    """The YAML files of a folder (hidden ones and editors' backups left out), or the file."""
    if not path.is_dir():
        return [path]
    found = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root, n) for n in names if n.endswith(SUFFIXES) and not n.startswith(".")]
    return sorted(found)


def signature(path: Path) -> Signature:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def signatures(path: Path) -> dict[str, Signature]:
    return {str(p): signature(p) for p in files_of(path)}


@dataclass
class _Good:
    """The last good version of one file."""

    digest: bytes
    parsed: Parsed


def _sections(parsed: Parsed) -> dict[str, Any]:
    return {"version": parsed.version, "languages": parsed.languages, **parsed.entries}


def _countries(good: dict[str, _Good]) -> dict[str, str | None]:
    return {r.id: r.country for g in good.values() for r in g.parsed.entries["regions"]}


class Source:
    """A directory file or folder, with the last good version of each of its files."""

    def __init__(self, path: Path, parsers: Parsers | None = None) -> None:
        self.path = path
        self.parsers = parsers or Parsers()
        self.folder = path.is_dir()
        self.seen: dict[str, Signature] = {}  # every file's signature when last read
        self._good: dict[str, _Good] = {}

    def changed_on_disk(self) -> bool:
        return signatures(self.path) != self.seen

    def load(self) -> Directory:
        """Read every file (in parallel children for a folder); DirectoryError on any problem."""
        directory, error, _ = self.refresh(everything=True)
        if error is not None:
            raise error
        assert directory is not None
        return directory

    def refresh(
        self, *, everything: bool = False
    ) -> tuple[Directory | None, DirectoryError | None, bool]:
        """Read what changed: (the new directory or None, the problems or None, changed).

        The cyclic collector is paused meanwhile: a large directory is a million new objects,
        none of them cyclic, and a full collection over them would hold the interpreter (every
        person's buttons) for half a second. What is kept is then frozen out of collections.
        """
        collecting = gc.isenabled()
        gc.disable()
        try:
            directory, error, changed = self._refresh(everything)
        finally:
            if collecting:
                gc.enable()
        if directory is not None:
            gc.freeze()
        return directory, error, changed

    def _refresh(
        self, everything: bool
    ) -> tuple[Directory | None, DirectoryError | None, bool]:
        now = signatures(self.path)
        todo = [name for name, sig in now.items() if everything or sig != self.seen.get(name)]
        removed = [name for name in self._good if name not in now]
        self.seen = now
        problems: list[Problem] = []
        read: list[tuple[str, bytes, bytes]] = []
        for name in todo:
            try:
                raw = read_file(Path(name))
            except DirectoryError as exc:
                problems += exc.problems
                continue
            digest = hashlib.sha256(raw).digest()
            if everything or name not in self._good or self._good[name].digest != digest:
                read.append((name, raw, digest))
        if not read and not removed and not problems:
            return None, None, False
        fresh, broken = self._parse(read, everything)
        problems += broken
        candidate = {k: v for k, v in self._good.items() if k not in removed or k in fresh}
        candidate.update(fresh)
        if not everything and self.folder and _countries(candidate) != _countries(self._good):
            # regions moved to other countries: every phone number is read again
            return self._refresh(True)
        candidate, cross = self._settle(candidate, set(fresh) | set(removed), read)
        problems += cross
        changed = everything or candidate.keys() != self._good.keys() or any(
            v is not self._good.get(k) for k, v in candidate.items()
        )
        if everything and problems:
            return None, DirectoryError(_sorted(problems)), False
        self._good = candidate
        error = DirectoryError(_sorted(problems)) if problems else None
        return (self.directory() if changed else None), error, changed

    def _parse(
        self, read: Sequence[tuple[str, bytes, bytes]], everything: bool
    ) -> tuple[dict[str, _Good], list[Problem]]:
        if not read:
            return {}, []
        digests = {name: digest for name, _, digest in read}
        files = [(name, raw) for name, raw, _ in read]
        if not self.folder:
            try:
                parsed, problems = self.parsers.parse(files, None)
            except DirectoryError as exc:  # the child died: its reason, for this file
                parsed, problems = [], exc.problems
        else:
            others = {k: v for k, v in self._good.items() if k not in digests}
            context = {
                "countries": _countries(others),
                "ids": {kind: [e.id for g in others.values() for e in g.parsed.entries[kind]]
                        for kind in ("regions", "categories", "resources")},
            }
            parsed, problems = self._parse_batches(files, context, everything)
        return {p.name: _Good(digests[p.name], p) for p in parsed}, problems

    def _parse_batches(
        self, files: list[tuple[str, bytes]], context: dict[str, Any], everything: bool
    ) -> tuple[list[Parsed], list[Problem]]:
        """A whole folder in parallel children, one batch of files each, similar in size."""
        count = min(len(files), os.cpu_count() or 1, 4) if everything else 1
        batches: list[list[tuple[str, bytes]]] = [[] for _ in range(max(count, 1))]
        sizes = [0] * len(batches)
        for item in sorted(files, key=lambda f: -len(f[1])):
            smallest = sizes.index(min(sizes))
            batches[smallest].append(item)
            sizes[smallest] += len(item[1])
        parsed: list[Parsed] = []
        problems: list[Problem] = []
        with ThreadPoolExecutor(len(batches)) as pool:
            jobs = [pool.submit(self.parsers.parse, batch, context) for batch in batches]
            for job in jobs:
                try:
                    ok, bad = job.result()
                except DirectoryError as exc:
                    ok, bad = [], exc.problems
                parsed += ok
                problems += bad
        return parsed, problems

    def _settle(
        self,
        candidate: dict[str, _Good],
        touched: set[str],
        read: Sequence[tuple[str, bytes, bytes]],
    ) -> tuple[dict[str, _Good], list[Problem]]:
        """Check across files; take back the changes that break references, naming them."""
        if not self.folder:
            return candidate, []
        found = self._cross(candidate, touched)
        if not found:
            return candidate, []
        texts = {name: raw for name, raw, _ in read}
        for name, _, _ in found:
            if name not in texts:
                try:
                    texts[name] = read_file(Path(name))
                except DirectoryError:
                    texts[name] = b""
        placed = self.parsers.place(list(texts.items()), found)
        if not self._good:
            return candidate, placed
        blamed = {name for name, _, _ in found} & touched
        kept = {k: v for k, v in candidate.items() if k not in blamed}
        kept.update({k: v for k, v in self._good.items() if k in blamed})
        if self._cross(kept, touched - blamed):
            kept = dict(self._good)  # the change broke other files: keep the last good whole
        return kept, placed

    @staticmethod
    def _cross(candidate: dict[str, _Good], fresh: set[str]) -> list[tuple[str, Path_, str]]:
        """References across all files; the contacts a fresh file's reader left for later."""
        parts = [(name, _sections(g.parsed)) for name, g in sorted(candidate.items())]
        found = whole_problems(parts)
        countries = _countries(candidate)
        for name in fresh & candidate.keys():
            for path, contact, regions in candidate[name].parsed.deferred:
                message = contact_problem(contact, [countries.get(r) for r in regions])
                if message:
                    found.append((name, path, message))
        return found

    def directory(self) -> Directory:
        """The whole, put together from each file's validated entries."""
        parsed = [self._good[name].parsed for name in sorted(self._good)]
        sections: dict[str, list[Any]] = {kind: [] for kind in KINDS}
        for p in parsed:
            for kind in KINDS:
                sections[kind].extend(p.entries[kind])
        languages = next((p.languages for p in parsed if p.languages), ["en"])
        data = DirectoryFile.model_construct(
            None, version=1, languages=languages, **sections
        )
        directory = Directory(data, source=str(self.path))
        # Build the lookups here, in the reload's thread, not in the first update after it.
        for category in data.categories[:1]:
            directory.resources_for(None, category.id)
        _ = directory.regions, directory.categories, directory.resources, directory.guides
        return directory


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line, p.column))


def load_directory(path: Path) -> Directory:
    """Validate a directory file or folder in a child process."""
    return Source(path).load()
