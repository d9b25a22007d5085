"""The validated directory and its queries: what to show for a place and a need.

Immutable and swapped whole on reload, so readers never mix two versions. The order every
list shows and the lookups by id are worked out once (`prepare`, in the reload's thread);
contacts' display forms (formatted numbers, links) when a screen first shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.directory import provenance
from bot.directory.contacts import CONTACT_KINDS, Shown, country_of, show
from bot.directory.lookup import Lookup, lookup_of
from bot.directory.model import (
    FALLBACK_LANGUAGE,
    GLOBAL_REGION,
    OPERATOR_RANK,
    Category,
    Contact,
    DirectoryFile,
    Guide,
    Path_,
    Region,
    Resource,
    format_path,
)

# (order, emergency first, local first, operator, English name, id): how entries are listed.
Rank = tuple[int, int, int, int, str, str]
# Typed search's words of one file: "strong" (names, questions) or "text" (summaries,
# cautions, answers) -> word -> the file's entries holding it (resources, then guides).
Words = Mapping[str, Mapping[str, Sequence[int]]]
E = TypeVar("E", Resource, Guide)


@dataclass(frozen=True)
class Piece:
    """One file's resources and guides, with the search words its reader worked out (None:
    typed search works them out itself)."""

    resources: Sequence[Resource]
    guides: Sequence[Guide]
    words: Words | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Directory:
    """An immutable, validated directory, from one file or from a folder's files (pieces)."""

    data: DirectoryFile
    source: str = "resources.yaml"
    pieces: tuple[Piece, ...] = ()

    def __post_init__(self) -> None:
        if not self.pieces:
            object.__setattr__(self, "pieces", (Piece(self.data.resources, self.data.guides),))

    def prepare(self) -> None:
        """Work out what every screen reads now, rather than in the first update after it:
        the lookups, the order, and every phone number read for its country (`read_number`
        keeps what it read, so a reload reads only the numbers it has not seen)."""
        _ = self.regions, self.categories, self.resources, self.guides, self._ranked
        _ = self.emergency_category, self._countries
        for resource in self.data.resources:
            self.contacts(resource)
        _ = self.lookup

    # ---- lookups
    @cached_property
    def regions(self) -> dict[str, Region]:
        return {r.id: r for r in self.data.regions}

    @cached_property
    def categories(self) -> dict[str, Category]:
        return {c.id: c for c in self.data.categories}

    @cached_property
    def resources(self) -> dict[str, Resource]:
        return {r.id: r for r in self.data.resources}

    @cached_property
    def guides(self) -> dict[str, Guide]:
        return {g.id: g for g in self.data.guides}

    @cached_property
    def emergency_category(self) -> Category | None:
        return next((c for c in self.data.categories if c.emergency), None)

    @cached_property
    def _countries(self) -> dict[str, str | None]:
        return {r.id: r.country for r in self.data.regions}

    @cached_property
    def lookup(self) -> Lookup:
        """Contacts and known fakes by what a number, link or username sent is read as."""
        return lookup_of(self)

    @property
    def user_regions(self) -> list[Region]:
        """The regions a user can say they are in ('global' is everywhere, not a place)."""
        return [r for r in self.data.regions if r.id != GLOBAL_REGION]

    def contacts(self, resource: Resource) -> list[tuple[Contact, Shown]]:
        """A resource's contacts, each with how it is shown (formatted number, link)."""
        return [(c, show(c.type, c.value, self.contact_country(resource, c)))
                for c in resource.contacts]

    def contact_country(self, resource: Resource, contact: Contact) -> str | None:
        return country_of(contact.country, [self._countries.get(r) for r in resource.regions])

    # ---- queries
    @staticmethod
    def _in_region(regions: Iterable[str], region: str | None) -> bool:
        return region is None or GLOBAL_REGION in regions or region in regions

    def resources_for(self, region: str | None, category: str) -> list[Resource]:
        """A category's resources where the user is (and global ones), in display order."""
        return [r for r in self._ranked.get(category, ()) if self._in_region(r.regions, region)]

    def guides_for(self, region: str | None, category: str) -> list[Guide]:
        found = [
            g
            for g in self.data.guides
            if category in g.categories and self._in_region(g.regions, region)
        ]
        return sorted(found, key=lambda g: (g.order if g.order is not None else 1000,))

    def categories_for(self, region: str | None, *, advice: bool = False) -> list[Category]:
        """Categories with something for this region; emergency is shown on its own."""
        return [
            c
            for c in self.data.categories
            if c.advice == advice
            and not c.emergency
            and (self.resources_for(region, c.id) or self.guides_for(region, c.id))
        ]

    def emergency_resources(self, region: str | None) -> list[Resource]:
        """What can be called or messaged at once, the place's own numbers first."""
        category = self.emergency_category
        return _reachable(self.resources_for(region, category.id) if category else [])

    def answering(self, region: str | None, danger: str) -> tuple[list[Resource], list[Guide]]:
        """The lines (callable or messaged at once) and guides of the categories that answer
        this kind of danger first, for this place; ([], []) if none here does."""
        chosen = [c.id for c in self.data.categories if danger in c.answers]
        lines = _unique(r for c in chosen for r in self.resources_for(region, c))
        return _reachable(lines), _unique(g for c in chosen for g in self.guides_for(region, c))

    def answered(self, danger: str) -> bool:
        """Whether any category answers this kind of danger (else the emergency numbers do)."""
        return any(danger in c.answers for c in self.data.categories)

    def stale(self, max_age_days: int, today: dt.date) -> list[Resource | Guide]:
        entries: list[Resource | Guide] = [*self.data.resources, *self.data.guides]
        return provenance.stale(entries, max_age_days, today)

    def empty_cells(self) -> list[tuple[str, str]]:
        """(region, category) pairs where a user would find no contact at all."""
        return [
            (region.id, category.id)
            for region in self.user_regions
            for category in self.data.categories
            if not category.advice and not self.resources_for(region.id, category.id)
        ]

    def texts(self) -> Iterator[tuple[str, Mapping[str, str]]]:
        """Every user-facing text with its field path, for translation coverage."""
        for kind in ("regions", "categories", "resources", "guides"):
            for i, entry in enumerate(getattr(self.data, kind)):
                yield from _texts_of(entry, (kind, i))

    def counts(self) -> dict[str, int]:
        return {
            "resources": len(self.data.resources),
            "contacts": sum(len(r.contacts) for r in self.data.resources),
            "guides": len(self.data.guides),
            "regions": len(self.data.regions),
            "categories": len(self.data.categories),
        }

    def summary(self) -> str:
        """The counts in words, as `penah check` and /reload report them."""
        n = self.counts()
        return (
            f"{n['resources']} resources, {n['contacts']} contacts, {n['guides']} guides, "
            f"{n['regions']} regions, {n['categories']} categories"
        )

    def rank(self, resource: Resource) -> Rank:
        """Display order: explicit order, emergency services, local before global, operator,
        English name, and between equals, the id."""
        emergency = self.emergency_category
        return (
            resource.order if resource.order is not None else 1000,
            0 if emergency and emergency.id in resource.categories else 1,
            1 if GLOBAL_REGION in resource.regions else 0,
            OPERATOR_RANK[resource.operator],
            resource.name[FALLBACK_LANGUAGE].casefold(),
            resource.id,
        )

    @cached_property
    def _ranked(self) -> dict[str, list[Resource]]:
        """Each category's resources in display order."""
        runs: dict[str, list[Resource]] = {}
        for resource in sorted(self.data.resources, key=self.rank):
            for category in resource.categories:
                runs.setdefault(category, []).append(resource)
        return runs


def _unique(entries: Iterable[E]) -> list[E]:
    """Each entry once (by id), in the order first met."""
    seen: dict[str, E] = {}
    for entry in entries:
        seen.setdefault(entry.id, entry)
    return list(seen.values())


def _reachable(found: list[Resource]) -> list[Resource]:
    """Those with a contact that can be called or messaged at once, the place's own first."""
    reachable = (r for r in found if any(CONTACT_KINDS[c.type].on_emergency for c in r.contacts))
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
