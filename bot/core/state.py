"""A person's state and the effects of a press, as plain data: the core returns effects and the
adapters carry them out. A new preference is a field of `UserState` and a column in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.callbacks import Kind


class Tidy(StrEnum):
    """What happens to the chat after the person has gone quiet for a while."""

    NEUTRAL = "neutral"  # the last screen becomes a neutral one
    CLEAR = "clear"  # the whole chat is deleted, as /clear does
    KEEP = "keep"  # nothing


@dataclass(frozen=True)
class UserState:
    lang: str | None = None
    region: str | None = None
    discreet: bool = False  # menus with discreet names and no icons
    tidy: Tidy = Tidy.NEUTRAL


@dataclass(frozen=True)
class SavePrefs:
    state: UserState


@dataclass(frozen=True)
class Forget:
    """Delete the person's stored preferences now."""


@dataclass(frozen=True)
class ClearChat:
    """Delete both sides of the chat, then send the screen as a new message."""


@dataclass(frozen=True)
class CountView:
    metric: str  # a screen's name, added to today's total: no user key


@dataclass(frozen=True)
class RecordReport:
    """Count a report from a card once per person, resource and kind; thank them."""

    resource: str
    thanks: str  # the first time, when admins hear of it at once
    again: str  # already reported
    checked: str  # the first time, when no admin will hear of it at once
    kind: Kind = Kind.REPORT  # or ASKED_MONEY, TREATED_BADLY


@dataclass(frozen=True)
class CountSearch:
    found: bool  # whether something was found, added to today's searches: never what was typed


@dataclass(frozen=True)
class ScheduleTidy:
    """(Re)start the chat's quiet-time countdown; when it ends, tidy it."""

    mode: Tidy
    lang: str  # the language of the neutral screen it leaves


@dataclass(frozen=True)
class KeepNumbers:
    """Send the screen as a message of its own, below the one pressed (the choice pressed on a
    kept message travels with its screen: `Screen.leave`)."""


Effect = (
    SavePrefs | Forget | ClearChat | CountView | RecordReport | ScheduleTidy | CountSearch
    | KeepNumbers
)
