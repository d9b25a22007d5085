"""Reading translators' `.po` catalogs, untrusted input to the screens, in linear time.

A message whose placeholders are not exactly its source's bare `{name}` fields, that adds a tag
or an address Telegram would make tappable, or whose plural forms do not match the catalog's is
dropped, named by file and line, and shown in English. Only a file gettext refuses is skipped.
"""

from __future__ import annotations

import gettext
import re
import string
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from bot.printable import printable

DOMAIN = "messages"
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
_FORMATTER = string.Formatter()
# What a message could smuggle in: a tag, or an address Telegram makes tappable. A bare host
# counts with a path or a lower-case end, so a run-on sentence ("Bersiv.Pirs") is not one.
_TAG = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>?")
_ADDRESS = re.compile(
    r"(?i:\b(?:https?|tg|mailto|tel|sms|ftp|file|data|javascript):\S+|\bwww\.\S+)"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![\w@])@[A-Za-z0-9_]{4,}"
    r"|(?<![\w.@/])(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/\S*"
    r"|(?<![\w.@/])(?:[A-Za-z0-9-]+\.)+[a-z]{2,}\b(?!\.?\w)"
)


@dataclass(frozen=True)
class CatalogProblem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        where = printable(f"{self.file}:{self.line}" if self.line else str(self.file))
        return f"{where}: {printable(self.message)}"


@dataclass
class CatalogReading:
    translations: Translations | None  # None: the file cannot be used
    catalog: Catalog | None = None
    problems: list[CatalogProblem] = field(default_factory=list)
    warnings: list[CatalogProblem] = field(default_factory=list)


def placeholders(text: str, known: Collection[str] | None = None) -> tuple[set[str], str | None]:
    """The bare `{name}` fields of a message, or why it is not safe to format. With `known`,
    a field must be one of those (a pattern's `{0}` and `{1}`, say)."""
    names: set[str] = set()
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:  # a stray "{" or "}"
        return names, f"stray brace ({exc})"
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if known is not None and name not in known:
            shown = ", ".join(f"{{{n}}}" for n in sorted(known))
            return names, f"placeholder {{{name[:32]}}} is not one of {shown}"
        if known is None and not _FIELD_NAME.fullmatch(name):
            return names, f"placeholder {{{name}}} is not a plain name such as {{place}}"
        if spec or conversion:
            return names, f"placeholder {{{name}}} has a format spec or conversion"
        names.add(name)
    return names, None


def catalog_files(root: Path) -> list[tuple[str, Path]]:
    found = sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [(po.parent.parent.name, po) for po in found if po.is_file()]


def _forms(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (str(value or ""),)


def markup_added(source: str, translation: str) -> str | None:
    for pattern in (_TAG, _ADDRESS):
        allowed = {match.group(0) for match in pattern.finditer(source)}
        for match in pattern.finditer(translation):
            if match.group(0) not in allowed:
                return match.group(0)
    return None


def message_problem(message: Message, nplurals: int) -> str | None:
    sources, strings = _forms(message.id), _forms(message.string)
    written, shown = sum(1 for form in strings if form), repr(sources[0][:40])
    if message.pluralizable and (written != nplurals or len(strings) != nplurals):
        return f"{written} plural forms, the catalog's Plural-Forms header says {nplurals}"
    wanted, problem = placeholders(sources[0])
    if problem:
        return f"source {shown}: {problem}"
    for form in strings:
        found, problem = placeholders(form)
        if problem:
            return problem
        if found != wanted:
            return f"placeholders {sorted(found)} do not match {sorted(wanted)} in {shown}"
        if added := markup_added(" ".join(sources), form):
            return f"adds {added[:40]!r}, which {shown} does not have"
    return None


def read_catalog(path: Path, locale: Locale | None, code: str) -> CatalogReading:
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale, abort_invalid=True)
    except PoFileError as exc:
        problem = CatalogProblem(path, exc.lineno + 1, f"syntax error: {exc}")
        return CatalogReading(None, problems=[problem])
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return CatalogReading(None, problems=[CatalogProblem(path, 0, f"cannot read: {exc}")])
    reading = CatalogReading(None, catalog)
    nplurals, expr = catalog.num_plurals, catalog.plural_expr  # the header's, else CLDR's
    cldr = get_plural(locale) if locale is not None else None
    if cldr is not None and nplurals != cldr.num_plurals:
        reading.warnings.append(CatalogProblem(
            path, 0, f"Plural-Forms says {nplurals} forms; CLDR gives {code} "
            f"{cldr.num_plurals} ({cldr.plural_forms}); the header is used"))
    try:
        plural = gettext.c2py(expr)  # gettext's own safe parser of the expression
    except (ValueError, RecursionError) as exc:
        reading.problems.append(CatalogProblem(path, 0, f"Plural-Forms cannot be used: {exc}"))
        return reading
    language = str(catalog.locale_identifier or "").replace("_", "-")
    if language and language.lower() != code.lower():
        reading.warnings.append(CatalogProblem(
            path, 0, f"Language header says {language!r}; the folder makes it {code!r}"))
    reading.translations = _compile(catalog, plural, path, reading.problems)
    return reading


def _compile(
    catalog: Catalog, plural: Callable[[int], int], path: Path, problems: list[CatalogProblem]
) -> Translations:
    """Translations straight from the parsed messages: the .mo round trip is quadratic. No
    public API does this; tests/test_i18n.py holds `_catalog` to gettext's reading of a .mo."""
    table: dict[str | tuple[str, int], str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = _forms(message.string)
        if not any(strings):
            continue  # untranslated: English, as gettext shows it
        if problem := message_problem(message, catalog.num_plurals):
            problem += " (shown in English)"
            problems.append(CatalogProblem(path, message.lineno or 0, problem))
            continue
        key = _forms(message.id)[0]
        key = f"{message.context}\x04{key}" if message.context else key
        if message.pluralizable:
            table.update({(key, index): form for index, form in enumerate(strings)})
        else:
            table[key] = strings[0]
    translations = Translations(domain=DOMAIN)
    translations._catalog = table
    translations.plural = plural  # type: ignore[assignment]
    return translations
