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
import re
import weakref
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.directory.model import DirectoryError, DirectoryFile, Path_, Problem
from bot.directory.queries import Directory, Piece
from bot.loading.compact import Shared
from bot.loading.readcache import ReadCache
from bot.loading.reader import KINDS, Parsed, Parsers, read_answer
from bot.loading.stored import Joined
from bot.loading.validation import Outline, contact_problem, outline, whole_problems
from bot.loading.yamlfile import read_file

SUFFIXES = (".yaml", ".yml")
FOLD_HERE_BYTES = 512 * 1024  # files read together up to this size: the bot folds their words
_REGIONS = re.compile(rb"(?m)^regions[ \t]*:")  # a file that defines regions
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
    """The last good version of one file, and its piece of every directory made from it."""

    digest: bytes
    against: bytes  # the files defining regions it was checked against, as a digest
    parsed: Parsed
    piece: Piece = field(init=False)
    outline: Outline = field(init=False)

    def __post_init__(self) -> None:
        parsed = self.parsed
        self.piece = Piece(parsed.entries["resources"], parsed.entries["guides"], parsed.words)
        parsed.words = None  # the piece holds them until the search index has
        self.outline = outline(parsed.name, {
            "version": parsed.version, "languages": parsed.languages, **parsed.entries,
            "resources": self.piece.light,
        })

    def ids(self, kind: str) -> list[str]:
        entries = self.piece.light if kind == "resources" else self.parsed.entries[kind]
        return [e.id for e in entries]


def _countries(good: dict[str, _Good]) -> dict[str, str | None]:
    return {r.id: r.country for g in good.values() for r in g.parsed.entries["regions"]}


class Source:
    """A directory file or folder, with the last good version of each of its files."""

    def __init__(
        self, path: Path, parsers: Parsers | None = None, cache: ReadCache | None = None
    ) -> None:
        self.path = path
        self.parsers = parsers or Parsers()
        self.cache = cache
        self.folder = path.is_dir()
        self.seen: dict[str, Signature] = {}  # every file's signature when last read
        self._good: dict[str, _Good] = {}
        self._last: weakref.ref[Directory] | None = None  # the newest directory, while it lives

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
        if self.cache is not None and everything:
            self.cache.keep_only({(g.digest, g.against) for g in candidate.values()})
        elif self.cache is not None:  # the readings of the versions replaced
            for name, good in self._good.items():
                if candidate.get(name) is not good:
                    self.cache.drop(good.digest, good.against)
        self._good = candidate
        for good in candidate.values():
            good.parsed.deferred = []  # checked against the whole now, until regions change
        error = DirectoryError(_sorted(problems)) if problems else None
        return (self.directory() if changed else None), error, changed

    def _parse(
        self, read: Sequence[tuple[str, bytes, bytes]], everything: bool
    ) -> tuple[dict[str, _Good], list[Problem]]:
        """Validate files in children, or take a child's earlier answer for the same bytes.

        A whole folder is read in two steps: the files that define regions first, then the
        rest against them, so that their children check every phone number against its
        country (left for later, thousands would be checked here, in the bot)."""
        names = {name for name, _, _ in read}
        if self.folder and everything:
            first = [f for f in read if _defines_regions(f[1])]
            if 0 < len(first) < len(read):
                good, problems = self._parse_against(first, {}, everything)
                rest = [f for f in read if f not in first]
                more, more_problems = self._parse_against(rest, good, everything)
                return {**good, **more}, problems + more_problems
        others = {k: v for k, v in self._good.items() if k not in names}
        return self._parse_against(read, others, everything)

    def _parse_against(
        self,
        read: Sequence[tuple[str, bytes, bytes]],
        others: dict[str, _Good],
        everything: bool,
    ) -> tuple[dict[str, _Good], list[Problem]]:
        if not read:
            return {}, []
        digests = {name: digest for name, _, digest in read}
        context: dict[str, Any] | None = None
        if self.folder:
            context = {
                "countries": _countries(others),
                "ids": {kind: [i for g in others.values() for i in g.ids(kind)]
                        for kind in ("regions", "categories", "resources")},
            }
        # What a valid file's reading depends on besides itself: the regions (their countries
        # decide which phone numbers its child could check), as the files defining them were.
        against = hashlib.sha256(b"".join(
            name.encode() + b"\0" + g.digest for name, g in sorted(others.items())
            if g.parsed.entries["regions"]
        ) if self.folder else b"whole").digest()
        shared = Shared()
        parsed: list[Parsed] = []
        files = []
        for name, raw, digest in read:
            answer = self.cache.get(digest, against) if self.cache else None
            found = read_answer(answer, shared) if answer is not None else []
            if [p.name for p in found] == [name]:
                parsed += found
            else:
                files.append((name, raw))
        fresh, problems = self._parse_batches(files, context, everything, shared)
        for p in fresh:
            if self.cache is not None and p.answer is not None:
                self.cache.put(digests[p.name], against, p.answer)
            p.answer = None
        parsed += fresh
        return {p.name: _Good(digests[p.name], against, p) for p in parsed}, problems

    def _parse_batches(
        self,
        files: list[tuple[str, bytes]],
        context: dict[str, Any] | None,
        everything: bool,
        shared: Shared,
    ) -> tuple[list[Parsed], list[Problem]]:
        """Files in parallel children, one batch of files each, similar in size."""
        if not files:
            return [], []
        count = min(len(files), os.cpu_count() or 1, 4) if everything else 1
        batches: list[list[tuple[str, bytes]]] = [[] for _ in range(max(count, 1))]
        sizes = [0] * len(batches)
        for item in sorted(files, key=lambda f: -len(f[1])):
            smallest = sizes.index(min(sizes))
            batches[smallest].append(item)
            sizes[smallest] += len(item[1])
        # A child folds search words for a whole directory or a large file; the few words of
        # a small file are folded here after the swap, which puts the change live sooner.
        fold = everything or sum(sizes) > FOLD_HERE_BYTES
        parsed: list[Parsed] = []
        problems: list[Problem] = []
        with ThreadPoolExecutor(len(batches)) as pool:
            jobs = [pool.submit(self.parsers.parse, batch, context, shared=shared,
                                keep=self.cache is not None, words=fold)
                    for batch in batches]
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
        found = whole_problems([g.outline for _, g in sorted(candidate.items())])
        countries = _countries(candidate)
        for name in fresh & candidate.keys():
            for path, contact, regions in candidate[name].parsed.deferred:
                message = contact_problem(contact, [countries.get(r) for r in regions])
                if message:
                    found.append((name, path, message))
        return found

    def directory(self) -> Directory:
        """The whole, put together from each file's validated entries."""
        good = [self._good[name] for name in sorted(self._good)]
        parsed = [g.parsed for g in good]
        sections: dict[str, Any] = {kind: [] for kind in KINDS}
        for p in parsed:
            for kind in KINDS:
                if kind != "resources":
                    sections[kind].extend(p.entries[kind])
        sections["resources"] = Joined([p.entries["resources"] for p in parsed])
        languages = next((p.languages for p in parsed if p.languages), ["en"])
        data = DirectoryFile.model_construct(
            None, version=1, languages=languages, **sections
        )
        last = self._last() if self._last is not None else None
        directory = Directory(data, str(self.path), tuple(g.piece for g in good), last)
        self._last = weakref.ref(directory)
        # Build the lookups here, in the reload's thread, not in the first update after it.
        for category in data.categories[:1]:
            directory.listed_for(None, category.id)
        _ = directory.regions, directory.categories, directory.resources, directory.guides
        _ = directory.emergency_category
        return directory


def _defines_regions(raw: bytes) -> bool:
    """Found without the pattern first where it can be: a search of every line is slow."""
    return (raw.startswith(b"regions") or b"\nregions" in raw) and bool(_REGIONS.search(raw))


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line, p.column))


def load_directory(path: Path) -> Directory:
    """Validate a directory file or folder in a child process."""
    return Source(path).load()
