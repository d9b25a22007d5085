"""The menus as pure functions of the view and the action: nothing here touches Telegram,
the network or the disk, so the same screens run on Telegram, in the terminal and in fast
tests, and concurrent updates can share them. Text is Telegram HTML: directory content is
escaped, and in right-to-left languages every number, link and Latin name is isolated whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from html import escape

from bot.core.callbacks import REPORTS, Action, Kind
from bot.directory.model import Guide, Operator, Resource
from bot.directory.queries import Directory
from bot.i18n.translator import N_, Catalogs
from bot.screens import timely
from bot.screens.about import help_screen, privacy
from bot.screens.cards import contact_line, emergency_id, guide, resource_card
from bot.screens.keep import keep_button, kept
from bot.screens.view import MAX_TEXT, Button, Screen, View

__all__ = ["MAX_TEXT", "Screen", "View", "guide", "help_screen", "resource_card"]

PAGE_SIZE = 8

# Neutral openings. A chat list shows about the first 64 characters of the last message, line
# breaks as spaces: a screen about a topic or an entry starts with its kind, the place and what
# to do, and names the topic or entry only after that, in every language.
CHOOSE_QUESTION = N_("Choose a question to read its answer, or a contact to see how to reach it.")
CHOOSE_CONTACT = N_("Choose a contact below to see how to reach it: by phone, message or online.")
CALL_NOW = N_("Numbers you can call or message now. Choose the one that fits what is happening.")
TELL_WHERE = N_("Tell me where you are, to see the right contacts.")


def language_picker(catalogs: Catalogs, suggested: str | None = None) -> Screen:
    """Each language in its own name; the client's likely language first."""
    codes = sorted(catalogs.codes, key=lambda code: code != suggested)  # the rest in order
    offered = [(code, catalogs.get(code)) for code in codes]
    prompts = dict.fromkeys(  # a catalog without the line would repeat the English one
        t.mark_lines(escape(t.gettext("Choose your language."), quote=False)) for _, t in offered
    )
    rows = tuple((Button(t.language.name, Action(Kind.SET_LANGUAGE, code)),) for code, t in offered)
    return Screen("\n".join(prompts), rows)


def category_rows(view: View) -> list[list[Button]]:
    """The categories for the person's place, two to a row."""
    buttons = [view.category_button(c) for c in view.directory.categories_for(view.state.region)]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def main_menu(view: View, notice: str = "") -> Screen:
    """`notice`, a UI message, goes above the menu."""
    t = view.t
    region = view.directory.regions.get(view.state.region or "")
    lines = [view.ui(notice)] if notice else []
    lines.append(view.ui(N_("How can I help? Choose a button below.")))
    where = t.gettext("Where are you now?")
    if region:
        lines.append(view.ui(N_("Your place: {place}"), place=view.label(region.name)))
        lines += timely.region_notes(view, glance=True)
        where += f" — {view.label(region.name)}"  # the name may hold parentheses itself
    else:
        lines.append(view.ui(TELL_WHERE))
    rows = [
        [Button("🚨 " + t.gettext("Emergency"), Action(Kind.EMERGENCY))],
        [Button("📍 " + where, Action(Kind.REGIONS))],
        *category_rows(view),
        [Button("🛡️ " + t.gettext("Safety advice"), Action(Kind.ADVICE)),
         Button("🔒 " + t.gettext("Privacy"), Action(Kind.PRIVACY))],
        [Button("🌐 " + t.gettext("Language"), Action(Kind.LANGUAGES)),
         Button("❔ " + t.gettext("Help"), Action(Kind.HELP))],
    ]
    return view.screen(lines, rows)


def regions(view: View) -> Screen:
    lines = [view.ui(N_("Where are you now? I will show the contacts for that place."))]
    rows = [
        [Button(("✅ " if r.id == view.state.region else "") + view.label(r.name),
                Action(Kind.SET_REGION, r.id))]
        for r in view.directory.user_regions
    ]
    return view.screen(lines, [*rows, keep_button(view), view.back_row(None)])


def emergency(view: View, danger: str | None = None) -> Screen:
    """The numbers for where the person is, each with its caution, shown at once; after a
    message telling of danger, the lines that fit that danger first (with their guides)."""
    d, t = view.directory, view.t
    region = view.state.region
    lines = ["🚨 <b>" + escape(t.gettext("Emergency")) + "</b>"]
    found = d.emergency_resources(region, view.now)
    fitting, guides = d.answering(region, danger, view.now) if danger else ([], [])
    fitting = [r for r in fitting if not _tells_more(view, r, danger)][:FITTING_FIRST]
    if region is None:
        lines.append(view.ui(N_("Tell me where you are to see only your country's numbers.")))
        order = list(d.regions)  # grouped by place, in the directory's order
        found.sort(key=lambda r: min(order.index(p) for p in r.regions))
    elif region in d.regions:
        lines.append(view.ui(N_("For: {place}"), place=view.label(d.regions[region].name)))
    if found or fitting:
        lines.append(view.ui(CALL_NOW))
    lines += timely.region_notes(view, glance=not (found or fitting))  # past the preview
    if danger and not fitting and d.answered(danger):
        lines.append(view.ui(NOTHING_FITS))
    first = {r.id for r in fitting}
    shown = [*fitting, *(r for r in found if r.id not in first)]
    for resource in shown:
        lines += ["", f"<b>{view.content(resource.name)}</b>"]
        lines += timely.resource_notes(view, resource)
        if region is None:
            places = t.join_list(view.label(d.regions[r].name) for r in resource.regions)
            lines.append(t.isolate(escape(places, quote=False)))
        lines += [contact_line(view, c, on, resource) for c, on in d.callable_contacts(resource)]
        if caution := _shared_caution(view, resource):
            lines.append("⚠️ " + caution)
    if not shown:
        lines.append(view.ui(N_("I have no emergency number for this place yet.")))
    origin = emergency_id(d)
    beside = guides[:GUIDES_BESIDE_DANGER]
    rows = [[view.entry_button(r, n, origin)] for n, r in enumerate(shown, start=1)]
    rows += [[view.entry_button(g, n, origin)] for n, g in enumerate(beside, start=1)]
    if region is None:
        rows.append([Button("📍 " + t.gettext("Where are you now?"), Action(Kind.REGIONS))])
    return view.screen(lines, [*rows, keep_button(view), view.back_row(None)], urgent=True)


FITTING_FIRST = 3
GUIDES_BESIDE_DANGER = 2
NOTHING_FITS = N_("I have no line for this in your place yet. "
                  "These are the general emergency numbers.")
# A line run by the state says so on a screen many people share; what else matters there
# (where it works, whether it is confirmed, who else gets a case) is in its own caution.
STATE_LINES = {
    Operator.POLICE: N_("This line is run by the police."),
    Operator.GOVERNMENT: N_("This line is run by the state."),
}


def _tells_more(view: View, resource: Resource, danger: str | None) -> bool:
    """A fitting line whose name tells more than the person wrote (an LGBTIQ+ group's health
    line after "I want to die") does not lead; a name telling of the danger itself (a
    violence-against-women line after "he beats me") does."""
    if not view.telling(view.label(resource.name)):
        return False
    topics = (view.directory.categories[c] for c in resource.categories)
    return not any(danger in c.answers and view.telling(view.label(c.name)) for c in topics)


def _shared_caution(view: View, resource: Resource) -> str:
    """A line's own caution, unless it would give the person away at a glance; else, for a
    state line, who runs it. Never advice to call someone else first: a fire or an
    ambulance cannot wait."""
    caution = view.content(resource.caution) if resource.caution else ""
    if caution and not view.telling(caution):
        return caution
    return view.ui(STATE_LINES[resource.operator]) if resource.operator in STATE_LINES else ""


def category(view: View, category_id: str, page: int) -> Screen | None:
    d, region = view.directory, view.state.region
    chosen = d.categories.get(category_id)
    if chosen is None:
        return None
    if chosen.emergency:
        return emergency(view)
    # questions and contacts are numbered apart: "Question 2", "Contact 1"
    numbered: list[tuple[int, Guide | Resource]] = [
        *enumerate(d.guides_for(region, chosen.id), start=1),
        *enumerate(d.resources_for(region, chosen.id, view.now), start=1),
    ]
    pages = max(1, -(-len(numbered) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    on_page = numbered[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [view.heading(N_("Contacts"))]
    if region in d.regions:
        lines.append(view.ui(N_("For: {place}"), place=view.label(d.regions[region].name)))
    else:
        lines.append(view.ui(TELL_WHERE))
    if not numbered:  # nothing to choose, and no topic to name
        lines.append(view.ui(N_("Nothing here yet for your place.")))
        lines += timely.region_notes(view, glance=True)
    else:
        with_questions = any(isinstance(entry, Guide) for _, entry in on_page)
        choose = view.ui(CHOOSE_QUESTION if with_questions else CHOOSE_CONTACT)
        lines += [choose, *timely.region_notes(view), ""]  # the alert past the preview
        icon, name = view.category_name(chosen)
        lines.append(f"{escape(icon)}<b>{view.content(name)}</b>")
    if pages > 1:
        lines.append(view.ui(N_("Page {page} of {pages}"), page=page + 1, pages=pages))
    # Back from a card comes to this page
    rows = [[_listed(view, entry, n, chosen.id, page)] for n, entry in on_page]
    nav = [Button("◀️", Action(Kind.CATEGORY, chosen.id, page=page - 1))] if page > 0 else []
    if page < pages - 1:
        nav.append(Button("▶️", Action(Kind.CATEGORY, chosen.id, page=page + 1)))
    back = Action(Kind.ADVICE) if chosen.advice else None
    return view.screen(lines, [*rows, nav, view.back_row(back)])


def _listed(view: View, entry: Guide | Resource, n: int, origin: str, page: int) -> Button:
    button = view.entry_button(entry, n, origin, page)
    if isinstance(entry, Resource):
        return replace(button, label=timely.marked(view, button.label, entry))
    return button


def advice(view: View) -> Screen:
    t = view.t
    lines = [
        "🛡️ <b>" + escape(t.gettext("Safety advice")) + "</b>",
        view.ui(N_("Short, practical advice. Choose a topic.")),
    ]
    topics = view.directory.categories_for(view.state.region, advice=True)
    rows = [[view.category_button(c)] for c in topics]
    rows.append([Button("🔒 " + t.gettext("Privacy"), Action(Kind.PRIVACY))])
    return view.screen(lines, [*rows, view.back_row(None)])


def menu_changed(view: View) -> Screen:
    """A button from an old or unknown menu: never an error, always a way on."""
    return main_menu(view, N_("This menu has changed. Here is the main menu."))


def buttons_only(view: View) -> Screen:
    """Free text is never read; the answer is the menu."""
    return main_menu(view, N_("I work with buttons only. Please choose below."))


def forgotten(view: View) -> Screen:
    notice = N_("Your saved settings are deleted. Send /start to begin again.")
    return view.screen([view.ui(notice)], [])


def tidied(view: View) -> Screen:
    """What the last screen becomes after a pause: nothing in it says what it was about."""
    menu = Button(view.t.gettext("Menu"), Action(Kind.HOME))
    return view.screen([view.ui(N_("Tap /menu to continue."))], [[menu]])


def cleared(view: View) -> Screen:
    """The one message left after /clear: neutral, nothing sensitive in a preview."""
    menu = Button(view.t.gettext("Menu"), Action(Kind.HOME))
    return view.screen([view.ui(N_("Done."))], [[menu]])


def known_choice(directory: Directory, catalogs: Catalogs, action: Action) -> bool:
    """A language the bot offers or a place the directory has: the only choices kept."""
    if action.kind is Kind.SET_LANGUAGE:
        return action.target in catalogs.translators
    if action.kind is Kind.SET_REGION:
        return action.target in directory.regions
    return False


_OF_VIEW: dict[Kind, Callable[[View], Screen]] = {
    Kind.HOME: main_menu, Kind.REGIONS: regions, Kind.EMERGENCY: emergency, Kind.ADVICE: advice,
    Kind.HELP: help_screen, Kind.FORGET: forgotten, Kind.CLEAR: cleared,
}


def render(view: View, action: Action | None, *, retention_days: int = 30) -> Screen:
    """The screen for a button press; anything unknown or gone gives the main menu."""
    if action is None:
        return menu_changed(view)
    kind = action.kind
    screen: Screen | None = None
    if kind in _OF_VIEW:
        screen = _OF_VIEW[kind](view)
    elif known_choice(view.directory, view.catalogs, action):
        screen = main_menu(view)
    elif kind is Kind.LANGUAGES:
        screen = language_picker(view.catalogs, view.t.code)
    elif kind in (Kind.PRIVACY, Kind.SET_DISCREET, Kind.SET_TIDY):
        screen = privacy(view, retention_days)
    elif kind is Kind.CATEGORY:
        screen = category(view, action.target, action.page)
    elif kind is Kind.RESOURCE or kind in REPORTS:
        screen = resource_card(view, action.target, action.origin, action.page)
    elif kind is Kind.GUIDE:
        screen = guide(view, action.target, action.origin)
    elif kind in (Kind.KEEP, Kind.KEEP_LEAVE):
        screen = kept(view, action.target or view.state.region, leave=action.page == 1)
    return screen or menu_changed(view)
