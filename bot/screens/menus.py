"""The menus as pure functions: (directory, translator, user state, action) -> Screen.

Nothing here touches Telegram, the network or the disk, so the same screens run on Telegram,
in the terminal, and in fast tests, and concurrent updates can share them safely. Text is
Telegram HTML: every piece of directory content is escaped, and in right-to-left languages
every number, link and Latin name is isolated so it keeps its order.
"""

from __future__ import annotations

from html import escape

from bot.core.callbacks import Action, Kind
from bot.directory.model import Category, Operator, Resource
from bot.directory.queries import Directory
from bot.i18n.translator import N_, Catalogs
from bot.screens.about import help_screen, privacy
from bot.screens.cards import contact_line, emergency_id, guide, resource_card
from bot.screens.keep import keep_button, kept
from bot.screens.view import MAX_TEXT, Button, Screen, View

__all__ = [
    "MAX_TEXT",
    "PAGE_SIZE",
    "Button",
    "Screen",
    "View",
    "guide",
    "help_screen",
    "privacy",
    "resource_card",
]

PAGE_SIZE = 8

# Neutral openings. A chat list shows about the first 64 characters of the last message, line
# breaks as spaces: a screen about a topic or an entry starts with its kind, the place and what
# to do, and names the topic or entry only after that, in every language.
CHOOSE_QUESTION = N_(
    "Choose a question to read its answer, or a contact to see how to reach it."
)
CHOOSE_CONTACT = N_("Choose a contact below to see how to reach it: by phone, message or online.")
CALL_NOW = N_("Numbers you can call or message now. Choose the one that fits what is happening.")

# --------------------------------------------------------------------------- language


def language_picker(catalogs: Catalogs, suggested: str | None = None) -> Screen:
    """Each language in its own name; the client's likely language first."""
    codes = catalogs.codes
    if suggested in codes:
        codes = [suggested, *[c for c in codes if c != suggested]]
    prompts: list[str] = []
    for code in codes:
        t = catalogs.get(code)
        prompt = t.mark_lines(escape(t.gettext("Choose your language."), quote=False))
        if prompt not in prompts:  # a catalog without it would repeat the English line
            prompts.append(prompt)
    rows = [
        (Button(catalogs.get(code).own_name, Action(Kind.SET_LANGUAGE, target=code)),)
        for code in codes
    ]
    return Screen("\n".join(prompts), tuple(rows))


# --------------------------------------------------------------------------- main menu


def main_menu(view: View, notice: str = "") -> Screen:
    d, t = view.directory, view.t
    region = d.regions.get(view.state.region or "")
    lines = [notice] if notice else []
    lines.append(view.ui(N_("How can I help? Choose a button below.")))
    if region:
        lines.append(view.ui(N_("Your place: {place}"), place=view.label(region.name)))
    else:
        lines.append(view.ui(N_("Tell me where you are, to see the right contacts.")))
    where = t.gettext("Where are you now?")
    if region:
        where += f" — {view.label(region.name)}"  # the name may hold parentheses itself
    rows: list[list[Button]] = [
        [Button("🚨 " + t.gettext("Emergency"), Action(Kind.EMERGENCY))],
        [Button("📍 " + where, Action(Kind.REGIONS))],
    ]
    categories = [
        Button(_category_label(view, c), Action(Kind.CATEGORY, c.id))
        for c in d.categories_for(view.state.region)
    ]
    rows += [categories[i : i + 2] for i in range(0, len(categories), 2)]
    rows.append(
        [
            Button("🛡️ " + t.gettext("Safety advice"), Action(Kind.ADVICE)),
            Button("🔒 " + t.gettext("Privacy"), Action(Kind.PRIVACY)),
        ]
    )
    rows.append(
        [
            Button("🌐 " + t.gettext("Language"), Action(Kind.LANGUAGES)),
            Button("❔ " + t.gettext("Help"), Action(Kind.HELP)),
        ]
    )
    return view.screen(lines, rows)


def _category_label(view: View, category: Category) -> str:
    """In discreet mode: the discreet name, no icon."""
    if view.state.discreet:
        return view.label(category.discreet_name or category.name)
    return f"{category.icon} {view.label(category.name)}"


def _category_title(view: View, category: Category) -> str:
    if view.state.discreet:
        return f"<b>{view.content(category.discreet_name or category.name)}</b>"
    return f"{escape(category.icon)} <b>{view.content(category.name)}</b>"


def regions(view: View) -> Screen:
    d = view.directory
    lines = [view.ui(N_("Where are you now? I will show the contacts for that place."))]
    rows = [
        [
            Button(
                ("✅ " if r.id == view.state.region else "") + view.label(r.name),
                Action(Kind.SET_REGION, r.id),
            )
        ]
        for r in d.user_regions
    ]
    return view.screen(lines, [*rows, keep_button(view), view.back_row(None)])


# --------------------------------------------------------------------------- emergency


def emergency(view: View, danger: str | None = None) -> Screen:
    """The numbers for where the person is, each with its caution, shown at once; after a
    message telling of danger, the lines that fit that danger first (with their guides)."""
    d, t = view.directory, view.t
    region = view.state.region
    lines = ["🚨 <b>" + escape(t.gettext("Emergency")) + "</b>"]
    found = d.emergency_resources(region)
    fitting, guides = d.answering(region, danger) if danger else ([], [])
    fitting = [r for r in fitting if not _tells_more(view, r, danger)][:FITTING_FIRST]
    if region is None:
        lines.append(view.ui(N_("Tell me where you are to see only your country's numbers.")))
        order = list(d.regions)  # grouped by place, in the directory's order
        found.sort(key=lambda r: min(order.index(p) for p in r.regions))
    elif region in d.regions:
        lines.append(view.ui(N_("For: {place}"), place=view.label(d.regions[region].name)))
    if found or fitting:
        lines.append(view.ui(CALL_NOW))
    if danger and not fitting and d.answered(danger):
        lines.append(view.ui(NOTHING_FITS))
    first = {r.id for r in fitting}
    shown = [*fitting, *(r for r in found if r.id not in first)]
    for resource in shown:
        lines.append("")
        lines.append(f"<b>{view.content(resource.name)}</b>")
        if region is None:
            places = t.join_list(view.label(d.regions[r].name) for r in resource.regions)
            lines.append(t.isolate(escape(places, quote=False)))
        lines += [
            contact_line(view, c, on)
            for c, on in d.contacts(resource)
            if on.kind.on_emergency
        ]
        caution = _shared_caution(view, resource)
        if caution:
            lines.append("⚠️ " + caution)
    if not shown:
        lines.append(view.ui(N_("I have no emergency number for this place yet.")))
    origin = emergency_id(d)
    rows = [
        [Button(view.masked(view.label(r.name), N_("Contact {n}"), n),
                Action(Kind.RESOURCE, r.id, origin))]
        for n, r in enumerate(shown, start=1)
    ]
    rows += [
        [Button("❓ " + view.masked(view.label(g.question), N_("Question {n}"), n),
                Action(Kind.GUIDE, g.id, origin))]
        for n, g in enumerate(guides[:GUIDES_BESIDE_DANGER], start=1)
    ]
    if region is None:
        rows.append([Button("📍 " + t.gettext("Where are you now?"), Action(Kind.REGIONS))])
    return view.screen(lines, [*rows, keep_button(view), view.back_row(None)], urgent=True)


FITTING_FIRST = 3
GUIDES_BESIDE_DANGER = 2
NOTHING_FITS = N_(
    "I have no line for this in your place yet. These are the general emergency numbers."
)
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


# --------------------------------------------------------------------------- categories


def category(view: View, category_id: str, page: int) -> Screen | None:
    d = view.directory
    chosen = d.categories.get(category_id)
    if chosen is None:
        return None
    if chosen.emergency:
        return emergency(view)
    guides = d.guides_for(view.state.region, chosen.id)
    listed = d.resources_for(view.state.region, chosen.id)
    count = len(guides) + len(listed)
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)

    def button(i: int) -> Button:
        if i < len(guides):
            g = guides[i]
            label = view.masked(view.label(g.question), N_("Question {n}"), i + 1)
            return Button("❓ " + label, Action(Kind.GUIDE, g.id, chosen.id))
        n = i - len(guides)
        r = listed[n]
        label = view.masked(view.label(r.name), N_("Contact {n}"), n + 1)
        return Button(label, Action(Kind.RESOURCE, r.id, chosen.id, page))  # Back: this page

    on_page = range(page * PAGE_SIZE, min((page + 1) * PAGE_SIZE, count))
    shown = [button(i) for i in on_page]
    lines = [view.heading(N_("Contacts"))]
    region = d.regions.get(view.state.region or "")
    if region:
        lines.append(view.ui(N_("For: {place}"), place=view.label(region.name)))
    else:
        lines.append(view.ui(N_("Tell me where you are, to see the right contacts.")))
    if not count:  # nothing to choose, and no topic to name
        lines.append(view.ui(N_("Nothing here yet for your place.")))
    else:
        with_questions = any(i < len(guides) for i in on_page)
        lines += [view.ui(CHOOSE_QUESTION if with_questions else CHOOSE_CONTACT), ""]
        lines.append(_category_title(view, chosen))
    if pages > 1:
        lines.append(view.ui(N_("Page {page} of {pages}"), page=page + 1, pages=pages))
    rows: list[list[Button]] = [[b] for b in shown]
    nav = []
    if page > 0:
        nav.append(Button("◀️", Action(Kind.CATEGORY, chosen.id, page=page - 1)))
    if page < pages - 1:
        nav.append(Button("▶️", Action(Kind.CATEGORY, chosen.id, page=page + 1)))
    rows.append(nav)
    back = Action(Kind.ADVICE) if chosen.advice else None
    return view.screen(lines, [*rows, view.back_row(back)])


def advice(view: View) -> Screen:
    t = view.t
    lines = [
        "🛡️ <b>" + escape(t.gettext("Safety advice")) + "</b>",
        view.ui(N_("Short, practical advice. Choose a topic.")),
    ]
    rows = [
        [Button(_category_label(view, c), Action(Kind.CATEGORY, c.id))]
        for c in view.directory.categories_for(view.state.region, advice=True)
    ]
    rows.append([Button("🔒 " + t.gettext("Privacy"), Action(Kind.PRIVACY))])
    return view.screen(lines, [*rows, view.back_row(None)])


def menu_changed(view: View) -> Screen:
    """A button from an old or unknown menu: never an error, always a way on."""
    return main_menu(view, notice=view.ui(N_("This menu has changed. Here is the main menu.")))


def buttons_only(view: View) -> Screen:
    """Free text is never read; the answer is the menu."""
    return main_menu(view, notice=view.ui(N_("I work with buttons only. Please choose below.")))


def forgotten(view: View) -> Screen:
    return Screen(
        view.t.mark_lines(
            view.ui(N_("Your saved settings are deleted. Send /start to begin again."))
        )
    )


def tidied(view: View) -> Screen:
    """What the last screen becomes after a pause: nothing in it says what it was about."""
    return Screen(
        view.t.mark_lines(view.ui(N_("Tap /menu to continue."))),
        ((Button(view.t.gettext("Menu"), Action(Kind.HOME)),),),
    )


def cleared(view: View) -> Screen:
    """The one message left after /clear: neutral, nothing sensitive in a preview."""
    return Screen(
        view.t.mark_lines(view.ui(N_("Done."))),
        ((Button(view.t.gettext("Menu"), Action(Kind.HOME)),),),
    )


# --------------------------------------------------------------------------- dispatch


def known_choice(directory: Directory, catalogs: Catalogs, action: Action) -> bool:
    """A language the bot offers or a place the directory has: the only choices kept."""
    if action.kind is Kind.SET_LANGUAGE:
        return action.target in catalogs.translators
    if action.kind is Kind.SET_REGION:
        return action.target in directory.regions
    return False


def render(view: View, action: Action | None, *, retention_days: int = 30) -> Screen:
    """The screen for a button press; anything unknown or gone gives the main menu."""
    if action is None:
        return menu_changed(view)
    kind = action.kind
    screen: Screen | None = None
    if kind is Kind.HOME or known_choice(view.directory, view.catalogs, action):
        screen = main_menu(view)
    elif kind is Kind.LANGUAGES:
        screen = language_picker(view.catalogs, view.t.code)
    elif kind is Kind.REGIONS:
        screen = regions(view)
    elif kind is Kind.EMERGENCY:
        screen = emergency(view)
    elif kind is Kind.CATEGORY:
        screen = category(view, action.target, action.page)
    elif kind in (Kind.RESOURCE, Kind.REPORT):
        screen = resource_card(view, action.target, action.origin, action.page)
    elif kind is Kind.GUIDE:
        screen = guide(view, action.target, action.origin)
    elif kind is Kind.ADVICE:
        screen = advice(view)
    elif kind in (Kind.PRIVACY, Kind.SET_DISCREET, Kind.SET_TIDY):
        screen = privacy(view, retention_days)
    elif kind is Kind.HELP:
        screen = help_screen(view)
    elif kind in (Kind.KEEP, Kind.KEEP_LEAVE):
        screen = kept(view, action.target or view.state.region, leave=action.page == 1)
    elif kind is Kind.FORGET:
        screen = forgotten(view)
    elif kind is Kind.CLEAR:
        screen = cleared(view)
    return screen or menu_changed(view)
