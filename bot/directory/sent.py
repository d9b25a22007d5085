"""A number, link or username someone sends, read as every key it may be listed under
("0750 200 8179" in each of the directory's countries, "+964…", "00964…"), however written.
What was typed is read here and dropped: no cache, no log."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from urllib.parse import urlsplit

import phonenumbers

MOST = 5  # things looked up in one message
GROUPS = 6  # digit groups one number is written in, at most ("+964 750 200 81 79")
_NUMBER = re.compile(r"\+?\d[\d\s().\-/]{5,}\d")
_SHORT = re.compile(r"\s*(\d{3,8})\s*\??\s*")  # a service code, sent on its own
_USERNAME = re.compile(r"@([A-Za-z][A-Za-z0-9_]{3,31})")
_LINK = re.compile(r"(?:https?://)?((?:[\w-]+\.)+[A-Za-z]{2,}\.?)(/\S*)?", re.IGNORECASE)
_E164 = phonenumbers.PhoneNumberFormat.E164
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
            keys.add("tel:" + phonenumbers.format_number(number, _E164))
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
    """The keys of each link, username or number in a message, and the rest of it, where
    danger is still listened for."""
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
