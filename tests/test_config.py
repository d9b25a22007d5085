"""Settings: every tunable from the environment, validated with a message naming it."""

from __future__ import annotations

import pytest

from bot.config import ENVIRONMENT, ConfigError, Settings, load_settings
from tests.conftest import TOKEN


def test_every_setting_can_be_set_from_the_environment() -> None:
    assert set(ENVIRONMENT) == set(Settings.model_fields)


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("PENAH_RETENTION_DAYS", "0", "PENAH_RETENTION_DAYS"),
    ("PENAH_RETENTION_DAYS", "a month", "PENAH_RETENTION_DAYS"),
    ("PENAH_FLOOD_UPDATES", "-1", "PENAH_FLOOD_UPDATES"),
    ("PENAH_CLEAR_MEMORY_MB", "0", "PENAH_CLEAR_MEMORY_MB"),
    ("PENAH_MESSAGES_PER_SECOND", "fast", "PENAH_MESSAGES_PER_SECOND"),
    ("PENAH_ADMIN_IDS", "alice,bob", "PENAH_ADMIN_IDS"),
    ("PENAH_LOG_LEVEL", "LOUD", "PENAH_LOG_LEVEL"),
    ("PENAH_LOG_LEVEL", "DEBUG", "PENAH_UNSAFE_DEBUG=1"),
])
def test_a_value_that_cannot_work_is_named(name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_settings({name: value})


def test_tunables_are_read() -> None:
    settings = load_settings({
        "PENAH_FLOOD_UPDATES": "5", "PENAH_FLOOD_WINDOW": "2.5", "PENAH_ADMIN_IDS": "1, 2;3",
        "PENAH_HEARTBEAT_SECONDS": "1", "PENAH_LOG_LEVEL": "warning",
        "PENAH_CLEAR_MEMORY_MB": "8",
    })
    assert (settings.flood_updates, settings.flood_window) == (5, 2.5)
    assert settings.clear_memory_mb == 8
    assert settings.admin_ids == frozenset({1, 2, 3}) and settings.log_level == "WARNING"


def test_the_token_and_secret_never_print() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "PENAH_SECRET": "s3cr3t-value"})
    assert settings.bot_token == TOKEN and settings.secret_bytes == b"s3cr3t-value"
    for shown in (str(settings), repr(settings), settings.model_dump_json()):
        assert TOKEN not in shown and "s3cr3t-value" not in shown
    with pytest.raises(ConfigError) as caught:
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "PENAH_RETENTION_DAYS": "0"})
    assert TOKEN not in str(caught.value)
