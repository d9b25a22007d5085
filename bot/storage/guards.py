"""What the bot remembers about people in memory only, each bounded in size and in age.

The flood guard, the message ids /clear deletes, and the "once" sets (a report counted, the
media notice given, a group left). A restart forgets all of it; none of it reaches the disk.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.core.state import Tidy

K = TypeVar("K", bound=Hashable)
Clock = Callable[[], float]

DELETABLE_FOR = 48 * 3600 - 300  # Telegram deletes messages up to 48 h old; keep a margin


class Once(Generic[K]):
    """A set whose members are forgotten after `age` seconds, and the oldest beyond `size`."""

    def __init__(self, size: int, age: float, clock: Clock = time.monotonic) -> None:
        self.size, self.age, self._clock = size, age, clock
        self._added: OrderedDict[K, float] = OrderedDict()

    def first(self, key: K) -> bool:
        """True the first time `key` is seen (within `age`); it is remembered from now on."""
        now = self._clock()
        self._prune(now)
        if key in self._added:
            return False
        self._added[key] = now
        if len(self._added) > self.size:
            self._added.popitem(last=False)
        return True

    def __contains__(self, key: K) -> bool:
        self._prune(self._clock())
        return key in self._added

    def __len__(self) -> int:
        return len(self._added)

    def prune(self) -> None:
        self._prune(self._clock())

    def _prune(self, now: float) -> None:
        while self._added:
            key, added = next(iter(self._added.items()))
            if now - added < self.age:
                break
            del self._added[key]


class FloodGuard:
    """More than `limit` updates in `window` seconds silences a person for `pause` seconds.

    At most `people` are followed; the one quiet longest is forgotten first.
    """

    def __init__(
        self,
        limit: int = 20,
        window: float = 10.0,
        pause: float = 30.0,
        people: int = 50_000,
        clock: Clock = time.monotonic,
    ) -> None:
        self.limit, self.window, self.pause, self.people = limit, window, pause, people
        self._clock = clock
        self._seen: OrderedDict[bytes, deque[float]] = OrderedDict()
        self._silenced = Once[bytes](people, pause, clock)

    def allow(self, key: bytes) -> bool:
        now = self._clock()
        if key in self._silenced:
            return False
        times = self._seen.pop(key, None) or deque()
        while times and times[0] < now - self.window:
            times.popleft()
        times.append(now)
        self._seen[key] = times  # now the most recent
        while len(self._seen) > self.people or (
            self._seen and next(iter(self._seen.values()))[-1] < now - self.window
        ):
            self._seen.popitem(last=False)
        if len(times) > self.limit:
            self._silenced.first(key)
            del self._seen[key]
            return False
        return True

    def __len__(self) -> int:
        return len(self._seen)


class History:
    """Message ids of each private chat, for /clear: at most `per_chat` ids of `chats` chats,
    none older than Telegram lets a bot delete."""

    def __init__(
        self,
        per_chat: int = 2000,
        chats: int = 100_000,
        age: float = DELETABLE_FOR,
        clock: Clock = time.monotonic,
    ) -> None:
        self.per_chat, self.chats, self.age, self._clock = per_chat, chats, age, clock
        self._ids: OrderedDict[int, deque[tuple[float, int]]] = OrderedDict()

    def add(self, chat_id: int, message_id: int) -> None:
        chat = self._ids.pop(chat_id, None) or deque(maxlen=self.per_chat)
        chat.append((self._clock(), message_id))
        self._ids[chat_id] = chat  # the most recently active chat last
        if len(self._ids) > self.chats:
            self._ids.popitem(last=False)

    def take(self, chat_id: int) -> list[int]:
        """The ids still deletable, forgetting all of them."""
        horizon = self._clock() - self.age
        return sorted({m for t, m in self._ids.pop(chat_id, ()) if t >= horizon})

    def prune(self) -> None:
        horizon = self._clock() - self.age
        for chat_id in list(self._ids):
            chat = self._ids[chat_id]
            while chat and chat[0][0] < horizon:
                chat.popleft()
            if not chat:
                del self._ids[chat_id]

    def __len__(self) -> int:
        return len(self._ids)


@dataclass
class Countdown:
    deadline: float
    key: bytes
    mode: Tidy
    lang: str
    message_id: int | None = None  # the bot's last screen in the chat


class Countdowns:
    """Per chat, when and how to tidy up after the person went quiet. Memory only: a restart
    forgets them, as /privacy says. 0 seconds turns tidying off."""

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
        while self._chats:
            countdown = next(iter(self._chats.values()))
            if countdown.deadline > now:
                break
            found.append(self._chats.popitem(last=False))
        return found

    def __len__(self) -> int:
        return len(self._chats)


class Guards:
    """Everything here, for one running bot."""

    def __init__(
        self, flood: FloodGuard, history: History, size: int, age: float, tidy_seconds: float
    ) -> None:
        self.flood = flood
        self.history = history
        self.tidy = Countdowns(tidy_seconds, size)
        self.reported = Once[tuple[bytes, str]](size, age)
        self.told_media = Once[bytes](size, age)
        self.left_groups = Once[int](size, age)

    def prune(self) -> None:
        self.history.prune()
        self.reported.prune()
        self.told_media.prune()
        self.left_groups.prune()
