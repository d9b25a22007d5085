"""Rules across entries, run on validated entries, each written once: unique ids, references
that resolve, one emergency category, and every contact's value for its type and country.
Also the warnings `penah check` prints without failing.

A file with errors is still checked here as far as it can be: each entry that is valid on its
own is checked, so an admin sees every problem in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.directory import provenance
from bot.directory.contacts import KINDS, ContactType, country_of
from bot.directory.model import (
    FALLBACK_LANGUAGE,
    SECTIONS,
    Category,
    DirectoryFile,
    Guide,
    Path_,
    Region,
    Resource,
)
from bot.directory.phones import is_known_short_code
from bot.directory.queries import Directory
from bot.i18n.sensitive import NO_TERMS, Terms

_SINGULAR = {"regions": "region", "categories": "category", "resources": "resource"}


@dataclass
class Entries:
    """The entries that are valid, each with its index in the file."""

    regions: list[tuple[int, Region]] = field(default_factory=list)
    categories: list[tuple[int, Category]] = field(default_factory=list)
    resources: list[tuple[int, Resource]] = field(default_factory=list)
    guides: list[tuple[int, Guide]] = field(default_factory=list)
    # ids of entries that are invalid themselves: references to them are not also errors
    invalid_ids: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, model: DirectoryFile) -> Entries:
        return cls(
            list(enumerate(model.regions)),
            list(enumerate(model.categories)),
            list(enumerate(model.resources)),
            list(enumerate(model.guides)),
        )

    @classmethod
    def valid_in(cls, data: Mapping[str, Any]) -> Entries:
        """Each entry of a file that failed as a whole, validated on its own."""
        found = cls()
        for section, model in SECTIONS.items():
            items = data.get(section)
            valid: list[tuple[int, BaseModel]] = getattr(found, section)
            for i, item in enumerate(items if isinstance(items, list) else []):
                try:
                    valid.append((i, model.model_validate(item)))
                except ValidationError:  # reported by the validation of the whole file
                    ident = item.get("id") if isinstance(item, dict) else None
                    if isinstance(ident, str):
                        found.invalid_ids.setdefault(section, set()).add(ident)
        return found


def cross_problems(entries: Entries) -> list[tuple[Path_, str]]:
    found: list[tuple[Path_, str]] = []
    ids: dict[str, set[str]] = {}
    for section in SECTIONS:
        seen: set[str] = set()
        for i, entry in getattr(entries, section):
            if entry.id in seen:
                found.append(((section, i, "id"), f"duplicate id {entry.id!r} in {section}"))
            seen.add(entry.id)
        ids[section] = seen | entries.invalid_ids.get(section, set())

    def refs(section: str, i: int, name: str, values: list[str], target: str) -> None:
        for j, ref in enumerate(values):
            if ref not in ids[target]:
                close = difflib.get_close_matches(ref, ids[target], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                found.append(((section, i, name, j), f"no {_SINGULAR[target]} {ref!r}{hint}"))

    emergency = [i for i, c in entries.categories if c.emergency]
    for i in emergency[1:]:
        found.append((("categories", i, "emergency"), "only one category can be the emergency one"))

    countries = {r.id: r.country for _, r in entries.regions}
    for i, resource in entries.resources:
        refs("resources", i, "categories", resource.categories, "categories")
        refs("resources", i, "regions", resource.regions, "regions")
        region_countries = [countries.get(r) for r in resource.regions]
        for j, contact in enumerate(resource.contacts):
            country = country_of(contact.country, region_countries)
            message = KINDS[contact.type].check(contact.value, country)
            if message:
                found.append((("resources", i, "contacts", j, "value"), message))
    for i, guide in entries.guides:
        refs("guides", i, "categories", guide.categories, "categories")
        refs("guides", i, "regions", guide.regions, "regions")
        refs("guides", i, "related", guide.related, "resources")
    return found


def warnings_for(
    directory: Directory, *, stale_days: int, today: dt.date, terms: Terms = NO_TERMS
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
