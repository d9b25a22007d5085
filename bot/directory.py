"""The directory of contacts and guides: a strict model of resources.yaml and its queries.

Admins edit the file by hand, so every problem is reported at once, each with the file, line,
column and field path the YAML parser saw, and a reader never gets a half-valid directory.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import phonenumbers
import yaml
from phonenumbers import shortnumberinfo
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from .searchterms import Keywords, SearchSettings

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
    keywords: Keywords = Field(default_factory=dict)  # typed-search terms, never shown


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
    search: SearchSettings = Field(default_factory=SearchSettings)


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
        if isinstance(value, dict) and isinstance(value.get(FALLBACK_LANGUAGE), str):
            yield format_path((*path, name)), value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _texts_of(item, (*path, name, i))


# --------------------------------------------------------------------------- loading


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """The safe loader (libyaml when present) that also refuses duplicate keys."""

    duplicates: list[tuple[yaml.Mark, str]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value
            if key in seen:
                self.duplicates.append((key_node.start_mark, str(key)))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _parse_yaml(text: str, filename: str) -> tuple[Any, list[Problem]]:
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = " ".join(filter(None, [exc.context, exc.problem]))
        return None, [Problem(filename, line, col, "", f"YAML syntax error: {reason}")]
    except yaml.YAMLError as exc:
        return None, [Problem(filename, 0, 0, "", f"YAML error: {exc}")]
    finally:
        loader.dispose()
    problems = [
        Problem(filename, m.line + 1, m.column + 1, "", f"duplicate key {key!r}")
        for m, key in loader.duplicates
    ]
    return data, problems


class _Marks:
    """Finds the line and column of a field path, composing the YAML again only on error."""

    def __init__(self, text: str) -> None:
        root = yaml.compose(text, Loader=_Loader)
        assert root is not None, "only called for a document that parsed"
        self._root: yaml.Node = root

    def find(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        mark = self._node(path, key).start_mark
        return (mark.line + 1, mark.column + 1) if mark else (0, 0)

    def written(self, path: Path_) -> str:
        """The scalar exactly as typed, before YAML turned it into a number."""
        node = self._node(path, False)
        return str(node.value) if isinstance(node, yaml.ScalarNode) else ""

    def _node(self, path: Path_, key: bool) -> yaml.Node:
        node: yaml.Node = self._root
        for i, part in enumerate(path):
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        last = i == len(path) - 1
                        child = key_node if key and last else value_node
                        break
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                child = node.value[part]
            if child is None:
                break
            node = child
        return node


_MESSAGES = {"missing": "this field is required"}


def _pydantic_message(error: Mapping[str, Any], path: Path_) -> str:
    kind, last = error["type"], path[-1] if path else ""
    if kind == "extra_forbidden":
        return f"unknown key {last!r}"
    if kind == "enum":
        return f"must be one of: {error['ctx']['expected']} (got {error['input']!r})"
    if kind == "string_pattern_mismatch":
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        shown = error["input"] if "[key]" not in error["loc"] else last
        if "[key]" in error["loc"] or field == "languages":
            return f"not a language code such as en, ar, ckb or ku: {shown!r}"
        if field == "country":
            return f"a two-letter country code in capitals, such as IQ or LB: {shown!r}"
        return f"ids are lower-case ASCII letters, digits and '-', at most 24: {shown!r}"
    if error.get("input", ...) is None:
        return "is empty: give a value (a text with ':' or ',' in it needs quotes)"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    return str(error["msg"]).removeprefix("Value error, ")


def _location(error: Mapping[str, Any]) -> tuple[Path_, bool]:
    """Pydantic's loc without its '[key]' marker, and whether the key itself is at fault."""
    key = error["type"] == "extra_forbidden" or "[key]" in error["loc"]
    return tuple(p for p in error["loc"] if p != "[key]"), key


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


_SINGULAR = {"regions": "region", "categories": "category", "resources": "resource"}


def _semantic_problems(data: Mapping[str, Any]) -> list[tuple[Path_, str]]:
    """Cross-references, duplicate ids and phone numbers, tolerant of a half-broken file."""
    found: list[tuple[Path_, str]] = []

    def entries(kind: str) -> list[tuple[int, Mapping[str, Any]]]:
        items = data.get(kind)
        if not isinstance(items, list):
            return []
        return [(i, e) for i, e in enumerate(items) if isinstance(e, dict)]

    ids: dict[str, set[str]] = {}
    for kind in ("regions", "categories", "resources", "guides"):
        seen: set[str] = set()
        for i, entry in entries(kind):
            ident = entry.get("id")
            if isinstance(ident, str):
                if ident in seen:
                    found.append(((kind, i, "id"), f"duplicate id {ident!r} in {kind}"))
                seen.add(ident)
        ids[kind] = seen

    def check_refs(kind: str, i: int, entry: Mapping[str, Any], name: str, target: str) -> None:
        refs = entry.get(name)
        if not isinstance(refs, list):
            return
        for j, ref in enumerate(refs):
            if isinstance(ref, str) and ref not in ids[target]:
                close = difflib.get_close_matches(ref, ids[target], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                found.append(((kind, i, name, j), f"no {_SINGULAR[target]} {ref!r}{hint}"))

    emergency = [i for i, c in entries("categories") if c.get("emergency") is True]
    for i in emergency[1:]:
        found.append((("categories", i, "emergency"), "only one category can be the emergency one"))

    countries = {
        r["id"]: r.get("country") for _, r in entries("regions") if isinstance(r.get("id"), str)
    }
    for i, resource in entries("resources"):
        check_refs("resources", i, resource, "categories", "categories")
        check_refs("resources", i, resource, "regions", "regions")
        regions = _list(resource.get("regions"))
        region_countries = {countries.get(r) for r in regions if isinstance(r, str)} - {None}
        for j, contact in enumerate(_list(resource.get("contacts"))):
            if isinstance(contact, dict):
                message = _contact_problem(contact, region_countries)
                if message:
                    found.append((("resources", i, "contacts", j, "value"), message))
    for i, guide in entries("guides"):
        check_refs("guides", i, guide, "categories", "categories")
        check_refs("guides", i, guide, "regions", "regions")
        check_refs("guides", i, guide, "related", "resources")
    return found


def _contact_problem(contact: Mapping[str, Any], region_countries: set[Any]) -> str | None:
    kind, value = contact.get("type"), contact.get("value")
    if not isinstance(value, str):
        return None  # the type check has reported it already
    value = value.strip()
    if kind in NUMBER_TYPES:
        if kind == ContactType.WHATSAPP and value.startswith("https://"):
            return _link_problem(value)
        country = contact.get("country")
        if not isinstance(country, str):
            country = next(iter(region_countries)) if len(region_countries) == 1 else None
        try:
            read_number(value, country, whatsapp=kind == ContactType.WHATSAPP)
        except ValueError as exc:
            return str(exc)
    elif kind in LINK_TYPES:
        return _link_problem(value)
    elif kind == ContactType.EMAIL and not _EMAIL.fullmatch(value):
        return f"not a valid email address: {value!r}"
    elif kind == ContactType.TELEGRAM and not _TELEGRAM.fullmatch(value):
        return f"a Telegram contact is @username or https://t.me/…: {value!r}"
    return None


def _link_problem(value: str) -> str | None:
    try:
        _https_url(value)
    except ValueError as exc:
        return str(exc)
    return None


def parse_directory(text: str, filename: str = "resources.yaml") -> Directory:
    """Validate a whole file; raise DirectoryError listing every problem with its location."""
    data, problems = _parse_yaml(text, filename)
    if data is None and not problems:
        problems = [Problem(filename, 0, 0, "", "the file is empty")]
    if problems and data is None:
        raise DirectoryError(problems)
    if not isinstance(data, dict):
        raise DirectoryError([Problem(filename, 1, 1, "", "the file must be a mapping of keys")])

    located: list[tuple[Path_, bool, str]] = []
    model: DirectoryFile | None = None
    try:
        model = DirectoryFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            path, key = _location(error)
            located.append((path, key, _pydantic_message(error, path)))
    located += [(path, False, message) for path, message in _semantic_problems(data)]

    if located:
        marks = _Marks(text)
        for path, key, message in located:
            line, col = marks.find(path, key=key)
            if message == UNQUOTED_NUMBER:
                message += f': "{marks.written(path)}"'
            problems.append(Problem(filename, line, col, format_path(path), message))
    if problems or model is None:
        problems.sort(key=lambda p: (p.line, p.column))
        raise DirectoryError(problems)
    return Directory(model, source=filename)


def load_directory(path: Path) -> Directory:
    return parse_directory(decode_file(path), str(path))


def decode_file(path: Path) -> str:
    """Read the file as UTF-8, naming the line and column of a byte that is not."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DirectoryError([Problem(str(path), 0, 0, "", "file not found")]) from None
    except OSError as exc:
        raise DirectoryError(
            [Problem(str(path), 0, 0, "", f"cannot read: {exc.strerror}")]
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise DirectoryError(
            [Problem(str(path), line, column, "", "not UTF-8 text: save the file as UTF-8")]
        ) from None


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
