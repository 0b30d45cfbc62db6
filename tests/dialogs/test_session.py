"""The stored session: a versioned, validated, small JSON document."""

from __future__ import annotations

import json

import pytest

from dialogs.session import Session, SessionError, SessionFromNewerVersion, new_session
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
    session.applied_updates = ["100000040", "oAbC-xyz:1733300000"]
    assert Session.from_json(session.to_json()).applied_updates == ["100000040", "oAbC-xyz:1733300000"]


def test_integer_update_ids_of_the_previous_version_read_back_as_text() -> None:
    """Sessions written before ids were opaque hold Telegram's integers; a rolling deploy must not reset users."""
    old = {**_BASE, "state": "education", "history": ["birth"], "applied_updates": [100_000_040, 100_000_042]}
    assert Session.from_json(json.dumps(old)).applied_updates == ["100000040", "100000042"]
    with pytest.raises(SessionError):
        Session.from_json(json.dumps({**old, "applied_updates": [True]}))


def test_what_this_version_writes_the_previous_one_reads_for_telegram_ids() -> None:
    """The previous version's field was ``list[int]``: Telegram's ids written as digit strings still parse there."""
    from pydantic import BaseModel

    class PreviousVersion(BaseModel):
        applied_updates: list[int]

    s = Session.from_json(json.dumps({**_BASE, "applied_updates": ["100000040", "100000042"]}))
    written = json.loads(s.to_json())
    assert PreviousVersion.model_validate_json(json.dumps(written)).applied_updates == [100_000_040, 100_000_042]


_BASE = {"v": 1, "lang": "zh", "consented_at": "2026-03-01T10:00:00+08:00", "state": "birth",
         "last_seen": "2026-03-01T10:00:00+08:00"}


@pytest.mark.parametrize("broken", [
    "", "not json", "[]", '{"v": 2}', '{"v": 99, "whatever": true}',
    json.dumps({**_BASE, "state": "consent"}),
    json.dumps({**_BASE, "consent": False}),
    json.dumps({**_BASE, "v": "2"}),
    json.dumps({**_BASE, "answers": []}),
    json.dumps({**_BASE, "lang": 7}),
    json.dumps({**_BASE, "extra_field": 1, "last_seen": "yesterday"}),  # one corrupt value outweighs the rest
])
def test_anything_else_is_refused(broken: str) -> None:
    with pytest.raises(SessionError) as refused:
        Session.from_json(broken)
    assert not isinstance(refused.value, SessionFromNewerVersion)


@pytest.mark.parametrize("newer", [
    {**_BASE, "v": 2},  # a new schema version
    {**_BASE, "favourite_colour": "red"},  # a new field
    {**_BASE, "state": "pet_name"},  # a new question
    {**_BASE, "history": ["birth", "pet_name"]},
    {**_BASE, "lang": "ja"},  # a new language
    {**_BASE, "v": 2, "state": "pet_name", "extra": {"a": 1}},
])
def test_what_a_newer_version_wrote_is_told_apart(newer: dict[str, object]) -> None:
    with pytest.raises(SessionFromNewerVersion):
        Session.from_json(json.dumps(newer))
