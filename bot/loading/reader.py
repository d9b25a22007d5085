"""Reading directory files in a child process, `python -m bot.loading.reader`: whatever an
admin's file does to a parser (a bug, a bomb, a crash) costs the child, under memory, CPU and
wall-clock limits, never the bot; and its answer is validated again on the way in.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import io
import json
import os
import resource
import signal
import stat
import subprocess
import sys
import threading
from array import array
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, BinaryIO

from bot.directory.model import DirectoryError, Path_, Problem, format_path
from bot.directory.queries import Piece, Words
from bot.loading.validation import PartFile, decode, place, validate_part
from bot.search.fold import piece_words

MAX_FILE_BYTES = 64 * 2**20  # far more than a directory needs; no more is ever read
Signature = tuple[int, int, int] | None
# A child's time, and as much again per 10 MB it reads: the bot's deadline on the clock and
# the child's own CPU limit, so a large directory is read and a bomb is stopped.
TIMEOUT = 60.0
SECONDS_PER_MB = 6.0
BASE_MEMORY = 768 * 2**20  # the interpreter, pydantic and phonenumbers, with room to work
MEMORY_PER_BYTE = 80  # room for twice the objects a parse makes of each byte of YAML
MAX_CHILDREN = 4
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_OUTSIDE = "a link to a file outside the directory's folder: not read"


def files_of(path: Path) -> list[Path]:
    """The YAML files of a folder (hidden ones and editors' backups left out), or the file.
    Folders are not entered through links; a file's link is judged when it is opened."""
    if not path.is_dir():
        return [path]
    found = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root, n) for n in names
                  if n.endswith((".yaml", ".yml")) and not n.startswith(".")]
    return sorted(found)


def signatures(path: Path) -> dict[str, Signature]:
    """What tells each file changed: its target's time, size and inode (no read, no block)."""
    found: dict[str, Signature] = {}
    for file in files_of(path):
        try:
            st = os.stat(file)
            found[str(file)] = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            found[str(file)] = None
    return found


def size_of(path: Path) -> int:
    """What a child will read of a file: its size up to the limit, 0 if it cannot be seen."""
    try:
        return min(os.stat(path).st_size, MAX_FILE_BYTES)
    except OSError:
        return 0


def read_file(path: Path, folder: Path | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most `limit`; with `folder`, only if it really lies inside it
    (ConfigMap volumes link into `..data/`, but a link may also point to /dev/zero or out, or be
    swapped between two looks). DirectoryError names the file and why; nothing refused is read."""
    def refused(why: str) -> DirectoryError:
        return DirectoryError([Problem(str(path), 0, 0, "", why)])

    home = os.path.realpath(folder) if folder is not None else None
    if home is not None and os.path.commonpath((os.path.realpath(path), home)) != home:
        raise refused(_OUTSIDE)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except FileNotFoundError:
        raise refused("file not found") from None
    except OSError as exc:
        raise refused(f"cannot read: {exc.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise refused("not a regular file (a device, a pipe or a folder): not read")
        # where the open descriptor really points: a link swapped after the first look
        through = f"/proc/self/fd/{fd}"
        real = os.path.realpath(through if os.path.exists(through) else path)
        if home is not None and os.path.commonpath((real, home)) != home:
            raise refused(_OUTSIDE)
        chunks, size = [], 0
        while chunk := os.read(fd, min(2**20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise refused(f"larger than {limit >> 20} MB: split it into files")
        return b"".join(chunks)
    except OSError as exc:
        raise refused(f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)


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
        size = sum(size_of(Path(name)) for name in header["files"])
        seconds = TIMEOUT + SECONDS_PER_MB * size / 2**20
        path = os.pathsep.join(filter(None, (_PACKAGE_ROOT, os.environ.get("PYTHONPATH"))))
        with self._lock:
            if self._closed:
                raise _Dead("the bot is stopping")
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.loading.reader"], stdin=subprocess.PIPE,
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
        def batch(files: list[str]) -> tuple[list[Read], list[Problem]]:
            try:
                return _answer(self._run({"folder": folder and str(folder), "context": context,
                                          "files": files}))
            except _Dead as dead:
                reason = str(dead)
            except (ValueError, KeyError, TypeError):  # an answer cut short, or not entries
                reason = "the reader failed (its answer was not a directory)"
            return [], [Problem(name, 0, 0, "", f"not read: {reason}") for name in files]

        count = min(len(names), children, MAX_CHILDREN)
        largest_first = sorted(names, key=lambda name: -size_of(Path(name)))
        with ThreadPoolExecutor(count) as pool:
            answers = list(pool.map(batch, [largest_first[i::count] for i in range(count)]))
        return [read for ok, _ in answers for read in ok], [p for _, bad in answers for p in bad]

    def place(self, folder: Path | None, found: Sequence[tuple[str, Path_, str]]
              ) -> list[Problem]:
        """Problems found across files, at their line and column, placed by a child."""
        wanted: dict[str, list[Any]] = {}
        for name, path, message in found:
            wanted.setdefault(name, []).append([list(path), message])
        header = {"folder": folder and str(folder), "files": list(wanted), "locate": wanted}
        try:
            return [Problem(**p) for p in json.loads(self._run(header))]
        except (_Dead, ValueError, TypeError):
            return [Problem(n, 0, 0, format_path(path), message) for n, path, message in found]


class InProcessReader(Reader):
    """The child's work done in this process, without its limits: for tests that are not
    about isolation, where a child per read would cost more than the test."""

    def _run(self, header: dict[str, Any]) -> bytes:
        out = io.BytesIO()
        answer(header, out)
        return out.getvalue()


def _answer(out: bytes) -> tuple[list[Read], list[Problem]]:
    """A child's answer turned into entries, each file's validated again on the way."""
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


def answer(header: dict[str, Any], stdout: BinaryIO) -> None:
    """The child's work. In: a header (the files, their folder, what the other files define).
    Out, per file: a JSON line (its problems, or its text's digest), its validated entries as
    one JSON line, and its search words as another; or, to `locate`, problems placed."""
    folder = Path(header["folder"]) if header.get("folder") else None

    def write(value: Any) -> None:
        stdout.write(json.dumps(value, separators=(",", ":")).encode() + b"\n")

    if header.get("locate") is not None:
        placed: list[Problem] = []
        for name, located in header["locate"].items():
            try:
                text = decode(read_file(Path(name), folder), name)
                placed += place(text, name, [(tuple(p), False, m) for p, m in located])
            except DirectoryError as exc:
                placed += exc.problems
        write([dataclasses.asdict(p) for p in placed])
        return
    for name in header["files"]:
        try:
            text = decode(read_file(Path(name), folder), name)
            model = validate_part(text, name, header.get("context"))
        except DirectoryError as exc:
            write({"file": name, "problems": [dataclasses.asdict(p) for p in exc.problems]})
            continue
        write({"file": name, "sha256": hashlib.sha256(text.encode()).hexdigest()})
        stdout.write(model.model_dump_json(exclude_defaults=True).encode() + b"\n")
        write(piece_words(model.resources, model.guides))


def _limit(kind: int, value: int, *, final: bool = True) -> None:
    """Lower a limit; `final` lowers the hard limit too, so nothing raises it again."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value if final else hard))


def _child(stdin: BinaryIO, stdout: BinaryIO) -> int:
    """Limits set before a byte is read, then the job the first line asks for."""
    gc.disable()  # nothing here is cyclic, and the process is short-lived
    _limit(resource.RLIMIT_CPU, int(TIMEOUT), final=False)  # until the input's size is known
    first = stdin.readline()
    if not first:
        return 0
    header: dict[str, Any] = json.loads(first)
    total = sum(size_of(Path(name)) for name in header["files"])
    fixed = int(os.environ.get("PENAH_PARSE_MEMORY_MB", "0")) * 2**20  # set outright
    _limit(resource.RLIMIT_AS, fixed or BASE_MEMORY + MEMORY_PER_BYTE * total)
    _limit(resource.RLIMIT_CPU, int(TIMEOUT + SECONDS_PER_MB * total / 2**20))
    answer(header, stdout)
    return 0


if __name__ == "__main__":
    code = _child(sys.stdin.buffer, sys.stdout.buffer)
    sys.stdout.buffer.flush()
    os._exit(code)  # the answer is out: skip the teardown of a large heap the bot would wait for
