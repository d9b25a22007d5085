"""The validated directory and its queries: what to show for a place and a need.

Immutable and swapped whole on reload, so readers never mix two versions. What every screen
needs (order, indexes) is worked out once, when it loads; a resource's texts and contacts stay
compact until a screen shows them (bot/stored.py), and its formatted numbers and links are
worked out then, once.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, insort
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.directory import provenance
from bot.directory.contacts import Shown, country_of, show
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
from bot.loading.stored import Light, Stored

# (order, emergency first, local first, operator, English name): how entries are listed.
Rank = tuple[int, int, int, int, str]
_Ordered = tuple[Rank, str, Light]  # a resource with its rank and, for ties, its id
_ORDER = itemgetter(0, 1)
T = TypeVar("T")
SHOWN_KEPT = 4096  # resources whose contacts' display forms are kept


class Piece:
    """The resources and guides of one file as last read, with what is worked out from them
    alone (display order, search words): a reload keeps the files that did not change, and
    with them all of this, so it works out only the changed file's share."""

    def __init__(
        self,
        resources: Sequence[Resource],
        guides: Sequence[Guide],
        words: list[bytes] | None = None,
    ) -> None:
        self.resources = resources  # a Stored when read by a child: opened only when shown
        self.light = resources.light if isinstance(resources, Stored) else [
            Light.of(r) for r in resources]
        self.guides = guides
        # The search words of the entries (resources, then guides), from the file's reader, as
        # it wrote them: decoded one file at a time as the index takes them, then let go.
        self.words = words
        self._memo: dict[Hashable, Any] = {}
        self._lock = threading.RLock()  # what one memo makes may use another

    def memo(self, key: Hashable, make: Callable[[Piece], T]) -> T:
        """`make(self)`, worked out once per key (a piece is shared by directories)."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = make(self)
            return self._memo[key]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Directory:
    """An immutable, validated directory."""

    data: DirectoryFile
    source: str = "resources.yaml"
    pieces: tuple[Piece, ...] = ()
    # The directory this one replaces, if any: what did not change is taken from it.
    previous: InitVar[Directory | None] = None
    _ranked: dict[str, list[_Ordered]] = field(init=False, repr=False, compare=False)
    # Contacts' display forms (formatted numbers, links), worked out when first shown.
    _shown: dict[str, tuple[Shown, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self, previous: Directory | None) -> None:
        if not self.pieces:
            object.__setattr__(self, "pieces", (Piece(self.data.resources, self.data.guides),))
        object.__setattr__(self, "_ranked", self._rank(previous))

    def _rank(self, previous: Directory | None) -> dict[str, list[_Ordered]]:
        """Each category's resources in display order. Each piece's share is ranked once (it
        does not change while its file does not); the shares are merged here, or, after an
        edit, the changed files' shares taken out of and put into the replaced directory's
        order, entry by entry, with a binary search."""
        key = self._ranked_by

        def rank(piece: Piece) -> dict[str, list[_Ordered]]:
            return _ranked(self.ranks(piece), piece)

        if previous is not None and previous._ranked_by == key:
            before, now = set(previous.pieces), set(self.pieces)
            gone = [p for p in previous.pieces if p not in now]
            new = [p for p in self.pieces if p not in before]
            if len(gone) + len(new) <= len(self.pieces) // 2:
                runs = {category: list(run) for category, run in previous._ranked.items()}
                if _moved(runs, [p.memo(key, rank) for p in gone],
                          [p.memo(key, rank) for p in new]):
                    return runs
        runs = {}
        for piece in self.pieces:
            for category, ranked in piece.memo(key, rank).items():
                runs.setdefault(category, []).extend(ranked)
        for run in runs.values():
            run.sort(key=_ORDER)  # runs already in order: a merge
        return runs

    @property
    def _ranked_by(self) -> tuple[str, str | None]:
        emergency = self.emergency_category
        return ("ranked", emergency.id if emergency else None)

    # ---- lookups
    @cached_property
    def regions(self) -> dict[str, Region]:
        return {r.id: r for r in self.data.regions}

    @cached_property
    def categories(self) -> dict[str, Category]:
        return {c.id: c for c in self.data.categories}

    @cached_property
    def resources(self) -> Mapping[str, Resource]:
        return _Resources(self.pieces)

    @cached_property
    def _countries(self) -> dict[str, str | None]:
        return {r.id: r.country for r in self.data.regions}

    @cached_property
    def guides(self) -> dict[str, Guide]:
        return {g.id: g for g in self.data.guides}

    @cached_property
    def emergency_category(self) -> Category | None:
        return next((c for c in self.data.categories if c.emergency), None)

    @property
    def user_regions(self) -> list[Region]:
        """The regions a user can say they are in ('global' is everywhere, not a place)."""
        return [r for r in self.data.regions if r.id != GLOBAL_REGION]

    def contacts(self, resource: Resource) -> list[tuple[Contact, Shown]]:
        """A resource's contacts, each with how it is shown (formatted number, link)."""
        shown = self._shown.get(resource.id)
        if shown is None:
            if len(self._shown) >= SHOWN_KEPT:
                self._shown.clear()
            shown = self._shown[resource.id] = tuple(
                show(c.type, c.value, self.contact_country(resource, c))
                for c in resource.contacts
            )
        return list(zip(resource.contacts, shown, strict=True))

    def contact_country(self, resource: Resource, contact: Contact) -> str | None:
        return country_of(contact.country, [self._countries.get(r) for r in resource.regions])

    # ---- queries
    @staticmethod
    def _in_region(regions: Iterable[str], region: str | None) -> bool:
        return region is None or GLOBAL_REGION in regions or region in regions

    def listed_for(self, region: str | None, category: str) -> list[Light]:
        """What `resources_for` lists, without opening any resource: a screen opens its page."""
        return [
            r for r in self._by_category.get(category, ()) if self._in_region(r.regions, region)
        ]

    def resources_for(self, region: str | None, category: str) -> list[Resource]:
        """A category's resources where the user is (and global ones), in display order."""
        return [self.resources[r.id] for r in self.listed_for(region, category)]

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
            and (self.listed_for(region, c.id) or self.guides_for(region, c.id))
        ]

    def emergency_resources(self, region: str | None) -> list[Resource]:
        """What can be called or messaged at once, the place's own numbers first."""
        category = self.emergency_category
        found = self.listed_for(region, category.id) if category else []
        reachable = sorted((r for r in found if r.reachable),
                           key=lambda r: GLOBAL_REGION in r.regions)  # stable: keeps rank
        return [self.resources[r.id] for r in reachable]

    def stale(self, max_age_days: int, today: dt.date) -> list[Resource | Guide]:
        entries: list[Resource | Guide] = [*self.data.resources, *self.data.guides]
        return provenance.stale(entries, max_age_days, today)

    def empty_cells(self) -> list[tuple[str, str]]:
        """(region, category) pairs where a user would find no contact at all."""
        return [
            (region.id, category.id)
            for region in self.user_regions
            for category in self.data.categories
            if not category.advice and not self.listed_for(region.id, category.id)
        ]

    def texts(self) -> Iterator[tuple[str, Mapping[str, str]]]:
        """Every user-facing text with its field path, for translation coverage."""
        for kind in ("regions", "categories", "resources", "guides"):
            for i, entry in enumerate(getattr(self.data, kind)):
                yield from _texts_of(entry, (kind, i))

    def counts(self) -> dict[str, int]:
        return {
            "resources": sum(len(p.light) for p in self.pieces),
            "contacts": sum(r.contacts for p in self.pieces for r in p.light),
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

    # ---- internals
    @cached_property
    def _by_category(self) -> dict[str, list[Light]]:
        return {category: [o[2] for o in run] for category, run in self._ranked.items()}

    def ranks(self, piece: Piece) -> list[Rank]:
        """The rank of each of the piece's resources, worked out once per piece: display
        order and typed search share them."""
        return piece.memo(("ranks", self._ranked_by),
                          lambda p: [self.resource_rank(r) for r in p.light])

    def resource_rank(self, resource: Light) -> Rank:
        """Display order: explicit order, emergency services, local before global, operator,
        English name (and between equals, the id)."""
        emergency = self.emergency_category
        in_emergency = bool(emergency and emergency.id in resource.categories)
        return (
            resource.order if resource.order is not None else 1000,
            0 if in_emergency else 1,
            1 if GLOBAL_REGION in resource.regions else 0,
            OPERATOR_RANK[resource.operator],
            resource.sort_name,
        )


class _Resources(Mapping[str, Resource]):
    """Every resource by id; each opened from its file's blocks when asked for."""

    def __init__(self, pieces: Sequence[Piece]) -> None:
        self._where: dict[str, tuple[Sequence[Resource], int]] = {}
        for piece in pieces:  # each piece's share once, then merged in C
            self._where.update(piece.memo("by id", lambda p: {
                r.id: (p.resources, i) for i, r in enumerate(p.light)}))

    def __getitem__(self, ident: str) -> Resource:
        resources, at = self._where[ident]
        return resources[at]

    def __contains__(self, ident: object) -> bool:
        return ident in self._where

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def _moved(
    runs: dict[str, list[_Ordered]],
    gone: list[dict[str, list[_Ordered]]],
    new: list[dict[str, list[_Ordered]]],
) -> bool:
    """Take the gone pieces' entries out of `runs` and put the new ones' in, in place; False
    if an entry is not where its rank says (then the caller ranks everything)."""
    for shares in gone:
        for category, ranked in shares.items():
            run = runs.get(category, [])
            for entry in ranked:
                at = bisect_left(run, _ORDER(entry), key=_ORDER)
                if at == len(run) or run[at] is not entry:
                    return False
                del run[at]
    for shares in new:
        for category, ranked in shares.items():
            run = runs.setdefault(category, [])
            for entry in ranked:
                insort(run, entry, key=_ORDER)
    return True


def _ranked(ranks: list[Rank], piece: Piece) -> dict[str, list[_Ordered]]:
    runs: dict[str, list[_Ordered]] = {}
    for resource, rank in zip(piece.light, ranks, strict=True):
        ranked = (rank, resource.id, resource)
        for category in resource.categories:
            runs.setdefault(category, []).append(ranked)
    for run in runs.values():
        run.sort(key=_ORDER)
    return runs


def _texts_of(model: BaseModel, path: Path_) -> Iterator[tuple[str, Mapping[str, str]]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, dict) and isinstance(value.get(FALLBACK_LANGUAGE), str):
            yield format_path((*path, name)), value
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _texts_of(item, (*path, name, i))
