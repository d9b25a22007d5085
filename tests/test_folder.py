"""A directory kept as a folder of files: loaded like one file, reloaded file by file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.directory.model import DirectoryError
from bot.loading.reader import InProcessReader
from bot.loading.reloader import Reloader, load_directory
from bot.search.danger import shipped_danger_words
from bot.search.index import Index
from tests.conftest import DATA, ROOT
from tests.writes import atomic_write

SINGLE = DATA / "directory.yaml"


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def split(folder: Path) -> Path:
    """The test directory as `directory.yaml` (all but resources) and two resource files."""
    data = yaml.load(SINGLE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    resources = data.pop("resources")
    folder.mkdir()
    (folder / "directory.yaml").write_text(dump(data), encoding="utf-8")
    (folder / "iraq.yaml").write_text(dump({"resources": resources[:2]}), encoding="utf-8")
    (folder / "lebanon.yaml").write_text(dump({"resources": resources[2:]}), encoding="utf-8")
    (folder / ".hidden.yaml").write_text("not: [a directory", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    return folder


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_a_folder_gives_the_same_directory_as_the_single_file(tmp_path: Path) -> None:
    folder = split(tmp_path / "dir")
    assert load_directory(folder).data == load_directory(SINGLE).data


async def test_editing_one_file_reads_only_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = split(tmp_path / "dir")
    reloader = Reloader.start_with(folder, reader=InProcessReader())
    sent: list[list[str]] = []
    original = InProcessReader.read

    def read(self: InProcessReader, names: Any, *args: Any, **given: Any) -> Any:
        sent.append([Path(name).name for name in names])
        return original(self, names, *args, **given)

    monkeypatch.setattr(InProcessReader, "read", read)
    lebanon = folder / "lebanon.yaml"
    atomic_write(lebanon, lebanon.read_text().replace("SMEX Digital Safety Helpdesk", "SMEX"))
    outcome = await reloader.reload()
    assert outcome.changed and outcome.error is None
    assert sent == [["lebanon.yaml"]]
    assert reloader.current.resources["smex"].name["en"] == "SMEX"
    assert reloader.generation == 1
    assert not (await reloader.reload()).changed, "nothing changed on disk: nothing read"
    assert sent == [["lebanon.yaml"]]


async def test_a_file_saved_again_unchanged_changes_nothing(tmp_path: Path) -> None:
    folder = split(tmp_path / "dir")
    reloader = Reloader.start_with(folder, reader=InProcessReader())
    before = reloader.current
    lebanon = folder / "lebanon.yaml"
    atomic_write(lebanon, lebanon.read_text())  # a new file: read again, found the same
    outcome = await reloader.reload()
    assert not outcome.changed and outcome.error is None
    assert reloader.current is before and reloader.generation == 0


async def test_a_broken_file_keeps_its_last_good_version_and_the_others_go_live(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    told: list[str] = []

    async def tell(error: Any) -> None:
        told.append(str(error))

    reloader = Reloader.start_with(folder, on_error=tell, reader=InProcessReader())
    iraq, lebanon = folder / "iraq.yaml", folder / "lebanon.yaml"
    atomic_write(iraq, iraq.read_text().replace("operator: police", "operator: police\n  oops: 1"))
    atomic_write(lebanon, lebanon.read_text().replace("SMEX Digital Safety Helpdesk", "SMEX"))
    outcome = await reloader.reload()
    line = line_of(iraq, "oops: 1")
    assert outcome.changed and outcome.error is not None
    assert [str(p) for p in outcome.error.problems] == [
        f"{iraq}:{line}:3: resources[0].oops: unknown key 'oops'"
    ]
    assert told == [str(outcome.error)]
    directory = reloader.current
    assert directory.resources["smex"].name["en"] == "SMEX", "the good file went live"
    assert "iq-911" in directory.resources, "the broken file's last good version serves"


async def test_a_folder_emptied_by_mistake_keeps_serving_and_names_the_folder(
    tmp_path: Path,
) -> None:
    """Every file moved out at once is a mistake, not a directory with no emergency numbers."""
    folder = split(tmp_path / "dir")
    reloader = Reloader.start_with(folder, reader=InProcessReader())
    served = set(reloader.current.resources)
    for file in folder.iterdir():
        file.rename(tmp_path / file.name)
    outcome = await reloader.reload()
    assert not outcome.changed and outcome.error is not None
    assert [str(p) for p in outcome.error.problems] == [
        f"{folder}: holds no directory file (*.yaml or *.yml, not hidden)"]
    assert set(reloader.current.resources) == served
    with pytest.raises(DirectoryError, match="holds no directory file"):
        load_directory(folder)


async def test_a_change_that_breaks_another_files_references_is_held_back(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    reloader = Reloader.start_with(folder, reader=InProcessReader())
    before = reloader.current
    main_file = folder / "directory.yaml"
    text = main_file.read_text()
    atomic_write(main_file, text.replace("- id: digital", "- id: online-safety"))
    outcome = await reloader.reload()
    lebanon = folder / "lebanon.yaml"
    assert outcome.error is not None and not outcome.changed
    [problem] = outcome.error.problems
    assert str(problem) == (
        f"{lebanon}:{line_of(lebanon, '- digital')}:5: resources[1].categories[0]: "
        "no category 'digital'"
    )
    assert reloader.current is before


async def test_files_added_and_removed_are_taken_while_the_whole_stays_valid(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    reloader = Reloader.start_with(folder, reader=InProcessReader())
    lebanon, iraq = folder / "lebanon.yaml", folder / "iraq.yaml"
    (folder / "more").mkdir()
    atomic_write(folder / "more" / "lebanon.yaml", lebanon.read_text())
    lebanon.unlink()
    outcome = await reloader.reload()
    assert outcome.changed and outcome.error is None
    assert set(reloader.current.resources) == {"iq-911", "unhcr-iq-iic", "isf-1745", "smex"}

    (folder / "more" / "lebanon.yaml").unlink()
    outcome = await reloader.reload()
    assert outcome.changed and outcome.error is None
    assert set(reloader.current.resources) == {"iq-911", "unhcr-iq-iic"}

    iraq.unlink()  # the guide's related resource would be gone: held back
    outcome = await reloader.reload()
    assert outcome.error is not None and not outcome.changed
    assert "no resource 'unhcr-iq-iic'" in str(outcome.error)
    assert set(reloader.current.resources) == {"iq-911", "unhcr-iq-iic"}


LEGAL = "- id: legal\n  icon: \"⚖️\"\n  name: {en: Legal}\n"
TURKEY = "- id: tr\n  country: TR\n  name: {en: Türkiye}\n"
BROKEN = "  oops: 1\n"


def add_after(path: Path, line: str, added: str) -> None:
    """Save the file again, `added` written after the first `line`."""
    text = path.read_text(encoding="utf-8")
    assert line in text
    atomic_write(path, text.replace(line, line + added, 1))


async def test_a_file_held_back_by_a_missing_category_goes_live_when_the_category_comes(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    reloader = Reloader.start_with(folder, reader=InProcessReader())
    lebanon = folder / "lebanon.yaml"
    atomic_write(lebanon, lebanon.read_text().replace("SMEX Digital Safety Helpdesk", "SMEX")
                 .replace("  - digital\n", "  - legal\n"))
    outcome = await reloader.reload()
    assert outcome.error is not None and "no category 'legal'" in str(outcome.error)
    assert not outcome.changed

    add_after(folder / "directory.yaml", "categories:\n", LEGAL)  # lebanon.yaml is not saved
    outcome = await reloader.reload()
    assert outcome.changed and outcome.error is None
    assert reloader.current.resources["smex"].categories == ["legal"]
    assert reloader.current.resources["smex"].name["en"] == "SMEX"


async def test_a_region_added_beside_a_broken_file_goes_live_and_stays_when_it_is_fixed(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    reloader = Reloader.start_with(folder, reader=InProcessReader())
    lebanon = folder / "lebanon.yaml"
    good = lebanon.read_text()
    add_after(lebanon, "  operator: ngo\n", BROKEN)
    assert (await reloader.reload()).error is not None

    add_after(folder / "directory.yaml", "regions:\n", TURKEY)
    outcome = await reloader.reload()
    assert outcome.changed and "tr" in reloader.current.regions
    assert outcome.error is not None
    assert [p.message for p in outcome.error.problems] == ["unknown key 'oops'"]

    atomic_write(lebanon, good.replace("SMEX Digital Safety Helpdesk", "SMEX"))
    outcome = await reloader.reload()
    assert outcome.changed and outcome.error is None
    assert "tr" in reloader.current.regions
    assert reloader.current.resources["smex"].name["en"] == "SMEX"


async def test_a_region_losing_its_country_checks_the_numbers_of_unchanged_files_again(
    tmp_path: Path,
) -> None:
    folder = split(tmp_path / "dir")
    reloader = Reloader.start_with(folder, reader=InProcessReader())
    before = reloader.current
    main_file, lebanon = folder / "directory.yaml", folder / "lebanon.yaml"
    atomic_write(main_file, main_file.read_text().replace("  country: LB\n", "", 1))
    outcome = await reloader.reload()
    assert outcome.error is not None and not outcome.changed
    [problem] = outcome.error.problems
    line = line_of(lebanon, "'1745'")
    assert str(problem).startswith(
        f"{lebanon}:{line}:12: resources[0].contacts[0].value: "
        "cannot tell which country '1745' belongs to"
    )
    assert reloader.current is before


async def test_a_change_of_country_waits_for_a_broken_file_with_contacts_there(
    tmp_path: Path,
) -> None:
    """The broken file's last good numbers were read for the old country: they are not
    served under another one unread."""
    folder = split(tmp_path / "dir")
    reloader = Reloader.start_with(folder, reader=InProcessReader())
    main_file, lebanon = folder / "directory.yaml", folder / "lebanon.yaml"
    good = lebanon.read_text()
    add_after(lebanon, "  operator: ngo\n", BROKEN)
    assert (await reloader.reload()).error is not None

    atomic_write(main_file, main_file.read_text().replace("country: LB", "country: JO", 1))
    outcome = await reloader.reload()
    assert outcome.error is not None and not outcome.changed
    assert [(p.file, p.message.split(":")[0]) for p in outcome.error.problems] == [
        (str(lebanon), "its contacts were checked for the regions' countries before they changed"),
        (str(lebanon), "unknown key 'oops'"),
    ]
    assert reloader.current.regions["lb"].country == "LB"

    atomic_write(lebanon, good)
    outcome = await reloader.reload()
    assert outcome.changed and outcome.error is None
    assert reloader.current.regions["lb"].country == "JO"


def test_penah_check_takes_a_folder_and_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = split(tmp_path / "dir")
    assert main(["check", str(folder)]) == 0
    assert capsys.readouterr().out.rstrip().endswith(
        "4 resources, 6 contacts, 1 guides, 4 regions, 4 categories"
    )
    iraq = folder / "iraq.yaml"
    iraq.write_text(iraq.read_text() + "version: 1\n")
    assert main(["check", str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{iraq}:{line_of(iraq, 'version: 1')}:10: version: already given in " in err



def test_penah_check_names_only_the_real_problem_of_a_broken_file_in_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read all at once, no file knows the others' ids yet: a broken file's references are
    checked once it reads, never reported against nothing."""
    folder = split(tmp_path / "dir")
    lebanon = folder / "lebanon.yaml"
    add_after(lebanon, "  operator: ngo\n", BROKEN)
    assert main(["check", str(folder)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{lebanon}:{line_of(lebanon, 'oops: 1')}:3: resources[1].oops: unknown key 'oops'"
    ]

SEARCHED = [
    "lawyer", "lawer", "legal aid", "asylum", "refugee registration", "hacked", "ambulance",
    "blackmail", "محامي", "لاجئ", "ابتزاز الكتروني", "پارێزەر", "پەنابەر", "parêzer",
    "avukat", "mülteci", "help",
]


@pytest.mark.reader_child
def test_a_folder_read_by_children_lists_and_searches_as_the_single_file(tmp_path: Path) -> None:
    """Each file's search words come folded from its reader child; together they must answer
    exactly as words folded here from the whole file."""
    data = yaml.load((ROOT / "resources.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    resources = data.pop("resources")
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "directory.yaml").write_text(dump(data), encoding="utf-8")
    step = -(-len(resources) // 5)
    for n in range(5):
        chunk = {"resources": resources[n * step : (n + 1) * step]}
        (folder / f"resources-{n}.yaml").write_text(dump(chunk), encoding="utf-8")
    split_up = load_directory(folder)  # real reader children
    whole = load_directory(ROOT / "resources.yaml", InProcessReader())
    places = [None, *(r.id for r in whole.user_regions)]
    for category in whole.categories:
        for place in places:
            assert ([r.id for r in split_up.resources_for(place, category)]
                    == [r.id for r in whole.resources_for(place, category)])
    assert all(piece.words is not None for piece in split_up.pieces)
    ours, theirs = Index(split_up), Index(whole)
    danger_words = shipped_danger_words()
    for query in SEARCHED:
        for place in places:
            assert (ours.search(query, place, danger_words)
                    == theirs.search(query, place, danger_words)), (query, place)
