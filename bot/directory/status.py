"""A line's alerts in force and whether it is open, at a `now` the caller passes in, read in
its own zone: a person is never asked for theirs, and an alert past `until` needs no reload."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.directory.model import Alert, Contact
from bot.i18n import N_

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # in date.weekday() order
DAY_NAMES = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
             N_("Saturday"), N_("Sunday"))
LOOK_AHEAD_DAYS = 62  # how far a closed line's next opening is looked for (closed_on runs)


def local(now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The wall-clock time in `tz`, to the minute: schedules are written in minutes."""
    return now.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def in_force(alert: Alert | None, now: dt.datetime, tz: dt.tzinfo) -> bool:
    if alert is None:
        return False
    today = local(now, tz).date()
    return (alert.from_ or today) <= today <= (alert.until or today)


@dataclass(frozen=True)
class Opening:
    open: bool
    always: bool = False  # around the clock, every day of the week
    opens: dt.datetime | None = None  # when closed: the wall-clock time it opens next


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def _open_at(contact: Contact, moment: dt.datetime) -> bool:
    if moment.date() in contact.closed_on:
        return False
    if not contact.schedule:
        return True
    for back in (0, 1):
        day = moment.date() - dt.timedelta(days=back)
        for period in () if day in contact.closed_on else contact.schedule:
            if DAYS[day.weekday()] in period.days:
                begin, end = _at(day, period.open), _at(day, period.close)
                if begin <= moment < (end if end > begin else end + dt.timedelta(days=1)):
                    return True
    return False


def open_now(contact: Contact, now: dt.datetime, tz: dt.tzinfo) -> bool | None:
    """None where nothing is claimed: free-text hours only, or closed days but not today."""
    moment = local(now, tz)
    if not contact.schedule and moment.date() not in contact.closed_on:
        return None
    return _open_at(contact, moment)


def opening(contact: Contact, now: dt.datetime, tz: dt.tzinfo) -> Opening | None:
    """None as `open_now`. Openings happen only at a period's start or a closed day's end
    (with closed days but no schedule, no hour is claimed)."""
    found = open_now(contact, now, tz)
    if found is None:
        return None
    if found:
        always = {d for p in contact.schedule if p.open == p.close for d in p.days}
        return Opening(True, always=always == set(DAYS))
    moment = local(now, tz)
    for ahead in range(LOOK_AHEAD_DAYS if contact.schedule else 0):
        day = moment.date() + dt.timedelta(days=ahead)
        starts = [_at(day, p.open) for p in contact.schedule if DAYS[day.weekday()] in p.days]
        for start in sorted([_at(day, "00:00"), *starts]):
            if start > moment and _open_at(contact, start):
                return Opening(False, opens=start)
    return Opening(False)
