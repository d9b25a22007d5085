"""`penah i18n` finds what can be checked in the words: ruled-out terms in any of their forms,
cautions a reader would not get in their language, time and date ranges a right-to-left screen
would show split or reversed, and the texts awaiting a speaker's review."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.config import shipped_locales
from bot.directory.model import shown_language
from bot.i18n.sensitive import TermsFileError, load_terms_table, parse_terms
from bot.ops.translations import CHECKS, report
from tests.conftest import ROOT
from tests.langs import REGISTRY, RTL, TRANSLATED

# Per language, a ruled-out variant written in a form terms.yaml does not list (another
# ending, an article or preposition attached), and the concept it belongs to.
PLANTED_TERMS = {
    "ar": ("مكتب مساعدة للسلامة الرقمية", "digital_security"),
    "ckb": ("دوگمەکە دابگرن", "press_button"),
    "ku": ("ewlekariyê dîjîtal", "digital_security"),
    "ku-Arab": ("ل عیراقا فیدرالێ", "iraq_outside_kr"),
}
# Ranges as a right-to-left screen shows them once `bidi` has isolated their runs. Wrong: the
# reverse of the English (one run, read 18 to 8) and two times with a dash it does not join
# (two runs, end first). Fine: one run, or a word between.
WRONG_RANGES = ("الأحد 18:00–8:00", "السبت 9:00 ـ 15:00", "2024-05-01 – 2024-06-01")
WRONG_ENGLISH = "Sun 8:00–18:00, Sat 9:00–15:00, 2024-05-01 – 2024-06-01"
FINE_RANGES = "8:00 هەتا 18:00، 9:30-13:00، 2024-05-01"
FINE_ENGLISH = "8:00–18:00, 9:30–13:00, 2024-05-01"
LETTERED = [code for code in TRANSLATED if REGISTRY.languages[code].letters]
# One worker runs `penah i18n` over the planted directory and catalogs once, for all the tests
# that read its report (split over workers, each would run it).
pytestmark = pytest.mark.xdist_group("planted-i18n-reports")


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)


def line_after(path: Path, *needles: str) -> int:
    """The line of the last of `needles`, each looked for after the one before."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = 0
    for needle in needles:
        at = next(i for i, line in enumerate(lines[at:], at) if needle in line) + 1
    return at


def plant(folder: Path) -> dict[str, Any]:
    """The shipped directory as a folder of two files, with one problem of each kind planted
    per language, in entries of its own; what was planted where."""
    data = yaml.load((ROOT / "resources.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    for kind in ("regions", "categories", "resources", "guides"):
        for entry in data[kind]:
            entry.pop("unreviewed", None)
    cautioned = [r for r in data["resources"] if r.get("caution")]
    planted: dict[str, Any] = {
        "fallback": {}, "copied": {}, "ranges": {}, "names": {}, "review": {}}
    for i, code in enumerate(TRANSLATED):
        data["categories"][i]["name"][code] = PLANTED_TERMS[code][0]
        del data["regions"][i]["name"][code]
        planted["names"][code] = data["regions"][i]["id"]
        caution = cautioned[i]["caution"]
        del caution[code]
        planted["fallback"][code] = (cautioned[i]["id"], caution)
        data["guides"][i]["unreviewed"] = [code]
        planted["review"][code] = data["guides"][i]["id"]
    terms = load_terms_table(shipped_locales())
    assert terms is not None
    spare = cautioned[len(TRANSLATED):]
    for code in LETTERED:
        script = REGISTRY.languages[code].script
        resource, other = next(
            (r, c) for r in spare for c in r["caution"]
            if c != code and REGISTRY.languages[c].script == script
            and not list(terms.find(code, r["caution"][c]))  # copied, and nothing else wrong
        )
        spare.remove(resource)
        resource["caution"][code] = resource["caution"][other]
        planted["copied"][code] = (resource["id"], other)
    timed = data["resources"][-2 * len(RTL):]
    for i, code in enumerate(RTL):
        wrong, fine = timed[2 * i]["contacts"][0], timed[2 * i + 1]["contacts"][0]
        wrong["hours"] = {"en": WRONG_ENGLISH, code: "، ".join(WRONG_RANGES)}
        fine["hours"] = {"en": FINE_ENGLISH, code: FINE_RANGES}
        planted["ranges"][code] = (timed[2 * i]["id"], timed[2 * i + 1]["id"])
    resources = {"resources": data.pop("resources"), "guides": data.pop("guides")}
    folder.mkdir()
    (folder / "directory.yaml").write_text(dump(data), encoding="utf-8")
    (folder / "resources.yaml").write_text(dump(resources), encoding="utf-8")
    return planted


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str, bool]:
    folder = tmp_path_factory.mktemp("planted") / "directory"
    where = plant(folder)
    text, ok = report(shipped_locales(), folder, verbose=True)
    return folder, where, text, ok


def counts(text: str) -> dict[str, dict[str, int]]:
    """The per-language table of the report: check -> language -> count."""
    rows = text.splitlines()
    header = next(i for i, row in enumerate(rows) if row.startswith("check "))
    codes = rows[header].split()[1:]
    table = {}
    for row in rows[header + 1 : header + 1 + len(CHECKS)]:
        name, *numbers = row.split()[: len(codes) + 1]
        table[name] = dict(zip(codes, map(int, numbers), strict=True))
    return table


def test_the_shipped_catalogs_and_directory_pass_every_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["i18n"]) == 0
    table = counts(capsys.readouterr().out)
    for name, (_, fails) in CHECKS.items():
        if fails is not None:
            assert all(n == 0 for n in table[name].values()), (name, table[name])
    assert table["cautions"]["ku-Arab"] == 0  # Badini complete: no caution in Arabic


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_ruled_out_term_is_found_in_a_form_the_table_does_not_list_in_any_file(
    code: str, planted: tuple[Path, dict[str, Any], str, bool]
) -> None:
    folder, _, text, ok = planted
    written, concept = PLANTED_TERMS[code]
    line = line_after(folder / "directory.yaml", "categories:", written)
    assert re.search(rf"^error: {re.escape(str(folder))}/directory.yaml:{line}: {code}: "
                     rf"{concept}: ", text, re.M), text
    assert counts(text)["terms"][code] == 1
    assert not ok


def test_press_is_never_written_as_download_in_sorani() -> None:
    """terms.yaml rules «دابگرە» out ("download"): every form of the verb is found, and the
    chosen wording is not."""
    table = load_terms_table(shipped_locales())
    assert table is not None
    for text in ("دوگمەی Start دابگرە", "دابگرە", "کرتە بکەن یان دابگرن", "/menu دابگرە"):
        assert [v.concept for v in table.find("ckb", text)] == ["press_button"], text
    assert not list(table.find("ckb", "کرتە لە /menu بکە یان کرتە لە دوگمەکە بکەن"))


@pytest.mark.parametrize("code", TRANSLATED)
def test_no_chosen_term_is_ruled_out_by_its_own_variants(code: str) -> None:
    table = load_terms_table(shipped_locales())
    assert table is not None
    uses = {v.use for v in table.variants if v.language == code}
    assert not [(use, v.text) for use in uses for v in table.find(code, use)]


def test_a_variant_that_would_be_found_in_the_chosen_term_is_refused() -> None:
    raw = {"terms": {"press": {"ckb": {"use": "دابگرە", "avoid": ["دابگر"]}}}}
    with pytest.raises(TermsFileError, match="would be found"):
        parse_terms(raw, "terms.yaml")


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_caution_missing_in_a_language_of_the_directory_fails_and_names_its_fallback(
    code: str, planted: tuple[Path, dict[str, Any], str, bool]
) -> None:
    folder, where, text, ok = planted
    resource, caution = where["fallback"][code]
    line = line_after(folder / "resources.yaml", f"id: {resource}", caution["en"])
    fallback = shown_language(caution, REGISTRY.languages[code].chain)
    assert (f"error: {folder}/resources.yaml:{line}: {code}: caution of {resource} "
            f"falls back to {fallback}") in text
    assert not ok


@pytest.mark.parametrize("code", LETTERED)
def test_a_caution_copied_from_another_language_of_its_script_fails(
    code: str, planted: tuple[Path, dict[str, Any], str, bool]
) -> None:
    """A Sorani or Badini caution that is the Arabic text (a Kurmanji one that is the English)
    shows a reader another language under their own."""
    folder, where, text, _ = planted
    resource, other = where["copied"][code]
    line = line_after(folder / "resources.yaml", f"id: {resource}", "caution:", f"{code}:")
    prefix = f"error: {folder}/resources.yaml:{line}: {code}: caution of {resource}"
    assert f"{prefix} has none of the letters" in text
    assert f"{prefix} is the {other} text" in text
    assert counts(text)["cautions"][code] == 3  # with the caution planted missing


@pytest.mark.parametrize("code", TRANSLATED)
def test_a_region_name_falling_back_is_a_warning(
    code: str, planted: tuple[Path, dict[str, Any], str, bool]
) -> None:
    folder, where, text, _ = planted
    region = where["names"][code]
    assert re.search(rf"^warning: {re.escape(str(folder))}/directory.yaml:\d+: {code}: "
                     rf"name of {region} falls back to ", text, re.M)
    assert counts(text)["names"][code] == 1


@pytest.mark.parametrize("code", RTL)
def test_a_range_shown_split_or_reversed_right_to_left_fails_and_one_run_passes(
    code: str, planted: tuple[Path, dict[str, Any], str, bool]
) -> None:
    folder, where, text, _ = planted
    file = folder / "resources.yaml"
    wrongly, finely = where["ranges"][code]
    wrong = line_after(file, f"id: {wrongly}", WRONG_RANGES[0])
    fine = line_after(file, f"id: {finely}", FINE_RANGES)
    prefix = f"error: {file}:{wrong}: {code}: "
    assert f"{prefix}18:00–8:00 reads the other way round from the English 8:00–18:00" in text
    assert f"{prefix}'9:00 ـ 15:00' shows as two runs" in text
    assert f"{prefix}'2024-05-01 – 2024-06-01' shows as two runs" in text
    assert f"{file}:{fine}:" not in text
    assert counts(text)["ranges"][code] == 3


@pytest.mark.parametrize("code", [c for c in TRANSLATED if c not in RTL])
def test_ranges_are_not_checked_left_to_right(
    code: str, planted: tuple[Path, dict[str, Any], str, bool]
) -> None:
    assert counts(planted[2])["ranges"][code] == 0


@pytest.mark.parametrize("code", TRANSLATED)
def test_texts_awaiting_review_are_counted_and_listed_without_failing(
    code: str, planted: tuple[Path, dict[str, Any], str, bool]
) -> None:
    folder, where, text, _ = planted
    guide = where["review"][code]
    file = folder / "resources.yaml"
    line = line_after(file, f"id: {guide}", "unreviewed:", f"- {code}")
    assert counts(text)["review"][code] == 1
    listed = [row for row in text.splitlines() if row.startswith("  review: ")]
    assert [row for row in listed if f": {code}: " in row] == [
        f"  review: {file}:{line}: {code}: {guide} in guides"]
    assert not [row for row in text.splitlines() if row.startswith("error") and guide in row]


@pytest.fixture(scope="module")
def planted_catalogs(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, int], str, bool]:
    """The shipped catalogs, one message in each rewritten with a ruled-out term and, right to
    left, a split range; the line of that message in each, and the report."""
    locales = tmp_path_factory.mktemp("catalogs") / "locales"
    shutil.copytree(shipped_locales(), locales)
    msgid = 'msgid "(This message was shortened.)"'
    lines = {}
    for code in TRANSLATED:
        po = locales / REGISTRY.languages[code].catalog / "LC_MESSAGES" / "messages.po"
        rows = po.read_text(encoding="utf-8").split("\n")
        lines[code] = rows.index(msgid) + 1
        split = " 9:00 ـ 15:00" if code in RTL else ""
        rows[lines[code]] = f'msgstr "{PLANTED_TERMS[code][0]}{split}"'
        po.write_text("\n".join(rows), encoding="utf-8")
    text, ok = report(locales, ROOT / "resources.yaml")
    return locales, lines, text, ok


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogs_are_checked_for_ruled_out_terms_and_split_ranges(
    code: str, planted_catalogs: tuple[Path, dict[str, int], str, bool]
) -> None:
    locales, lines, text, ok = planted_catalogs
    line = lines[code]
    po = locales / REGISTRY.languages[code].catalog / "LC_MESSAGES" / "messages.po"
    assert f"error: {po}:{line}: {code}: {PLANTED_TERMS[code][1]}: " in text
    assert (f"error: {po}:{line}: {code}: '9:00 ـ 15:00' shows as two runs" in text) == (
        code in RTL)
    assert not ok


def test_penah_i18n_reads_no_pipe_or_device_in_the_directory_folder(tmp_path: Path) -> None:
    """Its own reading of the directory's files for line numbers refuses what the loader
    refuses: a pipe would hold it forever, a link to /dev/zero fill the memory."""
    folder = tmp_path / "directory"
    folder.mkdir()
    shutil.copy(ROOT / "resources.yaml", folder / "resources.yaml")
    os.mkfifo(folder / "pipe.yaml")
    (folder / "zero.yaml").symlink_to("/dev/zero")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "i18n", "--resources", str(folder)],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr  # the catalogs are fine; the folder is noted
    note = next(line for line in done.stdout.splitlines() if "directory not read" in line)
    assert "pipe.yaml" in note or "zero.yaml" in note
