"""The language registry: locales/languages.yaml describes each language once, for everyone."""

from __future__ import annotations

import contextlib
import functools
import re
import string
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError

from bot import safeyaml
from bot.config import locale_file, shipped_locales
from bot.i18n import CODE_PATTERN

REGISTRY_FILE = "languages.yaml"
SOURCE_LANGUAGE = "en"
_CODE = re.compile(CODE_PATTERN)
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
_FORMATTER = string.Formatter()
_FIELDS = {"code", "script", "direction", "name", "names", "fallback", "telegram", "catalog",
           "cldr", "months", "date", "month_year", "list", "letters"}
_LIST_KEYS = ("pair", "middle", "end")
# Each date pattern's default, which holds exactly the fields it must.
DATE_PATTERNS = {"date": "{day} {month} {year}", "month_year": "{month} {year}"}


class RegistryError(ValueError):
    """languages.yaml cannot be used; the message names the entry and the field."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    direction: str = "ltr"
    script: str = "Latn"
    names: Mapping[str, str] = field(default_factory=dict)
    fallback: tuple[str, ...] = ()
    telegram: tuple[str, ...] = ()
    catalog: str = ""
    cldr: str = SOURCE_LANGUAGE
    months: tuple[str, ...] = ()
    date: str = DATE_PATTERNS["date"]
    month_year: str = DATE_PATTERNS["month_year"]
    list_patterns: Mapping[str, str] = field(default_factory=dict)
    letters: str = ""  # letters its script's other languages lack: a text with none is not it

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def locale(self) -> Locale:
        return cldr_locale(self.cldr) or Locale.parse(self.cldr)  # the second names the fault

    @functools.cached_property
    def chain(self) -> tuple[str, ...]:
        """Where directory text comes from, English last."""
        return tuple(dict.fromkeys([self.code, *self.fallback, SOURCE_LANGUAGE]))


@functools.lru_cache(maxsize=256)
def cldr_locale(code: str) -> Locale | None:
    """Babel's locale for a BCP 47 tag or a gettext folder name (pt-BR, pt_BR), if CLDR has it."""
    with contextlib.suppress(ValueError, UnknownLocaleError):
        return Locale.parse(code.replace("-", "_"))
    return None


def from_cldr(code: str, catalog: str = "") -> Language | None:
    """A language with no registry entry, described by CLDR alone; None if CLDR does not know it."""
    locale = cldr_locale(code)
    if locale is None:
        return None
    own = str(locale.get_display_name(locale) or code)
    direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return Language(code=code, name=own[:1].upper() + own[1:], direction=direction,
                    script=str(locale.script or ""), telegram=(code.lower(),),
                    catalog=catalog or code, cldr=str(locale))


@dataclass(frozen=True)
class Registry:
    languages: Mapping[str, Language]
    problems: tuple[str, ...] = ()  # patterns replaced by their fallback, by language

    def __iter__(self) -> Iterator[Language]:
        return iter(self.languages.values())

    def get(self, code: str) -> Language | None:
        return self.languages.get(code)

    def by_folder(self, folder: str) -> Language | None:
        return next((lang for lang in self if lang.catalog == folder), None)

    def name_in(self, code: str, reader: str) -> str | None:
        """What speakers of `reader` call the language `code`, if the table says."""
        language = self.languages.get(code)
        named = language.names.get(reader) if language else None
        return named or (language.name if language and code == reader else None)


def placeholders(text: str, known: Collection[str] | None = None) -> tuple[set[str], str | None]:
    """The bare `{name}` fields of a message, or why it is not safe to format. With `known`,
    the fields must be exactly those, each at least once (a pattern's `{0}` and `{1}`, say)."""
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
    missing = sorted(set(known or ()) - names)
    return names, (", ".join(f"{{{n}}}" for n in missing) + " missing") if missing else None


def _patterns(
    where: str, raw: Any, lists: dict[str, str], problems: list[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The date and list patterns, formatted for every card: each holds exactly its own bare
    fields, or is replaced by its fallback and reported."""
    dates = {}
    for key, default in DATE_PATTERNS.items():
        dates[key] = str(raw.get(key) or default)
        why = placeholders(dates[key], placeholders(default)[0])[1]
        if why is not None:
            problems.append(f"{where}: {key} {dates[key][:40]!r}: {why}; {default!r} is used")
            dates[key] = default
    for key, pattern in lists.items():
        why = placeholders(pattern, {"0", "1"})[1]
        if why is not None:
            problems.append(f"{where}: list {key} {pattern[:40]!r}: {why}; "
                            "lists are joined as CLDR has it instead")
            return dates, {}
    return dates, lists


def _require(condition: object, problem: str) -> None:
    if not condition:
        raise RegistryError(problem)


def _entry(raw: Any, where: str, problems: list[str]) -> Language:
    _require(isinstance(raw, dict), f"{where}: each language is a mapping of fields")
    unknown = sorted(map(str, set(raw) - _FIELDS))
    _require(not unknown, f"{where}: unknown field(s) {unknown}")
    code = raw.get("code")
    _require(isinstance(code, str) and _CODE.fullmatch(code),
             f"{where}: code {code!r} is not a BCP 47 tag such as ar, ckb, ku-Arab")
    where = f"{where} ({code})"
    name, direction = raw.get("name"), raw.get("direction")
    _require(isinstance(name, str) and name.strip(), f"{where}: name is required")
    _require(direction in ("rtl", "ltr"), f"{where}: direction must be rtl or ltr")
    cldr = raw["cldr"] if isinstance(raw.get("cldr"), str) else code.replace("-", "_")
    _require(cldr_locale(cldr), f"{where}: cldr {cldr!r} is not a locale Babel knows")
    lists = {k: str(v) for k, v in (raw.get("list") or {}).items()}
    _require(not lists or set(lists) == set(_LIST_KEYS),
             f"{where}: list needs exactly {', '.join(_LIST_KEYS)}")
    months = tuple(str(m) for m in raw.get("months") or ())
    _require(len(months) in (0, 12), f"{where}: months lists all twelve, January first")
    dates, lists = _patterns(where, raw, lists, problems)
    return Language(
        code=code, name=name.strip(), direction=direction, script=str(raw.get("script") or ""),
        names={str(k): str(v) for k, v in (raw.get("names") or {}).items()},
        fallback=tuple(str(c) for c in raw.get("fallback") or ()),
        telegram=tuple(str(c).lower() for c in raw.get("telegram") or ()),
        catalog=str(raw.get("catalog") or code), cldr=cldr, months=months,
        date=dates["date"], month_year=dates["month_year"], list_patterns=lists,
        letters=str(raw.get("letters") or ""),
    )


def load_registry(locales: Path | None = None) -> Registry:
    path = locale_file(locales or shipped_locales(), REGISTRY_FILE)
    try:
        raw = safeyaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: cannot read: {exc}") from exc
    entries = raw.get("languages") if isinstance(raw, dict) else None
    _require(isinstance(entries, list), f"{path}: expected 'languages:' followed by a list")
    languages: dict[str, Language] = {}
    problems: list[str] = []
    for i, item in enumerate(entries or ()):
        language = _entry(item, f"{path}: languages[{i}]", problems)
        _require(language.code not in languages, f"{path}: {language.code} is listed twice")
        languages[language.code] = language
    for language in languages.values():
        for code in language.fallback:
            _require(code in languages, f"{path}: {language.code} falls back to unknown {code!r}")
    _require(SOURCE_LANGUAGE in languages, f"{path}: English ({SOURCE_LANGUAGE}) must be listed")
    return Registry(languages, tuple(problems))


@functools.lru_cache(maxsize=1)
def shipped() -> Registry:
    return load_registry(shipped_locales())
