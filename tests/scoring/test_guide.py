"""The guide's data and the person's dates and documents (scoring/guide, issue #15).

The data: every entry dated, cited and marked; a malformed file refused with the path named. The checklist: each
item that counts brings its documents and no other item's. The dates: the filing date is the planner's baseline,
the result date counts working days, the renewal window is the policy's.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from importlib import resources
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import ITEM_IDS, Profile, assess, load_policy, parse_profile
from scoring.guide import BASE, FAMILY, GuideError, add_working_days, checklist, load_guide, parse_guide, schedule
from scoring.planner import plan
from tests.scoring.strategies import profile_data

GUIDE = load_guide()
POLICY = load_policy()
RAW = yaml.safe_load(resources.files("scoring").joinpath("params/guide.yaml").read_text(encoding="utf-8"))
CITED = re.compile(r"sources/00[0-3]|POLICY\.md §")
D = dt.date.fromisoformat


def _p(**fields: Any) -> Profile:
    base = {"as_of": "2026-03-01", "birth_date": "1990-05-20", "education": "college", "insurance_months": 96,
            "contributions": [{"from": "2022-03", "to": "2026-02", "multiple": 1.0}]}
    return parse_profile({**base, **fields})


def _items(p: Profile) -> dict[str, tuple[str, ...]]:
    groups = checklist(GUIDE, p.as_of or D("2026-03-01"), assess(p, POLICY))
    return {g.item: g.documents for g in groups}


# -- the data -------------------------------------------------------------------------------------------------


def test_every_entry_is_dated_cited_and_marked() -> None:
    facts = [*GUIDE.steps, *GUIDE.documents.values(), *(e for s in GUIDE.sections.values() for e in s.entries)]
    assert len(facts) > 60
    for f in facts:
        assert f.conf in ("H", "M", "L") and CITED.search(f.cite), f.id
        assert f.starts >= D("2023-01-01"), f.id  # the Measures in force from 2023
    for name, values in GUIDE.numbers.items():
        assert values and all(conf in ("H", "M", "L") and CITED.search(cite) for _, _, conf, cite in values), name
    for item in GUIDE.items.values():
        assert item.conf in ("H", "M", "L") and CITED.search(item.cite), item.item
    assert CITED.search(GUIDE.base_cite) and CITED.search(GUIDE.family_cite)


def test_items_without_documents_in_the_sources_are_marked_l() -> None:
    """The issue: for base tier, remote area, shortage major, award, public service and innovation talent the
    sources list no documents; the guide says what is commonly asked, marked L."""
    for item in ("contribution_base", "remote_area", "shortage_major", "award", "public_service",
                 "innovation_talent", "investment", "fresh_graduate"):
        assert GUIDE.items[item].conf == "L", item
    for item in ("education", "title_skill", "hukou_spouse"):  # listed by sources/001 五.2, 五.3
        assert GUIDE.items[item].conf == "M", item


def test_dated_entries_follow_the_date() -> None:
    """The 一网通办 login from 2026-02-28 (sources/001); 22 working days since the 2025 upgrade (sources/002)."""
    before, after = D("2026-02-27"), D("2026-02-28")
    assert "employer_files" in [s.id for s in GUIDE.steps_on(before)]
    assert "employer_files_ywtb" not in [s.id for s in GUIDE.steps_on(before)]
    assert "employer_files_ywtb" in [s.id for s in GUIDE.steps_on(after)]
    assert "employer_files" not in [s.id for s in GUIDE.steps_on(after)]
    assert [e.id for e in GUIDE.sections["employer"].on(before)][-1] == "login"
    assert [e.id for e in GUIDE.sections["employer"].on(after)][-1] == "login_ywtb"
    assert GUIDE.number("processing_working_days", D("2024-12-31")) == 20
    assert GUIDE.number("processing_working_days", D("2025-01-01")) == 22
    assert [v for _, v, _, _ in GUIDE.number_history("processing_working_days", D("2026-03-01"))] == [20, 22]


_DELETE = object()


def _mutated(path: list[Any], value: Any) -> dict[str, Any]:
    raw: dict[str, Any] = copy.deepcopy(RAW)
    node: Any = raw
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


@pytest.mark.parametrize(("path", "value", "message"), [
    (["steps", 0, "conf"], "X", r"steps\[0\]\.conf"),
    (["steps", 0, "cite"], " ", r"steps\[0\]\.cite"),
    (["steps", 0, "colour"], "red", "unknown field"),
    (["steps", 3, "until"], "2020-01-01", "before from"),
    (["documents", "id_card", "cite"], _DELETE, r"documents\.id_card\.cite"),
    (["base", "applicant", 0], "passport", "'passport' is not declared"),
    (["items", "education", "documents", 0], "diploma", "'diploma' is not declared"),
    (["items", "shoe_size"], {"documents": ["id_card"], "conf": "L", "cite": "POLICY.md §4"}, "not a scoring item"),
    (["items", "education", "when", 0, "level"], ["phd"], "no such level phd"),
    (["items", "award", "when"], [{"level": ["provincial"], "add": ["award_proof"]}], "only education, title_skill"),
    (["sections", "check"], _DELETE, "sections: expected exactly"),
    (["numbers", "endorsement_grace_days"], _DELETE, "numbers: expected exactly"),
    (["numbers", "processing_working_days", "values", 1, "from"], "2020-01-01", "earliest first"),
    (["numbers", "file_after_permit_days", "values", 0, "value"], "3", "valid integer"),
])
def test_a_malformed_guide_is_refused_with_the_path_named(path: list[Any], value: Any, message: str) -> None:
    with pytest.raises(GuideError, match=message):
        parse_guide(_mutated(path, value), "broken.yaml")


def test_a_declared_document_nobody_lists_is_refused() -> None:
    raw = copy.deepcopy(RAW)
    raw["documents"]["passport"] = {"from": "2023-01-01", "conf": "L", "cite": "POLICY.md §12"}
    with pytest.raises(GuideError, match="never listed: passport"):
        parse_guide(raw, "broken.yaml")


def test_a_guide_file_that_cannot_be_read_is_one_line(tmp_path: Any) -> None:
    bad = tmp_path / "g.yaml"
    bad.write_text("steps: [", encoding="utf-8")
    with pytest.raises(GuideError, match="cannot read guide file"):
        load_guide(bad)


# -- the checklist: each item that counts brings its documents and no other item's --------------------------


@pytest.mark.parametrize(("fields", "item", "expected"), [
    ({"education": "college"}, "education", ("graduation_certificate", "chsi_verification")),
    ({"education": "bachelor_degree"}, "education",
     ("graduation_certificate", "degree_certificate", "chsi_verification")),
    ({"title_skill": "intermediate"}, "title_skill", ("title_certificate", "title_appointment")),
    ({"title_skill": "skill_3", "education": "none"}, "title_skill", ("skill_certificate",)),
    ({"hukou_spouse_married_on": "2020-01-01"}, "hukou_spouse", ("marriage_certificate", "spouse_hukou")),
    ({"remote_area": {"kind": "lingang", "since": "2020-01-01"}}, "remote_area", ("remote_area_proof",)),
    ({"shortage_major": True}, "shortage_major", ("shortage_major_proof",)),
    ({"award": "provincial"}, "award", ("award_proof",)),
    ({"innovation_talent": True}, "innovation_talent", ("innovation_proof",)),
    ({"public_service_since": "2015-01-01"}, "public_service", ("public_service_proof",)),
    ({"investment": {"avg_annual_tax_cny": 300000}}, "investment", ("investment_proof",)),
    ({"education": "bachelor_degree", "full_time_graduation_date": "2025-06-30"}, "fresh_graduate",
     ("fresh_graduate_proof",)),
    ({}, "contribution_base", ("tax_proof",)),
])
def test_an_item_that_counts_brings_its_documents(fields: dict[str, Any], item: str, expected: tuple[str, ...]) -> None:
    found = _items(_p(**fields))
    assert found[item] == expected


def test_an_item_that_does_not_count_brings_nothing() -> None:
    title_wins = _items(_p(education="college", title_skill="intermediate"))  # 100 > 50: education not counted
    assert "education" not in title_wins and "title_skill" in title_wins
    edu_wins = _items(_p(education="doctor", title_skill="skill_4"))  # 110 > 30
    assert "title_skill" not in edu_wins and "education" in edu_wins
    unmet = _items(_p(title_skill="intermediate", contributions=[{"from": "2022-03", "to": "2026-02",
                                                                   "multiple": 0.9}]))
    assert "title_skill" not in unmet, "a title whose 1x base condition fails scores 0: no title documents"
    floor = _items(_p(contributions=[{"from": "2022-03", "to": "2026-02", "multiple": 0.6}]))
    assert "contribution_base" not in floor
    assert "hukou_spouse" not in _items(_p(hukou_spouse_married_on="2025-12-01"))  # not a full year yet: 0 points


@settings(max_examples=150)
@given(profile_data())
def test_the_checklist_lists_exactly_the_items_that_score_with_their_own_documents(data: dict[str, Any]) -> None:
    p = parse_profile(data)
    a = assess(p, POLICY)
    groups = checklist(GUIDE, a.as_of, a)
    assert groups[0].item == BASE and groups[-1].item == FAMILY
    scored = [i.id for i in a.items if i.counted and i.points > 0 and i.id in GUIDE.items]
    assert [g.item for g in groups[1:-1]] == scored
    for g in groups[1:-1]:
        level = a.item(g.item).args.get("level")
        assert g.documents == tuple(d for d in GUIDE.documents if d in GUIDE.items[g.item].for_level(level))
        assert g.points == a.item(g.item).points
    assert set(ITEM_IDS) >= {g.item for g in groups[1:-1]}


def test_without_an_assessment_only_everyone_s_and_the_family_s_documents() -> None:
    groups = checklist(GUIDE, D("2026-03-01"))
    assert [g.item for g in groups] == [BASE, FAMILY]
    assert groups[0].employer_documents[0] == "employer_letter" and "labour_contract" in groups[0].documents


# -- the dates ------------------------------------------------------------------------------------------------


def test_working_days_skip_the_weekend() -> None:
    assert add_working_days(D("2026-03-06"), 1) == D("2026-03-09")  # Friday + 1 = Monday
    assert add_working_days(D("2026-03-01"), 22) == D("2026-03-31")  # a Sunday: 22 weekdays later
    assert add_working_days(D("2026-03-02"), 0) == D("2026-03-02")


@given(st.dates(dt.date(2023, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 60))
def test_working_days_count_exactly_the_weekdays(start: dt.date, days: int) -> None:
    end = add_working_days(start, days)
    between = [start + dt.timedelta(n) for n in range(1, (end - start).days + 1)]
    assert sum(d.weekday() < 5 for d in between) == days
    assert days == 0 or end.weekday() < 5


def test_someone_passing_now_files_now_and_hears_in_22_working_days() -> None:
    p = _p(education="bachelor_degree", permit={"expires_on": "2026-12-31"})
    s = schedule(p, GUIDE, POLICY)
    assert s.now.passes and s.file_from == s.eligible_from == D("2026-03-01")
    assert s.result_around == D("2026-03-31") and s.processing_days == 22
    assert s.renewal is not None and (s.renewal.opens, s.renewal.closes) == (D("2026-12-01"), D("2026-12-31"))
    assert s.renewal.at_close.passes and not s.renewal.file_early


def test_too_few_insured_months_gives_the_month_from_which_one_may_apply() -> None:
    p = _p(education="doctor", insurance_months=3, contributions=[{"from": "2025-12", "to": "2026-02",
                                                                    "multiple": 1.0}])
    s = schedule(p, GUIDE, POLICY)
    assert not s.now.eligible and s.blocked == ()
    assert s.eligible_from == D("2026-06-01") == s.file_from
    assert s.result_around == add_working_days(D("2026-06-01"), 22)


def test_without_an_employer_no_date_is_promised() -> None:
    s = schedule(_p(education="doctor", employed_now=False), GUIDE, POLICY)
    assert [r.code for r in s.blocked] == ["not_employed"]
    assert s.eligible_from is None and s.file_from is None and s.result_around is None


def test_below_the_standard_the_filing_date_is_the_planner_s_baseline() -> None:
    p = _p(birth_date="1981-01-15", insurance_months=40,
           contributions=[{"from": "2022-11", "to": "2026-02", "multiple": 0.85}], education="college")
    s = schedule(p, GUIDE, POLICY)
    assert not s.now.passes and s.now.eligible
    assert s.file_from is not None and s.file_from > s.as_of
    assert s.file_from == plan(p, POLICY).baseline.reaches_on


@settings(max_examples=40)
@given(profile_data())
def test_the_filing_date_agrees_with_the_planner(data: dict[str, Any]) -> None:
    p = parse_profile(data)
    s = schedule(p, GUIDE, POLICY)
    baseline = plan(p, POLICY, limit=1).baseline.reaches_on
    if s.blocked:
        assert s.file_from is None
    else:
        assert s.file_from == baseline
    assert (s.result_around is None) == (s.file_from is None)


def test_a_birthday_inside_the_renewal_window_says_file_early() -> None:
    """POLICY.md §7 (L): when the score drops inside the window, file before the drop."""
    # 5 insured years by 2026-12-01: 30 + 50 + 15 + 25 = 120; 44 on 2026-12-15 (age 29): 119 on the last day.
    p = _p(birth_date="1982-12-15", education="college", insurance_months=55,
           contributions=[{"from": "2022-03", "to": "2026-02", "multiple": 0.85}], permit={"expires_on": "2026-12-31"})
    s = schedule(p, GUIDE, POLICY)
    assert s.renewal is not None
    assert (s.renewal.at_open.total, s.renewal.at_close.total) == (120, 119)
    assert s.renewal.file_early and s.renewal.drops_on == D("2026-12-15")
    later = schedule(_p(birth_date="1982-11-15", education="college", insurance_months=55,
                        contributions=[{"from": "2022-03", "to": "2026-02", "multiple": 0.85}],
                        permit={"expires_on": "2026-12-31"}), GUIDE, POLICY)
    assert later.renewal is not None and not later.renewal.file_early  # the birthday before the window: 119 all along


def test_every_item_marked_m_or_l_carries_a_note_or_the_star() -> None:
    """The issue: "a note for each M/L item": M items have their own note, L items the starred footnote."""
    for item in GUIDE.items.values():
        assert item.conf == "H" or item.note or item.conf == "L", item.item
        assert item.conf != "M" or item.note, item.item
