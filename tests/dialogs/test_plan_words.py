"""The plan and the report in words (issue #13): each says one thing, with the figures a person acts on."""

from __future__ import annotations

from dialogs.report import render_assessment, render_plan
from locales import translator
from scoring import assess
from scoring.planner import plan
from tests.scoring.test_plan_realism import TURNING_44, _p

ZH, EN = translator("zh"), translator("en")


def test_a_title_that_fails_the_1x_rule_is_shown_with_why_it_gives_nothing() -> None:
    p = _p(birth_date="1990-05-01", education="college", title_skill="intermediate", insurance_months=60,
           contributions=[{"from": "2021-12", "to": "2026-11", "multiple": 0.9}])
    text = render_assessment(assess(p), ZH)
    line = next(x for x in text.splitlines() if x.startswith("  职称/技能等级"))
    assert "0 分" in line and "中级职称 暂不计分" in line and "需 6 个月" in line
    assert "取高者" not in line  # "the higher counts" would not explain a 0


def test_enough_points_without_an_employer_is_said_once_with_the_date_and_no_plan() -> None:
    p = _p(birth_date="1990-05-01", education="bachelor_degree", insurance_months=60, employed_now=False,
           contributions=[{"from": "2021-06", "to": "2026-05", "multiple": 1.0}])
    report = render_assessment(assess(p), ZH)
    assert "分数已达到标准分值，但目前还不能申请：" in report and "✅" not in report
    text = render_plan(plan(p), ZH, say_ineligible=False)
    assert text.startswith("什么时候能申请： 分数已经够了（185 分）") and "最早 2027-01-01 可以申请" in text
    assert "方案" not in text and "达到标准分值" not in text


def test_a_higher_base_is_a_salary_from_a_month_and_nothing_is_due_today() -> None:
    p = _p(birth_date="1990-03-10", education="college", insurance_months=50,
           contributions=[{"from": "2022-11", "to": "2026-11", "multiple": 0.7}])
    text = render_plan(plan(p), ZH)
    assert "换一份月薪约 37,731 元的工作" in text and "2027年4月起按新基数缴费" in text
    assert "社保缴费基数提高到平均工资的0.8倍（月薪约 10,062 元）：2027年7月起按新基数缴费" in text
    assert "假设您 2026 年的月平均工资已达约 10,062 元" in text
    assert "2026-12-08 前" not in text  # no step by today
    assert "一次性费用约 3,000–20,000 元（学费，估计）" in text


def test_the_renewal_says_when_to_file_before_the_birthday_and_what_restores_120() -> None:
    text = render_plan(plan(_p(**TURNING_44)), ZH)
    assert "请在 2027-01-01 至 2027-01-14 之间由单位办理续签" in text
    assert "2027-01-15 起满 44 周岁，年龄分 30→29，只剩 119 分，不再达标。" in text
    assert "2027-03-31 起恢复到 121 分（远郊重点区域 6→8）" in text and "请向区人才服务中心确认" in text
    en = render_plan(plan(_p(**TURNING_44)), EN)
    assert "between 2027-01-01 and 2027-01-14" in en and "you turn 44" in en


def test_no_plan_sooner_than_keeping_working_is_not_said_as_no_plan_at_all() -> None:
    p = _p(birth_date="1995-09-01", education="college", insurance_months=48,
           contributions=[{"from": "2022-11", "to": "2026-10", "multiple": 0.9}])
    text = render_plan(plan(p), ZH)
    assert "您将在 2027-12-01 达到标准分值" in text
    assert "没有三项以内的行动组合能比继续工作（2027-12-01）更早达到 120 分" in text
    assert "规划期内都无法达到" not in text


def test_plans_for_a_permit_to_restore_say_that_they_assume_it_valid_again() -> None:
    p = _p(birth_date="1990-01-01", education="college", insurance_months=20, permit={"valid": False},
           contributions=[{"from": "2025-05", "to": "2026-11", "multiple": 0.6}])
    text = render_plan(plan(p), ZH)
    assert "需要持有有效的《上海市居住证》" in text and "（以下日期假设居住证已恢复有效。）" in text
    enough = render_plan(plan(_p(**{**TURNING_44, "permit": {"valid": False}})), ZH)
    assert "分数已经够了（120 分）：居住证恢复有效后即可申请。" in enough
