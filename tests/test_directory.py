from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.directory.contacts import read_number
from bot.directory.model import DirectoryError
from bot.directory.queries import Directory
from bot.loading.reloader import load_directory
from bot.loading.validation import parse_directory
from bot.ops.admin import warnings_for
from tests.conftest import DATA

GOOD = (DATA / "directory.yaml").read_text(encoding="utf-8")


def problems_of(text: str) -> list[str]:
    with pytest.raises(DirectoryError) as caught:
        parse_directory(text, "resources.yaml")
    return [str(p) for p in caught.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_good_file_loads_with_every_part(small_directory: Directory) -> None:
    counts = small_directory.counts()
    assert counts == {"resources": 4, "contacts": 6, "guides": 1, "regions": 4, "categories": 4}
    assert small_directory.emergency_category is not None
    assert small_directory.emergency_category.id == "emergency"


def test_unknown_key_is_named_with_its_line_and_column() -> None:
    text = GOOD.replace("    operator: un\n", "    operator: un\n    phone_number: x\n")
    line = line_of(text, "phone_number: x")
    assert problems_of(text) == [
        f"resources.yaml:{line}:5: resources[1].phone_number: unknown key 'phone_number'"
    ]


def test_yaml_syntax_error_names_the_line() -> None:
    text = GOOD.replace("  - id: smex\n", "  - id: smex\n    name: [unclosed\n", 1)
    [problem] = problems_of(text)
    assert problem.startswith("resources.yaml:")
    assert "YAML syntax error" in problem
    assert int(problem.split(":")[1]) >= line_of(text, "[unclosed")


def test_wrong_type_is_reported_at_the_value() -> None:
    smex = '      url: "https://smex.org/helpdesk/"\n      dated: undated\n      read: '
    text = GOOD.replace(smex + "2026-11-23", smex + "last week")
    line = line_of(text, "read: last week")
    [problem] = problems_of(text)
    assert problem.startswith(f"resources.yaml:{line}:13: resources[3].source.read: ")


def test_dangling_reference_suggests_the_closest_id() -> None:
    text = GOOD.replace("    categories: [asylum]\n", "    categories: [asylm]\n", 1)
    line = line_of(text, "categories: [asylm]")
    assert problems_of(text) == [
        f"resources.yaml:{line}:18: resources[1].categories[0]: "
        "no category 'asylm' (did you mean 'asylum'?)"
    ]


def test_duplicate_id_is_named() -> None:
    text = GOOD.replace("  - id: isf-1745\n", "  - id: iq-911\n")
    line = [i for i, row in enumerate(text.splitlines(), 1) if row == "  - id: iq-911"][1]
    assert problems_of(text) == [
        f"resources.yaml:{line}:9: resources[2].id: duplicate id 'iq-911' in resources"
    ]


def test_texts_awaiting_review_are_marked_by_language_code() -> None:
    mark = "    operator: un\n    unreviewed: [ku-Arab, ckb]\n"
    marked = GOOD.replace("    operator: un\n", mark, 1)
    resource = parse_directory(marked, "resources.yaml").data.resources[1]
    assert resource.unreviewed == ["ku-Arab", "ckb"]
    assert parse_directory(GOOD, "resources.yaml").data.resources[1].unreviewed == []
    wrong = GOOD.replace("    operator: un\n", "    operator: un\n    unreviewed: [Badini]\n", 1)
    line = line_of(wrong, "unreviewed: [Badini]")
    [problem] = problems_of(wrong)
    assert problem.startswith(f"resources.yaml:{line}:")
    assert "resources[1].unreviewed[0]" in problem


def test_http_link_is_refused() -> None:
    text = GOOD.replace('"https://www.iraqinformationcentre.org/about"',
                        '"http://www.iraqinformationcentre.org/about"')
    line = line_of(text, "http://www.iraq")
    [problem] = problems_of(text)
    assert problem.startswith(f"resources.yaml:{line}:")
    assert "resources[1].contacts[1].value: links must start with https://" in problem


# What a reader sees first is not where a browser goes: the host after a user part, and a
# backslash read as a slash.
HIDDEN_HOSTS = ["https://{host}@other.example/x", "https://{host}\\\\@other.example/x",
                "https://{host}\\\\other.example/x"]


@pytest.mark.parametrize("hidden", HIDDEN_HOSTS)
@pytest.mark.parametrize(("before", "field"), [
    ('"https://www.iraqinformationcentre.org/about"', "resources[1].contacts[1].value"),
    ('"https://smex.org/helpdesk/"', "resources[3].source.url"),
])
def test_a_link_that_would_open_another_site_than_it_names_is_refused(
    hidden: str, before: str, field: str
) -> None:
    host = before.split("/")[2]
    text = GOOD.replace(before, f'"{hidden.format(host=host)}"')
    [problem] = problems_of(text)
    assert problem.startswith(f"resources.yaml:{line_of(text, 'other.example')}:")
    assert f"{field}: " in problem and "would open another site" in problem


def test_unquoted_phone_number_read_as_octal_says_to_quote_it() -> None:
    text = GOOD.replace('value: "1745"', "value: 07501234567")
    line = line_of(text, "value: 07501234567")
    [problem] = problems_of(text)
    assert problem.startswith(f"resources.yaml:{line}:30: resources[2].contacts[0].value: ")
    assert 'put it in quotes: "07501234567"' in problem


@pytest.mark.parametrize(("before", "after", "expected"), [
    pytest.param('url: "https://smex.org/helpdesk/"', 'url: "ftp://smex.org/"',
                 "resources[3].source.url: the page's full address, starting with https://",
                 id="source-web-address"),
    pytest.param('value: "1745"', 'value: "0123"',
                 "resources[2].contacts[0].value: not a valid phone number for LB",
                 id="invalid-phone"),
    pytest.param('{type: whatsapp, value: "+961 81 633 133"}',
                 '{type: whatsapp, value: "81 633 133", country: LB}',
                 "resources[3].contacts[0].value: WhatsApp needs the full international number",
                 id="whatsapp-international"),
    pytest.param('value: "help@accessnow.org"', 'value: "help at accessnow"',
                 "resources[3].contacts[1].value: not a valid email address", id="email"),
])
def test_one_bad_value_gives_one_problem_at_its_field(
    before: str, after: str, expected: str
) -> None:
    [problem] = problems_of(GOOD.replace(before, after))
    assert expected in problem


def test_english_text_is_required() -> None:
    text = GOOD.replace("name: {en: SMEX Digital Safety Helpdesk}",
                        "name: {ar: مكتب المساعدة}")
    line = line_of(text, "name: {ar: مكتب")
    assert problems_of(text) == [
        f"resources.yaml:{line}:11: resources[3].name: "
        "an English text ('en') is required: other languages fall back to it"
    ]


def test_duplicate_key_is_refused() -> None:
    text = GOOD.replace("    operator: ngo\n", "    operator: ngo\n    operator: un   # twice\n")
    line = line_of(text, "operator: un   # twice")
    assert f"resources.yaml:{line}:5: duplicate key 'operator'" in problems_of(text)


def test_every_error_is_reported_in_one_pass() -> None:
    text = (GOOD.replace("    operator: un\n", "    operator: un\n    bogus: 1\n")
            .replace("categories: [digital]", "categories: [digitl]")
            .replace('value: "1745"', "value: 1745"))
    problems = problems_of(text)
    assert len(problems) == 3
    assert [p.split(": ")[1] for p in problems] == [
        "resources[1].bogus", "resources[2].contacts[0].value", "resources[3].categories[0]"
    ]


def test_missing_empty_and_non_utf8_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match=r"missing\.yaml: file not found"):
        load_directory(tmp_path / "missing.yaml")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(DirectoryError, match=r"empty\.yaml: the file is empty"):
        load_directory(empty)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"version: 1\nname: caf\xe9\n")
    with pytest.raises(DirectoryError, match=r"latin1.yaml:2:10: not UTF-8 text"):
        load_directory(latin1)
    folder = tmp_path / "folder"
    (folder / ".hidden.yaml").parent.mkdir()
    (folder / ".hidden.yaml").write_text("version: 1\n")
    with pytest.raises(DirectoryError, match=r"folder: holds no directory file"):
        load_directory(folder)  # it used to fail an assertion


def test_short_codes_are_allowed_for_their_country_only() -> None:
    assert read_number("911", "IQ").dial == "911"
    assert read_number("1745", "LB").local_only
    assert read_number("06 400 8000", "JO").display == "+962 6 400 8000"
    with pytest.raises(ValueError, match="cannot tell which country"):
        read_number("911", None)


def test_resources_for_a_place_include_global_ones_emergency_and_un_first(
    small_directory: Directory,
) -> None:
    assert [r.id for r in small_directory.resources_for("iq-fed", "digital")] == ["smex"]
    assert [r.id for r in small_directory.resources_for("lb", "emergency")] == ["isf-1745"]
    assert small_directory.resources_for("iq-kr", "emergency") == []


def test_stale_entries_and_empty_cells_are_found(small_directory: Directory) -> None:
    stale = small_directory.stale(180, dt.date(2026, 11, 25))
    assert [e.id for e in stale] == ["isf-1745", "unhcr-iq-iic", "iq-911"]
    assert ("iq-kr", "emergency") in small_directory.empty_cells()
    warnings = warnings_for(small_directory, stale_days=180, today=dt.date(2026, 11, 25))
    assert any(w.startswith("untranslated: resources[2].name has no ar, ckb, ku") for w in warnings)


def test_shipped_directory_is_real_and_complete(shipped_directory: Directory) -> None:
    counts = shipped_directory.counts()
    assert counts["resources"] >= 30 and counts["contacts"] >= 40 and counts["guides"] >= 8
    assert len(shipped_directory.regions) >= 7
    assert len([c for c in shipped_directory.data.categories if not c.advice]) >= 8
    for resource in shipped_directory.data.resources:
        assert resource.source.url.startswith(("https://", "http://")) and resource.source.read


def test_every_place_has_a_health_service_of_its_own(shipped_directory: Directory) -> None:
    """Iraq outside the Kurdistan Region once had no health contact at all."""
    d = shipped_directory
    for place in d.user_regions:
        listed = d.resources_for(place.id, "health")
        assert [r for r in listed if place.id in r.regions], place.id
