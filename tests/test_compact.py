"""The directory's compact form: resources stay compressed until a screen shows them, and what
is opened is exactly what was validated, whoever opens it and however often."""

from __future__ import annotations

import copy
import random
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from bot import screens, stored
from bot.callbacks import Kind
from bot.directory import Directory, load_directory
from bot.i18n import Catalogs
from bot.model import Resource
from bot.screens import PAGE_SIZE, View
from bot.state import UserState
from bot.stored import BLOCK, Joined, Stored, pack
from bot.validation import validate_part
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def validated() -> list[Resource]:
    """The shipped resources as the file's reader validates them."""
    text = (ROOT / "resources.yaml").read_text(encoding="utf-8")
    return list(validate_part(text, "resources.yaml").model.resources)


def stored_from(resources: list[Resource]) -> Stored:
    rows, blocks = pack(resources)
    return Stored.from_rows(rows, blocks, list)


def opened(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the blocks opened from now on (none are open to begin with)."""
    monkeypatch.setattr(stored, "_open", type(stored._open)())
    count: list[int] = []
    real: Callable[[bytes], bytes] = zlib.decompress

    def counted(data: bytes) -> bytes:
        count.append(len(data))
        return real(data)

    monkeypatch.setattr(zlib, "decompress", counted)
    return count


def test_resources_opened_from_blocks_are_the_validated_ones(validated: list[Resource]) -> None:
    kept = stored_from(validated)
    assert len(kept) == len(validated) and len(kept.blocks) == -(-len(validated) // BLOCK)
    assert list(kept) == validated
    assert [kept[i] for i in range(len(kept))] == validated
    assert kept[-1] == validated[-1] and kept[3:11] == validated[3:11]
    assert [light.id for light in kept.light] == [r.id for r in validated]
    assert Joined([kept[:5], kept[5:]]) == validated
    with pytest.raises(IndexError):
        kept[len(kept)]


def test_blocks_that_do_not_match_the_rows_are_refused(validated: list[Resource]) -> None:
    rows, blocks = pack(validated)
    with pytest.raises(ValueError, match="blocks"):
        Stored.from_rows(rows, blocks[:-1], list)


def grown(path: Path, copies: int) -> Path:
    """The shipped directory with each resource there `copies` times (copies under new ids)."""
    data = yaml.safe_load((ROOT / "resources.yaml").read_text(encoding="utf-8"))
    seed = data["resources"]
    data["resources"] = seed + [
        {**copy.deepcopy(r), "id": f"c{n}-{i:03d}",
         "name": {k: f"{v} {n}" for k, v in r["name"].items()}}
        for n in range(1, copies) for i, r in enumerate(seed)
    ]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_loaded_directory_opens_no_resource_until_a_screen_shows_it(
    monkeypatch: pytest.MonkeyPatch, catalogs: Catalogs, tmp_path: Path
) -> None:
    count = opened(monkeypatch)
    directory = load_directory(grown(tmp_path / "resources.yaml", 4))
    for place in [None, *(r.id for r in directory.user_regions)]:
        for need in directory.categories_for(place):
            directory.listed_for(place, need.id)
    shipped = yaml.safe_load((ROOT / "resources.yaml").read_text(encoding="utf-8"))["resources"]
    assert directory.counts()["resources"] == len(directory.resources) == 4 * len(shipped)
    directory.empty_cells()  # as `penah check` and the digest ask
    assert count == []
    # One category's screen opens the blocks of its page alone, and shows what they hold.
    region, category = max(
        ((r.id, c.id) for r in directory.user_regions for c in directory.data.categories
         if not c.emergency),
        key=lambda cell: len(directory.listed_for(*cell)))
    listed = directory.listed_for(region, category)
    assert len(listed) > 2 * PAGE_SIZE
    view = View(directory, catalogs, catalogs.get("en"), UserState("en", region))
    screen = screens.category(view, category, 1)
    assert screen is not None
    shown = [b for b in screen.buttons() if b.action and b.action.kind is Kind.RESOURCE]
    skipped = len(directory.guides_for(region, category))  # listed first, on the first page
    page = listed[PAGE_SIZE - skipped : 2 * PAGE_SIZE - skipped]
    assert [b.action.target for b in shown if b.action] == [light.id for light in page]
    (piece,) = directory.pieces
    position = {light.id: n for n, light in enumerate(piece.light)}
    assert len(count) == len({position[light.id] // BLOCK for light in page})
    for light, button in zip(page, shown, strict=True):
        assert directory.resources[light.id].name["en"] in button.label


def test_people_opening_resources_at_once_each_get_the_whole_resource(
    monkeypatch: pytest.MonkeyPatch, validated: list[Resource]
) -> None:
    monkeypatch.setattr(stored, "OPEN_BLOCKS", 2)  # blocks closed as fast as others open
    kept = stored_from(validated)
    picks = [random.Random(seed).randrange(len(kept)) for seed in range(400)]

    def open_one(i: int) -> bool:
        return kept[i] == validated[i] and kept[i].id == kept.light[i].id

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(open_one, picks))


def test_a_folder_and_its_single_file_list_and_show_the_same(
    tmp_path: Path, shipped_directory: Directory
) -> None:
    from tests.test_scaling import shipped_as_folder

    shipped_as_folder(tmp_path / "dir", files=7)
    folder = load_directory(tmp_path / "dir")
    for region in [None, *(r.id for r in shipped_directory.user_regions)]:
        for category in shipped_directory.data.categories:
            assert folder.resources_for(region, category.id) == shipped_directory.resources_for(
                region, category.id)
        assert folder.emergency_resources(region) == shipped_directory.emergency_resources(region)
    for ident, resource in shipped_directory.resources.items():
        assert folder.resources[ident] == resource
        assert folder.contacts(resource) == shipped_directory.contacts(resource)
