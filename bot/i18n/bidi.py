"""Direction marks for right-to-left screens that never break Telegram's HTML or commands: marks
go between tags only, a /command is isolated with its slash, and an isolate ends before trailing
punctuation (Telegram ends a link at the isolate's end: «…/ar/،» stays out of the address)."""

from __future__ import annotations

import re
from html import escape

LRI, PDI, RLM = "\u2066", "\u2069", "\u200f"
MARKS = frozenset("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_TAG = re.compile(r"(<[^<>]*>)")
# The entities Telegram's HTML decodes (and escape() writes).
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# A time, and the dash between two that bidi keeps in one run (penah i18n checks the same).
TIME = r"\d{1,2}:\d{2}"
RANGE_DASH = r"[ \t]*[-–—][ \t]*"
# Left-to-right runs in right-to-left text; a time range or a menu path is one. A command has no
# word character, "/", "<" or ">" on either side (the rule Telegram's clients use to find them).
_LTR_RUN = re.compile(
    r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?![\w/<>])"
    r"|https?://[^\s\u2066-\u2069]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    rf"|(?<!\d){TIME}(?:{RANGE_DASH}{TIME})?"  # 8:00, 8:00–18:00
    r"|\+?\d[\d\s().-]{3,}\d(?!:?\d)"  # a number, never the hour of a time after it
    r"|[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f'’&./@+-]*"  # Latin words, a time among them whole
    rf"(?:(?:[ \t]+|[ \t]*[>›→][ \t]*)(?:{TIME}(?:{RANGE_DASH}{TIME})?"
    r"|[A-Za-z0-9\u00c0-\u024f][\w\u00c0-\u024f'’&./@+-]*))*",
    re.ASCII | re.IGNORECASE,
)
# Punctuation after a run, in Latin and Arabic script: left outside the isolate.
_TRAILING = ".,:;!?)»\"'…،؛؟۔"


def unescape(text: str) -> str:
    """Exactly the decoding Telegram applies to the text between tags."""

    def decode(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _NAMED:
            return _NAMED[name]
        number = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
        return chr(number) if 0 < number <= 0x10FFFF else match.group(0)

    return _ENTITY.sub(decode, text)


def isolate_plain(text: str) -> str:

    def wrap(match: re.Match[str]) -> str:
        run = match.group(0)
        core = run.rstrip(_TRAILING)
        if not any(c.isalnum() for c in core):
            return run
        return f"{LRI}{core}{PDI}{run[len(core) :]}"

    return _LTR_RUN.sub(wrap, text)


def isolate_html(html: str) -> str:
    parts = _TAG.split(html)
    for i in range(0, len(parts), 2):  # even parts are text, odd parts are tags
        if parts[i]:
            parts[i] = escape(isolate_plain(unescape(parts[i])), quote=False)
    return "".join(parts)


def starts_ltr(text: str) -> bool:
    first = next((char for char in text if char.isalpha()), "")
    return bool(first) and (first.isascii() or "\u00c0" <= first <= "\u024f")


def mark_label(text: str) -> str:
    """A button label for a right-to-left screen: its Latin runs isolated («کەسێن LGBTIQ+»
    would show "+LGBTIQ"), and an RLM first where it begins with Latin."""
    if not any(mark in text for mark in (LRI, PDI)):  # not isolated yet
        text = isolate_plain(text)
    return RLM + text if starts_ltr(text) and not text.startswith(RLM) else text


def mark_lines(text: str) -> str:
    """Each line starts with an RLM, so clients lay it out right to left."""
    return "\n".join(RLM + line if line else line for line in text.split("\n"))
