"""Runtime configuration, read from ``JIFEN_*`` environment variables.

Everything secret is a ``SecretStr`` (prints as ``**********``) and validation errors never echo
their input, because the input may be a bot token or a Redis URL with a password in it. The
Redis URL is hidden from ``repr`` for the same reason.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.redis_url import check_redis_url

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_MIN_HASH_KEY_LENGTH = 16


_WECHAT_TOKEN = re.compile(r"[A-Za-z0-9]{3,32}")
_WECHAT_APP_ID = re.compile(r"wx[0-9A-Za-z]{16}")
_WECHAT_SECRET = re.compile(r"[0-9A-Za-z]{32}")
_WECHAT_AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
_TEMPLATE_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_KEYWORD = re.compile(r"[a-z_]+[0-9]+")


class WechatTemplate(BaseModel):
    """One subscription template of the official account, from ``JIFEN_WECHAT_TEMPLATES``.

    ``type``: ``once`` — a one-time subscription message (一次性订阅消息: one ``content`` field, consent by a link in
    the chat); ``notice`` — a subscription notice (订阅通知: keyword fields such as ``thing1``/``date2``, consent by
    the ``wx-open-subscribe`` popup of a web page). ``fields`` maps a notice's keyword names to what goes in them:
    ``title``, ``date`` (the expiry date), ``days`` (days left), ``status`` or ``note``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    type: Literal["once", "notice"] = "once"
    fields: dict[str, Literal["title", "date", "days", "status", "note"]] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _TEMPLATE_ID.fullmatch(value):
            raise ValueError("a template id is 1-128 letters, digits, _ or -")
        return value

    @field_validator("fields")
    @classmethod
    def _check_fields(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not _KEYWORD.fullmatch(name):
                raise ValueError("template field names are WeChat keyword names such as thing1 or date2")
        return value


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
    http_listen: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    public_origin: str | None = None
    trust_proxy: bool = False
    """``X-Forwarded-Proto`` / ``X-Forwarded-For`` are believed only with ``JIFEN_TRUST_PROXY=1`` (behind our proxy)."""
    web: bool = True
    """The web chat page on ``jifen serve`` (``JIFEN_WEB=0`` leaves it out, e.g. a WeChat-only deployment)."""
    web_rate: int = Field(default=5, ge=1, le=1000)
    """Messages a second one web client may send (a cookie, or an address before consent); more get 429."""
    wechat_token: SecretStr | None = None
    wechat_app_id: str | None = None
    wechat_app_secret: SecretStr | None = None
    wechat_app_secret_file: Path | None = None
    wechat_aes_key: SecretStr | None = None
    wechat_api_url: str = "https://api.weixin.qq.com"
    wechat_path: str = "/wechat"
    wechat_passive_seconds: float = Field(default=3.0, ge=0.0, le=4.5)
    wechat_templates: dict[Literal["reminder"], WechatTemplate] = Field(default_factory=dict)
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

    @field_validator("wechat_path")
    @classmethod
    def _check_wechat_path(cls, value: str) -> str:
        if not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", value):
            raise ValueError("JIFEN_WECHAT_PATH must be a URL path such as /wechat (letters, digits, . _ ~ -)")
        return value

    @field_validator("wechat_api_url")
    @classmethod
    def _check_wechat_api_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("JIFEN_WECHAT_API_URL must start with https:// (or http:// for a local fake)")
        return value.rstrip("/")

    @field_validator("public_origin")
    @classmethod
    def _check_public_origin(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", value.strip().rstrip("/")):
            raise ValueError("JIFEN_PUBLIC_ORIGIN must be an origin such as https://your.host (no path)")
        return value.strip().rstrip("/")

    @field_validator("wechat_token")
    @classmethod
    def _check_wechat_token(cls, value: SecretStr | None) -> SecretStr | None:
        # The platform's own rule for the Token of the server configuration.
        if value is not None and not _WECHAT_TOKEN.fullmatch(value.get_secret_value()):
            raise ValueError("JIFEN_WECHAT_TOKEN must be 3-32 letters or digits (as on the WeChat platform)")
        return value

    @field_validator("wechat_app_id")
    @classmethod
    def _check_wechat_app_id(cls, value: str | None) -> str | None:
        if value is not None and not _WECHAT_APP_ID.fullmatch(value.strip()):
            raise ValueError("JIFEN_WECHAT_APP_ID must be the account's AppID: wx and 16 letters or digits")
        return None if value is None else value.strip()

    @field_validator("wechat_app_secret")
    @classmethod
    def _check_wechat_app_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WECHAT_SECRET.fullmatch(value.get_secret_value().strip()):
            raise ValueError("JIFEN_WECHAT_APP_SECRET must be the AppSecret: 32 letters or digits")
        return value

    @field_validator("wechat_aes_key")
    @classmethod
    def _check_wechat_aes_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WECHAT_AES_KEY.fullmatch(value.get_secret_value()):
            raise ValueError("JIFEN_WECHAT_AES_KEY must be the EncodingAESKey: 43 letters or digits")
        return value

    @field_validator("wechat_app_secret_file")
    @classmethod
    def _expand_secret_file(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser()

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
        if self.wechat_app_secret is not None and self.wechat_app_secret_file is not None:
            raise ValueError("set only one of JIFEN_WECHAT_APP_SECRET and JIFEN_WECHAT_APP_SECRET_FILE")
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


    def resolve_wechat_secret(self) -> SecretStr | None:
        """The AppSecret from the env var or the file, stripped and checked like the variable."""
        if self.wechat_app_secret is not None:
            return SecretStr(self.wechat_app_secret.get_secret_value().strip())
        if self.wechat_app_secret_file is None:
            return None
        try:
            secret = self.wechat_app_secret_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ValueError(f"cannot read JIFEN_WECHAT_APP_SECRET_FILE ({exc.strerror})") from None
        if not _WECHAT_SECRET.fullmatch(secret):
            raise ValueError("JIFEN_WECHAT_APP_SECRET_FILE must hold the AppSecret: 32 letters or digits")
        return SecretStr(secret)


def load_settings(env_file: str | Path | None = None) -> Settings:
    """Build settings from the environment (and optionally a dotenv file, env vars winning)."""
    return Settings(_env_file=env_file)
