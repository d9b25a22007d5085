"""The answer to "Is this real?": a known fake, in our list (and how sure), or not in it; then
how to spot a scam. What was sent is never echoed: a fake link or number shown back would be
one tap away."""

from __future__ import annotations

from dataclasses import replace

from bot.directory import provenance
from bot.directory.lookup import SCAM_CATEGORY, Checked
from bot.i18n.translator import N_
from bot.screens import timely
from bot.screens.view import Button, Screen, View

OPENING = N_("I compared what you sent with the contacts in our list. Nothing you send is kept.")
KNOWN_FAKE = N_("Known fake. Do not call it, pay or send documents. Source: {source}")
IN_LIST = N_("In our list: {name}")
NOT_IN_LIST = N_("Not in our list. That alone does not make it fake, but be careful.")
OTHERS_NOT_IN_LIST = N_("The rest of what you sent is not in our list.")
GUIDES_BESIDE = 3


def checked(view: View, found: Checked) -> Screen:
    """Marked private: drawn from what someone sent, never kept in a cache."""
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
        lines += timely.resource_notes(view, resource)
        lines += [note for j in contacts
                  for note in timely.contact_notes(view, resource, resource.contacts[j])]
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
