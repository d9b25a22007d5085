"""A translator's catalog is untrusted: it can neither inject markup nor take a language down.

Each attack goes through the real Application (fake Telegram servers only) and `penah i18n`.
"""

from __future__ import annotations

import resource
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import shipped_locales
from bot.i18n.translator import Catalogs, load_catalogs
from tests import tdlib
from tests.conftest import make_settings, running_harness
from tests.fakes import user
from tests.langs import SHIPPED

ARABIC = user(5151, language_code="ar")


def poisoned(tmp_path: Path, msgid: str, msgstr: str, lang: str = "ar") -> tuple[Path, int]:
    """The shipped catalogs with one translation replaced; returns its line."""
    locales = tmp_path / "locales"
    shutil.copytree(shipped_locales(), locales)
    po = locales / lang / "LC_MESSAGES" / "messages.po"
    lines = po.read_text(encoding="utf-8").split("\n")
    at = lines.index(f'msgid "{msgid}"')
    lines[at + 1] = f'msgstr "{msgstr}"'
    po.write_text("\n".join(lines), encoding="utf-8")
    return locales, at + 1


async def arabic_main_menu(tmp_path: Path, locales: Path) -> str:
    async with running_harness(make_settings(tmp_path, locales=locales)) as h:
        await h.send("/start", ARABIC)
        await h.tap("العربية", ARABIC)
        return str(h.screen(ARABIC["id"])["text"])


async def test_a_link_in_the_language_prompt_is_dropped_and_the_prompt_shown_in_english(
    tmp_path: Path,
) -> None:
    link = '<a href=\\"https://evil.example/login\\">اضغط هنا</a>'
    locales, line = poisoned(tmp_path, "Choose your language.", link)
    async with running_harness(make_settings(tmp_path, locales=locales)) as h:
        await h.send("/start", ARABIC)
        sent = h.fake.called("sendMessage")[-1].params["text"]
    shown = tdlib.shown(sent)
    assert "Choose your language." in shown.text
    assert "evil" not in shown.text and "<a" not in shown.text
    assert shown.of_kind(*tdlib.TAPPABLE) == []
    assert any(p.line == line and "adds" in p.message for p in load_catalogs(locales).problems)


# What a translation could add that its English does not have: markup, or an address
# Telegram makes tappable. Each is dropped, and that line shown in English.
ADDED = {
    "a link tag": '<a href=\\"https://evil.example/x\\">{text}</a>',
    "a bold tag": "<b>{text}</b>",
    "an address": "{text} https://evil.example/x",
    "an address without its scheme": "{text} evil.example/login",
    "a www address": "{text} www.evil.com",
    "an e-mail address": "{text} help@evil.example",
    "an @name": "{text} @evil_helper_bot",
}


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("added", ADDED)
def test_a_translation_that_adds_markup_or_an_address_is_shown_in_english(
    tmp_path: Path, lang: str, added: str, catalogs: Catalogs
) -> None:
    msgid = "Tell me where you are, to see the right contacts."
    shipped = catalogs.get(lang)
    own = shipped.gettext(msgid)
    locales, line = poisoned(tmp_path, msgid, ADDED[added].format(text=own), lang)
    poisoned_catalogs = load_catalogs(locales)
    assert poisoned_catalogs.get(lang).gettext(msgid) == msgid
    assert any(p.line == line and "adds" in p.message for p in poisoned_catalogs.problems)
    assert poisoned_catalogs.get(lang).gettext("Contacts") == shipped.gettext(
        "Contacts"), "the rest of the catalog is kept"


@pytest.mark.parametrize(
    "translation",
    [
        "قفل تيليغرام (الإعدادات > الخصوصية) أو راسل help@example.org، انظر example.org.",
        "Telegramê kilît bike (Settings > Privacy). Ji help@example.org re binivîse.",
        "تێلیگرام قفڵ بکە (Settings > Privacy) یان بۆ help@example.org بنووسە، بڕوانە example.org.",
        "تێلێگرامێ قفل بکە (Settings > Privacy) یان بۆ help@example.org بنڤیسە، بنێرە example.org.",
        "Bersiv.Pirs: a sentence run on after its full stop is not an address",
    ],
)
def test_a_translation_may_keep_the_addresses_and_signs_its_english_has(translation: str) -> None:
    from bot.i18n.translator import markup_added

    source = "Lock Telegram (Settings > Privacy) or write to help@example.org, see example.org."
    assert markup_added(source, translation) is None


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("How can I help? Choose a button below.", "كيف يمكنني المساعدة؟ }"),
        ("Your place: {place}", "مكانك: {0.__class__}"),
        ("Your place: {place}", "مكانك: {place.__class__.__mro__}"),
        ("Your place: {place}", "مكانك: {place!r}"),
        ("Your place: {place}", "مكانك: {place:300000000}"),
        ("Your place: {place}", "مكانك: {place:{place}}"),
    ],
)
async def test_a_broken_placeholder_costs_one_line_in_english_not_the_language(
    tmp_path: Path, msgid: str, msgstr: str
) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    locales, line = poisoned(tmp_path, msgid, msgstr)
    text = await arabic_main_menu(tmp_path, locales)
    assert "كيف يمكنني المساعدة" in text or "How can I help" in text
    assert "class" not in text and len(text) < 2000
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB
    catalogs = load_catalogs(locales)
    assert "ar" in catalogs.translators
    assert catalogs.get("ar").gettext(msgid) == msgid  # dropped: shown in English
    assert any(p.line == line for p in catalogs.problems)


@pytest.mark.parametrize(
    "msgstr", ["كيف }", "{0.__class__}", "{x!r}", "{x:300000000}", "{"],
)
def test_penah_i18n_names_the_file_and_line_of_an_unsafe_placeholder(
    tmp_path: Path, msgstr: str, capsys: pytest.CaptureFixture[str]
) -> None:
    locales, line = poisoned(tmp_path, "How can I help? Choose a button below.", msgstr)
    assert main(["i18n", "--locales", str(locales)]) == 1
    out = capsys.readouterr().out
    assert f"ar/LC_MESSAGES/messages.po:{line}:" in out
