"""Every command people can type, in one table read by Telegram's handlers, the console, the
help screen and Telegram's command menu. Admin commands (`admin.ADMIN_COMMANDS`) are listed
nowhere."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callbacks import Action, Kind
from bot.i18n import N_


@dataclass(frozen=True)
class Command:
    name: str
    action: Action  # what it does: the same as the button of that action
    menu: str | None = None  # its description in Telegram's command menu
    help: str | None = None  # its line on the help screen


COMMANDS = (
    Command("start", Action(Kind.HOME)),
    Command("menu", Action(Kind.HOME), N_("Main menu"), N_("/menu — the main menu")),
    Command("language", Action(Kind.LANGUAGES), N_("Language"),
            N_("/language — change the language")),
    Command("help", Action(Kind.HELP), N_("Help")),
    Command("privacy", Action(Kind.PRIVACY), N_("Privacy"),
            N_("/privacy — what is kept, and how to stay safe")),
    Command("clear", Action(Kind.CLEAR), N_("Clear this chat"),
            N_("/clear — delete this chat on both sides")),
    Command("forget", Action(Kind.FORGET), N_("Forget my settings"),
            N_("/forget — delete your saved settings")),
)
BY_NAME = {c.name: c for c in COMMANDS}


def command_name(text: str | None) -> str | None:
    """'/Menu@penah_bot extra' -> 'menu': the one way a typed command is read."""
    if not text or not text.startswith("/"):
        return None
    name = text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()
    return name or None
