"""What a screen says of today: a line's status, the alerts in force, and whether it is open
now or when it opens, in the person's language and read in the line's own time zone."""

from __future__ import annotations

import datetime as dt

from bot.directory import status
from bot.directory.model import Alert, Contact, Resource, Status
from bot.i18n.translator import N_
from bot.screens.view import View

STATUS_LABELS = {
    Status.TEMPORARILY_CLOSED: N_("Temporarily closed"),
    Status.MOVED: N_("Moved"),
    Status.NUMBER_CHANGED: N_("Number changed"),
    Status.CLOSED: N_("Closed"),
}


def _status(view: View, entry: Resource | Contact) -> list[str]:
    label = STATUS_LABELS.get(entry.status)
    return ["⚠️ " + view.ui(label)] if label else []


def _alert(view: View, alert: Alert | None, tz: dt.tzinfo) -> list[str]:
    return ["📢 " + view.content(alert.text)] if alert and status.in_force(
        alert, view.now, tz) else []


def resource_notes(view: View, resource: Resource) -> list[str]:
    """The lines right under a line's name: its status, then its alert."""
    return [*_status(view, resource), *_alert(view, resource.alert,
                                              view.directory.zone(resource))]


def region_notes(view: View, *, glance: bool = False) -> list[str]:
    """The alert on the person's place (internet cuts on exam days, say); `glance`: where a
    chat list's preview shows it, only if it does not tell (screens show it past the preview)."""
    region = view.directory.regions.get(view.state.region or "")
    notes = _alert(view, region.alert, view.directory.zone(region)) if region else []
    return [note for note in notes if not (glance and view.telling(note))]


def contact_notes(view: View, resource: Resource, contact: Contact) -> list[str]:
    """A contact's status and alert, then open now or when it opens (not when it is shut)."""
    tz = view.directory.zone(resource, contact)
    notes = [*_status(view, contact), *_alert(view, contact.alert, tz)]
    shut = {contact.status, resource.status} & {Status.CLOSED, Status.TEMPORARILY_CLOSED}
    found = None if shut else status.opening(contact, view.now, tz)
    if found is None:
        return notes
    if found.open:
        return [*notes, "🟢 " + view.ui(N_("Open 24 hours") if found.always else N_("Open now"))]
    opens = found.opens
    if opens is None:
        return [*notes, "🔴 " + view.ui(N_("Closed now"))]
    ahead = (opens.date() - status.local(view.now, tz).date()).days
    message = N_("Closed now, opens today at {time}") if ahead == 0 else N_(
        "Closed now, opens {day} {time}")
    # a week or more away, the date: "opens Sunday" read on a Sunday means today
    day = view.t.date(opens.date()) if ahead >= 7 else view.t.gettext(
        status.DAY_NAMES[opens.weekday()])
    return [*notes, "🔴 " + view.ui(message, day=day, time=opens.strftime("%H:%M"))]


def marked(view: View, label: str, resource: Resource) -> str:
    """A list's button with a status other than open after the name: a person who knew the
    line learns why it left the Emergency screen."""
    name = STATUS_LABELS.get(resource.status)
    return f"{label} · {view.t.gettext(name)}" if name else label
