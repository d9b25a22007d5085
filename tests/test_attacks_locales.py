"""Hostile locale files: the YAML that crashes libyaml or multiplies itself, in each of the
files a translator or a deployment edits next to the catalogs (the catalogs' own attacks are
in test_catalog_attacks.py). The bot reads these again on /reload, so none may crash it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import shipped_locales
from bot.i18n import languages, sensitive
from bot.ops import translations
from bot.search.danger import Danger, danger_words_in, detect
from tests.botprocess import ROOT
from tests.langs import SHIPPED
from tests.test_discreet_data import TELLING

LEVELS = 25_000


def nested_brackets() -> str:
    return "hostile: " + "[" * LEVELS + "]" * LEVELS + "\n"


def alias_bomb() -> str:
    """Under 1 KB that stands for 10^8 values."""
    rows = ["  a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    rows += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "hostile:\n" + "\n".join(rows) + "\n"


ATTACKS: dict[str, tuple[Callable[[], str], str]] = {
    "nested brackets": (nested_brackets, "nested more than 64 levels deep"),
    "alias bomb": (alias_bomb, "aliases that stand for more than"),
}


def hostile(tmp_path: Path, name: str, attack: Callable[[], str]) -> Path:
    locales = tmp_path / "locales"
    shutil.copytree(shipped_locales(), locales)
    path = locales / name
    path.write_text(path.read_text(encoding="utf-8") + "\n" + attack(), encoding="utf-8")
    return locales


@pytest.mark.parametrize(("make", "said"), ATTACKS.values(), ids=ATTACKS)
def test_hostile_danger_words_are_refused_and_danger_is_still_heard(
    tmp_path: Path, make: Callable[[], str], said: str
) -> None:
    locales = hostile(tmp_path, "danger.yaml", make)
    words, fault = danger_words_in(locales)
    assert fault is not None and str(locales / "danger.yaml") in str(fault) and said in str(fault)
    assert detect(words, "I want to kill myself") is Danger.SELF_HARM


@pytest.mark.parametrize(("make", "said"), ATTACKS.values(), ids=ATTACKS)
def test_hostile_sensitive_terms_leave_discreet_mode_hiding_names_in_every_language(
    tmp_path: Path, make: Callable[[], str], said: str, caplog: pytest.LogCaptureFixture
) -> None:
    locales = hostile(tmp_path, sensitive.FILE, make)
    served = sensitive.load_terms(locales)
    assert said in caplog.text and str(locales / sensitive.FILE) in caplog.text
    for lang in SHIPPED:
        assert served.found(TELLING[lang][0], lang), lang
    kept = sensitive.load_terms(shipped_locales())
    assert sensitive.load_terms(locales, kept) is kept, "a reload keeps the terms it had"


@pytest.mark.parametrize(("make", "said"), ATTACKS.values(), ids=ATTACKS)
def test_a_hostile_terms_table_is_refused_naming_the_file(
    tmp_path: Path, make: Callable[[], str], said: str
) -> None:
    locales = hostile(tmp_path, sensitive.TERMS_FILE, make)
    with pytest.raises(sensitive.TermsFileError) as error:
        sensitive.load_terms_table(locales)
    assert str(locales / sensitive.TERMS_FILE) in str(error.value) and said in str(error.value)


@pytest.mark.parametrize(("make", "said"), ATTACKS.values(), ids=ATTACKS)
def test_a_hostile_language_registry_is_refused_naming_the_file(
    tmp_path: Path, make: Callable[[], str], said: str
) -> None:
    locales = hostile(tmp_path, languages.REGISTRY_FILE, make)
    with pytest.raises(languages.RegistryError) as error:
        languages.load_registry(locales)
    assert str(locales / languages.REGISTRY_FILE) in str(error.value)
    assert said in str(error.value)


@pytest.mark.parametrize("name", ["danger.yaml", sensitive.FILE])
def test_penah_i18n_names_a_locale_file_the_bot_would_not_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    locales = hostile(tmp_path, name, nested_brackets)
    assert main(["i18n", "--locales", str(locales)]) == 1
    errors = [line for line in capsys.readouterr().out.splitlines() if line.startswith("error:")]
    assert any(name in line and "nested more than 64" in line for line in errors)


def test_a_terms_table_that_is_not_utf8_fails_penah_i18n_naming_the_file(tmp_path: Path) -> None:
    locales = hostile(tmp_path, sensitive.TERMS_FILE, lambda: "")
    path = locales / sensitive.TERMS_FILE
    path.write_bytes(path.read_bytes() + b"\n# \xff\n")
    with pytest.raises(sensitive.TermsFileError) as error:
        sensitive.load_terms_table(locales)
    assert str(path) in str(error.value)
    summary, ok = translations.report(locales, ROOT / "resources.yaml", False)
    assert not ok and str(path) in summary
