"""Hypothesis strategies for valid profiles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from scoring import Profile, parse_profile

EDUCATION = ["none", "college", "bachelor", "bachelor_degree", "master", "doctor"]
TITLES = ["none", "skill_5", "skill_4", "skill_3", "skill_2", "intermediate", "skill_1", "senior"]
MULTIPLES = [0.6, 0.8, 0.85, 0.99, 1.0, 1.2, 2.0, 2.5, 3.0]


def _ym(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _index(ym: str) -> int:
    return int(ym[:4]) * 12 + int(ym[5:]) - 1


@st.composite
def profile_data(draw: st.DrawFn, as_of: dt.date | None = None) -> dict[str, Any]:
    on = as_of or draw(st.dates(dt.date(2023, 1, 1), dt.date(2027, 12, 31)))
    month = on.year * 12 + on.month - 1
    birth = draw(st.dates(dt.date(on.year - 65, 1, 1), dt.date(on.year - 16, 12, 31)))
    contributions: list[dict[str, str | float]] = []
    cursor = month - draw(st.integers(1, 60))
    for _ in range(draw(st.integers(0, 3))):
        length = draw(st.integers(1, 30))
        end = min(cursor + length - 1, month - 1)
        if end < cursor:
            break
        contributions.append({"from": _ym(cursor), "to": _ym(end), "multiple": draw(st.sampled_from(MULTIPLES))})
        cursor = end + 1 + draw(st.integers(0, 6))
    covered = sum(_index(str(c["to"])) - _index(str(c["from"])) + 1 for c in contributions)
    past = st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), on).map(dt.date.isoformat))
    education = draw(st.sampled_from(EDUCATION))
    return {
        "as_of": on.isoformat(),
        "birth_date": birth.isoformat(),
        "education": education,
        "full_time_graduation_date": None if education == "none" else draw(past),
        "title_skill": draw(st.sampled_from(TITLES)),
        "title_skill_recognised": draw(st.booleans()),
        "insurance_months": covered + draw(st.integers(0, 300)),
        "contributions": contributions,
        "shortage_major": draw(st.booleans()),
        "investment": {
            "avg_annual_tax_cny": draw(st.integers(0, 3_000_000)),
            "share": draw(st.floats(0, 1)),
            "avg_local_hires": draw(st.integers(0, 40)),
        },
        "public_service_since": draw(past),
        "remote_area": draw(st.one_of(
            st.just({"kind": "none", "since": None}),
            st.builds(lambda k, s: {"kind": k, "since": s.isoformat()},
                      st.sampled_from(["lingang", "new_city"]), st.dates(dt.date(2000, 1, 1), on)),
        )),
        "award": draw(st.sampled_from(["none", "municipal_special", "municipal_comprehensive", "provincial"])),
        "hukou_spouse_married_on": draw(past),
        "innovation_talent": draw(st.booleans()),
        "records": draw(st.lists(st.builds(
            lambda k, d, y: {"kind": k, "date": d.isoformat(), "sentence_years": y},
            st.sampled_from(["false_materials", "detention", "criminal"]),
            st.dates(dt.date(2010, 1, 1), on), st.integers(0, 8)), max_size=2)),
        "permit": {"valid": draw(st.booleans()), "expires_on": None},
    }


def profiles(as_of: dt.date | None = None) -> st.SearchStrategy[Profile]:
    return profile_data(as_of).map(parse_profile)
