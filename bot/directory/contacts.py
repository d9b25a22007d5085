"""Every contact type in one table: its icon, how it is checked, shown and opened.

Adding a type (Signal, say) is one member of `ContactType` and one row of `CONTACT_KINDS`, plus the
catalog entry of its button label and a line in docs/resources-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from bot.directory.phones import Dialable, read_number
from bot.i18n.translator import N_


class ContactType(StrEnum):
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    WEBSITE = "website"
    FORM = "form"
    TELEGRAM = "telegram"
    APP = "app"


def https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https":
        raise ValueError(f"links must start with https:// (got {value!r})")
    if not parts.hostname or "." not in parts.hostname or any(c.isspace() for c in value):
        raise ValueError(f"not a valid link: {value!r}")
    return value


_TELEGRAM = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}|https://t\.me/[A-Za-z0-9_/+-]+")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")
# An app as its store lists it: a name (letters of any script, digits, a few marks), or a link.
_APP_NAME = re.compile(r"[^\W_][\w .+&'’-]{0,39}")


def _link_problem(value: str) -> str | None:
    try:
        https_url(value)
    except ValueError as exc:
        return str(exc)
    return None


def _number_problem(value: str, country: str | None, *, whatsapp: bool = False) -> str | None:
    try:
        read_number(value, country, whatsapp=whatsapp)
    except ValueError as exc:
        return str(exc)
    return None


def _check_phone(value: str, country: str | None) -> str | None:
    return _number_problem(value, country)


def _check_whatsapp(value: str, country: str | None) -> str | None:
    if value.startswith("https://"):
        return _link_problem(value)
    return _number_problem(value, country, whatsapp=True)


def _check_email(value: str, country: str | None) -> str | None:
    return None if _EMAIL.fullmatch(value) else f"not a valid email address: {value!r}"


def _check_link(value: str, country: str | None) -> str | None:
    return _link_problem(value)


def _check_telegram(value: str, country: str | None) -> str | None:
    if _TELEGRAM.fullmatch(value):
        return None
    return f"a Telegram contact is @username or https://t.me/…: {value!r}"


def _check_app(value: str, country: str | None) -> str | None:
    if value.startswith("https://"):
        return _link_problem(value)
    if _APP_NAME.fullmatch(value):
        return None
    return (
        "an app is its name as the app store shows it (letters, digits, spaces, at most 40) "
        f"or an https:// link to it in a store: {value[:60]!r}"
    )


def _https_only(value: str) -> str | None:
    return value if value.startswith("https://") else None


def _whatsapp_link(value: str) -> str | None:
    if value.startswith("https://"):
        return value
    return "https://wa.me/" + "".join(c for c in value if c.isdigit())


def _telegram_link(value: str) -> str | None:
    if value.startswith("@"):
        return "https://t.me/" + value[1:]
    return _https_only(value)


def _no_link(value: str) -> str | None:
    return None


@dataclass(frozen=True)
class ContactKind:
    icon: str
    check: Callable[[str, str | None], str | None]  # (value, country) -> what is wrong
    link: Callable[[str], str | None]  # the https link a button opens (Telegram takes no tel:)
    link_label: str = N_("Open the website")  # that button's words, when it has no label
    dialable: bool = False  # a phone number: read for its country, shown formatted
    whatsapp: bool = False  # a number WhatsApp needs in full international form
    on_emergency: bool = True  # can be called or messaged at once: on the Emergency screen


CONTACT_KINDS: dict[ContactType, ContactKind] = {
    ContactType.PHONE: ContactKind("📞", _check_phone, _no_link, dialable=True),
    ContactType.WHATSAPP: ContactKind(
        "💬",
        _check_whatsapp,
        _whatsapp_link,
        N_("Open in WhatsApp"),
        dialable=True,
        whatsapp=True,
    ),
    ContactType.EMAIL: ContactKind("✉️", _check_email, _https_only, on_emergency=False),
    ContactType.WEBSITE: ContactKind("🌐", _check_link, _https_only, on_emergency=False),
    ContactType.FORM: ContactKind(
        "📝", _check_link, _https_only, N_("Open the form"), on_emergency=False
    ),
    ContactType.TELEGRAM: ContactKind("✈️", _check_telegram, _telegram_link, N_("Open in Telegram")),
    ContactType.APP: ContactKind("📲", _check_app, _https_only, on_emergency=False),
}


def country_of(given: str | None, region_countries: Collection[str | None]) -> str | None:
    """A contact's country: its own, else the one country all its resource's regions share."""
    if given:
        return given
    found = set(region_countries) - {None}
    return found.pop() if len(found) == 1 else None


@dataclass(frozen=True)
class Shown:
    """A contact as screens show it, made on each showing from its number as read once
    (`read_number` keeps what it read)."""

    kind: ContactKind
    display: str
    link: str | None
    number: Dialable | None


def show(kind_of: ContactType, value: str, country: str | None) -> Shown:
    kind = CONTACT_KINDS[kind_of]
    number = None
    if kind.dialable and not value.startswith("https://"):
        try:
            number = read_number(value, country, whatsapp=kind.whatsapp)
        except ValueError:  # a directory that skipped the checks: show it as written
            number = None
    return Shown(kind, number.display if number else value, kind.link(value), number)
