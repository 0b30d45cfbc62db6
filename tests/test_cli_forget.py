"""``jifen forget USER``: which user is meant, and what the operator is told when it cannot be done.

The erasure itself is proven on the stores the bot uses: tests/privacy/test_forget.py (SQLite) and
tests/channels/telegram/test_e2e_forget.py (Redis).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels.terminal import USER_KEY
from bot.cli.forget import resolve_user


@pytest.mark.parametrize(("given", "key"), [
    ("123456789", "tg-123456789"), (" 42 ", "tg-42"), ("tg-42", "tg-42"), ("terminal", USER_KEY),
])
def test_the_user_is_a_telegram_id_the_terminal_or_a_stored_key(given: str, key: str) -> None:
    assert resolve_user(given) == key


def jifen_forget(user: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}
    return subprocess.run([sys.executable, "-m", "bot.cli.main", "forget", user], env={**clean, **env},
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("user", ["", "tg 42", "tg-{42}", "*", "٣٤", "x" * 200])
def test_a_malformed_user_is_refused_in_one_line(user: str, tmp_path: Path) -> None:
    done = jifen_forget(user, JIFEN_DATA_DIR=str(tmp_path))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("jifen: invalid user key") and done.stderr.count("\n") == 1


def test_an_unknown_user_is_nothing_stored(tmp_path: Path) -> None:
    done = jifen_forget("42", JIFEN_DATA_DIR=str(tmp_path))
    assert (done.returncode, done.stdout, done.stderr) == (0, "tg-42: nothing stored\n", "")


def test_an_unreachable_redis_says_nothing_was_removed(tmp_path: Path) -> None:
    done = jifen_forget("42", JIFEN_DATA_DIR=str(tmp_path), JIFEN_REDIS_URL="redis://127.0.0.1:1/0",
                        JIFEN_HASH_KEY="forget-tests-hash-key-0123")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("jifen: nothing was removed, try again") and done.stderr.count("\n") == 1
