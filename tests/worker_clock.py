"""The instant at which the tests' child processes (workers, the terminal chat) run, whatever today's date.

A worker cannot be handed a clock object, so it is started with ``JIFEN_FAKE_NOW`` (honoured only beside
``JIFEN_ALLOW_FAKE_CLOCK=1``, see ``bot/clock.py``): its clock starts at ``WORKER_NOW`` and moves on with real
time. The tests' in-process references use ``worker_now()``, the same moving instant, so both sides agree on
"today" and on which dates lie in the future (the scripts' permit expiry of 2026-12-31, for one).
"""

from __future__ import annotations

import datetime as dt
import time

from bot.clock import ALLOW_FAKE_ENV, FAKE_NOW_ENV
from tests.dialogs.chat import NOW

WORKER_NOW = NOW
"""The worked examples' date at 10:00: past the 09:00 reminders, far from midnight."""

_STARTED = time.monotonic()


def fake_clock_env(at: dt.datetime = WORKER_NOW) -> dict[str, str]:
    """The variables that start a child process's clock at ``at``."""
    return {FAKE_NOW_ENV: at.isoformat(), ALLOW_FAKE_ENV: "1"}


def worker_now() -> dt.datetime:
    """``WORKER_NOW`` moved on by the time since this module was imported, as the children's clocks move."""
    return WORKER_NOW + dt.timedelta(seconds=time.monotonic() - _STARTED)


def worker_epoch() -> float:
    """``worker_now()`` in epoch seconds: the clock of a store that reads what the workers wrote (a session they
    saved expires 180 days after *their* today, which may be long past by the real clock)."""
    return worker_now().timestamp()
