"""The validated directory and its queries: what to show for a place and a need, and "Is this
real?". Immutable and swapped whole on reload, so readers never mix two versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel

from bot.directory import provenance, status
from bot.directory.contacts import CONTACT_KINDS, Shown, country_of, keys_in, listed_keys, show
from bot.directory.model import (
    FALLBACK_LANGUAGE,
    GLOBAL_REGION,
    OPERATOR_RANK,
    WITH_IDS,
    Category,
    Contact,
    DirectoryFile,
    Guide,
    KnownFake,
    Path_,
    Region,
    Resource,
    Status,
    format_path,
    zone,
)

Rank = tuple[int, int, int, int, str, str]  # see Directory.rank
# Typed search's words of one file: "strong" (names, questions) or "text" (summaries,
# cautions, answers) -> word -> the file's entries holding it (resources, then guides).
Words = Mapping[str, Mapping[str, Sequence[int]]]
When = dt.datetime | None  # the time a list is read at: open lines first (None: as ranked)
SCAM_CATEGORY = "safety-scams"  # the guides shown after every "Is this real?" answer
ListedContact = tuple[str, int]  # a listed contact: its resource's id, its place among the contacts


@dataclass(frozen=True)
class Lookup:
    countries: tuple[str, ...]
    listed: Mapping[str, tuple[ListedContact, ...]]  # key -> the contacts it is
    fakes: Mapping[str, KnownFake]


@dataclass(frozen=True)
class Checked:
    """`rest`, the message without what was looked up, is only ever listened to for danger."""

    fakes: tuple[KnownFake, ...] = ()
    listed: tuple[ListedContact, ...] = ()
    unknown: int = 0
    rest: str = field(default="", repr=False, compare=False)


def check(lookup: Lookup, text: str) -> Checked | None:
    things, rest = keys_in(text, lookup.countries)
    if not things:
        return None
    found = [(next((lookup.fakes[k] for k in sorted(keys) if k in lookup.fakes), None),
              [i for k in sorted(keys) for i in lookup.listed.get(k, ())]) for keys in things]
    fakes = {fake.value: fake for fake, _ in found if fake}  # a fake wins: an admin said so
    listed = dict.fromkeys(i for fake, ids in found if not fake for i in ids)
    unknown = sum(1 for fake, ids in found if not fake and not ids)
    return Checked(tuple(fakes.values()), tuple(listed), unknown, rest)


@dataclass(frozen=True)
class Piece:
    """One file's entries, with the search words its reader worked out (None: search does)."""

    resources: Sequence[Resource]
    guides: Sequence[Guide]
    words: Words | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Directory:
    data: DirectoryFile
    pieces: tuple[Piece, ...] = ()
    regions: dict[str, Region] = field(init=False, repr=False, compare=False)
    categories: dict[str, Category] = field(init=False, repr=False, compare=False)
    resources: dict[str, Resource] = field(init=False, repr=False, compare=False)
    guides: dict[str, Guide] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.pieces:
            object.__setattr__(self, "pieces", (Piece(self.data.resources, self.data.guides),))
        for kind in WITH_IDS:
            object.__setattr__(self, kind, {e.id: e for e in getattr(self.data, kind)})

    def prepare(self) -> None:
        """Work out what every screen reads now, in the reload's thread, not in the first update."""
        _ = self._ranked, self.emergency_category, self.timed, self.lookup  # lookup reads numbers

    @cached_property
    def emergency_category(self) -> Category | None:
        return next((c for c in self.data.categories if c.emergency), None)

    @cached_property
    def timed(self) -> bool:
        """Whether any screen can change with the clock alone (hours, dated alerts)."""
        contacts = [c for r in self.data.resources for c in r.contacts]
        timed: list[Region | Resource | Contact] = [*self.data.regions, *self.data.resources]
        alerts = [e.alert for e in [*timed, *contacts]]
        return any(c.schedule or c.closed_on for c in contacts) or any(
            a and (a.from_ or a.until) for a in alerts)

    def zone(self, resource: Resource | Region, contact: Contact | None = None) -> dt.tzinfo:
        """Its own, its resource's, else its regions' (validation makes sure there is one)."""
        if isinstance(resource, Region):
            return zone(resource.timezone) if resource.timezone else dt.UTC
        shared = {self.regions[r].timezone if r in self.regions else None for r in resource.regions}
        name = (contact and contact.timezone) or resource.timezone or (
            shared.pop() if len(shared) == 1 else None)
        return zone(name) if name else dt.UTC

    def closed_now(self, resource: Resource, now: dt.datetime) -> bool:
        """Closed, or every line to call closed now (hours not given count as open)."""
        lines = [c for c in resource.contacts if CONTACT_KINDS[c.type].on_emergency]
        return resource.status in SHUT or (bool(lines) and all(
            c.status in SHUT or (bool(c.schedule or c.closed_on) and status.open_now(
                c, now, self.zone(resource, c)) is False) for c in lines))

    @cached_property
    def lookup(self) -> Lookup:
        listed: dict[str, list[ListedContact]] = {}
        for resource in self.data.resources:
            for j, (contact, shown) in enumerate(self.contacts(resource)):
                number, country = shown.number, self.contact_country(resource, contact)
                keys = listed_keys(contact.value) if number is None else {
                    f"tel:{country}:{number.dial}" if number.local_only else f"tel:{number.dial}"}
                for key in keys:
                    listed.setdefault(key, []).append((resource.id, j))
        fakes = {key: fake for fake in self.data.known_fakes for key in listed_keys(fake.value)}
        countries = tuple(sorted({r.country for r in self.data.regions if r.country}))
        return Lookup(countries, {k: tuple(dict.fromkeys(v)) for k, v in listed.items()}, fakes)

    @property
    def user_regions(self) -> list[Region]:
        """'global' is everywhere, not a place a person can be in."""
        return [r for r in self.data.regions if r.id != GLOBAL_REGION]

    def contacts(self, resource: Resource) -> list[tuple[Contact, Shown]]:
        return [(c, show(c.type, c.value, self.contact_country(resource, c)))
                for c in resource.contacts]

    def contact_country(self, resource: Resource, contact: Contact) -> str | None:
        return country_of(contact.country, [self.regions[r].country if r in self.regions
                                            else None for r in resource.regions])

    def callable_contacts(self, resource: Resource) -> list[tuple[Contact, Shown]]:
        """For the Emergency screen and the numbers to keep: no closed line, no old number."""
        return [(c, shown) for c, shown in self.contacts(resource) if _callable(resource, c)]

    def resources_for(self, region: str | None, category: str, now: When = None) -> list[Resource]:
        """At `now`, open ones first within the same order, emergency and local rank."""
        found = [r for r in self._ranked.get(category, ()) if _in_region(r.regions, region)]
        if now is None:
            return found
        return sorted(found, key=lambda r: (self.rank(r)[:3], self.closed_now(r, now)))

    def guides_for(self, region: str | None, category: str) -> list[Guide]:
        found = [g for g in self.data.guides
                 if category in g.categories and _in_region(g.regions, region)]
        return sorted(found, key=lambda g: g.order if g.order is not None else 1000)

    def categories_for(self, region: str | None, *, advice: bool = False) -> list[Category]:
        return [c for c in self.data.categories if c.advice == advice and not c.emergency
                and (self.resources_for(region, c.id) or self.guides_for(region, c.id))]

    def emergency_resources(self, region: str | None, now: When = None) -> list[Resource]:
        category = self.emergency_category
        return _reachable(self.resources_for(region, category.id, now) if category else [])

    def answering(self, region: str | None, danger: str,
                  now: When = None) -> tuple[list[Resource], list[Guide]]:
        chosen = [c.id for c in self.data.categories if danger in c.answers]
        lines = {r.id: r for c in chosen for r in self.resources_for(region, c, now)}
        guides = {g.id: g for c in chosen for g in self.guides_for(region, c)}
        return _reachable(list(lines.values())), list(guides.values())

    def answered(self, danger: str) -> bool:
        """Whether a category answers this danger (else the emergency numbers do)."""
        return any(danger in c.answers for c in self.data.categories)

    def stale(self, max_age_days: int, today: dt.date) -> list[Resource | Guide]:
        limit = today - dt.timedelta(days=max_age_days)
        entries: list[Resource | Guide] = [*self.data.resources, *self.data.guides]
        return sorted((e for e in entries if provenance.as_of(e) < limit), key=provenance.as_of)

    def empty_cells(self) -> list[tuple[str, str]]:
        return [(region.id, category.id) for region in self.user_regions
                for category in self.data.categories
                if not category.advice and not self.resources_for(region.id, category.id)]

    def texts(self) -> Iterator[tuple[str, Mapping[str, str]]]:
        return _texts_of(self.data, ())

    def counts(self) -> dict[str, int]:
        found = {kind: len(getattr(self.data, kind)) for kind in WITH_IDS}
        return {**found, "contacts": sum(len(r.contacts) for r in self.data.resources)}

    def summary(self) -> str:
        n = self.counts()
        kinds = ("resources", "contacts", "guides", "regions", "categories")
        return ", ".join(f"{n[kind]} {kind}" for kind in kinds)

    def rank(self, resource: Resource) -> Rank:
        emergency = self.emergency_category
        return (resource.order if resource.order is not None else 1000,
                0 if emergency and emergency.id in resource.categories else 1,
                1 if GLOBAL_REGION in resource.regions else 0,
                OPERATOR_RANK[resource.operator],
                resource.name[FALLBACK_LANGUAGE].casefold(),
                resource.id)

    @cached_property
    def _ranked(self) -> dict[str, list[Resource]]:
        ranked = sorted(self.data.resources, key=self.rank)
        return {c.id: [r for r in ranked if c.id in r.categories] for c in self.data.categories}


def _in_region(regions: Iterable[str], region: str | None) -> bool:
    return region is None or GLOBAL_REGION in regions or region in regions


SHUT = frozenset({Status.CLOSED, Status.TEMPORARILY_CLOSED})
GONE = frozenset({Status.CLOSED, Status.NUMBER_CHANGED})  # a contact no one should call


def searchable(resource: Resource) -> bool:
    """A closed line leaves search and the Emergency screen; its lists keep it, marked, so a
    person who knew it learns why."""
    return resource.status is not Status.CLOSED


def _callable(resource: Resource, contact: Contact) -> bool:
    """Not closed, nor an old number (it may ring someone else): the line's, or its resource's."""
    return (CONTACT_KINDS[contact.type].on_emergency
            and GONE.isdisjoint((resource.status, contact.status)))


def _reachable(found: list[Resource]) -> list[Resource]:
    reachable = (r for r in found if any(_callable(r, c) for c in r.contacts))
    return sorted(reachable, key=lambda r: GLOBAL_REGION in r.regions)  # stable: keeps rank


def _texts_of(model: BaseModel, path: Path_) -> Iterator[tuple[str, Mapping[str, str]]]:
    for name in type(model).model_fields:
        value: Any = getattr(model, name)
        if isinstance(value, dict) and isinstance(value.get(FALLBACK_LANGUAGE), str):
            yield format_path((*path, name)), value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _texts_of(item, (*path, name, i))
        elif isinstance(value, BaseModel):  # an alert
            yield from _texts_of(value, (*path, name))
