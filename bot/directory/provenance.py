"""Where each entry comes from and who confirmed it, and how a card says so honestly.

A page read by a researcher is not a person who called the number: an entry has its `source`
(link, the page's own date or "undated", the day it was read) and, apart, `confirmations` (a
call, a reply, a visit: when, how, by which role). Staleness runs from the latest confirmation,
else the page's date, else the day it was read (an undated page was live at least that day).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from enum import StrEnum
from html import escape
from typing import Annotated, Any, Protocol
from urllib.parse import urlsplit

from babel.dates import format_skeleton
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from bot.i18n.translator import N_, Html, Translator

UNDATED = "undated"
_PAGE_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_PAGE_DATE_PATTERN = r"^(undated|\d{4}(-\d{2}(-\d{2})?)?)$"
_ROLE = re.compile(r"[a-z][a-z0-9 '/-]{1,39}")
PAGE_DATE_HELP = (
    "the date the page itself shows, as YYYY-MM-DD, YYYY-MM or YYYY, "
    "or undated when the page shows none"
)
ROLE_HELP = (
    "a role in a few lower-case words, such as 'penah admin' or 'partner caseworker'; "
    "never a person's name"
)


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
    """A citation is written exactly as read: an http:// page stays http:// (it is never a
    button people press; contacts are https:// only)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        raise ValueError(f"the page's full address, starting with https:// or http://: {value!r}")
    if any(c.isspace() for c in value):
        raise ValueError(f"an address has no spaces: {value!r}")
    return value


def _no_plain_link(value: Any) -> Any:
    """The old format was `source: "https://…"` beside `verified:`: say what to write now."""
    if isinstance(value, str):
        raise ValueError(
            "a source is now a block with the page's own date and the day it was read; "
            f'write:  source: {{url: "{value}", dated: <{PAGE_DATE_HELP}>, '
            "read: <the day you read it, YYYY-MM-DD>}"
        )
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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


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
    "verified": (
        "'verified' is the old format and is gone. If it is the day the source was read, "
        "move it into the source block as 'read:'; only if a person reached the service, "
        "write  confirmations: [{{date: {value}, how: call, by: penah admin}}]  "
        "(how: call | email | message | visit; by: a role, never a name)"
    ),
    "danger": (
        "'danger' words are no longer kept in the directory: danger is understood by meaning, "
        "from the stems and roots in locales/danger.yaml (see TRANSLATING.md); remove this "
        "list, and add any word it holds that is missing there"
    ),
}


def old_key_message(key: str, written: str) -> str | None:
    template = OLD_KEYS.get(key)
    return template.format(value=written or "YYYY-MM-DD") if template else None


def page_date_floor(dated: str) -> dt.date:
    """The earliest day a partial page date can mean: 2020-06 is read as 1 June 2020."""
    match = _PAGE_DATE.fullmatch(dated)
    assert match is not None, "validated by PageDate"
    year, month, day = (int(part) if part else 1 for part in match.groups())
    return dt.date(year, month, day)


class Sourced(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def source(self) -> Source: ...


def confirmations_of(entry: Sourced) -> Sequence[Confirmation]:
    """A resource's confirmations; a guide has none (it is read, not called)."""
    found: Sequence[Confirmation] = getattr(entry, "confirmations", ())
    return found


def latest_confirmation(entry: Sourced) -> Confirmation | None:
    return max(confirmations_of(entry), key=lambda c: c.date, default=None)


def as_of(entry: Sourced) -> dt.date:
    """The date an entry rests on: its latest confirmation, the page's date, or the reading."""
    if confirmed := latest_confirmation(entry):
        return confirmed.date
    dated = entry.source.dated
    return entry.source.read if dated == UNDATED else page_date_floor(dated)


def describe(entry: Sourced) -> str:
    """One line for admins: what the entry rests on, in plain English data terms."""
    if confirmed := latest_confirmation(entry):
        return f"confirmed by {confirmed.how} on {confirmed.date} ({confirmed.by})"
    return f"unconfirmed; source dated {entry.source.dated}, read {entry.source.read}"


def date_warnings(entry: Sourced, today: dt.date) -> list[str]:
    """Dates in the future are typos that would make an entry look fresh."""
    days = [("source.read", entry.source.read)]
    days += [(f"confirmations[{i}].date", c.date) for i, c in enumerate(confirmations_of(entry))]
    return [f"{entry.id!r} {field} {day} is in the future" for field, day in days if day > today]


CONFIRMED = {
    How.CALL: N_("Confirmed by a call on {date}."),
    How.EMAIL: N_("Confirmed by email on {date}."),
    How.MESSAGE: N_("Confirmed by a message on {date}."),
    How.VISIT: N_("Confirmed by a visit on {date}."),
}
FROM_DATED = N_("From {source}, dated {date}; not yet confirmed by a call.")
FROM_UNDATED = N_("From {source}, undated (read on {date}); not yet confirmed by a call.")
GUIDE_DATED = N_("Source: {link}, dated {date}")
GUIDE_UNDATED = N_("Source: {link}, undated (read on {date})")

Ui = Callable[..., str]  # View.ui: translates, escapes, fills in, isolates


def site_link(url: str) -> Html:
    """The site's name as an address bar shows it, linked to the page: a full address can hold
    telling words (…/digital-targeting-…-lgbt), and punctuation after it is never part of it."""
    site = (urlsplit(url).hostname or url).removeprefix("www.")
    return Html(f'<a href="{escape(url)}">{escape(site, quote=False)}</a>')


def page_date(t: Translator, dated: str) -> str:
    """A page's own date at the precision it was given: 2018-06-08, June 2020, 2019."""
    day = page_date_floor(dated)
    if dated.count("-") == 2:
        return t.date(day)
    if dated.count("-") == 0:
        return dated
    if t.language.months:  # the month names the language's readers use, as Translator.date
        return t.language.month_year.format(month=t.language.months[day.month - 1], year=day.year)
    return str(format_skeleton("yMMMM", day, locale=t.language.locale))


def _source_line(ui: Ui, t: Translator, source: Source, dated: str, undated: str) -> str:
    link = site_link(source.url)  # named {source} in a card's wording, {link} in a guide's
    if source.dated == UNDATED:
        return ui(undated, source=link, link=link, date=t.date(source.read))
    return ui(dated, source=link, link=link, date=page_date(t, source.dated))


def resource_line(ui: Ui, t: Translator, entry: Sourced) -> str:
    """A card's last line: the confirmation it rests on, or its source and how old it is."""
    if confirmed := latest_confirmation(entry):
        return ui(CONFIRMED[confirmed.how], date=t.date(confirmed.date))
    return _source_line(ui, t, entry.source, FROM_DATED, FROM_UNDATED)


def guide_line(ui: Ui, t: Translator, entry: Sourced) -> str:
    """A guide's last line: its source, as the site's name linked to the page."""
    return _source_line(ui, t, entry.source, GUIDE_DATED, GUIDE_UNDATED)

