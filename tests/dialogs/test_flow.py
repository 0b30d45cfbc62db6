"""The transitions machine generated from the questionnaire: guards, back, restart, the record loop."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from dialogs.base_history import NEEDED_FROM
from dialogs.flow import HISTORY, Flow, Holds, Position
from dialogs.questions import BY_ID, DONE, FIRST, NEEDS_TRADE_YEARS, QUESTIONS, Deferred
from scoring.months import month_index

FLOW = Flow()


def next_from(state: str) -> list[tuple[str | None, str | None]]:
    """The ``next`` transitions of the machine from ``state``, in order: (destination, guard label)."""
    found = []
    for t in FLOW.machine.events["next"].transitions[state]:
        labels = [c.func.guard.label for c in t.conditions if isinstance(c.func, Holds)]
        found.append((t.dest, labels[0] if labels else None))
    return found


def walk(answers: dict[str, Any]) -> list[str]:
    """The questions asked when every question is answered from ``answers`` in order."""
    pos = Position("consent", {}, [], {k: v for k, v in answers.items() if k.startswith("@")})
    FLOW.agree(pos)
    asked = []
    while pos.state != "done":
        asked.append(pos.state)
        q = BY_ID[pos.state]
        for key in q.answer_keys:
            if key in answers:
                pos.answers[key] = answers[key]
        assert q.answered(pos.answers), f"no answer for {q.id}"
        FLOW.advance(pos)
    return asked


BASE = {"birth_date": "1990-01-01", "education": "college", "edu_part_time": False, "full_time": False,
        "title_skill": "none", "employed_now": True, "insurance_months": 0, "shortage_major": False, "company": False,
        "public_service": False, "remote_area": "none", "award": "none", "hukou_spouse": False,
        "innovation_talent": False, "has_records": False, "permit_expiry": None, NEEDS_TRADE_YEARS: False}
"""The facts (keys starting with "@") go to the guards: here no plan needs the years in the trade."""


def test_the_shortest_interview_skips_every_follow_up() -> None:
    assert walk(BASE) == ["birth", "education", "full_time", "title_skill", "employed_now", "insurance_months",
                          "shortage_major", "company", "public_service", "remote_area", "award", "hukou_spouse",
                          "innovation_talent", "has_records", "permit_expiry"]


@pytest.mark.parametrize(("changes", "asked", "not_asked"), [
    ({"age": 35, "birth_month": "3"}, ["birth_month"], []),
    ({"education": "none"}, [], ["full_time"]),
    ({"edu_part_time": True}, [], ["full_time", "graduation"]),
    ({"full_time": True, "graduation": "2012-07-01"}, ["graduation"], []),
    ({"title_skill": "senior", "title_recognised": True}, ["title_recognised"], []),
    ({"insurance_months": 12, "base": None}, ["base"], ["base_since"]),
    ({"insurance_months": 12, "base": {"multiple": 1}, "base_since": "2025-03", NEEDED_FROM: month_index(2025, 3)},
     ["base", "base_since"], ["base_prior"]),
    ({"insurance_months": 48, "base": {"multiple": 1}, "base_since": "2025-03", NEEDED_FROM: month_index(2022, 3),
      "base_prior": "unknown"}, ["base_since", "base_prior"], ["base_prior_since"]),
    ({"insurance_months": 48, "base": {"multiple": 1}, "base_since": "2025-03", NEEDED_FROM: month_index(2022, 3),
      "base_prior": {"multiple": 2}, "base_prior_since": "2021-01"}, ["base_prior", "base_prior_since"], []),
    ({"company": True, "company_tax": 0, "company_share": 1.0, "company_hires": 0},
     ["company_tax", "company_share", "company_hires"], []),
    ({"public_service": True, "public_service_since": "2020-01-01"}, ["public_service_since"], []),
    ({"remote_area": "lingang", "remote_area_since": "2020-01-01"}, ["remote_area_since"], []),
    ({"hukou_spouse": True, "marriage_date": "2020-01-01"}, ["marriage_date"], []),
    ({"has_records": True, "record_kind": "detention", "record_date": "2024-01-01", "record_more": False},
     ["record_kind", "record_date", "record_more"], ["record_sentence"]),
    ({"has_records": True, "record_kind": "criminal", "record_date": "2024-01-01", "record_sentence": 12,
      "record_more": False}, ["record_sentence"], []),
    ({NEEDS_TRADE_YEARS: True, "trade_years": 36}, ["trade_years"], []),
    ({NEEDS_TRADE_YEARS: Deferred(lambda: True), "trade_years": 36}, ["trade_years"], []),
    ({NEEDS_TRADE_YEARS: Deferred(lambda: False)}, [], ["trade_years"]),
])
def test_guards_ask_follow_ups_only_when_they_apply(changes: dict[str, Any], asked: list[str],
                                                     not_asked: list[str]) -> None:
    answers = {**BASE, **changes}
    if "age" in changes:
        del answers["birth_date"]
    questions = walk(answers)
    assert set(asked) <= set(questions)
    assert not set(not_asked) & set(questions)


def test_next_transitions_stop_at_the_first_unguarded_question() -> None:
    assert next_from("birth") == [("birth_month", "age given instead of a date"), ("education", None)]
    assert [t.dest for ts in FLOW.machine.events["agree"].transitions.values() for t in ts] == [FIRST]
    for q in QUESTIONS:
        assert next_from(q.id), q.id
        assert next_from(q.id)[-1][1] is None, q.id  # from every question, some question always comes next


def test_transitions_that_could_never_be_taken_are_left_out() -> None:
    # "owns a company" guards all three company follow-ups: from `company`, only the first can be next
    assert next_from("company") == [("company_tax", "owns a company"), ("public_service", None)]
    years = ("trade_years", "a plan assumes the years in the trade")
    assert next_from("has_records") == [("record_kind", "has records"), years, ("permit_expiry", None)]
    assert [dest for dest, _ in next_from("record_date")] == ["record_sentence", "record_more", "trade_years",
                                                              "permit_expiry"]
    assert next_from("record_more") == [("record_kind", "another record"), years, ("permit_expiry", None)]


def test_back_and_restart_are_one_transition_per_state() -> None:
    sources = [*BY_ID, DONE]
    for trigger, dest in (("back", HISTORY), ("restart", FIRST)):
        by_source = FLOW.machine.events[trigger].transitions
        assert {s: [t.dest for t in by_source[s]] for s in by_source} == {s: [dest] for s in sources}
    counts = {name: sum(map(len, e.transitions.values())) for name, e in FLOW.machine.events.items()}
    assert counts == {"agree": 1, "next": 59, "back": 34, "restart": 34}


def test_back_returns_through_the_history_and_next_passes_answered_questions() -> None:
    answers = {**BASE, "insurance_months": 12, "base": None}
    pos = Position("consent", {}, [])
    FLOW.agree(pos)
    while pos.state != "award":
        pos.answers.update({k: answers[k] for k in BY_ID[pos.state].answer_keys if k in answers})
        FLOW.advance(pos)
    assert pos.history[-4:] == ["shortage_major", "company", "public_service", "remote_area"]
    for expected in ("remote_area", "public_service", "company"):
        assert FLOW.back(pos) and pos.state == expected
    assert pos.history[-1] == "shortage_major"
    FLOW.advance(pos)  # company, public_service and remote_area keep their answers
    assert pos.state == "award"
    assert pos.history[-3:] == ["company", "public_service", "remote_area"]


def test_the_machine_keeps_no_session_and_serves_threads_at_once() -> None:
    expected = walk(BASE)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def interviews() -> None:
        try:
            results.extend(walk(BASE) for _ in range(50))
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=interviews) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == [expected] * 200
    assert FLOW.machine.models == []


def test_a_failing_callback_does_not_leave_the_model_behind() -> None:
    pos = Position("record_more", {"record_more": True, "records": 5}, [])
    with pytest.raises(TypeError):
        FLOW.advance(pos)
    assert FLOW.machine.models == []


def test_the_record_loop_commits_and_back_undoes_it() -> None:
    pos = Position("record_more", {"has_records": True, "record_kind": "criminal", "record_date": "2023-01-01",
                                   "record_sentence": 12, "record_more": True}, ["has_records", "record_kind",
                                                                                  "record_date", "record_sentence"])
    FLOW.advance(pos)
    assert pos.state == "record_kind"
    assert pos.answers["records"] == [{"record_kind": "criminal", "record_date": "2023-01-01",
                                       "record_sentence": 12}]
    assert "record_kind" not in pos.answers and "record_more" not in pos.answers
    assert FLOW.back(pos)
    assert pos.state == "record_more" and "records" not in pos.answers
    assert pos.answers["record_kind"] == "criminal"


def test_the_loop_stops_offering_more_at_the_cap() -> None:
    entry = {"record_kind": "detention", "record_date": "2024-01-01"}
    pos = Position("record_date", {"has_records": True, "records": [entry] * 4, **entry}, [],
                   {NEEDS_TRADE_YEARS: False})
    FLOW.advance(pos)
    assert pos.state == "permit_expiry"


def test_back_without_history_does_nothing_and_restart_clears() -> None:
    pos = Position("education", {"birth_date": "1990-01-01"}, [])
    assert not FLOW.back(pos) and pos.state == "education"
    pos = Position("award", {"birth_date": "1990-01-01"}, ["birth", "education"])
    FLOW.restart(pos)
    assert (pos.state, pos.answers, pos.history) == (FIRST, {}, [])


def test_a_long_history_is_bounded() -> None:
    from dialogs.flow import MAX_HISTORY

    pos = Position("birth", {"birth_date": "1990-01-01"}, ["birth"] * (MAX_HISTORY + 10))
    FLOW.advance(pos)
    assert len(pos.history) == MAX_HISTORY
