"""Help inside a question, and questions asked instead of answers (dialogs/help, issue #12).

The mechanism: a question is answered and the same question is asked again, unchanged, with nothing stored; a real
answer is still stored; every question has its own help; the corpus (utterances/asked/*.yaml) through the real
conversation; the topic data is checked; and properties: random text never crashes, and an answer that parses is
never taken for a question unless it carries an interrogative marker.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.answers import choices_of, parse_answer
from dialogs.commands import recognise
from dialogs.help import HelpContext, TopicError, answer_text, consider, has_marker, help_of, topics
from dialogs.help.topics import HELP_STATES, load
from dialogs.messages import Inbound
from dialogs.parsing import ParseError
from dialogs.questions import BY_ID, DONE, QUESTIONS
from dialogs.replies import help_text
from locales import LANGUAGES, translator
from tests.dialogs.asked_corpus import FOLDER, Result, _conversation, counts, outcome, results, session_at
from tests.dialogs.chat import NOW, new_memory_chat, session_of
from tests.dialogs.test_utterances import CTX, walk_to

MAX_MESSAGE_CHARS = 600
"""Chinese characters per message: the longest channel-neutral message must fit the smallest channel."""
MAX_MESSAGE_BYTES = 1800
"""WeChat's text limit is about 2,048 bytes; 600 Chinese characters are 1,800 in UTF-8, the budget in any language."""


def _short(text: str, lang: str) -> bool:
    return len(text.encode()) <= MAX_MESSAGE_BYTES and (lang != "zh" or len(text) <= MAX_MESSAGE_CHARS)

RESULTS = results()


# -- the mechanism, in a conversation -------------------------------------------------------------


async def test_a_question_is_answered_then_the_same_question_is_asked_again_and_nothing_is_stored() -> None:
    chat, store = new_memory_chat()
    before = await walk_to(chat, store, "shortage_major")
    asked_before = chat.last[-1]
    replies = await chat.say("集成电路算紧缺专业吗")
    assert len(replies) == 2
    assert "紧缺急需专业目录" in replies[0].text and "请向区人才服务中心确认" in replies[0].text
    assert "集成电路" not in replies[0].text, "the catalogue is not in our sources: no verdict on the major"
    assert (replies[1].text, replies[1].buttons) == (asked_before.text, asked_before.buttons)
    after = await session_of(store)
    assert after is not None and (after.state, after.answers) == (before.state, before.answers)


async def test_a_real_answer_is_still_stored_and_a_question_about_it_is_not() -> None:
    chat, store = new_memory_chat()
    await walk_to(chat, store, "shortage_major")
    for step in ("否", "否", "否"):
        await chat.say(step)
    session = await session_of(store)
    assert session is not None and session.state == "remote_area"
    await chat.say("宝山算南北转型吗")  # the choice parser alone reads it as the option 南北转型 (五个新城)
    session = await session_of(store)
    assert session is not None and session.state == "remote_area" and "remote_area" not in session.answers
    assert "没法告诉你某处是否在内" in chat.last[0].text
    await chat.say("松江")
    session = await session_of(store)
    assert session is not None and session.answers["remote_area"] == "new_city"
    assert session.state == "remote_area_since"


@pytest.mark.parametrize("typed", ["帮助", "help", "?", "？", "怎么填", "这个怎么算"])
async def test_help_at_a_question_explains_that_question_then_the_commands_then_the_question(typed: str) -> None:
    chat, store = new_memory_chat()
    await walk_to(chat, store, "base")
    asked_before = chat.last[-1]
    replies = await chat.say(typed)
    explained = replies[0].text
    assert "缴费基数" in explained and "随申办" in explained and "12,434" in explained
    assert "命令：返回" in explained, "the one-line command list follows the explanation"
    assert "这个问题可以跳过" in explained  # base is optional
    assert (replies[-1].text, replies[-1].buttons) == (asked_before.text, asked_before.buttons)


async def test_commands_still_shows_the_full_command_list() -> None:
    chat, store = new_memory_chat()
    await walk_to(chat, store, "base")
    await chat.say("命令")
    assert "删除我的数据（/forget）：删除你的所有数据" in chat.last[0].text


@pytest.mark.parametrize("state", [*BY_ID, DONE])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_question_has_its_own_help(state: str, lang: str) -> None:
    """Fails when a question is added to dialogs/questions.py without a help topic (help_for in topics.yaml)."""
    topic = help_of(state)
    assert topic is not None, f"{state!r} has no help topic: add it to help_for in dialogs/help/topics.yaml"
    conv = _conversation()
    turn = conv.turn(session_at(state, lang), _said("帮助"))
    assert turn.session is not None
    t, args = translator(lang), conv._clock(NOW).args
    assert turn.replies[0].text == help_text(t, state, args)
    assert turn.replies[0].text.startswith(answer_text(topic, HelpContext(t, state, args)))
    assert turn.session.state == state and turn.session.answers == session_at(state, lang).answers


def test_after_the_interview_what_ifs_stay_what_ifs_and_questions_get_answers() -> None:
    assert outcome(DONE, "如果我考了中级职称呢", "zh") == "whatif"
    assert outcome(DONE, "考了中级职称能加多少分", "zh") == "whatif"
    assert outcome(DONE, "松江算新城吗", "zh") == "new_towns"
    assert outcome(DONE, "叉车证", "zh") == "certificates_other"  # no what-if names it: the topic, not the examples


def test_what_about_a_topic_mid_interview_gets_the_topic_not_the_missing_answers() -> None:
    assert outcome("birth", "what about Baoshan?", "en") == "remote_area"
    turn = _conversation().turn(session_at("birth", "en"), _said("what if I get an intermediate title"))
    assert "still need" in turn.replies[0].text  # a what-if proper still says what is missing


# -- the corpus -----------------------------------------------------------------------------------


@pytest.mark.parametrize("result", RESULTS, ids=[f"{r.row.q}:{r.row.text}" for r in RESULTS])
def test_asked_corpus(result: Result) -> None:
    assert result.actual == result.row.expect


def test_the_corpus_is_large_enough_and_spread_over_every_question() -> None:
    found = counts(RESULTS)
    assert found["asked_zh"] >= 60 and found["asked_en"] >= 25
    asked = {r.row.q for r in RESULTS if r.row.expect not in ("answer", "ask again")}
    assert [q for q in BY_ID if q not in asked] == [], "add a question typed at each new question to asked/*.yaml"
    expected = {r.row.expect for r in RESULTS}
    assert expected - {"answer", "ask again", "whatif"} <= topics().by_id.keys()


def test_no_answer_of_the_answer_corpus_is_taken_for_a_question() -> None:
    """The shared corpus (utterances/*.yaml): an answer the parser reads is never pre-empted by the question view."""
    top = FOLDER.parent
    rows = [row for path in sorted(top.glob("*.yaml")) for row in yaml.safe_load(path.read_text(encoding="utf-8"))]
    stolen = [(row["q"], row["text"]) for row in rows if row["expect"] not in ("ask again", "skip")
              and (consider(row["text"], row["q"]).first is not None or consider(row["text"], row["q"]).explain)]
    assert rows and stolen == []


# -- the words: short, cited, confirmed where unsure -----------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_answer_and_every_help_is_short(lang: str) -> None:
    t, args = translator(lang), _conversation()._clock(NOW).args
    texts = [answer_text(topic, HelpContext(t, state, args)) for topic in topics().ordered if not topic.current
             for state in ("birth", "base", DONE)]
    texts += [help_text(t, state, args) for state in HELP_STATES]
    too_long = [text[:40] for text in texts if not _short(text, lang)]
    assert too_long == []
    assert all("{" not in text for text in texts)


def test_every_topic_cites_its_source_and_unsure_ones_say_to_confirm() -> None:
    t, args = translator("zh"), _conversation()._clock(NOW).args
    for topic in topics().ordered:
        assert re.search(r"POLICY\.md §|sources/0|dialogs/|bot/|consent|help of", topic.cite), topic.id
        if topic.current:
            continue
        shown = answer_text(topic, HelpContext(t, "birth", args))
        assert ("请向区人才服务中心确认" in shown) == (topic.conf in ("M", "L")), topic.id


def test_the_five_new_towns_and_lingang_are_said_as_policy_md_says() -> None:
    zh = translator("zh")
    towns = zh("help.new_towns")
    assert all(name in towns for name in ("嘉定", "青浦", "松江", "奉贤", "南汇"))
    assert "南汇新城在临港新片区内，按临港算" in towns and "满 3 年起" in zh("help.lingang")
    assert "没有列出" in zh("help.north_south")  # the sources name the areas but give no boundaries


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("topics: [{id: a, patterns: [x], conf: H, cite: c, text: help.age}, "
     "{id: a, patterns: [y], conf: H, cite: c, text: help.age}]", "defined twice"),
    ("topics: [{id: a, patterns: [x], conf: X, cite: c}]", "conf"),
    ("topics: [{id: a, patterns: [x], conf: H, cite: ''}]", "cites"),
    ("topics: [{id: a, patterns: [x], conf: H, cite: c, colour: red}]", "unknown fields"),
    ("topics: [{id: a, patterns: ['('], conf: H, cite: c}]", "bad pattern"),
    ("topics: [{id: a, help_for: [no_such_question], conf: H, cite: c}]", "names no question"),
    ("topics: [{id: a, patterns: [x], conf: H, cite: c, render: nowhere}]", "no renderer"),
    ("topics: [{id: a, patterns: [x], conf: H, cite: c}]", "missing from a help.po"),
    ("topics: [{id: a, conf: H, cite: c, text: help.age}]", "without patterns"),
    ("topics: [{id: a, help_for: [birth], conf: H, cite: c, text: help.age}, "
     "{id: b, help_for: [birth], conf: H, cite: c, text: help.age}]", "explained by both"),
])
def test_a_malformed_topic_file_is_refused_with_the_topic_named(yaml_text: str, message: str) -> None:
    with pytest.raises(TopicError, match=message):
        load([("broken.yaml", yaml_text)], frozenset({"skip"}))


def test_the_packaged_topics_load_and_every_topic_is_reachable() -> None:
    catalogue = topics()
    unreachable = [t.id for t in catalogue.ordered if t.pattern is None and not t.help_for]
    assert unreachable == [] and len(catalogue.ordered) >= 30
    corpus_topics = {r.row.expect for r in RESULTS}
    assert [t.id for t in catalogue.searched if t.id not in corpus_topics] == [], "each topic has corpus rows"


# -- properties -----------------------------------------------------------------------------------

_PIECES = sorted({label for q in QUESTIONS for c in choices_of(q) for label in c.labels} | {
    "是", "否", "没有", "有", "yes", "no", "none", "1", "2", "3", "35岁", "1990-05-20", "8年", "2倍", "1.2万", "12000",
    "2022-01", "60%", "25", "全日制", "对口的", "未婚", "在上海上班", "跳过"})
_WORDS = ["吗", "呢", "什么", "怎么", "？", "?", "算", "哪", "都", "没", "不", "的", "宝山", "叉车证", "基数", "社保",
          "is", "what", "how", "does", " ", "，", "了", "吧"]
answers_ish = st.builds("".join, st.lists(st.sampled_from(_PIECES + _WORDS), min_size=1, max_size=4))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from([q.id for q in QUESTIONS]), st.one_of(st.text(max_size=60), answers_ish))
def test_an_answer_that_parses_is_never_taken_for_a_question_without_a_marker(state: str, text: str) -> None:
    seen = consider(text, state)  # never raises, whatever the text
    if recognise(text) is not None:
        return  # a command: handled before the question view
    try:
        parse_answer(BY_ID[state], text, CTX)
    except ParseError:
        return
    if not has_marker(text):
        assert seen.first is None and not seen.explain, text


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([*BY_ID, DONE]), st.sampled_from(LANGUAGES), st.one_of(st.text(max_size=80), answers_ish))
def test_random_text_at_any_question_gets_a_reply_and_an_answered_question_changes_nothing(
        state: str, lang: str, text: str) -> None:
    before = session_at(state, lang)
    turn = _conversation().turn(before, _said(text))
    assert turn.replies and all(r.text.strip() for r in turn.replies)
    stayed = turn.session is not None and turn.session.state == state
    if stayed and state != DONE:  # a hint, a help or an answer to a question, then the question: all short
        assert all(_short(r.text, lang) for r in turn.replies)
    seen = consider(text, state)
    if recognise(text) is None and seen.first is not None and state != DONE:
        assert turn.session is not None and turn.session.answers == before.answers
        assert turn.session.state == state


def _said(text: str) -> Inbound:
    return Inbound(user_key="u", now=NOW, text=text)


def test_the_corpus_folder_is_a_subfolder_the_answer_corpus_runner_does_not_glob() -> None:
    assert FOLDER.parent.name == "utterances" and not list(FOLDER.parent.glob("asked*.yaml"))
    assert Path(FOLDER).is_dir() and len(list(FOLDER.glob("*.yaml"))) >= 3
