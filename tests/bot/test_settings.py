"""Settings must fail loudly on misconfiguration and must never reveal a secret doing so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import load_settings

TOKEN = "123456:AAE-very-secret-bot-token"
HASH_KEY = "k" * 8 + "-hash-key-secret"
REDIS_PASSWORD = "s3cr3t-redis-pw"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Isolate from the developer's shell: no JIFEN_* vars, a fake HOME, no XDG override."""
    for name in list(os.environ):
        if name.startswith("JIFEN_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_defaults() -> None:
    settings = load_settings()
    assert settings.redis_url is None
    assert settings.data_dir == Path.home() / ".local" / "share" / "jifen"
    assert str(settings.data_dir).startswith(os.environ["HOME"])
    assert settings.session_ttl_days == 180
    assert settings.log_level == "INFO"
    assert settings.hash_key is None
    assert settings.telegram_token is None
    assert settings.telegram_token_file is None
    assert settings.resolve_telegram_token() is None
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.sqlite_path == settings.data_dir / "jifen.sqlite3"


def test_data_dir_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert load_settings().data_dir == tmp_path / "xdg" / "jifen"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # invalid per the XDG spec: ignored
    assert load_settings().data_dir == Path.home() / ".local" / "share" / "jifen"


def test_env_prefix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JIFEN_REDIS_URL", "redis://cache:6379/2")
    monkeypatch.setenv("JIFEN_DATA_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("JIFEN_SESSION_TTL_DAYS", "30")
    monkeypatch.setenv("JIFEN_LOG_LEVEL", "debug")
    monkeypatch.setenv("JIFEN_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("JIFEN_HASH_KEY", HASH_KEY)
    monkeypatch.setenv("REDIS_URL", "redis://unprefixed-must-be-ignored")

    settings = load_settings()

    assert settings.redis_url == "redis://cache:6379/2"
    assert settings.data_dir == tmp_path / "state"
    assert settings.session_ttl_days == 30
    assert settings.log_level == "DEBUG"
    assert settings.telegram_token is not None and settings.telegram_token.get_secret_value() == TOKEN
    assert settings.hash_key is not None and settings.hash_key.get_secret_value() == HASH_KEY


def test_env_file_is_read_but_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("JIFEN_LOG_LEVEL=WARNING\nJIFEN_SESSION_TTL_DAYS=7\n")
    monkeypatch.setenv("JIFEN_SESSION_TTL_DAYS", "9")
    settings = load_settings(env_file)
    assert settings.log_level == "WARNING"
    assert settings.session_ttl_days == 9


@pytest.mark.parametrize("url", ["redis://localhost:6379/0", "rediss://h:6380", "unix:///run/redis.sock"])
def test_valid_redis_urls(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("JIFEN_REDIS_URL", url)
    assert load_settings().redis_url == url


def test_empty_redis_url_selects_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIFEN_REDIS_URL", "")
    assert load_settings().redis_url is None


@pytest.mark.parametrize("url", ["localhost:6379", "http://localhost:6379", "REDIS", "valkey://x"])
def test_invalid_redis_url_has_a_clear_error(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("JIFEN_REDIS_URL", url)
    with pytest.raises(ValidationError) as caught:
        load_settings()
    message = str(caught.value)
    assert "redis_url" in message
    assert "must start with redis://, rediss://, unix:// or redis+sentinel://" in message


@pytest.mark.parametrize(
    ("env", "value", "expected"),
    [
        ("JIFEN_SESSION_TTL_DAYS", "0", "greater than or equal to 1"),
        ("JIFEN_SESSION_TTL_DAYS", "soon", "valid integer"),
        ("JIFEN_LOG_LEVEL", "LOUD", "must be one of DEBUG, INFO"),
        ("JIFEN_TELEGRAM_API_URL", "api.telegram.org", "must start with https://"),
        ("JIFEN_HASH_KEY", "short", "at least 16 characters"),
    ],
)
def test_invalid_values_have_clear_errors(monkeypatch: pytest.MonkeyPatch, env: str, value: str, expected: str) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ValidationError, match=expected):
        load_settings()


def test_secrets_never_appear_in_repr_str_or_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIFEN_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("JIFEN_HASH_KEY", HASH_KEY)
    monkeypatch.setenv("JIFEN_REDIS_URL", f"redis://:{REDIS_PASSWORD}@cache:6379/0")
    settings = load_settings()
    rendered = [repr(settings), str(settings), settings.model_dump_json(), repr(settings.model_dump())]
    for text in rendered:
        assert TOKEN not in text
        assert HASH_KEY not in text
    assert REDIS_PASSWORD not in repr(settings) and REDIS_PASSWORD not in str(settings)
    assert "**********" in repr(settings)


def test_validation_errors_do_not_echo_secret_input(monkeypatch: pytest.MonkeyPatch) -> None:
    # A too-short key and a malformed URL both fail; the message must still not contain them.
    monkeypatch.setenv("JIFEN_HASH_KEY", "tiny-secret")
    monkeypatch.setenv("JIFEN_REDIS_URL", f"http://:{REDIS_PASSWORD}@cache")
    with pytest.raises(ValidationError) as caught:
        load_settings()
    assert "tiny-secret" not in str(caught.value)
    assert REDIS_PASSWORD not in str(caught.value)
    assert {error["loc"][0] for error in caught.value.errors()} == {"hash_key", "redis_url"}


def test_token_file_is_read_and_stripped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"  {TOKEN}\n")
    monkeypatch.setenv("JIFEN_TELEGRAM_TOKEN_FILE", str(token_file))
    token = load_settings().resolve_telegram_token()
    assert token is not None and token.get_secret_value() == TOKEN


def test_unreadable_or_empty_token_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JIFEN_TELEGRAM_TOKEN_FILE", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="cannot read JIFEN_TELEGRAM_TOKEN_FILE"):
        load_settings().resolve_telegram_token()
    (tmp_path / "empty").write_text("\n")
    monkeypatch.setenv("JIFEN_TELEGRAM_TOKEN_FILE", str(tmp_path / "empty"))
    with pytest.raises(ValueError, match="is empty"):
        load_settings().resolve_telegram_token()


def test_token_and_token_file_are_mutually_exclusive(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JIFEN_TELEGRAM_TOKEN", TOKEN)
    monkeypatch.setenv("JIFEN_TELEGRAM_TOKEN_FILE", str(tmp_path / "token"))
    with pytest.raises(ValidationError, match="only one of JIFEN_TELEGRAM_TOKEN and JIFEN_TELEGRAM_TOKEN_FILE"):
        load_settings()


def test_home_relative_paths_are_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIFEN_DATA_DIR", "~/jifen-data")
    assert load_settings().data_dir == Path.home() / "jifen-data"


def test_settings_are_immutable() -> None:
    settings = load_settings()
    with pytest.raises(ValidationError):
        settings.log_level = "DEBUG"  # type: ignore[misc]
