"""What a person is told when the disk refuses a write: not saved, try again; never an error."""

from __future__ import annotations

from . import screens
from .i18n import N_
from .screens import Screen, View

NOT_SAVED = N_("This could not be saved just now. Please try again in a few minutes.")


def not_saved(view: View) -> Screen:
    """The main menu under the notice: the person can go on, and knows to try again."""
    return screens.main_menu(view, notice=view.ui(NOT_SAVED))
