"""Runtime configuration, read from ``JIFEN_*`` environment variables.

Everything secret is a ``SecretStr`` (prints as ``**********``) and validation errors never echo
their input, because the input may be a bot token or a Redis URL with a password in it. The
Redis URL is hidden from ``repr`` for the same reason.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.redis_url import check_redis_url

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_MIN_HASH_KEY_LENGTH = 16


def default_data_dir() -> Path:
    """Follow the XDG base-directory spec so the SQLite file lands where users expect data."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    # The spec says relative values are invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "jifen"


class Settings(BaseSettings):
    """All knobs in one validated object, so misconfiguration fails at startup, not mid-dialog."""

    model_config = SettingsConfigDict(
        env_prefix="JIFEN_",
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )

    redis_url: str | None = Field(default=None, repr=False)
    data_dir: Path = Field(default_factory=default_data_dir)
    session_ttl_days: int = Field(default=180, ge=1, le=3650)
    log_level: str = "INFO"
    hash_key: SecretStr | None = None
    telegram_token: SecretStr | None = None
    telegram_token_file: Path | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "127.0.0.1"
    telegram_webhook_port: int = Field(default=8080, ge=1, le=65535)
    telegram_webhook_path: str = "/telegram/webhook"
    reminder_lease_seconds: int = Field(default=60, ge=4, le=3600)
    telegram_send_rate: int = Field(default=30, ge=0, le=1000)
    """Messages per second the bot sends at most (PTB's AIORateLimiter): Telegram's limit for one bot is about 30.
    0 sends without a limiter, for a Bot API without flood control (a local server, the tests' fake)."""

    @field_validator("redis_url", mode="before")
    @classmethod
    def _empty_redis_url_means_none(cls, value: object) -> object:
        # `JIFEN_REDIS_URL=` in a compose file should select SQLite, not fail validation.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is not None:
            check_redis_url(value)
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand_data_dir(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("telegram_token_file")
    @classmethod
    def _expand_token_file(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser()

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"JIFEN_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
        return level

    @field_validator("hash_key")
    @classmethod
    def _check_hash_key(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram ids are a small space; a short key would make hashed ids brute-forceable.
        if value is not None and len(value.get_secret_value()) < _MIN_HASH_KEY_LENGTH:
            raise ValueError(f"JIFEN_HASH_KEY must be at least {_MIN_HASH_KEY_LENGTH} characters")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("JIFEN_TELEGRAM_API_URL must start with https:// (or http:// for a local API)")
        return value

    @field_validator("telegram_webhook_path")
    @classmethod
    def _check_webhook_path(cls, value: str) -> str:
        if not value.startswith("/") or " " in value:
            raise ValueError("JIFEN_TELEGRAM_WEBHOOK_PATH must be a URL path starting with /")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()):
            raise ValueError("JIFEN_TELEGRAM_WEBHOOK_SECRET must be 16-256 letters, digits, _ or -")
        return value

    @model_validator(mode="after")
    def _one_token_source(self) -> Self:
        if self.telegram_token is not None and self.telegram_token_file is not None:
            raise ValueError("set only one of JIFEN_TELEGRAM_TOKEN and JIFEN_TELEGRAM_TOKEN_FILE")
        return self

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "jifen.sqlite3"

    def resolve_telegram_token(self) -> SecretStr | None:
        """Return the token from the env var or the file (docker/systemd secrets), stripped."""
        if self.telegram_token is not None:
            return self.telegram_token
        if self.telegram_token_file is None:
            return None
        try:
            token = self.telegram_token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"cannot read JIFEN_TELEGRAM_TOKEN_FILE ({exc.strerror})") from None
        if not token:
            raise ValueError("JIFEN_TELEGRAM_TOKEN_FILE is empty")
        return SecretStr(token)


def load_settings(env_file: str | Path | None = None) -> Settings:
    """Build settings from the environment (and optionally a dotenv file, env vars winning)."""
    return Settings(_env_file=env_file)
