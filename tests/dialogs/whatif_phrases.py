"""What-if phrases as people type them (zh and en), the changes each means, and the sign of its effect.

Asked on 2026-12-08 (not the 1st: a base said with a date counts from the first full month, 2027-01; an undated
higher base as the planner dates it, scoring.actions.base_timing).
``sign`` is the effect where the change first makes a difference, against the same person without it:
``+`` gains, ``-`` loses, ``0`` never changes the total within the horizon, ``t`` a question of time alone.
Every example of issue #13 is here; follow-ups (a previous question, then the phrase) are in FOLLOW_UPS.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from scoring import Profile, parse_profile

TODAY = dt.date(2026, 12, 8)


def _p(**fields: Any) -> Profile:
    data: dict[str, Any] = {"as_of": TODAY.isoformat(), "birth_date": "1985-04-10", "education": "college",
                            "insurance_months": 108,
                            "contributions": [{"from": "2020-01", "to": "2026-11", "multiple": 0.95}]}
    return parse_profile({**data, **fields})


PROFILES: dict[str, Profile] = {
    # 高级工 at 0.95x (142): the "考了技师" person.
    "skill3": _p(title_skill="skill_3"),
    # No title, 大专 (107).
    "plain": _p(),
    # Works and lives in a new town since 2019 (7 years, 14 points).
    "new_city": _p(remote_area={"kind": "new_city", "since": "2019-06-01"}),
    # Everything that can be taken away: Lingang, sanitation, innovation talent, shares, a hukou spouse, a title.
    "rich": _p(birth_date="1990-06-01", education="bachelor_degree", title_skill="intermediate",
               contributions=[{"from": "2018-12", "to": "2026-11", "multiple": 1.2}], insurance_months=96,
               remote_area={"kind": "lingang", "since": "2020-01-01"}, public_service_since="2019-01-01",
               innovation_talent=True, investment={"avg_annual_tax_cny": 300000, "share": 1, "avg_local_hires": 0},
               hukou_spouse_married_on="2022-01-01"),
}

_TITLE = "title_skill_recognised=true"
_LINGANG = ["remote_area.kind=lingang", "remote_area.since=2026-12-08"]
_NEW_CITY = ["remote_area.kind=new_city", "remote_area.since=2026-12-08"]

# (profile, phrase, changes, sign)
ZH: list[tuple[str, str, list[str], str]] = [
    ("skill3", "如果我换工作去临港", _LINGANG, "+"),
    ("new_city", "如果我不在新城住了", ["remote_area.kind=none"], "-"),
    ("rich", "搬出临港", ["remote_area.kind=none"], "-"),
    ("rich", "如果创业人才认定过期了", ["innovation_talent=false"], "-"),
    ("rich", "如果我的职称上海不认", ["title_skill_recognised=false"], "-"),
    ("rich", "如果我不干环卫了", ["public_service_since=null"], "-"),
    ("rich", "停缴社保半年", ["contributions=none from 2026-12 for 6m"], "-"),
    ("rich", "辞职", ["contributions=none from 2026-12"], "-"),
    ("rich", "失业", ["contributions=none from 2026-12"], "-"),
    ("skill3", "2027年5月结婚", ["hukou_spouse_married_on=2027-05-01"], "+"),
    ("skill3", "如果我考了技师", ["title_skill=skill_2", _TITLE], "0"),
    ("skill3", "如果我考了中级职称呢", ["title_skill=intermediate", _TITLE], "0"),
    ("skill3", "要是我拿到本科学位", ["education=bachelor_degree"], "+"),
    ("skill3", "如果我读个本科", ["education=bachelor"], "0"),
    ("skill3", "社保基数提到1.5倍会怎样", ["contributions+=1.5x"], "+"),
    ("skill3", "如果基数按3倍交", ["contributions+=3x"], "+"),
    ("skill3", "如果基数按2万交", ["contributions+=20000cny"], "+"),
    ("skill3", "下个月起基数涨到2倍", ["contributions+=2x from 2027-01"], "+"),
    ("skill3", "如果2027年5月起基数按2万交", ["contributions+=20000cny from 2027-05"], "+"),
    ("skill3", "明年这个时候呢", ["as_of=2027-12-08"], "t"),
    ("skill3", "两年后呢", ["as_of=2028-12-08"], "t"),
    ("skill3", "如果一年半以后呢", ["as_of=2028-06-08"], "t"),
    ("skill3", "如果再交三年社保", ["as_of=2029-12-08"], "t"),
    ("skill3", "如果2028年呢", ["as_of=2028-12-08"], "t"),
    ("skill3", "明年3月呢", ["as_of=2027-03-01"], "t"),
    ("skill3", "如果考个高级技师", ["title_skill=skill_1", _TITLE], "0"),
    ("plain", "如果我拿到技能三级", ["title_skill=skill_3", _TITLE], "+"),
    ("plain", "如果我拿到技能四级", ["title_skill=skill_4", _TITLE], "0"),
    ("rich", "要是评上高级职称", ["title_skill=senior", _TITLE], "+"),
    ("skill3", "假如我去读个硕士，三年后呢", ["education=master", "as_of=2029-12-08"], "+"),
    ("skill3", "如果我明年3月拿到技师证", ["title_skill=skill_2 from 2027-03-01", f"{_TITLE} from 2027-03-01"], "0"),
    ("skill3", "如果我搬到临港", _LINGANG, "+"),
    ("skill3", "如果我搬到南汇新城", _LINGANG, "+"),
    ("skill3", "如果我去松江工作和居住", _NEW_CITY, "+"),
    ("skill3", "如果我搬到临港，两年后呢", [*_LINGANG, "as_of=2028-12-08"], "+"),
    ("skill3", "如果我的专业在紧缺目录里", ["shortage_major=true"], "+"),
    ("skill3", "如果我和上海户口的人结婚", ["hukou_spouse_married_on=2026-12-08"], "+"),
    ("skill3", "如果我明年结婚，对象是上海人", ["hukou_spouse_married_on=2027-12-08"], "+"),
    ("skill3", "如果我去做环卫", ["public_service_since=2026-12-08"], "+"),
    ("skill3", "如果我拿到博士学位", ["education=doctor"], "+"),
    ("skill3", "如果我获得省部级表彰", ["award=provincial"], "+"),
    ("skill3", "如果我被认定为创业人才", ["innovation_talent=true"], "+"),
    ("skill3", "如果从明年3月开始停缴半年", ["contributions=none from 2027-03 for 6m"], "-"),
    ("skill3", "如果失业一年", ["contributions=none from 2026-12 for 12m"], "-"),
    ("skill3", "如果我辞职去临港", _LINGANG, "+"),
    ("rich", "如果我离婚", ["hukou_spouse_married_on=null"], "-"),
    ("rich", "如果居住证失效", ["permit.valid=false"], "0"),
    ("rich", "如果我把股份卖了", ["investment.share=0", "investment.avg_local_hires=0"], "-"),
    ("rich", "如果我离开环卫行业", ["public_service_since=null"], "-"),
    ("rich", "如果我三个月后辞职", ["contributions=none from 2027-04"], "-"),
    ("rich", "如果社保断了3个月", ["contributions=none from 2026-12 for 3m"], "-"),
    ("rich", "如果我的公司倒闭了", ["contributions=none from 2026-12"], "-"),
    ("rich", "如果我不在上海工作了", ["contributions=none from 2026-12"], "-"),
    ("skill3", "如果一年后结婚", ["hukou_spouse_married_on=2027-12-08"], "+"),
    ("skill3", "两年后我去临港呢", ["remote_area.kind=lingang", "remote_area.since=2028-12-08"], "+"),
    ("skill3", "如果我搬出临港并且考了中级", ["title_skill=intermediate", _TITLE, "remote_area.kind=none"], "0"),
]
EN: list[tuple[str, str, list[str], str]] = [
    ("rich", "move out of Lingang", ["remote_area.kind=none"], "-"),
    ("rich", "sell my shares", ["investment.share=0", "investment.avg_local_hires=0"], "-"),
    ("rich", "quit and stop paying for 6 months", ["contributions=none from 2026-12 for 6m"], "-"),
    ("rich", "what if I quit my job", ["contributions=none from 2026-12"], "-"),
    ("rich", "what if I lose my job", ["contributions=none from 2026-12"], "-"),
    ("rich", "what if I'm unemployed for a year", ["contributions=none from 2026-12 for 12m"], "-"),
    ("rich", "what if my innovation talent certification expires", ["innovation_talent=false"], "-"),
    ("rich", "what if Shanghai doesn't recognise my title", ["title_skill_recognised=false"], "-"),
    ("rich", "what if my title is not recognised", ["title_skill_recognised=false"], "-"),
    ("rich", "what if I stop working in sanitation", ["public_service_since=null"], "-"),
    ("rich", "what if I get divorced", ["hukou_spouse_married_on=null"], "-"),
    ("rich", "what if I leave Lingang", ["remote_area.kind=none"], "-"),
    ("rich", "what if my permit is suspended", ["permit.valid=false"], "0"),
    ("new_city", "what if I leave the new town", ["remote_area.kind=none"], "-"),
    ("skill3", "what if I get married in May 2027", ["hukou_spouse_married_on=2027-05-01"], "+"),
    ("skill3", "what if my base is 2x from next month", ["contributions+=2x from 2027-01"], "+"),
    ("skill3", "what if I move to Lingang from January", ["remote_area.kind=lingang",
                                                         "remote_area.since=2027-01-01"], "+"),
    ("skill3", "what if I marry a Shanghai hukou holder next year", ["hukou_spouse_married_on=2027-12-08"], "+"),
    ("skill3", "what if I get a master's degree", ["education=master"], "+"),
    ("skill3", "What if I get a bachelor's degree?", ["education=bachelor_degree"], "+"),
    ("skill3", "what about a PhD", ["education=doctor"], "+"),
    ("skill3", "what if I move to Lingang", _LINGANG, "+"),
    ("skill3", "what if I move to Songjiang new town", _NEW_CITY, "+"),
    ("skill3", "in 18 months?", ["as_of=2028-06-08"], "t"),
    ("skill3", "what about next year", ["as_of=2027-12-08"], "t"),
    ("skill3", "and in two years?", ["as_of=2028-12-08"], "t"),
    ("skill3", "what if I keep paying for 3 more years", ["as_of=2029-12-08"], "t"),
    ("skill3", "what if I get an intermediate title", ["title_skill=intermediate", _TITLE], "0"),
    ("skill3", "what if I become a technician", ["title_skill=skill_2", _TITLE], "0"),
    ("rich", "what if I get a senior title", ["title_skill=senior", _TITLE], "+"),
    ("plain", "what if I get skill level 3", ["title_skill=skill_3", _TITLE], "+"),
    ("skill3", "what if my base is 1.5x", ["contributions+=1.5x"], "+"),
    ("skill3", "what if my contribution base is 3 times the average", ["contributions+=3x"], "+"),
    ("skill3", "what if I pay at the ceiling", ["contributions+=3x"], "+"),
    ("skill3", "what if my base were 25000", ["contributions+=25000cny"], "+"),
    ("skill3", "what if I marry a Shanghai hukou holder", ["hukou_spouse_married_on=2026-12-08"], "+"),
    ("skill3", "what if my major were a shortage major", ["shortage_major=true"], "+"),
    ("skill3", "what if I win a provincial award", ["award=provincial"], "+"),
    ("skill3", "what if I were certified as an innovation talent", ["innovation_talent=true"], "+"),
    ("rich", "what if I quit in 3 months", ["contributions=none from 2027-04"], "-"),
    ("rich", "what if I quit in March", ["contributions=none from 2027-03"], "-"),
    ("rich", "what if I get laid off", ["contributions=none from 2026-12"], "-"),
    ("rich", "what if I take 3 months off", ["contributions=none from 2026-12 for 3m"], "-"),
    ("rich", "what if I quit sanitation", ["public_service_since=null"], "-"),
    ("skill3", "what if I quit and move to Lingang", _LINGANG, "+"),
    ("skill3", "what if I move to Lingang in 2 years", ["remote_area.kind=lingang", "remote_area.since=2028-12-08"],
     "+"),
    ("skill3", "what if my base drops to the minimum", ["contributions+=0.6x"], "-"),
]

# (profile, previous question, follow-up, changes)
FOLLOW_UPS: list[tuple[str, str, str, list[str]]] = [
    ("skill3", "如果我考了技师", "明年3月拿证", ["title_skill=skill_2 from 2027-03-01", f"{_TITLE} from 2027-03-01"]),
    ("skill3", "what if I move to Lingang", "from next month", ["remote_area.kind=lingang from 2027-01-01",
                                                               "remote_area.since=2027-01-01"]),
    ("skill3", "what if I move to Lingang", "from January", ["remote_area.kind=lingang from 2027-01-01",
                                                            "remote_area.since=2027-01-01"]),
    ("skill3", "如果基数按3倍交", "从明年3月开始呢", ["contributions+=3x from 2027-03"]),
    ("skill3", "如果我换工作去临港", "两年后呢", [*_LINGANG, "as_of=2028-12-08"]),
    ("skill3", "如果我换工作去临港", "那两年后呢", [*_LINGANG, "as_of=2028-12-08"]),
    ("skill3", "what if I get a master's degree", "and in two years?", ["education=master", "as_of=2028-12-08"]),
    ("rich", "停缴社保半年", "in three years?", ["contributions=none from 2026-12 for 6m", "as_of=2029-12-08"]),
]
