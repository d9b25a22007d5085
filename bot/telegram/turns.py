"""Each chat's turn with Telegram: one send or edit at a time, and of each message's screens
only the newest.

A person can press faster than Telegram lets a bot send to one chat (edits count as sends),
and handlers run concurrently, so two edits of one message could otherwise reach Telegram in
either order. Here what goes to a chat goes one request at a time, and an edit still waiting
for its turn when a newer press of the same message has asked for a screen is dropped: while
the chat keeps up a person sees every screen they asked for, when it does not only the newest,
and never an older one after a newer. "Newer" is the update's id, which Telegram gives in the
order people pressed. Only chats with a request waiting or under way are held here, and the
newest press of the most recently pressed messages (`remembered` of them).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from cachetools import LRUCache

REMEMBERED = 4096  # messages whose newest press is known: far more than are pressed at once


class _Chat:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()  # first come, first served
        self.users = 0  # holding or waiting for the turn


class Turns:
    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._chats: dict[int, _Chat] = {}
        self._newest: LRUCache[tuple[int, int], int] = LRUCache(remembered)

    def newest(self, chat_id: int, message_id: int, order: int) -> bool:
        """Note that update `order` asks for a screen on the message; False if a newer has."""
        slot = (chat_id, message_id)
        if self._newest.get(slot, order) > order:
            return False
        self._newest[slot] = order
        return True

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """The chat's turn: no other request to it is under way until this one is done."""
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat()
        chat.users += 1
        try:
            async with chat.lock:
                yield
        finally:
            chat.users -= 1
            if not chat.users:
                del self._chats[chat_id]

    def __len__(self) -> int:
        """Chats with a request waiting or under way."""
        return len(self._chats)
