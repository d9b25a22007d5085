"""The key of the keyed hash that stands for a Telegram id: 32 random bytes, or no start.

A short or empty key (a file left by a start on a full disk) would make every stored key
computable from a Telegram id, and the derived webhook secret a public constant; so the file
is written atomically (temporary file, fsync, then linked into place) and anything but 64
hexadecimal characters is refused with what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import tempfile
from pathlib import Path

from bot.config import StartupError

SECRET_BYTES = 32
HEX = re.compile(rb"[0-9a-fA-F]{64}")
MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def parse_secret(raw: bytes, where: str) -> bytes:
    """32 bytes from 64 hexadecimal characters (a final newline allowed), or StartupError."""
    text = raw.rstrip(b"\r\n")
    if not text:
        raise StartupError(
            f"{where} is empty. If it is the secret file and the disk was full when Penah "
            "first started: free some space, restore the file from a backup or, if no backup "
            "exists, delete it (saved settings will not be found again and expire)"
        )
    if not HEX.fullmatch(text):
        raise StartupError(
            f"{where} must be exactly {SECRET_BYTES * 2} hexadecimal characters "
            f"({SECRET_BYTES} random bytes); make one with: {MAKE_ONE}"
        )
    return bytes.fromhex(text.decode("ascii"))


def load_secret(data_dir: Path, given: bytes | None = None) -> bytes:
    """PENAH_SECRET if given, else the data folder's `secret`, generated once (mode 0600)."""
    if given is not None:
        return parse_secret(given, "PENAH_SECRET")
    path = data_dir / "secret"
    with contextlib.suppress(FileNotFoundError):
        return parse_secret(path.read_bytes(), f"the secret file {path}")
    try:
        return _create(path)
    except FileExistsError:  # another process won the race
        return parse_secret(path.read_bytes(), f"the secret file {path}")
    except OSError as exc:
        raise StartupError(
            f"cannot write the secret file {path} ({exc.strerror or exc}); "
            "free some space or fix the data folder's permissions, then start again"
        ) from None


def _create(path: Path) -> bytes:
    value = secrets.token_bytes(SECRET_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(value.hex().encode() + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temp, path)  # unlike rename, never replaces a secret another start wrote
        except OSError as exc:  # a filesystem without hard links; FileExistsError goes on
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            os.replace(temp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return value
