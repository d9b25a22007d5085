"""Where an entry comes from, who confirmed it, and what its card and staleness say."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.state import UserState
from bot.directory import provenance
from bot.directory.model import DirectoryError, page_date_floor
from bot.directory.queries import Directory
from bot.i18n.translator import Catalogs
from bot.loading.validation import parse_directory
from bot.screens import menus as screens
from bot.screens.menus import View
from tests import tdlib
from tests.conftest import DATA

GOOD = (DATA / "directory.yaml").read_text(encoding="utf-8")
SMEX_SOURCE = '    source:\n      url: "https://smex.org/helpdesk/"\n      dated: undated\n'


def line_of(text: str, needle: str) -> int:
    return next(i for i, row in enumerate(text.splitlines(), 1) if needle in row)


def card(directory: Directory, catalogs: Catalogs, resource: str, lang: str = "en") -> str:
    """The card's text as people read it (its links are the words they tap)."""
    view = View(directory, catalogs, catalogs.get(lang), UserState(lang, None))
    screen = screens.resource_card(view, resource, "", 0)
    assert screen is not None
    return tdlib.parse_html(screen.text).text


def with_confirmations(rows: str) -> Directory:
    text = GOOD.replace(
        SMEX_SOURCE + "      read: 2026-11-23\n",
        SMEX_SOURCE + "      read: 2026-11-23\n    confirmations:\n" + rows,
    )
    assert text != GOOD
    return parse_directory(text)


def test_old_verified_and_plain_source_say_exactly_what_to_write_with_their_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = GOOD.replace(
        SMEX_SOURCE + "      read: 2026-11-23\n",
        '    verified: 2026-11-23\n    source: "https://smex.org/helpdesk/"\n',
    )
    path = tmp_path / "resources.yaml"
    path.write_text(old, encoding="utf-8")
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    verified, source = line_of(old, "verified: 2026"), line_of(old, 'source: "https://smex')
    assert err[0].startswith(f"{path}:{verified}:5: resources[3].verified: 'verified' is the old")
    assert "confirmations: [{date: 2026-11-23, how: call, by: penah admin}]" in err[0]
    assert "move it into the source block as 'read:'" in err[0]
    assert err[1].startswith(f"{path}:{source}:13: resources[3].source: a source is now a block")
    assert 'source: {url: "https://smex.org/helpdesk/", dated: <' in err[1]
    assert len(err) == 2


def test_an_unconfirmed_card_says_where_it_comes_from_and_how_old(
    shipped_directory: Directory, catalogs: Catalogs
) -> None:
    text = card(shipped_directory, catalogs, "unhcr-iq-iic")
    assert (
        "From webarchive.archive.unhcr.org, dated June 27, 2020; not yet confirmed by a call."
        in text
    )
    assert "Last checked" not in text
    undated = card(shipped_directory, catalogs, "smex-helpdesk")
    assert "From smex.org, undated (read on November 23, 2026); not yet confirmed" in undated
    partial = card(shipped_directory, catalogs, "lb-abaad")
    assert "dated April 2020;" in partial


def test_a_confirmed_card_says_when_and_how_the_latest_confirmation_was_made(
    catalogs: Catalogs,
) -> None:
    directory = with_confirmations(
        "      - {date: 2026-09-01, how: email, by: penah admin}\n"
        "      - {date: 2026-12-03, how: call, by: penah admin}\n"
    )
    text = card(directory, catalogs, "smex")
    assert "Confirmed by a call on December 3, 2026." in text
    assert "not yet confirmed" not in text and "smex.org, undated" not in text


def test_no_shipped_card_claims_a_check_nobody_made(
    shipped_directory: Directory, catalogs: Catalogs
) -> None:
    for resource in shipped_directory.data.resources:
        text = card(shipped_directory, catalogs, resource.id)
        if resource.confirmations:
            assert "Confirmed by" in text, resource.id
        else:
            assert "not yet confirmed by a call" in text, resource.id
            assert "Confirmed" not in text and "checked" not in text.lower(), resource.id


# Each language's own words for "checked" or "verified" said of an entry (as the /help screen
# once said of every contact: «تم التحقق منها», «پشکنراو», kontrolkirî, «پشکنینکری»).
CHECKED_WORDS = {
    "en": ["checked", "verified", "vetted"],
    "ar": ["تم التحقق", "تحققنا", "موثّقة", "مُتحقَّق"],
    "ckb": ["پشکنراو", "پشتڕاستکراو"],
    "ku": ["kontrolkirî", "piştrastkirî", "verastkirî"],
    "ku-Arab": ["پشکنینکری", "پشتراستکری", "هاتینە پشکنینکرن"],
}


@pytest.mark.parametrize("lang", sorted(CHECKED_WORDS))
def test_no_screen_calls_an_unconfirmed_entry_checked_in_any_language(
    lang: str, shipped_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(shipped_directory, catalogs, catalogs.get(lang), UserState(lang, None))
    texts = [screens.help_screen(view).text]
    texts += [
        card(shipped_directory, catalogs, r.id, lang)
        for r in shipped_directory.data.resources
        if not r.confirmations
    ]
    for text in texts:
        found = [word for word in CHECKED_WORDS[lang] if word in text.lower()]
        assert not found, (lang, found, text[:80])


def test_a_guide_shows_its_source_link_and_the_pages_date(
    shipped_directory: Directory, catalogs: Catalogs
) -> None:
    view = View(shipped_directory, catalogs, catalogs.get("en"), UserState("en", None))
    screen = screens.guide(view, "tg-archive", "")
    assert screen is not None
    shown = tdlib.parse_html(screen.text)
    assert "Source: telegram.org, dated May 2019" in shown.text
    link = shown.of_kind("text_url")[-1]
    assert shown.covered(link) == "telegram.org"
    assert link.url == "https://telegram.org/blog/archive-and-new-design"


def test_staleness_rests_on_the_confirmation_else_the_page_date_else_the_reading() -> None:
    directory = parse_directory(GOOD)
    today = dt.date(2026, 11, 25)
    ids = [e.id for e in directory.stale(180, today)]
    assert ids == ["isf-1745", "unhcr-iq-iic", "iq-911"]  # dated pages, oldest first
    assert "smex" not in ids  # undated: read 2026-11-23, two days ago
    assert "smex" in [e.id for e in directory.stale(180, dt.date(2027, 6, 1))]
    confirmed = with_confirmations("      - {date: 2026-11-20, how: visit, by: volunteer}\n")
    assert provenance.as_of(confirmed.resources["smex"]) == dt.date(2026, 11, 20)
    assert "smex" not in [e.id for e in confirmed.stale(180, dt.date(2027, 5, 1))]
    assert page_date_floor("2020-06") == dt.date(2020, 6, 1)


@pytest.mark.parametrize(("by", "accepted"), [
    ("penah admin", True), ("partner caseworker", True), ("volunteer", True),
    ("Sara Ahmed", False), ("Dr. Rezan", False), ("x" * 41, False),
])
def test_a_confirmation_records_a_role_never_a_name(by: str, accepted: bool) -> None:
    rows = f"      - {{date: 2026-11-20, how: call, by: {by}}}\n"
    if accepted:
        assert with_confirmations(rows).resources["smex"].confirmations[0].by == by
    else:
        with pytest.raises(DirectoryError, match=r"confirmations\[0\]\.by: a role"):
            with_confirmations(rows)


@pytest.mark.parametrize(("dated", "message"), [
    ("last year", "the date the page itself shows"),
    ("2020-13", "not a real date"),
    ("2027-01-01", "after the day it was read"),
])
def test_a_page_date_must_be_a_date_or_undated(dated: str, message: str) -> None:
    text = GOOD.replace(SMEX_SOURCE, SMEX_SOURCE.replace("undated", dated))
    with pytest.raises(DirectoryError, match=message):
        parse_directory(text)


def test_a_future_confirmation_is_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.ops.admin import warnings_for

    directory = with_confirmations("      - {date: 2030-01-01, how: call, by: penah admin}\n")
    warnings = warnings_for(directory, stale_days=180, today=dt.date(2026, 12, 1))
    assert "future date: 'smex' confirmations[0].date 2030-01-01 is in the future" in warnings
