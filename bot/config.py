"""Settings: every default once, every tunable settable from the environment and validated.

`load_settings` reads the variables in `ENVIRONMENT`; a value that cannot work stops the bot
with a message naming the variable. The token and the secret are `SecretStr`/`SecretBytes`,
which print as stars, so no log line or traceback can carry them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretBytes,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_API_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
Client = Literal["aiohttp", "httpx"]  # bot/aiohttp_request.py; httpx is the fallback


class ConfigError(ValueError):
    """A setting that cannot work; the message says which variable and why."""


_PACKAGE = Path(__file__).resolve().parent


def _shipped(installed: Path, checkout: Path) -> Path:
    """Inside an installed package, or at the top of a source checkout."""
    return installed if installed.exists() else checkout


def shipped_locales() -> Path:
    return _shipped(_PACKAGE / "locales", _PACKAGE.parent / "locales")


def shipped_resources() -> Path:
    return _shipped(_PACKAGE / "seed" / "resources.yaml", _PACKAGE.parent / "resources.yaml")


def _default_resources() -> Path:
    here = Path("resources.yaml")
    return here if here.exists() else shipped_resources()


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    token: SecretStr | None = None
    api_url: str = DEFAULT_API_URL
    resources: Path = Field(default_factory=_default_resources)
    data_dir: Path = Path("data")
    locales: Path = Field(default_factory=shipped_locales)
    admin_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    unsafe_debug: bool = False
    secret: SecretBytes | None = None
    retention_days: int = Field(30, ge=1)
    stale_days: int = Field(180, ge=1)
    reload_interval: float = Field(1.0, gt=0, le=3600)
    heartbeat_seconds: float = Field(5.0, gt=0, le=3600)
    messages_per_second: float = Field(30.0, gt=0)
    chat_messages_per_second: float = Field(1.0, gt=0)
    flood_updates: int = Field(20, ge=1)
    flood_window: float = Field(10.0, gt=0)
    flood_pause: float = Field(30.0, ge=0)
    tidy_seconds: float = Field(900.0, ge=0)  # quiet time before a chat is tidied; 0: never
    guard_size: int = Field(100_000, ge=100)  # people, chats or reports remembered in memory
    guard_days: float = Field(2.0, gt=0)  # how long "already told" and "already reported" last
    webhook_url: str | None = None
    listen: str = "0.0.0.0:8443"
    webhook_secret: SecretStr | None = None
    check_links: bool = False  # a daily link check in the background, for the admin digest
    # Links to loopback, private and link-local addresses are fetched (tests, intranets).
    check_links_allow_private: bool = False
    http_client: Client = "aiohttp"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        ids = set()
        for part in value.replace(";", ",").split(","):
            part = part.strip()
            if not part.lstrip("-").isdigit():
                if part:
                    raise ValueError("numeric Telegram user ids, comma-separated")
                continue
            ids.add(int(part))
        return frozenset(ids)

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        level = str(value).strip().upper() or "INFO"
        if level not in LOG_LEVELS:
            raise ValueError(f"one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("unsafe_debug", "check_links", "check_links_allow_private", mode="before")
    @classmethod
    def _unlocked(cls, value: Any) -> Any:
        return value == "1" if isinstance(value, str) else value

    @model_validator(mode="after")
    def _debug_is_unsafe(self) -> Settings:
        if self.log_level == "DEBUG" and not self.unsafe_debug:
            raise ValueError(
                "PENAH_LOG_LEVEL=DEBUG is refused: python-telegram-bot then logs whole updates "
                "(people's messages) and the token. Set PENAH_UNSAFE_DEBUG=1 to allow it on a "
                "test bot."
            )
        return self

    @property
    def bot_token(self) -> str:
        return self.token.get_secret_value() if self.token else ""

    @property
    def secret_bytes(self) -> bytes | None:
        return self.secret.get_secret_value() if self.secret else None

    @property
    def database(self) -> Path:
        return self.data_dir / "penah.sqlite3"

    @property
    def heartbeat(self) -> Path:
        return self.data_dir / "heartbeat"

    @property
    def read_cache(self) -> Path:
        """Validated directory files, so a restart does not read unchanged files again."""
        return self.data_dir / "directory-cache"

    def with_overrides(self, **changes: Any) -> Settings:
        values = {k: v for k, v in changes.items() if v is not None}
        return Settings.model_validate({**self.model_dump(), **values})


# Every setting read from the environment, by field.
ENVIRONMENT = {
    "token": "TELEGRAM_BOT_TOKEN",
    "api_url": "TELEGRAM_API_URL",
    "resources": "PENAH_RESOURCES",
    "data_dir": "PENAH_DATA_DIR",
    "locales": "PENAH_LOCALES",
    "admin_ids": "PENAH_ADMIN_IDS",
    "log_level": "PENAH_LOG_LEVEL",
    "unsafe_debug": "PENAH_UNSAFE_DEBUG",
    "secret": "PENAH_SECRET",
    "retention_days": "PENAH_RETENTION_DAYS",
    "stale_days": "PENAH_STALE_DAYS",
    "reload_interval": "PENAH_RELOAD_INTERVAL",
    "heartbeat_seconds": "PENAH_HEARTBEAT_SECONDS",
    "messages_per_second": "PENAH_MESSAGES_PER_SECOND",
    "chat_messages_per_second": "PENAH_CHAT_MESSAGES_PER_SECOND",
    "flood_updates": "PENAH_FLOOD_UPDATES",
    "flood_window": "PENAH_FLOOD_WINDOW",
    "flood_pause": "PENAH_FLOOD_PAUSE",
    "tidy_seconds": "PENAH_TIDY_SECONDS",
    "guard_size": "PENAH_GUARD_SIZE",
    "guard_days": "PENAH_GUARD_DAYS",
    "webhook_url": "PENAH_WEBHOOK_URL",
    "listen": "PENAH_LISTEN",
    "webhook_secret": "PENAH_WEBHOOK_SECRET",
    "check_links": "PENAH_CHECK_LINKS",
    "check_links_allow_private": "PENAH_CHECK_LINKS_ALLOW_PRIVATE",
    "http_client": "PENAH_HTTP_CLIENT",
}
_SECRET = {"token", "secret", "webhook_secret"}


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    raw: dict[str, Any] = {
        field: env[name].strip() for field, name in ENVIRONMENT.items() if env.get(name, "").strip()
    }
    if "secret" in raw:
        raw["secret"] = raw["secret"].encode()
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_explain(exc)) from None


def _explain(exc: ValidationError) -> str:
    """The first problem, named by its variable; a secret's value is never repeated."""
    error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:
        return message
    field = str(error["loc"][0])
    name = ENVIRONMENT.get(field, field)
    shown = "" if field in _SECRET else f" (got {str(error.get('input'))[:40]!r})"
    return f"{name}: {message}{shown}"
