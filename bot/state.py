"""A person's state and the effects of a press, as plain data.

The core returns effects instead of doing them, so the same decision runs on Telegram, in the
terminal and in tests; the adapters carry them out. The store keeps `UserState`; a new
preference is a new field here and a column there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class UserState:
    lang: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class SavePrefs:
    """Keep the person's new state (language, place)."""

    state: UserState


@dataclass(frozen=True)
class Forget:
    """Delete the person's stored preferences now."""


@dataclass(frozen=True)
class ClearChat:
    """Delete both sides of the chat, then send the screen as a new message."""


@dataclass(frozen=True)
class CountView:
    """Add one to today's total for a screen: no user key, only the screen's name."""

    metric: str


@dataclass(frozen=True)
class RecordReport:
    """Count 'this contact did not work' once per person and resource; thank them."""

    resource: str
    thanks: str  # the first time
    again: str  # already reported


Effect = SavePrefs | Forget | ClearChat | CountView | RecordReport
