"""Every contact type in one table (icon, check, display, link), phone numbers read once, and
what someone sends read as the keys a contact may be listed under."""

from __future__ import annotations

import contextlib
import functools
import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

import phonenumbers
from phonenumbers import shortnumberinfo

from bot.i18n import N_

FORMAT = phonenumbers.PhoneNumberFormat


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
    """Short and service codes (911, 1745, 80069999) only for a country."""
    compact = re.sub(r"[\s().-]", "", value)
    if not re.fullmatch(r"\+?\d{3,15}", compact):
        raise ValueError(f"not a phone number: {value!r} (digits, spaces, dashes and a leading +)")
    if whatsapp and not compact.startswith("+"):
        raise ValueError(f"WhatsApp needs the full international number, e.g. +961…: {value!r}")
    if not compact.startswith("+") and country is None:
        raise ValueError(f"cannot tell which country {value!r} belongs to: write it as "
                         "+<country code> or give the contact a country")
    try:
        number = phonenumbers.parse(compact, None if compact.startswith("+") else country)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {value!r} ({exc})") from None
    if phonenumbers.is_valid_number(number):
        return Dialable(phonenumbers.format_number(number, FORMAT.E164),
                        phonenumbers.format_number(number, FORMAT.INTERNATIONAL))
    if country is not None and not compact.startswith("+"):
        listed = shortnumberinfo.is_valid_short_number_for_region(number, country)
        if listed or re.fullmatch(r"[1-9]\d{2,7}", compact):
            return Dialable(compact, compact, local_only=True, unlisted=not listed)
    raise ValueError(f"not a valid phone number for {country or 'its country code'}: {value!r}")


def _https(value: str) -> str | None:
    return value if value.startswith("https://") else None


NO_SITE = "names no site"


def link_problem(value: str) -> str | None:
    """Why a directory's link would not open the site it seems to name, or None. A user part
    (`https://help.unhcr.org@other.example`) or a backslash, which browsers read as a slash,
    puts another host behind the one a reader sees."""
    parts = urlsplit(value)
    if not parts.hostname or "." not in parts.hostname:
        return NO_SITE
    if any(c.isspace() for c in value):
        return "an address has no spaces"
    if "@" in parts.netloc or "\\" in value:
        return "a user part (…@) or a backslash would open another site than the one named"
    return None


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
                if problem := link_problem(value):
                    return f"not a valid link ({problem}): {value!r}"
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
        link_label=N_("Open in WhatsApp"), dialable=True, whatsapp=True),
    ContactType.EMAIL: ContactKind(
        "✉️", r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}",
        "not a valid email address: {value!r}", links=False, on_emergency=False),
    ContactType.WEBSITE: ContactKind("🌐", on_emergency=False),
    ContactType.FORM: ContactKind("📝", link_label=N_("Open the form"), on_emergency=False),
    ContactType.TELEGRAM: ContactKind(
        "✈️", r"@[A-Za-z][A-Za-z0-9_]{3,31}|https://t\.me/[A-Za-z0-9_/+-]+",
        "a Telegram contact is @username or https://t.me/…: {value!r}",
        lambda value: "https://t.me/" + value[1:] if value.startswith("@") else _https(value),
        N_("Open in Telegram"), links=False),
    # An app as its store lists it: a name (letters of any script, digits, a few marks), or a link.
    ContactType.APP: ContactKind(
        "📲", r"[^\W_][\w .+&'’-]{0,39}",
        "an app is its name as the app store shows it (letters, digits, spaces, at most 40) "
        "or an https:// link to it in a store: {start!r}", on_emergency=False),
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
        with contextlib.suppress(ValueError):  # a directory that skipped the checks: as written
            number = read_number(value, country, whatsapp=kind.whatsapp)
    return Shown(kind, number.display if number else value, kind.link(value), number)


# What someone sends ("0750 200 8179" in each of the directory's countries, "+964…",
# "00964…") read as every key it may be listed under; read here and dropped: no cache, no log.
MOST = 5  # things looked up in one message
GROUPS = 6  # digit groups one number is written in, at most ("+964 750 200 81 79")
_NUMBER = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
_SHORT = re.compile(r"\s*(\d{3,8})\s*\??\s*")  # a service code, sent on its own
_USERNAME = re.compile(r"@([A-Za-z][A-Za-z0-9_]{3,31})")
_LINK = re.compile(r"(?:https?://)?((?:[\w-]+\.)+[A-Za-z]{2,}\.?)(/\S*)?", re.IGNORECASE)
_PUNCTUATION = ".,;:!?)(]['\"«»“”،؛؟"


def _ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits as 0-9: people type both."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


def number_keys(written: str, countries: Collection[str]) -> set[str]:
    """A phone number as every international number it can be, or a service code per country."""
    digits = re.sub(r"[^\d+]", "", _ascii_digits(written))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    tries = [(digits, None)] if digits.startswith("+") else [
        ("+" + digits, None), *((digits, country) for country in countries)]
    keys = set()
    for value, country in tries:
        try:
            number = phonenumbers.parse(value, country)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            keys.add("tel:" + phonenumbers.format_number(number, FORMAT.E164))
    if digits.isdigit() and len(digits) <= 8:
        keys |= {f"tel:{country}:{digits}" for country in countries}
    return keys


def link_keys(written: str, *, whole: bool) -> set[str]:
    """A link as its site and each path above it (a page under a listed one is the same part
    of that site); t.me is a username, wa.me a number. `whole`: a bare "site.org" counts."""
    written = written.strip(_PUNCTUATION)  # «…», (…), …؟ around it are the sentence's
    if "@" in re.split(r"[/?#]", written.partition("://")[2])[0]:  # a user before the site:
        return {"web:" + written.lower()}  # "https://help.unhcr.org@evil.org" opens evil.org
    match = _LINK.fullmatch(written)
    if match is None or not (whole or "://" in written or "/" in written or "www." in written):
        return set()
    parts = urlsplit(written if "://" in written else "https://" + written)
    host = (parts.hostname or "").rstrip(".").removeprefix("www.")
    path = [step for step in parts.path.split("/") if step]
    if host in ("t.me", "telegram.me") and path:
        return {"tg:" + path[0].lower()}
    if host == "wa.me" and path and path[0].isdigit():
        return number_keys("+" + path[0], ())
    return {"web:" + "/".join([host, *path[:depth]]).lower() for depth in range(len(path) + 1)}


def keys_in(text: str, countries: Collection[str]) -> tuple[list[set[str]], str]:
    """The keys of each thing in a message, and the rest, where danger is still listened for."""
    found, rest = [], []
    words = text.split()
    for word in words:
        username = _USERNAME.fullmatch(word.strip(_PUNCTUATION))
        keys = {"tg:" + username.group(1).lower()} if username else set()
        if not keys and ("@" not in word or "://" in word) and not _NUMBER.fullmatch(
                _ascii_digits(word)):
            keys = link_keys(word, whole=len(words) == 1)
        if keys:
            found.append(keys)
        else:
            rest.append(_ascii_digits(word))
    remains = " ".join(rest)
    numbers = [m.group() for m in _NUMBER.finditer(remains)
               if sum(c.isdigit() for c in m.group()) >= 7]
    if not found and not numbers and _SHORT.fullmatch(remains):
        numbers.append(remains)
    for number in numbers:
        found += _numbers(number, countries) if len(found) < MOST else []
        remains = remains.replace(number, " ")
    return [keys for keys in found if keys][:MOST], remains


def _numbers(run: str, countries: Collection[str]) -> list[set[str]]:
    """A run of digits as one number or, if it is none (numbers side by side), as the numbers
    its groups make, each of the most groups from the left that do."""
    if keys := number_keys(run, countries):
        return [keys]
    groups, start, found = run.split(), 0, list[set[str]]()
    while start < min(len(groups), GROUPS * MOST) and len(found) < MOST:
        for end in range(min(len(groups), start + GROUPS), start, -1):
            keys = number_keys(" ".join(groups[start:end]), countries)
            if any(key.startswith("tel:+") for key in keys):
                found.append(keys)
                break
        start = end
    return found


def listed_keys(value: str) -> set[str]:
    """A contact or known fake as the directory writes it (+964…, a link, an @username)."""
    if _USERNAME.fullmatch(value):
        return {"tg:" + value[1:].lower()}
    if value.startswith("+") and _NUMBER.fullmatch(value):
        return number_keys(value, ())
    keys = link_keys(value, whole=True)
    return {max(keys, key=len)} if keys else set()  # the page itself, not its site


def fake_value(value: str) -> str:
    """A known fake must be something a person can send and the bot can recognise."""
    if not listed_keys(value):
        raise ValueError("a known fake is a phone number with its country code (+964…), a link "
                         f"(https://…) or a Telegram @username: {value[:60]!r}")
    return value
