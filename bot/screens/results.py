"""The screens of a typed search, pure like the others: (view, what was found) -> Screen.

The query itself never reaches a screen: nothing a person typed is echoed back, so a glance
at the chat, or a notification preview, shows only the directory's own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot.core.callbacks import Action, Kind
from bot.i18n.translator import N_
from bot.screens.menus import Button, Screen, View, emergency
from bot.screens.menus import _category_label as category_label
from bot.search.index import Answer, Found, Hit

NOT_FOUND = N_(
    "I did not find that. Try one or two words, such as “lawyer”, or choose a topic below. "
    "Nothing you type is kept."
)
FOUND = N_("This is what I found:")
_KINDS = {"resource": Kind.RESOURCE, "guide": Kind.GUIDE}  # an entry found, as a button opens it


def results(view: View, found: Found) -> Screen:
    """Danger first, then what was found, best first; else a kind word and the topics.

    Marked private: what a search found is never kept in a cache of screens or keyboards.
    """
    return replace(_results(view, found), private=True)


def _results(view: View, found: Found) -> Screen:
    if found.outcome in (Answer.DANGER, Answer.EMERGENCY):
        screen = emergency(view, found.danger)
        extra = [(b,) for b in _hit_buttons(view, found, beside=screen.buttons())]
        if found.category in view.directory.categories:
            extra.append((_category_button(view, found.category),))
        return Screen(screen.text, (*screen.rows[:-1], *extra, *screen.rows[-1:]), urgent=True)
    if found.outcome is not Answer.FOUND:
        return not_found(view)
    lines = [view.ui(FOUND)]
    region = view.directory.regions.get(view.state.region or "")
    if region:
        lines.append(view.ui(N_("For: {place}"), place=view.label(region.name)))
    rows = [[b] for b in _hit_buttons(view, found)]
    if found.urgent:
        rows.insert(0, [Button("🚨 " + view.t.gettext("Emergency"), Action(Kind.EMERGENCY))])
    category = view.directory.categories.get(found.category or "")
    if category is not None:
        rows.append([_category_button(view, category.id)])
    return view.screen(lines, [*rows, view.back_row(None)])


def not_found(view: View) -> Screen:
    """Nothing found, or text that is not searched (a number, a place, a long message)."""
    t, d = view.t, view.directory
    categories = [_category_button(view, c.id) for c in d.categories_for(view.state.region)]
    rows: list[list[Button]] = [[Button("🚨 " + t.gettext("Emergency"), Action(Kind.EMERGENCY))]]
    rows += [categories[i : i + 2] for i in range(0, len(categories), 2)]
    rows.append([Button("🛡️ " + t.gettext("Safety advice"), Action(Kind.ADVICE))])
    return view.screen([view.ui(NOT_FOUND)], [*rows, view.back_row(None)])


def _category_button(view: View, category_id: str) -> Button:
    """As the menus show it: in discreet mode its discreet name, no icon."""
    category = view.directory.categories[category_id]
    return Button(category_label(view, category), Action(Kind.CATEGORY, category.id))


def _hit_buttons(view: View, found: Found, beside: Sequence[Button] = ()) -> list[Button]:
    """A button for each entry found but not already `beside` it (the Emergency screen's own
    lines and guides, which lead back elsewhere): one entry, one button. Masked ones are
    numbered on from those beside, so no two read "Contact 1"."""
    taken = {(b.action.kind, b.action.target) for b in beside
             if b.action is not None and b.action.kind in _KINDS.values()}
    fresh = [hit for hit in found.hits if (_KINDS.get(hit.kind), hit.id) not in taken]
    numbered = enumerate(fresh, start=len(taken) + 1)
    return [b for n, hit in numbered if (b := _hit_button(view, hit, found.category, n))]


def _hit_button(view: View, hit: Hit, category: str | None, n: int) -> Button | None:
    """The entry's button, masked in discreet mode as lists are; Back from its card goes to
    its category (the query is not kept)."""
    d = view.directory
    if hit.kind == "resource" and hit.id in d.resources:
        resource = d.resources[hit.id]
        origin = category if category in resource.categories else resource.categories[0]
        label = view.masked(view.label(resource.name), N_("Contact {n}"), n)
        return Button(label, Action(Kind.RESOURCE, hit.id, origin))
    if hit.kind == "guide" and hit.id in d.guides:
        guide = d.guides[hit.id]
        origin = category if category in guide.categories else guide.categories[0]
        label = "❓ " + view.masked(view.label(guide.question), N_("Question {n}"), n)
        return Button(label, Action(Kind.GUIDE, hit.id, origin))
    return None
