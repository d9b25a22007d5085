"""The cards: one resource with its contacts, and one guide's answer, each with a way back
to where the person came from."""

from __future__ import annotations

from html import escape

from bot.core.callbacks import Action, Kind
from bot.directory import provenance
from bot.directory.contacts import Shown
from bot.directory.model import Contact, Guide, Operator
from bot.directory.queries import Directory
from bot.i18n.translator import N_
from bot.screens.view import Button, Screen, View

# Neutral openings, before the entry's name (see screens.CHOOSE_QUESTION).
CARD_OPENING = N_(
    "The ways to reach this service are below; the last line says how current they are."
)
GUIDE_OPENING = N_(
    "An answer to a question people ask. The last line names its source and its date."
)

UNREACHABLE = N_("Several people could not reach this line recently.")
REPORT_BUTTONS = {  # what a person can tell about a line; counted, never who
    Kind.REPORT: ("🚫", N_("This contact did not work")),
    Kind.ASKED_MONEY: ("💵", N_("They asked me for money or favours")),
    Kind.TREATED_BADLY: ("⚠️", N_("I was treated badly")),
}

OPERATOR_LABELS = {
    Operator.UN: N_("a United Nations agency"),
    Operator.NGO: N_("a non-governmental organisation"),
    Operator.GOVERNMENT: N_("a government body"),
    Operator.POLICE: N_("the police"),
    Operator.OTHER: N_("an independent service"),
}


def emergency_id(d: Directory) -> str:
    return d.emergency_category.id if d.emergency_category else ""


def _origin_action(view: View, origin: str, page: int) -> Action | None:
    d = view.directory
    if origin == emergency_id(d) and origin:
        return Action(Kind.EMERGENCY)
    if origin in d.categories:
        return Action(Kind.CATEGORY, origin, page=page)
    if origin in d.guides:
        return Action(Kind.GUIDE, origin)
    return None


def contact_line(view: View, contact: Contact, shown: Shown) -> str:
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
        view.heading(N_("Contact details")),
        view.ui(CARD_OPENING),
        "",
        f"<b>{view.content(resource.name)}</b>",
        view.content(resource.summary),
        view.ui(N_("Run by: {operator}"), operator=operator),
    ]
    if resource.caution:
        lines.append("⚠️ " + view.content(resource.caution))
    if resource.id in view.unreachable:
        lines.append("⚠️ " + view.ui(UNREACHABLE))
    lines.append("")
    contacts = d.contacts(resource)
    lines += [contact_line(view, c, shown) for c, shown in contacts]
    lines.append("")
    lines.append(provenance.resource_line(view.ui, t, resource))
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
                + view.masked(
                    view.label(c.label) if c.label else t.gettext(shown.kind.link_label),
                    shown.kind.link_label,
                    0,
                ),
                url=shown.link,
            )
        ]
        for c, shown in contacts
        if shown.link
    ]
    rows += [[Button(f"{icon} {t.gettext(label)}", Action(kind, resource.id, origin, page))]
             for kind, (icon, label) in REPORT_BUTTONS.items()]
    rows.append(view.back_row(_origin_action(view, origin, page)))
    return view.screen(lines, rows, urgent=origin == emergency_id(d) and bool(origin))


def guide(view: View, guide_id: str, origin: str) -> Screen | None:
    d, t = view.directory, view.t
    found: Guide | None = d.guides.get(guide_id)
    if found is None:
        return None
    lines = [
        view.heading(N_("Information")),
        view.ui(GUIDE_OPENING),
        "",
        f"❓ <b>{view.content(found.question)}</b>",
        "",
        view.content(found.answer),
        "",
        provenance.guide_line(view.ui, t, found),
    ]
    untranslated = view.fallback_notice(found.question, found.answer)
    if untranslated:
        lines.append(untranslated)
    related = [d.resources[r] for r in found.related if r in d.resources]
    rows = [
        [
            Button(
                view.masked(view.label(r.name), N_("Contact {n}"), n),
                Action(Kind.RESOURCE, r.id, found.id),
            )
        ]
        for n, r in enumerate(related, start=1)
    ]
    return view.screen(lines, [*rows, view.back_row(_origin_action(view, origin, 0))])
