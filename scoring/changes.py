"""The what-if change syntax: small strings that the CLI, the dialogs and the tests all produce.

One change per string:

- ``FIELD=VALUE`` sets a profile field; nested fields use a dot (``remote_area.kind=lingang``).
  Values are written as in the profile JSON: enum words, numbers, ``true``/``false``, ``YYYY-MM-DD``,
  or ``null``. Setting ``remote_area.kind`` without ``remote_area.since`` means "since the profile's as_of date".
- ``insurance_months+=N`` adds insured months.
- ``contributions+=1.5x from YYYY-MM`` (or ``15000cny``): the base from that month on, replacing what was
  there; a CNY base is converted with the average wage in force in that month.
- ``as_of=YYYY-MM-DD``, ``as_of+=12m``, ``as_of+=2y``: look at a later date as if the person keeps working
  (insurance accrues, contributions continue at the current multiple, they age); other changes apply on top.

Why strings: they are easy to type on a command line, easy for the conversation to produce from a
free-text question, and easy to show back to the user.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scoring.months import add_months
from scoring.policy import Policy, PolicyError
from scoring.profile import Profile, ProfileError, parse_profile
from scoring.projection import Projector

SETTABLE: frozenset[str] = frozenset({
    "as_of", "birth_date", "education", "full_time_graduation_date", "title_skill", "title_skill_recognised",
    "insurance_months", "shortage_major", "public_service_since", "award", "hukou_spouse_married_on",
    "innovation_talent", "remote_area.kind", "remote_area.since", "investment.avg_annual_tax_cny",
    "investment.share", "investment.avg_local_hires", "permit.valid", "permit.expires_on",
})

_SET = re.compile(r"^\s*([a-z_.]+)\s*=\s*(.+?)\s*$")
_ADD_MONTHS = re.compile(r"^\s*insurance_months\s*\+=\s*(\d{1,4})\s*$")
_BASE = re.compile(r"^\s*contributions\s*\+=\s*(\d+(?:\.\d+)?)\s*(x|cny)\s+from\s+(\d{4})-(\d{2})\s*$", re.I)
_AS_OF_SHIFT = re.compile(r"^\s*as_of\s*\+=\s*(\d{1,3})\s*([my])\s*$")
MAX_CHANGES = 20


class ChangeError(ValueError):
    """A change string is malformed or leads to an invalid profile; the message says which."""


@dataclass(frozen=True, slots=True)
class Parsed:
    sets: dict[str, Any]
    extra_months: int
    base: tuple[int, float | None, float | None] | None  # (first month, multiple, base_cny)
    as_of: dt.date | None
    shift_months: int


def _value(raw: str) -> Any:
    """``null``, ``true`` and ``false`` as JSON has them (a yes/no field takes only a real boolean); anything else
    stays text for the profile's own validation (numbers, dates, enum words)."""
    word = raw.lower()
    if word == "null":
        return None
    if word in ("true", "false"):
        return word == "true"
    return raw


def parse_changes(changes: Sequence[str]) -> Parsed:
    if len(changes) > MAX_CHANGES:
        raise ChangeError(f"at most {MAX_CHANGES} changes at a time")
    sets: dict[str, Any] = {}
    extra, base, as_of, shift = 0, None, None, 0
    for text in changes:
        if len(text) > 200:
            raise ChangeError("a change is at most 200 characters")
        if m := _ADD_MONTHS.match(text):
            extra += int(m.group(1))
        elif m := _BASE.match(text):
            month = int(m.group(3)) * 12 + int(m.group(4)) - 1
            if not 1 <= int(m.group(4)) <= 12:
                raise ChangeError(f"{text!r}: the month must be YYYY-MM")
            amount = float(m.group(1))
            if amount <= 0:
                raise ChangeError(f"{text!r}: the base must be positive")
            base = (month, amount, None) if m.group(2).lower() == "x" else (month, None, amount)
        elif m := _AS_OF_SHIFT.match(text):
            shift += int(m.group(1)) * (12 if m.group(2) == "y" else 1)
        elif m := _SET.match(text):
            field, raw = m.group(1), m.group(2)
            if field not in SETTABLE:
                raise ChangeError(f"{text!r}: unknown field {field!r} (one of: {', '.join(sorted(SETTABLE))})")
            if field == "as_of":
                try:
                    as_of = dt.date.fromisoformat(raw)
                except ValueError:
                    raise ChangeError(f"{text!r}: as_of must be YYYY-MM-DD") from None
            else:
                sets[field] = _value(raw)
        else:
            raise ChangeError(f"{text!r}: not a change (FIELD=VALUE, insurance_months+=N, "
                              "contributions+=1.5x from YYYY-MM, as_of+=12m)")
    return Parsed(sets, extra, base, as_of, shift)


def apply_changes(profile: Profile, changes: Sequence[str], policy: Policy, unknown_multiple: float) -> Profile:
    """The profile after the changes (validated again: a change cannot sneak in an invalid profile)."""
    assert profile.as_of is not None
    parsed = parse_changes(changes)
    target = parsed.as_of or profile.as_of
    if parsed.shift_months:
        target = add_months(target, parsed.shift_months)
    if target < profile.as_of:
        raise ChangeError("as_of: a what-if looks forward; the date must not be before the profile's as_of")
    override = None
    if parsed.base is not None:
        month, multiple, base_cny = parsed.base
        if multiple is None:
            assert base_cny is not None
            try:
                average = policy.wage_for_month(month).average_monthly_cny
            except PolicyError as exc:
                raise ChangeError(str(exc)) from None
            multiple = base_cny / float(average)
        override = (month, multiple)
    projected = Projector(profile, policy, unknown_multiple).at(target, (), override=override)
    data = projected.to_json()
    if target == profile.as_of:
        data["permit"] = profile.permit.model_dump(mode="json")
    data["insurance_months"] += parsed.extra_months
    for field, value in parsed.sets.items():
        if "." in field:
            outer, inner = field.split(".", 1)
            data[outer] = {**data[outer], inner: value}
        else:
            data[field] = value
    if "remote_area.kind" in parsed.sets and "remote_area.since" not in parsed.sets:
        data["remote_area"]["since"] = None if data["remote_area"]["kind"] == "none" else profile.as_of.isoformat()
    try:
        return parse_profile(data)
    except ProfileError as exc:
        raise ChangeError(f"after the changes: {exc}") from None
