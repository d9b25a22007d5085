"""The menus as pure functions: (directory, translator, user state, action) -> Screen.

Nothing here touches Telegram, the network or the disk, so the same screens run on Telegram,
in the terminal, and in fast tests, and concurrent updates can share them safely. Text is
Telegram HTML: every piece of directory content is escaped, and in right-to-left languages
every number, link and Latin name is isolated so it keeps its order.
"""

from __future__ import annotations

from html import escape

from .about import help_screen, privacy
from .callbacks import Action, Kind
from .contacts import Shown
from .i18n import N_, Catalogs
from .model import Category, Contact, Guide, Operator
from .queries import Directory
from .view import MAX_TEXT, Button, Screen, View

__all__ = ["MAX_TEXT", "PAGE_SIZE", "Button", "Screen", "View", "help_screen", "privacy"]

PAGE_SIZE = 8

OPERATOR_LABELS = {
    Operator.UN: N_("a United Nations agency"),
    Operator.NGO: N_("a non-governmental organisation"),
    Operator.GOVERNMENT: N_("a government body"),
    Operator.POLICE: N_("the police"),
    Operator.OTHER: N_("an independent service"),
}


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
        where += f" ({view.label(region.name)})"
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
    return f"{category.icon} {view.label(category.name)}"


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
    return view.screen(lines, [*rows, view.back_row(None)])


# --------------------------------------------------------------------------- emergency


def emergency(view: View) -> Screen:
    """The emergency numbers for where the user is, with their cautions, shown at once."""
    d, t = view.directory, view.t
    region = view.state.region
    lines = ["🚨 <b>" + escape(t.gettext("Emergency")) + "</b>"]
    found = d.emergency_resources(region)
    if region is None:
        lines.append(view.ui(N_("Tell me where you are to see only your country's numbers.")))
        order = list(d.regions)  # grouped by place, in the directory's order
        found.sort(key=lambda r: min(order.index(p) for p in r.regions))
    for resource in found:
        lines.append("")
        lines.append(f"<b>{view.content(resource.name)}</b>")
        if region is None:
            places = t.join_list(view.label(d.regions[r].name) for r in resource.regions)
            lines.append(t.isolate(escape(places, quote=False)))
        lines += [
            _contact_line(view, c, shown)
            for c, shown in d.contacts(resource)
            if shown.kind.on_emergency
        ]
        if resource.caution:
            lines.append("⚠️ " + view.content(resource.caution))
    if not found:
        lines.append(view.ui(N_("I have no emergency number for this place yet.")))
    rows = [
        [Button(view.label(r.name), Action(Kind.RESOURCE, r.id, _emergency_id(d)))] for r in found
    ]
    if region is None:
        rows.append([Button("📍 " + t.gettext("Where are you now?"), Action(Kind.REGIONS))])
    return view.screen(lines, [*rows, view.back_row(None)], urgent=True)


def _emergency_id(d: Directory) -> str:
    return d.emergency_category.id if d.emergency_category else ""


# --------------------------------------------------------------------------- categories


def category(view: View, category_id: str, page: int) -> Screen | None:
    d = view.directory
    chosen = d.categories.get(category_id)
    if chosen is None:
        return None
    if chosen.emergency:
        return emergency(view)
    guides = d.guides_for(view.state.region, chosen.id)
    resources = d.resources_for(view.state.region, chosen.id)
    pages = max(1, -(-(len(guides) + len(resources)) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    entries: list[Button] = [
        Button("❓ " + view.label(g.question), Action(Kind.GUIDE, g.id, chosen.id)) for g in guides
    ] + [  # each card remembers this page, so Back returns to it
        Button(view.label(r.name), Action(Kind.RESOURCE, r.id, chosen.id, page)) for r in resources
    ]
    shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [f"{escape(chosen.icon)} <b>{view.content(chosen.name)}</b>"]
    region = d.regions.get(view.state.region or "")
    if region:
        lines.append(view.ui(N_("For: {place}"), place=view.label(region.name)))
    if guides and page == 0:
        lines.append(view.ui(N_("Questions people ask, then the contacts:")))
    if not entries:
        lines.append(view.ui(N_("Nothing here yet for your place.")))
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


# --------------------------------------------------------------------------- cards


def _origin_action(view: View, origin: str, page: int) -> Action | None:
    d = view.directory
    if origin == _emergency_id(d) and origin:
        return Action(Kind.EMERGENCY)
    if origin in d.categories:
        return Action(Kind.CATEGORY, origin, page=page)
    if origin in d.guides:
        return Action(Kind.GUIDE, origin)
    return None


def _contact_line(view: View, contact: Contact, shown: Shown) -> str:
    t = view.t
    line = f"{shown.kind.icon} {t.isolate(escape(shown.display, quote=False))}"
    if contact.label:
        line += " — " + view.content(contact.label)
    details = []
    if contact.hours:
        details.append("🕒 " + view.content(contact.hours))
    if contact.languages:
        names = t.join_list(t.language_name(code) for code in contact.languages)
        details.append(view.ui(N_("Languages: {names}"), names=names))
    if details:
        line += "\n    " + "\n    ".join(details)
    return line


def resource_card(
    view: View, resource_id: str, origin: str, page: int, notice: str = ""
) -> Screen | None:
    d, t = view.directory, view.t
    resource = d.resources.get(resource_id)
    if resource is None:
        return None
    operator = t.gettext(OPERATOR_LABELS[resource.operator])
    lines = [notice, ""] if notice else []
    lines += [
        f"<b>{view.content(resource.name)}</b>",
        view.content(resource.summary),
        view.ui(N_("Run by: {operator}"), operator=operator),
    ]
    if resource.caution:
        lines.append("⚠️ " + view.content(resource.caution))
    lines.append("")
    contacts = d.contacts(resource)
    lines += [_contact_line(view, c, shown) for c, shown in contacts]
    lines.append("")
    lines.append(view.ui(N_("Last checked: {date}"), date=t.date(resource.verified)))
    texts = [
        resource.name,
        resource.summary,
        resource.caution,
        *(c.hours for c in resource.contacts),
        *(c.label for c in resource.contacts),
    ]
    untranslated = view.fallback_notice(*texts)
    if untranslated:
        lines.append(untranslated)
    rows: list[list[Button]] = [
        [
            Button(
                f"{shown.kind.icon} "
                + (view.label(c.label) if c.label else t.gettext(shown.kind.link_label)),
                url=shown.link,
            )
        ]
        for c, shown in contacts
        if shown.link
    ]
    rows.append(
        [
            Button(
                "🚫 " + t.gettext("This contact did not work"),
                Action(Kind.REPORT, resource.id, origin, page),
            )
        ]
    )
    rows.append(view.back_row(_origin_action(view, origin, page)))
    return view.screen(lines, rows, urgent=origin == _emergency_id(d) and bool(origin))


def guide(view: View, guide_id: str, origin: str) -> Screen | None:
    d, t = view.directory, view.t
    found: Guide | None = d.guides.get(guide_id)
    if found is None:
        return None
    lines = [
        f"❓ <b>{view.content(found.question)}</b>",
        "",
        view.content(found.answer),
        "",
        view.ui(N_("Last checked: {date}"), date=t.date(found.verified)),
        view.ui(N_("Source: {link}"), link=found.source),
    ]
    untranslated = view.fallback_notice(found.question, found.answer)
    if untranslated:
        lines.append(untranslated)
    rows = [
        [Button(view.label(d.resources[r].name), Action(Kind.RESOURCE, r, found.id))]
        for r in found.related
        if r in d.resources
    ]
    return view.screen(lines, [*rows, view.back_row(_origin_action(view, origin, 0))])


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
    elif kind is Kind.PRIVACY:
        screen = privacy(view, retention_days)
    elif kind is Kind.HELP:
        screen = help_screen(view)
    elif kind is Kind.FORGET:
        screen = forgotten(view)
    elif kind is Kind.CLEAR:
        screen = cleared(view)
    return screen or menu_changed(view)
