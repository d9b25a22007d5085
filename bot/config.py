"""Settings from the environment (flags may override), gathered once into a frozen object."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .aiohttp_request import CLIENTS, DEFAULT_CLIENT, Client

DEFAULT_API_URL = "https://api.telegram.org/bot"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


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


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    api_url: str = DEFAULT_API_URL
    resources: Path = Path("resources.yaml")
    data_dir: Path = Path("data")
    locales: Path = field(default_factory=shipped_locales)
    admin_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    unsafe_debug: bool = False
    secret: bytes | None = None
    retention_days: int = 30
    stale_days: int = 180
    reload_interval: float = 1.0
    messages_per_second: float = 30.0
    chat_messages_per_second: float = 1.0
    flood_updates: int = 20
    flood_window: float = 10.0
    flood_pause: float = 30.0
    webhook_url: str | None = None
    listen: str = "0.0.0.0:8443"
    webhook_secret: str | None = None
    http_client: Client = DEFAULT_CLIENT

    @property
    def database(self) -> Path:
        return self.data_dir / "penah.sqlite3"

    @property
    def heartbeat(self) -> Path:
        return self.data_dir / "heartbeat"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")
    return value


def _admin_ids(raw: str) -> frozenset[int]:
    ids = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.lstrip("-").isdigit():
            raise ConfigError("PENAH_ADMIN_IDS takes numeric Telegram user ids, comma-separated")
        ids.add(int(part))
    return frozenset(ids)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    level = env.get("PENAH_LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"PENAH_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    unsafe = env.get("PENAH_UNSAFE_DEBUG", "") == "1"
    if level == "DEBUG" and not unsafe:
        raise ConfigError(
            "PENAH_LOG_LEVEL=DEBUG is refused: python-telegram-bot then logs whole updates "
            "(people's messages) and the token. Set PENAH_UNSAFE_DEBUG=1 to allow it on a test bot."
        )
    resources = env.get("PENAH_RESOURCES")
    if resources:
        resources_path = Path(resources)
    else:
        resources_path = Path("resources.yaml")
        if not resources_path.exists():
            resources_path = shipped_resources()
    secret = env.get("PENAH_SECRET")
    return Settings(
        token=env.get("TELEGRAM_BOT_TOKEN") or None,
        api_url=env.get("TELEGRAM_API_URL") or DEFAULT_API_URL,
        resources=resources_path,
        data_dir=Path(env.get("PENAH_DATA_DIR") or "data"),
        locales=Path(env["PENAH_LOCALES"]) if env.get("PENAH_LOCALES") else shipped_locales(),
        admin_ids=_admin_ids(env.get("PENAH_ADMIN_IDS", "")),
        log_level=level,
        unsafe_debug=unsafe,
        secret=secret.encode() if secret else None,
        retention_days=_int(env, "PENAH_RETENTION_DAYS", 30),
        stale_days=_int(env, "PENAH_STALE_DAYS", 180),
        webhook_url=env.get("PENAH_WEBHOOK_URL") or None,
        listen=env.get("PENAH_LISTEN") or "0.0.0.0:8443",
        webhook_secret=env.get("PENAH_WEBHOOK_SECRET") or None,
        flood_updates=_int(env, "PENAH_FLOOD_UPDATES", 20),
        http_client=_client(env.get("PENAH_HTTP_CLIENT", "").strip() or DEFAULT_CLIENT),
    )


def _client(name: str) -> Client:
    for client in CLIENTS:
        if name == client:
            return client
    raise ConfigError(f"PENAH_HTTP_CLIENT must be one of {', '.join(CLIENTS)}")
