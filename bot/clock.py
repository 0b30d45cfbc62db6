"""The one place that reads the wall clock: "today" in Shanghai.

Everything below the channels takes dates as arguments; channels and the CLI ask this module.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)


def today() -> dt.date:
    return now().date()
