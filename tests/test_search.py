"""Typed search: folding in four scripts, matching with typos, danger first, nothing kept."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import decide as core
from bot.core.callbacks import Action, Kind
from bot.core.state import CountSearch, CountView, UserState
from bot.directory.model import DirectoryError
from bot.directory.queries import Directory
from bot.i18n.translator import Catalogs
from bot.loading.reloader import Reloader
from bot.loading.validation import parse_directory
from bot.ops.console import Console
from bot.screens import results as search_screens
from bot.screens.menus import View
from bot.search.danger import NO_WORDS, Danger, shipped_danger_words
from bot.search.fold import fold, tokens, within_one_edit
from bot.search.index import MAX_QUERY_CHARS, MAX_RESULTS, Answer, Found, Index, refused
from bot.telegram.delivery import keyboard
from tests.conftest import DATA, ROOT, Harness, KeptReader, make_settings, running_harness
from tests.fakes import buttons, user
from tests.langs import SHIPPED
from tests.written import WRITTEN

_INDEXES: dict[int, tuple[Directory, Index]] = {}


def search(directory: Directory, query: str, region: str | None) -> Found:
    """Typed search over a directory, its index built once per directory object."""
    kept = _INDEXES.get(id(directory))
    if kept is None or kept[0] is not directory:
        kept = _INDEXES[id(directory)] = (directory, Index(directory))
    return kept[1].search(query, region, shipped_danger_words())


BIDI = re.compile("[\u200e\u200f\u2066-\u2069]")

# --------------------------------------------------------------------------- folding

SAME_KEY = [
    ("hamza on alef", ["أمان", "إمان", "آمان", "امان"]),
    ("hamza seats and a lone hamza", ["لاجئ", "لاجىء", "لاجيء", "لاجي"]),
    ("ta marbuta and ha", ["محكمة", "محكمه"]),
    ("alef maksura and ya", ["محامى", "محامي"]),
    ("Arabic and Kurdish kaf", ["كردستان", "کردستان"]),
    ("Arabic and Kurdish ya", ["پارێزەری", "پارێزەری", "پاریزەري"]),
    ("Kurdish ae and ha", ["پارێزەر", "پارێزهر"]),
    ("Kurdish letters on an Arabic keyboard", ["ڕێکخراو", "ريكخراو"]),
    ("diacritics and tatweel", ["مُحَامِي", "محـــامي", "محامي"]),
    ("presentation forms", ["ﻻجئ", "لاجئ"]),
    ("zero-width non-joiner and direction marks", ["هه\u200cڵ", "هەڵ", "\u200fهەڵ"]),
    ("Eastern Arabic and Persian digits", ["١١٩", "۱۱۹", "119"]),
    ("Kurmanji accents", ["parêzer", "parezer", "PARÊZER"]),
    ("Kurmanji î û ç ş", ["alîkarî çûn şev", "alikari cun sev"]),
    ("Turkish dotless and dotted i", ["İLAÇ", "ılaç", "ilac"]),
    ("Turkish ğ ö ü", ["göç öğüt", "goc ogut"]),
    ("letters held down", ["heeeelp", "help"]),
    ("the Arabic article", ["المحامي", "محامي", "والمحامي"]),
]


@pytest.mark.parametrize(("rule", "spellings"), SAME_KEY, ids=[r for r, _ in SAME_KEY])
def test_spellings_people_type_fold_to_one_key(rule: str, spellings: list[str]) -> None:
    keys = {tuple(tokens(s)) for s in spellings}
    assert len(keys) == 1, (rule, keys)
    assert next(iter(keys)), rule


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [("lawyer", "lawer", True), ("lawyer", "lawyre", True), ("asylum", "asylym", True),
     ("parezer", "parezr", True), ("avukat", "avuakt", True), ("lawyer", "player", False),
     ("abc", "xyz", False), ("help", "hello", False)],
)
def test_one_edit_is_a_typo_two_are_another_word(a: str, b: str, near: bool) -> None:
    assert within_one_edit(a, b) is near


def test_folding_never_reaches_a_screen() -> None:
    assert fold("پارێزەر") != "پارێزەر"  # lossy on purpose: for matching only


# --------------------------------------------------------------------------- matching

LEGAL_IN_KR = [
    ("en", "lawyer"), ("en", "I need a lawyer"), ("en", "LAWYERS"), ("en", "lawer"),
    ("en", "legal aid"),
    ("ar", "محامي"), ("ar", "محامى"), ("ar", "المحامي"), ("ar", "مُحامٍ"), ("ar", "بدي محامي"),
    ("ar", "مساعده قانونيه"),
    ("ckb", "پارێزەر"), ("ckb", "پاریزەر"), ("ckb", "پارێزەرێک"), ("ckb", "پارێزەرەکەم"),
    ("ckb", "هاوكاری یاسایی"),
    ("ku", "parêzer"), ("ku", "parezer"), ("ku", "parêzerek"), ("ku", "parezr"),
    ("ku-Arab", "هاریکاریا یاسایی"), ("ku-Arab", "پارێزەر"),
    ("tr", "avukat"), ("tr", "avukata"), ("tr", "avuakt"), ("tr", "adli yardim"),
]


@pytest.mark.parametrize(("lang", "query"), LEGAL_IN_KR)
def test_a_legal_aid_resource_comes_first_in_the_kurdistan_region(
    lang: str, query: str, shipped_directory: Directory
) -> None:
    found = search(shipped_directory, query, "iq-kr")
    assert found.outcome is Answer.FOUND, (lang, query)
    first = found.hits[0]
    assert first.kind == "resource"
    assert "legal" in shipped_directory.resources[first.id].categories


TOPICS = [
    ("asylum", ["asylum", "refugee", "لجوء", "لاجى", "اعادة التوطين", "پەنابەر", "penaber",
                "mülteci", "multeci"]),
    ("gbv", ["domestic violence", "عنف اسري", "توندوتیژی", "tundî", "şiddet"]),
    ("digital", ["hacked", "my account was hacked", "اختراق", "hesabım çalındı"]),
    ("lgbtiq", ["gay", "مثلي", "هاوڕەگەزخواز", "hevzayend", "eşcinsel"]),
    ("family", ["missing", "مفقود", "Xaça Sor", "kayıp"]),
    ("safety-telegram", ["telegram", "secret chat", "تيليجرام"]),
]


@pytest.mark.parametrize(("category", "queries"), TOPICS, ids=[c for c, _ in TOPICS])
def test_words_of_every_language_find_their_topic(
    category: str, queries: list[str], shipped_directory: Directory
) -> None:
    for query in queries:
        found = search(shipped_directory, query, None)
        assert found.outcome is Answer.FOUND, query
        assert found.category == category, (query, found.category)
        entries = [shipped_directory.resources.get(h.id) or shipped_directory.guides[h.id]
                   for h in found.hits]
        assert category in entries[0].categories, query


DANGER = [
    ("ar", "خطر", Danger.GENERAL), ("ar", "أنا في خطر", Danger.GENERAL),
    ("en", "HELP ME!!", Danger.GENERAL), ("en", "heeelp me", Danger.GENERAL),
    ("en", "I want to die", Danger.SELF_HARM), ("ar", "نجدة", Danger.GENERAL),
    ("ar", "النجدة", Danger.GENERAL), ("ar", "ساعدوووني", Danger.GENERAL),
    ("ckb", "فریام کەون", Danger.GENERAL), ("ku", "alîkariya min bikin", Danger.GENERAL),
    ("ku", "xwekuştinê", Danger.SELF_HARM), ("tr", "imdat", Danger.GENERAL),
    ("tr", "ölmek istiyorum", Danger.SELF_HARM), ("en", "they will kill me", Danger.THREAT),
    ("ar", "انتحار", Danger.SELF_HARM), ("ku-Arab", "دێ من کوژن", Danger.THREAT),
    ("en", "my husband beats me", Danger.VIOLENCE), ("ar", "يبتزني", Danger.BLACKMAIL),
]


@pytest.mark.parametrize(("lang", "query", "kind"), DANGER)
def test_danger_answers_with_the_emergency_screen(
    lang: str, query: str, kind: Danger, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    found = search(shipped_directory, query, "iq-kr")
    assert found.outcome is Answer.DANGER and found.danger is kind, (lang, query)
    view = View(shipped_directory, catalogs, catalogs.get("en"), UserState("en", "iq-kr"))
    screen = search_screens.results(view, found)
    assert screen.urgent and screen.text.startswith("🚨")
    assert "911" in screen.text


@pytest.mark.parametrize("lang", SHIPPED)
def test_danger_is_heard_in_a_message_too_long_or_too_private_to_search(
    lang: str, shipped_directory: Directory
) -> None:
    for said in WRITTEN[lang].values():
        for query in (f"{said} 0750 123 4567", said + " …" * MAX_QUERY_CHARS):
            assert refused(query)
            found = search(shipped_directory, query, "iq-kr")
            assert found.outcome is Answer.DANGER, query


def test_danger_inside_a_request_still_shows_what_was_asked_below_it(
    shipped_directory: Directory, catalogs: Catalogs
) -> None:
    query = "they threaten to kill me, how do I register with UNHCR"
    found = search(shipped_directory, query, "iq-kr")
    assert found.outcome is Answer.DANGER and found.danger is Danger.THREAT
    assert found.category == "asylum"
    view = View(shipped_directory, catalogs, catalogs.get("en"), UserState("en", "iq-kr"))
    labels = [b.label for b in search_screens.results(view, found).buttons()]
    assert any("UNHCR" in label for label in labels)


CRY_BESIDE_A_TOPIC = [
    ("en", "help me find a lawyer", "legal"), ("en", "help me with registration", "asylum"),
    ("ar", "ساعدوني بدي محامي", "legal"), ("ar", "ساعدني بالتسجيل في المفوضية", "asylum"),
    ("ckb", "یارمەتیم بدەن پارێزەرم دەوێت", "legal"),
    ("ku", "alîkariya min bikin, parêzerek dixwazim", "legal"),
    ("ku-Arab", "هاریکاریا من بکەن، پارێزەرەک دڤێت", "legal"),
]


@pytest.mark.parametrize(("lang", "query", "category"), CRY_BESIDE_A_TOPIC)
def test_a_cry_for_help_beside_a_topic_gets_the_topic_with_emergency_first(
    lang: str, query: str, category: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    found = search(shipped_directory, query, "iq-kr")
    assert found.outcome is Answer.FOUND and found.urgent, (lang, query)
    assert found.category == category and found.danger is Danger.GENERAL
    view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, "iq-kr"))
    first = search_screens.results(view, found).buttons()[0]
    assert first.action == Action(Kind.EMERGENCY)


@pytest.mark.parametrize(("lang", "query"), [
    ("en", "I need a lawyer"), ("en", "domestic violence"), ("ar", "أحتاج محامي"),
    ("ar", "خطر في بالي سؤال"), ("ckb", "پارێزەرم دەوێت"), ("ckb", "توندوتیژی خێزانی"),
    ("ku", "kuştina kêzikan"), ("ku", "parêzerek dixwazim"), ("ku-Arab", "هاریکاریا یاسایی"),
])
def test_ordinary_requests_are_not_answered_as_danger(
    lang: str, query: str, shipped_directory: Directory
) -> None:
    found = search(shipped_directory, query, "iq-kr")
    assert found.outcome is not Answer.DANGER and found.danger is None, (lang, query)


@pytest.mark.parametrize(
    ("query", "outcome"),
    [("police station", Answer.FOUND), ("adli yardım", Answer.FOUND),
     ("هاریکاریا یاسایی", Answer.FOUND), ("یارمەتی یاسایی", Answer.EMERGENCY)],
)
def test_help_beside_a_topic_gives_the_topic_with_emergency_first(
    query: str, outcome: Answer, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    found = search(shipped_directory, query, "iq-kr")
    assert found.outcome is outcome and found.category == "legal"
    view = View(shipped_directory, catalogs, catalogs.get("en"), UserState("en", "iq-kr"))
    actions = [b.action for b in search_screens.results(view, found).buttons()]
    legal = actions.index(Action(Kind.RESOURCE, "kwu-panawar", "legal"))
    assert any(a is not None and a.kind is Kind.EMERGENCY for a in actions[:1]) or (
        outcome is Answer.EMERGENCY  # the Emergency screen itself, legal aid below its numbers
    )
    assert legal > 0


@pytest.mark.parametrize("query", ["ambulance", "police", "call the police", "إسعاف", "اسعاف",
                                   "911", "پۆلیس", "شرطة"])
def test_emergency_words_open_the_emergency_screen(
    query: str, shipped_directory: Directory
) -> None:
    assert search(shipped_directory, query, "iq-kr").outcome is Answer.EMERGENCY


REFUSED = ["+964 750 123 4567", "07501234567", "٠٧٥٠١٢٣٤٥٦٧", "my number is 0750 123 45 67",
           "36.1901, 44.0091", "https://maps.app.goo.gl/abc", "me@example.org",
           "lawyer " * 40, "محامي " * 60]


@pytest.mark.parametrize("query", REFUSED)
def test_phone_numbers_places_links_and_long_messages_are_not_searched(
    query: str, shipped_directory: Directory
) -> None:
    assert search(shipped_directory, query, "iq-kr").outcome is Answer.REFUSED


@pytest.mark.parametrize("query", ["xyzzy", "hello", "qwertyuiop asdf", "!!!", "   "])
def test_nothing_found_gets_the_kind_reply_with_the_topics(
    query: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    found = search(shipped_directory, query, "iq-kr")
    assert found.outcome is Answer.NOTHING
    view = View(shipped_directory, catalogs, catalogs.get("en"), UserState("en", "iq-kr"))
    screen = search_screens.results(view, found)
    assert "I did not find that." in screen.text
    targets = {b.action.target for b in screen.buttons() if b.action}
    assert {c.id for c in shipped_directory.categories_for("iq-kr")} <= targets


def test_at_most_eight_results_best_first(shipped_directory: Directory) -> None:
    found = search(shipped_directory, "telegram", None)
    assert 0 < len(found.hits) <= MAX_RESULTS
    assert all(h.kind == "guide" for h in found.hits)


def test_results_are_only_for_the_persons_place(shipped_directory: Directory) -> None:
    for region in ("iq-kr", "lb", "tr"):
        for hit in search(shipped_directory, "asylum", region).hits:
            entry = shipped_directory.resources.get(hit.id) or shipped_directory.guides[hit.id]
            assert region in entry.regions or "global" in entry.regions


def test_words_matched_but_never_shown_find_help_in_neutral_words(
    shipped_directory: Directory, catalogs: Catalogs
) -> None:
    lgbtiq = shipped_directory.categories["lgbtiq"]
    hidden = [w for w in lgbtiq.keywords["ar"] if w in ("شاذ", "لوطي", "shaz")]
    assert len(hidden) == 3
    for word in hidden:
        found = search(shipped_directory, word, "iq-fed")
        assert found.category == "lgbtiq"
        for lang in ("ar", "en"):
            view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang))
            screen = search_screens.results(view, found)
            shown = screen.text + " ".join(b.label for b in screen.buttons())
            assert word not in shown


def test_admins_keep_keywords_in_the_directory_and_danger_is_heard_without_them() -> None:
    text = (DATA / "directory.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - id: asylum\n",
        '  - id: asylum\n    keywords: {en: ["zebracorn"], tr: ["mülteci"]}\n', 1
    )
    directory = parse_directory(text)
    assert search(directory, "zebracorn", None).category == "asylum"
    assert search(directory, "multeci", None).category == "asylum"
    assert search(directory, "خطر", None).outcome is Answer.DANGER


def test_a_danger_list_in_the_directory_is_refused_with_where_the_words_live() -> None:
    text = (DATA / "directory.yaml").read_text(encoding="utf-8")
    old_format = text.replace(
        "    emergency: true\n", '    emergency: true\n    danger: {ar: ["خطر"]}\n', 1
    )
    with pytest.raises(DirectoryError) as error:
        parse_directory(old_format)
    assert "danger" in str(error.value) and "locales/danger.yaml" in str(error.value)


# --------------------------------------------------------------------------- one index

def test_a_reload_swaps_the_directory_and_its_index_together(tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text((ROOT / "resources.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    reloader = Reloader.start_with(path, reader=KeptReader())
    before = reloader.loaded
    assert before.index.search("zebracorn", None, NO_WORDS).outcome is Answer.NOTHING
    text = path.read_text(encoding="utf-8").replace(
        '      en: ["lawyer", ', '      en: ["zebracorn", "lawyer", ', 1)
    path.write_text(text, encoding="utf-8")
    assert asyncio.run(reloader.reload()).changed
    after = reloader.loaded
    assert after.directory is not before.directory and after.index is not before.index
    assert after.index.search("zebracorn", None, NO_WORDS).category == "legal"
    assert before.index.search("zebracorn", None, NO_WORDS).outcome is Answer.NOTHING


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=0, max_size=300))
def test_any_text_gives_a_clean_answer_within_telegrams_limits(
    text: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    found = search(shipped_directory, text, "iq-kr")
    assert len(found.hits) <= MAX_RESULTS
    view = View(shipped_directory, catalogs, catalogs.get("ckb"), UserState("ckb", "iq-kr"))
    screen = search_screens.results(view, found)
    assert 0 < len(screen.text) <= 4096
    assert all(b.action is not None for b in screen.buttons())
    if len(text.strip()) > 3:
        assert text.strip() not in screen.text


def test_console_searches_typed_words(shipped_directory: Directory, catalogs: Catalogs) -> None:
    console = Console(shipped_directory, catalogs, UserState("ckb", "iq-kr"))
    screen = console.handle("پارێزەر")
    assert screen is not None
    first = screen.buttons()[0]
    assert first.action == Action(Kind.RESOURCE, "kwu-panawar", "legal")
    name = shipped_directory.resources["kwu-panawar"].name["ckb"]
    assert BIDI.sub("", first.label) == name  # its Latin run isolated
    opened = console.handle("1")
    assert opened is not None and name in BIDI.sub("", opened.text)


# --------------------------------------------------------------------------- the core

def test_the_core_searches_typed_text_and_counts_only_found_or_not(
    shipped_directory: Directory, catalogs: Catalogs
) -> None:
    ctx = core.Context.of(shipped_directory, catalogs, danger=shipped_danger_words())
    state = UserState("ar", "iq-kr")
    def counted(outcome: core.Decision) -> list[object]:
        return [e for e in outcome.effects if isinstance(e, CountSearch | CountView)]

    found = core.decide(ctx, state, core.Text("محامي"))
    assert counted(found) == [CountSearch(True)] and found.state == state
    assert found.screen.buttons()[0].action == Action(Kind.RESOURCE, "kwu-panawar", "legal")
    missed = core.decide(ctx, state, core.Text("xyzzy"))
    assert counted(missed) == [CountSearch(False)]
    checked = core.decide(ctx, state, core.Text("+964 750 123 4567"))  # "is this real?"
    assert counted(checked) == [CountView("check")]
    unknown = core.decide(ctx, state, core.Text())
    assert counted(unknown) == [] and "أعمل بالأزرار فقط" in unknown.screen.text
    first_time = core.decide(ctx, UserState(), core.Text("lawyer"))
    assert all(not isinstance(e, CountSearch) for e in first_time.effects)
    assert "محامي" not in repr(core.Text("محامي"))


def test_discreet_mode_masks_what_search_shows_as_the_menus_do(
    shipped_directory: Directory, catalogs: Catalogs
) -> None:
    from bot.config import shipped_locales
    from bot.i18n.sensitive import load_terms

    ctx = core.Context.of(shipped_directory, catalogs, terms=load_terms(shipped_locales()),
                          danger=shipped_danger_words())
    for lang, query in (("en", "gay"), ("ar", "مثلي"), ("en", "domestic violence")):
        shown = core.decide(ctx, UserState(lang, "iq-fed", discreet=True), core.Text(query))
        labels = " ".join(b.label for b in shown.screen.buttons())
        assert "LGBT" not in labels and "🏳️‍🌈" not in labels and "مجتمع الميم" not in labels
        assert "violence" not in labels.lower(), labels
        plain = core.decide(ctx, UserState(lang, "iq-fed"), core.Text(query))
        assert len(plain.screen.buttons()) == len(shown.screen.buttons())
        assert labels != " ".join(b.label for b in plain.screen.buttons())  # it did mask


# --------------------------------------------------------------------------- through Telegram

@pytest.fixture
async def shipped(tmp_path: Path) -> AsyncIterator[Harness]:
    shutil.copy(ROOT / "resources.yaml", tmp_path / "resources.yaml")
    async with running_harness(make_settings(tmp_path, flood_updates=1000)) as h:
        yield h


async def _person_in(harness: Harness, lang: str, region: str, user_id: int) -> dict[str, object]:
    person = user(user_id, lang)
    await harness.send("/start", person)
    await harness.press(Action(Kind.SET_LANGUAGE, lang).encode(), person)
    await harness.press(Action(Kind.SET_REGION, region).encode(), person)
    return person


@pytest.mark.parametrize(
    ("lang", "query"),
    [("en", "lawyer"), ("ar", "محامي"), ("ckb", "پارێزەر"), ("ku", "parêzer"),
     ("en", "avukat"), ("ar", "محامى"), ("ckb", "پاریزەر"), ("en", "lawer")],
)
async def test_typed_words_find_legal_aid_first_through_telegram(
    shipped: Harness, lang: str, query: str
) -> None:
    person = await _person_in(shipped, lang, "iq-kr", 5001)
    await shipped.send(query, person)
    reply = shipped.screen(5001)
    assert query not in reply["text"]  # never echoed
    first = buttons(reply)[0]
    card = shipped.bot.reloader.current.resources["kwu-panawar"]
    name = card.name.get(lang, card.name["en"])
    assert BIDI.sub("", first["text"]) == name  # its Latin run isolated
    await shipped.tap(first["text"], person)
    assert name in BIDI.sub("", shipped.screen(5001)["text"])


async def test_what_a_search_found_is_not_kept_in_the_keyboard_cache(shipped: Harness) -> None:
    person = await _person_in(shipped, "en", "iq-kr", 5006)
    before = keyboard.cache_info()
    for query in ("lawyer", "gay", "خطر", "xyzzy"):
        await shipped.send(query, person)
    after = keyboard.cache_info()
    assert (after.hits, after.misses, after.currsize) == (
        before.hits, before.misses, before.currsize
    )


async def test_danger_word_through_telegram_shows_the_emergency_screen_first(
    shipped: Harness,
) -> None:
    person = await _person_in(shipped, "ar", "iq-kr", 5002)
    await shipped.send("خطر", person)
    reply = shipped.screen(5002)
    assert BIDI.sub("", reply["text"]).startswith("🚨") and "911" in reply["text"]
    sent = shipped.fake.called("sendMessage")[-1]
    assert sent.params["chat_id"] == 5002


@pytest.mark.parametrize("text", ["ا" * 500, "x " * 250])
async def test_a_long_message_gets_the_kind_reply(
    shipped: Harness, text: str
) -> None:
    person = await _person_in(shipped, "en", "iq-kr", 5003)
    await shipped.send(text, person)
    reply = shipped.screen(5003)
    assert reply["text"].startswith("I did not find that.")
    assert "Nothing you type is kept." in reply["text"]
    assert any("callback_data" in b for b in buttons(reply))


async def test_searches_are_counted_only_as_found_or_not(shipped: Harness) -> None:
    person = await _person_in(shipped, "en", "iq-kr", 5004)
    for text in ("lawyer", "xyzzy", "+964 750 123 4567", "danger"):
        await shipped.send(text, person)
    store = shipped.bot.store
    assert store is not None
    counted = {m: v for day in (await store.totals.stats(1)).values() for m, v in day.items()}
    assert counted["search"] == {"found": 2, "not found": 1}
    assert counted["view"]["check"] == 1  # the number: looked up, counted as a look-up only


async def test_a_reload_brings_new_keywords_into_search(shipped: Harness) -> None:
    person = await _person_in(shipped, "en", "iq-kr", 5005)
    await shipped.send("zebracorn", person)
    assert shipped.screen(5005)["text"].startswith("I did not find that.")
    text = shipped.resources.read_text(encoding="utf-8")
    text = text.replace('      en: ["lawyer", ', '      en: ["zebracorn", "lawyer", ', 1)
    shipped.resources.write_text(text, encoding="utf-8")
    outcome = await shipped.bot.reloader.reload()
    assert outcome.changed
    await shipped.send("zebracorn", person)
    assert buttons(shipped.screen(5005))[0]["text"].startswith("Kurdistan Women's Union")
