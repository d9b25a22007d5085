"""`penah export`: a place's directory in one language, for when Telegram cannot be reached: a
page to print or mirror (nothing fetched, no script), or text for SMS. The page's card, like the
text, holds only numbers and neutral purposes: it may be found in a pocket, or in an inbox."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path
from string import Template

from bot.core.state import UserState
from bot.directory import provenance
from bot.directory.contacts import Shown
from bot.directory.model import GLOBAL_REGION, Contact, Resource
from bot.directory.queries import Directory
from bot.i18n import N_, Html, bidi
from bot.i18n.sensitive import SensitiveTerms
from bot.i18n.translator import Catalogs
from bot.screens.cards import KEEP, NONE_YET, OPERATOR_LABELS, numbers
from bot.screens.view import View

HERE = Path(__file__).parent
SMS_PARTS = 5
# The GSM 7-bit alphabet, and its extension table, whose characters take two septets.
GSM7 = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENDED = "^{}\\[~]|€\f"
MADE_ON = N_("This list was made on {date}.")


def view_for(directory: Directory, catalogs: Catalogs, terms: SensitiveTerms, place: str,
             lang: str) -> View:
    if lang not in catalogs.translators:
        raise ValueError(f"no catalog for {lang!r}; have: {', '.join(catalogs.codes)}")
    if place not in directory.regions or place == GLOBAL_REGION:
        places = ", ".join(r.id for r in directory.user_regions)
        raise ValueError(f"no place {place!r}; have: {places}")
    return View(directory, catalogs, catalogs.get(lang), UserState(lang, place), terms)


def sms_parts(text: str) -> int:
    """GSM-7 when every character is in its alphabet (160 in one message, 153 a part, the
    extension's take two), else UCS-2 (70, 67 a part, beyond U+FFFF two); none split."""
    if all(c in GSM7 or c in GSM7_EXTENDED for c in text):
        sizes, single, per_part = [1 + (c in GSM7_EXTENDED) for c in text], 160, 153
    else:
        sizes, single, per_part = [1 + (ord(c) > 0xFFFF) for c in text], 70, 67
    parts, used = 1, 0
    for size in sizes if sum(sizes) > single else ():
        parts, used = (parts + 1, size) if used + size > per_part else (parts, used + size)
    return parts


def text(view: View, today: dt.date) -> str:
    """The numbers to keep in at most SMS_PARTS parts: what does not fit goes from the end (the
    date, then the last numbers). Right to left, lines start with a mark, numbers isolated."""
    t, region = view.t, str(view.state.region)
    place = view.label(view.directory.regions[region].name)
    lines = [t.gettext(KEEP), t.gettext("For: {place}").format(place=place),
             *([f"{n.display} {n.purpose}" for n in numbers(view, region, neutral=True)]
               or [t.gettext(NONE_YET)]), today.isoformat()]
    while True:
        written = "".join((t.mark_lines(bidi.isolate_plain(line)) if t.rtl else line) + "\n"
                          for line in lines)
        if sms_parts(written) <= SMS_PARTS or len(lines) <= 2:
            return written
        del lines[-1]  # the date is last


def html(view: View, today: dt.date) -> str:
    """The card to cut out, then each entry for the place once, under its first topic."""
    d, t, region = view.directory, view.t, str(view.state.region)
    title = f"{t.gettext('Contacts')} — {view.label(d.regions[region].name)}"
    when = Html(f'<time datetime="{today.isoformat()}">{escape(t.date(today))}</time>')
    body = [f"<header><h1>{escape(title)}</h1>",
            f'<p class="made">{view.ui(MADE_ON, date=when)}</p></header>',
            f'<h2>{view.ui(KEEP)}</h2>\n<section class="card"><ul>',
            *([f'<li><bdi dir="ltr">{escape(n.display)}</bdi> {escape(n.purpose)}</li>'
               for n in numbers(view, region, neutral=True)] or [f"<li>{view.ui(NONE_YET)}</li>"]),
            "</ul></section>"]
    listed: set[str] = set()
    first = [d.emergency_category] if d.emergency_category else []
    for category in [*first, *d.categories_for(region)]:
        entries = [r for r in d.resources_for(region, category.id) if r.id not in listed]
        listed.update(r.id for r in entries)
        if entries:
            body += [f"<section><h2>{view.content(category.name)}</h2>",
                     *(_entry(view, r) for r in entries), "</section>"]
    return Template((HERE / "export.html").read_text(encoding="utf-8")).substitute(
        lang=t.code, dir="rtl" if t.rtl else "ltr", title=escape(title),
        style=(HERE / "export.css").read_text(encoding="utf-8"), body="\n".join(body))


def _entry(view: View, resource: Resource) -> str:
    operator = view.t.gettext(OPERATOR_LABELS[resource.operator])
    caution = f'<p class="caution">{view.content(resource.caution)}</p>' if resource.caution else ""
    contacts = "".join(f"<li>{_contact(view, c, s)}</li>"
                       for c, s in view.directory.contacts(resource))
    sources = [provenance.resource_line(view.ui, view.t, resource)]
    if provenance.latest_confirmation(resource):  # a confirmation's line names no source
        sources.insert(0, provenance.guide_line(view.ui, view.t, resource))
    return (f'<article id="{resource.id}"><h3>{view.content(resource.name)}</h3>\n'
            f"<p>{view.content(resource.summary)}</p>\n"
            f"<p>{view.ui(N_('Run by: {operator}'), operator=operator)}</p>{caution}\n"
            f'<ul>{contacts}</ul>\n<p class="source">{" ".join(sources)}</p></article>')


def _contact(view: View, contact: Contact, shown: Shown) -> str:
    t, value = view.t, f'<bdi dir="ltr">{escape(shown.display)}</bdi>'
    link = f"tel:{shown.number.dial}" if shown.number else shown.link
    details = [(f'<a href="{escape(link)}">{value}</a>' if link else value)
               + (" (WhatsApp)" if shown.kind.whatsapp else "")]
    details += [view.content(text) for text in (contact.label, contact.hours) if text]
    if contact.languages:
        names = t.join_list(t.language_name(code) for code in contact.languages)
        details.append(view.ui(N_("Languages: {names}"), names=names))
    return " — ".join(details)
