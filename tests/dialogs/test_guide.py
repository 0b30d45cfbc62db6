"""The guide in the chat (issue #15): questions asked anywhere are answered, personal and short, from the data.

The corpus (utterances/asked/guide.yaml) reaches each answer mid-interview and after the report; the checklist
lists the documents of the items that score for the person; the steps carry their dates; every guide message
fits the smallest channel; the terminal and Telegram show the same words.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.telegram.render import render
from bot.channels.terminal import Terminal
from dialogs.guide.answers import GUIDE_RENDERERS, LISTS
from dialogs.guide.person import Person
from dialogs.guide.texts import (
    document_lines,
    documents_message,
    lapse_message,
    renewal_message,
    step_lines,
    steps_message,
    time_message,
    words_args,
)
from dialogs.help import HelpContext, answer_text, topics
from dialogs.messages import Inbound, Outbound
from dialogs.questions import DONE
from dialogs.session import Session
from locales import LANGUAGES, translator
from scoring import Profile, parse_profile
from scoring.guide import SECTIONS, checklist, load_guide, schedule
from scoring.guide.data import weakest
from tests.dialogs.asked_corpus import FINISHED, FOLDER, Row, _conversation, outcome, session_at
from tests.dialogs.chat import NOW, POLICY, new_memory_chat, session_of
from tests.dialogs.test_utterances import walk_to
from tests.scoring.strategies import profile_data

GUIDE = load_guide()
MAX_CHARS = 600
MAX_BYTES = 1800
"""As tests/dialogs/test_asked.py: 600 Chinese characters (WeChat's ~2,048 bytes), 1,800 bytes in any language."""
ROWS = [Row(str(r["q"]), str(r["text"]), str(r["expect"]), "guide.yaml")
        for r in yaml.safe_load((FOLDER / "guide.yaml").read_text(encoding="utf-8"))]
GUIDE_TOPICS = [t for t in topics().ordered if t.render in GUIDE_RENDERERS]
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _short(text: str, lang: str) -> bool:
    return len(text.encode()) <= MAX_BYTES and (lang != "zh" or len(text) <= MAX_CHARS)


def _said(text: str) -> Inbound:
    return Inbound(user_key="u", now=NOW, text=text)


def _done(lang: str, **answers: Any) -> Session:
    return Session(lang=lang, consented_at=NOW, state=DONE, answers={**FINISHED, **answers}, history=[],
                   last_seen=NOW)


def _reply(session: Session, text: str) -> str:
    turn = _conversation().turn(session, _said(text))
    assert turn.session is not None and turn.session.answers == session.answers
    return turn.replies[0].text


# -- the corpus: each phrase reaches its answer mid-interview and after the report --------------------------


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.q}:{r.text}" for r in ROWS])
def test_a_guide_question_is_answered_mid_interview_and_after_the_report(row: Row) -> None:
    assert outcome(row.q, row.text, row.lang) == row.expect
    assert outcome(DONE, row.text, row.lang) == row.expect


def test_the_guide_corpus_is_large_enough_in_both_languages() -> None:
    asked = [r for r in ROWS if r.expect not in ("answer", "ask again", "whatif")]
    assert len(asked) >= 80
    assert sum(r.lang == "zh" for r in asked) >= 30 and sum(r.lang == "en" for r in asked) >= 30
    for topic in GUIDE_TOPICS:
        langs = {r.lang for r in asked if r.expect == topic.id}
        assert langs == {"zh", "en"}, f"{topic.id} needs phrases in both languages"
    for intent in ("employed_now", "permit_expiry"):  # "can I apply myself", "where is my permit's expiry date"
        assert {r.lang for r in asked if r.expect == intent} == {"zh", "en"}


async def test_mid_interview_the_answer_comes_then_the_same_question_and_nothing_is_stored() -> None:
    chat, store = new_memory_chat()
    before = await walk_to(chat, store, "base")
    asked_before = chat.last[-1]
    for typed in ("要准备什么材料？", "怎么申请", "how long does it take?"):
        replies = await chat.say(typed)
        assert len(replies) == 2
        assert (replies[1].text, replies[1].buttons) == (asked_before.text, asked_before.buttons)
        after = await session_of(store)
        assert after is not None and (after.state, after.answers) == (before.state, before.answers)
    assert "按你目前的回答" in chat.last[0].text  # mid-interview the dates are said to be from the answers so far


# -- personal ---------------------------------------------------------------------------------------------------


def test_after_the_report_the_checklist_lists_the_documents_of_the_items_that_score() -> None:
    degree = _reply(_done("zh"), "材料")
    assert "学位证书" in degree and "学信网学历认证" in degree and "教育背景 90 分" in degree
    assert "职称证书" not in degree and "聘任书" not in degree and "结婚证、配偶的上海户籍证明" not in degree
    titled = _reply(_done("zh", education="college", title_skill="intermediate", title_recognised=True), "材料")
    assert "中级职称证书、单位的职称聘任书" in titled
    assert "毕业证书" not in titled, "the title replaces the education: no education documents"
    married = _reply(_done("en", hukou_spouse=True, marriage_date="2018-05-01"), "documents")
    assert "Shanghai-hukou spouse 28: marriage certificate, spouse's Shanghai hukou proof" in married
    assert "Lingang" not in married and "award" not in married.lower().split("sharing")[0]
    lingang = _reply(_done("zh", remote_area="lingang", remote_area_since="2020-01-01"), "材料")
    assert "远郊重点区域 12 分*：在临港新片区工作和居住的证明" in lingang and "* 来源未列出这项材料" in lingang


def test_the_steps_carry_the_person_s_dates() -> None:
    zh = _reply(_done("zh"), "怎么申请")
    assert "你现在 194 分，已够" in zh and "你现在就可以提交" in zh
    assert "按 2026-03-01 提交，约 2026-03-31 出结果（只扣周末，未计节假日）" in zh
    assert "续办窗口 2026-12-01 至 2026-12-31" in zh
    en = _reply(_done("en"), "how do I apply?")
    assert "result comes around 2026-03-31" in en and "public holidays not counted" in en
    assert "renewal window 2026-12-01 to 2026-12-31" in en
    short = _reply(_done("zh", education="college", insurance_months=12, base={"multiple": 0.6},
                         base_since="2025-03"), "怎么申请")
    assert "你现在 83 分，还差 37 分；什么都不变，到 2036-03-01 也达不到。说「方案」看怎么补。" in short
    waiting = _reply(_done("zh", education="college", base={"multiple": 0.6}), "怎么申请")
    assert "你现在 104 分，还差 16 分；什么都不变的话 2032-03-01 达到。说「方案」看更快的办法。" in waiting
    assert "你最早 2032-03-01 可以提交" in waiting
    jobless = _reply(_done("zh", employed_now=False), "怎么申请")
    assert "你现在还不满足：现在没有在上海就业。" in jobless
    assert "可以提交" not in jobless and "提交的话" not in jobless, "no filing date for someone without an employer"


def test_how_long_counts_from_the_earliest_filing_day() -> None:
    text = _reply(_done("zh"), "多久能批下来")
    assert "原来说 20 个工作日内，2025 年流程升级后平均约 22 个工作日" in text
    assert "按你最早 2026-03-01 提交，结果约在 2026-03-31 前后" in text


def test_renewal_and_lapse_use_the_permit_date() -> None:
    renewal = _reply(_done("zh"), "积分要续办吗")
    assert "续办窗口 2026-12-01 至 2026-12-31，按现在的情况那时" in renewal
    lapse = _reply(_done("en"), "what if my permit expires?")
    assert "up to 60 days late" in lapse and "endorse it between 2026-12-01 and 2026-12-31" in lapse
    unknown = _reply(_done("zh", permit_expiry=None), "积分要续办吗")
    assert "提醒 2027-05-01" in unknown and not DATE.sub("", unknown.replace("2027-05-01", "")).count("至")


def test_expired_permit_says_how_late_it_is() -> None:
    t = translator("zh")
    on = dt.date(2026, 3, 1)
    args = words_args(POLICY, GUIDE, on)
    recent = _profile(permit={"expires_on": "2026-02-01"})
    assert "（28 天前），还在 60 天内" in lapse_message(t, GUIDE, on, recent, args)
    old = _profile(permit={"expires_on": "2025-11-01"})
    assert "超过了 60 天：要重新办居住证" in lapse_message(t, GUIDE, on, old, args)


def test_without_answers_the_guide_gives_no_date_and_says_when_it_will() -> None:
    for lang in LANGUAGES:
        t, args = translator(lang), _conversation()._clock(NOW).args
        for topic in GUIDE_TOPICS:
            text = answer_text(topic, HelpContext(t, "birth", args))
            assert not DATE.search(text.replace("2027-05-01", "")), (topic.id, text)
    steps = answer_text(topics().by_id["guide_steps"], HelpContext(translator("zh"), "birth", {"today": "2026-03-01"}))
    assert "答完问题后再问我「怎么申请」" in steps


# -- short, from the data, the same everywhere -----------------------------------------------------------------


def _profile(**fields: Any) -> Profile:
    base = {"as_of": "2026-03-01", "birth_date": "1990-05-20", "education": "bachelor_degree", "insurance_months": 96,
            "contributions": [{"from": "2022-03", "to": "2026-02", "multiple": 1.0}]}
    return parse_profile({**base, **fields})


WORST = _profile(full_time_graduation_date="2025-06-30", title_skill="skill_1", insurance_months=300,
                 contributions=[{"from": "2022-03", "to": "2026-02", "multiple": 3.0}], shortage_major=True,
                 investment={"avg_annual_tax_cny": 3_000_000, "avg_local_hires": 25}, public_service_since="2000-01-01",
                 remote_area={"kind": "lingang", "since": "2010-01-01"}, award="provincial",
                 hukou_spouse_married_on="2000-05-01", innovation_talent=True, permit={"expires_on": "2026-12-31"})
"""Every item with documents scores, with the longest labels: the longest checklist there is."""
LONG_STEPS = _profile(birth_date="2010-01-01", insurance_months=2, education="doctor",
                      permit={"expires_on": "2026-12-31"},
                      contributions=[{"from": "2026-01", "to": "2026-02", "multiple": 0.85}])
"""Two reasons not to apply yet, a date to reach 120, a renewal window: the longest steps found."""


def _all_messages(profile: Profile | None, lang: str, mode: Any) -> list[str]:
    t = translator(lang)
    on = dt.date(2026, 3, 1) if profile is None or profile.as_of is None else profile.as_of
    s = None if profile is None else schedule(profile, GUIDE, POLICY)
    args = words_args(POLICY, GUIDE, on)
    groups = checklist(GUIDE, on, None if s is None else s.now)
    confirm = "\n" + t("help.confirm")
    return [steps_message(t, step_lines(t, GUIDE, POLICY, on, s), mode) + confirm,
            documents_message(t, document_lines(t, GUIDE, groups), mode) + confirm,
            time_message(t, GUIDE, on, s, mode) + confirm, renewal_message(t, GUIDE, on, s, args) + confirm,
            lapse_message(t, GUIDE, on, profile, args) + confirm]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_longest_checklist_and_every_guide_answer_fit_the_smallest_channel(lang: str) -> None:
    texts = [*_all_messages(WORST, lang, "final"), *_all_messages(WORST, lang, "partial"),
             *_all_messages(LONG_STEPS, lang, "partial"), *_all_messages(None, lang, "general")]
    t, clock = translator(lang), _conversation()._clock(NOW)
    for topic in GUIDE_TOPICS:
        for person in (None, Person(FINISHED, clock.cal, POLICY, GUIDE, True)):
            texts.append(answer_text(topic, HelpContext(t, DONE, clock.args, person)))
    assert [text[:60] for text in texts if not _short(text, lang)] == []
    assert all("{" not in text for text in texts)


@st.composite
def _people(draw: st.DrawFn) -> Profile:
    data = draw(profile_data())
    on = dt.date.fromisoformat(data["as_of"])
    expiry = draw(st.one_of(st.none(), st.integers(-120, 400).map(lambda d: (on + dt.timedelta(d)).isoformat())))
    data["permit"] = {"valid": draw(st.booleans()), "expires_on": expiry}
    data["employed_now"] = draw(st.sampled_from([None, True, False]))
    return parse_profile(data)


@settings(max_examples=60)
@given(_people(), st.sampled_from(LANGUAGES), st.sampled_from(["final", "partial"]))
def test_every_guide_message_stays_short_for_anyone(profile: Profile, lang: str, mode: Any) -> None:
    texts = _all_messages(profile, lang, mode)
    assert [text[:60] for text in texts if not _short(text, lang)] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_word_the_data_names_exists_in_both_languages(lang: str) -> None:
    t = translator(lang)
    keys = [f"guide.step.{s.id}" for s in GUIDE.steps] + [f"guide.doc.{d}" for d in GUIDE.documents]
    keys += [f"guide.note.{i.item}" for i in GUIDE.items.values() if i.note]
    for name in SECTIONS:
        section = GUIDE.sections[name]
        keys += [f"guide.{name}.title", *(f"guide.{name}.{e.id}" for e in section.entries)]
        keys += [f"guide.{name}.footer"] if section.footer else []
    assert [k for k in keys if not t.has(k)] == []


def test_each_list_answer_carries_the_weakest_mark_of_what_it_shows() -> None:
    on = NOW.date()
    by_render = {t.render: t for t in GUIDE_TOPICS}
    for name in LISTS:
        assert by_render[f"guide_{name}"].conf == GUIDE.sections[name].conf_on(on), name
    for name in ("lapse", "renewal"):
        assert by_render[f"guide_{name}"].conf == GUIDE.sections[name].conf_on(on), name
    assert by_render["guide_steps"].conf == weakest(s.conf for s in GUIDE.steps_on(on))
    assert by_render["guide_documents"].conf == "L"  # items with no documents in the sources are L
    assert {t.id for t in GUIDE_TOPICS} == {f"guide_{n}" for n in (*LISTS, "lapse", "renewal", "steps", "documents",
                                                                     "time")}


def test_the_terminal_and_telegram_show_the_same_words() -> None:
    clock = _conversation()._clock(NOW)
    for lang in LANGUAGES:
        for topic in GUIDE_TOPICS:
            text = answer_text(topic, HelpContext(translator(lang), DONE, clock.args,
                                                  Person(FINISHED, clock.cal, POLICY, GUIDE, True)))
            parts = render(Outbound(text))
            assert len(parts) == 1, "one Telegram message"
            assert html.unescape(parts[0].text) == text
            out = io.StringIO()
            Terminal(None, out, now=lambda: NOW).show([Outbound(text)])  # type: ignore[arg-type]
            assert out.getvalue() == text + "\n\n"


def test_the_guide_does_not_take_the_questions_of_other_topics() -> None:
    assert outcome("birth", "提供虚假材料会扣分吗", "zh") == "records"
    assert outcome("education", "学信网查不到怎么办", "zh") == "education"
    assert outcome("insurance_months", "社保交了多久在哪里查", "zh") == "si_record"
    assert outcome("hukou_spouse", "配偶要是上海户口吗", "zh") == "spouse"
    assert outcome("birth", "are false documents penalised?", "en") == "records"
    assert session_at("birth", "zh").answers == {}
