"""The menus, privacy and help: pure functions of the view and the action, so the same screens
run on Telegram, in the terminal and in fast tests, and concurrent updates can share them."""

from __future__ import annotations

from collections.abc import Callable, Collection
from html import escape

from bot.core.callbacks import REPORTS, Action, Kind
from bot.core.commands import COMMANDS
from bot.core.state import Tidy
from bot.directory.model import Guide, Operator, Resource
from bot.directory.queries import Directory
from bot.i18n import N_
from bot.i18n.bidi import LRI, PDI
from bot.i18n.translator import Catalogs
from bot.screens import cards
from bot.screens.cards import contact_line, emergency_id, guide, keep_button, kept, resource_card
from bot.screens.view import MAX_TEXT, Button, Screen, View

__all__ = ["MAX_TEXT", "Screen", "View", "guide", "resource_card"]

PAGE_SIZE = 8

# Neutral openings: a chat list previews about 64 characters, so a screen names its topic or
# entry only after its kind, the place and what to do, in every language.
CHOOSE_QUESTION = N_("Choose a question to read its answer, or a contact to see how to reach it.")
CHOOSE_CONTACT = N_("Choose a contact below to see how to reach it: by phone, message or online.")
CALL_NOW = N_("Numbers you can call or message now. Choose the one that fits what is happening.")
TELL_WHERE = N_("Tell me where you are, to see the right contacts.")


def language_picker(catalogs: Catalogs, suggested: str | None = None) -> Screen:
    codes = sorted(catalogs.codes, key=lambda code: code != suggested)  # the likely one first
    offered = [(code, catalogs.get(code)) for code in codes]
    prompts = dict.fromkeys(t.mark_lines(escape(t.gettext("Choose your language."), quote=False))
                            for _, t in offered)  # once, where a catalog lacks the line
    rows = tuple((Button(t.language.name, Action(Kind.SET_LANGUAGE, code)),) for code, t in offered)
    return Screen("\n".join(prompts), rows)


def category_rows(view: View) -> list[list[Button]]:
    buttons = [view.category_button(c) for c in view.directory.categories_for(view.state.region)]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def main_menu(view: View, notice: str = "") -> Screen:
    t = view.t
    region = view.directory.regions.get(view.state.region or "")
    lines = [view.ui(notice)] if notice else []
    lines.append(view.ui(N_("How can I help? Choose a button below.")))
    where = t.gettext("Where are you now?")
    if region:
        lines.append(view.ui(N_("Your place: {place}"), place=view.label(region.name)))
        lines += cards.region_notes(view, glance=True)
        where += f" — {view.label(region.name)}"  # the name may hold parentheses itself
    else:
        lines.append(view.ui(TELL_WHERE))
    rows = [[Button("🚨 " + t.gettext("Emergency"), Action(Kind.EMERGENCY))],
            [Button("📍 " + where, Action(Kind.REGIONS))], *category_rows(view),
            [Button("🛡️ " + t.gettext("Safety advice"), Action(Kind.ADVICE)),
             Button("🔒 " + t.gettext("Privacy"), Action(Kind.PRIVACY))],
            [Button("🌐 " + t.gettext("Language"), Action(Kind.LANGUAGES)),
             Button("❔ " + t.gettext("Help"), Action(Kind.HELP))]]
    return view.screen(lines, rows)


def regions(view: View) -> Screen:
    lines = [view.ui(N_("Where are you now? I will show the contacts for that place."))]
    rows = [[Button(("✅ " if r.id == view.state.region else "") + view.label(r.name),
                    Action(Kind.SET_REGION, r.id))] for r in view.directory.user_regions]
    return view.screen(lines, [*rows, keep_button(view), view.back_row(None)])


def emergency(view: View, danger: str | None = None) -> Screen:
    """After a message telling of danger, the lines that fit it come first, with their guides."""
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
    lines += cards.region_notes(view, glance=not (found or fitting))  # past the preview
    if danger and not fitting and d.answered(danger):
        lines.append(view.ui(NOTHING_FITS))
    shown = [*fitting, *(r for r in found if r.id not in {f.id for f in fitting})]
    for resource in shown:
        lines += ["", f"<b>{view.content(resource.name)}</b>"]
        lines += cards.resource_notes(view, resource)
        if region is None:
            places = t.join_list(view.label(d.regions[r].name) for r in resource.regions)
            lines.append(t.isolate(escape(places, quote=False)))
        lines += [contact_line(view, c, on, resource) for c, on in d.callable_contacts(resource)]
        if caution := _shared_caution(view, resource):
            lines.append("⚠️ " + caution)
    if not shown:
        lines.append(view.ui(cards.NONE_YET))
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
# A state line says so on a screen many people share; the rest is in its own caution.
STATE_LINES = {Operator.POLICE: N_("This line is run by the police."),
               Operator.GOVERNMENT: N_("This line is run by the state.")}


def _tells_more(view: View, resource: Resource, danger: str | None) -> bool:
    """A fitting line whose name tells more than the person wrote (an LGBTIQ+ group's line
    after "I want to die") does not lead; one telling of the danger itself does."""
    if not view.telling(view.label(resource.name)):
        return False
    topics = (view.directory.categories[c] for c in resource.categories)
    return not any(danger in c.answers and view.telling(view.label(c.name)) for c in topics)


def _shared_caution(view: View, resource: Resource) -> str:
    """Its own caution unless it would give the person away; else, for a state line, who runs
    it. Never advice to call someone else first: a fire or an ambulance cannot wait."""
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
        *enumerate(d.resources_for(region, chosen.id, view.now), start=1)]
    pages = max(1, -(-len(numbered) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    on_page = numbered[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [view.heading(N_("Contacts"))]
    place = d.regions.get(region or "")
    lines.append(view.ui(N_("For: {place}"), place=view.label(place.name)) if place
                 else view.ui(TELL_WHERE))
    if not numbered:  # nothing to choose, and no topic to name
        lines.append(view.ui(N_("Nothing here yet for your place.")))
        lines += cards.region_notes(view, glance=True)
    else:
        with_questions = any(isinstance(entry, Guide) for _, entry in on_page)
        choose = view.ui(CHOOSE_QUESTION if with_questions else CHOOSE_CONTACT)
        lines += [choose, *cards.region_notes(view), ""]  # the alert past the preview
        icon, name = view.category_name(chosen)
        lines.append(f"{escape(icon)}<b>{view.content(name)}</b>")
    if pages > 1:
        lines.append(view.ui(N_("Page {page} of {pages}"), page=page + 1, pages=pages))
    # Back from a card comes to this page
    rows = [[cards.marked(view, view.entry_button(entry, n, chosen.id, page), entry)]
            for n, entry in on_page]
    nav = [Button("◀️", Action(Kind.CATEGORY, chosen.id, page=page - 1))] if page > 0 else []
    if page < pages - 1:
        nav.append(Button("▶️", Action(Kind.CATEGORY, chosen.id, page=page + 1)))
    back = Action(Kind.ADVICE) if chosen.advice else None
    return view.screen(lines, [*rows, nav, view.back_row(back)])


def advice(view: View) -> Screen:
    t = view.t
    lines = ["🛡️ <b>" + escape(t.gettext("Safety advice")) + "</b>",
             view.ui(N_("Short, practical advice. Choose a topic."))]
    topics = view.directory.categories_for(view.state.region, advice=True)
    rows = [[view.category_button(c)] for c in topics]
    rows.append([Button("🔒 " + t.gettext("Privacy"), Action(Kind.PRIVACY))])
    return view.screen(lines, [*rows, view.back_row(None)])


TIDY_CHOICES = {Tidy.NEUTRAL: N_("After a pause: hide the last message"),
                Tidy.CLEAR: N_("After a pause: delete this chat"),
                Tidy.KEEP: N_("After a pause: keep everything")}
DISCREET_LABELS = {True: N_("Discreet mode: on"), False: N_("Discreet mode: off")}
KEPT = N_("What this bot keeps: your language and your place, under a code that does not contain "
          "your Telegram account, and the day you last used it. It is deleted after {days} "
          "without use, or at once with /forget.")
NOT_KEPT = N_("It never keeps your messages, your name, your username or your phone number. It "
              "counts menu use only as totals per day.")
# The rest of the privacy screen: each part's title, then its lines.
PRIVACY_PARTS = {
    N_("What Telegram can see"): (
        N_("Chats with bots are stored on Telegram's servers and are not end-to-end encrypted. "
           "Telegram says it may disclose your IP address and phone number to authorities if a "
           "court orders it."),
    ),
    N_("Protect yourself"): (
        N_("• Lock Telegram with its own passcode (Settings > Privacy and Security)."),
        N_("• Use a PIN, not your fingerprint or face, to unlock your phone."),
        N_("• Turn on an auto-delete timer for this chat."),
        N_("• Use /clear or the button below to delete this chat on both sides, then delete the "
           "chat from your chat list."),
        N_("• If your phone was taken, open Telegram on another device and end the other "
           "sessions (Settings > Devices)."),
    ),
    N_("Discretion"): (
        N_("Discreet mode shows plain names and no icons in the menus."),
        N_("These choices are kept like your language and place, and deleted with them."),
        N_("After a pause without use, the bot can replace its last message with a neutral one, "
           "or delete this chat: choose below. It keeps this timer in memory only, so a restart "
           "of the bot forgets it."),
    ),
}


def privacy(view: View, retention_days: int) -> Screen:
    t = view.t
    days = t.ngettext("{n} day", "{n} days", retention_days).format(n=retention_days)
    lines = ["🔒 <b>" + escape(t.gettext("Privacy")) + "</b>", ""]
    lines += [view.ui(KEPT, days=days), view.ui(NOT_KEPT)]
    for title, said in PRIVACY_PARTS.items():
        lines += ["", "<b>" + escape(t.gettext(title)) + "</b>", *map(view.ui, said)]
    discreet = view.state.discreet
    rows = [[Button("🧹 " + t.gettext("Clear this chat"), Action(Kind.CLEAR))],
            [Button("🗑️ " + t.gettext("Forget my settings"), Action(Kind.FORGET))],
            [Button("🕶️ " + t.gettext(DISCREET_LABELS[discreet]),
                    Action(Kind.SET_DISCREET, "0" if discreet else "1"))]]
    rows += [[Button(("✅ " if view.state.tidy is mode else "") + t.gettext(label),
                     Action(Kind.SET_TIDY, mode.value))] for mode, label in TIDY_CHOICES.items()]
    return view.screen(lines, [*rows, view.back_row(None)])


MIRRORS = N_("If this bot cannot be reached, the same information is also here:")
TYPE_TO_SEARCH = N_("You can also type what you need, such as “lawyer”. Nothing you type is kept.")
ABOUT = N_("This bot gives you contacts of UN agencies, organisations and emergency services, each "
           "with the page it comes from, and short safety advice. It works with buttons.")
CHECK_IT = N_("Not sure a number, link or Telegram account is real? Send it here: I check it "
              "against our list.")


def help_screen(view: View) -> Screen:
    helps = [view.ui(command.help) for command in COMMANDS if command.help]
    lines = [view.ui(ABOUT), view.ui(TYPE_TO_SEARCH), view.ui(CHECK_IT), "", *helps]
    if view.mirrors:  # each isolated whole, so an @username keeps its "@" and stays tappable
        lines += ["", view.ui(MIRRORS)]
        lines += [f"{LRI}{escape(m, quote=False)}{PDI}" if view.t.rtl else escape(m, quote=False)
                  for m in view.mirrors]
    return view.screen(lines, [view.back_row(None)])


def menu_changed(view: View) -> Screen:
    """A button from an old or unknown menu: never an error, always a way on."""
    return main_menu(view, N_("This menu has changed. Here is the main menu."))


def buttons_only(view: View) -> Screen:
    """Free text is never read; the answer is the menu."""
    return main_menu(view, N_("I work with buttons only. Please choose below."))


def forgotten(view: View) -> Screen:
    notice = N_("Your saved settings are deleted. Send /start to begin again.")
    return view.screen([view.ui(notice)], [])


def tidied(view: View, notice: str = N_("Tap /menu to continue.")) -> Screen:
    """The last screen after a pause: nothing in it says what it was about."""
    return view.screen([view.ui(notice)], [[Button(view.t.gettext("Menu"), Action(Kind.HOME))]])


def cleared(view: View) -> Screen:
    """The one message left after /clear: nothing sensitive in a preview."""
    return tidied(view, N_("Done."))


def known_choice(directory: Directory, catalogs: Catalogs, action: Action) -> bool:
    """The only choices kept: a language the bot offers or a place the directory has."""
    known: dict[Kind, Collection[str]] = {Kind.SET_LANGUAGE: catalogs.translators,
                                          Kind.SET_REGION: directory.regions}
    return action.target in known.get(action.kind, ())


_OF_VIEW: dict[Kind, Callable[[View], Screen]] = {
    Kind.HOME: main_menu, Kind.REGIONS: regions, Kind.EMERGENCY: emergency, Kind.ADVICE: advice,
    Kind.HELP: help_screen, Kind.FORGET: forgotten, Kind.CLEAR: cleared}


def render(view: View, action: Action | None, *, retention_days: int = 30) -> Screen:
    """Anything unknown or gone gives the main menu."""
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
