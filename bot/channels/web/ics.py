"""The reminders as a calendar file: "add to calendar" on the web, where no message can reach the person later.

One event per reminder the other channels would send (bot.reminders.plan_reminders: the policy's offsets before
the permit's expiry, 09:00 Shanghai time; those already past are left out), each with an alarm at its start, in
RFC 5545 text: CRLF line ends, lines folded at 75 octets, text escaped. Times are written in UTC (``Z``), which
every calendar reads without a VTIMEZONE block. The UIDs are digests, never the user key.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from bot.reminders import plan_reminders
from locales import translator
from scoring.policy import Policy

PRODID = "-//jifen//residence-permit points//EN"
DURATION = dt.timedelta(minutes=30)


def calendar(user_key: str, expires_on: dt.date, now: dt.datetime, policy: Policy, lang: str) -> bytes:
    t = translator(lang)
    stamp = _utc(now)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for reminder in plan_reminders(user_key, expires_on, now, policy):
        start = dt.datetime.fromtimestamp(reminder.due_at, dt.UTC)
        days = (expires_on - start.date()).days
        key = f"remind.{reminder.kind}" if t.has(f"remind.{reminder.kind}") else "remind.generic"
        text = t(key, date=expires_on.isoformat(), days=max(days, 0)).lstrip("⏰ ").strip()
        uid = hashlib.sha256(f"{user_key}|{expires_on}|{reminder.kind}".encode()).hexdigest()[:32]
        lines += ["BEGIN:VEVENT", f"UID:{uid}@jifen", f"DTSTAMP:{stamp}", f"DTSTART:{_utc(start)}",
                  f"DTEND:{_utc(start + DURATION)}", f"SUMMARY:{_escape(t('web.ics.summary', date=expires_on))}",
                  f"DESCRIPTION:{_escape(text + chr(10) + t('web.ics.more'))}", "BEGIN:VALARM", "ACTION:DISPLAY",
                  f"DESCRIPTION:{_escape(t('web.ics.summary', date=expires_on))}", "TRIGGER:PT0M", "END:VALARM",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines of at most 75 octets, continued with a space (never inside a UTF-8 sequence)."""
    out: list[str] = []
    current = ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ch
        else:
            current += ch
    out.append(current)
    return "\r\n ".join(out)
