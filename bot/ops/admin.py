"""Admin commands (plain English text; the digest in the admin's language), and what `penah
check` warns an admin of and shows of the answers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, get_args

from bot.core.callbacks import Kind
from bot.core.state import UserState
from bot.directory import provenance
from bot.directory.model import FALLBACK_LANGUAGE, DangerKind, DirectoryError, Guide, Resource
from bot.directory.queries import Directory
from bot.i18n.sensitive import NO_TERMS, SensitiveTerms
from bot.i18n.translator import Catalogs, Translator
from bot.screens.menus import NOTHING_FITS, emergency
from bot.screens.view import View

if TYPE_CHECKING:
    from bot.ops.digest import Digest
    from bot.storage.store import Store

NOT_RELOADED = "The directory was not reloaded in full: the last good version keeps serving."


def problems_text(error: DirectoryError) -> str:
    return "\n".join(map(str, error.problems))


def stale_report(directory: Directory, days: int) -> str:
    entries = directory.stale(days, dt.date.today())
    if not entries:
        return f"Every entry was confirmed, or its source dated, in the last {days} days."
    return "\n".join([
        f"{len(entries)} entries not confirmed or sourced in {days} days (oldest first):",
        *(f"{provenance.as_of(e)} {'resource' if isinstance(e, Resource) else 'guide'} {e.id}: "
          f"{provenance.describe(e)}" for e in entries)])


@dataclass(frozen=True)
class AdminCommands:
    """Only for PENAH_ADMIN_IDS: anyone else gets what an unknown command gets."""

    admin_ids: frozenset[int]
    reload: Callable[[], Awaitable[tuple[bool, DirectoryError | None]]]
    directory: Callable[[], Directory]
    catalogs: Callable[[], Catalogs]
    store: Callable[[], Store]
    digest: Digest
    stale_days: int

    def handles(self, name: str | None, user_id: int) -> bool:
        return name in NAMES and user_id in self.admin_ids

    async def reply(self, name: str, t: Translator) -> str:
        """`t` is the admin's language, for the digest (the other reports are in English)."""
        if name == "reload":
            changed, error = await self.reload()
            summary = f"{self.directory().summary()}; languages: {', '.join(self.catalogs().codes)}"
            if error is not None:
                return f"{NOT_RELOADED} ({summary})\n\n{problems_text(error)}"
            return f"{'Reloaded' if changed else 'No change in the file'}: {summary}."
        if name == "stats":
            lines = []
            for day, metrics in (await self.store().totals.stats(7)).items():
                lines.append(f"{day}: {sum(metrics.get('users', {}).values())} people")
                lines += [f"  {metric}: {', '.join(f'{k} {n}' for k, n in list(seen.items())[:12])}"
                          for metric in ("view", "language", "region")
                          if (seen := metrics.get(metric))]
            return "\n".join(lines) or "No use recorded in the last 7 days."
        if name == "stale":  # off the event loop: every entry's dates are read
            return await asyncio.to_thread(stale_report, self.directory(), self.stale_days)
        if name == "reports":
            reports, known = await self.store().totals.reports(), self.directory().resources
            if not reports:
                return "No contact has been reported as not working."
            gone = " (no longer in the directory)"
            return "\n".join(["Reported as not working (resource, reports, last report):", *(
                f"{rid}: {count}, last {day}{'' if rid in known else gone}"
                for rid, count, day in reports)])
        return await self.digest.text(t, self.directory(), self.store().totals.reports)


NAMES = frozenset({"reload", "stats", "stale", "reports", "digest"})


def answers_report(directory: Directory, catalogs: Catalogs, terms: SensitiveTerms) -> list[str]:
    """Per place and kind of danger, what a person writing of it is offered first on the
    Emergency screen (as an English reader sees it), so an admin sees where nothing fits."""
    out = []
    for region in directory.user_regions:
        view = View(directory, catalogs, catalogs.get(None), UserState("en", region.id), terms)
        for danger in get_args(DangerKind):
            screen = emergency(view, danger)
            offered = [f"{'guide ' if b.action.kind is Kind.GUIDE else ''}{b.action.target}"
                       for b in screen.buttons()
                       if b.action is not None and b.action.kind in (Kind.RESOURCE, Kind.GUIDE)]
            fits = "" if escape(NOTHING_FITS, quote=False) not in screen.text else "nothing fits: "
            out.append(f"{region.id} {danger}: {fits}{', '.join(offered) or 'no number at all'}")
    return out


def warnings_for(
    directory: Directory, *, stale_days: int, today: dt.date, terms: SensitiveTerms = NO_TERMS
) -> list[str]:
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
            if number and number.unlisted:  # only a phone's number can be a local code
                out.append(f"check: {resource.id!r} {number.dial} is a service code phone "
                           f"metadata does not list for {country}; confirm it by calling")
    return out
