"""POLICY.md §11 worked examples as whole conversations on 2026-03-01, typed and tapped, zh and en.

``@x`` presses a button (an option value, ``skip``, or ``agree`` on the consent screen); anything else
is typed. Totals and per-item points come from tests/scoring/cases/policy_examples.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scoring import ITEM_IDS, Profile, assess

CASES = Path(__file__).parents[1] / "scoring" / "cases" / "policy_examples.yaml"


@dataclass(frozen=True)
class Example:
    name: str
    scripts: dict[str, list[str]]

    @property
    def case(self) -> dict[str, Any]:
        cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
        found: dict[str, Any] = next(c for c in cases if c["name"].startswith(f"{self.name}:"))
        return found


NO_BONUS_ZH = ["否", "否", "否", "无", "无", "否", "否", "否"]
NO_BONUS_EN = ["no", "no", "no", "neither", "none", "no", "no", "no"]
NO_BONUS_TAP = ["@no", "@no", "@no", "@none", "@none", "@no", "@no", "@no"]

EXAMPLES = (
    Example("A", {
        "zh-text": ["你好", "同意", "2002年6月1日", "本科学士", "是", "2025年6月30日", "没有", "是", "7个月", "1倍",
                    "2025年8月", "不是", "否", "否", "都不是", "没有", "否", "否", "没有", "2026年12月31日"],
        "en-text": ["hello", "I agree", "1 June 2002", "bachelor's degree", "yes", "30 June 2025", "none",
                    "yes", "7 months", "1x", "August 2025", *NO_BONUS_EN, "31 December 2026"],
        "zh-tap": ["你好", "@agree", "2002-06-01", "@bachelor_degree", "@yes", "2025-06-30", "@none",
                   "@yes", "7个月", "@1x",
                   "2025-08", *NO_BONUS_TAP, "@skip"],
        "en-tap": ["hi", "@agree", "2002-06-01", "@bachelor_degree", "@yes", "2025-06-30", "@none", "@yes", "7 months",
                   "@1x", "2025-08", *NO_BONUS_TAP, "@skip"],
    }),
    Example("B", {
        "zh-text": ["你好", "同意", "45岁", "1月", "大专", "是", "2001年7月", "无", "在上海上班", "8年", "1.06万",
                    "2022年3月",
                    *NO_BONUS_ZH, "跳过"],
        "en-text": ["good morning", "agree", "1981-01-15", "college", "yes", "July 2001", "none", "yes", "8 years",
                    "10569", "March 2022", *NO_BONUS_EN, "skip"],
        "zh-tap": ["你好", "@agree", "1981-01-15", "@college", "@yes", "2001-07-01", "@none", "@yes", "8年", "0.85倍",
                   "2022-03", *NO_BONUS_TAP, "@skip"],
        "en-tap": ["hello", "@agree", "45", "@1", "@college", "@yes", "2001-07-01", "@none", "@yes", "8 years", "10569",
                   "2022-03", "@skip", *NO_BONUS_TAP[1:], "@skip"],
    }),
    Example("C", {
        "zh-text": ["你好", "同意", "1981年6月15日", "自考大专", "无",
                    "是", "7年", "7460", "2019年3月", "否", "否", "否",
                    "无", "无", "是", "2021年1月10日", "否", "否", "2026-12-31"],
        "en-text": ["hello", "I agree", "15 June 1981", "self-study exam college", "none", "yes", "7 years", "7460",
                    "March 2019", "no", "no", "no", "none", "none", "yes", "10 January 2021", "no", "no",
                    "2026-12-31"],
        "zh-tap": ["你好", "@agree", "1981-06-15", "@college", "@no", "@none", "@yes", "7年", "@0.6x", "2019-03", "@no",
                   "@no", "@no", "@none", "@none", "@yes", "2021-01-10", "@no", "@no", "@skip"],
        "en-tap": ["hi", "@agree", "1981-06-15", "@college", "@no", "@none",
                   "@yes", "7 years", "@0.6x", "2019-03", "@no",
                   "@no", "@no", "@none", "@none", "@yes", "2021-01-10", "@no", "@no", "@skip"],
    }),
    Example("D", {
        "zh-text": ["你好", "同意", "1995年9月1日", "大专", "是", "2016年7月", "没有",
                    "是", "4年", "0.9倍", "2022年3月",
                    "否", "否", "否", "临港", "2022年1月", "无", "否", "否", "否", "2026-12-31"],
        "en-text": ["hello", "I agree", "1 September 1995", "college", "yes", "July 2016", "none", "yes", "4 years",
                    "0.9x", "March 2022", "no", "no", "no", "Lingang", "January 2022", "none", "no", "no", "no",
                    "2026-12-31"],
        "zh-tap": ["你好", "@agree", "1995-09-01", "@college", "@yes", "2016-07-01", "@none", "@yes", "4年", "0.9倍",
                   "2022-03", "@no", "@no", "@no", "@lingang", "2022-01-01", "@none", "@no", "@no", "@no", "@skip"],
        "en-tap": ["hello", "@agree", "1995-09-01", "@college", "@yes", "2016-07-01", "@none",
                   "@yes", "4 years", "0.9x",
                   "2022-03", "@no", "@no", "@no", "@lingang", "2022-01-01", "@none", "@no", "@no", "@no", "@skip"],
    }),
    Example("E", {
        "zh-text": ["你好", "同意", "1991年5月20日", "大专", "是", "2012年7月1日", "中级经济师", "是",
                    "是", "5年", "0.9倍",
                    "2021年3月", *NO_BONUS_ZH, "2026-12-31"],
        "en-text": ["hello", "I agree", "20 May 1991", "college", "yes", "1 July 2012", "intermediate title",
                    "yes", "yes", "5 years", "0.9x", "March 2021", *NO_BONUS_EN, "2026-12-31"],
        "zh-tap": ["你好", "@agree", "1991-05-20", "@college", "@yes", "2012-07-01", "@intermediate", "@yes",
                   "@yes", "5年",
                   "0.9倍", "2021-03", *NO_BONUS_TAP, "@skip"],
        "en-tap": ["hello", "@agree", "1991-05-20", "@college", "@yes", "2012-07-01", "@intermediate", "@yes",
                   "@yes", "5 years", "0.9x", "2021-03", *NO_BONUS_TAP, "@skip"],
    }),
    Example("F", {
        "zh-text": ["你好", "同意", "1985年7月1日", "本科+学士", "是", "2007年7月1日", "没有", "是", "5年", "1倍",
                    "2021年3月", "否", "是", "300万", "60%", "25", "否", "无", "无", "否", "否", "否", "2026-12-31"],
        "en-tap": ["hello", "@agree", "1985-07-01", "@bachelor_degree", "@yes", "2007-07-01", "@none",
                   "@yes", "5 years",
                   "@1x", "2021-03", "@no", "@yes", "3,000,000", "60%", "25", "@no", "@none", "@none", "@no", "@no",
                   "@no", "@skip"],
    }),
    Example("G", {
        "zh-text": ["你好", "同意", "1989年11月11日", "本科学士", "是", "2011年7月", "无",
                    "是", "4年", "1.2倍", "2022年3月",
                    "否", "否", "否", "无", "无", "否", "否", "有", "行政拘留", "2024年3月1日", "没有", "2026-12-31"],
        "en-tap": ["hello", "@agree", "1989-11-11", "@bachelor_degree", "@yes", "2011-07-01", "@none",
                   "@yes", "4 years",
                   "1.2x", "2022-03", "@no", "@no", "@no", "@none", "@none", "@no", "@no", "@yes", "@detention",
                   "2024-03-01", "@no", "@skip"],
    }),
)

TRANSCRIPTS = [(e, variant) for e in EXAMPLES for variant in e.scripts]


def assert_scores_as_example(profile: Profile, example: Example) -> None:
    """The profile an interview built scores the worked example's total, item by item."""
    assessment = assess(profile)
    case = example.case
    assert assessment.total == case["total"]
    for item in ITEM_IDS:
        assert assessment.points(item) == case["items"].get(item, 0), item
