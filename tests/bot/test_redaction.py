"""The redactor that stands between every log line of ``jifen telegram`` and the secrets of its settings."""

from __future__ import annotations

import io
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from bot.redaction import MASK, RedactingFilter, Redactor, masked_url, redis_passwords, settings_secrets
from bot.settings import Settings

TOKEN = "123456789:AAFakeTokenForJifenTests_0123456789ab"


@given(secret=st.text(min_size=4, max_size=40), before=st.text(max_size=30), after=st.text(max_size=30))
def test_a_secret_never_survives_redaction(secret: str, before: str, after: str) -> None:
    text = Redactor([secret]).redact(before + secret + after + secret)
    assert secret not in text


def test_the_longest_secret_goes_whole() -> None:
    redactor = Redactor(["AAFakeTokenForJifenTests_0123456789ab", TOKEN])
    assert redactor.redact(f"url /bot{TOKEN}/getMe") == f"url /bot{MASK}/getMe"


def test_short_secrets_are_not_searched_for() -> None:
    assert Redactor(["abc"]).redact("abc abc") == "abc abc"


@pytest.mark.parametrize(("url", "masked", "passwords"), [
    ("redis://:pw-123456@host:6379/0", "redis://:***@host:6379/0", ["pw-123456"]),
    ("rediss://user:p%40ss-word@host:6380/1", "rediss://user:***@host:6380/1", ["p@ss-word", "p%40ss-word"]),
    ("redis://host:6379/0?password=q-secret-1", "redis://host:6379/0?password=%2A%2A%2A", ["q-secret-1"]),
    ("redis://host:6379/0", "redis://host:6379/0", []),
    ("redis+sentinel://:sent-pass-1@s1:26379,s2:26379/main/2", "redis+sentinel://:***@s1:26379,s2:26379/main/2",
     ["sent-pass-1"]),
    ("unix://:sock-pass-1@/run/redis.sock?db=0", "unix://:***@/run/redis.sock?db=0", ["sock-pass-1"]),
])
def test_redis_urls_are_masked_and_their_passwords_known(url: str, masked: str, passwords: list[str]) -> None:
    assert masked_url(url) == masked
    assert set(redis_passwords(url)) == set(passwords)
    for password in passwords:
        assert password not in masked_url(url)


def test_the_settings_secrets_include_the_token_half_and_the_token_file(tmp_path: object) -> None:
    from pathlib import Path

    token_file = Path(str(tmp_path)) / "token"
    token_file.write_text(TOKEN + "\n")
    settings = Settings(telegram_token_file=token_file, telegram_webhook_secret=SecretStr("w" * 20),
                        hash_key=SecretStr("h" * 20), redis_url="redis://:pw-123456@h:1/0")
    found = settings_secrets(settings)
    assert {TOKEN, TOKEN.split(":")[1], "w" * 20, "h" * 20, "pw-123456"} <= set(found)


def test_the_filter_redacts_message_arguments_and_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(Redactor([TOKEN])))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
        except RuntimeError:
            logger.exception("start-up failed for %s", f"/bot{TOKEN}/getMe")
        logger.warning(f"stack of {TOKEN}", stack_info=True)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "Traceback" in text and "RuntimeError" in text and "Stack" in text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    assert text.count(MASK) >= 3
