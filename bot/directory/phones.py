"""Phone numbers, read with phonenumbers once when the directory loads, never at render."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import shortnumberinfo


@dataclass(frozen=True)
class Dialable:
    """A phone number ready to show: `dial` is what a phone dials, `display` how it is read."""

    dial: str
    display: str
    local_only: bool = False  # a short or service code that works only inside its country
    unlisted: bool = False  # such a code phone metadata does not list: admins should check it


@functools.lru_cache(maxsize=8192)  # a check and the load that follows read the same numbers
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
        form = phonenumbers.PhoneNumberFormat
        return Dialable(phonenumbers.format_number(number, form.E164),
                        phonenumbers.format_number(number, form.INTERNATIONAL))
    if country is not None and not compact.startswith("+"):
        listed = shortnumberinfo.is_valid_short_number_for_region(number, country)
        if listed or re.fullmatch(r"[1-9]\d{2,7}", compact):
            return Dialable(compact, compact, local_only=True, unlisted=not listed)
    raise ValueError(f"not a valid phone number for {country or 'its country code'}: {value!r}")
