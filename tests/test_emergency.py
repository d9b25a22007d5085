"""The Emergency screen of the shipped directory: something to call at once, local first."""

from __future__ import annotations

from collections import Counter
from html import unescape

import pytest

from bot.core.callbacks import Kind
from bot.core.decide import Context, Text, decide
from bot.core.state import UserState
from bot.directory.contacts import CONTACT_KINDS, ContactType
from bot.directory.model import GLOBAL_REGION
from bot.directory.queries import Directory
from bot.i18n.sensitive import SensitiveTerms
from bot.i18n.translator import Catalogs
from bot.screens import menus as screens
from bot.screens import results as search_screens
from bot.screens.menus import View
from bot.search.danger import shipped_danger_words
from bot.search.index import Answer, Index
from tests import tdlib
from tests.langs import SHIPPED
from tests.written import WRITTEN


def places(directory: Directory) -> list[str]:
    return [r.id for r in directory.user_regions]


def test_emergency_starts_with_a_dialable_local_number_in_every_place(
    shipped_directory: Directory,
) -> None:
    d = shipped_directory
    for place in places(d):
        found = d.emergency_resources(place)
        assert found, place
        first = found[0]
        assert GLOBAL_REGION not in first.regions and place in first.regions, (place, first.id)
        phones = [(c, s) for c, s in d.contacts(first) if c.type is ContactType.PHONE]
        assert phones, (place, first.id)
        contact, shown = phones[0]
        assert shown.number is not None, (place, first.id)  # it could be read as a number
        assert d.contact_country(first, contact) == d.regions[place].country
        assert shown.number.dial.lstrip("+").isdigit()


def test_nothing_without_a_number_or_message_channel_stands_on_emergency(
    shipped_directory: Directory,
) -> None:
    for place in [None, *places(shipped_directory)]:
        for resource in shipped_directory.emergency_resources(place):
            assert any(CONTACT_KINDS[c.type].on_emergency for c in resource.contacts), resource.id
        ids = [r.id for r in shipped_directory.emergency_resources(place)]
        assert "front-line-defenders" not in ids and "tr-kades" not in ids


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_emergency_screen_shows_a_number_right_under_the_first_name(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    for place in places(shipped_directory):
        view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, place))
        lines = screens.emergency(view).text.split("\n")
        first_name = next(i for i, line in enumerate(lines) if i > 0 and "<b>" in line)
        assert "📞" in lines[first_name + 1], (place, lines[first_name : first_name + 2])
        assert "🌐" not in screens.emergency(view).text, place


# A person in the Kurdistan Region writes of a danger (`WRITTEN`): the first line they
# are offered fits it (a health line for self-harm, a violence line for violence at home, a
# digital-safety line and the blackmail guide for blackmail).
FIRST = {"self_harm": "krg-youth-line", "violence": "krg-dcvaw-119", "blackmail": "smex-helpdesk"}


def first_offered(screen: screens.Screen) -> str:
    return next(b.action.target for b in screen.buttons()
                if b.action is not None and b.action.kind is Kind.RESOURCE)


@pytest.mark.parametrize("lang", list(WRITTEN))
def test_what_a_person_writes_of_danger_leads_to_the_lines_that_fit_it(
    lang: str, shipped_directory: Directory, shipped_index: Index, catalogs: Catalogs,
    shipped_terms: SensitiveTerms,
) -> None:
    ctx = Context(shipped_directory, shipped_index, catalogs, terms=shipped_terms,
                  danger=shipped_danger_words())
    for danger, text in WRITTEN[lang].items():
        outcome = decide(ctx, UserState(lang, "iq-kr"), Text(text))
        assert outcome.screen.urgent, (lang, text)
        assert first_offered(outcome.screen) == FIRST[danger], (lang, text)
        if danger == "blackmail":
            guides = [b.action.target for b in outcome.screen.buttons()
                      if b.action is not None and b.action.kind is Kind.GUIDE]
            assert "blackmail-first-steps" in guides, (lang, guides)


@pytest.mark.parametrize("lang", SHIPPED)
def test_a_fitting_line_whose_name_tells_more_than_was_written_does_not_lead(
    lang: str, shipped_directory: Directory, shipped_index: Index, catalogs: Catalogs,
    shipped_terms: SensitiveTerms,
) -> None:
    """In Türkiye the one health line is Kaos GL's refugee programme, an LGBTI+ group: after
    "I want to kill myself" its name would tell more than the person wrote."""
    ctx = Context(shipped_directory, shipped_index, catalogs, terms=shipped_terms,
                  danger=shipped_danger_words())
    text = WRITTEN[lang]["self_harm"]
    outcome = decide(ctx, UserState(lang, "tr"), Text(text))
    assert outcome.screen.urgent, text
    assert first_offered(outcome.screen) != "kaosgl-refugee", text


# Of those, the messages that ask for nothing but help: "my husband" names violence at home,
# and Kurmanji «min» ("my") is a word of the phone-safety phrases.
NAMING_NO_TOPIC = {
    lang: [text for danger, text in written.items()
           if (lang, danger) not in {("en", "violence"), ("ku", "violence"), ("ku", "blackmail")}]
    for lang, written in WRITTEN.items()
}


@pytest.mark.parametrize("lang", SHIPPED)
def test_a_danger_message_naming_no_topic_shows_only_the_emergency_screen(
    lang: str, shipped_directory: Directory, shipped_index: Index, catalogs: Catalogs,
    shipped_terms: SensitiveTerms,
) -> None:
    """Its other words ("I want … myself", «من») ask for nothing: no guide they happen to
    match stands beside the lines that fit the danger, and no group's name («من» is in
    IRQR's Arabic name) that the sensitive terms find telling."""
    d, terms = shipped_directory, shipped_terms
    index, danger_words = shipped_index, shipped_danger_words()
    for place in [None, *places(d)]:
        for discreet in (False, True):
            view = View(d, catalogs, catalogs.get(lang), UserState(lang, place, discreet), terms)
            for text in NAMING_NO_TOPIC[lang]:
                found = index.search(text, place, danger_words)
                assert found.outcome is Answer.DANGER, (text, place)
                own = screens.emergency(view, found.danger)
                screen = search_screens.results(view, found)
                beside = [(b.label, view.telling(b.label)) for b in screen.buttons()
                          if b not in own.buttons()]
                assert (screen.text, beside) == (own.text, []), (text, place, discreet)


@pytest.mark.parametrize("lang", SHIPPED)
def test_a_danger_screen_shows_each_entry_once_and_no_two_buttons_alike(
    lang: str, shipped_directory: Directory, shipped_index: Index, catalogs: Catalogs,
    shipped_terms: SensitiveTerms,
) -> None:
    """Danger beside a topic, each topic named as the menus name it: an entry on the Emergency
    screen that the topic's words find too (the blackmail guide, the violence line) is one
    button, and masked buttons beside the Emergency screen's own are numbered on from them,
    never a second "Contact 1"."""
    d, terms = shipped_directory, shipped_terms
    index, danger_words = shipped_index, shipped_danger_words()
    for place in [None, *places(d)]:
        for discreet in (False, True):
            view = View(d, catalogs, catalogs.get(lang), UserState(lang, place, discreet), terms)
            for said in WRITTEN[lang].values():
                for topic in d.categories.values():
                    text = f"{said} {view.label(topic.name)}"
                    found = index.search(text, place, danger_words)
                    assert found.outcome is Answer.DANGER, (text, place)
                    buttons = search_screens.results(view, found).buttons()
                    opened = Counter((b.action.kind, b.action.target) for b in buttons
                                     if b.action is not None)
                    labels = Counter(b.label for b in buttons)
                    twice = [*(e for e, n in opened.items() if n > 1),
                             *(label for label, n in labels.items() if n > 1)]
                    assert twice == [], (text, place, discreet)


@pytest.mark.parametrize("lang", list(WRITTEN))
def test_a_place_with_nothing_that_fits_says_so_and_shows_the_general_numbers(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, "sy"))
    screen = screens.emergency(view, "self_harm")
    said = catalogs.get(lang).gettext(screens.NOTHING_FITS)
    assert said in tdlib.without_marks(unescape(screen.text))
    assert first_offered(screen) == "sy-emergency"


@pytest.mark.parametrize("lang", list(WRITTEN))
def test_the_emergency_screen_keeps_where_a_line_works_and_how_old_it_is(
    lang: str, shipped_directory: Directory, catalogs: Catalogs, shipped_terms: SensitiveTerms
) -> None:
    """122 works in Erbil only, 911 is not confirmed in the Kurdistan Region, Syria's numbers
    come from 2012: each line's own caution, in the reader's language, on the shared screen;
    never advice to call someone else first."""
    d, t = shipped_directory, catalogs.get(lang)
    for place, ids in {"iq-kr": ["erbil-ecc-122", "iq-911"], "sy": ["sy-emergency"]}.items():
        view = View(d, catalogs, t, UserState(lang, place), shipped_terms)
        text = tdlib.without_marks(unescape(screens.emergency(view).text))  # as read
        for ident in ids:
            caution = d.resources[ident].caution
            assert caution is not None and lang in caution, (ident, lang)
            assert caution[lang] in text, (lang, ident)
        assert "trusted organisation" not in text and "منظمة موثوقة" not in text
