"""Keeps the directory current: watch the file, validate off the event loop, swap atomically.

A broken save never takes the bot down: the last good directory keeps serving and the error
is reported once per version of the file (log, and a hook through which admins are told).
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from . import search
from .directory import (
    Directory,
    DirectoryError,
    DirectoryFile,
    Problem,
    decode_file,
    parse_directory,
)

log = logging.getLogger(__name__)

ErrorHook = Callable[[DirectoryError], Awaitable[None]]


@dataclass(frozen=True)
class Outcome:
    changed: bool
    error: DirectoryError | None = None


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


PARSE_TIMEOUT = 120.0
CHILD_PARSE_BYTES = 1_000_000
_PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)


def _read_and_parse(path: Path, known_digest: str) -> tuple[str, Directory | None]:
    """Runs in a worker thread: read and hash, and parse only if the content changed.

    A large file is parsed in a child process; a small one here, where starting a child
    would cost more than the parse (0.2 s against 25 ms for the shipped directory).
    """
    text = decode_file(path)
    raw = text.encode()
    digest = hashlib.sha256(raw).hexdigest()
    if digest == known_digest:
        return digest, None
    if len(raw) > CHILD_PARSE_BYTES:
        directory = parse_in_child(raw, str(path))
    else:
        directory = parse_directory(text, str(path))
    search.index_for(directory)  # typed search's index, built here, off the event loop
    return digest, directory


def parse_in_child(raw: bytes, name: str) -> Directory:
    """Validate in `python -m bot.parse`, so the parse's garbage never enters this process."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p
        ),
    }
    try:
        result = subprocess.run(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "bot.parse", name],
            input=raw,
            capture_output=True,
            timeout=PARSE_TIMEOUT,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise DirectoryError([Problem(name, 0, 0, "", "validation took too long")]) from None
    head, _, body = result.stdout.partition(b"\n")
    if result.returncode != 0 or not head.startswith(b"{"):
        reason = (result.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        raise DirectoryError([Problem(name, 0, 0, "", f"validation failed: {reason[:200]}")])
    header = json.loads(head)
    if "problems" in header:
        raise DirectoryError([Problem(**p) for p in header["problems"]])
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of new objects, none cyclic: no collector pauses
    try:
        return Directory(DirectoryFile.model_validate_json(body), source=name)
    finally:
        if collecting:
            gc.enable()


class Reloader:
    def __init__(
        self,
        path: Path,
        directory: Directory,
        digest: str,
        *,
        interval: float = 1.0,
        on_error: ErrorHook | None = None,
    ) -> None:
        self.path = path
        self._directory = directory
        self._digest = digest
        self._signature = _signature(path)
        self._reported = ""
        self.interval = interval
        self.on_error = on_error
        self.last_error: DirectoryError | None = None
        self.generation = 0  # bumped on every swap, so caches of screens know to let go
        self._lock = asyncio.Lock()

    @classmethod
    def start_with(
        cls, path: Path, *, interval: float = 1.0, on_error: ErrorHook | None = None
    ) -> Reloader:
        """Load the first directory; a broken file at start is fatal (there is nothing to serve)."""
        digest, directory = _read_and_parse(path, "")
        assert directory is not None
        gc.freeze()  # what is loaded at start lives for good: keep it out of later collections
        return cls(path, directory, digest, interval=interval, on_error=on_error)

    @property
    def current(self) -> Directory:
        return self._directory

    async def reload(self) -> Outcome:
        """Read the file now. Used by the watcher, /reload and SIGHUP."""
        async with self._lock:
            signature = self._signature = _signature(self.path)  # this version, however it ends
            try:
                digest, directory = await asyncio.to_thread(
                    _read_and_parse, self.path, self._digest
                )
            except DirectoryError as exc:
                await self._report(exc, signature)
                return Outcome(False, exc)
            except Exception as exc:  # never let the watcher die
                log.exception("unexpected error while reloading the directory")
                error = DirectoryError([Problem(str(self.path), 0, 0, "", repr(exc))])
                await self._report(error, signature)
                return Outcome(False, error)
            self.last_error = None
            self._reported = ""
            if directory is None:
                return Outcome(False)
            # Readers take `current` once per update, so each sees one whole directory.
            self._directory, self._digest = directory, digest
            self.generation += 1
            counts = directory.counts()
            log.info(
                "directory reloaded: %(resources)d resources, %(contacts)d contacts, "
                "%(guides)d guides",
                counts,
            )
            return Outcome(True)

    async def watch(self) -> None:
        """Poll the file's signature; an editor's atomic replace or a git pull both count."""
        while True:
            await asyncio.sleep(self.interval)
            if _signature(self.path) != self._signature:
                await self.reload()

    async def _report(self, error: DirectoryError, signature: object) -> None:
        self.last_error = error
        key = repr((signature, str(error)))
        if key == self._reported:
            return
        self._reported = key
        log.error("directory not reloaded, the last good one keeps serving:\n%s", error)
        if self.on_error:
            try:
                await self.on_error(error)
            except Exception:
                log.exception("could not tell the admins about the directory error")
