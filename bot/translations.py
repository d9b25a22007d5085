"""The translators' report: per language, UI messages and directory texts translated."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from babel.messages.pofile import read_po

from .config import shipped_locales
from .directory import DirectoryError
from .i18n import DOMAIN, catalog_files, coverage, read_catalog
from .sources import load_directory


def report(locales: Path, resources: Path) -> tuple[str, bool]:
    """The text to print, and False if any catalog is broken (syntax, placeholders, plurals)."""
    template_path = locales / f"{DOMAIN}.pot"
    if not template_path.exists():
        template_path = shipped_locales() / f"{DOMAIN}.pot"
    with template_path.open("rb") as fh:
        template = read_po(fh)
    try:
        directory = load_directory(resources)
    except DirectoryError as exc:
        directory = None
        directory_note = f"directory not read: {exc.problems[0]}"
    lines = [f"{'language':<10} {'UI messages':>16} {'fuzzy':>6} {'directory texts':>18}"]
    ok = True
    problems: list[str] = []
    for code, path in catalog_files(locales):
        catalog, found = read_catalog(code, path)
        problems += map(str, found)
        if catalog is None:
            ok = False
            lines.append(f"{code:<10} {'broken':>16}")
            continue
        cover = coverage(catalog, template)
        ui = f"{cover.translated}/{cover.total} {cover.share:4.0%}"
        if directory is not None:
            texts = list(directory.texts())
            done = sum(code in text for _, text in texts)
            share = f"{done}/{len(texts)} {done / len(texts) if texts else 1:4.0%}"
        else:
            share = "-"
        lines.append(f"{code:<10} {ui:>16} {len(cover.fuzzy):>6} {share:>18}")
        for message in cover.fuzzy:
            lines.append(f"  fuzzy: {path}:{message.lineno}: {str(message.id)[:60]!r}")
    if directory is None:
        lines.append(directory_note)
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        lines.append("msgfmt (GNU gettext) not found: its --check was skipped")
    else:
        for _, path in catalog_files(locales):
            result = subprocess.run(  # noqa: S603 - a fixed program on our own files
                [msgfmt, "--check", "-o", "/dev/null", str(path)],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode:
                ok = False
                problems.append(result.stderr.strip())
    if problems:
        lines.append("")
        lines += [f"error: {p}" for p in problems]
    return "\n".join(lines), ok
