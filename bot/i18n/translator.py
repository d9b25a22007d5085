"""One translator per user, so concurrent updates in different languages never share a locale.
Catalogs are compiled in memory: a dropped-in `locales/xx/LC_MESSAGES/messages.po` just works.
"""

from __future__ import annotations

import datetime as dt
import gettext
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date
from babel.lists import format_list

from bot.config import locale_file
from bot.i18n import bidi, languages
from bot.i18n.catalogs import CatalogProblem, catalog_files, read_catalog
from bot.i18n.languages import SOURCE_LANGUAGE, Language, Registry, RegistryError

log = logging.getLogger(__name__)


class Html(str):
    """Telegram HTML built and escaped by the code (a link to a source, say): a screen fills
    it into a message as it is, where every other value is escaped."""


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is shown."""
    return message


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
        if not language_code:
            return None
        tag = language_code.replace("_", "-").lower()
        known = {sent.lower(): lang.code for lang in self.registry
                 for sent in (*lang.telegram, lang.code)}
        known.update({code.lower(): code for code in self.translators if code.lower() not in known})
        tried = (tag, tag.split("-")[0])
        return next((known[c] for c in tried if known.get(c) in self.translators), None)


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
    return Catalogs(translators, tuple(problems), registry)


def catalog_alert(catalogs: Catalogs) -> str:
    """What admins are told when a catalog or one of its messages cannot be used ("" if none)."""
    head = "⚠️ Some translations are not used (each broken message is shown in English):\n\n"
    return head + "\n".join(map(str, catalogs.problems)) if catalogs.problems else ""
