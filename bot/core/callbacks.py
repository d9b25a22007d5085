"""What a button does, in at most 64 ASCII bytes. Callback data can be forged, so decoding
accepts only the exact shapes `encode` writes; the leading version lets a later release change
the shapes without misreading buttons still sitting in people's chats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

VERSION = "1"
MAX_BYTES = 64
_ID = r"[a-z0-9][a-z0-9-]{0,23}"
_TARGET = rf"(?P<target>{_ID})"
_ORIGIN = rf"(?P<origin>{_ID}|-)"  # "-": opened from nowhere in particular
_PAGE = r"(?P<page>\d{1,2})"


class Kind(Enum):
    """Each kind: its code in callback data, then the pattern of each argument in order."""

    HOME = ("m",)
    LANGUAGES = ("l",)
    SET_LANGUAGE = ("L", r"(?P<target>[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?)")
    REGIONS = ("w",)
    SET_REGION = ("W", _TARGET)
    EMERGENCY = ("e",)
    CATEGORY = ("c", _TARGET, _PAGE)
    RESOURCE = ("r", _TARGET, _ORIGIN, _PAGE)
    GUIDE = ("g", _TARGET, _ORIGIN)
    ADVICE = ("a",)
    PRIVACY = ("p",)
    HELP = ("h",)
    CLEAR = ("x",)
    FORGET = ("f",)
    REPORT = ("b", _TARGET, _ORIGIN, _PAGE)  # this contact did not work
    ASKED_MONEY = ("y", _TARGET, _ORIGIN, _PAGE)  # they asked me for money or favours
    TREATED_BADLY = ("u", _TARGET, _ORIGIN, _PAGE)  # I was treated badly
    SET_DISCREET = ("d", "(?P<target>[01])")
    SET_TIDY = ("t", "(?P<target>neutral|clear|keep)")
    KEEP = ("k",)  # the place's numbers as a message of their own, to keep
    KEEP_LEAVE = ("K", _TARGET, "(?P<page>[01])")  # that message's place; 1: tidy-up leaves it

    @property
    def code(self) -> str:
        return str(self.value[0])


_BY_CODE = {kind.code: kind for kind in Kind}
REPORTS = (Kind.REPORT, Kind.ASKED_MONEY, Kind.TREATED_BADLY)  # on a card, about its resource
_PATTERNS = {kind: re.compile(":".join((VERSION, *kind.value))) for kind in Kind}


@dataclass(frozen=True)
class Action:
    kind: Kind
    target: str = ""  # the entry it is about
    origin: str = ""  # where it came from
    page: int = 0

    def encode(self) -> str:
        values = {"target": self.target, "origin": self.origin or "-", "page": str(self.page)}
        fields = (values[name] for name in _PATTERNS[self.kind].groupindex)
        data = ":".join((VERSION, self.kind.code, *fields))
        if len(data.encode()) > MAX_BYTES or decode(data) != self:
            raise ValueError(f"cannot encode {self!r}")
        return data


def decode(data: object) -> Action | None:
    """The action a callback string stands for, or None for anything not written by encode.
    ASCII only: `\\d` would also match other scripts' digits."""
    if not isinstance(data, str) or not data.isascii() or len(data) > MAX_BYTES:
        return None
    kind = _BY_CODE.get(data.partition(":")[2][:1])
    match = _PATTERNS[kind].fullmatch(data) if kind else None
    if kind is None or match is None:
        return None
    fields = match.groupdict()
    origin = fields.get("origin", "-")
    return Action(kind, fields.get("target", ""), "" if origin == "-" else origin,
                  int(fields.get("page", 0)))
