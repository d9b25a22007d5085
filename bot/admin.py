"""Plain-text reports for admins, shared by the admin commands and `penah stats`."""

from __future__ import annotations

import datetime as dt

from . import provenance
from .directory import Directory, DirectoryError, Resource
from .i18n import Catalogs


def reload_report(
    directory: Directory, changed: bool, error: DirectoryError | None, catalogs: Catalogs
) -> str:
    counts = directory.counts()
    summary = (
        f"{counts['resources']} resources, {counts['contacts']} contacts, "
        f"{counts['guides']} guides, {counts['regions']} regions, "
        f"{counts['categories']} categories; languages: {', '.join(catalogs.codes)}"
    )
    if error is not None:
        problems = "\n".join(map(str, error.problems))
        return f"Not reloaded: the last good directory keeps serving ({summary}).\n\n{problems}"
    state = "Reloaded" if changed else "No change in the file"
    return f"{state}: {summary}."


def stats_report(stats: dict[str, dict[str, dict[str, int]]]) -> str:
    if not stats:
        return "No use recorded in the last 7 days."
    lines = []
    for day, metrics in stats.items():
        users = sum(metrics.get("users", {}).values())
        lines.append(f"{day}: {users} people")
        for metric in ("view", "language", "region"):
            values = metrics.get(metric)
            if values:
                shown = ", ".join(f"{k} {n}" for k, n in list(values.items())[:12])
                lines.append(f"  {metric}: {shown}")
    return "\n".join(lines)


def stale_report(directory: Directory, days: int, today: dt.date | None = None) -> str:
    entries = directory.stale(days, today or dt.date.today())
    if not entries:
        return f"Every entry was confirmed, or its source dated, in the last {days} days."
    lines = [f"{len(entries)} entries not confirmed or sourced in {days} days (oldest first):"]
    for entry in entries:
        kind = "resource" if isinstance(entry, Resource) else "guide"
        lines.append(f"{provenance.as_of(entry)} {kind} {entry.id}: {provenance.describe(entry)}")
    return "\n".join(lines)


def reports_report(reports: list[tuple[str, int, str]], directory: Directory) -> str:
    if not reports:
        return "No contact has been reported as not working."
    lines = ["Reported as not working (resource, reports, last report):"]
    for resource, count, day in reports:
        gone = "" if resource in directory.resources else " (no longer in the directory)"
        lines.append(f"{resource}: {count}, last {day}{gone}")
    return "\n".join(lines)
