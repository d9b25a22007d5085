"""Finding and opening a directory's files, whatever a folder holds.

A folder may hold a link to /dev/zero or to a secret elsewhere, a FIFO that never answers, or a
file swapped between two looks. Only regular files inside the folder are read (through a link
whose target is one: ConfigMap volumes link into `..data/`), opened without blocking, checked
again on the open descriptor, and never past the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.directory.model import DirectoryError, Problem

MAX_FILE_BYTES = 64 * 2**20  # far more than a directory needs; no more is ever read
Signature = tuple[int, int, int] | None
# A reader child's time, and as much again per 10 MB it reads: the bot's deadline on the
# clock and the child's own CPU limit, so a large directory is read and a bomb is stopped.
TIMEOUT = 60.0
SECONDS_PER_MB = 6.0
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
    """What a reader will read of a file: its size up to the limit, 0 if it cannot be seen."""
    try:
        return min(os.stat(path).st_size, MAX_FILE_BYTES)
    except OSError:
        return 0


def read_file(path: Path, folder: Path | None = None, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, at most `limit`; with `folder`, only if it lies inside it.
    DirectoryError names the file and why it was refused; nothing of a refused file is read."""
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
        # Where the open descriptor really points, so a link swapped after the first look is
        # still caught.
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
