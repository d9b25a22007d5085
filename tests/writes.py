"""Writing a directory file as people's tools do, for the tests that edit one under the bot."""

from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: Path, text: str) -> None:
    """What editors and git do: write a new file, then rename it over the old one."""
    temp = path.with_suffix(".tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)
