"""Hostile directory files: nesting that crashes libyaml, alias bombs, endless input in messages.

Each is saved over the live file of a running `penah run` (real process, stand-in Bot API),
and given to `penah check` and `penah run` at start, as an admin's mistake or an attacker with
write access to the file would. Modules that came with these defences are imported inside the
tests that use them, so the process tests also run, and fail, against code without them.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from bot.directory.model import DirectoryError
from tests.botprocess import ROOT, TOKEN, BotProcess, penah_env
from tests.conftest import DATA
from tests.fakeapi import FakeBotAPI
from tests.fakes import user
from tests.test_process import start, to_chat, until
from tests.writes import atomic_write

pytestmark = pytest.mark.reader_child  # what the children refuse, and how the bot outlives them

GOOD = (DATA / "directory.yaml").read_text(encoding="utf-8")
LEVELS = 25_000


def nested_brackets() -> str:
    """The directory with 25,000 nested brackets at the end: about 50 KB."""
    return GOOD + "extra: " + "[" * LEVELS + "]" * LEVELS + "\n"


def alias_bomb() -> str:
    """Under 5 KB that stands for 10^8 values, all poured into the `operator` enum field."""
    anchors = ["  a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    anchors += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 8)]
    marker = "    operator: ngo\n"
    bomb = GOOD.replace(marker, "    operator: [" + ", ".join(["*a7"] * 10) + "]\n", 1)
    return "anchors:\n" + "\n".join(anchors) + "\n" + bomb


ATTACKS = {
    "nested brackets": (nested_brackets, "nested more than 64 levels deep"),
    "alias bomb": (alias_bomb, "aliases that stand for more than"),
}


def line_col(text: str, needle: str) -> tuple[int, int]:
    at = text.index(needle)
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        line = next(row for row in fh if row.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


@pytest.mark.e2e
@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_a_hostile_file_saved_over_the_live_one_costs_a_child_never_the_bot(
    tmp_path: Path, attack: str
) -> None:
    make, expected = ATTACKS[attack]
    hostile = make()
    async with FakeBotAPI() as api, BotProcess(api, penah_env(api, tmp_path), tmp_path) as bot:
        await bot.ready()
        resources = tmp_path / "resources.yaml"
        person = user(4242, "en")
        await start(api, person)

        mark = len(api.calls)
        atomic_write(resources, hostile)
        told = await api.wait_for(to_chat(999, "sendMessage"), 20, mark)
        assert f"{resources}:" in told.params["text"] and expected in told.params["text"]
        await asyncio.sleep(0.5)
        assert bot.process is not None and bot.process.returncode is None, "the bot died"

        answered = await start(api, user(4343, "en"), within=5)
        assert answered.params["chat_id"] == 4343, "people are still answered"
        await until(lambda: "directory not" in bot.stderr(), 20, "the error in the log")
        assert len(bot.stderr()) < 20_000, "no huge log record"
        assert peak_rss_mb(bot.pid) < 400, "the bot's memory stayed bounded"
        assert TOKEN not in bot.stderr()

        atomic_write(resources, GOOD.replace("SMEX Digital Safety Helpdesk", "SMEX Helpdesk"))
        await until(lambda: "directory reloaded" in bot.stderr(), 20, "the next good version")


def penah(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> (
    subprocess.CompletedProcess[str]
):
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=timeout,
        cwd=ROOT, env=env, check=False,
    )


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_penah_check_refuses_a_hostile_file_with_exit_1_and_its_position(
    tmp_path: Path, attack: str
) -> None:
    make, expected = ATTACKS[attack]
    path = tmp_path / "resources.yaml"
    path.write_text(make(), encoding="utf-8")
    done = penah("check", str(path))
    assert done.returncode == 1, f"exit {done.returncode}"
    [problem] = done.stderr.strip().splitlines()
    assert problem.startswith(f"{path}:") and expected in problem
    assert len(problem) < 200


@pytest.mark.e2e
@pytest.mark.parametrize("attack", list(ATTACKS))
async def test_penah_run_refuses_a_hostile_file_at_start_with_exit_1(
    tmp_path: Path, attack: str
) -> None:
    make, expected = ATTACKS[attack]
    path = tmp_path / "resources.yaml"
    path.write_text(make(), encoding="utf-8")
    async with FakeBotAPI() as api:
        env = penah_env(api, tmp_path, path)
        done = await asyncio.to_thread(penah, "run", env=env)
    assert done.returncode == 1, f"exit {done.returncode}"
    assert "the directory cannot be loaded" in done.stderr
    assert f"{path}:" in done.stderr and expected in done.stderr


def test_deep_nesting_and_aliases_are_named_at_their_line_and_column() -> None:
    from bot.loading.validation import parse_directory

    deep = nested_brackets()
    line, col = line_col(deep, "[" * 65)
    with pytest.raises(DirectoryError) as caught:
        parse_directory(deep, "resources.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (line, col + 63)  # the root mapping is level 1

    many = GOOD + "x: &x 1\ny: [" + ", ".join(["*x"] * 101) + "]\n"
    with pytest.raises(DirectoryError, match="more than 100 aliases"):
        parse_directory(many, "resources.yaml")


def test_a_few_aliases_still_work() -> None:
    from bot.loading.validation import parse_directory

    text = GOOD.replace("regions: [iq-fed]\n", "regions: &federal [iq-fed]\n", 1)
    text = text.replace("regions: [global]\n", "regions: *federal\n", 1)
    assert "*federal" in text
    directory = parse_directory(text, "resources.yaml")
    assert [r.regions for r in directory.data.resources[:4]] == [
        ["iq-fed"], ["iq-fed", "iq-kr"], ["lb"], ["iq-fed"]
    ]


@pytest.mark.parametrize("field", ["operator", "id", "source", "categories"])
def test_a_message_quotes_at_most_80_characters_of_input(field: str) -> None:
    from bot.loading.validation import parse_directory

    huge = "x" * 60_000
    values = {
        "operator": f"    operator: {huge}\n",
        "id": f"  - id: {huge}\n",
        "source": f'      url: "https://{huge}"\n',
        "categories": f"    categories: [{huge}]\n",
    }
    marker = {"operator": "    operator: ngo\n", "id": "  - id: smex\n",
              "source": '      url: "https://smex.org/helpdesk/"\n',
              "categories": "    categories: [digital]\n"}[field]
    assert marker in GOOD
    with pytest.raises(DirectoryError) as caught:
        parse_directory(GOOD.replace(marker, values[field], 1), "resources.yaml")
    for problem in caught.value.problems:
        assert len(problem.message) <= 200, problem.message[:300]
        assert "x" * 80 not in problem.message


def test_a_reader_that_never_answers_is_stopped_and_names_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    from bot.loading import reader

    monkeypatch.setattr(reader, "TIMEOUT", 0.05)
    path = tmp_path / "regions.yaml"
    path.write_text(GOOD, encoding="utf-8")
    found, [problem] = reader.Reader().read([str(path)], None, None)
    assert found == []
    assert str(problem).startswith(f"{path}: not read: ")
    assert "took longer than" in problem.message or "stopped" in problem.message


def test_a_reader_that_runs_out_of_memory_becomes_a_directory_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    from bot.loading.reader import Reader

    monkeypatch.setenv("PENAH_PARSE_MEMORY_MB", "30")  # less than the child's imports take
    path = tmp_path / "big.yaml"
    path.write_text(GOOD + "# " + "x" * 2_000_000 + "\n", encoding="utf-8")
    found, [problem] = Reader().read([str(path)], None, None)
    assert found == []
    assert str(problem).startswith(f"{path}: not read: ")
    assert "memory" in problem.message or "reader failed" in problem.message
