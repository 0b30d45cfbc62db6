"""What-if questions, typed in Chinese or English: what they mean, the sign of their effect, the reply (#13)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import advice
from dialogs.whatif import interpret, resolve
from dialogs.whatif_reply import describe_changes, render_whatif
from locales import LANGUAGES, translator
from scoring import load_policy
from scoring.changes import SETTABLE, ChangeError, parse_changes
from scoring.whatif import whatif
from tests.dialogs.chat import new_memory_chat, profile_of
from tests.dialogs.examples import EXAMPLES
from tests.dialogs.whatif_phrases import EN, FOLLOW_UPS, PROFILES, TODAY, ZH

POLICY = load_policy()
TABLE = ZH + EN


@pytest.mark.parametrize(("who", "text", "changes", "sign"), TABLE, ids=[t for _, t, _, _ in TABLE])
def test_phrase_maps_to_changes(who: str, text: str, changes: list[str], sign: str) -> None:
    found = interpret(text, TODAY, POLICY)
    assert found is not None and found.changes == changes
    parse_changes(found.changes)  # the planner's own parser accepts every string we produce


@pytest.mark.parametrize(("who", "text", "changes", "sign"), TABLE, ids=[t for _, t, _, _ in TABLE])
def test_the_effect_has_the_expected_sign(who: str, text: str, changes: list[str], sign: str) -> None:
    w = whatif(PROFILES[who], changes, POLICY)
    if sign == "t":
        assert not w.changes_profile and w.time_only is not None and w.counts_from is None
        return
    first = w.counts_from
    got = "0" if first is None else ("+" if first.delta > 0 else "-")
    assert got == sign, (text, first)


def test_the_table_is_large_and_in_both_languages() -> None:
    assert len(TABLE) + len(FOLLOW_UPS) >= 60 and len(ZH) >= 25 and len(EN) >= 25


@pytest.mark.parametrize(("who", "previous", "text", "changes"), FOLLOW_UPS, ids=[f"{p} / {t}" for _, p, t, _ in
                                                                                   FOLLOW_UPS])
def test_a_follow_up_keeps_the_previous_question(who: str, previous: str, text: str, changes: list[str]) -> None:
    first = resolve(previous, [], TODAY, POLICY)
    assert first is not None
    found = resolve(text, first.changes, TODAY, POLICY)
    assert found is not None and found.changes == changes
    whatif(PROFILES[who], found.changes, POLICY)


def test_a_date_alone_with_nothing_before_it_is_not_a_question() -> None:
    assert resolve("from January", [], TODAY, POLICY) is None
    found = resolve("两年后呢", [], TODAY, POLICY)
    assert found is not None and found.changes == ["as_of=2028-12-08"]


@pytest.mark.parametrize("text", ["what if pigs fly", "如果天下雨呢", "what if", "如果", "🤷", "为什么下个月就够了？",
                                  "why doesn't my investment count"])
def test_unrecognised_questions_are_none(text: str) -> None:
    assert interpret(text, TODAY, POLICY) is None


_INTERNAL = re.compile(r"[a-z]+_[a-z_]+|\+=|=|\bnull\b|\bas_of\b|\d+(?:\.\d+)?x\b|\bfrom \d{4}-\d{2}\b(?!-)")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("who", "text", "changes", "sign"), TABLE, ids=[t for _, t, _, _ in TABLE])
def test_replies_speak_the_persons_language(who: str, text: str, changes: list[str], sign: str, lang: str) -> None:
    """No change syntax in a reply, no "还差 0 分", and an ineligible result says why."""
    w = whatif(PROFILES[who], changes, POLICY)
    reply = render_whatif(w, translator(lang))
    assert not _INTERNAL.search(reply), reply
    assert "还差 0 分" not in reply and "0 points short" not in reply
    shown = [w.after, *(c.with_change for c in (w.counts_from, w.then) if c and w.after.eligible)]
    for a in shown:
        codes = {r.code for r in a.ineligible_reasons}
        for reason in a.ineligible_reasons:
            said = translator(lang)(f"reason.{reason.code}", **reason.args) in reply
            # Without an employer, "keep paying and apply from ..." is left out: it contradicts a stop.
            assert said is not (reason.code == "insurance_history" and "not_employed" in codes), reason


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["如果从 2026-12-08 起在临港新片区（含南汇新城）工作并居住：", "现在：不变，仍是 142 分。",
            "2029-12-08 起开始计分：那时", "（+6）", "只看时间（其他都不变）：2029-12-08"]),
    ("en", ["If you work and live in Lingang New Area (临港新片区, Nanhui new town included) from 2026-12-08:",
            "Now: no change, still 142",
            "It starts to count on 2029-12-08", "(+6)", "Time alone (nothing else changes):"]),
])
def test_the_lingang_reply_keeps_the_change_apart_from_time(lang: str, words: list[str]) -> None:
    found = interpret("如果我换工作去临港", TODAY, POLICY)
    assert found is not None
    reply = render_whatif(whatif(PROFILES["skill3"], found.changes, POLICY), translator(lang))
    for w in words:
        assert w in reply, reply


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["现在：不变，仍是 142 分。", "暂按技能三级计分", "至少 6 个月", "12,577"]),
    ("en", ["Now: no change, still 142", "counts as Skill level 3", "needs 6 of the last 12", "12,577"]),
])
def test_a_better_certificate_says_what_it_needs(lang: str, words: list[str]) -> None:
    reply = render_whatif(whatif(PROFILES["skill3"], ["title_skill=skill_2", "title_skill_recognised=true"], POLICY),
                          translator(lang))
    for w in words:
        assert w in reply, reply


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["但这样就不能申请：", "积分只能由用人单位申请", "2027-07-01 起可以重新申请", "起开始少算"]),
    ("en", ["But then you could not apply:", "Only your employer can file", "apply again from 2027-07-01",
            "starts to cost points"]),
])
def test_a_gap_says_when_they_could_apply_again(lang: str, words: list[str]) -> None:
    reply = render_whatif(whatif(PROFILES["rich"], ["contributions=none from 2026-12 for 6m"], POLICY),
                          translator(lang))
    for w in words:
        assert w in reply, reply


def test_an_ineligible_age_says_why_and_that_nothing_changes_it() -> None:
    reply = render_whatif(whatif(PROFILES["plain"], ["birth_date=1965-01-01"], POLICY), translator("zh"))
    assert "您是 61 周岁" in reply and "这一条无法改变" in reply


_WORDS = ["如果", "我", "不", "临港", "新城", "搬出", "辞职", "停缴", "半年", "两年后", "明年", "3月", "技师", "中级",
          "基数", "2倍", "结婚", "上海户口", "环卫", "创业人才", "过期", "股份", "卖了", "what if", "i", "quit", "move",
          "out of", "lingang", "for 6 months", "from january", "next month", "in 2 years", "base", "3x", "title",
          "not recognised", "sell my shares", "married", "2027年5月", "from", "2030", "呢", "?", " "]


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8))
def test_any_mix_of_words_gives_changes_that_apply_or_nothing(parts: list[str]) -> None:
    """Whatever is typed: None, or changes the planner's parser accepts and that apply to a profile."""
    text = " ".join(parts)
    found = interpret(text, TODAY, POLICY)
    if found is None:
        return
    parse_changes(found.changes)
    for profile in PROFILES.values():
        try:
            w = whatif(profile, found.changes, POLICY)
        except ChangeError:
            continue  # a change that does not apply is reported as such, never a crash
        for lang in LANGUAGES:
            assert not _INTERNAL.search(render_whatif(w, translator(lang)))


async def test_after_the_interview_free_text_is_a_what_if_question() -> None:
    example = next(e for e in EXAMPLES if e.name == "B")
    chat, store = new_memory_chat()
    for step in example.scripts["en-tap"]:
        await chat.send(step)
    profile = await profile_of(store)
    t = translator("en")

    await chat.say("what if my base goes up to 1.5x")
    assert chat.last[0].text == advice.whatif_message(profile, ["contributions+=1.5x"], t)  # dated as plans date it
    assert "It starts to count on" in chat.last[0].text

    await chat.say("what if I get a master's degree")
    assert chat.last[0].text == advice.whatif_message(profile, ["education=master"], t)
    await chat.say("and in two years?")
    assert chat.last[0].text == advice.whatif_message(profile, ["education=master", "as_of=2028-03-01"], t)

    await chat.say("what if pigs fly")
    assert chat.last[0].text == t("chat.whatif.examples")
    assert chat.last[-1].payloads() == ["c:score", "c:plan", "c:card", "c:back", "c:restart"]


async def test_what_if_during_the_interview_needs_the_basics_first() -> None:
    chat, _ = new_memory_chat()
    for step in ("你好", "同意", "1990-05-20", "如果我考了中级职称呢"):
        await chat.send(step)
    assert chat.last[0].text.startswith("要计算积分，我还需要知道：")
    assert chat.last[-1].text.startswith("你的最高学历是？")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_example_offered_is_understood(lang: str) -> None:
    """The examples shown after a question that is not understood are questions that are."""
    lines = translator(lang)("chat.whatif.examples").splitlines()[1:]
    examples = [e.strip() for line in lines for e in line.removeprefix("• ").split(" / ")]
    assert len(examples) >= 8
    for text in examples:
        assert interpret(text, TODAY, POLICY) is not None, text


_VALUES = {
    "birth_date": ["1986-01-01"], "education": ["bachelor_degree", "none"], "full_time_graduation_date": ["null"],
    "title_skill": ["skill_2", "none"], "title_skill_recognised": ["false", "true", "0", "yes"],
    "insurance_months": ["200"], "shortage_major": ["true", "no"], "public_service_since": ["2020-01-01", "null"],
    "award": ["provincial", "none"], "hukou_spouse_married_on": ["2027-05-01", "null"],
    "innovation_talent": ["true", "false"], "remote_area.kind": ["lingang", "none"],
    "remote_area.since": ["2020-01-01"], "investment.avg_annual_tax_cny": ["300000"], "investment.share": ["0.5"],
    "investment.avg_local_hires": ["20"], "permit.valid": ["false", "true"], "permit.expires_on": ["2027-06-30"],
    "employed_now": ["false", "true"],
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_settable_field_is_said_in_words(lang: str) -> None:
    """Whatever ``jifen whatif --set`` or the chat changes is said as a sentence, never as the key."""
    assert set(_VALUES) == SETTABLE - {"as_of"}
    t = translator(lang)
    for field, values in _VALUES.items():
        for value in values:
            w = whatif(PROFILES["plain"], [f"{field}={value}"], POLICY)
            (said,) = describe_changes(w, t)
            assert "whatif." not in said and not _INTERNAL.search(said), (field, value, said)
    flags = {v: describe_changes(whatif(PROFILES["plain"], [f"shortage_major={v}"], POLICY), t)[0]
             for v in ("true", "yes", "false", "no")}
    assert flags["true"] == flags["yes"] != flags["false"] == flags["no"]


@pytest.mark.parametrize("text", ["如果基数-3倍", "如果基数负2倍", "what if my base is -2x",
                                  "what if my base is minus 2x"])
def test_a_negative_base_is_refused_never_read_as_a_raise(text: str) -> None:
    found = interpret(text, TODAY, POLICY)
    assert found is None or not any(c.startswith("contributions") for c in found.changes)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_date_beyond_the_horizon_gets_no_numbers_and_after_the_rules_a_caveat(lang: str) -> None:
    """"在83年后" gave 360 points at age 128; a date after 2027-12-31 is scored with today's rules, and says so."""
    t = translator(lang)
    first = resolve("如果我考了中级职称", [], TODAY, POLICY)
    assert first is not None
    far = resolve("83年后呢", first.changes, TODAY, POLICY)
    assert far is not None
    reply = render_whatif(whatif(PROFILES["skill3"], far.changes, POLICY), t)
    assert t("whatif.beyond", horizon="@").split("@")[0] in reply
    assert "2109" not in reply and not re.search(r"1[0-9]{2} (?:周岁|full years)", reply)
    alone = resolve("在83年后", [], TODAY, POLICY)
    assert alone is not None
    assert render_whatif(whatif(PROFILES["skill3"], alone.changes, POLICY), t).startswith(
        t("whatif.beyond", horizon="@").split("@")[0])
    soon = resolve("两年后呢", first.changes, TODAY, POLICY)
    assert soon is not None
    caveat = t("reason.rules_expire", until="2027-12-31")
    assert caveat in render_whatif(whatif(PROFILES["skill3"], soon.changes, POLICY), t)
    assert caveat not in render_whatif(whatif(PROFILES["skill3"], first.changes, POLICY), t)
