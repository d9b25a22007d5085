"""The admins' weekly digest (and /digest): stale entries, failed links, contacts reported.
Both it and the daily link check read the loaded directory, so a broken file on disk stops
neither; digest.json remembers when it was sent and what failed, nothing about any person."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import field
from pathlib import Path

from pydantic import AwareDatetime, TypeAdapter
from pydantic.dataclasses import dataclass
from telegram.error import NetworkError

from bot.directory import provenance
from bot.directory.model import UNDATED, Guide, How, Resource
from bot.directory.queries import Directory
from bot.i18n import N_
from bot.i18n.translator import Translator
from bot.ops import linkcheck

log = logging.getLogger(__name__)

WEEK = dt.timedelta(days=7)
DAY = dt.timedelta(days=1)
MAX_LINES = 60  # per section: a digest stays one readable message or two

TITLE = N_("Penah digest for admins, {date}")
STALE = N_("Stale (nothing confirmed or dated in the last {days} days): {count}")
NOT_STALE = N_("Every entry was confirmed or dated in the last {days} days.")
LINKS_FAILED = N_("Links that failed the last check ({date}): {count}")
LINKS_OK = N_("Every link worked at the last check ({date}).")
LINKS_OFF = N_("Links are not checked: set PENAH_CHECK_LINKS=1 for a daily check.")
LINKS_NOT_YET = N_("Links have not been checked yet.")
REPORTED = N_("Reported as not working since {date}: {count}")
NOT_REPORTED = N_("No contact was reported as not working since {date}.")


@dataclass
class DigestState:
    path: Path
    # With their zone: the hourly job compares them with an aware now (a file edited by hand
    # without one would otherwise stop the digest and the link check for good).
    last_sent: AwareDatetime | None = None  # the last weekly send
    links_checked: AwareDatetime | None = None
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (id, url, reason)

    @classmethod
    def load(cls, path: Path) -> DigestState:
        try:
            return _STATE.validate_python({**json.loads(path.read_bytes()), "path": path})
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError) as exc:
            log.warning("digest state unreadable, starting afresh: %s", type(exc).__name__)
        return cls(path)

    def save(self) -> None:
        """Never raises: a full disk, or a folder in the file's place, keeps the state in memory
        only, and the hourly job goes on (the week's digest is not sent twice)."""
        temporary = self.path.with_suffix(".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(_STATE.dump_json(self, exclude={"path"}))
            os.replace(temporary, self.path)
        except OSError as exc:
            log.warning("digest state not saved, kept in memory: %s", type(exc).__name__)


_STATE = TypeAdapter(DigestState)


def compose(t: Translator, directory: Directory, *, stale_days: int, now: dt.datetime,
            state: DigestState, reports: Sequence[tuple[str, int, str]],
            links_enabled: bool) -> str:
    """One plain-text message; every line about an entry starts with its id."""
    since = (state.last_sent or now - WEEK).date()
    lines = [t.gettext(TITLE).format(date=t.date(now.date())), ""]

    stale = directory.stale(stale_days, now.date())
    if stale:
        lines.append(t.gettext(STALE).format(days=stale_days, count=len(stale)))
        lines += [f"• {e.id} — {_rests_on(e)}" for e in stale[:MAX_LINES]]
        lines += ["• …"] if len(stale) > MAX_LINES else []
    else:
        lines.append(t.gettext(NOT_STALE).format(days=stale_days))
    lines.append("")

    if state.links_checked is not None:
        checked = t.date(state.links_checked.date())
        if state.failed:
            lines.append(t.gettext(LINKS_FAILED).format(date=checked, count=len(state.failed)))
            lines += [f"• {owner}: {url}: {why}" for owner, url, why in state.failed[:MAX_LINES]]
        else:
            lines.append(t.gettext(LINKS_OK).format(date=checked))
    else:
        lines.append(t.gettext(LINKS_NOT_YET if links_enabled else LINKS_OFF))
    lines.append("")

    if reports:
        lines.append(t.gettext(REPORTED).format(date=t.date(since), count=len(reports)))
        lines += [f"• {rid}: {count}" for rid, count, _ in reports[:MAX_LINES]]
    else:
        lines.append(t.gettext(NOT_REPORTED).format(date=t.date(since)))
    return "\n".join(lines)


# What an entry rests on, without words, so a digest in any language reads the same way.
HOW_ICONS = {
    How.CALL: "📞", How.EMAIL: "✉️", How.MESSAGE: "💬", How.VISIT: "🚶",
}


def _rests_on(entry: Resource | Guide) -> str:
    """📞 2026-03-01 for a confirmation, 📄 2018-06-08 for a page's date (📄 ? when undated)."""
    confirmed = provenance.latest_confirmation(entry)
    if confirmed is not None:
        return f"{HOW_ICONS[confirmed.how]} {confirmed.date}"
    dated = entry.source.dated
    return f"📄 {dated}" if dated != UNDATED else f"📄 ? ({entry.source.read})"


ReportsSince = Callable[[str], Awaitable[list[tuple[str, int, str]]]]


class Digest:
    def __init__(self, data_dir: Path, stale_days: int, links_enabled: bool, *,
                 allow_private: bool = False,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.state = DigestState.load(data_dir / "digest.json")
        self.stale_days, self.links_enabled = stale_days, links_enabled
        self.allow_private, self.clock = allow_private, clock
        if self.state.last_sent is None:  # a new bot waits a week before its first digest
            self.state.last_sent = clock()
            self.state.save()

    async def text(self, t: Translator, directory: Directory, reports: ReportsSince) -> str:
        since = (self.state.last_sent or self.clock() - WEEK).date().isoformat()
        recent = await reports(since)
        # Off the event loop: every resource and guide is read for its dates.
        return await asyncio.to_thread(
            compose, t, directory, stale_days=self.stale_days, now=self.clock(),
            state=self.state, reports=recent, links_enabled=self.links_enabled)

    async def check_links(self, directory: Directory) -> None:
        links = await asyncio.to_thread(linkcheck.links_of, directory)
        report = await linkcheck.check_links(links, allow_private=self.allow_private)
        self.state.failed = [(link.owner, link.url, linkcheck.describe(outcome))
                             for link, outcome in report.problems()]
        self.state.links_checked = self.clock()
        await asyncio.to_thread(self.state.save)
        log.info("link check: %d links, %d failed", len(report.links), len(self.state.failed))

    async def hourly(self, directory: Callable[[], Directory], admins: Sequence[int],
                     translator_for: Callable[[int], Awaitable[Translator]],
                     send: Callable[[int, str], Awaitable[object]],
                     reports_since: ReportsSince) -> None:
        """The daily link check and the weekly digest, when due. The week is done once every
        admin was tried (one who blocked the bot must not make the others get it hourly, or
        never); only when Telegram could not be reached for anyone is it tried the next hour."""
        now = self.clock()
        checked = self.state.links_checked
        if self.links_enabled and (checked is None or now - checked >= DAY):
            try:
                await self.check_links(directory())
            except Exception as exc:  # the digest goes out all the same
                log.error("link check failed: %s", type(exc).__name__)
        if self.state.last_sent is not None and now - self.state.last_sent < WEEK:
            return
        sent = unreachable = 0
        for admin in admins:
            try:
                text = await self.text(await translator_for(admin), directory(), reports_since)
                for start in range(0, len(text), 4000):
                    await send(admin, text[start : start + 4000])
                sent += 1
            except Exception as exc:  # this admin (blocked the bot, say): the others still
                unreachable += isinstance(exc, NetworkError)
                log.warning("weekly digest not sent to an admin: %s", type(exc).__name__)
        if unreachable and not sent:
            return
        self.state.last_sent = now
        await asyncio.to_thread(self.state.save)
