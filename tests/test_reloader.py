from __future__ import annotations

import asyncio
from pathlib import Path

from bot.directory.model import DirectoryError
from bot.loading.reader import InProcessReader, Reader
from bot.loading.reloader import Reloader, load_directory
from bot.loading.validation import parse_directory
from tests.conftest import DATA
from tests.writes import atomic_write

GOOD = (DATA / "directory.yaml").read_text(encoding="utf-8")
RENAMED = GOOD.replace("SMEX Digital Safety Helpdesk", "SMEX Helpdesk")


async def wait_for(condition: object, seconds: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def smex_name(reloader: Reloader) -> str:
    return reloader.current.resources["smex"].name["en"]


async def test_atomic_replace_is_picked_up_by_the_watcher(tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(GOOD, encoding="utf-8")
    reloader = Reloader.start_with(path, interval=0.05, reader=InProcessReader())
    watcher = asyncio.create_task(reloader.watch())
    try:
        atomic_write(path, RENAMED)
        await wait_for(lambda: smex_name(reloader) == "SMEX Helpdesk")
    finally:
        watcher.cancel()


async def test_broken_file_keeps_last_good_then_fixed_file_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(GOOD, encoding="utf-8")
    told: list[DirectoryError] = []

    async def tell(error: DirectoryError) -> None:
        told.append(error)

    reloader = Reloader.start_with(path, interval=0.05, on_error=tell, reader=InProcessReader())
    watcher = asyncio.create_task(reloader.watch())
    try:
        atomic_write(path, GOOD.replace("    operator: ngo\n", "    operator: ngo\n    oops: 1\n"))
        await wait_for(lambda: told)
        assert smex_name(reloader) == "SMEX Digital Safety Helpdesk"
        assert "resources[3].oops: unknown key 'oops'" in str(told[0])
        await asyncio.sleep(0.2)
        assert len(told) == 1, "one report per broken version, not one per poll"

        atomic_write(path, RENAMED)
        await wait_for(lambda: smex_name(reloader) == "SMEX Helpdesk")
        assert reloader.last_error is None
    finally:
        watcher.cancel()


async def test_deleted_file_keeps_serving(tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(GOOD, encoding="utf-8")
    reloader = Reloader.start_with(path, reader=InProcessReader())
    path.unlink()
    outcome = await reloader.reload()
    assert not outcome.changed and outcome.error is not None
    assert "file not found" in str(outcome.error)
    assert smex_name(reloader) == "SMEX Digital Safety Helpdesk"


async def test_readers_never_see_half_a_directory(tmp_path: Path) -> None:
    path = tmp_path / "resources.yaml"
    path.write_text(GOOD, encoding="utf-8")
    reloader = Reloader.start_with(path, reader=InProcessReader())
    versions = [GOOD.replace("SMEX Digital Safety Helpdesk", f"SMEX {i}") for i in range(8)]
    torn: list[str] = []
    stop = False

    async def reader() -> None:
        while not stop:
            directory = reloader.current
            # the name index and the list it was built from must come from one file
            if directory.resources["smex"] is not directory.data.resources[3]:
                torn.append("index and data differ")
            await asyncio.sleep(0.001)  # read again and again while the reloads run

    readers = [asyncio.create_task(reader()) for _ in range(8)]
    for text in versions:
        atomic_write(path, text)
        assert (await reloader.reload()).changed
    stop = True
    await asyncio.gather(*readers)
    assert torn == []
    assert smex_name(reloader) == "SMEX 7"


def test_the_child_process_gives_the_same_directory_as_validating_in_process(
    tmp_path: Path,
) -> None:
    child = load_directory(DATA / "directory.yaml", Reader())
    assert child.data == parse_directory(GOOD, str(DATA / "directory.yaml")).data
    broken = GOOD.replace("    operator: ngo\n", "    operator: ngo\n    oops: 1\n")
    path = tmp_path / "resources.yaml"
    path.write_text(broken, encoding="utf-8")
    parsed, [problem] = Reader().read([str(path)], None, None)
    assert parsed == []
    assert str(problem).endswith("resources[3].oops: unknown key 'oops'")
    assert problem.line == broken.splitlines().index("    oops: 1") + 1
