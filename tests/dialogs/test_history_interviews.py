"""Whole interviews of people whose contribution base changed, typed as they would type them (issue #12).

Each person's total in the chat must equal what `jifen score` gives for the profile they would write by hand
from their 社保个人权益记录 — the periods as ranges, in yuan where they said yuan (`base_cny`) — and the base
item must be the hand-worked figure in the comment. The chat builds its ranges itself (dialogs.profile_build);
the hand-written profiles below are independent of it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from bot.store import MemoryStore
from tests.dialogs.chat import SHANGHAI, Chat, engine_on, session_of

NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)
"""The window of the base tiers is then 2022-12 .. 2026-11 (48 months before December 2026)."""

ZH_TAIL = ["否", "否", "否", "都不是", "没有", "未婚", "否", "没有", "2027年5月1日"]
EN_TAIL = ["no", "no", "no", "none", "none", "single", "no", "no", "2027-05-01"]


@dataclass(frozen=True)
class Person:
    name: str
    lang: str
    script: list[str]
    profile: dict[str, Any]
    base_points: int
    total: int
    says: list[str] = field(default_factory=list)
    """Words the replies must contain somewhere (what was assumed, the history read back)."""
    in_report: list[str] = field(default_factory=list)
    """Words the final report must contain (what the total assumes)."""


def _profile(**fields: Any) -> dict[str, Any]:
    return {"as_of": "2026-12-08", "title_skill": "none", "permit": {"valid": True, "expires_on": "2027-05-01"},
            "employed_now": True, **fields}


PEOPLE = [
    # 2x from 2023-03 (45 months), 1.5x before: 45 >= 36 months at 2x -> 100. 30 + 90 + 18 + 100.
    Person("two periods in one message", "zh",
           ["好的", "1988年1月1日", "本科，有学位", "是，全日制的", "2010年7月", "没有", "是的", "6年",
            "现在是2倍，2023年3月开始的；之前是1.5倍", "2021年1月", *ZH_TAIL],
           _profile(birth_date="1988-01-01", education="bachelor_degree", full_time_graduation_date="2010-07-01",
                    insurance_months=72, contributions=[{"from": "2021-01", "to": "2023-02", "multiple": 1.5},
                                                        {"from": "2023-03", "to": "2026-11", "multiple": 2}]),
           100, 238, ["2023年3月起", "2021年1月—2023年2月"]),
    # 12,000 is >= 1x only while the average is 11,396 (2022-12..2023-06: 7 months), >= 0.8x all 48 -> 25.
    # 15,000 from 2024-06 (30 months) >= 1x; 12,000 in 2022-12..2023-06 (7) >= 1x: 37 -> 50.
    Person("yuan, then the same as before", "en",
           ["yes", "1984-01-20", "master's degree", "yes", "2009-07-01", "none", "yes", "11 years",
            "my base changed a few times", "15000 since June 2024", "12000", "Jan 2023", "same", "2021-06",
            *EN_TAIL],
           _profile(birth_date="1984-01-20", education="master", full_time_graduation_date="2009-07-01",
                    insurance_months=132, contributions=[{"from": "2021-06", "to": "2024-05", "base_cny": 12000},
                                                         {"from": "2024-06", "to": "2026-11", "base_cny": 15000}]),
           50, 213, ["Jun 2021 – May 2024: 12,000 CNY"]),
    # Always 12,000, corrected from 10,000: >= 0.8x in all 48 months, >= 1x in 7 -> 25. 27 + 50 + 24 + 25.
    Person("always the same, in yuan, corrected", "zh",
           ["同意", "1981-06-15", "大专", "是", "2003年7月", "无", "在上海上班", "8年", "一直都是1万左右",
            "我刚才说错了，基数是1.2万", *ZH_TAIL],
           _profile(birth_date="1981-06-15", education="college", full_time_graduation_date="2003-07-01",
                    insurance_months=96, contributions=[{"from": "2021-07", "to": "2026-11", "base_cny": 12000}]),
           25, 126, ["12,000 元"]),
    # Three periods in one message: 1x 2022-12..2023-12 (13), 1.5x from 2024-01 (35): 48 at >= 1x -> 50.
    # Skill level 3 (60) over the college diploma (50). 30 + 60 + 21 + 50.
    Person("three periods, the oldest at the floor", "zh",
           ["好的", "1992年3月10日", "大专", "全日制", "2013年7月", "三级", "是的，在上海评的", "是", "7年",
            "现在1.5倍，2024年1月开始；之前是1倍，2022年6月开始；再之前是最低", "一直", *ZH_TAIL],
           _profile(birth_date="1992-03-10", education="college", full_time_graduation_date="2013-07-01",
                    title_skill="skill_3", insurance_months=84,
                    contributions=[{"from": "2019-12", "to": "2022-05", "multiple": 0.6},
                                   {"from": "2022-06", "to": "2023-12", "multiple": 1},
                                   {"from": "2024-01", "to": "2026-11", "multiple": 1.5}]),
           50, 161, ["2022年6月—2023年12月"]),
    # 2x only from 2025-03 (21 months); the earlier base is not known: floor -> 0. 30 + 90 + 15 + 0.
    Person("does not know the earlier base", "en",
           ["I agree", "1990-05-20", "bachelor's degree", "full-time", "2012-07-01", "none", "yes", "5 years",
            "2x since March 2025", "don't know", *EN_TAIL],
           _profile(birth_date="1990-05-20", education="bachelor_degree", full_time_graduation_date="2012-07-01",
                    insurance_months=60, contributions=[{"from": "2025-03", "to": "2026-11", "multiple": 2}]),
           0, 135, ["counted at the legal minimum"], ["Dec 2022 – Feb 2025: base not known"]),
    # 0.9x from 2022-01 (21 months in the window) then 18,000 (1.43x+, 27 months): 48 >= 0.8x, 27 >= 1x -> 25.
    # The intermediate title (100, 1x condition met) ties the master's 100. 30 + 100 + 30 + 25.
    Person("a closed range for the earlier period", "zh",
           ["好的", "1986年8月1日", "硕士", "是", "2011年7月", "中级职称", "是", "是", "10年", "1.8万",
            "2024年9月", "2022年1月到2024年8月是0.9倍", *ZH_TAIL],
           _profile(birth_date="1986-08-01", education="master", full_time_graduation_date="2011-07-01",
                    title_skill="intermediate", insurance_months=120,
                    contributions=[{"from": "2022-01", "to": "2024-08", "multiple": 0.9},
                                   {"from": "2024-09", "to": "2026-11", "base_cny": 18000}]),
           25, 185, ["2022年1月—2024年8月"]),
    # Corrected to 1.2x from 2024-01 (35 months), 0.7x before: 35 < 36 even at 0.8x -> 0. 23 + 50 + 27 + 0.
    Person("a correction after the history", "en",
           ["ok", "1979-02-14", "college diploma", "yes", "2000-07-01", "none", "yes", "9 years", "1x",
            "2024-01", "0.7x", "always", "sorry, I made a mistake: my base is 1.2x", *EN_TAIL],
           _profile(birth_date="1979-02-14", education="college", full_time_graduation_date="2000-07-01",
                    insurance_months=108, contributions=[{"from": "2017-12", "to": "2023-12", "multiple": 0.7},
                                                         {"from": "2024-01", "to": "2026-11", "multiple": 1.2}]),
           0, 100, ["1.2x"]),
    # At the ceiling from three years ago (2023-12: 36 months, all within the last 36) -> 120. 30 + 90 + 27 + 120.
    # "2023年" lies inside the window, so its month is asked; "2021年" would not matter and is taken as it is.
    Person("the ceiling, a year that needs its month", "zh",
           ["可以", "1995-11-11", "本科+学士", "是", "2017年6月", "没有", "是", "9年", "顶格", "三年前开始",
            "2倍", "2023年", "2023年3月", "1倍，一直", *ZH_TAIL],
           _profile(birth_date="1995-11-11", education="bachelor_degree", full_time_graduation_date="2017-06-01",
                    insurance_months=108, contributions=[{"from": "2017-12", "to": "2023-02", "multiple": 1},
                                                         {"from": "2023-03", "to": "2023-11", "multiple": 2},
                                                         {"from": "2023-12", "to": "2026-11", "multiple": 3}]),
           120, 267, ["那一年的几月", "2023年3月—2023年11月", "2023年2月及以前"]),
]


def _total(text: str) -> int:
    found = re.search(r"(?:总分：|Total: )(\d+)", text)
    assert found is not None, text
    return int(found.group(1))


@pytest.mark.parametrize("person", PEOPLE, ids=[p.name for p in PEOPLE])
async def test_the_chat_total_is_jifen_score_of_the_same_history(
        person: Person, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = MemoryStore()
    chat = Chat(engine_on(store), now=NOW, hint=person.lang)
    said: list[str] = []
    for step in ["hi" if person.lang == "en" else "你好", *person.script]:
        said.append("\n".join(o.text for o in await chat.say(step)))
    session = await session_of(store)
    assert session is not None and session.state == "done", said[-1]
    transcript = "\n".join(said)
    for words in person.says:
        assert words in transcript, words
    chat_total = _total(said[-1])
    for words in person.in_report:
        assert words in said[-1], words
    if not person.in_report:
        assert "counted at the legal minimum" not in said[-1] and "先按最低基数算" not in said[-1]

    path = tmp_path / "profile.json"
    path.write_text(json.dumps(person.profile), encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    points = {i["id"]: i["points"] for i in cli["items"]}
    assert points["contribution_base"] == person.base_points
    assert cli["total"] == chat_total == person.total
