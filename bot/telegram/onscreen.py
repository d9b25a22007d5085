"""What each of the bot's messages shows now, as a digest, so an edit to the same is never sent.

Telegram refuses an edit that changes nothing ("message is not modified"), and the refused call
still counts against the sending limits. A person pressing the button for the screen they are
already on (a language already chosen, the page they are on) would cost one such call. Only a
16-byte digest is kept per message, keyed by the person's HMAC key, never a raw id or the text,
and only for the most recent messages (least recently used first out).
"""

from __future__ import annotations

import hashlib

from cachetools import LRUCache
from telegram import InlineKeyboardMarkup

LIMIT = 20_000


def digest(text: str, markup: InlineKeyboardMarkup | None) -> bytes:
    """The text and every button as Telegram would render them."""
    h = hashlib.blake2b(text.encode(), digest_size=16)
    if markup is not None:
        for row in markup.inline_keyboard:
            h.update(b"\x1e")
            for button in row:
                h.update(b"\x1f%s\x00%s\x00%s" % (
                    button.text.encode(),
                    (button.callback_data or "").encode() if isinstance(button.callback_data, str)
                    else b"",
                    (button.url or "").encode(),
                ))
    return h.digest()


class OnScreen:
    """A bounded map (person key, message id) → digest of what that message shows."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._shown: LRUCache[tuple[bytes, int], bytes] = LRUCache(limit)

    def __len__(self) -> int:
        return len(self._shown)

    def showing(self, key: bytes, message_id: int, value: bytes) -> bool:
        """True if the message is known to show exactly `value` already."""
        return self._shown.get((key, message_id)) == value

    def shown(self, key: bytes, message_id: int, value: bytes) -> None:
        self._shown[(key, message_id)] = value

    def drop(self, key: bytes, message_id: int) -> None:
        """The message is about to change outside a person's press (tidied after a quiet spell)."""
        self._shown.pop((key, message_id), None)

    def forget(self, key: bytes) -> None:
        """Everything about one person, once they have blocked the bot (Telegram refused a send,
        an edit or a deletion with Forbidden). /forget and /clear leave their digests to fall
        out of the cache, least recently used first."""
        for slot in [s for s in self._shown if s[0] == key]:
            del self._shown[slot]
