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
    local_only: bool  # a short or service code that works only inside its country


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
