"""Running `python -m bot.loading.child` for the bot: one child per batch of files, each under
a wall-clock deadline, and stopped at once when the bot stops.

The child limits its own memory and CPU before it reads a byte (bot/loading/child.py); here it
gets a deadline too, and whatever way it dies becomes a DirectoryError naming the files it was
given. Its answer is validated again as it is turned back into entries, so nothing but a valid
directory ever reaches the bot.
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
from array import array
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from bot.directory.model import Path_, Problem, format_path
from bot.directory.queries import Words
from bot.loading.files import SECONDS_PER_MB, TIMEOUT, size_of
from bot.loading.validation import PartFile

T = TypeVar("T")

MAX_CHILDREN = 4
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
Deferred = list[tuple[Path_, dict[str, Any], list[str]]]


@dataclass
class Read:
    """One file its child found valid: its entries, the contacts whose country only the whole
    directory tells (checked by the bot), and its words for typed search."""

    name: str
    digest: str  # of its text: a file saved again unchanged changes nothing
    part: PartFile
    deferred: Deferred
    words: Words


class _Dead(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


def _why(process: subprocess.Popen[bytes], stderr: IO[bytes], timed_out: bool,
         seconds: float) -> str:
    """Why the child gave no answer, in words for an admin."""
    if timed_out:
        return f"reading it took longer than {seconds:.0f} s"
    code = process.returncode
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        if name in ("SIGXCPU", "SIGKILL"):
            return f"reading it used too much time or memory (the reader was stopped: {name})"
        return f"the YAML reader crashed on it ({name})"
    stderr.seek(0)
    tail = stderr.read()[-2000:].decode(errors="replace").strip().splitlines()
    last = tail[-1] if tail else f"exit code {code}"
    if "MemoryError" in last:
        return "reading it needed too much memory"
    return f"the reader failed ({last[:80]})"


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

    def _talk(self, names: Sequence[str], header: dict[str, Any],
              consume: Callable[[IO[bytes]], T]) -> T:
        """Start a child for one job and hand its answer, as it comes, to `consume`."""
        seconds = TIMEOUT + SECONDS_PER_MB * sum(size_of(Path(n)) for n in names) / 2**20
        with tempfile.TemporaryFile() as stderr:  # read only if the child fails
            with self._lock:
                if self._closed:
                    raise _Dead("the bot is stopping")
                process = subprocess.Popen(
                    [sys.executable, "-m", "bot.loading.child"],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                    env=_env(), close_fds=True,
                )
                self._running.add(process)
            return self._wait(process, stderr, {**header, "files": list(names)}, seconds,
                              consume)

    def _wait(self, process: subprocess.Popen[bytes], stderr: IO[bytes], header: dict[str, Any],
              seconds: float, consume: Callable[[IO[bytes]], T]) -> T:
        assert process.stdin is not None and process.stdout is not None
        deadline = threading.Timer(seconds, process.kill)
        deadline.start()
        result: T | None = None
        try:
            try:
                process.stdin.write(json.dumps(header).encode() + b"\n")
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
            with self._lock:
                self._running.discard(process)
        if process.returncode != 0 or result is None:
            raise _Dead(_why(process, stderr, timed_out, seconds))
        return result

    def read(
        self, names: Sequence[str], folder: Path | None, context: dict[str, Any] | None,
        *, children: int = 1,
    ) -> tuple[list[Read], list[Problem]]:
        """Validate files in up to `children` children at once, in batches of similar size:
        (valid files, problems of the others)."""
        count = max(1, min(len(names), children, MAX_CHILDREN))
        batches: list[list[str]] = [[] for _ in range(count)]
        sizes = [0] * count
        size = {name: size_of(Path(name)) for name in names}
        for name in sorted(names, key=lambda n: -size[n]):
            smallest = sizes.index(min(sizes))
            batches[smallest].append(name)
            sizes[smallest] += size[name]
        header = {"folder": str(folder) if folder else None, "context": context}
        found: list[Read] = []
        problems: list[Problem] = []
        with ThreadPoolExecutor(count) as pool:
            for batch, job in [(b, pool.submit(self._read_batch, b, header)) for b in batches]:
                try:
                    ok, bad = job.result()
                except _Dead as dead:
                    ok, bad = [], [Problem(n, 0, 0, "", f"not read: {dead.reason}") for n in batch]
                found += ok
                problems += bad
        return found, problems

    def _read_batch(self, names: list[str], header: dict[str, Any]
                    ) -> tuple[list[Read], list[Problem]]:
        return self._talk(names, header, _answer) if names else ([], [])

    def place(self, folder: Path | None, found: Sequence[tuple[str, Path_, str]]
              ) -> list[Problem]:
        """Problems found across files, at their line and column, placed by a child."""
        wanted: dict[str, list[Any]] = {}
        for name, path, message in found:
            wanted.setdefault(name, []).append([list(path), message])
        header = {"folder": str(folder) if folder else None, "locate": wanted}
        try:
            return self._talk(list(wanted), header, _placed)
        except _Dead:
            return [Problem(n, 0, 0, format_path(path), message) for n, path, message in found]


def _placed(answer: IO[bytes]) -> list[Problem]:
    return [Problem(**p) for p in json.loads(answer.readline())]


def _answer(answer: IO[bytes]) -> tuple[list[Read], list[Problem]]:
    """The child's answer turned into entries, each file's validated again on the way."""
    found: list[Read] = []
    problems: list[Problem] = []
    while line := answer.readline():
        head = json.loads(line)
        if "problems" in head:
            problems += [Problem(**p) for p in head["problems"]]
            continue
        part = PartFile.model_validate_json(answer.readline())
        # Packed in bytes, which the garbage collector does not follow: a folder's words are
        # most of the bot's objects, and each full collection would walk every one.
        words = {key: {word: array("I", docs).tobytes() for word, docs in held.items()}
                 for key, held in json.loads(answer.readline()).items()}
        deferred = [(tuple(path), contact, regions) for path, contact, regions in head["deferred"]]
        found.append(Read(head["file"], head["sha256"], part, deferred, words))
    return found, problems


class InProcessReader(Reader):
    """The child's work done in this process, without its limits: for tests that are not
    about isolation, where a child per read would cost more than the test."""

    def _talk(self, names: Sequence[str], header: dict[str, Any],
              consume: Callable[[IO[bytes]], T]) -> T:
        from bot.loading.child import answer

        out = io.BytesIO()
        answer({**header, "files": list(names)}, out)
        out.seek(0)
        return consume(out)
