"""Numbers to keep: a place's Emergency screen numbers, in its order, in one message to write
down or screenshot before the network is cut (the export lists the same)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from bot.core.callbacks import Action, Kind
from bot.core.state import Tidy
from bot.directory.model import GLOBAL_REGION, Contact, Resource
from bot.i18n.translator import N_
from bot.screens.view import Button, Screen, View

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
