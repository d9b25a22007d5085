"""`penah i18n`: per language, UI messages and directory texts translated, and what is wrong.

Errors (exit 1) are what would show a broken or unsafe screen or split a term: syntax, unsafe
placeholders, plural forms that disagree with the catalog's own header, a term written in a
variant the terms table says to avoid. Warnings do not fail: a Plural-Forms header that differs
from CLDR's rule (the header is what gettext and Penah use).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.config import shipped_locales
from bot.directory.model import DirectoryError
from bot.directory.queries import Directory
from bot.i18n import languages, terms
from bot.i18n.catalogs import DOMAIN, CatalogProblem, catalog_files, read_catalog
from bot.loading.sources import load_directory
from bot.printable import printable


@dataclass(frozen=True)
class Coverage:
    translated: int
    total: int
    fuzzy: list[Message]

    @property
    def share(self) -> float:
        return self.translated / self.total if self.total else 1.0


def coverage(catalog: Catalog, template: Catalog) -> Coverage:
    """How much of the template a catalog translates; fuzzy entries do not count."""
    wanted = [m for m in template if m.id]
    done = 0
    for source in wanted:
        message = catalog.get(source.id, context=source.context)
        if message is None or message.fuzzy:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        done += all(strings)
    return Coverage(done, len(wanted), [m for m in catalog if m.id and m.fuzzy])


def _template(locales: Path) -> Catalog:
    path = locales / f"{DOMAIN}.pot"
    if not path.exists():
        path = shipped_locales() / f"{DOMAIN}.pot"
    with path.open("rb") as fh:
        return read_po(fh)


def _msgfmt(paths: list[Path]) -> tuple[list[str], str | None]:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return [], "msgfmt (GNU gettext) not found: its --check was skipped"
    errors = []
    for path in paths:
        result = subprocess.run(  # noqa: S603 - a fixed program on our own files
            [msgfmt, "--check", "-o", "/dev/null", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            errors.append(result.stderr.strip())
    return errors, None


def report(locales: Path, resources: Path) -> tuple[str, bool]:
    """The text to print, and False if any catalog or text is broken or splits a term."""
    template = _template(locales)
    directory: Directory | None
    try:
        directory = load_directory(resources)
        directory_note = ""
    except DirectoryError as exc:
        directory = None
        directory_note = f"directory not read: {exc.problems[0]}"
    try:
        registry = languages.load_registry(locales)
    except languages.RegistryError as exc:
        return f"error: {exc}", False
    lines = [f"{'language':<10} {'UI messages':>16} {'fuzzy':>6} {'directory texts':>18}"]
    errors: list[str] = [printable(problem) for problem in registry.problems]
    warnings: list[str] = []
    texts = list(directory.texts()) if directory else []
    paths: list[Path] = []
    readings: dict[str, tuple[Path, Catalog]] = {}
    for folder, path in catalog_files(locales):
        paths.append(path)
        language = registry.by_folder(folder) or languages.from_cldr(folder.replace("_", "-"))
        if language is None:
            errors.append(f"{path}: unknown language {folder!r}")
            continue
        reading = read_catalog(path, language.locale, language.code)
        errors += map(str, reading.problems)
        warnings += map(str, reading.warnings)
        if reading.catalog is None or reading.translations is None:
            lines.append(f"{language.code:<10} {'broken':>16}")
            continue
        readings[language.code] = (path, reading.catalog)
        cover = coverage(reading.catalog, template)
        ui = f"{cover.translated}/{cover.total} {cover.share:4.0%}"
        done = sum(language.code in text for _, text in texts)
        share = f"{done}/{len(texts)} {done / len(texts):4.0%}" if texts else "-"
        lines.append(f"{language.code:<10} {ui:>16} {len(cover.fuzzy):>6} {share:>18}")
        for message in cover.fuzzy:
            lines.append(f"  fuzzy: {path}:{message.lineno}: {str(message.id)[:60]!r}")
    if directory_note:
        lines.append(directory_note)
    failed, note = _msgfmt(paths)
    errors += failed
    if note:
        lines.append(note)
    table = terms.load_terms(locales)
    if table is not None:
        found = terms.check_catalogs(table, readings) + terms.check_resources(table, resources)
        counts = terms.count_by_language(found)
        lines.append("term inconsistencies: " + ", ".join(
            f"{code} {counts.get(code, 0)}" for code in table.languages))
        errors += map(str, found)
    if warnings or errors:
        lines.append("")
    lines += [f"warning: {w}" for w in warnings]
    lines += [f"error: {e}" for e in errors]
    return "\n".join(lines), not errors


__all__ = ["CatalogProblem", "Coverage", "coverage", "report"]
