"""Running `python -m bot.loading.child` for the bot: a child per batch of files, under a
wall-clock deadline (it sets its own memory and CPU limits), stopped at once when the bot stops.
However it dies becomes a problem naming its files, and its answer is validated again."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
from array import array
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from bot.directory.model import Path_, Problem, format_path
from bot.directory.queries import Piece, Words
from bot.loading.files import SECONDS_PER_MB, TIMEOUT, size_of
from bot.loading.validation import PartFile

MAX_CHILDREN = 4
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


@dataclass
class Read:
    """One file its child found valid: its entries and its words for typed search."""

    name: str
    digest: str  # of its text: a file saved again unchanged changes nothing
    part: PartFile
    words: Words

    @cached_property
    def piece(self) -> Piece:
        return Piece(self.part.resources, self.part.guides, self.words)


class _Dead(Exception):
    """Why a child gave no answer, in words for an admin."""


def _why(code: int, stderr: bytes) -> str:
    if code < 0:
        name = signal.Signals(-code).name
        if name in ("SIGXCPU", "SIGKILL"):
            return f"reading it used too much time or memory (the reader was stopped: {name})"
        return f"the YAML reader crashed on it ({name})"
    tail = stderr[-2000:].decode(errors="replace").strip().splitlines()
    last = tail[-1] if tail else f"exit code {code}"
    return ("reading it needed too much memory" if "MemoryError" in last
            else f"the reader failed ({last[:80]})")


class Reader:
    """Starts children and reads their answers; `close` stops any still running."""

    def __init__(self) -> None:
        self._running: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            running = list(self._running)
        for process in running:
            process.kill()

    def _run(self, header: dict[str, Any]) -> bytes:
        """A child's answer to one job, given as much time as its files need."""
        size = sum(size_of(Path(name)) for name in header["files"])
        seconds = TIMEOUT + SECONDS_PER_MB * size / 2**20
        path = os.pathsep.join(filter(None, (_PACKAGE_ROOT, os.environ.get("PYTHONPATH"))))
        with self._lock:
            if self._closed:
                raise _Dead("the bot is stopping")
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.loading.child"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path}, close_fds=True,
            )
            self._running.add(process)
        try:
            out, err = process.communicate(json.dumps(header).encode() + b"\n", seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise _Dead(f"reading it took longer than {seconds:.0f} s") from None
        finally:
            with self._lock:
                self._running.discard(process)
        if process.returncode:
            raise _Dead(_why(process.returncode, err))
        return out

    def read(
        self, names: Sequence[str], folder: Path | None, context: dict[str, Any] | None,
        *, children: int = 1,
    ) -> tuple[list[Read], list[Problem]]:
        """(valid files, problems of the others), read in up to `children` children at once,
        in batches of similar size."""
        if not names:
            return [], []
        count = min(len(names), children, MAX_CHILDREN)
        largest_first = sorted(names, key=lambda name: -size_of(Path(name)))
        header = {"folder": str(folder) if folder else None, "context": context}
        with ThreadPoolExecutor(count) as pool:
            answers = list(pool.map(lambda batch: self._read_batch(batch, header),
                                    [largest_first[i::count] for i in range(count)]))
        return [read for ok, _ in answers for read in ok], [p for _, bad in answers for p in bad]

    def _read_batch(self, names: list[str], header: dict[str, Any]
                    ) -> tuple[list[Read], list[Problem]]:
        try:
            return _answer(self._run({**header, "files": names}))
        except _Dead as dead:
            reason = str(dead)
        except (ValueError, KeyError, TypeError):  # an answer cut short, or not entries
            reason = "the reader failed (its answer was not a directory)"
        return [], [Problem(name, 0, 0, "", f"not read: {reason}") for name in names]

    def place(self, folder: Path | None, found: Sequence[tuple[str, Path_, str]]
              ) -> list[Problem]:
        """Problems found across files, at their line and column, placed by a child."""
        wanted: dict[str, list[Any]] = {}
        for name, path, message in found:
            wanted.setdefault(name, []).append([list(path), message])
        header = {"folder": str(folder) if folder else None, "files": list(wanted),
                  "locate": wanted}
        try:
            return [Problem(**p) for p in json.loads(self._run(header))]
        except (_Dead, ValueError, TypeError):
            return [Problem(n, 0, 0, format_path(path), message) for n, path, message in found]


def _answer(out: bytes) -> tuple[list[Read], list[Problem]]:
    """The child's answer turned into entries, each file's validated again on the way."""
    found: list[Read] = []
    problems: list[Problem] = []
    lines = iter(out.splitlines())
    for line in lines:
        head = json.loads(line)
        if "problems" in head:
            problems += [Problem(**p) for p in head["problems"]]
            continue
        part = PartFile.model_validate_json(next(lines, b""))
        # Packed in bytes, which the garbage collector does not follow: a folder's words are
        # most of the bot's objects, and each full collection would walk every one.
        words = {key: {word: array("I", docs).tobytes() for word, docs in held.items()}
                 for key, held in json.loads(next(lines, b"")).items()}
        found.append(Read(head["file"], head["sha256"], part, words))
    return found, problems


class InProcessReader(Reader):
    """The child's work done in this process, without its limits: for tests that are not
    about isolation, where a child per read would cost more than the test."""

    def _run(self, header: dict[str, Any]) -> bytes:
        from bot.loading.child import answer

        out = io.BytesIO()
        answer(header, out)
        return out.getvalue()
