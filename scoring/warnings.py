"""Threshold warnings (issue #12): a score that holds today but sits on a line.

Three kinds, each a :class:`~scoring.assessment.Reason` (a message key with its arguments, no language):

- ``warn.base_below`` / ``warn.base_above`` / ``warn.base_on_line``: the latest contribution base is within
  ``base_margin`` (a share of the line) of a tier line (the contribution-base tiers of POLICY.md §4 and the title's ≥1×
  condition of §3), below it or above it; ``warn.base_on_line`` when it is on the line itself.
- ``warn.birthday``: the next birthday falls within ``birthday_months`` of the assessment date and costs
  age points (POLICY.md §3: after 43).
- ``warn.title_condition``: a counted title or skill level whose ≥1× base condition is met with exactly the
  months it needs, so one more month below the line in the window takes it away
  (``warn.title_condition.ladder`` for a skill level, which falls back to the level below it instead).

Pure like the rest of the core: the dates come from the profile (``as_of``), never from a clock. The two
numbers are product parameters (``params/warnings.yaml``), not policy: the Measures do not define them.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from scoring.assessment import Assessment, Reason
from scoring.calculator import assess
from scoring.history import History
from scoring.indicators import age_points
from scoring.months import add_months, add_years, full_years, month_of
from scoring.policy import Policy, policy_or_default
from scoring.profile import Profile

_EPSILON = 1e-9


class _Value(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rationale: str


class _Margin(_Value):
    value: float = Field(gt=0, lt=1)


class _Months(_Value):
    value: int = Field(ge=0, le=24)


class WarningSettings(BaseModel):
    """The product parameters of the warnings, with why they have these values."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["product"]
    cite: str
    base_margin: _Margin
    birthday_months: _Months


@cache
def load_warning_settings() -> WarningSettings:
    text = resources.files("scoring").joinpath("params/warnings.yaml").read_text(encoding="utf-8")
    return WarningSettings.model_validate(yaml.safe_load(text))


def _fmt(x: float) -> str:
    return f"{round(x, 2):g}"


def threshold_warnings(profile: Profile, policy: Policy | None = None, assessment: Assessment | None = None,
                       settings: WarningSettings | None = None) -> tuple[Reason, ...]:
    """The warnings for ``profile`` on its ``as_of`` date, base first, then birthday, then title."""
    policy = policy_or_default(policy)
    settings = settings or load_warning_settings()
    a = assessment if assessment is not None else assess(profile, policy)
    if a.vetoed:
        return ()
    return (*_base(profile, policy, a.as_of, settings), *_birthday(profile, policy, a, settings),
            *_title(profile, policy, a))


def _latest_multiple(profile: Profile, policy: Policy, on: dt.date) -> float | None:
    """The multiple of the latest month paid before ``on``'s month."""
    last = month_of(on) - 1
    paid = [c for c in profile.contributions if c.start <= last]
    if not paid:
        return None
    month = min(max(c.end for c in paid), last)
    return History(paid, month, month, policy).multiple_at(month)


def _base(profile: Profile, policy: Policy, on: dt.date, settings: WarningSettings) -> list[Reason]:
    multiple = _latest_multiple(profile, policy, on)
    if multiple is None:
        return []
    params = policy.rules(on).params
    lines = sorted({t.multiple for t in params.contribution_base.tiers} | {params.title_skill.base_condition_multiple})
    margin = settings.base_margin.value
    out = []
    for line in lines:
        if abs(multiple - line) > margin * line + _EPSILON:
            continue
        below = multiple < line - _EPSILON
        percent = abs(multiple - line) / line * 100
        # "0.0 % above the line" read as nonsense to someone who said "2倍": on the line is said as such.
        code = "warn.base_below" if below else "warn.base_on_line" if percent < 0.05 else "warn.base_above"
        out.append(Reason(code, {"line": _fmt(line), "multiple": _fmt(multiple), "percent": f"{percent:.1f}"}))
    return out


def _birthday(profile: Profile, policy: Policy, a: Assessment, settings: WarningSettings) -> list[Reason]:
    on = a.as_of
    age = full_years(profile.birth_date, on)
    birthday = add_years(profile.birth_date, age + 1)
    if birthday > add_months(on, settings.birthday_months.value):
        return []
    rule = policy.rules(birthday).params.age
    lost = age_points(age, policy.rules(on).params.age) - age_points(age + 1, rule)
    if lost <= 0 or not a.item("age").counted:
        return []
    months = month_of(birthday) - month_of(on) - (1 if birthday.day < on.day else 0)
    return [Reason("warn.birthday", {"on": birthday.isoformat(), "months": max(months, 0), "points": lost,
                                     "age": age + 1})]


def _title(profile: Profile, policy: Policy, a: Assessment) -> list[Reason]:
    item = a.item("title_skill")
    if not (item.counted and item.points > 0 and item.reason == "item.title_skill"):
        return []
    r = policy.rules(a.as_of).params.title_skill
    if profile.title_skill not in r.base_condition_levels:
        return []
    month = month_of(a.as_of)
    first, last = month - r.base_condition_window_months, month - 1
    have = History(profile.contributions, first, last, policy).months_at_least(r.base_condition_multiple, first, last)
    if have != r.base_condition_months:
        return []
    args = {"level": profile.title_skill.value, "months": have, "window": r.base_condition_window_months,
            "multiple": _fmt(r.base_condition_multiple), "points": item.points}
    fallback = r.ladder_fallback(profile.title_skill)
    if fallback is not None:  # a skill level falls back down the ladder, not to nothing (POLICY.md §3)
        return [Reason("warn.title_condition.ladder",
                       {**args, "counted_level": fallback.value, "fallback_points": r.points[fallback]})]
    return [Reason("warn.title_condition", args)]
