"""Screens into chats: sent, edited in place, deleted, tidied after a quiet spell.

Handlers run concurrently, so a chat gets one request at a time, and an edit overtaken by a
newer press of its message is dropped: never an older screen after a newer (`Turns`). Telegram
refuses an edit that changes nothing yet counts it against the limits, so what recent messages
show is kept as a digest under the person's keyed hash (`OnScreen`); such an edit is not sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from cachetools import LRUCache
from telegram import CallbackQuery, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.core.state import Tidy
from bot.screens.view import Screen
from bot.storage.guards import Guards
from bot.telegram.limiter import NORMAL, URGENT, LimitArgs

log = logging.getLogger(__name__)

DELETE_BATCH = 100
REMEMBERED = 4096  # messages whose newest press is known: far more than are pressed at once


def digest(text: str, markup: InlineKeyboardMarkup | None) -> int:
    """The text and every button as Telegram would render them."""
    rows = markup.inline_keyboard if markup is not None else ()
    return hash((text, tuple(tuple((b.text, b.callback_data, b.url) for b in row) for row in rows)))


class OnScreen(LRUCache[tuple[bytes, int], int]):
    """(person key, message id) → digest of what the message shows, for the most recent."""

    def forget(self, key: bytes) -> None:
        """A person who blocked the bot; /forget and /clear leave theirs to fall out."""
        for slot in [s for s in self if s[0] == key]:
            del self[slot]


class Turns:
    """A lock per chat with a request waiting or under way, and the newest press of recently
    pressed messages: update ids, which Telegram gives in the order people pressed."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._newest: LRUCache[tuple[int, int], int] = LRUCache(remembered)

    def newest(self, chat_id: int, message_id: int, order: int) -> bool:
        """Update `order` asks for a screen on the message; False if a newer has."""
        if self._newest.get((chat_id, message_id), order) > order:
            return False
        self._newest[(chat_id, message_id)] = order
        return True

    def turn(self, chat_id: int) -> asyncio.Lock:
        """The chat's lock, first come first served: whoever holds or awaits it keeps it alive."""
        return self._locks.get(chat_id) or self._locks.setdefault(chat_id, asyncio.Lock())

    def __len__(self) -> int:
        return len(self._locks)


@functools.lru_cache(maxsize=4096)  # screens are immutable, and so are PTB's markups
def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    rows = [
        [InlineKeyboardButton(b.label, url=b.url) if b.url
         else InlineKeyboardButton(b.label, callback_data=b.action.encode() if b.action else "")
         for b in row]
        for row in screen.rows
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def screen_markup(screen: Screen) -> InlineKeyboardMarkup | None:
    """The cached keyboard, except for a search's results: what was found stays unkept."""
    return keyboard.__wrapped__(screen) if screen.private else keyboard(screen)


def _reply(screen: Screen) -> LimitArgs:
    """An answer to the person's own update: not held by the chat's pace."""
    return {"priority": URGENT if screen.urgent else NORMAL, "reply": True}


class Delivery:
    def __init__(self, api: Callable[[], ExtBot[Any]], guards: Guards,
                 forget: Callable[[bytes], Awaitable[None]]) -> None:
        self._api, self.guards, self._forget = api, guards, forget
        self.onscreen = OnScreen(20_000)
        self.turns = Turns()

    async def send(self, chat: Chat, screen: Screen, key: bytes | None = None) -> None:
        async with self.turns.turn(chat.id):
            await self._send_now(chat, screen, key)

    async def _send_now(self, chat: Chat, screen: Screen, key: bytes | None) -> None:
        markup = screen_markup(screen)
        try:
            sent = await self._api().send_message(
                chat.id, screen.text, parse_mode=ParseMode.HTML, reply_markup=markup,
                rate_limit_args=_reply(screen))
        except Forbidden:
            await self.blocked(key)
            return
        self.guards.history.add(chat.id, sent.message_id)
        self._shown(chat.id, sent.message_id, screen)
        if key is not None:
            self.onscreen[(key, sent.message_id)] = digest(screen.text, markup)

    async def edit(self, query: CallbackQuery, screen: Screen, key: bytes, order: int) -> None:
        """In place of the message, unless a newer press (`order`: the update's id) asked for
        another meanwhile."""
        message = query.message
        if not isinstance(message, Message):  # too old to edit: send it fresh
            if message is not None:
                await self.send(message.chat, screen, key)
            return
        chat_id, message_id = message.chat_id, message.message_id
        if not self.turns.newest(chat_id, message_id, order):
            return
        async with self.turns.turn(chat_id):
            if self.turns.newest(chat_id, message_id, order):  # none came while this waited
                await self._edit_now(message, screen, key)

    async def _edit_now(self, message: Message, screen: Screen, key: bytes) -> None:
        markup = screen_markup(screen)
        shows = digest(screen.text, markup)
        if self.onscreen.get((key, message.message_id)) == shows:
            return
        try:
            await self._api().edit_message_text(
                screen.text, chat_id=message.chat_id, message_id=message.message_id,
                parse_mode=ParseMode.HTML, reply_markup=markup, rate_limit_args=_reply(screen))
            self._shown(message.chat_id, message.message_id, screen)
            self.onscreen[(key, message.message_id)] = shows
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                self.onscreen[(key, message.message_id)] = shows
                return
            log.warning("editMessageText failed: %s", exc.message[:80])
            if "not found" not in exc.message.lower():  # gone: deleted by /clear meanwhile
                await self._send_now(message.chat, screen, key)
        except Forbidden:
            await self.blocked(key)

    def _shown(self, chat_id: int, message_id: int, screen: Screen) -> None:
        """The screen tidy-up hides next, or numbers to keep with their choice: noted as shown,
        under the chat's turn, so an overtaken press is never noted."""
        if screen.kept:
            self.guards.kept.mark(chat_id, message_id, screen.leave)
        else:
            self.guards.tidy.shown(chat_id, message_id)

    async def blocked(self, key: bytes | None) -> None:
        """A person who blocked the bot is forgotten, as they would want."""
        if key is not None:
            self.onscreen.forget(key)
            await self._forget(key)

    async def clear(self, chat: Chat, screen: Screen, key: bytes) -> None:
        """Both sides of the chat deleted, then one neutral screen: after what is under way in
        the chat, before anything else."""
        self.guards.tidy.disarm(chat.id)
        async with self.turns.turn(chat.id):
            await self._delete_all(chat.id, key)
            await self._send_now(chat, screen, key)

    async def _delete_all(self, chat_id: int, key: bytes,
                          left: frozenset[int] = frozenset()) -> None:
        """All Telegram still lets us delete, but the kept messages tidy-up `left` (/clear's)."""
        ids = self.guards.history.take(chat_id)
        for message_id in left.intersection(ids):
            self.guards.history.add(chat_id, message_id)
        ids = [message_id for message_id in ids if message_id not in left]
        batches = [ids[i : i + DELETE_BATCH] for i in range(0, len(ids), DELETE_BATCH)]
        while batches:
            batch = batches.pop(0)
            try:
                await self._api().delete_messages(chat_id, batch)
            except Forbidden:
                await self.blocked(key)
                return
            except BadRequest as exc:
                # One message Telegram will not delete (just past 48 hours) fails its whole
                # batch: halve and retry, skipping it in the end.
                log.info("deleteMessages refused a batch of %d: %s", len(batch), exc.message[:80])
                if len(batch) > 1:
                    batches[:0] = [batch[: len(batch) // 2], batch[len(batch) // 2 :]]

    async def tidy(self, neutral: Callable[[str], Screen]) -> None:
        """Chats whose person went quiet: a neutral last screen in their language, or empty."""
        for chat_id, countdown in self.guards.tidy.due():
            async with self.turns.turn(chat_id):  # not in the middle of a press's edit
                gone, left = self.guards.kept.tidy(chat_id)  # as the messages show now
                try:
                    if countdown.mode is Tidy.CLEAR:
                        await self._delete_all(chat_id, countdown.key, left)
                    elif gone:  # the kept messages the person let go
                        with contextlib.suppress(BadRequest):
                            await self._api().delete_messages(chat_id, gone)
                    if countdown.mode is not Tidy.CLEAR and countdown.message_id is not None:
                        screen = neutral(countdown.lang)
                        # what it shows changes now
                        self.onscreen.pop((countdown.key, countdown.message_id), None)
                        await self._api().edit_message_text(
                            screen.text, chat_id=chat_id, message_id=countdown.message_id,
                            parse_mode=ParseMode.HTML, reply_markup=keyboard(screen))
                except Forbidden:
                    await self.blocked(countdown.key)
                except TelegramError as exc:  # gone, too old, not modified: nothing to tidy
                    log.info("tidying a chat failed: %s", type(exc).__name__)
