"""The warnings `penah check` prints without failing: staleness, gaps, unchecked codes,
identity symbols. (What fails a file is checked in bot/loading/validation.py.)"""

from __future__ import annotations

import datetime as dt

from bot.directory import provenance
from bot.directory.contacts import ContactType
from bot.directory.lookup import conflicts
from bot.directory.model import (
    FALLBACK_LANGUAGE,
    Guide,
    Resource,
)
from bot.directory.phones import is_known_short_code
from bot.directory.queries import Directory
from bot.i18n.sensitive import NO_TERMS, SensitiveTerms


def warnings_for(
    directory: Directory, *, stale_days: int, today: dt.date, terms: SensitiveTerms = NO_TERMS
) -> list[str]:
    """What `penah check` tells admins without failing: staleness, gaps, unchecked codes,
    and icons that stand for a group of people (anyone glancing at the phone reads them)."""
    out: list[str] = []
    for group in directory.data.categories:
        if terms.found(group.icon, "en"):
            out.append(
                f"identity symbol: category {group.id!r} icon {group.icon!r} gives "
                "people away at a glance; choose a neutral one"
            )
    for entry in directory.stale(stale_days, today):
        kind = "resource" if isinstance(entry, Resource) else "guide"
        age = (today - provenance.as_of(entry)).days
        out.append(f"stale: {kind} {entry.id!r} {provenance.describe(entry)} ({age} days old)")
    entries: list[Resource | Guide] = [*directory.data.resources, *directory.data.guides]
    for dated in entries:
        out += [f"future date: {w}" for w in provenance.date_warnings(dated, today)]
    out += [f"conflict: {message}" for message in conflicts(directory)]
    languages = [lang for lang in directory.data.languages if lang != FALLBACK_LANGUAGE]
    for path, text in directory.texts():
        missing = [lang for lang in languages if lang not in text]
        if missing:
            out.append(f"untranslated: {path} has no {', '.join(missing)}")
    for region, category in directory.empty_cells():
        out.append(f"empty: no contact for region {region!r} in category {category!r}")
    for resource in directory.data.resources:
        for contact, shown in directory.contacts(resource):
            number = shown.number
            if contact.type != ContactType.PHONE or number is None or not number.local_only:
                continue
            country = directory.contact_country(resource, contact)
            if country and not is_known_short_code(number.dial, country):
                out.append(
                    f"check: {resource.id!r} {number.dial} is a service code phone metadata "
                    f"does not list for {country}; confirm it by calling"
                )
    return out

