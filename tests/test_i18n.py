from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import shipped_locales
from bot.directory.queries import Directory
from bot.i18n.bidi import LRI, PDI, RLM, isolate_html, mark_label
from bot.i18n.translator import Catalogs, Translator, load_catalogs
from tests.conftest import DATA
from tests.langs import REGISTRY, RTL, SHIPPED, TRANSLATED

WITH_CATALOG = SHIPPED


def copy_locales(tmp_path: Path) -> Path:
    target = tmp_path / "locales"
    shutil.copytree(shipped_locales(), target)
    return target


def registry_translator(code: str) -> Translator:
    """A translator from the registry alone (no catalog needed for dates, lists, names)."""
    import gettext

    return Translator(REGISTRY.languages[code], gettext.NullTranslations(), REGISTRY)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_registered_catalog_loads_and_translates(code: str, catalogs: Catalogs) -> None:
    t = catalogs.get(code)
    assert t.code == code
    assert t.gettext("Main menu") != "Main menu"
    assert catalogs.problems == ()


def test_languages_are_offered_in_the_registry_order_under_their_own_names(
    catalogs: Catalogs,
) -> None:
    assert catalogs.codes == WITH_CATALOG
    for code in catalogs.codes:
        language = REGISTRY.languages[code]
        assert catalogs.get(code).language.name == language.name
        assert catalogs.get(code).rtl == (language.direction == "rtl")
    assert {"ar", "ckb"} <= set(RTL) and "ku" not in RTL


def test_badini_is_kurmanji_in_arabic_script_written_right_to_left() -> None:
    badini = REGISTRY.languages["ku-Arab"]
    assert badini.rtl and badini.script == "Arab" and badini.name == "کوردی (بادینی)"
    assert badini.chain == ("ku-Arab", "ar", "ku", "en")
    t = registry_translator("ku-Arab")
    assert t.date(dt.date(2026, 11, 1)) == "1 چریا دووێ 2026"
    assert t.join_list(["سۆرانی", "کرمانجی", "عەرەبی"]) == "سۆرانی، کرمانجی و عەرەبی"


def test_arabic_has_six_plural_forms_in_the_right_places(catalogs: Catalogs) -> None:
    t = catalogs.get("ar")
    numbers = (0, 1, 2, 3, 11, 100)
    assert [t.translations.plural(n) for n in numbers] == [0, 1, 2, 3, 4, 5]  # type: ignore[attr-defined]
    forms = {n: t.ngettext("{n} day", "{n} days", n) for n in numbers}
    assert forms[11] == "{n} يومًا" and forms[100] == "{n} يوم" and forms[3] == "{n} أيام"


def test_dates_use_the_month_names_of_iraq_syria_lebanon_and_jordan(catalogs: Catalogs) -> None:
    day = dt.date(2026, 11, 1)
    assert catalogs.get("en").date(day) == "November 1, 2026"
    assert "تشرين الثاني" in catalogs.get("ar").date(day)
    assert "نوفمبر" not in catalogs.get("ar").date(day)
    assert "2026" in catalogs.get("ku").date(day)


def test_lists_are_joined_as_each_language_writes_them() -> None:
    items = ["a", "b", "c"]
    assert registry_translator("en").join_list(items) == "a, b, and c"
    assert registry_translator("ckb").join_list(["ئینگلیزی", "عەرەبی", "کرمانجی"]) == (
        "ئینگلیزی، عەرەبی و کرمانجی"
    )
    assert registry_translator("ckb").join_list(["سۆرانی", "کرمانجی"]) == "سۆرانی و کرمانجی"
    assert registry_translator("ar").join_list(["العربية", "الكردية"]) == "العربية والكردية"
    assert registry_translator("ku").join_list(items) == "a, b û c"
    assert registry_translator("ar").join_list([]) == ""


def test_language_names_are_the_ones_speakers_use() -> None:
    ar, ckb = registry_translator("ar"), registry_translator("ckb")
    assert (ar.language_name("ckb"), ar.language_name("ku")) == (
        "الكردية السورانية", "الكردية الكرمانجية"
    )
    assert (ckb.language_name("ckb"), ckb.language_name("ku")) == ("سۆرانی", "کرمانجی")
    assert ar.language_name("tr") == "التركية"  # no Arabic name in the table: CLDR's


def test_a_badini_card_names_every_language_in_arabic_script() -> None:
    """CLDR has no Badini: its "ku" names are Latin-script Kurmanji (tirkî, almanî)."""
    badini = registry_translator("ku-Arab")
    spoken = ["ar", "en", "ckb", "ku", "fa", "tr", "de", "ru", "fr", "so"]
    names = [badini.language_name(code) for code in spoken]
    assert not [name for name in names if any(c.isascii() and c.isalpha() for c in name)]
    assert names[4:] == ["فارسی", "تورکی", "ئەلمانی", "رووسی", "فرەنسی", "سۆمالی"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_caution_of_the_shipped_directory_is_written_in_every_language(
    lang: str, shipped_directory: Directory
) -> None:
    """A caution says who runs a line and who else gets a case: it must not fall back to
    another language (Badini cards once showed these sentences in Arabic)."""
    resources = shipped_directory.data.resources
    missing = [r.id for r in resources if r.caution and lang not in r.caution]
    assert not missing, (lang, missing)


def test_sorani_and_kurmanji_dates_follow_one_month_system_in_the_order_people_write() -> None:
    from bot.directory.provenance import page_date

    ckb, ku = registry_translator("ckb"), registry_translator("ku")
    assert page_date(ckb, "2018-10") == "تشرینی یەکەمی 2018"  # not «2018 تشرینی یەکەم»
    assert ckb.date(dt.date(2024, 12, 1)) == "1ی کانوونی یەکەمی 2024"  # کانوونی, as the texts
    assert page_date(ku, "2024-12") == "Kanûna 2024an"  # Kanûn is December, Çile January
    assert ku.date(dt.date(2015, 5, 5)) == "5ê Gulana 2015an"
    assert page_date(ku, "2020-01") == "Çileya 2020an"


def test_telegram_language_codes_find_the_closest_catalog(catalogs: Catalogs) -> None:
    assert catalogs.best_match("ar-IQ") == "ar"
    assert catalogs.best_match("ckb") == "ckb"
    assert catalogs.best_match("ku-IQ") == "ckb"
    assert catalogs.best_match("ku") == "ku"
    assert catalogs.best_match("de") is None
    assert catalogs.best_match(None) is None


def test_a_dropped_in_catalog_is_offered_by_its_own_name(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    persian = locales / "fa" / "LC_MESSAGES"
    persian.mkdir(parents=True)
    (persian / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Main menu"\nmsgstr "منوی اصلی"\n', encoding="utf-8")
    catalogs = load_catalogs(locales)
    assert catalogs.codes == [*WITH_CATALOG, "fa"]
    persian_t = catalogs.get("fa")
    assert persian_t.language.name == "فارسی" and persian_t.rtl
    assert persian_t.gettext("Main menu") == "منوی اصلی"
    assert persian_t.gettext("Back") == "Back"  # incomplete: English, message by message


def test_a_catalog_gettext_cannot_read_is_skipped_and_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    locales = copy_locales(tmp_path)
    po = locales / "ar" / "LC_MESSAGES" / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Back"\nmsgstr "رجوع"\nmsgid "Back"\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        catalogs = load_catalogs(locales)
    assert "ar" not in catalogs.translators and "ckb" in catalogs.translators
    assert catalogs.get("ar").gettext("Back") == "Back"  # Arabic users still get replies
    assert any("syntax error" in r.getMessage() and str(po) in r.getMessage()
               for r in caplog.records)


@pytest.mark.parametrize(("broken", "reason"), [
    ('msgid "Your place: {place}"\nmsgstr "مكانك: {مكان}"\n', "placeholder"),
    ('msgid "{n} day"\nmsgid_plural "{n} days"\nmsgstr[0] "{n}"\nmsgstr[1] "{n}"\n',
     "2 plural forms, the catalog's Plural-Forms header says 6"),
])
def test_a_broken_message_is_dropped_and_the_rest_of_the_catalog_kept(
    tmp_path: Path, broken: str, reason: str
) -> None:
    locales = copy_locales(tmp_path)
    po = locales / "ar" / "LC_MESSAGES" / "messages.po"
    appended = broken.replace("msgid", 'msgctxt "x"\nmsgid', 1)  # a new entry, not a duplicate
    po.write_text(po.read_text(encoding="utf-8") + "\n" + appended, encoding="utf-8")
    catalogs = load_catalogs(locales)
    assert catalogs.get("ar").gettext("Main menu") != "Main menu"
    assert any(reason in str(p) and str(po) in str(p) for p in catalogs.problems)


def test_unknown_language_folder_is_skipped(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    (locales / "zz-nope" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(locales / "ku" / "LC_MESSAGES" / "messages.po",
                locales / "zz-nope" / "LC_MESSAGES" / "messages.po")
    catalogs = load_catalogs(locales)
    assert "zz-nope" not in catalogs.translators
    assert "unknown language" in str(catalogs.problems[0])


def test_i18n_report_shows_full_coverage_and_fails_on_broken_catalogs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["i18n"]) == 0
    out = capsys.readouterr().out
    for code in TRANSLATED:
        line = next(row for row in out.splitlines() if row.startswith(code + " "))
        done, total = map(int, line.split()[1].split("/"))
        assert done + int(line.split()[3]) == total  # all translated, or marked fuzzy for review
    locales = copy_locales(tmp_path)
    po = locales / "ku" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace("{place}", "{cih}", 1), encoding="utf-8")
    assert main(["i18n", "--locales", str(locales)]) == 1
    assert "placeholders" in capsys.readouterr().out


def test_numbers_links_latin_names_and_commands_are_isolated_whole() -> None:
    text = isolate_html("اتصل على +964 750 200 8179 أو https://smex.org/helpdesk/ مع SMEX.")
    assert f"{LRI}+964 750 200 8179{PDI}" in text
    assert f"{LRI}https://smex.org/helpdesk/{PDI}" in text
    assert text.endswith(f"{LRI}SMEX{PDI}.")
    assert isolate_html("الإعدادات &gt; الخصوصية") == "الإعدادات &gt; الخصوصية"
    assert isolate_html("<b>Settings &gt; Privacy</b>") == (  # one path, read left to right
        f"<b>{LRI}Settings &gt; Privacy{PDI}</b>"
    )
    assert isolate_html("استخدم /forget الآن") == f"استخدم {LRI}/forget{PDI} الآن"
    assert isolate_html("A &amp; B") == f"{LRI}A{PDI} &amp; {LRI}B{PDI}"


def test_right_to_left_button_labels_that_begin_with_latin_start_with_rlm() -> None:
    assert mark_label("SMEX") == f"{RLM}{LRI}SMEX{PDI}"
    assert mark_label("❓ Front Line Defenders") == f"{RLM}❓ {LRI}Front Line Defenders{PDI}"
    assert mark_label("🏠 القائمة الرئيسية") == "🏠 القائمة الرئيسية"
    assert registry_translator("ku").label("SMEX") == "SMEX"


async def test_a_catalog_copied_from_arabic_is_offered_after_reload_under_its_own_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.conftest import make_settings, running_harness
    from tests.fakes import buttons, user

    locales = copy_locales(tmp_path)
    admin, persian_reader = user(999), user(7070, language_code="fa")
    async with running_harness(make_settings(tmp_path, locales=locales)) as h:
        await h.send("/start", persian_reader)
        assert "فارسی" not in [b["text"] for b in buttons(h.screen(7070))]
        persian = locales / "fa" / "LC_MESSAGES"
        persian.mkdir(parents=True)
        arabic = (locales / "ar" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
        (persian / "messages.po").write_text(
            arabic.replace('"Language: ar\\n"', '"Language: fa\\n"'), encoding="utf-8")
        await h.send("/reload", admin)
        await h.send("/start", persian_reader)
        labels = [b["text"] for b in buttons(h.screen(7070))]
        assert labels[0] == "فارسی"  # the client's language first, under its own name
        await h.tap("فارسی", persian_reader)
        assert "كيف يمكنني المساعدة" in h.screen(7070)["text"]  # the main menu, from the copy
        assert h.bot.catalogs.get("fa").ngettext("{n} day", "{n} days", 11) == "{n} يومًا"
    assert main(["i18n", "--locales", str(locales)]) == 0
    out = capsys.readouterr().out
    assert "warning:" in out and "fa/LC_MESSAGES/messages.po" in out and "Plural-Forms" in out


async def test_a_catalog_that_cannot_be_used_is_reported_to_the_admins_on_reload(
    tmp_path: Path,
) -> None:
    from tests.conftest import make_settings, running_harness
    from tests.fakes import user

    locales = copy_locales(tmp_path)
    async with running_harness(make_settings(tmp_path, locales=locales)) as h:
        po = locales / "ckb" / "LC_MESSAGES" / "messages.po"
        po.write_text(po.read_text(encoding="utf-8").replace("{place}", "{place!r}", 1),
                      encoding="utf-8")
        await h.send("/reload", user(999))
        told = [c.params["text"] for c in h.fake.called("sendMessage")
                if int(c.params["chat_id"]) == 999]
        assert any("not used" in text and str(po) in text for text in told)
        sent = len(h.fake.called("sendMessage"))
        await h.send("/reload", user(999))  # the same problem is not repeated
        again = [c for c in h.fake.called("sendMessage")[sent:] if "not used" in c.params["text"]]
        assert again == []


def test_a_badini_catalog_in_its_folder_is_offered_right_to_left_with_its_fallbacks(
    tmp_path: Path,
) -> None:
    from bot.core.callbacks import Action, Kind, decode
    from bot.directory.model import shown_language

    def pick(text: dict[str, str], lang: str) -> tuple[str, bool]:
        shown = shown_language(text, catalogs.get(lang).fallback)
        return text[shown], shown != lang

    locales = copy_locales(tmp_path)
    badini = locales / "ku-Arab" / "LC_MESSAGES"
    if not badini.is_dir():
        badini.mkdir(parents=True)
        (badini / "messages.po").write_text(
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
            '"Language: ku_Arab\\n"\n\nmsgid "Main menu"\nmsgstr "لیستا سەرەکی"\n',
            encoding="utf-8")
    catalogs = load_catalogs(locales)
    t = catalogs.get("ku-Arab")
    assert t.code == "ku-Arab" and t.rtl and t.language.name == "کوردی (بادینی)"
    assert catalogs.best_match("ku-Arab") == "ku-Arab"
    assert decode(Action(Kind.SET_LANGUAGE, target="ku-Arab").encode()) == Action(
        Kind.SET_LANGUAGE, target="ku-Arab")
    text = {"en": "Police", "ar": "الشرطة", "ckb": "پۆلیس", "ku": "Polîs"}
    assert pick(text, "ku-Arab") == ("الشرطة", True)  # Arabic: read by nearly all Badini readers
    assert pick({"en": "Police", "ckb": "پۆلیس", "ku": "Polîs"}, "ku-Arab") == ("Polîs", True)
    assert pick({**text, "ku-Arab": "پولیس"}, "ku-Arab") == ("پولیس", False)


def test_directory_texts_accept_the_script_subtag(tmp_path: Path) -> None:
    from bot.loading.reloader import load_directory

    source = (DATA / "directory.yaml").read_text(encoding="utf-8")
    assert "ku-Arab" not in source
    changed = source.replace("ku: Iraq (federal)}", "ku: Iraq (federal), ku-Arab: عیراق}", 1)
    assert changed != source
    path = tmp_path / "directory.yaml"
    path.write_text(changed, encoding="utf-8")
    directory = load_directory(path)
    assert any("ku-Arab" in text for _, text in directory.texts())


def test_badini_reader_sees_arabic_where_badini_is_missing_and_is_told_so(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    from bot.core.callbacks import Action, Kind
    from bot.core.state import UserState
    from bot.screens import menus as screens
    from bot.screens.menus import View

    if "ku-Arab" not in catalogs.translators:
        pytest.skip("no Badini catalog shipped")
    t = catalogs.get("ku-Arab")
    view = View(small_directory, catalogs, t, UserState("ku-Arab", "iq-fed"))
    card = screens.render(view, Action(Kind.RESOURCE, "unhcr-iq-iic", "asylum"))
    assert "مفوضية اللاجئين" in card.text  # the Arabic text, not the English one
    assert t.language_name("ar") in card.text and "حزیران" in card.text
    assert "shown in English" not in card.text


@pytest.mark.parametrize("code", TRANSLATED)
def test_checked_catalogs_translate_as_gettext_reads_the_whole_mo(code: str) -> None:
    """The checks keep every good message of a shipped catalog, its plural forms and contexts
    included: what is compiled translates as gettext reads the whole catalog as a .mo."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    from bot.i18n.translator import catalog_files, read_catalog

    language = REGISTRY.languages[code]
    path = dict(catalog_files(shipped_locales()))[code]
    reading = read_catalog(path, language.locale, code)
    assert reading.translations is not None and not reading.problems
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language.locale)
    assert "Plural-Forms: nplurals=" in path.read_text(encoding="utf-8")  # the header's own
    mo = io.BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    reference = Translations(fp=mo)
    compiled, checked = reading.translations, 0
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        if message.pluralizable:
            for n in (0, 1, 2, 3, 5, 11, 100, 101):
                args = (ids[0], ids[1], n)
                if message.context:
                    assert compiled.npgettext(message.context, *args) == (
                        reference.npgettext(message.context, *args))
                else:
                    assert compiled.ngettext(*args) == reference.ngettext(*args)
        elif message.context:
            assert compiled.pgettext(message.context, ids[0]) == (
                reference.pgettext(message.context, ids[0]))
        else:
            assert compiled.gettext(ids[0]) == reference.gettext(ids[0])
        checked += 1
    assert checked > 100
