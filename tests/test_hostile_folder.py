"""A directory folder holding what no admin meant to put there: a pipe that never answers, a
link to /dev/zero, a link to a secret file elsewhere, a link swapped to a huge file. Each is
refused by name, nothing outside the folder is read or quoted, and the last good version of
every file keeps serving; links inside the folder (a ConfigMap volume) still work."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pytest

from bot.directory.model import DirectoryError
from bot.loading.reader import Reader, read_file
from bot.loading.reloader import DirectoryFiles
from tests.botprocess import BotProcess, penah_env
from tests.fakeapi import FakeBotAPI
from tests.fakes import user
from tests.test_folder import split
from tests.test_process import press, start, to_chat
from tests.writes import atomic_write

pytestmark = pytest.mark.reader_child  # what the children refuse, and how the bot outlives them

SECRET = "db-pass-5f2c9a71"


def secret_elsewhere(root: Path) -> Path:
    """A file outside the folder whose values a careless message would quote."""
    path = root / "elsewhere" / "secrets.yaml"
    path.parent.mkdir()
    path.write_text(f"version: {SECRET}\nlanguages: [{SECRET}]\n", encoding="utf-8")
    return path


def hostile(folder: Path, outside: Path) -> dict[str, str]:
    """Each hostile entry of the folder, by name, with the words its refusal must use."""
    os.mkfifo(folder / "pipe.yaml")
    (folder / "zero.yaml").symlink_to("/dev/zero")
    (folder / "out.yaml").symlink_to(outside)
    return {"pipe.yaml": "not a regular file", "zero.yaml": "outside the directory's folder",
            "out.yaml": "outside the directory's folder"}


def made(what: str, root: Path) -> tuple[Path, Path | None]:
    """`what`, made as a folder's x.yaml, and the folder it is read in; or a device named as
    the directory itself, read as a single file is (no folder)."""
    if what == "device as the directory":
        return Path("/dev/zero"), None
    folder = root / "dir"
    folder.mkdir()
    path = folder / "x.yaml"
    if what == "pipe":
        os.mkfifo(path)
    elif what == "folder":
        path.mkdir()
    elif what == "link to a device":
        path.symlink_to("/dev/null")
    else:
        path.symlink_to(secret_elsewhere(root))
    return path, folder


@pytest.mark.parametrize(("what", "words"), [
    ("pipe", "not a regular file"),
    ("folder", "not a regular file"),
    ("device as the directory", "not a regular file"),
    ("link to a device", "a link to a file outside the directory's folder"),
    ("link out", "a link to a file outside the directory's folder"),
])
def test_only_regular_files_inside_the_folder_are_read(
    tmp_path: Path, what: str, words: str
) -> None:
    path, folder = made(what, tmp_path)
    began = time.monotonic()
    with pytest.raises(DirectoryError) as refused:
        read_file(path, folder)
    assert time.monotonic() - began < 1, "a refusal never waits on what it refuses"
    [problem] = refused.value.problems
    assert problem.file == str(path) and SECRET not in str(problem)
    assert words in problem.message


def test_a_link_inside_the_folder_is_followed_as_configmap_volumes_need(tmp_path: Path) -> None:
    folder = tmp_path / "dir"
    (folder / "..2026_12_05").mkdir(parents=True)
    (folder / "..2026_12_05" / "x.yaml").write_text("version: 1\n", encoding="utf-8")
    (folder / "..data").symlink_to("..2026_12_05")
    (folder / "x.yaml").symlink_to("..data/x.yaml")
    assert read_file(folder / "x.yaml", folder) == b"version: 1\n"


def test_no_more_than_the_limit_is_read_whatever_the_size_said(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * 5000)
    with pytest.raises(DirectoryError) as refused:
        read_file(path, tmp_path, limit=4096)
    assert "larger than" in refused.value.problems[0].message


def test_a_folder_of_hostile_files_keeps_serving_and_quotes_nothing_from_outside(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    source = DirectoryFiles(folder, Reader())
    good = source.load()
    refusals = hostile(folder, secret_elsewhere(tmp_path))
    began = time.monotonic()
    directory, error = source.refresh()
    assert time.monotonic() - began < 30
    assert directory is None, "nothing good changed: the last good serves"
    assert error is not None and SECRET not in str(error)
    by_file = {Path(p.file).name: p.message for p in error.problems}
    for name, words in refusals.items():
        assert words in by_file[name], (name, by_file)
    atomic_write(folder / "lebanon.yaml", (folder / "lebanon.yaml").read_text(
        encoding="utf-8").replace("SMEX Digital Safety Helpdesk", "SMEX"))
    directory, error = source.refresh()
    assert directory is not None
    assert directory.resources["smex"].name["en"] == "SMEX"
    assert good.resources["smex"].name["en"] != "SMEX"
    source.reader.close()


def test_a_link_swapped_to_a_huge_file_is_read_no_further_than_the_limit(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    small, huge = tmp_path / "small.yaml", tmp_path / "dir" / ".huge"
    shutil.copy(folder / "lebanon.yaml", small)
    with huge.open("wb") as fh:
        fh.truncate(80 * 2**20)  # sparse: 80 MB to read, nothing on disk
    (folder / "lebanon.yaml").unlink()
    link = folder / "lebanon.yaml"
    link.symlink_to(huge)
    source = DirectoryFiles(folder, Reader())
    with pytest.raises(DirectoryError) as refused:
        source.load()
    assert any("larger than" in p.message for p in refused.value.problems)
    source.reader.close()


@pytest.mark.e2e
async def test_penah_run_with_a_hostile_folder_serves_reloads_and_stops_in_time(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    async with FakeBotAPI() as api, BotProcess(
        api, penah_env(api, tmp_path, folder), tmp_path
    ) as bot:
        await bot.ready()
        hostile(folder, secret_elsewhere(tmp_path))
        person = user(7373)
        await start(api, person)
        await press(api, person, "1:L:en")
        mark = len(api.calls)
        api.send_text(user(999), "/reload")
        reply = await api.wait_for(to_chat(999, "sendMessage"), 30, mark)
        assert "not reloaded" in reply.params["text"] and SECRET not in reply.params["text"]
        atomic_write(folder / "lebanon.yaml", (folder / "lebanon.yaml").read_text(
            encoding="utf-8").replace("SMEX Digital Safety Helpdesk", "SMEX Helpdesk"))
        assert await _search_until(api, person, "SMEX Helpdesk", within=10)
        code, seconds = await bot.stop()
        assert code == 0 and seconds < 5
        assert SECRET not in bot.stderr()


async def _search_until(api: FakeBotAPI, person: dict[str, object], wanted: str,
                        within: float) -> bool:
    """Search for the helpdesk until an answer names `wanted` (a reload takes a moment)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        mark = len(api.calls)
        api.send_text(person, "SMEX")
        reply = await api.wait_for(to_chat(int(str(person["id"])), "sendMessage"), 10, mark)
        if wanted in str(reply.params.get("reply_markup", "")):
            return True
        await asyncio.sleep(0.5)  # a person's pace, not a script's
    return False
