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


def test_check_prints_what_each_place_offers_first_for_each_danger(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", str(ROOT / "resources.yaml")]) == 0
    answers = [line.split(": answers: ")[1] for line in capsys.readouterr().out.splitlines()
               if ": answers: " in line]
    assert len(answers) == 6 * 6  # six places, six kinds of danger
    assert "iq-kr self_harm: krg-youth-line, erbil-ecc-122" in " | ".join(answers)
    assert any(a.startswith("sy self_harm: nothing fits: sy-emergency") for a in answers)


def test_check_of_a_missing_file_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nope.yaml")]) == 1
    assert "nope.yaml: file not found" in capsys.readouterr().err


def test_run_without_a_token_explains_botfather_and_console(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "@BotFather" in err and "penah console" in err


def test_debug_logging_is_refused_unless_unlocked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PENAH_LOG_LEVEL", "DEBUG")
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


def test_every_subcommand_is_bound_to_a_handler() -> None:
    import argparse

    from bot.cli import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == {"run", "console", "check", "export", "schema", "health", "i18n"}
    for name, command in sub.choices.items():
        assert callable(command.get_default("handler")), name


def test_schema_writes_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schema.json"
    assert main(["schema", "--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == schema_text()
    assert f"wrote {out}" in capsys.readouterr().out


def test_health_fails_without_a_heartbeat_and_when_it_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    monkeypatch.setenv("PENAH_DATA_DIR", str(tmp_path))
    assert main(["health"]) == 1
    beat = tmp_path / "heartbeat"
    beat.touch()
    assert main(["health", "--max-age", "60"]) == 0
    old = time.time() - 120
    os.utime(beat, (old, old))
    assert main(["health", "--max-age", "60"]) == 1


@pytest.mark.e2e
async def test_run_reaches_its_first_poll_and_is_healthy_until_it_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import signal

    from tests.botprocess import BotProcess, penah_env
    from tests.fakeapi import FakeBotAPI

    monkeypatch.setenv("PENAH_DATA_DIR", str(tmp_path / "data"))
    async with FakeBotAPI() as api:
        env = penah_env(api, tmp_path)
        env["PENAH_HEARTBEAT_SECONDS"] = "0.1"
        async with BotProcess(api, env, tmp_path) as bot:
            await bot.ready()
            for _ in range(100):
                if (tmp_path / "data" / "heartbeat").exists():
                    break
                await asyncio.sleep(0.05)
            assert await asyncio.to_thread(main, ["health", "--max-age", "5"]) == 0
            code, _ = await bot.stop(signal.SIGTERM)
            assert code == 0
    assert main(["health"]) == 1, "no heartbeat once the bot has stopped"


def test_check_warns_about_identity_symbols(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.i18n.sensitive import FILE

    locales = tmp_path / "locales"
    locales.mkdir()
    (locales / FILE).write_text('symbols: ["🏳️‍🌈"]\nen: [asylum]\n', encoding="utf-8")
    text = (DATA / "directory.yaml").read_text(encoding="utf-8")
    flagged = tmp_path / "resources.yaml"
    flagged.write_text(text.replace('icon: "🛂"', 'icon: "🏳️‍🌈"'), encoding="utf-8")
    monkeypatch.setenv("PENAH_LOCALES", str(locales))
    assert main(["check", str(flagged)]) == 0
    assert "identity symbol: category 'asylum'" in capsys.readouterr().out
