"""Before any handler: private chats only, unknown update shapes dropped, floods held back.

A message's id is kept for /clear before the flood check. A person going faster than the flood
guard's pace is held back and told so once; their presses are still answered at once, and
/clear (what a flood left in the chat can always be deleted), the Emergency button and typed
text (which may tell of danger: the handlers decide once it is searched) still get through.
"""

from __future__ import annotations

import contextlib
from html import escape

from telegram import Chat, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.core import decide as core
from bot.core.callbacks import Kind, decode
from bot.core.commands import command_name
from bot.core.state import UserState
from bot.i18n.translator import N_
from bot.screens.view import Screen
from bot.storage.guards import FORGED
from bot.telegram.services import Services

HELD_BACK = N_("That was too fast. Please wait a few seconds, then try again.")
PTBContext = ContextTypes.DEFAULT_TYPE


def client_language(update: Update) -> str | None:
    """The client's language, used until the person chooses one."""
    return update.effective_user.language_code if update.effective_user else None


def typed_command(message: Message | None) -> str | None:
    """The command a message gives, if any: a forwarded message is never one."""
    if message is None or message.forward_origin is not None:
        return None
    return command_name(message.text)


class Gate:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(self, update: Update, context: PTBContext) -> None:
        chat, user = update.effective_chat, update.effective_user
        if update.my_chat_member is not None:
            if chat is not None and chat.type != ChatType.PRIVATE:
                await self._leave(chat)
            raise ApplicationHandlerStop
        if update.message is None and update.callback_query is None:
            raise ApplicationHandlerStop  # edited messages, channel posts, …: not for Penah
        if chat is None or user is None or self.services.started() is None:
            raise ApplicationHandlerStop
        if chat.type != ChatType.PRIVATE:
            await self._leave(chat)
            raise ApplicationHandlerStop
        guards = self.services.guards
        message, query = update.message, update.callback_query
        if message is not None:
            guards.history.add(chat.id, message.message_id)
        key = self.services.store().prefs.user_key(user.id)
        action = decode(query.data) if query is not None else None
        if guards.flood.allow(key, FORGED if query is not None and action is None else 1.0):
            return
        # /clear, and typed text, which is searched: the words may tell of danger
        typed = message is not None and message.text and message.forward_origin is None
        if typed and typed_command(message) in (None, "clear"):
            return
        if action is not None and action.kind is Kind.EMERGENCY and guards.flood.urgent(key):
            return
        await self.held(update, key)
        raise ApplicationHandlerStop

    async def held(self, update: Update, key: bytes) -> None:
        """An update from a person held back: a press is answered at once all the same, and
        the first of the hold says why nothing happens (a press in a dialog, which leaves
        nothing in the chat)."""
        notice = None
        if self.services.guards.flood.tell(key):
            state = await self.services.store().prefs.peek(key) or UserState()
            notice = core.view(self.services.context(), state, client_language(update)).t
        with contextlib.suppress(TelegramError):
            if update.callback_query is not None:
                text = notice.gettext(HELD_BACK) if notice else None
                await update.callback_query.answer(text, show_alert=notice is not None)
            elif notice is not None and update.effective_chat is not None:
                text = notice.mark_lines(escape(notice.gettext(HELD_BACK), quote=False))
                await self.services.delivery.send(update.effective_chat, Screen(text), key)

    async def _leave(self, chat: Chat) -> None:
        if not self.services.guards.left_groups.first(chat.id):
            return
        t = self.services.context().catalogs.get(None)
        with contextlib.suppress(TelegramError):
            await chat.send_message(
                t.gettext("I only work in private chats. Goodbye."), disable_notification=True
            )
        with contextlib.suppress(TelegramError):
            await chat.leave()
