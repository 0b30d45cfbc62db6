"""Profile builders for the scoring tests."""

from __future__ import annotations

from typing import Any

from scoring import Assessment, Profile, assess, parse_profile


def profile(**overrides: Any) -> Profile:
    """A plain eligible 30-year-old 大专 with 4 years at 0.6x, changed by ``overrides``."""
    data: dict[str, Any] = {
        "as_of": "2026-03-01",
        "birth_date": "1995-09-01",
        "education": "college",
        "insurance_months": 48,
        "contributions": [{"from": "2022-03", "to": "2026-02", "multiple": 0.6}],
    }
    data.update(overrides)
    return parse_profile(data)


def score(**overrides: Any) -> Assessment:
    return assess(profile(**overrides))
