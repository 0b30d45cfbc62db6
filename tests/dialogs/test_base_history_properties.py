"""Properties of the base history: any wording of a history reads back to the same periods, any answers give a
valid profile, and the questions always end within the look-back window's needs."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.answers import parse_answer
from dialogs.base_history import MAX_PERIODS
from dialogs.base_words import read_history
from dialogs.parsing import ParseError
from dialogs.profile_build import Calendar, answer_context, build_profile, contributions
from dialogs.questions import BY_ID
from scoring import assess, load_policy
from scoring.months import month_index, month_label, month_of
from tests.dialogs.chat import TODAY

POLICY = load_policy()
CAL = Calendar.on(POLICY, TODAY)
LAST = month_of(TODAY) - 1
BASICS: dict[str, Any] = {"birth_date": "1985-05-20", "education": "college", "edu_part_time": False,
                          "full_time": False, "title_skill": "none"}

multiples = st.decimals(min_value=Decimal("0.6"), max_value=Decimal("3"), places=1)
yuan = st.integers(min_value=8, max_value=40).map(lambda k: k * 1000)
HEDGES = ("{}", "{}吧", "大概{}", "{}左右", "应该是{}", "差不多{}", "about {}", "{} I think")


@given(st.text(max_size=120))
def test_any_text_reads_or_raises_a_parse_error(text: str) -> None:
    with contextlib.suppress(ParseError):
        read_history(text, TODAY)


@given(multiples, st.sampled_from(("{}倍", "社平的{}倍", "平均工资的{}倍", "{}x")), st.sampled_from(HEDGES))
def test_a_multiple_with_filler_words_reads_as_the_multiple(value: Decimal, form: str, hedge: str) -> None:
    periods = read_history(hedge.format(form.format(value)), TODAY).periods
    assert len(periods) == 1 and periods[0].value is not None
    assert (periods[0].value.kind, periods[0].value.amount) == ("multiple", value)


@given(yuan, st.sampled_from(("{}", "{}元", "月薪{}", "基数{}", "基数是{}", "工资{}块")), st.sampled_from(HEDGES))
def test_yuan_with_filler_words_read_as_yuan(value: int, form: str, hedge: str) -> None:
    periods = read_history(hedge.format(form.format(value)), TODAY).periods
    assert len(periods) == 1 and periods[0].value is not None
    assert (periods[0].value.kind, periods[0].value.amount) == ("cny", Decimal(value))


def _month_zh(m: int) -> str:
    return f"{m // 12}年{m % 12 + 1}月"


def _month_en(m: int) -> str:
    return dt.date(m // 12, m % 12 + 1, 1).strftime("%B %Y")


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[Decimal, int]]:
    """(multiple, first month) per period, newest first, each starting strictly before the later one."""
    n = draw(st.integers(min_value=1, max_value=MAX_PERIODS))
    start = LAST
    out = []
    for _ in range(n):
        start -= draw(st.integers(min_value=1, max_value=20))
        out.append((draw(multiples), start))
    return out


@settings(max_examples=60)
@given(histories(), st.booleans())
def test_a_history_in_one_message_reads_back_exactly(history: list[tuple[Decimal, int]], english: bool) -> None:
    if english:
        parts = [f"{v}x since {_month_en(m)}" for v, m in history]
        text = ", before that ".join(parts)
    else:
        parts = [f"{v}倍，{_month_zh(m)}开始" for v, m in history]
        text = "；之前是".join(parts)
    answers = {**BASICS, "insurance_months": 120}
    parsed = parse_answer(BY_ID["base"], text, answer_context(answers, CAL))
    values = parsed.values
    assert values["base"] == {"multiple": float(history[0][0]) if history[0][0] % 1 else int(history[0][0])}
    assert values["base_since"] == month_label(history[0][1])
    draft = {k: values[k] for k in ("base_prior", "base_prior_since") if k in values}
    rounds = [*values.get("base_history", []), *([draft] if len(history) > 1 else [])]
    assert [(Decimal(str(r["base_prior"]["multiple"])), r["base_prior_since"]) for r in rounds] == [
        (v, month_label(m)) for v, m in history[1:]]


@st.composite
def stored_histories(draw: st.DrawFn) -> dict[str, Any]:
    """Answers as the interview stores them, including 'same', 'unknown' and 'start' rounds."""
    insured = draw(st.integers(min_value=1, max_value=200))
    base = draw(st.one_of(multiples.map(lambda v: {"multiple": float(v)}), yuan.map(lambda v: {"cny": v})))
    answers: dict[str, Any] = {**BASICS, "insurance_months": insured, "base": base}
    since = draw(st.one_of(st.just("start"), st.integers(min_value=LAST - 80, max_value=LAST + 1).map(month_label)))
    answers["base_since"] = since
    rounds = []
    for _ in range(draw(st.integers(min_value=0, max_value=MAX_PERIODS - 1))):
        value = draw(st.one_of(st.just("same"), st.just("unknown"), multiples.map(lambda v: {"multiple": float(v)}),
                               yuan.map(lambda v: {"cny": v})))
        start = draw(st.one_of(st.just("start"), st.just("unknown"),
                               st.integers(min_value=LAST - 120, max_value=LAST).map(month_label)))
        r: dict[str, Any] = {"base_prior": value, "base_prior_since": start}
        if draw(st.booleans()):
            r["base_prior_until"] = month_label(draw(st.integers(min_value=LAST - 120, max_value=LAST)))
        rounds.append(r)
    if rounds:
        *done, draft = rounds
        answers["base_history"] = done
        answers.update(draft)
    return answers


@settings(max_examples=200)
@given(stored_histories())
def test_any_stored_history_gives_a_valid_profile_within_the_insured_months(answers: dict[str, Any]) -> None:
    ranges = contributions(answers, CAL)
    months = [m for c in ranges for m in range(int(c["from"][:4]) * 12 + int(c["from"][5:]) - 1,
                                                int(c["to"][:4]) * 12 + int(c["to"][5:]))]
    assert len(months) == len(set(months)) <= answers["insurance_months"]
    assert not months or max(months) == LAST
    assess(build_profile(answers, CAL))  # the core accepts it (no overlap, no month after as_of, yuan convertible)


@settings(max_examples=100)
@given(stored_histories(), st.sampled_from((0.2, 0.5, 1.0)))
def test_a_higher_current_base_never_gives_fewer_base_points(answers: dict[str, Any], more: float) -> None:
    before = assess(build_profile(answers, CAL)).points("contribution_base")
    base = answers["base"]
    higher = {"multiple": base["multiple"] + more} if "multiple" in base else {"cny": base["cny"] * (1 + more)}
    after = assess(build_profile({**answers, "base": higher}, CAL)).points("contribution_base")
    assert after >= before


def test_the_window_start_is_the_first_month_that_counts() -> None:
    answers = {**BASICS, "insurance_months": 500, "base": {"multiple": 1}, "base_since": "2015-01"}
    assert contributions(answers, CAL)[0]["from"] == month_label(LAST - CAL.lookback_months + 1)
    assert month_index(2015, 1) < LAST - CAL.lookback_months
