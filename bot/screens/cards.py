"""The cards (one resource with its contacts, one guide's answer); what a line says of today
(its status, the alerts in force, open now or when it opens, read in its own zone); and the
numbers to keep: a place's Emergency screen numbers, in its order, in one message to write down
or screenshot before the network is cut (the export lists the same)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from html import escape

from bot.core.callbacks import Action, Kind
from bot.core.state import Tidy
from bot.directory import provenance, status
from bot.directory.contacts import Shown
from bot.directory.model import GLOBAL_REGION, Alert, Contact, Guide, Operator, Resource, Status
from bot.directory.queries import SHUT, Directory
from bot.i18n import N_
from bot.screens.view import Button, Screen, View

# Neutral openings, before the entry's name (see menus.CHOOSE_QUESTION).
CARD_OPENING = N_("The ways to reach this service are below; "
                  "the last line says how current they are.")
GUIDE_OPENING = N_("An answer to a question people ask. "
                   "The last line names its source and its date.")

UNREACHABLE = N_("Several people could not reach this line recently.")
REPORT_BUTTONS = {Kind.REPORT: ("🚫", N_("This contact did not work")),  # counted, never who
                  Kind.ASKED_MONEY: ("💵", N_("They asked me for money or favours")),
                  Kind.TREATED_BADLY: ("⚠️", N_("I was treated badly"))}
OPERATOR_LABELS = {Operator.UN: N_("a United Nations agency"),
                   Operator.NGO: N_("a non-governmental organisation"),
                   Operator.GOVERNMENT: N_("a government body"),
                   Operator.POLICE: N_("the police"),
                   Operator.OTHER: N_("an independent service")}
STATUS_LABELS = {Status.TEMPORARILY_CLOSED: N_("Temporarily closed"), Status.MOVED: N_("Moved"),
                 Status.NUMBER_CHANGED: N_("Number changed"), Status.CLOSED: N_("Closed")}


def _status(view: View, entry: Resource | Contact) -> list[str]:
    label = STATUS_LABELS.get(entry.status)
    return ["⚠️ " + view.ui(label)] if label else []


def _alert(view: View, alert: Alert | None, tz: dt.tzinfo) -> list[str]:
    return ["📢 " + view.content(alert.text)] if alert and status.in_force(
        alert, view.now, tz) else []


def resource_notes(view: View, resource: Resource) -> list[str]:
    return [*_status(view, resource), *_alert(view, resource.alert,
                                              view.directory.zone(resource))]


def region_notes(view: View, *, glance: bool = False) -> list[str]:
    """The alert on the person's place (internet cuts on exam days, say); `glance`: where a
    chat list's preview shows it, only if it does not tell (screens show it past the preview)."""
    region = view.directory.regions.get(view.state.region or "")
    notes = _alert(view, region.alert, view.directory.zone(region)) if region else []
    return [note for note in notes if not (glance and view.telling(note))]


def contact_notes(view: View, resource: Resource, contact: Contact) -> list[str]:
    tz = view.directory.zone(resource, contact)
    notes = [*_status(view, contact), *_alert(view, contact.alert, tz)]
    shut = {contact.status, resource.status} & SHUT
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


def marked(view: View, button: Button, entry: Resource | Guide) -> Button:
    """A person who knew the line learns why it left the Emergency screen."""
    name = STATUS_LABELS.get(entry.status) if isinstance(entry, Resource) else None
    return replace(button, label=f"{button.label} · {view.t.gettext(name)}") if name else button


def emergency_id(d: Directory) -> str:
    return d.emergency_category.id if d.emergency_category else ""


def _origin_action(view: View, origin: str, page: int) -> Action | None:
    d = view.directory
    if origin and origin == emergency_id(d):
        return Action(Kind.EMERGENCY)
    if origin in d.categories:
        return Action(Kind.CATEGORY, origin, page=page)
    return Action(Kind.GUIDE, origin) if origin in d.guides else None


def contact_line(view: View, contact: Contact, shown: Shown, resource: Resource) -> str:
    t = view.t
    line = f"{shown.kind.icon} {t.isolate(escape(shown.display, quote=False))}"
    if contact.label:
        line += " — " + view.content(contact.label)
    for note in contact_notes(view, resource, contact):
        line += "\n    " + note
    if contact.hours:
        line += "\n    🕒 " + view.content(contact.hours)
    if contact.languages:
        names = t.join_list(t.language_name(code) for code in contact.languages)
        line += "\n    " + view.ui(N_("Languages: {names}"), names=names)
    return line


def _link_button(view: View, contact: Contact, shown: Shown) -> Button:
    """In discreet mode a label that tells becomes the link's kind ("Call", "Website")."""
    kind = shown.kind
    label = view.label(contact.label) if contact.label else view.t.gettext(kind.link_label)
    return Button(f"{kind.icon} " + view.masked(label, kind.link_label, 0), url=shown.link)


def resource_card(view: View, resource_id: str, origin: str, page: int) -> Screen | None:
    d, t = view.directory, view.t
    resource = d.resources.get(resource_id)
    if resource is None:
        return None
    operator = t.gettext(OPERATOR_LABELS[resource.operator])
    contacts = d.contacts(resource)
    lines = [view.heading(N_("Contact details")), view.ui(CARD_OPENING), "",
             f"<b>{view.content(resource.name)}</b>", *resource_notes(view, resource),
             view.content(resource.summary), view.ui(N_("Run by: {operator}"), operator=operator)]
    if resource.caution:
        lines.append("⚠️ " + view.content(resource.caution))
    if resource.id in view.unreachable:
        lines.append("⚠️ " + view.ui(UNREACHABLE))
    lines += ["", *(contact_line(view, c, shown, resource) for c, shown in contacts), ""]
    lines.append(provenance.resource_line(view.ui, t, resource))
    texts = [resource.name, resource.summary, resource.caution]
    texts += [text for c in resource.contacts for text in (c.hours, c.label)]
    if untranslated := view.fallback_notice(*texts):
        lines.append(untranslated)
    rows = [[_link_button(view, c, shown)] for c, shown in contacts if shown.link]
    rows += [[Button(f"{icon} {t.gettext(label)}", Action(kind, resource.id, origin, page))]
             for kind, (icon, label) in REPORT_BUTTONS.items()]
    rows.append(view.back_row(_origin_action(view, origin, page)))
    return view.screen(lines, rows, urgent=origin == emergency_id(d) and bool(origin))


def guide(view: View, guide_id: str, origin: str) -> Screen | None:
    d = view.directory
    found = d.guides.get(guide_id)
    if found is None:
        return None
    lines = [view.heading(N_("Information")), view.ui(GUIDE_OPENING), "",
             f"❓ <b>{view.content(found.question)}</b>", "", view.content(found.answer), "",
             provenance.guide_line(view.ui, view.t, found)]
    if untranslated := view.fallback_notice(found.question, found.answer):
        lines.append(untranslated)
    related = [d.resources[r] for r in found.related if r in d.resources]
    rows = [[view.entry_button(r, n, found.id)] for n, r in enumerate(related, start=1)]
    return view.screen(lines, [*rows, view.back_row(_origin_action(view, origin, 0))])


KEEP = N_("Numbers to keep")
NO_INTERNET = N_("Write them down or take a screenshot: calling them needs no internet.")
NONE_YET = N_("I have no emergency number for this place yet.")
LEAVE_CHOICES = {False: N_("After a pause: delete this message too"),
                 True: N_("After a pause: keep this message")}


@dataclass(frozen=True)
class Number:
    display: str  # as people read it: +964 750 000 0000, 119
    purpose: str  # what it is for, plain text
    icon: str


def numbers(view: View, region: str, *, neutral: bool) -> list[Number]:
    """Each once; with `neutral`, none named by what the sensitive terms find telling."""
    d, found = view.directory, dict[str, Number]()
    for n, resource in enumerate(d.emergency_resources(region), start=1):
        for contact, shown in d.callable_contacts(resource):  # no closed line
            if shown.number and shown.number.dial not in found:
                purpose = _purpose(view, resource, contact, shown.number.display, n * neutral)
                found[shown.number.dial] = Number(shown.number.display, purpose, shown.kind.icon)
    return list(found.values())


def _purpose(view: View, resource: Resource, contact: Contact, number: str, n: int) -> str:
    """Its label, else its entry's name less the number it starts with ("119 – …"); with `n`, a
    telling one becomes the discreet name of the topic that tells, else "Contact n"."""
    name = view.label(resource.name)
    name = name.removeprefix(number).lstrip(" –—-:") or name
    text = view.label(contact.label) if contact.label else name
    if not n or not view.telling(text):
        return text
    d = view.directory
    for category in (d.categories[c] for c in resource.categories if c in d.categories):
        discreet = view.label(category.discreet_name) if category.discreet_name else ""
        if discreet and view.telling(view.label(category.name)) and not view.telling(discreet):
            return discreet
    return view.t.gettext(N_("Contact {n}")).format(n=n)


def keep_button(view: View) -> list[Button]:
    if view.state.region not in view.directory.regions or view.state.region == GLOBAL_REGION:
        return []
    return [Button("📌 " + view.t.gettext(N_("Keep these numbers")), Action(Kind.KEEP))]


def kept(view: View, region: str | None, leave: bool = False) -> Screen | None:
    t, place = view.t, view.directory.regions.get(region or "")
    if place is None or place.id == GLOBAL_REGION:
        return None
    found = [f"{n.icon} <b>{t.isolate(escape(n.display, quote=False))}</b> — "
             + t.isolate(escape(n.purpose, quote=False))
             for n in numbers(view, place.id, neutral=view.state.discreet)]
    lines = [view.heading(KEEP), view.ui(N_("For: {place}"), place=view.label(place.name)),
             *([view.ui(NO_INTERNET), "", *found] if found else [view.ui(NONE_YET)])]
    rows = [[Button(("✅ " if choice == leave else "") + t.gettext(label),
                    Action(Kind.KEEP_LEAVE, place.id, page=int(choice)))]
            for choice, label in LEAVE_CHOICES.items() if view.state.tidy is not Tidy.KEEP]
    return replace(view.screen(lines, rows), kept=True, leave=leave)
