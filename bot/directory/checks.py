"""The warnings `penah check` prints without failing (what fails a file is checked in
bot/loading/validation.py)."""

from __future__ import annotations

import datetime as dt

from bot.directory import provenance
from bot.directory.contacts import ContactType
from bot.directory.model import FALLBACK_LANGUAGE, Guide, Resource
from bot.directory.queries import Directory
from bot.i18n.sensitive import NO_TERMS, SensitiveTerms


def warnings_for(
    directory: Directory, *, stale_days: int, today: dt.date, terms: SensitiveTerms = NO_TERMS
) -> list[str]:
    """Icons that stand for a group of people (anyone glancing at the phone reads them),
    staleness, dates in the future, known fakes listed as contacts, gaps, unchecked codes."""
    data, lookup = directory.data, directory.lookup
    out = [f"identity symbol: category {group.id!r} icon {group.icon!r} gives people away at a "
           "glance; choose a neutral one" for group in data.categories
           if terms.found(group.icon, "en")]
    for entry in directory.stale(stale_days, today):
        kind = "resource" if isinstance(entry, Resource) else "guide"
        age = (today - provenance.as_of(entry)).days
        out.append(f"stale: {kind} {entry.id!r} {provenance.describe(entry)} ({age} days old)")
    entries: list[Resource | Guide] = [*data.resources, *data.guides]
    for entry in entries:  # a date in the future is a typo that would make an entry look fresh
        confirmed = entry.confirmations if isinstance(entry, Resource) else []
        days = [("source.read", entry.source.read),
                *((f"confirmations[{i}].date", c.date) for i, c in enumerate(confirmed))]
        out += [f"future date: {entry.id!r} {field} {day} is in the future"
                for field, day in days if day > today]
    out += [f"conflict: known fake {fake.value!r} is also a contact of "
            f"{', '.join(dict.fromkeys(r for r, _ in lookup.listed[key]))}; "
            "the bot answers 'Known fake'" for key, fake in lookup.fakes.items()
            if key in lookup.listed]
    languages = [lang for lang in data.languages if lang != FALLBACK_LANGUAGE]
    for path, text in directory.texts():
        if missing := [lang for lang in languages if lang not in text]:
            out.append(f"untranslated: {path} has no {', '.join(missing)}")
    out += [f"empty: no contact for region {region!r} in category {category!r}"
            for region, category in directory.empty_cells()]
    for resource in data.resources:
        for contact, shown in directory.contacts(resource):
            number, country = shown.number, directory.contact_country(resource, contact)
            if contact.type == ContactType.PHONE and number and number.unlisted:
                out.append(f"check: {resource.id!r} {number.dial} is a service code phone "
                           f"metadata does not list for {country}; confirm it by calling")
    return out
