"""What the bot remembers about people in memory only, each bounded in size and in age: a
restart forgets all of it. People (the flood guard, reports, once-only notices) are known by
their keyed id; chats (history, tidy-up, kept messages) by the chat id Telegram needs to act on
them. Reports from cards learn the resource and a count of distinct people, never who."""

from __future__ import annotations

import math
import sys
import time
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

from cachetools import LRUCache, TTLCache

from bot.core.callbacks import Kind
from bot.core.state import Tidy

K = TypeVar("K", bound=Hashable)
Clock = Callable[[], float]

DELETABLE_FOR = 48 * 3600 - 300  # Telegram deletes messages up to 48 h old; keep a margin
FORGED = 4.0  # what callback data no button of the bot's carries costs, in ordinary updates
URGENT_EVERY = 5.0  # seconds: how often an urgent screen goes to a person held back
MB = 2**20
CHAT_ENTRY = 640  # a chat's cost in History besides its arrays: itself, its id, its map slots
COUNTED_SHARE = 3 / 4  # of History's bound, as the maps' tables keep the size they grew to
REPORT_WINDOW = 48 * 3600.0
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


class Once(TTLCache[K, bool]):
    """A set whose members are forgotten after `age` seconds, and the oldest beyond `size`."""

    def __init__(self, size: int, age: float, clock: Clock = time.monotonic) -> None:
        super().__init__(size, age, timer=clock)

    def first(self, key: K) -> bool:
        if key in self:
            return False
        self[key] = True
        return True


@dataclass(slots=True)
class _Pace:
    tokens: float  # updates the person may still send at once
    stamp: float  # when `tokens` was worked out
    held_until: float = -math.inf
    told: bool = False  # told, during this hold, that they are held back
    urgent_at: float = -math.inf  # when an urgent screen last went to them while held back


class FloodGuard:
    """A token bucket per person: `limit` updates at once, `limit` every `window` seconds kept
    up; the defaults are well above a thumb (about 3 taps a second) and well below a script.
    Past it the person is held for `pause` seconds, and for as long as they keep coming:
    updates during a hold still count, down to a debt of `limit`."""

    def __init__(
        self, limit: int = 20, window: float = 4.0, pause: float = 10.0, people: int = 50_000,
        clock: Clock = time.monotonic,
    ) -> None:
        self.limit, self.rate, self.pause = float(limit), limit / window, pause
        self._clock = clock
        # After this long quiet a bucket is full again and any hold over: nothing to remember.
        self._people: TTLCache[bytes, _Pace] = TTLCache(people, 2 * window + pause, timer=clock)

    def allow(self, key: bytes, weight: float = 1.0) -> bool:
        now = self._clock()
        pace = self._people.get(key) or _Pace(self.limit, now)
        pace.tokens = min(self.limit, pace.tokens + (now - pace.stamp) * self.rate)
        pace.stamp = now
        allowed = now >= pace.held_until and pace.tokens >= weight
        if allowed:
            pace.told = False
        elif now >= pace.held_until:
            pace.held_until = now + self.pause
        pace.tokens = max(-self.limit, pace.tokens - weight)
        self._people[key] = pace  # its quiet time starts again
        return allowed

    def holding(self, key: bytes) -> bool:
        pace = self._people.get(key)
        return pace is not None and self._clock() < pace.held_until

    def urgent(self, key: bytes) -> bool:
        """Whether an urgent screen (Emergency) goes to a person held back: one every
        `URGENT_EVERY` seconds, so a script cannot make the bot send them without end."""
        pace, now = self._people.get(key), self._clock()
        if pace is not None and now - pace.urgent_at < URGENT_EVERY:
            return False
        if pace is not None:
            pace.urgent_at = now
        return True

    def tell(self, key: bytes) -> bool:
        """True once per hold: the one time to say that the person is held back."""
        pace = self._people.get(key)
        if pace is None or pace.told or self._clock() >= pace.held_until:
            return False
        pace.told = True
        return True

    def __len__(self) -> int:
        return len(self._people)


class _ChatIds:
    """One chat's message ids and when each was kept, oldest first, in flat arrays."""

    __slots__ = ("ids", "times")

    def __init__(self) -> None:
        self.times, self.ids = array("d"), array("q")

    def cost(self) -> int:
        return CHAT_ENTRY + sys.getsizeof(self.times) + sys.getsizeof(self.ids)

    def drop_before(self, index: int) -> None:
        del self.times[:index]
        del self.ids[:index]


class History:
    """Message ids of each private chat, for /clear: at most `per_chat` a chat, none older than
    Telegram lets a bot delete, and `memory` bytes for all chats: the quietest go first."""

    def __init__(
        self, memory: int = 32 * MB, per_chat: int = 2000, age: float = DELETABLE_FOR,
        clock: Clock = time.monotonic,
    ) -> None:
        self.per_chat, self.age, self._clock = per_chat, age, clock
        self._ids: LRUCache[int, _ChatIds] = LRUCache(
            memory * COUNTED_SHARE, getsizeof=_ChatIds.cost
        )

    def add(self, chat_id: int, message_id: int) -> None:
        chat = self._ids.get(chat_id) or _ChatIds()
        chat.times.append(self._clock())
        chat.ids.append(message_id)
        if len(chat.ids) > self.per_chat:
            chat.drop_before(len(chat.ids) - self.per_chat)
        self._ids[chat_id] = chat  # measured again, now the most recently active chat

    def take(self, chat_id: int) -> list[int]:
        """The ids still deletable, forgetting all of them."""
        chat = self._ids.pop(chat_id, None) or _ChatIds()
        return sorted(set(chat.ids[bisect_left(chat.times, self._clock() - self.age):]))

    def prune(self) -> None:
        horizon = self._clock() - self.age
        for chat_id in list(self._ids):  # oldest first, each put back in its place
            chat = self._ids[chat_id]
            chat.drop_before(bisect_left(chat.times, horizon))
            if chat.ids:
                self._ids[chat_id] = chat
            else:
                del self._ids[chat_id]

    @property
    def size(self) -> int:
        return int(self._ids.currsize)


@dataclass
class Countdown:
    deadline: float
    key: bytes
    mode: Tidy
    lang: str
    message_id: int | None = None  # the bot's last screen in the chat


class Countdowns:
    """Per chat, when and how to tidy up after the person went quiet; a restart forgets them,
    as /privacy says. 0 seconds turns tidying off."""

    def __init__(self, seconds: float, size: int, clock: Clock = time.monotonic) -> None:
        self.seconds, self.size, self._clock = seconds, size, clock
        self._chats: OrderedDict[int, Countdown] = OrderedDict()  # soonest first

    def arm(self, chat_id: int, key: bytes, mode: Tidy, lang: str) -> None:
        previous = self._chats.pop(chat_id, None)
        if mode is Tidy.KEEP or self.seconds <= 0:
            return
        message_id = previous.message_id if previous else None
        deadline = self._clock() + self.seconds
        self._chats[chat_id] = Countdown(deadline, key, mode, lang, message_id)
        if len(self._chats) > self.size:
            self._chats.popitem(last=False)

    def disarm(self, chat_id: int) -> None:
        self._chats.pop(chat_id, None)

    def shown(self, chat_id: int, message_id: int) -> None:
        if (countdown := self._chats.get(chat_id)) is not None:
            countdown.message_id = message_id

    def due(self) -> list[tuple[int, Countdown]]:
        now, found = self._clock(), []
        while self._chats and next(iter(self._chats.values())).deadline <= now:
            found.append(self._chats.popitem(last=False))
        return found

    def __len__(self) -> int:
        return len(self._chats)


class Kept:
    """Per chat, the numbers-to-keep messages sent and whether tidy-up leaves each, for as long
    as Telegram lets a bot delete them; the newest `per_chat` of a chat."""

    def __init__(self, size: int, clock: Clock = time.monotonic, per_chat: int = 20) -> None:
        self.per_chat = per_chat
        self._chats: TTLCache[int, dict[int, bool]] = TTLCache(size, DELETABLE_FOR, timer=clock)

    def mark(self, chat_id: int, message_id: int, leave: bool = False) -> None:
        chat = self._chats.get(chat_id) or {}
        chat[message_id] = leave
        if len(chat) > self.per_chat:
            del chat[next(iter(chat))]
        self._chats[chat_id] = chat

    def tidy(self, chat_id: int) -> tuple[list[int], frozenset[int]]:
        """(the kept messages tidy-up takes, forgotten now; those it leaves)."""
        chat = self._chats.pop(chat_id, {})
        left = frozenset(message_id for message_id, leave in chat.items() if leave)
        if left:
            self._chats[chat_id] = dict.fromkeys(left, True)
        return [message_id for message_id in chat if message_id not in left], left


class Reports:
    """Reports from cards by distinct people over 48 hours. Three people whose line "did not
    work" make it likely down: admins are told at once and its card says so. Money or favours
    asked, or bad treatment, are safeguarding matters: admins are told of each at once."""

    def __init__(self, size: int, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        # `size` people in all, the lines least lately reported let go first
        self._heard: LRUCache[tuple[Kind, str], dict[bytes, float]] = LRUCache(
            max(size, PEOPLE), getsizeof=len)
        self._counted: TTLCache[bytes, int] = TTLCache(size, REPORT_WINDOW, timer=clock)
        self._until: dict[str, float] = {}  # resource -> when its card stops saying so

    def _recent(self, kind: Kind, resource: str) -> dict[bytes, float]:
        now, people = self._clock(), self._heard.get((kind, resource), {})
        return {who: at for who, at in people.items() if now - at < REPORT_WINDOW}

    def add(self, kind: Kind, resource: str, person: bytes) -> tuple[bool, str | None]:
        """Count the person once, within their cap: (counted, what to tell admins now)."""
        people, counted = self._recent(kind, resource), self._counted.get(person, 0)
        if person in people or counted >= PER_PERSON:
            return False, None
        self._counted[person] = counted + 1
        people[person] = self._clock()
        if len(people) > PEOPLE:
            del people[min(people, key=people.__getitem__)]
        self._heard[(kind, resource)] = people
        if kind is Kind.REPORT and len(people) >= UNREACHABLE_AT:
            self._until[resource] = sorted(people.values())[-UNREACHABLE_AT] + REPORT_WINDOW
        if kind is Kind.REPORT and len(people) != UNREACHABLE_AT:
            return True, None  # told once, as it crossed
        return True, ALERTS[kind].format(count=len(people), resource=resource)

    def __len__(self) -> int:
        """People remembered, over all lines and kinds."""
        return int(self._heard.currsize)

    def unreachable(self) -> frozenset[str]:
        now = self._clock()
        return frozenset(r for r, until in self._until.items() if until > now)

    def prune(self) -> None:
        for key in list(self._heard):
            if people := self._recent(*key):
                self._heard[key] = people
            else:
                del self._heard[key]
        self._until = {r: until for r, until in self._until.items() if until > self._clock()}
        self._counted.expire()


class Guards:
    def __init__(
        self, flood: FloodGuard, history: History, size: int, age: float, tidy_seconds: float,
        clock: Clock = time.monotonic,
    ) -> None:
        self.flood, self.history = flood, history
        self.tidy = Countdowns(tidy_seconds, size, clock)
        self.kept = Kept(size, clock)
        self.reported = Once[tuple[bytes, str]](size, age, clock)
        self.told_media = Once[bytes](size, age, clock)
        self.left_groups = Once[int](size, age, clock)
        self.reports = Reports(size, clock=clock)

    def prune(self) -> None:
        self.history.prune()
        for once in (self.reported, self.told_media, self.left_groups):
            once.expire()
        self.reports.prune()
