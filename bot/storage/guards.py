"""What the bot remembers about people in memory only, each bounded in size and in age: the
flood guard, the message ids /clear deletes, quiet chats to tidy, and the "once" sets (a
report counted, the media notice given, a group left). A restart forgets all of it."""

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

from bot.core.state import Tidy
from bot.storage.reports import Reports

K = TypeVar("K", bound=Hashable)
Clock = Callable[[], float]

DELETABLE_FOR = 48 * 3600 - 300  # Telegram deletes messages up to 48 h old; keep a margin
FORGED = 4.0  # what callback data no button of the bot's carries costs, in ordinary updates
URGENT_EVERY = 5.0  # seconds: how often an urgent screen goes to a person held back
MB = 2**20
# What a chat costs in History besides its two arrays: this object, its id, its size, and its
# places in the cache's three maps with their share of the maps' tables, which grow.
CHAT_ENTRY = 640
# The maps' tables keep the size they grew to for the most chats held at once: the ids and
# their entries are kept within this share of the bound.
COUNTED_SHARE = 3 / 4


class Once(TTLCache[K, bool]):
    """A set whose members are forgotten after `age` seconds, and the oldest beyond `size`."""

    def __init__(self, size: int, age: float, clock: Clock = time.monotonic) -> None:
        super().__init__(size, age, timer=clock)

    def first(self, key: K) -> bool:
        """True the first time `key` is seen (within `age`); it is remembered from now on."""
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
    """A person's pace, as a token bucket: `limit` updates at once, and `limit` every `window`
    seconds kept up. The defaults (20 at once, 5 a second) are well above a thumb (about 3 taps
    a second, never 20 at once) and well below a script.

    Past it the person is held back for `pause` seconds, and after that for as long as they
    keep coming faster: updates during a hold still count, down to a debt of `limit`, so a
    script is held for as long as it goes on. Callback data no button carries weighs `FORGED`.
    """

    def __init__(
        self, limit: int = 20, window: float = 4.0, pause: float = 10.0, people: int = 50_000,
        clock: Clock = time.monotonic,
    ) -> None:
        self.limit, self.rate, self.pause = float(limit), limit / window, pause
        self._clock = clock
        # After this long quiet, a person's bucket is full again and any hold over: a fresh
        # start is the same as what would be remembered. The quietest go first beyond `people`.
        self._people: TTLCache[bytes, _Pace] = TTLCache(people, 2 * window + pause, timer=clock)

    def allow(self, key: bytes, weight: float = 1.0) -> bool:
        """Whether the person's update is handled; False while they are held back."""
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
        """Whether the person is held back now (as their last update was)."""
        pace = self._people.get(key)
        return pace is not None and self._clock() < pace.held_until

    def urgent(self, key: bytes) -> bool:
        """Whether an urgent screen (Emergency) goes to a person held back: the first, then one
        every `URGENT_EVERY` seconds, so a script cannot make the bot send them without end."""
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
        """Bytes this chat takes in `History`: the arrays as allocated, and its entry."""
        return CHAT_ENTRY + sys.getsizeof(self.times) + sys.getsizeof(self.ids)

    def drop_before(self, index: int) -> None:
        del self.times[:index]
        del self.ids[:index]


class History:
    """Message ids of each private chat, for /clear: at most `per_chat` ids a chat, none older
    than Telegram lets a bot delete, and `memory` bytes for all chats together: past that, the
    chats quiet longest are forgotten first."""

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
        chat = self._ids.pop(chat_id, None)
        if chat is None:
            return []
        start = bisect_left(chat.times, self._clock() - self.age)
        return sorted(set(chat.ids[start:]))

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
        """Bytes taken, as counted against `memory`."""
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
        countdown = self._chats.get(chat_id)
        if countdown is not None:
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


class Guards:
    """Everything here, for one running bot."""

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
