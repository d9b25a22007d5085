"""Names and values written by others reach the log and the admins escaped: a file name or a
YAML key holding a newline cannot forge a log record, and one that is not UTF-8 cannot stop
the admins' alert."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import pytest

from bot.directory.model import Problem
from bot.ops.logs import setup_logging
from bot.printable import printable
from tests.botprocess import penah_env
from tests.fakeapi import FakeBotAPI
from tests.test_attacks_runtime import PipedBotProcess, assert_clean, to_chat
from tests.test_folder import split

FORGED = "2099-01-01 00:00:00,000 CRITICAL bot.forged"
BY_NAME = f"\n{FORGED}: forged by a file name\n"
BY_KEY = f"\\n{FORGED}: forged by a key\\n"  # as YAML writes a newline in a quoted key


def forged_lines(text: str) -> list[str]:
    """Lines that read as a record of their own."""
    return [line for line in text.splitlines() if line.startswith(FORGED)]


def add_hostile_files(folder: Path) -> None:
    """A newline in a file's name and in a key, and a name that is not UTF-8."""
    (folder / f"x{BY_NAME}y.yaml").write_text("resources: [{id: Bad}]\n")
    (folder / "keys.yaml").write_text(
        f'resources:\n  - id: keyed\n    "k{BY_KEY}": 1\n', encoding="utf-8")
    Path(os.fsdecode(os.fsencode(folder) + b"/\xff\xfe.yaml")).write_text("version: [\n")


@pytest.mark.e2e
async def test_hostile_file_names_and_keys_are_escaped_in_the_log_and_the_admins_alert(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    async with FakeBotAPI() as api:
        env = {**penah_env(api, tmp_path, folder), "PENAH_RELOAD_INTERVAL": "0.1"}
        async with PipedBotProcess(api, env, tmp_path) as bot:
            await bot.ready()
            mark = len(api.calls)
            add_hostile_files(folder)
            alert = await api.wait_for(to_chat(999, "sendMessage"), 15, mark)
            code, _ = await bot.stop()
            log = bot.stderr()
    text = alert.params["text"]
    assert "\\udcff\\udcfe.yaml" in text, text  # the file is named, its bytes escaped
    assert "forged by a file name" in text and not forged_lines(text)
    assert "\\n2099-01-01" in log  # the names are in the log, escaped
    assert not forged_lines(log), forged_lines(log)
    assert code == 0
    assert_clean(log)


@pytest.mark.parametrize("hostile", [
    "a\nb", "a\rb", "a\x1b[2Jb", "a\u2028b", "a\u0085b", "a\u202eb", "a\udcffb", "a\x00b",
])
def test_a_problem_is_one_printable_line_whatever_its_file_field_and_value(
    hostile: str,
) -> None:
    line = str(Problem(f"dir/{hostile}.yaml", 3, 5, f"resources[0].{hostile}",
                       f"unknown key {hostile}"))
    assert line.isprintable()
    assert line.count(printable(hostile)) == 3
    line.encode("utf-8")  # can be sent to Telegram


def test_every_line_of_a_record_after_the_first_is_indented() -> None:
    out = io.StringIO()
    setup_logging("INFO", stream=out)
    try:
        logging.getLogger("bot.test").error("several problems:\n%s", f"one\n{FORGED}: two")
        logging.getLogger("tornado.general").error(f"a library's text\n{FORGED}: three")
    finally:
        setup_logging("INFO")
    lines = out.getvalue().splitlines()
    assert not forged_lines(out.getvalue())
    assert all(line[:4].isdigit() or line.startswith("    ") for line in lines), lines
