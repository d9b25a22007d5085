from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main, schema_text
from tests.conftest import DATA, ROOT


def test_check_accepts_the_shipped_directory(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(ROOT / "resources.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith(f"{ROOT / 'resources.yaml'}: ok: ")


def test_check_names_line_and_key_of_an_unknown_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "resources.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("operator:"))
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, f"{indent}telephone: x")
    broken = tmp_path / "resources.yaml"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:{at + 2}:{len(indent) + 1}: resources[0].telephone: unknown key" in err


def test_check_prints_warnings_and_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(DATA / "directory.yaml"), "--stale-days", "180"]) == 0
    out = capsys.readouterr().out
    assert "warning: stale: resource 'isf-1745'" in out
    assert "warning: empty: no contact for region 'iq-kr' in category 'emergency'" in out
    assert out.rstrip().endswith("4 resources, 6 contacts, 1 guides, 4 regions, 4 categories")


def test_check_of_a_missing_file_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.yaml")]) == 1
    assert "nope.yaml: file not found" in capsys.readouterr().err


def test_run_without_a_token_explains_botfather_and_console(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "@BotFather" in err and "penah console" in err


def test_debug_logging_is_refused_unless_unlocked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PENAH_LOG_LEVEL", "DEBUG")
    monkeypatch.delenv("PENAH_UNSAFE_DEBUG", raising=False)
    assert main(["check", str(DATA / "directory.yaml")]) == 2
    assert "PENAH_UNSAFE_DEBUG=1" in capsys.readouterr().err


def test_committed_schema_matches_the_model() -> None:
    assert (ROOT / "resources.schema.json").read_text(encoding="utf-8") == schema_text()


def test_shipped_directory_points_editors_to_the_schema() -> None:
    first = (ROOT / "resources.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=resources.schema.json"


def test_console_walks_the_menus_by_number(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed = iter(["1", "1", "q"])  # Emergency, then the first emergency card
    monkeypatch.setattr("builtins.input", lambda prompt="": next(typed))
    code = main(["console", "--resources", str(DATA / "directory.yaml"),
                 "--lang", "en", "--region", "iq-fed"])
    assert code == 0
    out = capsys.readouterr().out
    assert "Iraq unified emergency number" in out
    assert "📞 911" in out and "This line is run by the police." in out
