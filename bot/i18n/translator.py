"""Translators' `.po` catalogs read, checked and compiled in memory (a dropped-in catalog just
works), and one translator per language, passed to each screen: no locale is installed
process-wide, so concurrent updates never share one. A catalog is
untrusted: a bad message is dropped, named by file and line, and shown in English."""

from __future__ import annotations

import datetime as dt
import gettext
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from bot.config import locale_file
from bot.i18n import bidi, languages
from bot.i18n.languages import SOURCE_LANGUAGE, Language, Registry, RegistryError, placeholders
from bot.printable import printable

log = logging.getLogger(__name__)
DOMAIN = "messages"
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
class Translator:
    language: Language
    translations: gettext.NullTranslations
    registry: Registry

    @property
    def code(self) -> str:
        return self.language.code

    @property
    def rtl(self) -> bool:
        return self.language.rtl

    @property
    def fallback(self) -> tuple[str, ...]:
        return self.language.chain

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def date(self, day: dt.date) -> str:
        """A date with the month names the language's readers use, where CLDR's differ."""
        if self.language.months:
            month = self.language.months[day.month - 1]
            return self.language.date.format(day=day.day, month=month, year=day.year)
        return str(format_date(day, format="long", locale=self.language.locale))

    def join_list(self, items: Iterable[str]) -> str:
        """A list of items joined as the language writes it ("a، b و c" in Sorani)."""
        parts = list(items)
        patterns = self.language.list_patterns
        if not patterns or len(parts) < 2:
            return str(format_list(parts, locale=self.language.locale)) if parts else ""
        if len(parts) == 2:
            return patterns["pair"].format(*parts)
        joined = patterns["end"].format(parts[-2], parts[-1])
        for part in reversed(parts[:-2]):
            joined = patterns["middle"].format(part, joined)
        return joined

    def language_name(self, code: str) -> str:
        """Another language's name as this user's language calls it (the registry, else CLDR)."""
        locale = languages.cldr_locale(code)
        cldr = locale.get_display_name(self.language.locale) if locale else None
        return str(self.registry.name_in(code, self.code) or cldr or code)

    def isolate(self, html: str) -> str:
        return bidi.isolate_html(html) if self.rtl else html

    def mark_lines(self, text: str) -> str:
        return bidi.mark_lines(text) if self.rtl else text

    def label(self, text: str) -> str:
        return bidi.mark_label(text) if self.rtl else text


@dataclass(frozen=True)
class Catalogs:
    """Every usable catalog, keyed by language code, with English always present."""

    translators: dict[str, Translator]
    problems: tuple[CatalogProblem, ...]
    registry: Registry

    @property
    def codes(self) -> list[str]:
        """The registry's languages in its order, then any other catalog found."""
        first = [lang.code for lang in self.registry if lang.code in self.translators]
        return first + sorted(set(self.translators) - set(first))

    def get(self, code: str | None) -> Translator:
        return self.translators.get(code or "", self.translators[SOURCE_LANGUAGE])

    def best_match(self, language_code: str | None) -> str | None:
        """The catalog closest to a Telegram client's IETF language tag, if any."""
        tag = (language_code or "").replace("_", "-").lower()
        known = {sent.lower(): lang.code for lang in self.registry
                 for sent in (*lang.telegram, lang.code)}
        known.update({code.lower(): code for code in self.translators if code.lower() not in known})
        tried = (tag, tag.split("-")[0])
        return next((known[c] for c in tried if known.get(c) in self.translators), None)


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
    """Why a message cannot be shown: placeholders not exactly its source's bare `{name}`
    fields, a tag or a tappable address its source lacks, or plural forms not the catalog's."""
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
        gettext.c2py(expr)  # gettext's own safe parser of the expression, as the .mo reader uses
    except (ValueError, RecursionError) as exc:
        reading.problems.append(CatalogProblem(path, 0, f"Plural-Forms cannot be used: {exc}"))
        return reading
    language = str(catalog.locale_identifier or "").replace("_", "-")
    if language and language.lower() != code.lower():
        reading.warnings.append(CatalogProblem(
            path, 0, f"Language header says {language!r}; the folder makes it {code!r}"))
    kept = Catalog(locale=catalog.locale)  # the messages that pass, for gettext's .mo reader
    kept.mime_headers = catalog.mime_headers
    for message in catalog:
        if not message.id or message.fuzzy or not any(_forms(message.string)):
            continue  # the header, a fuzzy or an untranslated message: English, as gettext does
        if why := message_problem(message, catalog.num_plurals):
            why += " (shown in English)"
            reading.problems.append(CatalogProblem(path, message.lineno or 0, why))
        else:
            kept[message.id] = message
    compiled = io.BytesIO()
    write_mo(compiled, kept)
    compiled.seek(0)
    reading.translations = Translations(compiled, domain=DOMAIN)
    return reading


def load_catalogs(root: Path) -> Catalogs:
    """Every catalog under root; a broken message is dropped, a broken file skipped, both named."""
    table = locale_file(root, languages.REGISTRY_FILE)
    try:  # a bad date or list pattern: that language's is replaced, and the admins are told
        registry = languages.load_registry(root)
        problems = [CatalogProblem(table, 0, p.removeprefix(f"{table}: "))
                    for p in registry.problems]
    except RegistryError as exc:  # a broken table: the shipped one keeps every language served
        registry, problems = languages.shipped(), [CatalogProblem(table, 0, str(exc))]
    english = registry.languages[SOURCE_LANGUAGE]  # the registry always lists it
    translators = {SOURCE_LANGUAGE: Translator(english, gettext.NullTranslations(), registry)}
    for folder, path in catalog_files(root):
        language = registry.by_folder(folder) or languages.from_cldr(folder.replace("_", "-"),
                                                                     folder)
        if language is None:
            problems.append(CatalogProblem(path, 0, f"unknown language {folder!r}: add it to "
                                           f"{languages.REGISTRY_FILE} or use a CLDR code"))
            continue
        reading = read_catalog(path, language.locale, language.code)
        problems += reading.problems
        if reading.translations is not None:
            translators[language.code] = Translator(language, reading.translations, registry)
    for problem in problems:
        log.warning("catalog: %s", problem)
    for translator in translators.values():  # Babel reads a locale's data on first use: now,
        translator.date(dt.date(2000, 1, 1))  # not in the first screen someone waits for
        translator.join_list(["a", "b", "c"])
        translator.language_name(SOURCE_LANGUAGE)  # read here even with the registry's dates
    return Catalogs(translators, tuple(problems), registry)


def catalog_alert(catalogs: Catalogs) -> str:
    """What admins are told when a catalog or one of its messages cannot be used ("" if none)."""
    head = "⚠️ Some translations are not used (each broken message is shown in English):\n\n"
    return head + "\n".join(map(str, catalogs.problems)) if catalogs.problems else ""
