"""The baseline for benchmarks: a minimal python-telegram-bot 22 bot built as production bots
are (AIORateLimiter, concurrent updates), doing the same kind of work as Penah per update:
/start replies with an inline keyboard; a button press is answered and the message edited.

`python -m benchmarks.bare_bot` runs it with long polling against TELEGRAM_API_URL.
"""

from __future__ import annotations

import os
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import BaseRequest

LANGUAGES = [("English", "1:L:en"), ("العربية", "1:L:ar"), ("کوردی (سۆرانی)", "1:L:ckb"),
             ("Kurdî (Kurmancî)", "1:L:ku")]
# Callback data shaped like Penah's, so one simulated user drives both bots the same way.
MENU = [("🚨 Emergency", "1:e"), ("📍 Where are you now?", "1:w"),
        ("🛂 Asylum and refugee status", "1:c:asylum:0"),
        ("💜 Violence against women", "1:c:gbv:0"),
        ("🛡️ Safety advice", "1:a"), ("🔒 Privacy", "1:p"), ("🌐 Language", "1:l"),
        ("❔ Help", "1:h")]
CATEGORY = [(f"Service {i}", f"1:r:service-{i}:gbv:0") for i in range(8)]
CARD = "<b>Service</b>\nFree and confidential helpline.\nRun by: a UN agency\n\n📞 +964 800 69999"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _keyboard(items: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in items])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text("Choose your language.", reply_markup=_keyboard(LANGUAGES))


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    data = query.data or ""
    if data.startswith("1:L:"):
        text, items = "How can I help? Choose a button below.", MENU
    elif data.startswith("1:c:"):
        text, items = "🛂 <b>Asylum and refugee status</b>", CATEGORY
    else:
        text, items = CARD, [("⬅️ Back", "1:c:gbv:0"), ("🏠 Main menu", "1:m")]
    await query.edit_message_text(
        text, parse_mode=ParseMode.HTML, reply_markup=_keyboard(items),
        link_preview_options=NO_PREVIEW,
    )


def build(
    token: str, base_url: str, request: BaseRequest | None = None, *, limited: bool = True
) -> Application[Any, Any, Any, Any, Any, Any]:
    """`limited=False` keeps the limiter's code path but lifts its limits, to time handling."""
    limiter = AIORateLimiter() if limited else AIORateLimiter(overall_max_rate=0, group_max_rate=0)
    builder = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .rate_limiter(limiter)
        .concurrent_updates(True)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    app.add_handler(CommandHandler(["start", "menu"], start))
    app.add_handler(CallbackQueryHandler(button))
    return app


def main() -> None:
    app = build(os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_URL"])
    app.run_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY], timeout=10)


if __name__ == "__main__":
    main()
