"""The callback-data codec: what a button does, in at most 64 ASCII bytes, decoded strictly.

Callback data comes back from Telegram's clients and can be forged, so decoding accepts only
the exact shapes `encode` writes; anything else is `None`, which screens answer with a fresh
main menu. The leading version lets a later release change the shapes without misreading
buttons still sitting in people's chats.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

VERSION = "1"
MAX_BYTES = 64
_ID = r"[a-z0-9][a-z0-9-]{0,23}"
_LANG = r"[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?"


class Kind(Enum):
    """Each kind: its code in callback data, and the pattern of its arguments."""

    HOME = ("m", "")
    LANGUAGES = ("l", "")
    SET_LANGUAGE = ("L", _LANG)
    REGIONS = ("w", "")
    SET_REGION = ("W", _ID)
    EMERGENCY = ("e", "")
    CATEGORY = ("c", rf"{_ID}:\d{{1,2}}")
    RESOURCE = ("r", rf"{_ID}:(?:{_ID}|-):\d{{1,2}}")
    GUIDE = ("g", rf"{_ID}:(?:{_ID}|-)")
    ADVICE = ("a", "")
    PRIVACY = ("p", "")
    HELP = ("h", "")
    CLEAR = ("x", "")
    FORGET = ("f", "")
    REPORT = ("b", rf"{_ID}:(?:{_ID}|-):\d{{1,2}}")
    SET_DISCREET = ("d", "[01]")
    SET_TIDY = ("t", "neutral|clear|keep")
    KEEP = ("k", "")  # the place's numbers as a message of their own, to keep
    KEEP_LEAVE = ("K", rf"{_ID}:[01]")  # that message's place; 1: tidy-up leaves it

    @property
    def code(self) -> str:
        return self.value[0]


_BY_CODE = {kind.code: kind for kind in Kind}
_TARGET_ONLY = frozenset({Kind.SET_LANGUAGE, Kind.SET_REGION, Kind.SET_DISCREET, Kind.SET_TIDY})
_PATTERNS = {
    kind: re.compile(rf"{VERSION}:{kind.code}" + (rf":({kind.value[1]})" if kind.value[1] else ""))
    for kind in Kind
}


@dataclass(frozen=True)
class Action:
    """A button press: the kind, the entry it is about, where it came from, and a page."""

    kind: Kind
    target: str = ""
    origin: str = ""
    page: int = 0

    def encode(self) -> str:
        parts = [VERSION, self.kind.code]
        if self.kind in _TARGET_ONLY:
            parts.append(self.target)
        elif self.kind in (Kind.CATEGORY, Kind.KEEP_LEAVE):
            parts += [self.target, str(self.page)]
        elif self.kind in (Kind.RESOURCE, Kind.REPORT):
            parts += [self.target, self.origin or "-", str(self.page)]
        elif self.kind is Kind.GUIDE:
            parts += [self.target, self.origin or "-"]
        data = ":".join(parts)
        if len(data.encode()) > MAX_BYTES or decode(data) != self:
            raise ValueError(f"cannot encode {self!r}")
        return data


def decode(data: object) -> Action | None:
    """The action a callback string stands for, or None for anything not written by encode."""
    if not isinstance(data, str) or not data.isascii() or len(data) > MAX_BYTES:
        return None
    head = data.split(":", 2)
    if len(head) < 2 or head[0] != VERSION or head[1] not in _BY_CODE:
        return None
    kind = _BY_CODE[head[1]]
    match = _PATTERNS[kind].fullmatch(data)
    if match is None:
        return None
    if not kind.value[1]:
        return Action(kind)
    args = match.group(1).split(":")
    if kind in _TARGET_ONLY:
        return Action(kind, target=args[0])
    if kind in (Kind.CATEGORY, Kind.KEEP_LEAVE):
        return Action(kind, target=args[0], page=int(args[1]))
    origin = "" if args[1] == "-" else args[1]
    page = int(args[2]) if len(args) > 2 else 0
    return Action(kind, target=args[0], origin=origin, page=page)
