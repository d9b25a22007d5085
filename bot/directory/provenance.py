"""How a card says honestly where an entry comes from, and how old what it rests on is: a
page read by a researcher is not a person who reached the service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from babel.dates import format_skeleton

from bot.directory.model import UNDATED, Confirmation, Guide, How, Resource, Source, page_date_floor
from bot.i18n import N_, Html

if TYPE_CHECKING:
    from bot.i18n.translator import Translator

Sourced = Resource | Guide


def latest_confirmation(entry: Sourced) -> Confirmation | None:
    confirmed = entry.confirmations if isinstance(entry, Resource) else []  # a guide has none
    return max(confirmed, key=lambda c: c.date, default=None)


def as_of(entry: Sourced) -> dt.date:
    """Its latest confirmation, else the page's date, else the day it was read (an undated page
    was live at least that day)."""
    if confirmed := latest_confirmation(entry):
        return confirmed.date
    dated = entry.source.dated
    return entry.source.read if dated == UNDATED else page_date_floor(dated)


def describe(entry: Sourced) -> str:
    if confirmed := latest_confirmation(entry):
        return f"confirmed by {confirmed.how} on {confirmed.date} ({confirmed.by})"
    return f"unconfirmed; source dated {entry.source.dated}, read {entry.source.read}"


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
    """At the precision it was given: 2018-06-08, June 2020, 2019."""
    day = page_date_floor(dated)
    if dated.count("-") == 2:
        return t.date(day)
    if dated.count("-") == 0:
        return dated
    if t.language.months:  # the month names its readers use, as Translator.date
        return t.language.month_year.format(month=t.language.months[day.month - 1], year=day.year)
    return str(format_skeleton("yMMMM", day, locale=t.language.locale))


def _source_line(ui: Ui, t: Translator, source: Source, dated: str, undated: str) -> str:
    link = site_link(source.url)  # named {source} in a card's wording, {link} in a guide's
    if source.dated == UNDATED:
        return ui(undated, source=link, link=link, date=t.date(source.read))
    return ui(dated, source=link, link=link, date=page_date(t, source.dated))


def resource_line(ui: Ui, t: Translator, entry: Sourced) -> str:
    if confirmed := latest_confirmation(entry):
        return ui(CONFIRMED[confirmed.how], date=t.date(confirmed.date))
    return _source_line(ui, t, entry.source, FROM_DATED, FROM_UNDATED)


def guide_line(ui: Ui, t: Translator, entry: Sourced) -> str:
    return _source_line(ui, t, entry.source, GUIDE_DATED, GUIDE_UNDATED)
