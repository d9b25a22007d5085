"""The screens of a typed search, pure like the others: (view, what was found) -> Screen.

The query itself never reaches a screen: nothing a person typed is echoed back, so a glance
at the chat, or a notification preview, shows only the directory's own words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from bot.core.callbacks import Action, Kind
from bot.directory.model import Guide, Resource
from bot.i18n.translator import N_
from bot.screens.menus import category_rows, emergency
from bot.screens.view import Button, Screen, View
from bot.search.index import Answer, Found

NOT_FOUND = N_("I did not find that. Try one or two words, such as “lawyer”, or choose a "
               "topic below. Nothing you type is kept.")
FOUND = N_("This is what I found:")
_KINDS = {"resource": Kind.RESOURCE, "guide": Kind.GUIDE}  # an entry found, as a button opens it


def results(view: View, found: Found) -> Screen:
    """Danger first, then what was found, best first; else a kind word and the topics.
    Marked private: what a search found is never kept in a cache of screens or keyboards."""
    d = view.directory
    topic = d.categories.get(found.category or "")
    if found.outcome in (Answer.DANGER, Answer.EMERGENCY):
        screen = emergency(view, found.danger)
        extra = [(b,) for b in _hit_buttons(view, found, beside=screen.buttons())]
        if topic is not None:
            extra.append((view.category_button(topic),))
        rows = (*screen.rows[:-1], *extra, *screen.rows[-1:])
        return Screen(screen.text, rows, urgent=True, private=True)
    if found.outcome is not Answer.FOUND:
        return replace(not_found(view), private=True)
    lines = [view.ui(FOUND)]
    region = d.regions.get(view.state.region or "")
    if region:
        lines.append(view.ui(N_("For: {place}"), place=view.label(region.name)))
    buttons = [[b] for b in _hit_buttons(view, found)]
    if found.urgent:
        buttons.insert(0, [Button("🚨 " + view.t.gettext("Emergency"), Action(Kind.EMERGENCY))])
    if topic is not None:
        buttons.append([view.category_button(topic)])
    return replace(view.screen(lines, [*buttons, view.back_row(None)]), private=True)


def not_found(view: View) -> Screen:
    """Nothing found, or text that is not searched (a number, a place, a long message)."""
    t = view.t
    rows = [
        [Button("🚨 " + t.gettext("Emergency"), Action(Kind.EMERGENCY))],
        *category_rows(view),
        [Button("🛡️ " + t.gettext("Safety advice"), Action(Kind.ADVICE))],
        view.back_row(None),
    ]
    return view.screen([view.ui(NOT_FOUND)], rows)


def _hit_buttons(view: View, found: Found, beside: Sequence[Button] = ()) -> list[Button]:
    """A button for each entry found but not already `beside` it (the Emergency screen's own
    lines and guides, which lead back elsewhere): one entry, one button. Masked ones are
    numbered on from those beside, so no two read "Contact 1". Back from an entry's card goes
    to its category: the query is not kept."""
    d = view.directory
    by_kind: dict[str, Mapping[str, Resource | Guide]] = {"resource": d.resources,
                                                          "guide": d.guides}
    taken = {(b.action.kind, b.action.target) for b in beside
             if b.action is not None and b.action.kind in _KINDS.values()}
    fresh = [hit for hit in found.hits if (_KINDS.get(hit.kind), hit.id) not in taken]
    buttons = []
    for n, hit in enumerate(fresh, start=len(taken) + 1):
        if (entry := by_kind[hit.kind].get(hit.id)) is not None:
            origin = found.category if found.category in entry.categories else entry.categories[0]
            buttons.append(view.entry_button(entry, n, origin))
    return buttons
