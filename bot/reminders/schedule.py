"""When to remind someone whose residence permit expires on a given date (pure: no clock, no I/O).

POLICY.md §7: the permit is endorsed, and the points renewed, within the 30 days before expiry,
so the bot reminds when that window opens, a week before, and on the day. The day offsets are
policy data (``renewal.reminder_days``), not code, so a revised rule is a new dated value; the
"window opens" name is likewise derived from ``renewal.window_days``. The policy is the engine's, passed
in (bot.sessions), never loaded here. Both are validated when the
policy is loaded (scoring.parameters.Renewal), so a malformed offset stops the bot at start-up.

Reminders go out at 09:00 Shanghai time — a civil hour in the user's own time zone, whatever
zone the server runs in. Shanghai has no daylight saving, but the arithmetic goes through
``zoneinfo`` anyway so that nothing here assumes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from bot.clock import SHANGHAI
from bot.reminders.base import Reminder
from scoring import Policy

SEND_AT = dt.time(9, 0)
"""Local time of day at which reminders are due."""

_FIXED_NAMES = {7: "week_before", 0: "on_the_day"}


def kind_for(days_before: int, window_days: int | None = None) -> str:
    """Name a reminder by its offset: names are what the message catalogue keys its texts by."""
    if window_days is not None and days_before == window_days:
        return "window_opens"
    return _FIXED_NAMES.get(days_before, f"days_before_{days_before}")


def reminder_offsets(expires_on: dt.date, policy: Policy) -> list[int]:
    """The policy's reminder offsets in force on the expiry date, farthest first, without repeats."""
    return list(policy.rules(expires_on).params.renewal.reminder_days)


def plan_reminders(
    user_key: str, expires_on: dt.date, now: dt.datetime, policy: Policy
) -> list[Reminder]:
    """The reminders still to send for a permit expiring on ``expires_on``, ordered by due time.

    Reminders whose time has passed are skipped — a late reminder about a window that opened
    weeks ago is noise. But when every one has passed and the permit has not yet expired (e.g.
    the user tells us on the very day), one reminder is due right away so they still hear it,
    named after the most recent offset. An expired permit gets nothing.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    if isinstance(expires_on, dt.datetime) or not isinstance(expires_on, dt.date):
        raise TypeError("expires_on must be a datetime.date")
    window_days = policy.rules(expires_on).params.renewal.window_days
    now_ts = now.timestamp()
    planned = [
        (days, _due_at(expires_on - dt.timedelta(days=days)))
        for days in reminder_offsets(expires_on, policy)
    ]
    ahead = [(days, due) for days, due in planned if due >= now_ts]
    if ahead:
        return _build(user_key, expires_on, ahead, window_days)
    if expires_on >= now.astimezone(SHANGHAI).date():
        latest_days = planned[-1][0]
        return _build(user_key, expires_on, [(latest_days, now_ts)], window_days)
    return []


def _due_at(day: dt.date) -> float:
    return dt.datetime.combine(day, SEND_AT, tzinfo=SHANGHAI).timestamp()


def _build(
    user_key: str, expires_on: dt.date, due: Iterable[tuple[int, float]], window_days: int | None
) -> list[Reminder]:
    return [Reminder(user_key, kind_for(days, window_days), due_at, expires_on) for days, due_at in due]
