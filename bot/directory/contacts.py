"""Every contact type in one table (icon, check, display, link), and phone numbers read once.

Adding a type (Signal, say) is one member of `ContactType` and one row of `CONTACT_KINDS`, plus the
catalog entry of its button label and a line in docs/resources-format.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import shortnumberinfo

from bot.i18n.translator import N_


class ContactType(StrEnum):
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    EMAIL = "email"
    WEBSITE = "website"
    FORM = "form"
    TELEGRAM = "telegram"
    APP = "app"


@dataclass(frozen=True)
class Dialable:
    dial: str  # what a phone dials
    display: str  # how people read it
    local_only: bool = False  # a short or service code that works only inside its country
    unlisted: bool = False  # such a code phone metadata does not list: admins should check it


@functools.lru_cache(maxsize=8192)  # a check and the load that follows read the same numbers
def read_number(value: str, country: str | None, *, whatsapp: bool = False) -> Dialable:
    """Read when the directory loads, never at render; short/service codes (911, 1745,
    80069999) only for a country."""
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
        form = phonenumbers.PhoneNumberFormat
        return Dialable(phonenumbers.format_number(number, form.E164),
                        phonenumbers.format_number(number, form.INTERNATIONAL))
    if country is not None and not compact.startswith("+"):
        listed = shortnumberinfo.is_valid_short_number_for_region(number, country)
        if listed or re.fullmatch(r"[1-9]\d{2,7}", compact):
            return Dialable(compact, compact, local_only=True, unlisted=not listed)
    raise ValueError(f"not a valid phone number for {country or 'its country code'}: {value!r}")


def _https(value: str) -> str | None:
    return value if value.startswith("https://") else None


@dataclass(frozen=True)
class ContactKind:
    icon: str
    written: str = ""  # the pattern of a value that is not a link (or a number)
    wrong: str = "links must start with https:// (got {value!r})"  # for one that is not
    link: Callable[[str], str | None] = _https  # what a button opens (Telegram takes no tel:)
    link_label: str = N_("Open the website")  # that button's words, when it has no label
    links: bool = True  # an https:// link is a value too
    dialable: bool = False  # a phone number: read for its country, shown formatted
    whatsapp: bool = False  # a number WhatsApp needs in full international form
    on_emergency: bool = True  # can be called or messaged at once: on the Emergency screen

    def check(self, value: str, country: str | None) -> str | None:
        try:
            if self.links and value.startswith("https://"):
                host = urlsplit(value).hostname
                if not host or "." not in host or any(c.isspace() for c in value):
                    return f"not a valid link: {value!r}"
            elif self.dialable:
                read_number(value, country, whatsapp=self.whatsapp)
            elif not re.fullmatch(self.written, value):
                return self.wrong.format(value=value, start=value[:60])
        except ValueError as exc:
            return str(exc)
        return None


CONTACT_KINDS: dict[ContactType, ContactKind] = {
    ContactType.PHONE: ContactKind("📞", link=lambda value: None, links=False, dialable=True),
    ContactType.WHATSAPP: ContactKind(
        "💬", link=lambda value: _https(value) or "https://wa.me/" + re.sub(r"\D", "", value),
        link_label=N_("Open in WhatsApp"), dialable=True, whatsapp=True,
    ),
    ContactType.EMAIL: ContactKind(
        "✉️", r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}",
        "not a valid email address: {value!r}", links=False, on_emergency=False,
    ),
    ContactType.WEBSITE: ContactKind("🌐", on_emergency=False),
    ContactType.FORM: ContactKind("📝", link_label=N_("Open the form"), on_emergency=False),
    ContactType.TELEGRAM: ContactKind(
        "✈️", r"@[A-Za-z][A-Za-z0-9_]{3,31}|https://t\.me/[A-Za-z0-9_/+-]+",
        "a Telegram contact is @username or https://t.me/…: {value!r}",
        lambda value: "https://t.me/" + value[1:] if value.startswith("@") else _https(value),
        N_("Open in Telegram"), links=False,
    ),
    # An app as its store lists it: a name (letters of any script, digits, a few marks), or a link.
    ContactType.APP: ContactKind(
        "📲", r"[^\W_][\w .+&'’-]{0,39}",
        "an app is its name as the app store shows it (letters, digits, spaces, at most 40) "
        "or an https:// link to it in a store: {start!r}", on_emergency=False,
    ),
}


def country_of(given: str | None, region_countries: Collection[str | None]) -> str | None:
    found = set(region_countries) - {None}
    return given or (found.pop() if len(found) == 1 else None)


@dataclass(frozen=True)
class Shown:
    kind: ContactKind
    display: str
    link: str | None  # what its button opens
    number: Dialable | None  # as read once, when the directory loaded


def show(kind_of: ContactType, value: str, country: str | None) -> Shown:
    kind = CONTACT_KINDS[kind_of]
    number = None
    if kind.dialable and not value.startswith("https://"):
        try:
            number = read_number(value, country, whatsapp=kind.whatsapp)
        except ValueError:  # a directory that skipped the checks: show it as written
            number = None
    return Shown(kind, number.display if number else value, kind.link(value), number)
