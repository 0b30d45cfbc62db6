"""``JIFEN_FAKE_NOW`` moves a process's clock only when ``JIFEN_ALLOW_FAKE_CLOCK=1`` says it may."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from bot.clock import ALLOW_FAKE_ENV, FAKE_NOW_ENV, SHANGHAI, offset_from_environment

REAL = dt.datetime(2026, 12, 4, 12, 0, tzinfo=SHANGHAI).timestamp()


def test_both_variables_start_the_clock_at_the_instant() -> None:
    env = {FAKE_NOW_ENV: "2028-01-02T09:00:00+08:00", ALLOW_FAKE_ENV: "1"}
    shifted = REAL + offset_from_environment(env, REAL)
    assert dt.datetime.fromtimestamp(shifted, SHANGHAI) == dt.datetime(2028, 1, 2, 9, 0, tzinfo=SHANGHAI)


def test_a_naive_instant_is_shanghai_time() -> None:
    env = {FAKE_NOW_ENV: "2026-03-01T10:00", ALLOW_FAKE_ENV: "1"}
    shifted = REAL + offset_from_environment(env, REAL)
    assert dt.datetime.fromtimestamp(shifted, SHANGHAI).hour == 10


@pytest.mark.parametrize("allow", [None, "", "0", "true"])
def test_without_the_permission_the_real_clock_is_used(allow: str | None) -> None:
    env = {FAKE_NOW_ENV: "2028-01-02T09:00:00+08:00"} | ({} if allow is None else {ALLOW_FAKE_ENV: allow})
    assert offset_from_environment(env, REAL) == 0.0


def test_a_malformed_instant_is_refused_with_its_name() -> None:
    with pytest.raises(ValueError, match=FAKE_NOW_ENV):
        offset_from_environment({FAKE_NOW_ENV: "next tuesday", ALLOW_FAKE_ENV: "1"}, REAL)


def test_a_child_process_reads_it_once_and_moves_on() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}
    env |= {FAKE_NOW_ENV: "2027-06-30T23:59:59.5+08:00", ALLOW_FAKE_ENV: "1"}
    code = "import time, bot.clock as c; a = c.now(); time.sleep(0.6); print(a.isoformat(), c.today())"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    first, later = done.stdout.split()
    assert first.startswith("2027-06-30T23:59:59") and later == "2027-07-01"
