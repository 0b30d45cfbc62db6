"""The interviews the benchmarks replay, in one place so that a new question updates every benchmark.

Each script is what one person types, from the greeting to the permit expiry (the last answer ends the
interview and schedules the reminders). ``tests/test_bench_scripts.py`` replays them through the engine and
fails when one no longer reaches the end, so a changed questionnaire cannot leave a benchmark measuring
re-asks.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
"""The benchmarks' date: the look-back window of the base tiers is 2022-03 .. 2026-02."""

EXAMPLE_B = ("你好", "同意", "1981-01-15", "大专", "是", "2002-07-01", "没有", "是", "8年", "0.85倍", "2022-03",
             "否", "否", "否", "否", "否", "否", "否", "否", "2026-12-31")
"""POLICY.md example B (45, 大专, 8 years, 0.85x): one base that covers the whole window."""

HISTORY_4 = ("你好", "同意", "1981-01-15", "大专", "是", "2002-07-01", "没有", "是", "8年",
             "现在1.5万，2024年1月开始；之前是1倍，2023年6月开始；再之前是0.9倍，2022年10月开始；再之前是最低", "一直",
             "否", "否", "否", "否", "否", "否", "否", "否", "2026-12-31")
"""Example B with a four-period history (yuan, 1x, 0.9x, the floor) given in one message: the largest session."""
