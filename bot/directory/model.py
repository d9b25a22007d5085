"""What resources.yaml may contain, checked field by field (`penah schema` writes it out).
What needs more than one field is checked in bot/loading/validation.py."""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from bot.directory.contacts import NO_SITE, ContactType, fake_value, link_problem
from bot.i18n import CODE_PATTERN
from bot.printable import printable

GLOBAL_REGION = "global"
FALLBACK_LANGUAGE = "en"
ICON_MAX = 8
UNQUOTED_NUMBER = "YAML read this as a number (a leading 0 even makes it octal); put it in quotes"


def _no_yaml_numbers(value: Any) -> Any:
    """YAML turns unquoted digits into numbers (0750… into octal): say how to fix it."""
    if isinstance(value, bool):
        raise ValueError("YAML read this as true/false; put the text in quotes")
    if isinstance(value, int | float):
        raise ValueError(UNQUOTED_NUMBER)
    return value


def _english_required(value: dict[str, str]) -> dict[str, str]:
    if FALLBACK_LANGUAGE not in value:
        raise ValueError("an English text ('en') is required: other languages fall back to it")
    return value


def _icon(value: str) -> str:
    """Shown on buttons: no words, no markup, no spaces."""
    if len(value) > ICON_MAX:
        raise ValueError(f"an icon is one emoji or symbol, at most {ICON_MAX} characters")
    if any(c.isspace() or c in "<>&\"'" or (c.isascii() and c.isalpha()) for c in value):
        raise ValueError("an icon is an emoji or symbol, without letters, spaces or markup: "
                         f"{value[:ICON_MAX]!r}")
    return value


@functools.cache  # ZoneInfo keeps only its last 8 strongly: a draw never reads tzdata again
def zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"not a time zone name such as Asia/Baghdad: {name!r}") from exc


def _hhmm(value: str) -> str:  # 9:00 is kept as 09:00
    if not re.fullmatch(r"(?:[01]?\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f'a time is HH:MM on a 24-hour clock, such as "09:00": {value[:20]!r}')
    return value.zfill(5)


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,23}$")]
LangCode = Annotated[str, StringConstraints(pattern=rf"^{CODE_PATTERN}$")]
NonEmpty = Annotated[
    str, BeforeValidator(_no_yaml_numbers), StringConstraints(strip_whitespace=True, min_length=1)
]
Text = Annotated[dict[LangCode, NonEmpty], AfterValidator(_english_required)]
Icon = Annotated[NonEmpty, AfterValidator(_icon)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
# YAML reads 17:00 unquoted as a number (sexagesimal): say to quote it, as for phone numbers.
ClockTime = Annotated[str, BeforeValidator(_no_yaml_numbers), AfterValidator(_hhmm)]
TimeZone = Annotated[NonEmpty, AfterValidator(lambda name: zone(name).key),
                     Field(description="an IANA time zone name, such as Asia/Baghdad")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]  # as status.DAYS
# Typed-search words per category and language (ku-Arab is Badini, tr Turkish). Never shown, so
# a list may hold misspellings and even the slurs some people know as their only word for
# themselves, so that they still find help.
SearchLang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?$")]
Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Keywords = dict[SearchLang, list[Term]]


class Operator(StrEnum):
    UN = "un"
    NGO = "ngo"
    GOVERNMENT = "government"
    POLICE = "police"
    OTHER = "other"


# People at risk from the state should meet the independent services before the police.
OPERATOR_RANK = {Operator(name): rank for rank, name
                 in enumerate(("un", "ngo", "other", "government", "police"), 1)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# Where each entry comes from: a page read by a researcher (`source`) is not a person who
# reached the service (`confirmations`), and a card says which it rests on.
UNDATED = "undated"
_PAGE_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_PAGE_DATE_PATTERN = r"^(undated|\d{4}(-\d{2}(-\d{2})?)?)$"
_ROLE = re.compile(r"[a-z][a-z0-9 '/-]{1,39}")
PAGE_DATE_HELP = ("the date the page itself shows, as YYYY-MM-DD, YYYY-MM or YYYY, or undated "
                  "when the page shows none")
ROLE_HELP = ("a role in a few lower-case words, such as 'penah admin' or 'partner caseworker'; "
             "never a person's name")


def _page_date(value: Any) -> Any:
    """YAML reads 2020-06-27 as a date and 2020 as a number: keep them as the text written."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value == UNDATED:
        return value
    if not isinstance(value, str) or not _PAGE_DATE.fullmatch(value):
        raise ValueError(f"{PAGE_DATE_HELP} (got {value!r})")
    try:
        page_date_floor(value)
    except ValueError:
        raise ValueError(f"not a real date: {value!r}") from None
    return value


def _role(value: str) -> str:
    if not _ROLE.fullmatch(value):
        raise ValueError(f"{ROLE_HELP} (got {value!r})")
    return value


def _web_address(value: str) -> str:
    """A citation is kept as read: an http:// page stays http:// (it is never a button)."""
    problem = link_problem(value)
    if urlsplit(value).scheme not in ("http", "https") or problem == NO_SITE:
        raise ValueError(f"the page's full address, starting with https:// or http://: {value!r}")
    if problem:
        raise ValueError(f"{problem}: {value!r}")
    return value


def _no_plain_link(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError("a source is now a block with the page's own date and the day it was "
                         f'read; write:  source: {{url: "{value}", dated: <{PAGE_DATE_HELP}>, '
                         "read: <the day you read it, YYYY-MM-DD>}")
    return value


PageDate = Annotated[str, BeforeValidator(_page_date), WithJsonSchema(
    {"type": "string", "pattern": _PAGE_DATE_PATTERN, "description": PAGE_DATE_HELP})]
Role = Annotated[str, AfterValidator(_role), WithJsonSchema(
    {"type": "string", "pattern": f"^{_ROLE.pattern}$", "description": ROLE_HELP})]
SourceUrl = Annotated[str, AfterValidator(_web_address)]


class How(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MESSAGE = "message"
    VISIT = "visit"


class Source(_Strict):
    """The page an entry was taken from."""

    url: SourceUrl
    dated: PageDate = Field(description=PAGE_DATE_HELP)
    read: dt.date = Field(description="the day a person read the page, YYYY-MM-DD")

    @model_validator(mode="after")
    def _dated_not_after_read(self) -> Source:
        if self.dated != UNDATED and page_date_floor(self.dated) > self.read:
            raise ValueError(f"the page's date {self.dated} is after the day it was read")
        return self


class Confirmation(_Strict):
    """A person reached the service: never record who they spoke to or who reported it."""

    date: dt.date
    how: How
    by: Role


SourceField = Annotated[Source, BeforeValidator(_no_plain_link)]

# Keys of the old format: the message names what replaces them (`verified` with its value).
OLD_KEYS = {
    "verified": "'verified' is the old format and is gone. If it is the day the source was read, "
                "move it into the source block as 'read:'; only if a person reached the service, "
                "write  confirmations: [{{date: {value}, how: call, by: penah admin}}]  "
                "(how: call | email | message | visit; by: a role, never a name)",
    "danger": "'danger' words are no longer kept in the directory: danger is understood by "
              "meaning, from the stems and roots in locales/danger.yaml (see TRANSLATING.md); "
              "remove this list, and add any word it holds that is missing there",
}


def old_key_message(key: str, written: str) -> str | None:
    template = OLD_KEYS.get(key)
    return template.format(value=written or "YYYY-MM-DD") if template else None


def page_date_floor(dated: str) -> dt.date:
    """The earliest day a partial page date can mean: 2020-06 is read as 1 June 2020."""
    return dt.date.fromisoformat((dated + "-01-01")[:10])


# YAML has no "fuzzy": texts awaiting a native speaker are shown all the same, and listed by
# `penah i18n` until a reviewer removes their language here.
UNREVIEWED_HELP = "languages whose texts in this entry still await a native speaker's review"
# The kinds of danger typed search hears (locales/danger.yaml).
DangerKind = Literal["self_harm", "threat", "sexual_violence", "violence", "blackmail", "general"]
ANSWERS_HELP = ("the kinds of danger this category's lines and guides answer first, on the "
                "Emergency screen of a person who writes of one")


class Status(StrEnum):
    """As Open Referral's HSDS and admins' tools name them."""

    OPEN = "open"
    TEMPORARILY_CLOSED = "temporarily_closed"
    MOVED = "moved"
    NUMBER_CHANGED = "number_changed"
    CLOSED = "closed"


class Alert(_Strict):
    """A notice in force from `from` to `until`, both days included, in the line's zone."""

    model_config = ConfigDict(serialize_by_alias=True)  # `from`, also between processes
    text: Text
    from_: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Alert:
        if self.from_ and self.until and self.from_ > self.until:
            raise ValueError(f"'from' {self.from_} is after 'until' {self.until}")
        return self


class Period(_Strict):
    """Open on these days from `open` to `close`; a close at or before the open runs past
    midnight, and equal times mean the whole day."""

    days: list[Weekday] = Field(min_length=1)
    open: ClockTime
    close: ClockTime


class Region(_Strict):
    id: Id
    name: Text
    country: Country | None = None
    timezone: TimeZone | None = None
    alert: Alert | None = None
    unreviewed: list[LangCode] = Field(default_factory=list, description=UNREVIEWED_HELP)


class Category(_Strict):
    id: Id
    name: Text
    discreet_name: Text | None = None  # what discreet mode shows instead of `name`
    icon: Icon = "•"
    emergency: bool = False
    advice: bool = False
    keywords: Keywords = Field(default_factory=dict)  # typed-search terms, never shown
    answers: list[DangerKind] = Field(default_factory=list, description=ANSWERS_HELP)
    unreviewed: list[LangCode] = Field(default_factory=list, description=UNREVIEWED_HELP)


class Contact(_Strict):
    type: ContactType
    value: NonEmpty
    country: Country | None = None
    label: Text | None = None
    hours: Text | None = None  # free text, for lines whose hours are not yet a schedule
    # Tuples: a full collection, which holds the event loop, stops walking a tuple it has seen.
    languages: tuple[LangCode, ...] = ()
    status: Status = Status.OPEN
    alert: Alert | None = None
    schedule: tuple[Period, ...] = ()
    closed_on: tuple[dt.date, ...] = ()
    timezone: TimeZone | None = None


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
    status: Status = Status.OPEN
    alert: Alert | None = None
    timezone: TimeZone | None = None
    source: SourceField
    confirmations: list[Confirmation] = Field(default_factory=list)
    unreviewed: list[LangCode] = Field(default_factory=list, description=UNREVIEWED_HELP)


class Guide(_Strict):
    id: Id
    categories: list[Id] = Field(min_length=1)
    regions: list[Id] = Field(min_length=1)
    question: Text
    answer: Text
    related: list[Id] = Field(default_factory=list)
    order: int | None = None
    source: SourceField
    unreviewed: list[LangCode] = Field(default_factory=list, description=UNREVIEWED_HELP)


class KnownFake(_Strict):
    """A number, link or username known to be fake, and the page that says so."""

    value: Annotated[NonEmpty, AfterValidator(fake_value)]
    source: SourceUrl


class DirectoryFile(_Strict):
    """The file as written; `Directory` adds the indexes and queries."""

    version: Literal[1]
    languages: list[LangCode] = Field(min_length=1)
    regions: list[Region] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    resources: list[Resource] = Field(default_factory=list)
    guides: list[Guide] = Field(default_factory=list)
    known_fakes: list[KnownFake] = Field(default_factory=list)


SECTIONS: dict[str, type[_Strict]] = {"regions": Region, "categories": Category,
                                      "resources": Resource, "guides": Guide,
                                      "known_fakes": KnownFake}
WITH_IDS = ("regions", "categories", "resources", "guides")  # the sections of entries with ids


def shown_language(text: Mapping[str, str], chain: Sequence[str]) -> str:
    """The first of `chain` (a reader's language and its fallbacks) the text has, else English."""
    return next((code for code in chain if text.get(code)), FALLBACK_LANGUAGE)


def in_language(text: Mapping[str, str], chain: Sequence[str]) -> str:
    return text[shown_language(text, chain)]


Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass(frozen=True)
class Problem:
    """Printed in the `file:line:col: field: message` form editors and CI understand."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        """Printable: the file's name, the keys and the values come from the folder."""
        file, path, message = printable(self.file), printable(self.path), printable(self.message)
        where = f"{file}:{self.line}:{self.column}" if self.line else file
        return f"{where}: {path}: {message}" if path else f"{where}: {message}"


class DirectoryError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(map(str, self.problems)))
