"""One table of commands: Telegram, the console, the help screen and the command menu agree,
and a forwarded message is never a command."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.core.commands import BY_NAME, COMMANDS, command_name
from bot.core.state import UserState
from bot.directory.queries import Directory
from bot.i18n.translator import Catalogs
from bot.ops.console import Console
from tests.conftest import Harness, make_settings, running_harness
from tests.fakes import user

ADMIN = user(999)


def forwarded() -> dict[str, Any]:
    return {"type": "user", "date": int(time.time()),
            "sender_user": {"id": 55555, "is_bot": False, "first_name": "Someone"}}


@pytest.mark.parametrize(("text", "name"), [
    ("/menu", "menu"), ("/Menu@penah_bot extra words", "menu"), ("/start payload", "start"),
    ("menu", None), ("/", None), ("", None), (None, None),
])
def test_a_command_name_is_read_one_way(text: str | None, name: str | None) -> None:
    assert command_name(text) == name


def test_help_and_the_command_menu_come_from_the_table(
    small_directory: Directory, catalogs: Catalogs
) -> None:
    console = Console(small_directory, catalogs, UserState("en", "iq-fed"))
    shown = console.handle("/help")
    assert shown is not None
    for command in COMMANDS:
        if command.help:
            assert command.help in shown.text
    assert [c.name for c in COMMANDS if c.menu] == [
        "menu", "language", "help", "privacy", "clear", "forget"
    ]


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_every_command_works_in_the_console(
    name: str, small_directory: Directory, catalogs: Catalogs
) -> None:
    console = Console(small_directory, catalogs, UserState("en", "iq-fed"))
    shown = console.handle(f"/{name}")
    assert shown is not None and shown.text
    assert not shown.text.startswith("I work with buttons only."), name


async def test_commands_menu_lists_the_table_in_every_language(harness: Harness) -> None:
    await harness.send("/start")
    calls = harness.fake.called("setMyCommands")
    assert calls
    for call in calls:
        assert [c["command"] for c in call.params["commands"]] == [
            c.name for c in COMMANDS if c.menu
        ]


async def _reply_to(h: Harness, sender: dict[str, Any], text: str, **fields: Any) -> Any:
    await h.send("/start", sender)
    await h.tap("English", sender)
    await h.send(text, sender, **fields)
    screen = h.screen(sender["id"])
    return screen["text"], screen.get("reply_markup")


async def test_a_forwarded_admin_command_is_answered_as_any_forwarded_command(
    tmp_path: Path,
) -> None:
    async with running_harness(make_settings(tmp_path)) as h:
        unknown = await _reply_to(h, user(5001), "/nosuchcommand", forward_origin=forwarded())
        stats = await _reply_to(h, user(5002), "/stats", forward_origin=forwarded())
        by_admin = await _reply_to(h, ADMIN, "/stats", forward_origin=forwarded())
        start = await _reply_to(h, user(5003), "/start", forward_origin=forwarded())
    assert stats == unknown and by_admin == unknown and start == unknown
    assert "people" not in str(by_admin)
