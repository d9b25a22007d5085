"""A directory kept as many files: what a reload keeps must answer exactly as a fresh build, and
what a restart takes from disk must be exactly what the bot itself read there before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.directory.queries import Directory
from bot.loading import readcache
from bot.loading.readcache import ReadCache
from bot.loading.reader import Parsers
from bot.loading.reloader import Reloader
from bot.loading.sources import Source
from bot.loading.stored import Light
from bot.search import lookup as search
from bot.search.lookup import Index
from tests.conftest import ROOT
from tests.test_reloader import atomic_write

QUERIES = [
    "lawyer", "lawer", "legal aid", "asylum", "refugee registration", "hacked", "ambulance",
    "blackmail", "محامي", "لاجئ", "ابتزاز الكتروني", "پارێزەر", "پەنابەر", "parêzer",
    "avukat", "mülteci", "zanrotor", "zanrotor helpline", "qelwexa", "help",
]


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def shipped_as_folder(folder: Path, files: int = 5) -> list[Path]:
    """The shipped directory as `directory.yaml` plus `files` files of resources."""
    data = yaml.safe_load((ROOT / "resources.yaml").read_text(encoding="utf-8"))
    resources = data.pop("resources")
    folder.mkdir()
    (folder / "directory.yaml").write_text(dump(data), encoding="utf-8")
    step = -(-len(resources) // files)
    paths = []
    for n in range(files):
        path = folder / f"resources-{n}.yaml"
        path.write_text(dump({"resources": resources[n * step : (n + 1) * step]}),
                        encoding="utf-8")
        paths.append(path)
    return paths


def resources_of(path: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["resources"]
    return found


def answers(index: Index, directory: Directory) -> list[Any]:
    places = [None, *(r.id for r in directory.user_regions)]
    return [index.search(query, place) for query in QUERIES for place in places]


def assert_same_as_fresh(reloader: Reloader) -> None:
    directory = reloader.current
    kept = search.index_for(directory)
    fresh = Index(directory)
    assert answers(kept, directory) == answers(fresh, directory)
    for category in directory.categories:
        for region in [None, *(r.id for r in directory.user_regions)]:
            ranked = sorted(
                (r for r in directory.data.resources if category in r.categories
                 and Directory._in_region(r.regions, region)),
                key=lambda r: (directory.resource_rank(Light.of(r)), r.id),
            )
            assert directory.resources_for(region, category) == ranked


async def test_an_index_kept_file_by_file_answers_as_one_built_afresh(tmp_path: Path) -> None:
    paths = shipped_as_folder(tmp_path / "dir")
    reloader = Reloader.start_with(tmp_path / "dir")
    assert_same_as_fresh(reloader)
    first, second, third = paths[0], paths[1], paths[2]

    # A resource renamed with a word no other holds, and a summary rewritten.
    moved = resources_of(first)
    moved[0]["name"]["en"] = "Zanrotor helpline"
    moved[1]["summary"]["en"] = "Qelwexa: a word of its own, for the test."
    atomic_write(first, dump({"resources": moved}))
    assert (await reloader.reload()).changed
    assert_same_as_fresh(reloader)
    assert search.index_for(reloader.current).search("zanrotor", None).hits[0].id == moved[0]["id"]

    # A resource moved to another file, and a new file holding one of its own.
    taken = resources_of(second)
    atomic_write(second, dump({"resources": taken[1:]}))
    atomic_write(third, dump({"resources": [*resources_of(third), taken[0]]}))
    clone = {**taken[1], "id": "clone-of-one", "name": {"en": "Qelwexa clinic"}}
    atomic_write(tmp_path / "dir" / "added.yaml", dump({"resources": [clone]}))
    assert (await reloader.reload()).changed
    assert_same_as_fresh(reloader)

    # The renamed resource's old words are gone from search, and the file removed.
    moved[0]["name"]["en"] = "Renamed again"
    atomic_write(first, dump({"resources": moved}))
    (tmp_path / "dir" / "added.yaml").unlink()
    assert (await reloader.reload()).changed
    assert_same_as_fresh(reloader)
    hits = search.index_for(reloader.current).search("zanrotor", None).hits
    assert moved[0]["id"] not in [hit.id for hit in hits]
    reloader.source.parsers.close()


# ---------------------------------------------------------------------- what a restart keeps
def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files handed to reader children from now on."""
    sent: list[str] = []
    original = Parsers.parse

    def parse(self: Parsers, files: Any, context: Any = None, **given: Any) -> Any:
        sent.extend(Path(name).name for name, _ in files)
        return original(self, files, context, **given)

    monkeypatch.setattr(Parsers, "parse", parse)
    return sent


def test_a_restart_takes_unchanged_files_from_what_the_bot_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = shipped_as_folder(tmp_path / "dir")
    cache = ReadCache(tmp_path / "kept", b"k" * 32)
    first = Source(tmp_path / "dir", cache=cache).load()
    sent = counting(monkeypatch)
    again = Source(tmp_path / "dir", cache=cache).load()
    assert sent == []
    assert again.data == first.data
    assert answers(Index(again), again) == answers(Index(first), first)

    moved = resources_of(paths[0])
    moved[0]["name"]["en"] = "Changed while the bot was stopped"
    paths[0].write_text(dump({"resources": moved}), encoding="utf-8")
    changed = Source(tmp_path / "dir", cache=cache).load()
    assert sent == ["resources-0.yaml"]
    assert changed.resources[moved[0]["id"]].name["en"] == "Changed while the bot was stopped"


async def test_a_restart_after_edits_reads_nothing_the_running_bot_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = shipped_as_folder(tmp_path / "dir")
    cache = ReadCache(tmp_path / "kept", b"k" * 32)
    reloader = Reloader.start_with(tmp_path / "dir", cache=cache)
    moved = resources_of(paths[3])
    moved[0]["name"]["en"] = "Edited while the bot ran"
    atomic_write(paths[3], dump({"resources": moved}))
    assert (await reloader.reload()).changed
    reloader.source.parsers.close()
    sent = counting(monkeypatch)
    again = Source(tmp_path / "dir", cache=cache).load()
    assert sent == []
    assert again.data == reloader.current.data


@pytest.mark.parametrize("damage", ["altered", "another file's", "cut short", "other code"])
def test_a_kept_reading_that_is_not_exactly_the_bots_own_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    shipped_as_folder(tmp_path / "dir")
    cache = ReadCache(tmp_path / "kept", b"k" * 32)
    first = Source(tmp_path / "dir", cache=cache).load()
    kept = sorted(cache.folder.iterdir())
    assert len(kept) == 6
    victim = kept[0]
    if damage == "altered":  # one bit of an entry changed by someone who has no key
        raw = victim.read_bytes()
        middle = len(raw) // 2
        victim.write_bytes(raw[:middle] + bytes([raw[middle] ^ 1]) + raw[middle + 1:])
    elif damage == "another file's":
        victim.write_bytes(kept[1].read_bytes())
    elif damage == "cut short":
        victim.write_bytes(victim.read_bytes()[:-200])
    else:
        monkeypatch.setattr(readcache, "code_version", lambda: b"a newer bot")
    sent = counting(monkeypatch)
    again = Source(tmp_path / "dir", cache=cache).load()
    assert again.data == first.data
    assert len(sent) == (6 if damage == "other code" else 1)


def test_readings_of_files_no_longer_there_are_removed(tmp_path: Path) -> None:
    paths = shipped_as_folder(tmp_path / "dir")
    cache = ReadCache(tmp_path / "kept", b"k" * 32)
    Source(tmp_path / "dir", cache=cache).load()
    last = resources_of(paths[-1])
    paths[-2].write_text(dump({"resources": [*resources_of(paths[-2]), *last]}), "utf-8")
    paths[-1].unlink()
    Source(tmp_path / "dir", cache=cache).load()
    assert len(list(cache.folder.iterdir())) == 5
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in cache.folder.iterdir())


def test_a_full_disk_only_means_reading_again(tmp_path: Path) -> None:
    shipped_as_folder(tmp_path / "dir")
    blocked = tmp_path / "kept"
    blocked.write_text("a file where the folder should be")  # every write fails
    cache = ReadCache(blocked, b"k" * 32)
    first = Source(tmp_path / "dir", cache=cache).load()
    assert Source(tmp_path / "dir", cache=cache).load().data == first.data
