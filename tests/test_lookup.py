""""Is this real?": a number, link or username sent to the bot, looked up in the directory,
through the real Application, SQLite and the shipped directory; nothing of it kept."""

from __future__ import annotations

import io
import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.core.callbacks import Action, Kind, decode
from bot.directory.contacts import read_number
from bot.directory.model import in_language
from bot.directory.queries import SCAM_CATEGORY, check
from bot.loading.reader import InProcessReader
from bot.loading.reloader import load_directory
from bot.ops.logs import setup_logging
from bot.screens.results import IN_LIST, KNOWN_FAKE, NOT_IN_LIST, OTHERS_NOT_IN_LIST
from tests.conftest import ROOT, Harness, make_settings, running_harness
from tests.fakes import buttons, user
from tests.langs import SHIPPED
from tests.tdlib import parse_html, without_marks
from tests.written import WRITTEN

# kwu-panawar's number in resources.yaml ("07502008179", read from kirkuknow.com), as people
# write it: local, international, without the +, with 00, in Arabic-Indic and Persian digits.
LISTED_FORMS = ["0750 200 8179", "+964 750 200 8179", "9647502008179", "00964 750 200 8179",
                "٠٧٥٠ ٢٠٠ ٨١٧٩", "۰۷۵۰۲۰۰۸۱۷۹", "Is +964 750 200 8179 real?"]
UNKNOWN = "0750 000 0000"  # a fake-looking number no entry has
FAKE = "+964 750 000 0001"  # listed below as a known fake, in a copy of the directory
FAKE_SOURCE = "https://help.unhcr.org/iraq/en/"


@pytest.fixture
async def shipped(tmp_path: Path) -> AsyncIterator[Harness]:
    text = (ROOT / "resources.yaml").read_text(encoding="utf-8")
    fakes = (f'known_fakes:\n  - {{value: "{FAKE}", source: "{FAKE_SOURCE}"}}\n'
             f'  - {{value: "@unhcr_resettlement_help", source: "{FAKE_SOURCE}"}}\n')
    (tmp_path / "resources.yaml").write_text(text + fakes, encoding="utf-8")
    async with running_harness(make_settings(tmp_path, flood_updates=1000)) as h:
        yield h


async def _person(h: Harness, lang: str, user_id: int, discreet: bool = False) -> dict[str, Any]:
    person = user(user_id, lang)
    await h.send("/start", person)
    await h.press(Action(Kind.SET_LANGUAGE, lang).encode(), person)
    await h.press(Action(Kind.SET_REGION, "iq-kr").encode(), person)
    if discreet:
        await h.press(Action(Kind.SET_DISCREET, "1").encode(), person)
    return person


def _read(h: Harness, chat_id: int) -> str:
    """The last screen as the person reads it, direction marks aside."""
    return without_marks(parse_html(h.screen(chat_id)["text"]).text)


def _ui(h: Harness, lang: str, message: str, **values: str) -> str:
    return without_marks(h.bot.catalogs.get(lang).gettext(message).format(**values))


def _opens(h: Harness, chat_id: int) -> list[Action]:
    found = (decode(b.get("callback_data")) for b in buttons(h.screen(chat_id)))
    return [action for action in found if action is not None]


def _followed_by_the_scam_guide(h: Harness, lang: str, chat_id: int) -> None:
    directory = h.bot.reloader.current
    guides = directory.guides_for("iq-kr", SCAM_CATEGORY)
    t = h.bot.catalogs.get(lang)
    assert without_marks(in_language(guides[0].answer, t.fallback)) in _read(h, chat_id)
    opens = _opens(h, chat_id)
    assert Action(Kind.CATEGORY, SCAM_CATEGORY) in opens
    assert Action(Kind.GUIDE, guides[1].id, SCAM_CATEGORY) in opens


@pytest.mark.parametrize("lang", SHIPPED)
async def test_every_form_of_a_listed_number_finds_the_same_entry(
    shipped: Harness, lang: str
) -> None:
    person = await _person(shipped, lang, 6001)
    panawar = shipped.bot.reloader.current.resources["kwu-panawar"]
    name = in_language(panawar.name, shipped.bot.catalogs.get(lang).fallback)
    for written in LISTED_FORMS:
        await shipped.send(written, person)
        read = _read(shipped, 6001)
        assert _ui(shipped, lang, IN_LIST, name=name) in read, written
        assert "kirkuknow.com" in read  # where the entry comes from, and that no call confirmed it
        assert any(a.kind is Kind.RESOURCE and a.target == "kwu-panawar"
                   for a in _opens(shipped, 6001)), written
        assert _ui(shipped, lang, NOT_IN_LIST) not in read
        _followed_by_the_scam_guide(shipped, lang, 6001)


@pytest.mark.parametrize("lang", SHIPPED)
async def test_an_unknown_number_is_not_in_our_list_and_the_scam_guide_follows(
    shipped: Harness, lang: str
) -> None:
    person = await _person(shipped, lang, 6002)
    for written in (UNKNOWN, "https://help-unhcr-resettlement.org/apply", "@unhcr_iraq_visa"):
        await shipped.send(written, person)
        read = _read(shipped, 6002)
        assert _ui(shipped, lang, NOT_IN_LIST) in read, written
        assert _ui(shipped, lang, IN_LIST, name="").rstrip() not in read
        assert UNKNOWN not in read and "help-unhcr" not in read  # nothing sent is echoed
        _followed_by_the_scam_guide(shipped, lang, 6002)


@pytest.mark.parametrize("lang", SHIPPED)
async def test_a_known_fake_answers_known_fake_with_its_source(
    shipped: Harness, lang: str
) -> None:
    person = await _person(shipped, lang, 6003)
    for written in ("0750 000 0001", "+9647500000001", "@UNHCR_resettlement_help",
                    "https://t.me/unhcr_resettlement_help"):
        await shipped.send(written, person)
        read = _read(shipped, 6003)
        assert _ui(shipped, lang, KNOWN_FAKE, source="help.unhcr.org") in read, written
        assert _ui(shipped, lang, NOT_IN_LIST) not in read
        assert "0001" not in read and "resettlement_help" not in read  # never one tap away
        _followed_by_the_scam_guide(shipped, lang, 6003)


@pytest.mark.parametrize("lang", SHIPPED)
async def test_a_listed_link_and_a_page_under_it_are_in_our_list(
    shipped: Harness, lang: str
) -> None:
    person = await _person(shipped, lang, 6004)
    for written in ("https://help.unhcr.org/syria/", "help.unhcr.org/syria/en/contact-us"):
        await shipped.send(written, person)
        assert any(a.kind is Kind.RESOURCE for a in _opens(shipped, 6004)), written
        assert _ui(shipped, lang, NOT_IN_LIST) not in _read(shipped, 6004)


@pytest.mark.parametrize("lang", SHIPPED)
async def test_in_discreet_mode_a_telling_name_is_not_shown(shipped: Harness, lang: str) -> None:
    person = await _person(shipped, lang, 6005, discreet=True)
    await shipped.send("0545 340 82 12", person)  # Kaos GL's refugee programme, in Türkiye
    kaos = shipped.bot.reloader.current.resources["kaosgl-refugee"]
    read = _read(shipped, 6005)
    labels = " ".join(b["text"] for b in buttons(shipped.screen(6005)))
    for name in kaos.name.values():
        assert name not in read and name not in labels
    assert any(a.kind is Kind.RESOURCE and a.target == "kaosgl-refugee"
               for a in _opens(shipped, 6005))
    assert _ui(shipped, lang, NOT_IN_LIST) not in read


# The number as people type it: Arabic-Indic digits in Arabic and Eastern ones in Sorani.
BESIDE = {"en": "0750 000 0000", "ar": "٠٧٥٠ ٠٠٠ ٠٠٠٠", "ckb": "۰۷۵۰ ۰۰۰ ۰۰۰۰",
          "ku": "0750 000 0000", "ku-Arab": "٠٧٥٠ ٠٠٠ ٠٠٠٠"}


@pytest.mark.parametrize("lang", SHIPPED)
async def test_danger_is_answered_first_even_beside_a_number(shipped: Harness, lang: str) -> None:
    person = await _person(shipped, lang, 6006)
    await shipped.send(f"{WRITTEN[lang]['violence']} {BESIDE[lang]}", person)
    screen = shipped.screen(6006)
    assert any(a.kind is Kind.RESOURCE for a in _opens(shipped, 6006))
    assert _ui(shipped, lang, NOT_IN_LIST) not in _read(shipped, 6006), screen["text"]


async def test_nothing_looked_up_reaches_the_disk_the_log_or_a_cache(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shutil.copy(ROOT / "resources.yaml", tmp_path / "resources.yaml")
    log = io.StringIO()
    setup_logging("INFO", stream=log)
    caplog.set_level(logging.DEBUG, logger="bot")
    sent = [*LISTED_FORMS, UNKNOWN, "+964 771 234 5678", "https://help-unhcr.example.org/x",
            "@penah_canary_check"]
    try:
        async with running_harness(make_settings(tmp_path, flood_updates=1000)) as h:
            person = await _person(h, "ar", 6007)
            cached = read_number.cache_info().currsize
            for written in sent:
                await h.send(written, person)
            assert read_number.cache_info().currsize == cached  # no number read was kept
            assert h.bot.store is not None
            await h.bot.store.flush()
            views = {v for day in (await h.bot.store.totals.stats(1)).values()
                     for m, values in day.items() if m == "view" for v in values}
            assert "check" in views  # a look-up is counted, as a look-up and nothing more
    finally:
        setup_logging("INFO")
    needles = ["7502008179", "750 200 8179", "٧٥٠", "۷۵۰", "7500000000", "7712345678",
               "771 234 5678", "help-unhcr", "penah_canary_check", "kirkuknow", "kwu-panawar"]
    written_files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert {p.name for p in written_files} >= {"penah.sqlite3"}
    for path in written_files:
        content = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in content, (path.name, needle)
            assert needle.encode("utf-16-le") not in content, (path.name, needle)
    logged = log.getvalue() + "\n".join(r.getMessage() for r in caplog.records)
    for needle in needles:
        assert needle not in logged, needle


def test_check_names_file_line_and_field_of_a_bad_known_fake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "resources.yaml").read_text(encoding="utf-8")
    at = text.count("\n") + 1
    bad = tmp_path / "resources.yaml"
    bad.write_text(text + 'known_fakes:\n  - {value: "0750 000 0000", source: "https://x.org/a"}\n'
                   '  - {value: "@unhcr_fake_help", source: "unhcr.org"}\n', encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:{at + 1}:13: known_fakes[0].value: a known fake is a phone number with " \
           "its country code" in err
    assert f"{bad}:{at + 2}:" in err and "known_fakes[1].source: the page's full address" in err


def test_check_warns_of_a_known_fake_that_is_also_a_listed_contact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "resources.yaml").read_text(encoding="utf-8")
    both = tmp_path / "resources.yaml"
    both.write_text(text + 'known_fakes:\n  - {value: "+964 750 200 8179", '
                    'source: "https://x.org/a"}\n', encoding="utf-8")
    assert main(["check", str(both)]) == 0
    assert ("warning: conflict: known fake '+964 750 200 8179' is also a contact of kwu-panawar"
            in capsys.readouterr().out)


def test_known_fakes_may_stand_in_their_own_file_of_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "directory"
    folder.mkdir()
    shutil.copy(ROOT / "resources.yaml", folder / "resources.yaml")
    (folder / "fakes.yaml").write_text(
        f'known_fakes:\n  - {{value: "{FAKE}", source: "{FAKE_SOURCE}"}}\n', encoding="utf-8")
    directory = load_directory(folder, InProcessReader())
    found = check(directory.lookup, "0750 000 0001")
    assert found is not None and [f.value for f in found.fakes] == [FAKE]


MOVED_ALERT = "The office moved; call before you go."


def _name(h: Harness, lang: str, resource: str) -> str:
    found = h.bot.reloader.current.resources[resource]
    return in_language(found.name, h.bot.catalogs.get(lang).fallback)


@pytest.mark.parametrize("lang", SHIPPED)
async def test_a_listed_line_that_moved_or_changed_its_number_says_so(
    tmp_path: Path, lang: str
) -> None:
    text = (ROOT / "resources.yaml").read_text(encoding="utf-8")
    start = text.index("  - id: kwu-panawar\n")
    moved = text[start:].replace("    operator: other\n", "    operator: other\n    status: moved\n"
                                 f"    alert: {{text: {{en: {MOVED_ALERT}}}}}\n", 1).replace(
        '        value: "07502008179"\n',
        '        value: "07502008179"\n        status: number_changed\n', 1)
    (tmp_path / "resources.yaml").write_text(text[:start] + moved, encoding="utf-8")
    async with running_harness(make_settings(tmp_path, flood_updates=1000)) as h:
        person = await _person(h, lang, 6008)
        await h.send("+964 750 200 8179", person)
        read = _read(h, 6008).split("\n")
        listed = read.index("✅ " + _ui(h, lang, IN_LIST, name=_name(h, lang, "kwu-panawar")))
        notes = read[listed + 1 : listed + 4]
        assert notes == ["⚠️ " + _ui(h, lang, "Moved"), f"📢 {MOVED_ALERT}",
                         "⚠️ " + _ui(h, lang, "Number changed")], read



@pytest.mark.parametrize("lang", SHIPPED)
async def test_in_discreet_mode_a_masked_lines_site_is_not_shown_either(
    shipped: Harness, lang: str
) -> None:
    person = await _person(shipped, lang, 6009, discreet=True)
    await shipped.send("0545 340 82 12", person)  # Kaos GL, whose site is kaosgl.org
    assert "kaosgl" not in shipped.screen(6009)["text"].casefold()
    assert _ui(shipped, lang, "Contact {n}", n="1") in _read(shipped, 6009)  # its card, a tap away
    await _person(shipped, lang, 6010)
    await shipped.send("0545 340 82 12", user(6010, lang))  # not discreet: the site is shown
    assert "kaosgl.org" in _read(shipped, 6010)


# (what is sent, listed entries it names, whether something in it is not in our list)
ODD_MESSAGES: list[tuple[str, list[str], bool]] = [
    ("https://help.unhcr.org@evil.example/apply", [], True),  # opens evil.example
    ("https://evil.example\\@help.unhcr.org/syria/", [], True),  # a browser opens evil.example
    ("0750 200 8179\n0750 000 0000", ["kwu-panawar"], True),  # one a line, as pasted
    ("0750 200 8179 0750 000 0000", ["kwu-panawar"], True),  # side by side
    ("0750 000 0000 / 0545 340 82 12", ["kaosgl-refugee"], True),
    ("https://help.unhcr.org/syria؟", ["unhcr-sy"], False),  # asked with Arabic's "?"
    ("«help.unhcr.org/syria»،", ["unhcr-sy"], False),
    ("(https://help.unhcr.org/syria/)", ["unhcr-sy"], False),
]


@pytest.mark.parametrize("lang", SHIPPED)
async def test_a_link_hiding_its_site_and_numbers_side_by_side_are_answered(
    shipped: Harness, lang: str
) -> None:
    person = await _person(shipped, lang, 6011)
    for written, entries, unknown in ODD_MESSAGES:
        await shipped.send(written, person)
        read = _read(shipped, 6011)
        opened = [a.target for a in _opens(shipped, 6011) if a.kind is Kind.RESOURCE]
        assert opened == entries, (written, read)
        others = OTHERS_NOT_IN_LIST if entries else NOT_IN_LIST
        assert (_ui(shipped, lang, others) in read) is unknown, (written, read)
        assert "evil" not in read and "0000" not in read  # nothing sent is echoed
