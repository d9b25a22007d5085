"""The menus as pure functions: (directory, translator, user state, action) -> Screen.

Nothing here touches Telegram, the network or the disk, so the same screens run on Telegram,
in the terminal, and in fast tests, and concurrent updates can share them safely. Text is
Telegram HTML: every piece of directory content is escaped, and in right-to-left languages
every number, link and Latin name is isolated so it keeps its order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from html import escape

from .callbacks import Action, Kind
from .directory import (
    LINK_TYPES,
    Category,
    Contact,
    ContactType,
    Directory,
    Guide,
    Operator,
    Resource,
    pick,
    pick_language,
)
from .i18n import N_, Catalogs, Translator

PAGE_SIZE = 8
MAX_TEXT = 4096

OPERATOR_LABELS = {
    Operator.UN: N_("a United Nations agency"),
    Operator.NGO: N_("a non-governmental organisation"),
    Operator.GOVERNMENT: N_("a government body"),
    Operator.POLICE: N_("the police"),
    Operator.OTHER: N_("an independent service"),
}
CONTACT_ICONS = {
    ContactType.PHONE: "📞",
    ContactType.WHATSAPP: "💬",
    ContactType.EMAIL: "✉️",
    ContactType.WEBSITE: "🌐",
    ContactType.FORM: "📝",
    ContactType.TELEGRAM: "✈️",
    ContactType.APP: "📲",
}


@dataclass(frozen=True)
class Button:
    label: str
    action: Action | None = None
    url: str | None = None


@dataclass(frozen=True)
class Screen:
    text: str
    rows: tuple[tuple[Button, ...], ...] = ()
    urgent: bool = False  # emergency screens go first in the send queue

    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]


@dataclass(frozen=True)
class UserState:
    lang: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class View:
    """What every screen needs: the directory, the user's language and where they are."""

    directory: Directory
    catalogs: Catalogs
    t: Translator
    state: UserState

    def text(self, value: dict[str, str] | None) -> str:
        """Directory text in the user's language (or English), escaped and bidi-safe."""
        if not value:
            return ""
        chosen, _ = pick(value, self.t.code)
        return self.t.isolate(escape(chosen, quote=False))

    def fallback_notice(self, *values: dict[str, str] | None) -> str | None:
        """What to say when some of these texts are shown in another language, if any are."""
        used = {pick_language(v, self.t.code) for v in values if v} - {self.t.code}
        if not used:
            return None
        if used == {"en"}:
            return self.ui(N_("Some of this is not yet translated, so it is shown in English."))
        names = [self.t.language_name(c) for c in self.t.fallback if c in used]
        return self.ui(
            N_("Some of this is not yet in your language, so it is shown in {languages}."),
            languages=self.t.join_list(names),
        )

    def ui(self, message: str, **values: object) -> str:
        """A UI message, translated and escaped, its values filled in, then made bidi-safe."""
        translated = escape(self.t.gettext(message), quote=False)
        filled = translated.format(**{k: escape(str(v), quote=False) for k, v in values.items()})
        return self.t.isolate(filled)

    def screen(
        self, lines: Sequence[str], rows: Sequence[Sequence[Button]], *, urgent: bool = False
    ) -> Screen:
        text = self.t.mark_lines("\n".join(lines).strip())
        if len(text) > MAX_TEXT:
            cut = self.ui(N_("(This message was shortened.)"))
            text = text[: MAX_TEXT - len(cut) - 2].rsplit("\n", 1)[0] + "\n" + cut
        marked = (tuple(replace(b, label=self.t.label(b.label)) for b in r) for r in rows if r)
        return Screen(text, tuple(marked), urgent)

    # ---- buttons every screen shares
    def home_button(self) -> Button:
        return Button("🏠 " + self.t.gettext("Main menu"), Action(Kind.HOME))

    def back_row(self, back: Action | None) -> list[Button]:
        row = [Button("⬅️ " + self.t.gettext("Back"), back)] if back else []
        return [*row, self.home_button()]


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
        lines.append(view.ui(N_("Your place: {place}"), place=pick(region.name, t.code)[0]))
    else:
        lines.append(view.ui(N_("Tell me where you are, to see the right contacts.")))
    where = t.gettext("Where are you now?")
    if region:
        where += f" ({pick(region.name, t.code)[0]})"
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
    return f"{category.icon} {pick(category.name, view.t.code)[0]}"


def regions(view: View) -> Screen:
    d = view.directory
    lines = [view.ui(N_("Where are you now? I will show the contacts for that place."))]
    rows = [
        [
            Button(
                ("✅ " if r.id == view.state.region else "") + pick(r.name, view.t.code)[0],
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
        lines.append(f"<b>{view.text(resource.name)}</b>")
        if region is None:
            places = t.join_list(pick(d.regions[r].name, t.code)[0] for r in resource.regions)
            lines.append(t.isolate(escape(places, quote=False)))
        lines += [
            _contact_line(view, resource, c) for c in resource.contacts if c.type not in LINK_TYPES
        ]
        if resource.caution:
            lines.append("⚠️ " + view.text(resource.caution))
    if not found:
        lines.append(view.ui(N_("I have no emergency number for this place yet.")))
    rows = [
        [Button(pick(r.name, t.code)[0], Action(Kind.RESOURCE, r.id, _emergency_id(d)))]
        for r in found
    ]
    if region is None:
        rows.append([Button("📍 " + t.gettext("Where are you now?"), Action(Kind.REGIONS))])
    return view.screen(lines, [*rows, view.back_row(None)], urgent=True)


def _emergency_id(d: Directory) -> str:
    return d.emergency_category.id if d.emergency_category else ""


# --------------------------------------------------------------------------- categories


def category(view: View, category_id: str, page: int) -> Screen | None:
    d, t = view.directory, view.t
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
        Button("❓ " + pick(g.question, t.code)[0], Action(Kind.GUIDE, g.id, chosen.id))
        for g in guides
    ] + [  # each card remembers this page, so Back returns to it
        Button(pick(r.name, t.code)[0], Action(Kind.RESOURCE, r.id, chosen.id, page))
        for r in resources
    ]
    shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [f"{chosen.icon} <b>{view.text(chosen.name)}</b>"]
    region = d.regions.get(view.state.region or "")
    if region:
        lines.append(view.ui(N_("For: {place}"), place=pick(region.name, t.code)[0]))
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


def _contact_line(view: View, resource: Resource, contact: Contact) -> str:
    t = view.t
    icon = CONTACT_ICONS[contact.type]
    if contact.type in (ContactType.PHONE, ContactType.WHATSAPP) and not contact.value.startswith(
        "https://"
    ):
        number = view.directory.dialable(resource, contact)
        value = number.display
    else:
        value = contact.value
    line = f"{icon} {t.isolate(escape(value, quote=False))}"
    if contact.label:
        line += " — " + view.text(contact.label)
    details = []
    if contact.hours:
        details.append("🕒 " + view.text(contact.hours))
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
        f"<b>{view.text(resource.name)}</b>",
        view.text(resource.summary),
        view.ui(N_("Run by: {operator}"), operator=operator),
    ]
    if resource.caution:
        lines.append("⚠️ " + view.text(resource.caution))
    lines.append("")
    lines += [_contact_line(view, resource, c) for c in resource.contacts]
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
                f"{CONTACT_ICONS[c.type]} "
                + (pick(c.label, t.code)[0] if c.label else _link_label(t, c.type)),
                url=_link(c.value, c.type),
            )
        ]
        for c in resource.contacts
        if _link(c.value, c.type)
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


def _link_label(t: Translator, kind: ContactType) -> str:
    labels = {
        ContactType.WEBSITE: N_("Open the website"),
        ContactType.FORM: N_("Open the form"),
        ContactType.WHATSAPP: N_("Open in WhatsApp"),
        ContactType.TELEGRAM: N_("Open in Telegram"),
    }
    return t.gettext(labels.get(kind, N_("Open the website")))


def _link(value: str, kind: ContactType) -> str | None:
    """The https link a contact opens, if it is one (Telegram buttons take no tel: links)."""
    if value.startswith("https://"):
        return value
    if kind == ContactType.WHATSAPP:
        return "https://wa.me/" + "".join(c for c in value if c.isdigit())
    if kind == ContactType.TELEGRAM and value.startswith("@"):
        return "https://t.me/" + value[1:]
    return None


def guide(view: View, guide_id: str, origin: str) -> Screen | None:
    d, t = view.directory, view.t
    found: Guide | None = d.guides.get(guide_id)
    if found is None:
        return None
    lines = [
        f"❓ <b>{view.text(found.question)}</b>",
        "",
        view.text(found.answer),
        "",
        view.ui(N_("Last checked: {date}"), date=t.date(found.verified)),
        view.ui(N_("Source: {link}"), link=found.source),
    ]
    untranslated = view.fallback_notice(found.question, found.answer)
    if untranslated:
        lines.append(untranslated)
    rows = [
        [Button(pick(d.resources[r].name, t.code)[0], Action(Kind.RESOURCE, r, found.id))]
        for r in found.related
        if r in d.resources
    ]
    return view.screen(lines, [*rows, view.back_row(_origin_action(view, origin, 0))])


# --------------------------------------------------------------------------- privacy and help


def privacy(view: View, retention_days: int) -> Screen:
    t = view.t
    days = t.ngettext("{n} day", "{n} days", retention_days).format(n=retention_days)
    lines = [
        "🔒 <b>" + escape(t.gettext("Privacy")) + "</b>",
        "",
        view.ui(
            N_(
                "What this bot keeps: your language and your place, under a code that "
                "does not contain your Telegram account, and the day you last used it. "
                "It is deleted after {days} without use, or at once with /forget."
            ),
            days=days,
        ),
        view.ui(
            N_(
                "It never keeps your messages, your name, your username or your phone "
                "number. It counts menu use only as totals per day."
            )
        ),
        "",
        "<b>" + escape(t.gettext("What Telegram can see")) + "</b>",
        view.ui(
            N_(
                "Chats with bots are stored on Telegram's servers and are not end-to-end "
                "encrypted. Telegram says it may disclose your IP address and phone "
                "number to authorities if a court orders it."
            )
        ),
        "",
        "<b>" + escape(t.gettext("Protect yourself")) + "</b>",
        view.ui(N_("• Lock Telegram with its own passcode (Settings > Privacy and Security).")),
        view.ui(N_("• Use a PIN, not your fingerprint or face, to unlock your phone.")),
        view.ui(N_("• Turn on an auto-delete timer for this chat.")),
        view.ui(
            N_(
                "• Use /clear or the button below to delete this chat on both sides, "
                "then delete the chat from your chat list."
            )
        ),
        view.ui(
            N_(
                "• If your phone was taken, open Telegram on another device and end "
                "the other sessions (Settings > Devices)."
            )
        ),
    ]
    rows = [
        [Button("🧹 " + t.gettext("Clear this chat"), Action(Kind.CLEAR))],
        [Button("🗑️ " + t.gettext("Forget my settings"), Action(Kind.FORGET))],
    ]
    return view.screen(lines, [*rows, view.back_row(None)])


def help_screen(view: View) -> Screen:
    lines = [
        view.ui(
            N_(
                "This bot gives you checked contacts of UN agencies, organisations and "
                "emergency services, and short safety advice. It works with buttons."
            )
        ),
        "",
        view.ui(N_("/menu — the main menu")),
        view.ui(N_("/language — change the language")),
        view.ui(N_("/privacy — what is kept, and how to stay safe")),
        view.ui(N_("/clear — delete this chat on both sides")),
        view.ui(N_("/forget — delete your saved settings")),
    ]
    return view.screen(lines, [view.back_row(None)])


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


def apply(state: UserState, action: Action, directory: Directory, catalogs: Catalogs) -> UserState:
    """The user's new state after an action: only known languages and regions are kept."""
    if action.kind is Kind.SET_LANGUAGE and action.target in catalogs.translators:
        return replace(state, lang=action.target)
    if action.kind is Kind.SET_REGION and action.target in directory.regions:
        return replace(state, region=action.target)
    if action.kind is Kind.FORGET:
        return UserState()
    return state


def render(view: View, action: Action | None, *, retention_days: int = 30) -> Screen:
    """The screen for a button press; anything unknown or gone gives the main menu."""
    if action is None:
        return menu_changed(view)
    kind = action.kind
    screen: Screen | None = None
    if (
        kind is Kind.HOME
        or (kind is Kind.SET_LANGUAGE and action.target in view.catalogs.translators)
        or (kind is Kind.SET_REGION and action.target in view.directory.regions)
    ):
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
