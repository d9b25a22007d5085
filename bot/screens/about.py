"""The screens about the bot itself: what it keeps, how to stay safe, how to use it."""

from __future__ import annotations

from html import escape

from bot.core.callbacks import Action, Kind
from bot.core.commands import COMMANDS
from bot.core.state import Tidy
from bot.i18n.bidi import LRI, PDI
from bot.i18n.translator import N_
from bot.screens.view import Button, Screen, View

TIDY_CHOICES = {Tidy.NEUTRAL: N_("After a pause: hide the last message"),
                Tidy.CLEAR: N_("After a pause: delete this chat"),
                Tidy.KEEP: N_("After a pause: keep everything")}
DISCREET_LABELS = {True: N_("Discreet mode: on"), False: N_("Discreet mode: off")}
KEPT = N_("What this bot keeps: your language and your place, under a code that does not contain "
          "your Telegram account, and the day you last used it. It is deleted after {days} "
          "without use, or at once with /forget.")
NOT_KEPT = N_("It never keeps your messages, your name, your username or your phone number. It "
              "counts menu use only as totals per day.")
# The rest of the privacy screen: each part's title, then its lines.
PRIVACY_PARTS = {
    N_("What Telegram can see"): (
        N_("Chats with bots are stored on Telegram's servers and are not end-to-end encrypted. "
           "Telegram says it may disclose your IP address and phone number to authorities if a "
           "court orders it."),
    ),
    N_("Protect yourself"): (
        N_("• Lock Telegram with its own passcode (Settings > Privacy and Security)."),
        N_("• Use a PIN, not your fingerprint or face, to unlock your phone."),
        N_("• Turn on an auto-delete timer for this chat."),
        N_("• Use /clear or the button below to delete this chat on both sides, then delete the "
           "chat from your chat list."),
        N_("• If your phone was taken, open Telegram on another device and end the other "
           "sessions (Settings > Devices)."),
    ),
    N_("Discretion"): (
        N_("Discreet mode shows plain names and no icons in the menus."),
        N_("These choices are kept like your language and place, and deleted with them."),
        N_("After a pause without use, the bot can replace its last message with a neutral one, "
           "or delete this chat: choose below. It keeps this timer in memory only, so a restart "
           "of the bot forgets it."),
    ),
}


def privacy(view: View, retention_days: int) -> Screen:
    t = view.t
    days = t.ngettext("{n} day", "{n} days", retention_days).format(n=retention_days)
    lines = ["🔒 <b>" + escape(t.gettext("Privacy")) + "</b>", ""]
    lines += [view.ui(KEPT, days=days), view.ui(NOT_KEPT)]
    for title, said in PRIVACY_PARTS.items():
        lines += ["", "<b>" + escape(t.gettext(title)) + "</b>", *map(view.ui, said)]
    discreet = view.state.discreet
    rows = [[Button("🧹 " + t.gettext("Clear this chat"), Action(Kind.CLEAR))],
            [Button("🗑️ " + t.gettext("Forget my settings"), Action(Kind.FORGET))],
            [Button("🕶️ " + t.gettext(DISCREET_LABELS[discreet]),
                    Action(Kind.SET_DISCREET, "0" if discreet else "1"))]]
    rows += [[Button(("✅ " if view.state.tidy is mode else "") + t.gettext(label),
                     Action(Kind.SET_TIDY, mode.value))] for mode, label in TIDY_CHOICES.items()]
    return view.screen(lines, [*rows, view.back_row(None)])


MIRRORS = N_("If this bot cannot be reached, the same information is also here:")
TYPE_TO_SEARCH = N_("You can also type what you need, such as “lawyer”. Nothing you type is kept.")
ABOUT = N_("This bot gives you contacts of UN agencies, organisations and emergency services, each "
           "with the page it comes from, and short safety advice. It works with buttons.")
CHECK_IT = N_("Not sure a number, link or Telegram account is real? Send it here: I check it "
              "against our list.")


def help_screen(view: View) -> Screen:
    helps = [view.ui(command.help) for command in COMMANDS if command.help]
    lines = [view.ui(ABOUT), view.ui(TYPE_TO_SEARCH), view.ui(CHECK_IT), "", *helps]
    if view.mirrors:  # each isolated whole, so an @username keeps its "@" and stays tappable
        lines += ["", view.ui(MIRRORS)]
        lines += [f"{LRI}{escape(m, quote=False)}{PDI}" if view.t.rtl else escape(m, quote=False)
                  for m in view.mirrors]
    return view.screen(lines, [view.back_row(None)])
