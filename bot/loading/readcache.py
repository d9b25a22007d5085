"""What the readers made of each directory file, kept on disk so a restart skips unchanged files.

A reader child's answer for one file (its validated entries and search words as JSON lines)
is stored under a name derived from the file's SHA-256, what the file was checked against, and
the code that checked it. The answer is signed with a key derived from the bot's secret: the
bot turns only answers it wrote itself back into entries, without a child. Anything that is
not exactly right (missing, altered, from other code, unreadable) is simply read again; a full
disk only means the next start reads everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.metadata
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIX = ".answer"
_PACKAGES = ("pydantic", "pydantic-core", "phonenumbers", "PyYAML")


@cache
def code_version() -> bytes:
    """The bot's own code and the versions of what validates: any change reads files again."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in _PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            digest.update(f"{name}={importlib.metadata.version(name)}".encode())
    return digest.digest()


class ReadCache:
    def __init__(self, folder: Path, secret: bytes) -> None:
        self.folder = folder
        self._key = hmac.new(secret, b"penah directory answers", hashlib.sha256).digest()
        self._warned = False

    def _name(self, digest: bytes, context: bytes) -> Path:
        key = hmac.new(self._key, code_version() + digest + context, hashlib.sha256)
        return self.folder / (key.hexdigest()[:40] + SUFFIX)

    def _tag(self, answer: bytes) -> bytes:
        return hmac.new(self._key, answer, hashlib.sha256).hexdigest().encode()

    def get(self, digest: bytes, context: bytes) -> bytes | None:
        """The stored answer, if this bot wrote it for exactly this file, context and code."""
        try:
            stored = self._name(digest, context).read_bytes()
        except OSError:
            return None
        tag, _, answer = stored.partition(b"\n")
        return answer if hmac.compare_digest(tag, self._tag(answer)) else None

    def put(self, digest: bytes, context: bytes, answer: bytes) -> None:
        path = self._name(digest, context)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.folder, prefix=".")  # mode 0600
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(self._tag(answer) + b"\n" + answer)
                os.replace(temp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp)
        except OSError as exc:
            if not self._warned:  # once: a full disk should not fill the log as well
                self._warned = True
                log.warning("could not keep a directory file's reading (%s); the next start "
                            "reads it again", exc.strerror or type(exc).__name__)

    def drop(self, digest: bytes, context: bytes) -> None:
        with contextlib.suppress(OSError):
            self._name(digest, context).unlink()

    def keep_only(self, wanted: set[tuple[bytes, bytes]]) -> None:
        """Remove the answers for files and contexts no longer in the directory."""
        keep = {self._name(digest, context).name for digest, context in wanted}
        with contextlib.suppress(OSError):
            for path in self.folder.glob("*" + SUFFIX):
                if path.name not in keep:
                    with contextlib.suppress(OSError):
                        path.unlink()
