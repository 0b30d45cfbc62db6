"""The stored session: a versioned, validated, small JSON document."""

from __future__ import annotations

import json

import pytest

from dialogs.session import Session, SessionError, new_session
from tests.dialogs.chat import NOW


def test_round_trip_and_shape() -> None:
    s = new_session("en", "birth", NOW)
    s.answers.update({"birth_date": "1990-05-20", "base": {"multiple": 1.5}})
    s.history.append("birth")
    data = json.loads(s.to_json())
    assert set(data) == {"v", "lang", "consent", "consented_at", "state", "answers", "history", "last_seen",
                         "reminder_on", "reminders_off", "last_whatif", "applied_updates"}
    assert data["v"] == 1 and data["consent"] is True and data["consented_at"] == "2026-03-01T10:00:00+08:00"
    assert Session.from_json(s.to_json()) == s


def test_a_session_saved_before_applied_updates_existed_still_loads() -> None:
    old = {"v": 1, "lang": "zh", "consent": True, "consented_at": "2026-03-01T10:00:00+08:00", "state": "education",
           "answers": {"birth_date": "1990-05-20"}, "history": ["birth"], "last_seen": "2026-03-01T10:05:00+08:00",
           "reminder_on": None, "reminders_off": False, "last_whatif": []}
    session = Session.from_json(json.dumps(old))
    assert session.applied_updates == [] and session.state == "education"
    session.applied_updates = [100_000_040, 100_000_042]
    assert Session.from_json(session.to_json()).applied_updates == [100_000_040, 100_000_042]


@pytest.mark.parametrize("broken", [
    "", "not json", "[]", '{"v": 2}',
    json.dumps({"v": 1, "lang": "fr", "consented_at": "2026-03-01T10:00:00+08:00", "state": "birth",
                "last_seen": "2026-03-01T10:00:00+08:00"}),
    json.dumps({"v": 1, "lang": "zh", "consented_at": "2026-03-01T10:00:00+08:00", "state": "nowhere",
                "last_seen": "2026-03-01T10:00:00+08:00"}),
    json.dumps({"v": 1, "lang": "zh", "consented_at": "2026-03-01T10:00:00+08:00", "state": "consent",
                "last_seen": "2026-03-01T10:00:00+08:00"}),
    json.dumps({"v": 1, "lang": "zh", "consented_at": "2026-03-01T10:00:00+08:00", "state": "birth",
                "history": ["rm"], "last_seen": "2026-03-01T10:00:00+08:00"}),
    json.dumps({"v": 1, "lang": "zh", "consent": False, "consented_at": "2026-03-01T10:00:00+08:00",
                "state": "birth", "last_seen": "2026-03-01T10:00:00+08:00"}),
])
def test_anything_else_is_refused(broken: str) -> None:
    with pytest.raises(SessionError):
        Session.from_json(broken)
