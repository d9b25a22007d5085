"""Running `python -m bot.loading.child` for the bot: one child per job, under a deadline.

The child limits its own memory and CPU before it reads a byte of input (see bot/parse.py);
here it gets a deadline too, and whatever way it dies becomes a DirectoryError naming the
files it was given. A spare child is kept started, its imports done, so that a reload pays
for the parse only; its output is read as it comes, so no single step holds the
interpreter for long while the bot serves.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from bot.directory.model import DirectoryError, Path_, Problem, format_path
from bot.loading.compact import BUILDERS, Shared
from bot.loading.stored import Stored

T = TypeVar("T")

TIMEOUT = 60.0  # seconds, and as many again per 10 MB read (a 20 MB directory takes ~10 s)
SECONDS_PER_MB = 6.0
SPARE_AFTER = 1.0  # seconds after a read, when its reload has swapped and indexed
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)
KINDS = ("regions", "categories", "resources", "guides")


@dataclass
class Parsed:
    """One file the child found valid, its entries rebuilt without validating again."""

    name: str
    version: int | None
    languages: list[str] | None
    entries: dict[str, Sequence[Any]]  # resources as a Stored
    deferred: list[tuple[Path_, dict[str, Any], list[str]]] = field(default_factory=list)
    words: list[bytes] | None = None  # typed search's, as the reader wrote them (JSON lines)
    answer: bytes | None = None  # the child's lines for this file, to keep for a restart


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


@dataclass
class _Child:
    process: subprocess.Popen[bytes]
    stderr: IO[bytes]


def _spawn() -> _Child:
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - read after the child ends
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.loading.child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        env=_env(),
        close_fds=True,
    )
    return _Child(process, stderr)


def _why(child: _Child, timed_out: bool, seconds: float) -> str:
    """Why the child gave no answer, in words for an admin."""
    if timed_out:
        return f"reading it took longer than {seconds:.0f} s"
    code = child.process.returncode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        if name in ("SIGXCPU", "SIGKILL"):
            return f"reading it used too much time or memory (the reader was stopped: {name})"
        return f"the YAML reader crashed on it ({name})"
    child.stderr.seek(0)
    tail = child.stderr.read()[-2000:].decode(errors="replace").strip().splitlines()
    last = tail[-1] if tail else f"exit code {code}"
    if "MemoryError" in last:
        return "reading it needed too much memory"
    return f"the reader failed ({last[:80]})"


def _stop_all(spares: list[_Child]) -> None:
    for spare in spares:
        if spare.process.poll() is None:
            spare.process.kill()
            spare.process.wait()
        for stream in (spare.process.stdin, spare.process.stdout, spare.stderr):
            if stream is not None:
                stream.close()
    spares.clear()


class Parsers:
    """Starts children and reads their answers; `warm` keeps one started ahead of need."""

    def __init__(self, *, warm: bool = False) -> None:
        self.warm = warm
        self._spares: list[_Child] = []  # at most one; a list the finalizer can share
        self._lock = threading.Lock()
        self._closed = False
        # The spare goes when this object does (a test's bot), or at exit at the latest.
        self._finalizer = weakref.finalize(self, _stop_all, self._spares)

    @property
    def _spare(self) -> _Child | None:
        return self._spares[0] if self._spares else None

    @_spare.setter
    def _spare(self, child: _Child | None) -> None:
        self._spares[:] = [child] if child is not None else []

    def close(self) -> None:
        with self._lock:
            self._closed = True
            spares, self._spares[:] = list(self._spares), []
        _stop_all(spares)

    def _take(self) -> _Child:
        with self._lock:
            child, self._spare = self._spare, None
        if child is None or child.process.poll() is not None:
            if child is not None:
                _stop_all([child])
            child = _spawn()
        return child

    def _ready_spare(self) -> None:
        """Start the next reload's child a moment after this one is done: its start-up (half
        a second of imports) would otherwise compete with the rest of the reload for the CPU."""
        if self.warm:
            timer = threading.Timer(SPARE_AFTER, self._spawn_spare)
            timer.daemon = True
            timer.start()

    def _spawn_spare(self) -> None:
        with self._lock:
            if self._spare is None and not self._closed:
                self._spare = _spawn()

    def _talk(
        self,
        files: Sequence[tuple[str, bytes]],
        header: dict[str, Any],
        consume: Callable[[IO[bytes]], T],
    ) -> T:
        """Send one job and hand its answer, as it comes, to `consume`."""
        child = self._take()
        process = child.process
        assert process.stdin is not None and process.stdout is not None
        size_mb = sum(len(raw) for _, raw in files) / 2**20
        seconds = TIMEOUT + SECONDS_PER_MB * size_mb
        deadline = threading.Timer(seconds, process.kill)
        deadline.start()
        try:
            try:
                head = {**header, "files": [[name, len(raw)] for name, raw in files]}
                process.stdin.write(json.dumps(head).encode() + b"\n")
                for _, raw in files:
                    process.stdin.write(raw)
                process.stdin.close()
            except BrokenPipeError:
                pass
            try:
                result = consume(process.stdout)
            except (ValueError, KeyError, TypeError):  # cut short: the exit code says why
                result = None
            while process.stdout.read(2**16):  # drain whatever is left
                pass
            process.wait()
            timed_out = not deadline.is_alive() and process.returncode == -signal.SIGKILL
        finally:
            deadline.cancel()
            process.stdout.close()
        try:
            if process.returncode != 0 or result is None:
                raise _Dead(_why(child, timed_out, seconds))
        finally:
            child.stderr.close()
            self._ready_spare()
        return result

    def parse(
        self,
        files: Sequence[tuple[str, bytes]],
        context: dict[str, Any] | None = None,
        *,
        shared: Shared | None = None,
        keep: bool = False,
        words: bool = True,
    ) -> tuple[list[Parsed], list[Problem]]:
        """Validate `files` in one child: (valid files, problems of the others); `keep` keeps
        each valid file's answer as the child wrote it; `words` has it fold search words."""
        try:
            return self._talk(
                files,
                {"context": context, "words": words},
                lambda answer: _read(answer, shared or Shared(), keep),
            )
        except _Dead as dead:
            raise DirectoryError(
                [Problem(name, 0, 0, "", f"not read: {dead.reason}") for name, _ in files]
            ) from None

    def place(
        self, texts: Sequence[tuple[str, bytes]], found: Sequence[tuple[str, Path_, str]]
    ) -> list[Problem]:
        """Problems found across files, at their line and column, placed by a child."""
        wanted: dict[str, list[Any]] = {}
        for name, path, message in found:
            wanted.setdefault(name, []).append([list(path), message])
        try:
            return self._talk([t for t in texts if t[0] in wanted], {"locate": wanted}, _placed)
        except _Dead:
            return [Problem(n, 0, 0, format_path(path), message) for n, path, message in found]


class _Dead(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _placed(answer: IO[bytes]) -> list[Problem]:
    return [Problem(**p) for p in json.loads(answer.readline())]


def read_answer(answer: bytes, shared: Shared) -> list[Parsed]:
    """The valid files of a child's answer kept from an earlier read; none if it is cut."""
    try:
        return _read(io.BytesIO(answer), shared, False)[0]
    except (ValueError, KeyError, TypeError):
        return []


def _exactly(answer: IO[bytes], size: int) -> bytes:
    found = answer.read(size)
    if len(found) != size:
        raise ValueError("the answer is cut short")
    return found


def _read(answer: IO[bytes], shared: Shared, keep: bool) -> tuple[list[Parsed], list[Problem]]:
    """Turn the child's answer into entries. A file's entries are decoded as one JSON document,
    so its entries share their keys' strings (decoded line by line, each entry had its own);
    its resources stay compact (bot/stored.py)."""
    parsed: list[Parsed] = []
    problems: list[Problem] = []
    while line := answer.readline():
        head = json.loads(line)
        if "problems" in head:
            problems += [Problem(**p) for p in head["problems"]]
            continue
        counts = {kind: head["counts"][kind] for kind in KINDS if kind != "resources"}
        kept = [answer.readline() for _ in range(sum(counts.values()))]
        values = iter(json.loads(b"[" + b",".join(kept) + b"]"))
        entries: dict[str, Sequence[Any]] = {
            kind: [BUILDERS[kind](shared, next(values)) for _ in range(count)]
            for kind, count in counts.items()
        }
        rows = answer.readline()
        blocks = [_exactly(answer, size) for size in head["blocks"]]
        entries["resources"] = Stored.from_rows(json.loads(rows), blocks, shared.ids)
        if len(entries["resources"]) != head["counts"]["resources"]:
            raise ValueError("the answer does not match its counts")
        deferred = [(tuple(path), contact, regions) for path, contact, regions in head["deferred"]]
        words = [answer.readline() for _ in range(head["words"])]
        if words and not words[-1].endswith(b"\n"):
            raise ValueError("the answer is cut short")
        kept_answer = b"".join([line, *kept, rows, *blocks, *words]) if keep else None
        parsed.append(Parsed(head["file"], head["version"], head["languages"], entries, deferred,
                             words if head["words"] else None, kept_answer))
    return parsed, problems
