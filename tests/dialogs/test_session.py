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
                         "reminder_on", "reminders_off", "last_whatif"}
    assert data["v"] == 1 and data["consent"] is True and data["consented_at"] == "2026-03-01T10:00:00+08:00"
    assert Session.from_json(s.to_json()) == s


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
