"""The one place that reads the wall clock: "today" in Shanghai, and the epoch seconds the stores use.

Everything below the channels takes dates as arguments; channels, stores and the CLI ask this module.

Tests that start real worker processes cannot inject a clock object, so a process may be started at
another instant: with ``JIFEN_ALLOW_FAKE_CLOCK=1`` *and* ``JIFEN_FAKE_NOW=<ISO datetime>`` the clock
starts at that instant and then moves on with real time (09:00 reminders, quiet hours and leases keep
working). Two variables, so that a stray ``JIFEN_FAKE_NOW`` in a production environment shifts nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Mapping
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
FAKE_NOW_ENV = "JIFEN_FAKE_NOW"
ALLOW_FAKE_ENV = "JIFEN_ALLOW_FAKE_CLOCK"

_log = logging.getLogger(__name__)


def offset_from_environment(environ: Mapping[str, str], real_epoch: float) -> float:
    """Seconds to add to the real clock: 0 unless both variables are set; a malformed instant is refused."""
    text = environ.get(FAKE_NOW_ENV, "").strip()
    if not text:
        return 0.0
    if environ.get(ALLOW_FAKE_ENV) != "1":
        _log.warning("%s is set but %s is not 1: the real clock is used", FAKE_NOW_ENV, ALLOW_FAKE_ENV)
        return 0.0
    try:
        start = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{FAKE_NOW_ENV} must be an ISO date-time such as 2026-03-01T08:59:00+08:00") from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=SHANGHAI)
    return start.timestamp() - real_epoch


_OFFSET_S = offset_from_environment(os.environ, time.time())


def epoch() -> float:
    """Seconds since the epoch, the stores' and the reminder dispatcher's notion of "now"."""
    return time.time() + _OFFSET_S


def now() -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch(), SHANGHAI)


def today() -> dt.date:
    return now().date()
