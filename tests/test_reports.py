"""Reports from a card reach admins the same day: three people whose line did not work, at
once; asked for money or favours, or treated badly, at once each time. Admins learn the
resource and a count, never who. Through the real Application, with the guards' clock."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.callbacks import REPORTS, Action, Kind, decode
from bot.core.decide import CHECKED, TOLD
from bot.screens.cards import REPORT_BUTTONS, UNREACHABLE
from bot.storage.guards import PER_PERSON, Reports
from tests.conftest import ROOT, Clock, Harness, make_settings, running_harness
from tests.fakes import buttons, user
from tests.langs import SHIPPED
from tests.tdlib import parse_html, without_marks

HOUR = 3600.0
LINE = "kwu-panawar"  # a real entry of resources.yaml


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def shipped(tmp_path: Path, clock: Clock) -> AsyncIterator[Harness]:
    shutil.copy(ROOT / "resources.yaml", tmp_path / "resources.yaml")
    async with running_harness(make_settings(tmp_path, flood_updates=1000), clock) as h:
        yield h


def _told(h: Harness) -> list[str]:
    return [c.params["text"] for c in h.fake.called("sendMessage") if c.params["chat_id"] == 999]


async def _report(h: Harness, kind: Kind, user_id: int, lang: str = "en") -> dict[str, Any]:
    person = user(user_id, lang)
    await h.send("/start", person)
    await h.press(Action(Kind.SET_LANGUAGE, lang).encode(), person)
    await h.press(Action(Kind.RESOURCE, LINE, "legal").encode(), person)
    await h.press(Action(kind, LINE, "legal").encode(), person)
    return person


async def test_three_people_whose_line_did_not_work_reach_the_admins_at_once(
    shipped: Harness, clock: Clock
) -> None:
    await _report(shipped, Kind.REPORT, 7001)
    await _report(shipped, Kind.REPORT, 7001)  # the same person again counts once
    clock.advance(30 * HOUR)
    await _report(shipped, Kind.REPORT, 7002)
    assert _told(shipped) == []  # two people: the weekly digest will say so
    clock.advance(17 * HOUR)  # 47 hours after the first
    await _report(shipped, Kind.REPORT, 7003)
    told = _told(shipped)
    assert len(told) == 1 and LINE in told[0] and "3 people" in told[0]
    for person in ("7001", "7002", "7003", "Test"):
        assert person not in told[0]
    await _report(shipped, Kind.REPORT, 7004)
    assert len(_told(shipped)) == 1  # told once, when it crossed


async def test_reports_more_than_48_hours_apart_are_not_counted_together(
    shipped: Harness, clock: Clock
) -> None:
    for user_id in (7011, 7012, 7013):
        await _report(shipped, Kind.REPORT, user_id)
        clock.advance(25 * HOUR)
    assert _told(shipped) == []


@pytest.mark.parametrize("lang", SHIPPED)
async def test_the_card_says_several_people_could_not_reach_the_line_until_48_hours_pass(
    shipped: Harness, clock: Clock, lang: str
) -> None:
    note = without_marks(shipped.bot.catalogs.get(lang).gettext(UNREACHABLE))
    reader = user(7020, lang)
    await _report(shipped, Kind.REPORT, 7021)
    await _report(shipped, Kind.REPORT, 7022)
    await _report(shipped, Kind.RESOURCE, 7020, lang)  # a reader, who reports nothing
    assert note not in without_marks(parse_html(shipped.screen(7020)["text"]).text)
    clock.advance(HOUR)
    await _report(shipped, Kind.REPORT, 7023)
    await shipped.press(Action(Kind.RESOURCE, LINE, "gbv").encode(), reader)
    assert note in without_marks(parse_html(shipped.screen(7020)["text"]).text)
    clock.advance(47 * HOUR + 1)  # the first report is 48 hours old: no reload needed
    await shipped.press(Action(Kind.RESOURCE, LINE, "legal").encode(), reader)
    assert note not in without_marks(parse_html(shipped.screen(7020)["text"]).text)


@pytest.mark.parametrize("kind", [Kind.ASKED_MONEY, Kind.TREATED_BADLY])
async def test_safeguarding_reports_reach_the_admins_at_once_with_a_count_and_no_person(
    shipped: Harness, kind: Kind
) -> None:
    first = await _report(shipped, kind, 7031, "ar")
    assert len(_told(shipped)) == 1 and LINE in _told(shipped)[0]
    assert "(1 in the last 48 hours)" in _told(shipped)[0]
    await shipped.press(Action(kind, LINE, "legal").encode(), first)  # again: already noted
    assert len(_told(shipped)) == 1
    await _report(shipped, kind, 7032, "ckb")
    told = _told(shipped)
    assert len(told) == 2 and "(2 in the last 48 hours)" in told[1]
    for text in told:
        assert "7031" not in text and "7032" not in text and "Test" not in text
        assert "ar" not in text.split() and "ckb" not in text
    answers = [c.params.get("text") for c in shipped.fake.called("answerCallbackQuery")]
    assert shipped.bot.catalogs.get("ar").gettext(TOLD) in answers
    assert shipped.bot.catalogs.get("ar").gettext("Thank you, this was already noted.") in answers
    assert await shipped.bot.store.totals.reports() == []  # type: ignore[union-attr]  # not "broken"


@pytest.mark.parametrize("lang", SHIPPED)
async def test_with_no_admins_a_safeguarding_report_is_not_said_to_reach_anyone(
    tmp_path: Path, clock: Clock, lang: str
) -> None:
    """"They are told now" is a promise: a deployment with no admins makes none."""
    shutil.copy(ROOT / "resources.yaml", tmp_path / "resources.yaml")
    settings = make_settings(tmp_path, flood_updates=1000, admin_ids=frozenset())
    async with running_harness(settings, clock) as h:
        for kind in (Kind.ASKED_MONEY, Kind.TREATED_BADLY):
            await _report(h, kind, 7060, lang)
        t = h.bot.catalogs.get(lang)
        answers = [c.params.get("text") for c in h.fake.called("answerCallbackQuery")]
        assert t.gettext(TOLD) not in answers
        assert answers.count(t.gettext(CHECKED)) == 2
        assert [c for c in h.fake.called("sendMessage") if c.params["chat_id"] != 7060] == []


@pytest.mark.parametrize("lang", SHIPPED)
async def test_each_card_offers_the_three_reports_in_the_readers_language(
    shipped: Harness, lang: str
) -> None:
    await _report(shipped, Kind.RESOURCE, 7040, lang)
    t = shipped.bot.catalogs.get(lang)
    offered = {decode(b["callback_data"]): without_marks(b["text"])
               for b in buttons(shipped.screen(7040)) if "callback_data" in b}
    for kind in REPORTS:
        icon, label = REPORT_BUTTONS[kind]
        assert offered[Action(kind, LINE, "legal")] == f"{icon} {without_marks(t.gettext(label))}"


async def test_a_forged_report_of_no_resource_tells_no_one(shipped: Harness) -> None:
    person = user(7050)
    await shipped.send("/start", person)
    await shipped.press(Action(Kind.SET_LANGUAGE, "en").encode(), person)
    for data in ("1:y:no-such-line:-:0", "1:u:no-such-line:-:0", "1:y:" + "x" * 30 + ":-:0"):
        await shipped.press(data, person)
    assert _told(shipped) == []
    assert shipped.screen(7050)["text"].startswith("This menu has changed.")


async def test_one_person_tells_admins_of_a_few_lines_not_of_every_line(shipped: Harness) -> None:
    """Callback data anyone can write: one person pressing "asked me for money" for every
    line would flood the admins' chat and the bot's sending."""
    person = user(7060)
    await shipped.send("/start", person)
    await shipped.press(Action(Kind.SET_LANGUAGE, "en").encode(), person)
    lines = list(shipped.bot.reloader.current.resources)[: 2 * PER_PERSON]
    for line in lines:
        await shipped.press(Action(Kind.ASKED_MONEY, line, "legal").encode(), person)
    assert len(_told(shipped)) == PER_PERSON
    answers = [c.params.get("text") for c in shipped.fake.called("answerCallbackQuery")]
    # past the cap no admin hears of it now: the thanks promises a check, not telling
    assert answers[-PER_PERSON:] == [shipped.bot.catalogs.get("en").gettext(CHECKED)] * PER_PERSON
    await _report(shipped, Kind.ASKED_MONEY, 7061)  # another person is heard at once
    assert len(_told(shipped)) == PER_PERSON + 1


async def test_one_person_counts_in_the_broken_line_totals_for_a_few_lines_only(
    shipped: Harness,
) -> None:
    """The totals admins read in /reports and the digest hold the same cap as their alerts:
    one person pressing "did not work" on every line moves a few lines' counts."""
    person = user(7062)
    await shipped.send("/start", person)
    await shipped.press(Action(Kind.SET_LANGUAGE, "en").encode(), person)
    for line in list(shipped.bot.reloader.current.resources)[: 2 * PER_PERSON]:
        await shipped.press(Action(Kind.REPORT, line, "legal").encode(), person)
    store = shipped.bot.store
    assert store is not None and len(await store.totals.reports()) == PER_PERSON


def test_the_people_remembered_stay_within_the_guards_size_and_48_hours(clock: Clock) -> None:
    reports = Reports(100, clock=clock)
    for person in range(300):  # many people, each reporting three of many lines
        for step in range(3):
            reports.add(Kind.REPORT, f"line-{(person + step) % 50}", person.to_bytes(4, "big"))
    assert 0 < len(reports) <= 100
    clock.advance(48 * HOUR)
    reports.prune()
    assert len(reports) == 0 and reports.unreachable() == frozenset()
