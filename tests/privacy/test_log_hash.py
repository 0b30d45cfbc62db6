"""One keyed hash stands for a user in every log line, with one key: ``JIFEN_HASH_KEY``.

Every worker sharing a Redis and ``jifen forget`` must hash alike, so with ``JIFEN_REDIS_URL`` the key is required
and start-up stops with one line without it. On the SQLite file it may be left unset: a random key is generated once
and kept beside the file (0600), so pseudonyms and the tombstones of forgotten users' updates survive a restart (and
it says so once). The key is secret: the hash is not the same as an unkeyed or public-constant one that anyone who
reads the code could recompute for every Telegram id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import privacy
from bot.privacy import MissingHashKey, log_hasher
from bot.reminders import open_reminder_queue
from bot.settings import Settings
from bot.store import open_store
from tests.channels.telegram.bot_harness import BotHarness, FakeNow, settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi

KEY = "k3y-for-the-log-hash-tests-0123"
USER = "tg-987654321"
REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: a command past the check would fail otherwise
TOKEN = "123456789:AAFakeTokenForJifenTests_0123456789ab"


def hash_in_a_new_process(env: dict[str, str]) -> str:
    code = "from bot.privacy import log_hasher; from bot.settings import load_settings; " \
           f"print(log_hasher(load_settings(), warn=False)({USER!r}))"
    done = subprocess.run([sys.executable, "-c", code], env=clean_env() | env, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stdout.strip()


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}


def test_it_is_hmac_sha256_under_the_configured_key_truncated() -> None:
    hashed = log_hasher(Settings(hash_key=KEY, redis_url=REDIS))(USER)
    assert hashed == hmac.new(KEY.encode(), USER.encode(), hashlib.sha256).hexdigest()[:12]
    assert hashed != hmac.new(b"jifen-log-id", USER.encode(), hashlib.sha256).hexdigest()[:12]  # the old public key
    assert hashed != hashlib.sha256(USER.encode()).hexdigest()[:12]
    assert log_hasher(Settings(hash_key=KEY[::-1], redis_url=REDIS))(USER) != hashed


def test_every_process_with_the_same_key_names_a_user_alike() -> None:
    here = log_hasher(Settings(hash_key=KEY, redis_url=REDIS))(USER)
    assert hash_in_a_new_process({"JIFEN_HASH_KEY": KEY, "JIFEN_REDIS_URL": REDIS}) == here
    assert hash_in_a_new_process({"JIFEN_HASH_KEY": KEY}) == here


def test_a_shared_store_without_a_key_is_refused() -> None:
    with pytest.raises(MissingHashKey, match=r"JIFEN_HASH_KEY must be set .* when JIFEN_REDIS_URL is"):
        log_hasher(Settings(redis_url=REDIS))


def test_sqlite_without_a_key_keeps_a_random_one_beside_the_file_and_warns_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setattr(privacy, "_kept_keys", {})  # as in a fresh process
    monkeypatch.setattr(privacy, "_warned", False)
    caplog.set_level(logging.WARNING)
    data = tmp_path / "new" / "data"
    settings = Settings(redis_url=None, data_dir=data)
    first, second = log_hasher(settings), log_hasher(settings)
    assert first(USER) == second(USER) != USER  # the engine and the channel agree
    assert first(USER) != first("tg-1")
    kept = data / privacy.KEY_FILE
    assert (kept.stat().st_mode & 0o777, (data.stat().st_mode & 0o777)) == (0o600, 0o700)
    assert len(kept.read_text()) == 64
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.privacy"]
    assert warnings == [f"JIFEN_HASH_KEY is not set: user hashes and update digests use the key kept in {kept}"]
    assert hash_in_a_new_process({"JIFEN_DATA_DIR": str(data)}) == first(USER)  # a restart: the same pseudonym
    assert hash_in_a_new_process({"JIFEN_DATA_DIR": str(tmp_path / "other")}) != first(USER)  # another file


def test_an_unwritable_data_directory_falls_back_to_a_key_of_the_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(privacy, "_kept_keys", {})
    monkeypatch.setattr(privacy, "_process_key", None)
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    hashed = log_hasher(Settings(redis_url=None, data_dir=blocked / "data"), warn=False)(USER)
    assert hashed == log_hasher(Settings(redis_url=None, data_dir=blocked / "data"), warn=False)(USER) != USER


async def test_the_engine_and_the_channel_log_a_user_under_the_same_hash(
    fake: FakeBotApi, tmp_path: Path, clock: FakeNow
) -> None:
    settings = settings_for(fake, tmp_path / "data", hash_key=KEY)
    store, queue = open_store(settings), open_reminder_queue(settings)
    try:
        async with BotHarness(fake, settings, store, queue, clock) as bot:
            expected = log_hasher(settings)(USER)
            assert bot.channel.user_hash(USER) == bot.channel.engine.user_hash(USER) == expected
    finally:
        await store.close()
        await queue.close()


def jifen(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli.main", *args], env=clean_env() | env, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.parametrize("command", [("telegram",), ("telegram", "--webhook"), ("forget", "42"), ("chat",)])
def test_with_redis_and_no_key_start_up_stops_with_one_line(command: tuple[str, ...], tmp_path: Path) -> None:
    env = {"JIFEN_REDIS_URL": REDIS, "JIFEN_DATA_DIR": str(tmp_path), "JIFEN_TELEGRAM_TOKEN": TOKEN,
           "JIFEN_TELEGRAM_API_URL": "http://127.0.0.1:9/bot", "JIFEN_TELEGRAM_WEBHOOK_SECRET": "s" * 20}
    done = jifen(*command, env=env)
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("jifen: JIFEN_HASH_KEY must be set (16+ characters) when JIFEN_REDIS_URL is"), line
    assert not list(tmp_path.iterdir())  # stopped before opening anything
