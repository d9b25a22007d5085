"""Reading translators' `.po` catalogs: checked message by message, compiled in linear time.

A translator's file is untrusted input to the screens: a message whose placeholders are not
exactly the source's bare `{name}` fields (no `{0.__class__}`, no format spec, no conversion,
no stray brace), that adds markup or an address its English does not have (a tag, a link, an
e-mail address or @name Telegram would make tappable), or whose plural forms do not match the
catalog's own Plural-Forms header is dropped, named by file and line, and shown in English;
the rest of the catalog is used. Only a file gettext itself would refuse (syntax, plural
expression) is skipped whole.
"""

from __future__ import annotations

import gettext
import re
import string
from collections.abc import Callable, Collection, Iterator
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
# What a message could smuggle in: a tag, or an address Telegram makes tappable in plain text
# (a link with a scheme or www., an e-mail address, an @name, a bare host). A bare host counts
# when it has a path or ends in a lower-case name, so a sentence run on after its full stop
# ("Bersiv.Pirs") is not read as one.
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
    """One catalog: its compiled messages (None if unusable), errors and warnings."""

    translations: Translations | None
    catalog: Catalog | None = None
    problems: list[CatalogProblem] = field(default_factory=list)
    warnings: list[CatalogProblem] = field(default_factory=list)


def placeholders(
    text: str, known: Collection[str] | None = None
) -> tuple[set[str], str | None]:
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


def catalog_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(folder name, .po path) for every catalog under root."""
    for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        if po.is_file():
            yield po.parent.parent.name, po


def _forms(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (str(value or ""),)


def markup_added(source: str, translation: str) -> str | None:
    """A tag or an address in the translation that its source does not have, if any."""
    for pattern in (_TAG, _ADDRESS):
        allowed = {match.group(0) for match in pattern.finditer(source)}
        for match in pattern.finditer(translation):
            if match.group(0) not in allowed:
                return match.group(0)
    return None


def message_problem(message: Message, nplurals: int) -> str | None:
    """Why a translated message cannot be shown, or None."""
    sources = _forms(message.id)
    strings = _forms(message.string)
    written = sum(1 for form in strings if form)
    if message.pluralizable and (written != nplurals or len(strings) != nplurals):
        return f"{written} plural forms, the catalog's Plural-Forms header says {nplurals}"
    if not written:
        return "not translated"
    wanted, problem = placeholders(sources[0])
    if problem:
        return f"source {sources[0][:40]!r}: {problem}"
    for form in strings:
        found, problem = placeholders(form)
        if problem:
            return problem
        if found != wanted:
            return (
                f"placeholders {sorted(found)} do not match {sorted(wanted)} "
                f"in {sources[0][:40]!r}"
            )
        added = markup_added(" ".join(sources), form)
        if added:
            return f"adds {added[:40]!r}, which {sources[0][:40]!r} does not have"
    return None


def read_catalog(path: Path, locale: Locale | None, code: str) -> CatalogReading:
    """Parse, check and compile one catalog; linear in its size."""
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale, abort_invalid=True)
    except PoFileError as exc:
        problem = CatalogProblem(path, exc.lineno + 1, f"syntax error: {exc}")
        return CatalogReading(None, problems=[problem])
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return CatalogReading(None, problems=[CatalogProblem(path, 0, f"cannot read: {exc}")])
    reading = CatalogReading(None, catalog)
    # Whether the header gave Plural-Forms: Babel has no public way to tell, only these.
    count, expr = getattr(catalog, "_num_plurals", None), getattr(catalog, "_plural_expr", None)
    cldr = get_plural(locale) if locale is not None else None
    if count is None or expr is None:  # CLDR's rule for the language, else gettext's default
        nplurals, expr = (cldr.num_plurals, cldr.plural_expr) if cldr else (2, "(n != 1)")
    else:
        nplurals, expr = int(count), str(expr)
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
    reading.translations = _compile(catalog, plural, nplurals, path, reading.problems)
    return reading


def _compile(
    catalog: Catalog,
    plural: Callable[[int], int],
    nplurals: int,
    path: Path,
    problems: list[CatalogProblem],
) -> Translations:
    """Translations straight from the parsed messages (no .mo round trip, which is quadratic).

    Babel has no public way to do this; tests/test_i18n.py holds the result to gettext's
    reading of the same catalog as a .mo, so a release that changes `_catalog` fails there.
    """
    table: dict[str | tuple[str, int], str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        strings = _forms(message.string)
        if not any(strings):
            continue  # untranslated: English, as gettext shows it
        problem = message_problem(message, nplurals)
        if problem:
            problem += " (shown in English)"
            problems.append(CatalogProblem(path, message.lineno or 0, problem))
            continue
        key = _forms(message.id)[0]
        if message.context:
            key = f"{message.context}\x04{key}"
        if message.pluralizable:
            for index, form in enumerate(strings):
                table[(key, index)] = form
        else:
            table[key] = strings[0]
    translations = Translations(domain=DOMAIN)
    translations._catalog = table
    translations.plural = plural  # type: ignore[assignment]
    return translations
