from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from babel.support import Translations

from bot.cli import main
from bot.config import shipped_locales
from bot.i18n import LRI, PDI, Catalogs, isolate_ltr, load_catalogs
from tests.conftest import DATA

SHIPPED = ["en", "ar", "ckb", "ku"]


def copy_locales(tmp_path: Path) -> Path:
    target = tmp_path / "locales"
    shutil.copytree(shipped_locales(), target)
    return target


@pytest.mark.parametrize("code", ["ar", "ckb", "ku"])
def test_every_locale_loads_a_real_catalog(code: str, catalogs: Catalogs) -> None:
    t = catalogs.get(code)
    assert t.code == code
    assert isinstance(t.translations, Translations)
    assert t.gettext("Main menu") != "Main menu"
    assert catalogs.problems == ()


def test_languages_are_offered_in_their_own_names(catalogs: Catalogs) -> None:
    assert catalogs.codes == SHIPPED
    names = [catalogs.get(c).own_name for c in catalogs.codes]
    assert names == ["English", "العربية", "کوردی (سۆرانی)", "Kurdî (Kurmancî)"]
    assert catalogs.get("ar").rtl and catalogs.get("ckb").rtl and not catalogs.get("ku").rtl


def test_arabic_has_six_plural_forms_in_the_right_places(catalogs: Catalogs) -> None:
    t = catalogs.get("ar")
    numbers = (0, 1, 2, 3, 11, 100)
    assert [t.translations.plural(n) for n in numbers] == [0, 1, 2, 3, 4, 5]  # type: ignore[attr-defined]
    forms = {n: t.ngettext("{n} day", "{n} days", n) for n in numbers}
    assert forms[11] == "{n} يومًا" and forms[100] == "{n} يوم" and forms[3] == "{n} أيام"


def test_dates_are_written_in_the_users_language(catalogs: Catalogs) -> None:
    import datetime as dt

    day = dt.date(2026, 11, 1)
    assert catalogs.get("en").date(day) == "November 1, 2026"
    assert "نوفمبر" in catalogs.get("ar").date(day)
    assert "2026" in catalogs.get("ku").date(day)


def test_telegram_language_codes_find_the_closest_catalog(catalogs: Catalogs) -> None:
    assert catalogs.best_match("ar-IQ") == "ar"
    assert catalogs.best_match("ckb") == "ckb"
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
    assert catalogs.codes == [*SHIPPED, "fa"]
    persian_t = catalogs.get("fa")
    assert persian_t.own_name == "فارسی" and persian_t.rtl
    assert persian_t.gettext("Main menu") == "منوی اصلی"
    assert persian_t.gettext("Back") == "Back"  # incomplete: English, message by message


@pytest.mark.parametrize(("broken", "reason"), [
    ('msgid "Back"\nmsgstr "رجوع"\nmsgid "Back"\n', "syntax error"),
    ('msgid "Your place: {place}"\nmsgstr "مكانك: {مكان}"\n', "placeholders"),
    ('msgid "{n} day"\nmsgid_plural "{n} days"\nmsgstr[0] "{n}"\nmsgstr[1] "{n}"\n',
     "2 plural forms, the language has 6"),
])
def test_a_broken_catalog_is_skipped_with_a_logged_reason(
    tmp_path: Path, broken: str, reason: str, caplog: pytest.LogCaptureFixture
) -> None:
    locales = copy_locales(tmp_path)
    po = locales / "ar" / "LC_MESSAGES" / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  + broken, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        catalogs = load_catalogs(locales)
    assert "ar" not in catalogs.translators and "ckb" in catalogs.translators
    assert any(reason in r.getMessage() and str(po) in r.getMessage() for r in caplog.records)


def test_unknown_locale_folder_is_skipped(tmp_path: Path) -> None:
    locales = copy_locales(tmp_path)
    (locales / "zz-nope" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(locales / "ku" / "LC_MESSAGES" / "messages.po",
                locales / "zz-nope" / "LC_MESSAGES" / "messages.po")
    catalogs = load_catalogs(locales)
    assert "zz-nope" not in catalogs.translators
    assert "unknown locale code" in str(catalogs.problems[0])


def test_i18n_report_shows_full_coverage_and_fails_on_broken_catalogs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["i18n", "--resources", str(DATA / "directory.yaml")]) == 0
    out = capsys.readouterr().out
    for code in ("ar", "ckb", "ku"):
        line = next(row for row in out.splitlines() if row.startswith(code + " "))
        done, total = map(int, line.split()[1].split("/"))
        assert done + int(line.split()[3]) == total  # all translated, or marked fuzzy for review
    locales = copy_locales(tmp_path)
    po = locales / "ku" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace("{place}", "{cih}", 1), encoding="utf-8")
    assert main(["i18n", "--locales", str(locales)]) == 1
    assert "placeholders" in capsys.readouterr().out


def test_numbers_links_and_latin_names_are_isolated() -> None:
    text = isolate_ltr("اتصل على +964 750 200 8179 أو https://smex.org/helpdesk/ مع SMEX.")
    assert f"{LRI}+964 750 200 8179{PDI}" in text
    assert f"{LRI}https://smex.org/helpdesk/{PDI}" in text
    assert text.endswith(f"{LRI}SMEX{PDI}.")
