"""Data at rest on the default deployment (one SQLite file): private modes, and nothing left after /forget.

* Whatever the umask, the directories jifen creates for its data are 0700 and the SQLite file (with its ``-wal``
  and ``-shm``) 0600: ``jifen chat`` is run as a real process under umask 000 and 022.
* After /forget (the user's, or the operator's ``jifen forget``), the user's key, id and answers are in no byte
  of the database file, its WAL or its shared-memory file: ``secure_delete`` zeroes freed bytes in the database
  pages, and a checkpoint after the deletion empties the WAL, which still held the pages as they were.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.reminders import open_reminder_queue
from bot.store import open_store
from tests.channels.telegram.bot_harness import BotHarness, FakeNow, settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.dialogs.examples import EXAMPLES
from tests.privacy.test_forget import operator_forget
from tests.worker_clock import fake_clock_env

ROOT = Path(__file__).resolve().parents[2]
USER_ID = 918273645
BIRTH = "1983-07-19"
SCRIPT = [BIRTH if step == "1995年9月1日" else step
          for step in next(e for e in EXAMPLES if e.name == "D").scripts["zh-text"]]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_the_data_directory_is_0700_and_the_database_0600_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    data = tmp_path / "home" / "share" / "jifen"
    env = {**os.environ, **fake_clock_env(), "JIFEN_DATA_DIR": str(data)}
    env.pop("JIFEN_REDIS_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot.cli.main", "chat", "--lang", "en"], input="1\n1990-05-20\n",
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
                          preexec_fn=lambda: os.umask(umask))
    assert done.returncode == 0, done.stderr
    for directory in (tmp_path / "home", tmp_path / "home" / "share", data):
        assert mode(directory) == 0o700, (directory, oct(mode(directory)))
    files = [p for p in data.iterdir() if p.name.startswith("jifen.sqlite3")]
    assert data / "jifen.sqlite3" in files
    assert {p.name: oct(mode(p)) for p in files} == {p.name: oct(0o600) for p in files}


def raw_bytes(data: Path) -> dict[str, bytes]:
    """Every file of the data directory as it is on disk (database, WAL, shared memory)."""
    return {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}


def holding(files: dict[str, bytes], *needles: str) -> dict[str, list[str]]:
    found = {name: [n for n in needles if n.encode() in body] for name, body in files.items()}
    return {name: hits for name, hits in found.items() if hits}


@pytest.mark.parametrize("who", ["user", "operator"])
async def test_after_forget_no_byte_of_the_user_is_left_in_the_file_or_its_wal(
    fake: FakeBotApi, tmp_path: Path, who: str
) -> None:
    data = tmp_path / "data"
    settings = settings_for(fake, data)
    store, queue = open_store(settings), open_reminder_queue(settings)
    key = f"tg-{USER_ID}"
    try:
        async with BotHarness(fake, settings, store, queue, FakeNow()) as bot:
            user = bot.user(USER_ID)
            for step in SCRIPT:
                await user.send(step)
            assert len(await queue.pending(key)) == 3  # the permit expiry scheduled reminders
            before = holding(raw_bytes(data), key, BIRTH)
            assert before and any(name.endswith("-wal") for name in before), before  # the WAL holds them
            if who == "user":
                await user.say("/forget")
                await user.send("@confirm")
            else:
                done = operator_forget(str(USER_ID), {"JIFEN_DATA_DIR": str(data)})
                assert done.returncode == 0, done.stderr
            assert await store.load(key) is None
            assert holding(raw_bytes(data), key, str(USER_ID), BIRTH) == {}
    finally:
        await queue.close()
        await store.close()
