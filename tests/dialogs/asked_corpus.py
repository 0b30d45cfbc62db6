"""The corpus of questions asked instead of answers (tests/dialogs/utterances/asked/*.yaml), run through the real
conversation: each row is one turn of a session standing at its question, and the outcome is read from what the
turn did — an answer stored, a topic answered, a hint, a what-if. ``results()`` is the one entry point the tests
and the bench use to count rows and passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dialogs.conversation import Conversation
from dialogs.guide.person import Person
from dialogs.help import HelpContext, answer_text, topics
from dialogs.messages import Inbound
from dialogs.profile_build import Calendar, build_profile
from dialogs.questions import BY_ID, DONE, QUESTIONS
from dialogs.replies import help_text
from dialogs.session import Session
from locales import translator
from tests.dialogs.chat import NOW, POLICY

FOLDER = Path(__file__).parent / "utterances" / "asked"
OUTCOMES = frozenset({"answer", "ask again", "whatif"})
_CJK = re.compile("[\u3400-\u9fff]")

BEFORE: dict[str, Any] = {
    "birth_date": "1990-05-20", "education": "bachelor_degree", "edu_part_time": False, "full_time": True,
    "graduation": "2012-07-01", "title_skill": "skill_3", "title_recognised": True, "employed_now": True,
    "insurance_months": 96, "base": {"multiple": 1}, "base_since": "2022-01", "shortage_major": False,
    "company": True, "company_tax": 500000, "company_share": 0.6, "company_hires": 0, "public_service": True,
    "public_service_since": "2015-03-01", "remote_area": "new_city", "remote_area_since": "2019-03-01",
    "award": "none", "hukou_spouse": True, "marriage_date": "2018-05-01", "innovation_talent": False,
    "has_records": True, "record_kind": "criminal", "record_date": "2024-03-01", "record_sentence": 0,
}  # fmt: skip
"""Answers given before each question (only those of earlier questions are used), so that its guard holds."""

FINISHED: dict[str, Any] = {
    "birth_date": "1990-05-20", "education": "bachelor_degree", "edu_part_time": False, "full_time": True,
    "graduation": "2012-07-01", "title_skill": "none", "employed_now": True, "insurance_months": 96,
    "base": {"multiple": 1}, "base_since": "2022-01", "shortage_major": False, "company": False,
    "public_service": False, "remote_area": "none", "award": "none", "hukou_spouse": False,
    "innovation_talent": False, "has_records": False, "permit_expiry": "2026-12-31",
}  # fmt: skip
"""A finished interview, for the rows asked after it ("done")."""


@dataclass(frozen=True, slots=True)
class Row:
    q: str
    text: str
    expect: str
    file: str

    @property
    def lang(self) -> str:
        return "zh" if _CJK.search(self.text) else "en"


@dataclass(frozen=True, slots=True)
class Result:
    row: Row
    actual: str

    @property
    def ok(self) -> bool:
        return self.actual == self.row.expect


def rows() -> list[Row]:
    out = []
    for path in sorted(FOLDER.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append(Row(str(raw["q"]), str(raw["text"]), str(raw["expect"]), path.name))
    return out


def session_at(state: str, lang: str) -> Session:
    if state == DONE:
        answers = dict(FINISHED)
    elif state == "birth_month":
        answers = {"age": 35}
    else:
        earlier = [q for q in QUESTIONS[: [q.id for q in QUESTIONS].index(state)]]
        answers = {k: BEFORE[k] for q in earlier for k in q.answer_keys if k in BEFORE}
    return Session(lang=lang, consented_at=NOW, state=state, answers=answers, history=[], last_seen=NOW)


@cache
def _conversation() -> Conversation:
    return Conversation(POLICY)


def outcome(state: str, text: str, lang: str) -> str:
    """What one turn at ``state`` made of ``text``: "answer", a topic id, "whatif" or "ask again"."""
    conv = _conversation()
    before = session_at(state, lang)
    turn = conv.turn(before, Inbound(user_key="corpus", now=NOW, text=text))
    after = turn.session
    assert after is not None and turn.replies
    if after.answers != before.answers or after.state != before.state:
        return "answer"
    if after.last_whatif != before.last_whatif:
        return "whatif"
    clock = conv._clock(NOW)
    t, args = translator(lang), clock.args
    said = turn.replies[0].text
    own = topics().help_of.get(state)
    if own is not None and said == help_text(t, state, args):
        return own.id
    person = Person(before.answers, clock.cal, conv.policy, conv.guide, state == DONE)  # the guide's are personal
    # Answers about the person's own result (dialogs/why.py) are rendered from the same finished profile.
    profile = build_profile(before.answers, Calendar.on(POLICY, NOW.date())) if state == DONE else None
    ctx = HelpContext(t, state, args, person=person, profile=lambda: profile, policy=POLICY)
    for topic in topics().ordered:
        if said == answer_text(topic, ctx):
            return topic.id
    return "ask again"


def results() -> list[Result]:
    return [Result(row, outcome(row.q, row.text, row.lang)) for row in rows()]


def counts(found: list[Result]) -> dict[str, int]:
    """Rows and passes, and how many rows are questions (not answers) per language: the bench's figures."""
    asked = [r for r in found if r.row.expect not in ("answer", "ask again")]
    return {"rows": len(found), "passed": sum(r.ok for r in found),
            "asked_zh": sum(r.row.lang == "zh" for r in asked), "asked_en": sum(r.row.lang == "en" for r in asked),
            "questions": len({r.row.q for r in found} & {*BY_ID, DONE})}
