"""When reminders fall due: policy offsets, 09:00 Shanghai, skipping the past, the catch-up."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.reminders import Reminder, kind_for, plan_reminders, reminder_offsets
from scoring import Policy, PolicyError, load_policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC
USER = "1001"
EXPIRES = dt.date(2026, 6, 30)
POLICY = load_policy()


def at(day: dt.date, hour: int = 9, minute: int = 0, tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def nine_am(day: dt.date) -> float:
    return at(day).timestamp()


def custom_policy(tmp_path: Path, reminder_values: list[dict[str, Any]]) -> Policy:
    """The packaged parameters with ``renewal.reminder_days`` replaced (the offsets are data)."""
    raw = yaml.safe_load(resources.files("scoring").joinpath("params/shanghai_points.yaml").read_text("utf-8"))
    raw["parameters"]["renewal.reminder_days"]["values"] = reminder_values
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_policy(path)


def test_offsets_come_from_the_policy() -> None:
    assert reminder_offsets(EXPIRES, POLICY) == [30, 7, 0]
    assert load_policy().rules(EXPIRES).params.renewal.reminder_days == (30, 7, 0)


def test_three_reminders_at_nine_in_shanghai() -> None:
    plan = plan_reminders(USER, EXPIRES, at(dt.date(2026, 1, 1)), POLICY)
    assert plan == [
        Reminder(USER, "window_opens", nine_am(dt.date(2026, 5, 31)), EXPIRES),
        Reminder(USER, "week_before", nine_am(dt.date(2026, 6, 23)), EXPIRES),
        Reminder(USER, "on_the_day", nine_am(EXPIRES), EXPIRES),
    ]
    # 09:00 in Shanghai (UTC+8, no daylight saving) is 01:00 UTC, whatever zone the server is in.
    assert [dt.datetime.fromtimestamp(r.due_at, UTC).time() for r in plan] == [dt.time(1, 0)] * 3
    assert [r.id for r in plan] == [
        "1001|2026-06-30|window_opens", "1001|2026-06-30|week_before", "1001|2026-06-30|on_the_day",
    ]


def test_now_in_any_time_zone_gives_the_same_plan() -> None:
    shanghai_now = at(dt.date(2026, 3, 1), 15, 30)
    for tz in (UTC, ZoneInfo("America/Los_Angeles"), ZoneInfo("Europe/Berlin")):
        in_tz = plan_reminders(USER, EXPIRES, shanghai_now.astimezone(tz), POLICY)
        assert in_tz == plan_reminders(USER, EXPIRES, shanghai_now, POLICY)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        plan_reminders(USER, EXPIRES, dt.datetime(2026, 1, 1, 9), POLICY)
    with pytest.raises(TypeError):
        plan_reminders(USER, dt.datetime(2026, 6, 30), at(dt.date(2026, 1, 1)), POLICY)


def test_past_reminders_are_skipped() -> None:
    plan = plan_reminders(USER, EXPIRES, at(dt.date(2026, 6, 10)), POLICY)
    assert [r.kind for r in plan] == ["week_before", "on_the_day"]


def test_nine_sharp_is_still_ahead_one_second_later_is_past() -> None:
    window_day = dt.date(2026, 5, 31)
    kinds = [r.kind for r in plan_reminders(USER, EXPIRES, at(window_day), POLICY)]
    assert kinds == ["window_opens", "week_before", "on_the_day"]
    later = at(window_day) + dt.timedelta(seconds=1)
    assert [r.kind for r in plan_reminders(USER, EXPIRES, later, POLICY)] == ["week_before", "on_the_day"]


def test_all_past_on_the_day_sends_one_now() -> None:
    now = at(EXPIRES, 10, 15)
    assert plan_reminders(USER, EXPIRES, now, POLICY) == [Reminder(USER, "on_the_day", now.timestamp(), EXPIRES)]


def test_the_day_is_decided_in_shanghai_not_utc() -> None:
    # 23:30 UTC on the 29th is 07:30 on the 30th in Shanghai: the 09:00 reminder is still ahead.
    early = dt.datetime(2026, 6, 29, 23, 30, tzinfo=UTC)
    assert plan_reminders(USER, EXPIRES, early, POLICY) == [Reminder(USER, "on_the_day", nine_am(EXPIRES), EXPIRES)]
    # 16:30 UTC on the 30th is already 1 July in Shanghai: the permit has expired, nothing to send.
    assert plan_reminders(USER, EXPIRES, dt.datetime(2026, 6, 30, 16, 30, tzinfo=UTC), POLICY) == []


def test_expired_permit_gets_nothing() -> None:
    assert plan_reminders(USER, EXPIRES, at(dt.date(2026, 7, 1), 0, 1), POLICY) == []
    assert plan_reminders(USER, dt.date(2025, 1, 1), at(dt.date(2026, 1, 1)), POLICY) == []


def test_other_offsets_and_their_names(tmp_path: Path) -> None:
    policy = custom_policy(tmp_path, [{"from": "2023-01-01", "value": [14, 3, 1, 3], "conf": "M", "cite": "test"}])
    plan = plan_reminders(USER, EXPIRES, at(dt.date(2026, 1, 1)), policy)
    assert [(r.kind, r.due_at) for r in plan] == [
        ("days_before_14", nine_am(dt.date(2026, 6, 16))),
        ("days_before_3", nine_am(dt.date(2026, 6, 27))),
        ("days_before_1", nine_am(dt.date(2026, 6, 29))),
    ]
    # All past with no offset 0: the catch-up is named after the latest offset.
    now = at(dt.date(2026, 6, 29), 12)
    assert plan_reminders(USER, EXPIRES, now, policy) == [Reminder(USER, "days_before_1", now.timestamp(), EXPIRES)]


def test_a_dated_revision_applies_to_permits_expiring_after_it(tmp_path: Path) -> None:
    policy = custom_policy(tmp_path, [
        {"from": "2023-01-01", "value": [30, 7, 0], "conf": "M", "cite": "test"},
        {"from": "2027-01-01", "value": [60, 30, 0], "conf": "M", "cite": "test revision"},
    ])
    now = at(dt.date(2026, 1, 1))
    assert [r.kind for r in plan_reminders(USER, EXPIRES, now, policy)] == ["window_opens", "week_before", "on_the_day"]
    later = dt.date(2027, 6, 30)
    assert [(r.kind, r.due_at) for r in plan_reminders(USER, later, now, policy)] == [
        ("days_before_60", nine_am(dt.date(2027, 5, 1))),
        ("window_opens", nine_am(dt.date(2027, 5, 31))),
        ("on_the_day", nine_am(later)),
    ]


def test_malformed_offsets_fail_when_the_policy_is_loaded(tmp_path: Path) -> None:
    """Not when the first reminder is planned: a bad offset stops the bot at start-up, naming the value."""
    for bad, where in (([], "value"), ([7, -1], "value[1]"), ("7", "value"), ([7.5], "value[0]"), ([True], "value[0]")):
        with pytest.raises(PolicyError, match=rf"renewal\.reminder_days\.values\[0\]\.{re.escape(where)}:"):
            custom_policy(tmp_path, [{"from": "2023-01-01", "value": bad, "conf": "M", "cite": "test"}])


def test_kind_names() -> None:
    assert kind_for(30, window_days=30) == "window_opens"
    assert kind_for(30, window_days=None) == "days_before_30"
    assert (kind_for(7), kind_for(0), kind_for(45)) == ("week_before", "on_the_day", "days_before_45")


@given(
    expires=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2032, 12, 31)),
    before=st.integers(min_value=-3 * 24 * 3600, max_value=400 * 24 * 3600),
)
def test_plan_properties(expires: dt.date, before: int) -> None:
    now = at(expires, 12) - dt.timedelta(seconds=before)
    plan = plan_reminders(USER, expires, now, POLICY)
    due = [r.due_at for r in plan]
    assert due == sorted(due) and len({r.kind for r in plan}) == len(plan) <= 3
    assert all(r.expires_on == expires and r.attempt == 0 and r.user_key == USER for r in plan)
    assert all(d >= now.timestamp() for d in due)  # never schedules into the past
    nine_oclock = [d for d in due if d != now.timestamp()]
    assert all(dt.datetime.fromtimestamp(d, SHANGHAI).time() == dt.time(9, 0) for d in nine_oclock)
    expired = now.astimezone(SHANGHAI).date() > expires
    assert (plan == []) == expired  # a live permit always gets at least one reminder
    if plan and plan[-1].due_at != now.timestamp():
        assert plan[-1].kind == "on_the_day"
