"""The directory of contacts and guides: a strict model of resources.yaml and its queries.

Admins edit the file by hand, so every problem is reported at once, each with the file, line,
column and field path the YAML parser saw, and a reader never gets a half-valid directory.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import shortnumberinfo
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,23}$"
GLOBAL_REGION = "global"
FALLBACK_LANGUAGE = "en"

# --------------------------------------------------------------------------- field types


def _no_yaml_numbers(value: Any) -> Any:
    """YAML turns unquoted digits into numbers (and 0750… into octal): say how to fix it."""
    if isinstance(value, bool):
        raise ValueError("YAML read this as true/false; put the text in quotes")
    if isinstance(value, int | float):
        raise ValueError(UNQUOTED_NUMBER)
    return value


UNQUOTED_NUMBER = "YAML read this as a number (a leading 0 even makes it octal); put it in quotes"


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise ValueError(f"links must start with https:// (got {value!r})")
    if not parts.hostname or "." not in parts.hostname or any(c.isspace() for c in value):
        raise ValueError(f"not a valid link: {value!r}")
    return value


_TELEGRAM = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}|https://t\.me/[A-Za-z0-9_/+-]+")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")


def _english_required(value: dict[str, str]) -> dict[str, str]:
    if FALLBACK_LANGUAGE not in value:
        raise ValueError("an English text ('en') is required: other languages fall back to it")
    return value


Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
NonEmpty = Annotated[
    str, BeforeValidator(_no_yaml_numbers), StringConstraints(strip_whitespace=True, min_length=1)
]
Text = Annotated[dict[LangCode, NonEmpty], AfterValidator(_english_required)]
HttpsUrl = Annotated[NonEmpty, AfterValidator(_https_url)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class Operator(StrEnum):
    UN = "un"
    NGO = "ngo"
    GOVERNMENT = "government"
    POLICE = "police"
    OTHER = "other"


class ContactType(StrEnum):
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    WEBSITE = "website"
    FORM = "form"
    TELEGRAM = "telegram"
    APP = "app"


LINK_TYPES = frozenset({ContactType.WEBSITE, ContactType.FORM})
NUMBER_TYPES = frozenset({ContactType.PHONE, ContactType.WHATSAPP})

# Emergency services come first, then the UN, NGOs, others, and state bodies last: people at
# risk from the state should meet the independent services before the police.
OPERATOR_RANK = {
    Operator.UN: 1,
    Operator.NGO: 2,
    Operator.OTHER: 3,
    Operator.GOVERNMENT: 4,
    Operator.POLICE: 5,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Region(_Strict):
    id: Id
    name: Text
    country: Country | None = None


class Category(_Strict):
    id: Id
    name: Text
    icon: NonEmpty = "•"
    emergency: bool = False
    advice: bool = False


class Contact(_Strict):
    type: ContactType
    value: NonEmpty
    country: Country | None = None
    label: Text | None = None
    hours: Text | None = None
    languages: list[LangCode] = Field(default_factory=list)


class Resource(_Strict):
    id: Id
    name: Text
    summary: Text
    operator: Operator
    categories: list[Id] = Field(min_length=1)
    regions: list[Id] = Field(min_length=1)
    contacts: list[Contact] = Field(min_length=1)
    caution: Text | None = None
    order: int | None = None
    verified: dt.date
    source: HttpsUrl


class Guide(_Strict):
    id: Id
    categories: list[Id] = Field(min_length=1)
    regions: list[Id] = Field(min_length=1)
    question: Text
    answer: Text
    related: list[Id] = Field(default_factory=list)
    order: int | None = None
    verified: dt.date
    source: HttpsUrl


class DirectoryFile(_Strict):
    """The file as written; `Directory` adds the indexes and queries."""

    version: Literal[1]
    languages: list[LangCode] = Field(min_length=1)
    regions: list[Region] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    resources: list[Resource] = Field(default_factory=list)
    guides: list[Guide] = Field(default_factory=list)


# --------------------------------------------------------------------------- problems


Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class Problem:
    """One finding, in the `file:line:col: field: message` form editors and CI understand."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class DirectoryError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(map(str, self.problems)))


# --------------------------------------------------------------------------- phone numbers


@dataclass(frozen=True)
class Dialable:
    """A phone number ready to show: `dial` is what a phone dials, `display` how it is read."""

    dial: str
    display: str
    local_only: bool  # a short or service code that works only inside its country


@functools.lru_cache(maxsize=8192)  # screens format the same numbers again and again
def read_number(value: str, country: str | None, *, whatsapp: bool = False) -> Dialable:
    """Parse with phonenumbers; short/service codes (911, 1745, 80069999) only for a country."""
    compact = re.sub(r"[\s().-]", "", value)
    if not re.fullmatch(r"\+?\d{3,15}", compact):
        raise ValueError(f"not a phone number: {value!r} (digits, spaces, dashes and a leading +)")
    if whatsapp and not compact.startswith("+"):
        raise ValueError(f"WhatsApp needs the full international number, e.g. +961…: {value!r}")
    if not compact.startswith("+") and country is None:
        raise ValueError(
            f"cannot tell which country {value!r} belongs to: write it as +<country code> "
            "or give the contact a country"
        )
    try:
        number = phonenumbers.parse(compact, None if compact.startswith("+") else country)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {value!r} ({exc})") from None
    if phonenumbers.is_valid_number(number):
        return Dialable(
            dial=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            display=phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
            ),
            local_only=False,
        )
    if not compact.startswith("+") and country is not None:
        known_short = shortnumberinfo.is_valid_short_number_for_region(number, country)
        if known_short or re.fullmatch(r"[1-9]\d{2,7}", compact):
            return Dialable(dial=compact, display=compact, local_only=True)
    raise ValueError(f"not a valid phone number for {country or 'its country code'}: {value!r}")


def is_known_short_code(value: str, country: str) -> bool:
    """False for service codes phonenumbers' metadata does not list, which admins should check."""
    number = phonenumbers.parse(value, country)
    return bool(shortnumberinfo.is_valid_short_number_for_region(number, country))


# --------------------------------------------------------------------------- the directory


def pick(text: Mapping[str, str], lang: str) -> tuple[str, bool]:
    """The text in `lang`, else English; the flag says it fell back, so screens can say so."""
    if lang in text:
        return text[lang], False
    return text[FALLBACK_LANGUAGE], lang != FALLBACK_LANGUAGE


@dataclass(frozen=True)
class Directory:
    """An immutable, validated directory. Swapped whole on reload, so readers never mix two."""

    data: DirectoryFile
    source: str = "resources.yaml"

    # ---- lookups
    @cached_property
    def countries(self) -> dict[str, str | None]:
        return {r.id: r.country for r in self.data.regions}

    @cached_property
    def regions(self) -> dict[str, Region]:
        return {r.id: r for r in self.data.regions}

    @cached_property
    def categories(self) -> dict[str, Category]:
        return {c.id: c for c in self.data.categories}

    @cached_property
    def resources(self) -> dict[str, Resource]:
        return {r.id: r for r in self.data.resources}

    @cached_property
    def guides(self) -> dict[str, Guide]:
        return {g.id: g for g in self.data.guides}

    @cached_property
    def emergency_category(self) -> Category | None:
        return next((c for c in self.data.categories if c.emergency), None)

    @property
    def user_regions(self) -> list[Region]:
        """The regions a user can say they are in ('global' is everywhere, not a place)."""
        return [r for r in self.data.regions if r.id != GLOBAL_REGION]

    def contact_country(self, resource: Resource, contact: Contact) -> str | None:
        if contact.country:
            return contact.country
        found = {self.countries.get(r) for r in resource.regions} - {None}
        return found.pop() if len(found) == 1 else None

    def dialable(self, resource: Resource, contact: Contact) -> Dialable:
        return read_number(
            contact.value,
            self.contact_country(resource, contact),
            whatsapp=contact.type == ContactType.WHATSAPP,
        )

    # ---- queries
    @staticmethod
    def _in_region(regions: Iterable[str], region: str | None) -> bool:
        return region is None or GLOBAL_REGION in regions or region in regions

    def resources_for(self, region: str | None, category: str) -> list[Resource]:
        """A category's resources where the user is (and global ones), in display order."""
        return sorted(
            (r for r in self._by_category.get(category, ()) if self._in_region(r.regions, region)),
            key=self._resource_rank,
        )

    def guides_for(self, region: str | None, category: str) -> list[Guide]:
        found = [
            g
            for g in self.data.guides
            if category in g.categories and self._in_region(g.regions, region)
        ]
        return sorted(found, key=lambda g: (g.order if g.order is not None else 1000,))

    def categories_for(self, region: str | None, *, advice: bool = False) -> list[Category]:
        """Categories with something for this region; emergency is shown on its own."""
        return [
            c
            for c in self.data.categories
            if c.advice == advice
            and not c.emergency
            and (self.resources_for(region, c.id) or self.guides_for(region, c.id))
        ]

    def emergency_resources(self, region: str | None) -> list[Resource]:
        category = self.emergency_category
        return self.resources_for(region, category.id) if category else []

    def stale(self, max_age_days: int, today: dt.date) -> list[Resource | Guide]:
        limit = today - dt.timedelta(days=max_age_days)
        entries: list[Resource | Guide] = [*self.data.resources, *self.data.guides]
        return sorted((e for e in entries if e.verified < limit), key=lambda e: e.verified)

    def empty_cells(self) -> list[tuple[str, str]]:
        """(region, category) pairs where a user would find no contact at all."""
        return [
            (region.id, category.id)
            for region in self.user_regions
            for category in self.data.categories
            if not category.advice and not self.resources_for(region.id, category.id)
        ]

    def texts(self) -> Iterator[tuple[str, Mapping[str, str]]]:
        """Every user-facing text with its field path, for translation coverage."""
        for kind in ("regions", "categories", "resources", "guides"):
            for i, entry in enumerate(getattr(self.data, kind)):
                yield from _texts_of(entry, (kind, i))

    def counts(self) -> dict[str, int]:
        return {
            "resources": len(self.data.resources),
            "contacts": sum(len(r.contacts) for r in self.data.resources),
            "guides": len(self.data.guides),
            "regions": len(self.data.regions),
            "categories": len(self.data.categories),
        }

    # ---- internals
    @cached_property
    def _by_category(self) -> dict[str, list[Resource]]:
        index: dict[str, list[Resource]] = {}
        for resource in self.data.resources:
            for category in resource.categories:
                index.setdefault(category, []).append(resource)
        return index

    def _resource_rank(self, resource: Resource) -> tuple[int, int, int, str]:
        emergency = self.emergency_category
        in_emergency = bool(emergency and emergency.id in resource.categories)
        return (
            resource.order if resource.order is not None else 1000,
            0 if in_emergency else 1,
            OPERATOR_RANK[resource.operator],
            resource.name[FALLBACK_LANGUAGE].casefold(),
        )


def _texts_of(model: BaseModel, path: Path_) -> Iterator[tuple[str, Mapping[str, str]]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, dict) and FALLBACK_LANGUAGE in value:
            yield format_path((*path, name)), value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _texts_of(item, (*path, name, i))


# --------------------------------------------------------------------------- warnings


def warnings_for(directory: Directory, *, stale_days: int, today: dt.date) -> list[str]:
    """What `penah check` tells admins without failing: staleness, gaps, unchecked codes."""
    out: list[str] = []
    for entry in directory.stale(stale_days, today):
        kind = "resource" if isinstance(entry, Resource) else "guide"
        age = (today - entry.verified).days
        out.append(f"stale: {kind} {entry.id!r} last verified {entry.verified} ({age} days ago)")
    languages = [lang for lang in directory.data.languages if lang != FALLBACK_LANGUAGE]
    for path, text in directory.texts():
        missing = [lang for lang in languages if lang not in text]
        if missing:
            out.append(f"untranslated: {path} has no {', '.join(missing)}")
    for region, category in directory.empty_cells():
        out.append(f"empty: no contact for region {region!r} in category {category!r}")
    for resource in directory.data.resources:
        for contact in resource.contacts:
            if contact.type != ContactType.PHONE:
                continue
            number = directory.dialable(resource, contact)
            country = directory.contact_country(resource, contact)
            if number.local_only and country and not is_known_short_code(number.dial, country):
                out.append(
                    f"check: {resource.id!r} {number.dial} is a service code phone metadata "
                    f"does not list for {country}; confirm it by calling"
                )
    return out
