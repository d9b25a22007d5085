"""Reports from cards, counted by distinct people over the last 48 hours, in memory only.

Three people whose line "did not work" mean it is likely down: admins are told at once, not
in the weekly digest, and its card says so. Money or favours asked, or bad treatment, are
safeguarding matters: admins are told of each at once. They learn the resource and a count,
never who: people are known here by their keyed id only, which a restart forgets.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from cachetools import LRUCache, TTLCache

from bot.core.callbacks import Kind

WINDOW = 48 * 3600.0
UNREACHABLE_AT = 3  # distinct people reporting a line "did not work" within the window
PEOPLE = 100  # remembered per resource and kind; a count stops there
PER_PERSON = 5  # lines and kinds one person is counted for in the window: a script does all
ALERTS = {
    Kind.REPORT: "⚠️ {count} people reported {resource} as not working in the last 48 hours.",
    Kind.ASKED_MONEY: "🛑 Safeguarding: someone reported that {resource} asked them for money "
                      "or favours ({count} in the last 48 hours).",
    Kind.TREATED_BADLY: "🛑 Safeguarding: someone reported being treated badly by {resource} "
                        "({count} in the last 48 hours).",
}


class Reports:
    def __init__(self, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        # `size` people in all, the lines least lately reported let go first
        self._heard: LRUCache[tuple[Kind, str], dict[bytes, float]] = LRUCache(
            max(size, PEOPLE), getsizeof=len)
        self._counted: TTLCache[bytes, int] = TTLCache(size, WINDOW, timer=clock)  # per person
        self._until: dict[str, float] = {}  # resource -> when its card stops saying so

    def _recent(self, kind: Kind, resource: str) -> dict[bytes, float]:
        now, people = self._clock(), self._heard.get((kind, resource), {})
        return {who: at for who, at in people.items() if now - at < WINDOW}

    def add(self, kind: Kind, resource: str, person: bytes) -> str | None:
        """Count the person once; what to tell admins now, if anything."""
        people, counted = self._recent(kind, resource), self._counted.get(person, 0)
        if person in people or counted >= PER_PERSON:
            return None
        self._counted[person] = counted + 1
        people[person] = self._clock()
        if len(people) > PEOPLE:
            del people[min(people, key=people.__getitem__)]
        self._heard[(kind, resource)] = people
        if kind is Kind.REPORT and len(people) >= UNREACHABLE_AT:
            self._until[resource] = sorted(people.values())[-UNREACHABLE_AT] + WINDOW
        if kind is Kind.REPORT and len(people) != UNREACHABLE_AT:
            return None  # told once, as it crossed
        return ALERTS[kind].format(count=len(people), resource=resource)

    def __len__(self) -> int:
        """People remembered, over all lines and kinds."""
        return int(self._heard.currsize)

    def unreachable(self) -> frozenset[str]:
        """Resources that enough people could not reach lately: their cards say so."""
        now = self._clock()
        return frozenset(r for r, until in self._until.items() if until > now)

    def prune(self) -> None:
        for key in list(self._heard):
            people = self._recent(*key)
            if people:
                self._heard[key] = people
            else:
                del self._heard[key]
        self._until = {r: until for r, until in self._until.items() if until > self._clock()}
        self._counted.expire()
