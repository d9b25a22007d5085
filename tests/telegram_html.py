"""Reads a message as Telegram does: its HTML parse mode and its bot-command matching.

Follows tdlib's parse_html (the reference for the Bot API's HTML): only the supported tags, an
end tag must close the last open one, only &lt; &gt; &amp; &quot; and numeric entities decode and
any other "&" stays literal text. Commands follow tdlib's match_bot_commands: a "/" with no
letter, digit, "_", "/", "<" or ">" before it, then 1-64 of [A-Za-z0-9_], then none of those.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TAGS = frozenset({
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "span", "tg-spoiler",
    "tg-emoji", "code", "pre", "blockquote",
})  # fmt: skip
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_COMMAND = re.compile(r"/([A-Za-z0-9_]{1,64})")


class HtmlError(ValueError):
    """Telegram would refuse the message (400 Bad Request: can't parse entities)."""


@dataclass
class Parsed:
    text: str
    entities: list[tuple[str, int, int]] = field(default_factory=list)

    def commands(self) -> list[str]:
        return bot_commands(self.text)


def parse_html(html: str) -> Parsed:
    out: list[str] = []
    open_tags: list[tuple[str, int]] = []
    entities: list[tuple[str, int, int]] = []
    i = 0
    while i < len(html):
        char = html[i]
        if char == "&":
            match = _ENTITY.match(html, i)
            if match:
                named, dec, hexa = match.groups()
                out.append(NAMED[named] if named else chr(int(dec or hexa, 10 if dec else 16)))
                i = match.end()
                continue
            out.append("&")  # not an entity Telegram knows: shown as it is
            i += 1
            continue
        if char == "<":
            end = html.find(">", i)
            if end < 0:
                raise HtmlError(f"unclosed tag at {i}")
            tag = html[i + 1 : end]
            offset = sum(map(len, out))
            if tag.startswith("/"):
                name = tag[1:].strip().lower()
                if not open_tags or open_tags[-1][0] != name:
                    raise HtmlError(f"unmatched end tag </{name}>")
                start_name, start = open_tags.pop()
                entities.append((start_name, start, offset - start))
            else:
                name = tag.split()[0].lower() if tag.split() else ""
                if name not in TAGS:
                    raise HtmlError(f"unsupported start tag <{name}>")
                open_tags.append((name, offset))
            i = end + 1
            continue
        out.append(char)
        i += 1
    if open_tags:
        raise HtmlError(f"unclosed <{open_tags[-1][0]}>")
    return Parsed("".join(out), entities)


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def bot_commands(text: str) -> list[str]:
    found = []
    for match in _COMMAND.finditer(text):
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if before and (_word(before) or before in "/<>"):
            continue
        if after and (_word(after) or after in "/<>"):
            continue
        found.append(match.group(0))
    return found


def rendering_problems(html: str) -> list[str]:
    """What a person would see broken: an undecoded entity, a mark inside one, a split command."""
    problems = []
    for match in re.finditer(rf"&[#\w{MARKS}]*[{MARKS}][#\w{MARKS}]*;", html):
        problems.append(f"direction mark inside an entity: {match.group(0)!r}")
    try:
        parsed = parse_html(html)
    except HtmlError as exc:
        return [*problems, f"Telegram refuses it: {exc}"]
    for match in re.finditer(r"&#?\w+;", parsed.text):
        problems.append(f"entity shown literally: {match.group(0)!r}")
    for match in re.finditer(rf"/[{MARKS}]+[A-Za-z]", parsed.text):
        problems.append(f"command split from its slash: {match.group(0)!r}")
    for match in re.finditer(r"(?<![\w/<>])/[A-Za-z][A-Za-z0-9_]*", parsed.text):
        if match.group(0) not in parsed.commands():
            problems.append(f"not recognised as a command: {match.group(0)!r}")
    return problems
