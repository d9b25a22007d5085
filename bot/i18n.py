"""Translations: one catalog per locale read from `.po` files, a translator per user, bidi helpers.

Each handler gets its own `Translator`, so two concurrent updates in different languages never
share a global locale. Catalogs are compiled in memory from the `.po` files translators edit,
so there is no build step and a dropped-in `locales/xx/LC_MESSAGES/messages.po` just works.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

log = logging.getLogger(__name__)

SOURCE_LANGUAGE = "en"
# The first languages offered, in this order; any other catalog found is offered after them.
PREFERRED_ORDER = ("en", "ar", "ckb", "ku")
DOMAIN = "messages"

LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"
# Left-to-right runs inside right-to-left text: links, emails, phone numbers, Latin words.
_LTR_RUN = re.compile(
    r"https?://[^\s\u2066-\u2069]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\+?\d[\d\s().-]{3,}\d"
    r"|[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f'’&./@+-]*"
    r"(?:[ \t]+[A-Za-z0-9\u00c0-\u024f][\w\u00c0-\u024f'’&./@+-]*)*",
    re.ASCII | re.IGNORECASE,
)
_TRAILING = ".,:;!?)»"
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is shown."""
    return message


def isolate_ltr(text: str) -> str:
    """Wrap each left-to-right run in LRI…PDI so numbers and links keep their order in RTL."""

    def wrap(match: re.Match[str]) -> str:
        run = match.group(0)
        core = run.rstrip(_TRAILING)
        if not any(c.isalnum() for c in core):
            return run
        return f"{LRI}{core}{PDI}{run[len(core) :]}"

    return _LTR_RUN.sub(wrap, text)


@functools.lru_cache(maxsize=1024)
def _language_name(code: str, in_language: str) -> str:
    try:
        name = Locale.parse(code).get_display_name(Locale.parse(in_language))
    except (ValueError, UnknownLocaleError):
        return code
    return str(name) if name else code


@dataclass(frozen=True)
class Translator:
    """A user's language: messages, plural forms, dates and text direction."""

    code: str
    locale: Locale
    translations: gettext.NullTranslations
    own_name: str

    @property
    def rtl(self) -> bool:
        return bool(self.locale.character_order == "right-to-left")

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)

    def date(self, day: dt.date) -> str:
        return str(format_date(day, format="long", locale=self.locale))

    def language_name(self, code: str) -> str:
        """Another language's name, written in this user's language."""
        return _language_name(code, self.code)

    def bidi(self, text: str) -> str:
        """Text safe to show in this language's direction."""
        return isolate_ltr(text) if self.rtl else text

    def lines(self, text: str) -> str:
        """Start each line with a right-to-left mark so clients lay it out right to left."""
        if not self.rtl:
            return text
        return "\n".join(RLM + line if line else line for line in text.split("\n"))


@dataclass(frozen=True)
class CatalogProblem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: {self.message}"
            if self.line
            else f"{self.file}: {self.message}"
        )


@dataclass(frozen=True)
class Catalogs:
    """Every usable catalog, keyed by locale code, with English always present."""

    translators: dict[str, Translator]
    problems: tuple[CatalogProblem, ...] = ()

    @property
    def codes(self) -> list[str]:
        first = [c for c in PREFERRED_ORDER if c in self.translators]
        return first + sorted(set(self.translators) - set(first))

    def get(self, code: str | None) -> Translator:
        return self.translators.get(code or "", self.translators[SOURCE_LANGUAGE])

    def best_match(self, language_code: str | None) -> str | None:
        """The catalog closest to a Telegram client's IETF language tag, if any."""
        if not language_code:
            return None
        tag = language_code.replace("_", "-").lower()
        candidates = [tag, tag.split("-")[0]]
        if candidates[-1] == "ckb" or tag in ("ku-iq", "ku-arab"):
            candidates.append("ckb")
        return next((c for c in candidates if c in self.translators), None)


def _english() -> Translator:
    locale = Locale.parse(SOURCE_LANGUAGE)
    return Translator(SOURCE_LANGUAGE, locale, gettext.NullTranslations(), "English")


def catalog_files(root: Path) -> Iterator[tuple[str, Path]]:
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        po = folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            yield folder.name, po


def read_catalog(code: str, path: Path) -> tuple[Catalog | None, list[CatalogProblem]]:
    """Parse and check one `.po` file; a catalog with problems is not used."""
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return None, [CatalogProblem(path, 0, f"unknown locale code {code!r}")]
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale, abort_invalid=True)
    except PoFileError as exc:
        return None, [CatalogProblem(path, exc.lineno + 1, f"syntax error: {exc}")]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return None, [CatalogProblem(path, 0, f"cannot read: {exc}")]
    problems = list(check_catalog(catalog, path))
    return (None if problems else catalog), problems


def check_catalog(catalog: Catalog, path: Path) -> Iterator[CatalogProblem]:
    """Placeholders and plural forms that would break a screen, named by line."""
    expected = get_plural(catalog.locale).num_plurals if catalog.locale else 2
    for message in catalog:
        if not message.id or not message.string:
            continue
        line = message.lineno or 0
        sources = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        written = [form for form in strings if form]
        if message.pluralizable and written and len(written) != expected:
            yield CatalogProblem(
                path, line, f"{len(written)} plural forms, the language has {expected}"
            )
        wanted = set(_PLACEHOLDER.findall(sources[0]))
        for form in strings:
            if form and set(_PLACEHOLDER.findall(form)) != wanted:
                yield CatalogProblem(
                    path,
                    line,
                    f"placeholders {sorted(_PLACEHOLDER.findall(form))} do not match "
                    f"{sorted(wanted)} in {sources[0][:40]!r}",
                )


def _compile(catalog: Catalog) -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def _own_name(locale: Locale, translations: gettext.NullTranslations) -> str:
    # TRANSLATORS: the name of your language, written in it, as the language picker shows it.
    name = translations.pgettext("language-name", "English")
    if name != "English" or locale.language == SOURCE_LANGUAGE:
        return name
    cldr = str(locale.get_display_name(locale) or locale.language)
    return cldr[:1].upper() + cldr[1:]


def load_catalogs(root: Path) -> Catalogs:
    """Every catalog under root; a broken one is skipped with a logged reason."""
    translators = {SOURCE_LANGUAGE: _english()}
    problems: list[CatalogProblem] = []
    for code, path in catalog_files(root):
        catalog, found = read_catalog(code, path)
        problems += found
        for problem in found:
            log.warning("skipping catalog: %s", problem)
        if catalog is None:
            continue
        translations = _compile(catalog)
        locale = Locale.parse(code)
        translators[code] = Translator(code, locale, translations, _own_name(locale, translations))
    return Catalogs(translators, tuple(problems))


@dataclass(frozen=True)
class Coverage:
    code: str
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
    fuzzy = [m for m in catalog if m.id and m.fuzzy]
    return Coverage(str(catalog.locale_identifier or ""), done, len(wanted), fuzzy)
