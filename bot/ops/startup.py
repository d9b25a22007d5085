"""Start-up checks that end in one clear line, not a traceback: the folders, the secret.

Penah's files are private to its user: the process runs with umask 077, and a data folder or
database left readable by others (an older Penah, a copied backup) is tightened on start.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.config import Settings, StartupError
from bot.storage.store import load_secret

PRIVATE_FILES = ("penah.sqlite3", "penah.sqlite3-wal", "penah.sqlite3-shm", "secret", "heartbeat")


def prepare_data_dir(path: Path) -> None:
    """The data folder exists, is ours alone (0700), and can be written to."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StartupError(
            f"cannot create the data folder {path} ({exc.strerror or exc}); "
            "create it for this user or set PENAH_DATA_DIR to a writable folder"
        ) from None
    if not path.is_dir():
        raise StartupError(f"the data folder {path} is not a folder; set PENAH_DATA_DIR")
    probe = path / ".penah-write-test"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StartupError(
            f"cannot write to the data folder {path} ({exc.strerror or exc}); "
            f"give user {os.geteuid()} write access to it, or set PENAH_DATA_DIR"
        ) from None
    _tighten(path, 0o700)
    for name in PRIVATE_FILES:
        _tighten(path / name, 0o600)


def _tighten(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(mode)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StartupError(
            f"{path} is readable by other users and cannot be made private "
            f"({exc.strerror or exc}); run: chmod {mode:o} {path}"
        ) from None


def check(settings: Settings) -> None:
    """Everything `penah run` needs before it talks to Telegram; StartupError if not."""
    os.umask(0o077)  # whatever Penah or SQLite creates from now on is its user's alone
    prepare_data_dir(settings.data_dir)
    if not settings.locales.is_dir():
        raise StartupError(
            f"the translations folder {settings.locales} does not exist; "
            "fix PENAH_LOCALES, or unset it to use the shipped translations"
        )
    load_secret(settings.data_dir, settings.secret_bytes)
    _tighten(settings.data_dir / "secret", 0o600)
