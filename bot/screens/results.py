"""The answers to what a person types: search results, and "Is this real?" for a number, link
or username. What was typed never reaches a screen: a glance at the chat, or a preview, shows
only the directory's own words, and a fake link or number shown back would be one tap away."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.core.callbacks import Action, Kind
from bot.directory import provenance
from bot.directory.model import Guide, Resource
from bot.directory.queries import SCAM_CATEGORY, Checked
from bot.i18n import N_
from bot.screens import cards
from bot.screens.menus import category_rows, emergency
from bot.screens.view import Button, Screen, View
from bot.search.index import Answer, Found

NOT_FOUND = N_("I did not find that. Try one or two words, such as “lawyer”, or choose a "
               "topic below. Nothing you type is kept.")
FOUND = N_("This is what I found:")
_KINDS = {"resource": Kind.RESOURCE, "guide": Kind.GUIDE}  # an entry found, as a button opens it


def results(view: View, found: Found) -> Screen:
    """Private: what a search found is never kept in a cache of screens or keyboards."""
    d = view.directory
    topic = d.categories.get(found.category or "")
    if found.outcome in (Answer.DANGER, Answer.EMERGENCY):
        screen = emergency(view, found.danger)
        extra = [(b,) for b in _hit_buttons(view, found, beside=screen.buttons())]
        if topic is not None:
            extra.append((view.category_button(topic),))
        rows = (*screen.rows[:-1], *extra, *screen.rows[-1:])
        return Screen(screen.text, rows, urgent=True, private=True)
    if found.outcome is not Answer.FOUND:  # or text that is not searched (a number, a place…)
        t = view.t
        topics = [[Button("🚨 " + t.gettext("Emergency"), Action(Kind.EMERGENCY))],
                  *category_rows(view),
                  [Button("🛡️ " + t.gettext("Safety advice"), Action(Kind.ADVICE))]]
        return replace(view.screen([view.ui(NOT_FOUND)], [*topics, view.back_row(None)]),
                       private=True)
    region = d.regions.get(view.state.region or "")
    lines = [view.ui(FOUND), *([view.ui(N_("For: {place}"), place=view.label(region.name))]
                               if region else [])]
    buttons = [[b] for b in _hit_buttons(view, found)]
    if found.urgent:
        buttons.insert(0, [Button("🚨 " + view.t.gettext("Emergency"), Action(Kind.EMERGENCY))])
    if topic is not None:
        buttons.append([view.category_button(topic)])
    return replace(view.screen(lines, [*buttons, view.back_row(None)]), private=True)


def _hit_buttons(view: View, found: Found, beside: Sequence[Button] = ()) -> list[Button]:
    """None already `beside` (the Emergency screen's own), masked ones numbered on from those so
    no two read "Contact 1"; back goes to its category: the query is not kept."""
    d = view.directory
    taken = {(b.action.kind, b.action.target) for b in beside
             if b.action is not None and b.action.kind in _KINDS.values()}
    fresh = [hit for hit in found.hits if (_KINDS.get(hit.kind), hit.id) not in taken]
    buttons = []
    for n, hit in enumerate(fresh, start=len(taken) + 1):
        kind: Mapping[str, Resource | Guide] = d.resources if hit.kind == "resource" else d.guides
        if (entry := kind.get(hit.id)) is not None:
            origin = found.category if found.category in entry.categories else entry.categories[0]
            buttons.append(view.entry_button(entry, n, origin))
    return buttons


OPENING = N_("I compared what you sent with the contacts in our list. Nothing you send is kept.")
KNOWN_FAKE = N_("Known fake. Do not call it, pay or send documents. Source: {source}")
IN_LIST = N_("In our list: {name}")
NOT_IN_LIST = N_("Not in our list. That alone does not make it fake, but be careful.")
OTHERS_NOT_IN_LIST = N_("The rest of what you sent is not in our list.")
GUIDES_BESIDE = 3


def checked(view: View, found: Checked) -> Screen:
    """Private: drawn from what someone sent, never kept in a cache."""
    d = view.directory
    lines = [view.heading(N_("Is this real?")), view.ui(OPENING), ""]
    lines += ["⛔ " + view.ui(KNOWN_FAKE, source=provenance.site_link(fake.source))
              for fake in found.fakes]
    rows: list[list[Button]] = []
    listed: dict[str, list[int]] = {}  # each resource once, with the contacts sent
    for resource_id, j in found.listed:
        listed.setdefault(resource_id, []).append(j)
    for n, (resource_id, contacts) in enumerate(listed.items(), start=1):
        resource = d.resources[resource_id]
        name = view.masked(view.label(resource.name), N_("Contact {n}"), n)
        lines.append("✅ " + view.ui(IN_LIST, name=name))  # then closed, moved, a new number
        lines += cards.resource_notes(view, resource)
        lines += [note for j in contacts
                  for note in cards.contact_notes(view, resource, resource.contacts[j])]
        if name == view.label(resource.name):  # masked, its site would tell as its name does
            lines.append(provenance.resource_line(view.ui, view.t, resource))
        rows.append([view.entry_button(resource, n, resource.categories[0])])
    if found.unknown:
        told = found.fakes or found.listed
        lines.append("❔ " + view.ui(OTHERS_NOT_IN_LIST if told else NOT_IN_LIST))
    guides = d.guides_for(view.state.region, SCAM_CATEGORY)
    if guides:
        first = guides[0]
        lines += ["", f"❓ <b>{view.content(first.question)}</b>", view.content(first.answer),
                  provenance.guide_line(view.ui, view.t, first)]
        rows += [[view.entry_button(g, n, SCAM_CATEGORY)]
                 for n, g in enumerate(guides[1 : 1 + GUIDES_BESIDE], start=1)]
    if SCAM_CATEGORY in d.categories:
        rows.append([view.category_button(d.categories[SCAM_CATEGORY])])
    return replace(view.screen(lines, [*rows, view.back_row(None)]), private=True)
