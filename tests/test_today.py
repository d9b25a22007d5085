"""What is true today: a line's status and alerts, and its hours, as people read them.

Through the real Application, SQLite and YAML, only Telegram faked. The date and time are a
clock the test sets: nothing waits, and a day is crossed by moving the clock.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from bot.core.callbacks import Action, Kind, decode
from bot.directory import status
from bot.directory.model import Contact, in_language, zone
from bot.i18n.translator import Translator
from bot.loading.reader import InProcessReader
from bot.loading.reloader import load_directory
from bot.loading.validation import parse_directory
from tests import tdlib
from tests.conftest import DATA, Harness, make_settings, running_harness
from tests.fakes import buttons, user
from tests.langs import SHIPPED
from tests.test_directory import line_of, problems_of
from tests.writes import atomic_write

GOOD = (DATA / "directory.yaml").read_text(encoding="utf-8")
ISF = "Internal Security Forces domestic violence hotline"
# Where the lines are: Lebanon and Iraq in their own zones (summer: both UTC+3; winter:
# Beirut UTC+2, Baghdad UTC+3).
ZONED = (GOOD.replace("    country: LB\n", "    country: LB\n    timezone: Asia/Beirut\n")
         .replace("    country: IQ\n", "    country: IQ\n    timezone: Asia/Baghdad\n"))
EVERY_DAY = "[mon, tue, wed, thu, fri, sat, sun]"
# A line in Iraq that is clearly not real (0750 000 0000), open at night only.
NIGHT_LINE = f"""  - id: test-night-line
    name: {{en: Night counselling line (test)}}
    summary: {{en: A line that exists only in this test.}}
    operator: ngo
    categories: [emergency]
    regions: [iq-fed]
    contacts:
      - {{type: phone, value: "0750 000 0000", schedule: [{{days: {EVERY_DAY}, open: "20:00",
          close: "08:00"}}]}}
    source: {{url: "https://example.org/test", dated: undated, read: 2026-11-23}}
"""
EXAMS = "{en: Internet cuts are announced for exam days., ar: أُعلن قطع الإنترنت أيام الامتحانات.}"
STORM = "{en: Calls may not get through during the storm.}"


def edit(text: str, resource: str, old: str, new: str) -> str:
    """`old` replaced by `new` in one resource's entry only."""
    start = text.index(f"  - id: {resource}\n")
    end = text.find("\n  - id: ", start + 1)
    end = len(text) if end < 0 else end
    assert old in text[start:end], (resource, old)
    return text[:start] + text[start:end].replace(old, new, 1) + text[end:]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


class WallClock:
    """The date and time of day the bot reads, set by the test."""

    def __init__(self, now: str) -> None:
        self.now = at(now)

    def __call__(self) -> dt.datetime:
        return self.now


def read(h: Harness) -> str:
    """The latest screen's text as Telegram shows it, direction marks left out."""
    return tdlib.without_marks(tdlib.parse_html(h.screen()["text"]).text)


def labels(h: Harness) -> list[str]:
    return [tdlib.without_marks(b["text"]) for b in buttons(h.screen())]


def said(t: Translator, message: str, **values: Any) -> str:
    return tdlib.without_marks(t.gettext(message).format(**values))


def targets(h: Harness) -> list[str]:
    """The entries the latest screen's buttons open, in order."""
    found = [decode(b.get("callback_data")) for b in buttons(h.screen())]
    return [a.target for a in found if a is not None and a.kind is Kind.RESOURCE]


async def person(h: Harness, lang: str, region: str) -> Translator:
    await h.send("/start", user())
    await h.press(Action(Kind.SET_LANGUAGE, target=lang).encode())
    await h.press(Action(Kind.SET_REGION, region).encode())
    return h.bot.catalogs.get(lang)


async def press(h: Harness, kind: Kind, target: str = "", origin: str = "") -> str:
    await h.press(Action(kind, target, origin).encode())
    return read(h)


# --------------------------------------------------------------------------- status


@pytest.mark.parametrize("lang", SHIPPED)
async def test_a_reload_that_closes_a_line_takes_it_off_emergency_and_search_not_its_list(
    tmp_path: Path, lang: str
) -> None:
    listed = edit(GOOD, "isf-1745", "categories: [emergency]", "categories: [emergency, digital]")
    atomic_write(tmp_path / "resources.yaml", listed)
    async with running_harness(make_settings(tmp_path)) as h:
        t = await person(h, lang, "lb")
        assert ISF in await press(h, Kind.EMERGENCY) and "1745" in read(h)
        await h.send("Internal Security Forces")
        assert "isf-1745" in targets(h)

        closed = edit(listed, "isf-1745", "    operator: police\n",
                      "    operator: police\n    status: closed\n")
        atomic_write(tmp_path / "resources.yaml", closed)
        assert (await h.bot.reloader.reload()).changed

        emergency = await press(h, Kind.EMERGENCY)
        assert ISF not in emergency and "1745" not in emergency
        assert said(t, "I have no emergency number for this place yet.") in emergency
        await h.send("Internal Security Forces")
        assert "isf-1745" not in targets(h)
        await press(h, Kind.CATEGORY, "digital")
        assert f"{ISF} · {said(t, 'Closed')}" in labels(h)
        card = (await press(h, Kind.RESOURCE, "isf-1745", "digital")).split("\n")
        assert card[card.index(ISF) + 1] == "⚠️ " + said(t, "Closed")


@pytest.mark.parametrize("marked", [
    ('hours: {en: 24/7}}', 'hours: {en: 24/7}, status: number_changed}'),
    ("    operator: police\n", "    operator: police\n    status: number_changed\n"),
], ids=["line", "resource"])
@pytest.mark.parametrize("lang", SHIPPED)
async def test_an_old_number_leaves_the_emergency_screen_and_the_numbers_to_keep(
    tmp_path: Path, lang: str, marked: tuple[str, str]
) -> None:
    """A number marked changed may ring no one, or someone else: not on a screen of numbers
    to call at once, nor in a list written down for when the network is cut; whether the line
    or the whole resource is marked."""
    old = edit(GOOD, "iq-911", *marked)
    atomic_write(tmp_path / "resources.yaml", old)
    async with running_harness(make_settings(tmp_path)) as h:
        t = await person(h, lang, "iq-fed")
        assert "911" not in await press(h, Kind.EMERGENCY)
        await h.press(Action(Kind.KEEP).encode(), message_id=h.screen()["message_id"])
        assert "911" not in read(h)
        card = await press(h, Kind.RESOURCE, "iq-911", "emergency")  # its card still says why
        assert "📞 911" in card and "⚠️ " + said(t, "Number changed") in card


@pytest.mark.parametrize("lang", SHIPPED)
async def test_an_alert_past_until_is_gone_without_a_reload(tmp_path: Path, lang: str) -> None:
    text = ZONED.replace("    timezone: Asia/Beirut\n", "    timezone: Asia/Beirut\n"
                         f"    alert: {{text: {EXAMS}, until: 2026-06-10}}\n")
    text = edit(text, "isf-1745", "    operator: police\n", "    operator: police\n"
                f"    alert: {{text: {STORM}, from: 2026-06-09, until: 2026-06-10}}\n")
    atomic_write(tmp_path / "resources.yaml", text)
    clock = WallClock("2026-06-10T20:59+00:00")  # 23:59 in Beirut, the last minute of the 10th
    async with running_harness(make_settings(tmp_path), wall_clock=clock) as h:
        t = await person(h, lang, "lb")
        directory = h.bot.reloader.current
        alerts = [directory.regions["lb"].alert, directory.resources["isf-1745"].alert]
        place, line = ["📢 " + tdlib.without_marks(in_language(a.text, t.fallback))
                       for a in alerts if a is not None]
        emergency = await press(h, Kind.EMERGENCY)
        assert place in emergency and line in emergency
        assert place in await press(h, Kind.HOME)
        assert line in await press(h, Kind.RESOURCE, "isf-1745", "emergency")
        generation = h.bot.reloader.generation

        clock.now += dt.timedelta(minutes=1)  # the 11th in Beirut, still the 10th in UTC
        for screen in (await press(h, Kind.EMERGENCY), await press(h, Kind.HOME),
                       await press(h, Kind.RESOURCE, "isf-1745", "emergency")):
            assert "📢" not in screen, screen
        assert h.bot.reloader.generation == generation, "no reload in between"


# An alert on a place that tells, its telling word first.
TELLING = ('{en: "LGBT people were stopped at checkpoints this week.", '
           'ar: "مجتمع الميم: أُوقف أشخاص عند نقاط التفتيش هذا الأسبوع."}')


@pytest.mark.parametrize("lang", SHIPPED)
async def test_a_place_alert_that_tells_stays_out_of_the_chat_list_preview(
    tmp_path: Path, lang: str
) -> None:
    text = ZONED.replace("    timezone: Asia/Beirut\n", "    timezone: Asia/Beirut\n"
                         f"    alert: {{text: {TELLING}}}\n")
    atomic_write(tmp_path / "resources.yaml", text)
    async with running_harness(make_settings(tmp_path)) as h:
        t = await person(h, lang, "lb")
        alert = h.bot.reloader.current.regions["lb"].alert
        assert alert is not None
        shown = "📢 " + tdlib.without_marks(in_language(alert.text, t.fallback))
        for kind, target in [(Kind.HOME, ""), (Kind.EMERGENCY, ""), (Kind.CATEGORY, "digital")]:
            screen = await press(h, kind, target)
            preview = tdlib.preview(h.screen()["text"])
            assert h.bot.terms.found(preview, *t.fallback) is None, preview
            assert kind is Kind.HOME or shown in screen, screen  # past the preview, still said


# --------------------------------------------------------------------------- hours


def night_text() -> str:
    """The Lebanese line open Friday and Saturday nights; Iraq's 911 around the clock; the
    global helpdesk Sunday to Thursday by Baghdad's clock."""
    text = edit(ZONED, "isf-1745", 'value: "1745"}',
                'value: "1745", schedule: [{days: [fri, sat], open: "20:00", close: "02:00"}]}')
    text = edit(text, "iq-911", 'value: "911", hours: {en: 24/7}}',
                f'value: "911", hours: {{en: 24/7}}, schedule: [{{days: {EVERY_DAY}, '
                'open: "00:00", close: "00:00"}]}')
    return edit(text, "smex", '{type: whatsapp, value: "+961 81 633 133"}',
                '{type: whatsapp, value: "+961 81 633 133", timezone: Asia/Baghdad, '
                'schedule: [{days: [sun, mon, tue, wed, thu], open: "09:00", close: "17:00"}]}')


# (UTC, what the Lebanese night line's contact says, in Beirut's time)
ACROSS_MIDNIGHT = [
    ("2026-06-12T22:30+00:00", "Open now", {}),  # Saturday 01:30: Friday's night goes on
    ("2026-06-12T23:30+00:00", "Closed now, opens today at {time}", {"time": "20:00"}),
    ("2026-06-14T09:00+00:00", "Closed now, opens {day} {time}",  # Sunday noon
     {"day": "Friday", "time": "20:00"}),
]


@pytest.mark.parametrize("lang", SHIPPED)
async def test_open_now_and_when_it_opens_across_midnight(tmp_path: Path, lang: str) -> None:
    atomic_write(tmp_path / "resources.yaml", night_text())
    clock = WallClock(ACROSS_MIDNIGHT[0][0])
    async with running_harness(make_settings(tmp_path), wall_clock=clock) as h:
        t = await person(h, lang, "lb")
        for now, message, values in ACROSS_MIDNIGHT:
            clock.now = at(now)
            values = {k: t.gettext(v) if k == "day" else v for k, v in values.items()}
            emergency = await press(h, Kind.EMERGENCY)
            expected = said(t, message, **values)
            assert expected in emergency, (now, emergency)
            assert expected in await press(h, Kind.RESOURCE, "isf-1745", "emergency"), now
        await person(h, lang, "iq-fed")
        assert "🟢 " + said(t, "Open 24 hours") in await press(h, Kind.EMERGENCY)


def lines_of(screen: str) -> list[str]:
    return [line.strip() for line in screen.split("\n")]


def time_whole(h: Harness, time: str) -> bool:
    """The time is one run: on a right-to-left screen never split by a direction mark from the
    year or word before it («2026 20» and «:00»)."""
    return time in tdlib.parse_html(h.screen()["text"]).text


@pytest.mark.parametrize("lang", SHIPPED)
async def test_a_closed_day_closes_the_night_begun_on_it_and_claims_no_hour_of_its_own(
    tmp_path: Path, lang: str
) -> None:
    text = edit(night_text(), "isf-1745", "}]}", "}], closed_on: [2026-06-12]}")  # a Friday
    text = edit(text, "iq-911", "hours: {en: 24/7}, schedule: [{days: [mon, tue, wed, thu, fri, "
                "sat, sun], open: \"00:00\", close: \"00:00\"}]}",
                "hours: {en: 24/7}, closed_on: [2026-06-12]}")  # free-text hours, one day shut
    atomic_write(tmp_path / "resources.yaml", text)
    clock = WallClock("2026-06-12T16:00+00:00")  # Friday 19:00 in Beirut
    async with running_harness(make_settings(tmp_path), wall_clock=clock) as h:
        t = await person(h, lang, "lb")
        saturday = t.gettext("Saturday")
        card = await press(h, Kind.RESOURCE, "isf-1745", "emergency")
        assert "🔴 " + said(t, "Closed now, opens {day} {time}", day=saturday, time="20:00") in (
            card), card
        clock.now = at("2026-06-12T22:00+00:00")  # Saturday 01:00: Friday's night never began
        card = await press(h, Kind.RESOURCE, "isf-1745", "emergency")
        assert "🔴 " + said(t, "Closed now, opens today at {time}", time="20:00") in card, card
        clock.now = at("2026-06-12T09:00+00:00")  # noon in Baghdad, the day 911 is shut
        shut = lines_of(await press(h, Kind.RESOURCE, "iq-911", "emergency"))
        assert "🔴 " + said(t, "Closed now") in shut, shut  # not "opens Saturday 00:00"


@pytest.mark.parametrize("lang", SHIPPED)
async def test_an_opening_a_week_or_more_away_is_given_by_its_date(
    tmp_path: Path, lang: str
) -> None:
    text = edit(night_text(), "isf-1745", "}]}", "}], closed_on: [2026-06-12, 2026-06-13]}")
    text = edit(text, "smex", "days: [sun, mon, tue, wed, thu]", "days: [sun]")
    atomic_write(tmp_path / "resources.yaml", text)
    clock = WallClock("2026-06-11T09:00+00:00")  # Thursday noon in Beirut: no night till the 19th
    async with running_harness(make_settings(tmp_path), wall_clock=clock) as h:
        t = await person(h, lang, "lb")
        card = await press(h, Kind.RESOURCE, "isf-1745", "emergency")
        expected = said(t, "Closed now, opens {day} {time}", day=t.date(dt.date(2026, 6, 19)),
                        time="20:00")
        assert "🔴 " + expected in card and time_whole(h, "20:00"), card
        clock.now = at("2026-06-14T15:00+00:00")  # Sunday 18:00 in Baghdad: next Sunday
        card = await press(h, Kind.RESOURCE, "smex", "digital")
        expected = said(t, "Closed now, opens {day} {time}", day=t.date(dt.date(2026, 6, 21)),
                        time="09:00")
        assert "🔴 " + expected in card and time_whole(h, "09:00"), card


@pytest.mark.parametrize("lang", SHIPPED)
async def test_a_time_in_an_english_alert_reads_whole_in_every_language(
    tmp_path: Path, lang: str
) -> None:
    alert = "{text: {en: Calls go through only 09:00–17:00 during the storm.}}"
    text = edit(ZONED, "isf-1745", "    operator: police\n",
                f"    operator: police\n    alert: {alert}\n")
    atomic_write(tmp_path / "resources.yaml", text)
    async with running_harness(make_settings(tmp_path)) as h:
        await person(h, lang, "lb")
        card = await press(h, Kind.RESOURCE, "isf-1745", "emergency")
        assert "📢 Calls go through only 09:00–17:00 during the storm." in card
        assert time_whole(h, "09:00–17:00"), h.screen()["text"]


@pytest.mark.parametrize("lang", SHIPPED)
async def test_hours_are_read_in_the_lines_zone_never_the_persons(
    tmp_path: Path, lang: str
) -> None:
    atomic_write(tmp_path / "resources.yaml", night_text())
    clock = WallClock("2026-01-05T05:30+00:00")  # Monday: 08:30 in Baghdad, 07:30 in Beirut
    async with running_harness(make_settings(tmp_path), wall_clock=clock) as h:
        t = await person(h, lang, "lb")
        card = await press(h, Kind.RESOURCE, "smex", "digital")
        assert "🔴 " + said(t, "Closed now, opens today at {time}", time="09:00") in card
        clock.now = at("2026-01-05T06:30+00:00")  # 09:30 in Baghdad, 08:30 in Beirut
        assert "🟢 " + said(t, "Open now") in await press(h, Kind.RESOURCE, "smex", "digital")


@pytest.mark.parametrize("lang", SHIPPED)
async def test_the_emergency_screen_puts_lines_open_now_first_within_their_rank(
    tmp_path: Path, lang: str
) -> None:
    text = night_text().replace("guides:\n", NIGHT_LINE + "guides:\n")
    atomic_write(tmp_path / "resources.yaml", text)
    clock = WallClock("2026-06-10T09:00+00:00")  # noon in Baghdad: the night line is closed
    async with running_harness(make_settings(tmp_path), wall_clock=clock) as h:
        await person(h, lang, "iq-fed")
        await press(h, Kind.EMERGENCY)
        assert targets(h) == ["iq-911", "test-night-line"]  # the police line, open, first
        clock.now = at("2026-06-10T19:00+00:00")  # 22:00: an NGO before the police
        await press(h, Kind.EMERGENCY)
        assert targets(h) == ["test-night-line", "iq-911"]


@pytest.mark.parametrize(("now", "shown"), [
    ("2026-06-08T20:59+00:00", False), ("2026-06-08T21:00+00:00", True),  # from: 9th, Beirut
    ("2026-06-10T20:59+00:00", True), ("2026-06-10T21:00+00:00", False),  # until: 10th
])
def test_an_alert_counts_its_first_and_last_day_whole_in_its_zone(now: str, shown: bool) -> None:
    text = edit(ZONED, "isf-1745", "    operator: police\n", "    operator: police\n"
                f"    alert: {{text: {STORM}, from: 2026-06-09, until: 2026-06-10}}\n")
    directory = parse_directory(text)
    isf = directory.resources["isf-1745"]
    assert status.in_force(isf.alert, at(now), directory.zone(isf)) is shown


def test_free_text_hours_stay_valid_and_claim_nothing() -> None:
    directory = parse_directory(ZONED)
    contact = directory.resources["iq-911"].contacts[0]
    assert contact.hours == {"en": "24/7"} and not contact.schedule
    assert status.opening(contact, at("2026-06-10T09:00+00:00"), dt.UTC) is None


# A line's own hours, read at Baghdad's wall-clock times (Monday 2026-06-15).
def line(**fields: Any) -> Contact:
    return Contact.model_validate({"type": "phone", "value": "911", **fields})


NIGHTS = [{"days": ["mon"], "open": "22:00", "close": "06:00"}]
DAYS = [{"days": ["sun", "mon", "tue", "wed", "thu"], "open": "09:00", "close": "17:00"}]
ALWAYS = [{"days": list(status.DAYS), "open": "00:00", "close": "00:00"}]


@pytest.mark.parametrize(("schedule", "closed_on", "local", "expected"), [
    (NIGHTS, [], "2026-06-15T21:59", (False, "2026-06-15T22:00")),
    (NIGHTS, [], "2026-06-16T05:59", (True, None)),  # Monday's night, Tuesday morning
    (NIGHTS, [], "2026-06-16T06:00", (False, "2026-06-22T22:00")),
    (DAYS, [], "2026-06-19T17:00", (False, "2026-06-21T09:00")),  # Friday evening: Sunday
    (DAYS, ["2026-06-21"], "2026-06-19T17:00", (False, "2026-06-22T09:00")),  # inclusive
    (ALWAYS, [], "2026-06-15T03:00", (True, None)),
    (ALWAYS, ["2026-06-15"], "2026-06-15T23:59", (False, "2026-06-16T00:00")),
    (ALWAYS, ["2026-06-15"], "2026-06-14T23:59", (True, None)),
])
def test_when_a_line_is_open(
    schedule: list[dict[str, Any]], closed_on: list[str], local: str,
    expected: tuple[bool, str | None],
) -> None:
    baghdad = zone("Asia/Baghdad")
    now = at(local).replace(tzinfo=baghdad)
    found = status.opening(line(schedule=schedule, closed_on=closed_on), now, baghdad)
    assert found is not None
    assert (found.open, found.opens.isoformat(timespec="minutes") if found.opens else None) == (
        expected)
    assert found.always == (found.open and schedule is ALWAYS)


# --------------------------------------------------------------------------- checks

ISF_PHONE = 'value: "1745"}'


@pytest.mark.parametrize(("old", "new", "needle", "field", "message"), [
    (ISF_PHONE, 'value: "1745", schedule: [{days: [fri], open: "09:00", close: 17:00}]}',
     "close: 17:00", "resources[2].contacts[0].schedule[0].close",
     'YAML read this as a number (a leading 0 even makes it octal); put it in quotes: "17:00"'),
    (ISF_PHONE, 'value: "1745", schedule: [{days: [friday], open: "09:00", close: "17:00"}]}',
     "friday", "resources[2].contacts[0].schedule[0].days[0]", "must be one of: 'mon'"),
    (ISF_PHONE, 'value: "1745", schedule: [{days: [fri], open: "9", close: "17:00"}]}',
     'open: "9"', "resources[2].contacts[0].schedule[0].open",
     "a time is HH:MM on a 24-hour clock"),
    (ISF_PHONE, 'value: "1745", timezone: Asia/Bagdad}', "Asia/Bagdad",
     "resources[2].contacts[0].timezone", "not a time zone name such as Asia/Baghdad"),
    (ISF_PHONE, 'value: "1745", status: shut}', "status: shut",
     "resources[2].contacts[0].status", "must be one of: 'open', 'temporarily_closed'"),
    (ISF_PHONE, 'value: "1745", alert: {text: {en: x}, from: 2026-06-10, until: 2026-06-01}}',
     "alert:", "resources[2].contacts[0].alert", "'from' 2026-06-10 is after 'until'"),
    (ISF_PHONE, 'value: "1745", closed_on: [2026-02-30]}', "closed_on:",  # no such day
     "resources[2].contacts[0].closed_on[0]", "Input should be a valid date"),
    (ISF_PHONE, 'value: "1745", alert: {text: {en: x}, until: 2026-04-31}}', "until:",
     "resources[2].contacts[0].alert.until", "Input should be a valid date"),
    (ISF_PHONE, 'value: "1745", closed_on: [2026-06-10]}', "closed_on:",
     "resources[2].contacts[0].closed_on",
     "hours and dates are read in one time zone, and its regions have none in common "
     "(lb: none)"),
])
def test_check_names_file_line_and_field_of_status_and_hours(
    old: str, new: str, needle: str, field: str, message: str
) -> None:
    base = GOOD if field.endswith("closed_on") else ZONED  # GOOD's regions give no time zone
    text = edit(base, "isf-1745", old, new)
    [problem] = problems_of(text)
    assert problem.startswith(f"resources.yaml:{line_of(text, needle)}:"), problem
    assert f": {field}: {message}" in problem, problem


def test_a_global_line_with_hours_needs_its_own_zone() -> None:
    smex = '{type: whatsapp, value: "+961 81 633 133"}'
    hours = '{type: whatsapp, value: "+961 81 633 133", schedule: [{days: [mon], ' \
            'open: "09:00", close: "17:00"}]'
    text = edit(ZONED, "smex", smex, hours + "}")
    [problem] = problems_of(text)
    assert "resources[3].contacts[0].schedule: hours and dates are read in one time zone" in (
        problem) and "(global: none)" in problem
    assert parse_directory(edit(ZONED, "smex", smex, hours + ", timezone: Asia/Baghdad}"))


def test_a_folders_lines_take_their_zone_from_regions_in_another_file(tmp_path: Path) -> None:
    head, resources = ZONED.split("resources:\n")
    lines, guides = resources.split("guides:\n")
    lines = edit("resources:\n" + lines, "isf-1745", ISF_PHONE,
                 'value: "1745", schedule: [{days: [fri], open: "09:00", close: "17:00"}]}')
    (tmp_path / "a-places.yaml").write_text(head, encoding="utf-8")
    (tmp_path / "b-lines.yaml").write_text(lines + "guides:\n" + guides, encoding="utf-8")
    directory = load_directory(tmp_path, InProcessReader())
    isf = directory.resources["isf-1745"]
    assert directory.zone(isf, isf.contacts[0]) == zone("Asia/Beirut")
    (tmp_path / "a-places.yaml").write_text(
        head.replace("    timezone: Asia/Beirut\n", ""), encoding="utf-8")
    with pytest.raises(Exception, match=r"b-lines.yaml:\d+:\d+: resources\[\d\]\.contacts"):
        load_directory(tmp_path, InProcessReader())
