"""A message read as Telegram reads it, by TDLib itself.

TDLib is the library Telegram's apps and the Bot API server are built on. Its `td_execute`
answers a few requests synchronously, offline and without a client: `parseTextEntities` reads
a bot's HTML exactly as the Bot API does (or refuses it, as sendMessage would), and
`getTextEntities` finds what the apps make tappable in plain text (links, e-mail addresses,
@mentions, /commands). Only what TDLib has no call for is written here by hand: an HTML entity
that TDLib left as text, a /command the apps left untappable, and the chat list's preview (the
start of the message, on one line).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tdjson

from bot.i18n.bidi import MARKS

_MARKS = "".join(sorted(MARKS))  # for a character class
PREVIEW_LENGTH = 64  # code points a chat list shows of the last message, about
# An entity TDLib did not decode is shown as typed: "&gt;", or one a direction mark broke.
_ENTITY_AS_TEXT = re.compile(rf"&#?[\w{_MARKS}]*\w[\w{_MARKS}]*;")
# A "/" that starts a word: Telegram must make it a command (or it is inside a link).
_COMMAND_LIKE = re.compile(rf"(?<![\w/<>])/[{_MARKS}]*[A-Za-z]")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
# Entities that open something when tapped (a /command sends itself: see bot_command).
TAPPABLE = frozenset({"text_url", "url", "email_address", "mention", "phone_number"})
# A sender's entities inside which the apps look for no link or command of their own.
FINDS_NOTHING_INSIDE = frozenset({"text_url", "pre", "code", "pre_code"})


class Refused(ValueError):
    """TDLib refuses the text, as sendMessage would (400 Bad Request: can't parse entities)."""


@dataclass(frozen=True)
class Entity:
    """One entity, its offsets in code points of the parsed text (TDLib counts UTF-16 units)."""

    kind: str  # Bot API names: bold, text_url, url, bot_command, email_address, mention …
    offset: int
    length: int
    url: str | None = None  # the address a text_url opens

    @property
    def end(self) -> int:
        return self.offset + self.length


@dataclass(frozen=True)
class Formatted:
    """A message as Telegram holds it: plain text and the entities over it."""

    text: str
    entities: tuple[Entity, ...] = ()

    def covered(self, entity: Entity) -> str:
        return self.text[entity.offset : entity.end]

    def of_kind(self, *kinds: str) -> list[Entity]:
        return [e for e in self.entities if e.kind in kinds]


@functools.cache
def _quiet() -> None:
    """TDLib logs to stderr at verbosity 1 and up; the tests need none of it."""
    _execute({"@type": "setLogVerbosityLevel", "new_verbosity_level": 0})


def _execute(request: dict[str, Any]) -> dict[str, Any]:
    answer = tdjson.td_execute(json.dumps(request).encode())
    if answer is None:
        raise RuntimeError(f"TDLib gave no answer to {request['@type']}")
    result: dict[str, Any] = json.loads(answer)
    return result


def execute(request: dict[str, Any]) -> dict[str, Any]:
    """One synchronous TDLib request; its answer, or Refused with TDLib's own words."""
    _quiet()
    result = _execute(request)
    if result.get("@type") == "error":
        raise Refused(f"{result.get('code')}: {result.get('message')}")
    return result


def _kind(type_name: str) -> str:
    return _CAMEL.sub("_", type_name.removeprefix("textEntityType")).lower()


def _code_points(text: str) -> Sequence[int]:
    """For each UTF-16 offset into `text`, the code point offset it falls on."""
    if len(text.encode("utf-16-le")) == 2 * len(text):
        return range(len(text) + 1)  # no character outside the BMP: the offsets are the same
    offsets = []
    for index, char in enumerate(text):
        offsets += [index] * (2 if ord(char) > 0xFFFF else 1)
    offsets.append(len(text))
    return offsets


def _entities(text: str, raw: list[dict[str, Any]]) -> tuple[Entity, ...]:
    at = _code_points(text)
    found = []
    for item in raw:
        start, units = item["offset"], item["length"]
        kind = item["type"]
        found.append(Entity(
            _kind(kind["@type"]), at[start], at[start + units] - at[start], kind.get("url")
        ))
    return tuple(sorted(found, key=lambda e: (e.offset, -e.length)))


# TDLib reads the same text the same way, and texts repeat (places share most screens, and a
# preview is read from the text a check already parsed): each answer, immutable, is kept.
@functools.lru_cache(maxsize=8192)
def parse_html(html: str) -> Formatted:
    """The text and entities the Bot API makes of a message sent with parse_mode HTML."""
    answer = execute({
        "@type": "parseTextEntities",
        "text": html,
        "parse_mode": {"@type": "textParseModeHTML"},
    })
    text = answer["text"]
    return Formatted(text, _entities(text, answer.get("entities", [])))


@functools.lru_cache(maxsize=8192)
def entities_of(text: str) -> tuple[Entity, ...]:
    """What Telegram's apps make tappable in plain text: links, addresses, /commands."""
    answer = execute({"@type": "getTextEntities", "text": text})
    return _entities(text, answer.get("entities", []))


def shown(html: str) -> Formatted:
    """A sent message as people see it: its HTML entities, plus those the apps find in its
    text where no HTML entity already is (Telegram keeps the sender's entities first)."""
    parsed = parse_html(html)
    spans = [(e.offset, e.end) for e in parsed.entities if e.kind in FINDS_NOTHING_INSIDE]
    found = [
        e for e in entities_of(parsed.text)
        if not any(start < e.end and e.offset < end for start, end in spans)
    ]
    merged = sorted((*parsed.entities, *found), key=lambda e: (e.offset, -e.length))
    return Formatted(parsed.text, tuple(merged))



def command_problems(shown: Formatted) -> list[str]:
    """A /command people cannot tap: split from its slash by a mark, or glued to a word."""
    commands = {e.offset for e in shown.of_kind("bot_command")}
    inside = [(e.offset, e.end) for e in shown.of_kind("text_url", "url")]
    problems = []
    for match in _COMMAND_LIKE.finditer(shown.text):
        at = match.start()
        if at in commands or any(start <= at < end for start, end in inside):
            continue
        problems.append(f"not tappable: {shown.text[at : at + 20]!r}")
    return problems


def entities_left_as_text(text: str) -> list[str]:
    """HTML entities that reached the reader undecoded (TDLib leaves unknown ones as text)."""
    return _ENTITY_AS_TEXT.findall(text)


def without_marks(text: str) -> str:
    return text.translate({ord(mark): None for mark in MARKS})


def preview(html: str) -> str:
    """What a chat list shows of the message: the start of its text as TDLib parses it, line
    breaks as spaces, direction marks (which take no room) removed."""
    text = without_marks(parse_html(html).text).replace("\n", " ")
    return text[:PREVIEW_LENGTH]
