"""What a person is told when the disk refuses a write: not saved, try again; never an error."""

from __future__ import annotations

from bot.core.decide import Context, view
from bot.core.state import UserState
from bot.i18n.translator import N_
from bot.screens import menus as screens
from bot.screens.menus import Screen

NOT_SAVED = N_("This could not be saved just now. Please try again in a few minutes.")


def not_saved(ctx: Context, lang: str | None, client_language: str | None) -> Screen:
    """The main menu under the notice, in the person's language: they can go on, and know to
    try again."""
    shown = view(ctx, UserState(lang=lang), client_language)
    return screens.main_menu(shown, notice=shown.ui(NOT_SAVED))
