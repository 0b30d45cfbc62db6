"""Reminders seen from the conversation: which date a session asks to be reminded of, and what to say.

The channel schedules and sends; this module only reads a stored session. Each reminder re-scores
the stored answers on the expiry date (the points are recomputed at renewal: age, years, the base
condition), so the person hears in time whether the renewal still reaches the standard.
"""

from __future__ import annotations

import datetime as dt

from dialogs.profile_build import Calendar, Incomplete, build_profile
from dialogs.report import render_renewal
from dialogs.session import Session, SessionError, SessionFromNewerVersion
from locales import translator
from scoring import ProfileError
from scoring.planner import plan
from scoring.policy import Policy, PolicyError


def _session(data: str | None, *, newer: bool = False) -> Session | None:
    """The stored session, or None when there is none or it is unreadable.

    With ``newer``, a session a newer version of jifen wrote raises ``SessionFromNewerVersion``: a
    reminder for it must wait for a worker that can read it, not be dropped.
    """
    if data is None:
        return None
    try:
        return Session.from_json(data)
    except SessionFromNewerVersion:
        if newer:
            raise
        return None
    except SessionError:
        return None


def reminder_date(data: str | None) -> dt.date | None:
    """``reminder_date_of`` the stored session text; None when there is none or it is unreadable."""
    s = _session(data)
    return None if s is None else reminder_date_of(s)


def reminder_date_of(s: Session) -> dt.date | None:
    """The date to be reminded of: a /remind date, else the permit expiry answer; None when off."""
    if s.reminders_off:
        return None
    if s.reminder_on is not None:
        return s.reminder_on
    expiry = s.answers.get("permit_expiry")
    if isinstance(expiry, str):
        try:
            return dt.date.fromisoformat(expiry)
        except ValueError:
            return None
    return None


def reminder_text(data: str | None, expires_on: dt.date, kind: str, today: dt.date,
                  policy: Policy) -> str | None:
    """The message for one due reminder, or None when the session is gone (nothing to remind).

    Raises ``SessionFromNewerVersion`` when a newer version wrote the session (see ``_session``).
    """
    s = _session(data, newer=True)
    if s is None or reminder_date(data) != expires_on:
        return None
    t = translator(s.lang)
    days = (expires_on - today).days
    key = f"remind.{kind}" if t.has(f"remind.{kind}") else "remind.generic"
    lines = [t(key, date=expires_on.isoformat(), days=days)]
    try:
        profile = build_profile(s.answers, Calendar.on(policy, today))
        profile = profile.model_copy(update={"permit": profile.permit.model_copy(update={"expires_on": expires_on})})
        renewal = plan(profile, policy).renewal
    except (Incomplete, ProfileError, PolicyError):
        renewal = None
        lines.append(t("remind.incomplete"))
    if renewal is not None:
        lines.append(render_renewal(renewal, t))
    lines.append(t("remind.stop"))
    return "\n\n".join(lines)
