"""Settings, each read from `PENAH_<NAME>` (the token and API address by Telegram's usual
names); a value that cannot work stops the bot naming the variable, and never shows a secret.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SecretBytes,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LogLevel = Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]
Client = Literal["aiohttp", "httpx"]  # bot/telegram/http.py; httpx is the fallback


class ConfigError(ValueError):
    """A setting that cannot work; the message says which variable and why."""


class StartupError(RuntimeError):
    """Penah cannot start; the message says what is wrong and what to do, in one line."""


_PACKAGE = Path(__file__).resolve().parent
# A Telegram @username, or an https link to a named host in a link's own characters (no
# direction mark or invisible one to turn it around); as many and as long as /help has room for.
_MIRROR = re.compile(r"@[A-Za-z][A-Za-z0-9_]{4,31}"
                     r"|https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/[\w.~:/?#\[\]@!$&'()*+,;=%-]*)?",
                     re.ASCII)
MIRRORS_MOST, MIRROR_LONGEST = 10, 200


def _first(*paths: Path) -> Path:
    """The first that exists, else the last: an installed package's, else a checkout's."""
    return next((path for path in paths if path.exists()), paths[-1])


def shipped_locales() -> Path:
    return _first(_PACKAGE / "locales", _PACKAGE.parent / "locales")


def locale_file(locales: Path, name: str) -> Path:
    """A locales folder's own file, else the shipped one: a deployment holds what it changes."""
    own = locales / name
    return own if own.is_file() else shipped_locales() / name


def shipped_resources() -> Path:
    return _first(_PACKAGE / "seed" / "resources.yaml", _PACKAGE.parent / "resources.yaml")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="forbid", env_prefix="PENAH_",
                                      env_ignore_empty=True, populate_by_name=True,
                                      str_strip_whitespace=True)

    token: SecretStr | None = Field(None, validation_alias="TELEGRAM_BOT_TOKEN")
    api_url: str = Field("https://api.telegram.org/bot", validation_alias="TELEGRAM_API_URL")
    resources: Path = Field(
        default_factory=lambda: _first(Path("resources.yaml"), shipped_resources()))
    data_dir: Path = Path("data")
    locales: Path = Field(default_factory=shipped_locales)
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: LogLevel = "INFO"
    unsafe_debug: bool = False
    secret: SecretBytes | None = None
    retention_days: int = Field(30, ge=1)
    stale_days: int = Field(180, ge=1)
    reload_interval: float = Field(1.0, gt=0, le=3600)
    heartbeat_seconds: float = Field(5.0, gt=0, le=3600)
    messages_per_second: float = Field(30.0, gt=0)
    chat_messages_per_second: float = Field(1.0, gt=0)
    flood_updates: int = Field(20, ge=1)  # at once, and per flood_window kept up
    flood_window: float = Field(4.0, gt=0)
    flood_pause: float = Field(10.0, ge=0)
    clear_memory_mb: int = Field(32, ge=1)  # the message ids /clear deletes, all chats together
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
    # Other ways to the same directory when this bot cannot be reached: @usernames, https links.
    mirrors: Annotated[tuple[str, ...], NoDecode] = ()

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        ids = [part.strip() for part in re.split("[,;]", value) if part.strip()]
        if not all(re.fullmatch(r"-?\d+", part) for part in ids):
            raise ValueError("numeric Telegram user ids, comma-separated")
        return frozenset(map(int, ids))

    @field_validator("mirrors", mode="before")
    @classmethod
    def _mirrors(cls, value: Any) -> Any:
        values = value.replace(",", " ").split() if isinstance(value, str) else value
        if len(values) > MIRRORS_MOST:
            raise ValueError(f"{len(values)} are more than /help has room for: at most "
                             f"{MIRRORS_MOST}, each a Telegram @username or an https:// link")
        for wrong in (m for m in values if len(m) > MIRROR_LONGEST or not _MIRROR.fullmatch(m)):
            raise ValueError(f"{wrong[:60]!r} is neither a Telegram @username (5 to 32 letters, "
                             f"digits or _) nor an https:// link of at most {MIRROR_LONGEST} ASCII "
                             "characters (percent-encode others); separate several with commas")
        return tuple(values)

    @field_validator("log_level", mode="before")
    @classmethod
    def _level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _debug_is_unsafe(self) -> Settings:
        if self.log_level == "DEBUG" and not self.unsafe_debug:
            raise ValueError("PENAH_LOG_LEVEL=DEBUG is refused: python-telegram-bot then logs "
                             "whole updates (people's messages) and the token. Set "
                             "PENAH_UNSAFE_DEBUG=1 to allow it on a test bot.")
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


def variable(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else f"PENAH_{field.upper()}"


_SECRET = {"TELEGRAM_BOT_TOKEN", "PENAH_SECRET", "PENAH_WEBHOOK_SECRET"}


def load_settings() -> Settings:
    """ConfigError naming the first problem's variable; a secret's value is never repeated."""
    try:
        return Settings()
    except ValidationError as exc:
        error = exc.errors()[0]
    message = str(error["msg"]).removeprefix("Value error, ")
    if not error["loc"]:
        raise ConfigError(message)
    field = str(error["loc"][0])  # a setting's name, or the variable an alias reads
    name = variable(field) if field in Settings.model_fields else field
    shown = "" if name in _SECRET else f" (got {str(error.get('input'))[:40]!r})"
    raise ConfigError(f"{name}: {message}{shown}")
