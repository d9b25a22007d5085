"""Every screen as Telegram reads it, in every language, place and mode, read by TDLib.

For each screen a person can reach by buttons, each typed-search result and the Emergency
screen: Telegram accepts it and decodes every entity; every /command is tappable; every link
opens exactly one of the directory's addresses; and the chat list's preview (the first 64
visible characters) names no sensitive topic, in the reader's language or in any language a
text falls back to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from bot.config import shipped_locales
from bot.core.callbacks import Action, Kind
from bot.core.state import UserState
from bot.directory.queries import Directory, check
from bot.i18n.sensitive import SensitiveTerms, load_terms
from bot.i18n.translator import Catalogs, load_catalogs
from bot.screens import results as search_screens
from bot.screens.menus import Screen, View
from bot.search.danger import shipped_danger_words
from bot.search.index import Index
from tests import tdlib
from tests.langs import SHIPPED
from tests.screen_crawl import drawn_once, walk

# What people type, a few per language: ordinary needs, sensitive topics and danger. The
# result screens show no query, but the danger ones open the Emergency screen.
QUERIES = {
    "en": ["lawyer", "lgbt", "blackmail", "violence", "asylum", "I want to kill myself"],
    "ar": ["محامي", "مثليين", "ابتزاز", "عنف", "لجوء", "أريد أن أنتحر"],
    "ckb": ["پارێزەر", "هاوڕەگەز", "بلاکمەیڵ", "توندوتیژی", "پەنابەر", "دەمەوێت خۆم بکوژم"],
    "ku": ["parêzer", "lgbt", "şantaj", "tundî", "penaber", "dixwazim xwe bikujim"],
    "ku-Arab": ["پارێزەر", "lgbt", "ئیبتیزاز", "توندوتیژی", "پەنابەر", "دخوازم خۆ بکوژم"],
}


@dataclass
class Reading:
    """What was found on the screens one reader sees, by kind, with where."""

    screens: int = 0
    distinct: int = 0
    wheres: list[str] = field(default_factory=list)  # each screen read, where it was reached
    refused: list[str] = field(default_factory=list)
    left_as_text: list[str] = field(default_factory=list)
    broken_links: list[str] = field(default_factory=list)
    untappable_commands: list[str] = field(default_factory=list)
    telling_previews: list[str] = field(default_factory=list)  # or first lines
    names_in_preview: list[str] = field(default_factory=list)
    telling_buttons: list[str] = field(default_factory=list)  # in discreet mode

    def figures(self) -> dict[str, int]:
        return {
            "screens": self.screens,
            "distinct": self.distinct,
            "refused": len(self.refused),
            "left as text": len(self.left_as_text),
            "broken links": len(self.broken_links),
            "untappable commands": len(self.untappable_commands),
            "telling previews": len(self.telling_previews),
            "names in preview": len(self.names_in_preview),
        }


def directory_links(directory: Directory) -> frozenset[str]:
    """Every address the directory holds: contact values and links, the source pages, and
    the addresses its texts name, as TDLib finds them in the English (where punctuation after
    an address is ASCII, which Telegram never takes into it)."""
    links: set[str] = set()
    texts: list[str] = []
    for resource in directory.resources.values():
        links.add(resource.source.url)
        for contact, shown in directory.contacts(resource):
            links.add(contact.value)
            if shown.link:
                links.add(shown.link)
        texts += [resource.summary.get("en", ""), (resource.caution or {}).get("en", "")]
    for guide in directory.guides.values():
        links.add(guide.source.url)
        texts += [guide.question.get("en", ""), guide.answer.get("en", "")]
    for text in filter(None, texts):
        links.update(text[e.offset : e.end] for e in tdlib.entities_of(text)
                     if e.kind in ("url", "email_address", "mention"))
    return frozenset(links)


def link_problems(shown: tdlib.Formatted, links: frozenset[str]) -> list[str]:
    """A link that opens anything but one of the directory's addresses, character for
    character: an address with punctuation glued on, a site name Telegram guesses at."""
    problems = []
    for entity in shown.of_kind("text_url"):
        if entity.url not in links:
            problems.append(f"a text link opens {entity.url!r}")
    for entity in shown.of_kind("url", "email_address", "mention"):
        address = shown.covered(entity)
        if address not in links:
            problems.append(f"{entity.kind} {address!r} is no address of the directory")
    return problems


def names_on(view: View, action: Action) -> list[str]:
    """The topic or entries a screen is about, as it names them: never in its preview."""
    d, region = view.directory, view.state.region
    if action.kind is Kind.CATEGORY and action.target in d.categories:
        chosen = d.categories[action.target]
        if chosen.emergency:
            return names_on(view, Action(Kind.EMERGENCY))
        shown = chosen.discreet_name if view.state.discreet and chosen.discreet_name else None
        return [view.label(shown or chosen.name)]
    if action.kind in (Kind.RESOURCE, Kind.REPORT) and action.target in d.resources:
        return [view.label(d.resources[action.target].name)]
    if action.kind is Kind.GUIDE and action.target in d.guides:
        return [view.label(d.guides[action.target].question)]
    if action.kind is Kind.EMERGENCY:
        return [view.label(r.name) for r in d.emergency_resources(region)]
    return []


def screens_of(
    directory: Directory, index: Index, catalogs: Catalogs, terms: SensitiveTerms, lang: str,
    discreet: bool,
) -> Iterator[tuple[str, Screen, list[str]]]:
    """(where, screen, the names it must keep out of its preview) for every place and none:
    the button crawl, the typed searches and the answers to "is this real?"."""
    danger_words = shipped_danger_words()
    for region in [None, *(r.id for r in directory.user_regions)]:
        state = UserState(lang, region, discreet=discreet)
        view = View(directory, catalogs, catalogs.get(lang), state, terms)
        for action, screen in walk(directory, catalogs, state, terms):
            yield f"{region} {action.encode()}", screen, names_on(view, action)
        for query in QUERIES[lang]:
            screen = search_screens.results(view, index.search(query, region, danger_words))
            # What its buttons open: the entries found, the topic, and after danger the
            # Emergency screen's lines (those that fit the danger first) and their guides.
            names = [name for b in screen.buttons() if b.action is not None
                     for name in names_on(view, b.action)]
            yield f"{region} search {query!r}", screen, names
        for sent in sent_to_check(directory):
            found = check(directory.lookup, sent)
            assert found is not None, sent
            names = [view.label(directory.resources[r].name) for r, _ in found.listed]
            yield f"{region} is this real? {sent!r}", search_screens.checked(view, found), names


def sent_to_check(directory: Directory) -> list[str]:
    """What people send to ask "is this real?": a listed number (Kaos GL's refugee line, a
    telling name), a listed link, a known fake if any, a number not listed, and all together."""
    link = next(c.value for r in directory.data.resources for c in r.contacts
                if c.value.startswith("https://"))
    fakes = [fake.value for fake in directory.lookup.fakes.values()][:1]  # if any is known
    sent = ["0545 340 82 12", link, *fakes, "+964 771 234 5678"]
    return [*sent, " ".join(sent)]


def read_screens(
    directory: Directory, index: Index, catalogs: Catalogs, terms: SensitiveTerms, lang: str,
    discreet: bool,
) -> Reading:
    reading = Reading()
    links = directory_links(directory)
    languages = catalogs.get(lang).fallback  # the reader's and those its texts fall back to
    seen: set[str] = set()
    for where, screen, names in screens_of(directory, index, catalogs, terms, lang, discreet):
        reading.screens += 1
        reading.wheres.append(where)
        if screen.text in seen:
            continue  # the same text reads the same: the places share many screens
        seen.add(screen.text)
        try:
            shown = tdlib.shown(screen.text)
        except tdlib.Refused as exc:
            reading.refused.append(f"{where}: {exc}")
            continue
        reading.left_as_text += [f"{where}: {e!r}" for e in tdlib.entities_left_as_text(shown.text)]
        reading.broken_links += [f"{where}: {p}" for p in link_problems(shown, links)]
        reading.untappable_commands += [f"{where}: {p}" for p in tdlib.command_problems(shown)]
        preview = tdlib.preview(screen.text)
        first_line = screen.text.split("\n", 1)[0]
        found = terms.found(preview, *languages) or terms.found(first_line, *languages)
        if found:
            reading.telling_previews.append(f"{where}: {found!r} in {preview!r}")
        if discreet:
            reading.telling_buttons += [
                f"{where}: {b.label!r}" for b in screen.buttons()
                if terms.found(b.label, *languages)]
        visible = tdlib.without_marks(shown.text).replace("\n", " ")
        for name in names:
            at = visible.find(tdlib.without_marks(name))
            if 0 <= at < tdlib.PREVIEW_LENGTH:
                reading.names_in_preview.append(f"{where}: {name!r} at {at} in {preview!r}")
    reading.distinct = len(seen)
    return reading


Read = Callable[[str, bool], Reading]
_READINGS: dict[tuple[str, bool], Reading] = {}  # each reader's screens, read once per run


@pytest.fixture
def read(shipped_directory: Directory, shipped_index: Index, catalogs: Catalogs,
         shipped_terms: SensitiveTerms) -> Read:
    def reading(lang: str, discreet: bool) -> Reading:
        key = (lang, discreet)
        if key not in _READINGS:
            _READINGS[key] = read_screens(shipped_directory, shipped_index, catalogs,
                                          shipped_terms, lang, discreet)
        return _READINGS[key]

    return reading


# One worker reads every screen of a language once, in both modes, and its tests share the
# readings; the languages are spread over the workers.
LANGS = drawn_once(SHIPPED, "screens-read-by-tdlib")
MODES = [pytest.param(False, id="plain"), pytest.param(True, id="discreet")]


@pytest.mark.parametrize("discreet", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_telegram_accepts_every_screen_and_decodes_every_entity(
    read: Read, lang: str, discreet: bool
) -> None:
    reading = read(lang, discreet)
    assert reading.distinct > 100
    assert reading.refused == []
    assert reading.left_as_text == []


@pytest.mark.parametrize("discreet", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_every_link_on_a_screen_opens_one_of_the_directorys_addresses(
    read: Read, lang: str, discreet: bool
) -> None:
    assert read(lang, discreet).broken_links == []


@pytest.mark.parametrize("discreet", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_every_command_on_a_screen_is_tappable(read: Read, lang: str, discreet: bool) -> None:
    assert read(lang, discreet).untappable_commands == []


@pytest.mark.parametrize("discreet", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_screens_name_their_topic_or_entries_only_after_the_chat_list_preview(
    read: Read, lang: str, discreet: bool
) -> None:
    assert read(lang, discreet).names_in_preview == []


@pytest.mark.parametrize("discreet", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_no_chat_list_preview_names_a_sensitive_topic(
    read: Read, lang: str, discreet: bool
) -> None:
    assert read(lang, discreet).telling_previews == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_discreet_button_names_a_sensitive_topic(read: Read, lang: str) -> None:
    """Read in the person's language and in each one their texts fall back to: a Badini
    button showing an Arabic name is held to the Arabic terms."""
    assert read(lang, True).telling_buttons == []


@pytest.mark.xdist_group("screens-read-by-tdlib-en")
def test_the_crawl_reaches_the_emergency_screen_and_search_results(
    read: Read, shipped_directory: Directory
) -> None:
    wheres = read("en", False).wheres
    assert any(Action(Kind.EMERGENCY).encode() in w for w in wheres)
    places = 1 + len(shipped_directory.user_regions)  # and no place
    assert sum(" search " in w for w in wheres) == places * len(QUERIES["en"])


def main() -> None:
    """The figures per language and mode: python -m tests.test_telegram_reading"""
    from bot.loading.reloader import load_directory
    from tests.conftest import ROOT

    directory = load_directory(ROOT / "resources.yaml")
    catalogs = load_catalogs(shipped_locales())
    terms = load_terms(shipped_locales())
    index = Index(directory)
    for lang in SHIPPED:
        for discreet in (False, True):
            reading = read_screens(directory, index, catalogs, terms, lang, discreet)
            figures = ", ".join(f"{k} {v}" for k, v in reading.figures().items())
            print(f"{lang:8} {'discreet' if discreet else 'plain':8} {figures}")


if __name__ == "__main__":
    main()
