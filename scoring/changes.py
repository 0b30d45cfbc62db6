"""The what-if change syntax: small strings that the CLI, the dialogs and the tests all produce.

One change per string:

- ``FIELD=VALUE`` sets a profile field; nested fields use a dot (``remote_area.kind=lingang``).
  Values are written as in the profile JSON: enum words, numbers, ``true``/``false``, ``YYYY-MM-DD``,
  or ``null`` (``remote_area.kind=none``, ``public_service_since=null``, ``innovation_talent=false`` remove
  or end something). ``FIELD=VALUE from YYYY-MM-DD`` (or ``from YYYY-MM``) makes it true from that date on;
  a date field set to a later date (``hukou_spouse_married_on=2027-05-01``) takes effect on that date.
  Setting ``remote_area.kind`` without ``remote_area.since`` means "since the change takes effect".
- ``insurance_months+=N`` adds insured months; ``insurance_months=N`` says how many there are now (the months
  after now accrue on top either way).
- ``contributions+=1.5x from YYYY-MM`` (or ``15000cny``): the base from that month on, replacing what was
  there; a CNY base is converted with the average wage in force in that month. Without ``from`` the base
  starts when the planner would date it (scoring.actions.base_timing): a raise from the next July
  declaration, a rise of more than about 30 % after a job change, a lower base from the first full month.
- ``contributions=none from YYYY-MM`` stops paying from that month on (quitting, unemployment);
  ``contributions=none from YYYY-MM for 6m`` is a gap of 6 months, after which paying resumes at the
  multiple paid before. Months without contributions accrue no insured months, leave the tier windows and
  the 6-of-12 eligibility window empty, and no employer files in them (POLICY.md §2).
- ``as_of=YYYY-MM-DD``, ``as_of+=12m``, ``as_of+=2y``: the date to look at as well as today (the person keeps
  working: insurance accrues, contributions continue at the current multiple, they age).

Why strings: they are easy to type on a command line, easy for the conversation to produce from a
free-text question, and easy to show back to the user (in words, see dialogs.whatif_reply).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import TypeAdapter, ValidationError

from scoring.actions import BaseChange, BaseTiming, base_timing
from scoring.months import add_months, first_day, first_month_on_or_after, month_from_label, month_label, month_of
from scoring.policy import Policy, PolicyError
from scoring.profile import Profile, ProfileError, parse_profile
from scoring.projection import Projector

SETTABLE: frozenset[str] = frozenset({
    "as_of", "birth_date", "education", "full_time_graduation_date", "title_skill", "title_skill_recognised",
    "insurance_months", "shortage_major", "public_service_since", "award", "hukou_spouse_married_on",
    "innovation_talent", "remote_area.kind", "remote_area.since", "investment.avg_annual_tax_cny",
    "investment.share", "investment.avg_local_hires", "permit.valid", "permit.expires_on", "employed_now",
})
DATE_FIELDS: frozenset[str] = frozenset({
    "full_time_graduation_date", "public_service_since", "hukou_spouse_married_on", "remote_area.since",
})
"""Fields whose value is the date the thing began: a later date defers the change to that date."""
FLAG_FIELDS: frozenset[str] = frozenset({
    "title_skill_recognised", "shortage_major", "innovation_talent", "permit.valid", "employed_now",
})
"""Yes/no fields: a change may say yes/no as people and the profile's readers do ("yes", "0", "false")."""

_DATE = r"(\d{4}-\d{2}(?:-\d{2})?)"
_SET = re.compile(rf"^\s*([a-z_.]+)\s*=\s*(.+?)(?:\s+from\s+{_DATE})?\s*$")
_ADD_MONTHS = re.compile(r"^\s*insurance_months\s*\+=\s*(\d{1,4})\s*$")
_BASE = re.compile(r"^\s*contributions\s*\+=\s*(\d+(?:\.\d+)?)\s*(x|cny)(?:\s+from\s+(\d{4})-(\d{2}))?\s*$", re.I)
_GAP = re.compile(r"^\s*contributions\s*\+?=\s*none\s+from\s+(\d{4})-(\d{2})(?:\s+for\s+(\d{1,3})\s*m)?\s*$", re.I)
_AS_OF_SHIFT = re.compile(r"^\s*as_of\s*\+=\s*(\d{1,3})\s*([my])\s*$")
MAX_CHANGES = 20


class ChangeError(ValueError):
    """A change string is malformed or leads to an invalid profile; the message says which."""


@dataclass(frozen=True, slots=True)
class Gap:
    """Months without contributions: from month index ``first``, for ``months`` (None: for good)."""

    first: int
    months: int | None

    def covers(self, month: int) -> bool:
        return self.first <= month and (self.months is None or month < self.first + self.months)


@dataclass(frozen=True, slots=True)
class Parsed:
    sets: dict[str, Any]
    starts: dict[str, dt.date]
    """The ``from`` date of a set, when one was given."""
    extra_months: int
    base: tuple[int | None, float | None, float | None] | None
    """(first month, multiple, base_cny); the month is None when not said (scoring.actions.base_timing dates it)."""
    gap: Gap | None
    as_of: dt.date | None
    shift_months: int

    @property
    def changes_profile(self) -> bool:
        """Whether anything but the date to look at changes."""
        return bool(self.sets or self.extra_months or self.base or self.gap)


_BOOL = TypeAdapter(bool)


def flag(value: Any) -> bool | None:
    """A yes/no value as the profile reads it ("true", "false", "1", "no"...), None if it is not one."""
    try:
        return _BOOL.validate_python(value)
    except ValidationError:
        return None


def _value(raw: str) -> Any:
    """``null``, ``true`` and ``false`` as JSON has them (a yes/no field takes only a real boolean); anything else
    stays text for the profile's own validation (numbers, dates, enum words)."""
    word = raw.lower()
    if word == "null":
        return None
    if word in ("true", "false"):
        return word == "true"
    return raw


def _month(year: str, month: str, text: str) -> int:
    if not 1 <= int(month) <= 12:
        raise ChangeError(f"{text!r}: the month must be YYYY-MM")
    return int(year) * 12 + int(month) - 1


def _date(raw: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw if len(raw) > 7 else f"{raw}-01")
    except ValueError:
        raise ChangeError(f"{text!r}: the date must be YYYY-MM-DD or YYYY-MM") from None


def parse_changes(changes: Sequence[str]) -> Parsed:
    if len(changes) > MAX_CHANGES:
        raise ChangeError(f"at most {MAX_CHANGES} changes at a time")
    sets: dict[str, Any] = {}
    starts: dict[str, dt.date] = {}
    extra, base, gap, as_of, shift = 0, None, None, None, 0
    for text in changes:
        if len(text) > 200:
            raise ChangeError("a change is at most 200 characters")
        if m := _ADD_MONTHS.match(text):
            extra += int(m.group(1))
        elif m := _BASE.match(text):
            month = None if m.group(3) is None else _month(m.group(3), m.group(4), text)
            amount = float(m.group(1))
            if amount <= 0:
                raise ChangeError(f"{text!r}: the base must be positive")
            base = (month, amount, None) if m.group(2).lower() == "x" else (month, None, amount)
        elif m := _GAP.match(text):
            months = None if m.group(3) is None else int(m.group(3))
            if months == 0:
                raise ChangeError(f"{text!r}: a gap lasts at least 1 month")
            gap = Gap(_month(m.group(1), m.group(2), text), months)
        elif m := _AS_OF_SHIFT.match(text):
            shift += int(m.group(1)) * (12 if m.group(2) == "y" else 1)
        elif m := _SET.match(text):
            field, raw, start = m.group(1), m.group(2), m.group(3)
            if field not in SETTABLE:
                raise ChangeError(f"{text!r}: unknown field {field!r} (one of: {', '.join(sorted(SETTABLE))})")
            if field == "as_of":
                if start is not None:
                    raise ChangeError(f"{text!r}: as_of takes no 'from'")
                try:
                    as_of = dt.date.fromisoformat(raw)
                except ValueError:
                    raise ChangeError(f"{text!r}: as_of must be YYYY-MM-DD") from None
            elif field in FLAG_FIELDS:
                value = flag(raw)
                if value is None:
                    raise ChangeError(f"{text!r}: {field} is yes or no (true/false)")
                sets[field] = value
                if start is not None:
                    starts[field] = _date(start, text)
            else:
                sets[field] = _value(raw)
                if start is not None:
                    starts[field] = _date(start, text)
        else:
            raise ChangeError(f"{text!r}: not a change (FIELD=VALUE, insurance_months+=N, "
                              "contributions+=1.5x from YYYY-MM, contributions=none from YYYY-MM for 6m, "
                              "as_of+=12m)")
    return Parsed(sets, starts, extra, base, gap, as_of, shift)


class Changed:
    """The person with the changes, on any date from the profile's ``as_of`` on.

    Like scoring.projection, which it builds on: they keep working and ageing; a set takes effect on its
    date, a base change or a gap from its month. On ``as_of`` itself nothing is projected, so the change is
    compared with the very profile it changes (the same-date counterfactual of scoring.whatif).
    """

    def __init__(self, profile: Profile, changes: Sequence[str], policy: Policy, unknown_multiple: float,
                 base_change: BaseChange | None = None) -> None:
        assert profile.as_of is not None
        self.profile, self.policy = profile, policy
        self.as_of: dt.date = profile.as_of
        parsed = parse_changes(changes)
        self.projector = Projector(profile, policy, unknown_multiple)
        gap = parsed.gap
        if gap is not None and gap.first < self.projector.first_new_month():
            # Months already paid stay paid: "停缴半年" said once this month is paid starts next month.
            if gap.first < month_of(self.as_of):
                raise ChangeError("contributions=none: a gap starts this month or later")
            gap = Gap(self.projector.first_new_month(), gap.months)
            parsed = replace(parsed, gap=gap)
        self.parsed = parsed
        self.look = self._look(parsed)
        self.base_timing: BaseTiming | None = None
        """How an undated base change was dated (as the planner dates it)."""
        self.override = self._override(parsed, base_change)
        self.effective = {field: self._effective(field, value) for field, value in parsed.sets.items()}

    def _look(self, parsed: Parsed) -> dt.date | None:
        if parsed.as_of is None and not parsed.shift_months:
            return None
        target = add_months(parsed.as_of or self.as_of, parsed.shift_months)
        if target < self.as_of:
            raise ChangeError("as_of: a what-if looks forward; the date must not be before the profile's as_of")
        return target

    def _override(self, parsed: Parsed, base_change: BaseChange | None) -> tuple[int, float] | None:
        if parsed.base is None:
            return None
        month, multiple, base_cny = parsed.base
        if month is None:
            month = self._base_month(multiple, base_cny, base_change)
        if multiple is None:
            assert base_cny is not None
            multiple = base_cny / float(self._average(month))
        return month, multiple

    def _average(self, month: int) -> float:
        try:
            return float(self.policy.wage_for_month(month).average_monthly_cny)
        except PolicyError as exc:
            raise ChangeError(str(exc)) from None

    def _base_month(self, multiple: float | None, base_cny: float | None, change: BaseChange | None) -> int:
        """The first month of an undated base change: as the planner would date it (a raise from the next July
        declaration, a larger rise after a job change), a lower base from the first full month."""
        first = first_month_on_or_after(self.as_of)
        target = multiple if multiple is not None else (base_cny or 0) / self._average(first)
        current = self.projector.multiple
        if change is None or target <= current:
            return first
        try:
            rules = self.policy.rules(self.as_of)
        except PolicyError as exc:
            raise ChangeError(str(exc)) from None
        self.base_timing = base_timing(current, target, self.as_of, rules, change)
        return self.base_timing.first_month

    def _effective(self, field: str, value: Any) -> dt.date:
        """The date from which a set holds: its ``from``, a later date it names, or the profile's date."""
        start = self.parsed.starts.get(field)
        if start is None and field == "remote_area.kind":
            start = self.parsed.starts.get("remote_area.since")
            since = self.parsed.sets.get("remote_area.since")
            if start is None and isinstance(since, str):
                start = self._named_date(since)
        if start is None and field in DATE_FIELDS and isinstance(value, str):
            start = self._named_date(value)
        return max(start or self.as_of, self.as_of)

    @staticmethod
    def _named_date(raw: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return None  # the profile's own validation names the bad value

    def dates(self) -> set[dt.date]:
        """The dates on which a change takes effect (after ``as_of``): a projection may differ from then on."""
        out = {d for d in self.effective.values() if d > self.as_of}
        for first in (self.override[0] if self.override else None,
                      *((self.parsed.gap.first, self._gap_end()) if self.parsed.gap else ())):
            if first is not None and first_day(first) > self.as_of:
                out.add(first_day(first))
        return out

    def _gap_end(self) -> int | None:
        gap = self.parsed.gap
        return None if gap is None or gap.months is None else gap.first + gap.months

    def at(self, on: dt.date) -> Profile:
        """The changed profile on ``on`` (>= as_of), validated again: a change cannot sneak in an invalid profile."""
        if on < self.as_of:
            raise ChangeError("a what-if looks forward: the date must not be before the profile's as_of")
        parsed = self.parsed
        if on == self.as_of:
            data = self.profile.to_json()
            if self.override is not None or parsed.gap is not None:
                data["contributions"] = self.projector.at(on, (), override=self.override).to_json()["contributions"]
        else:
            data = self.projector.at(on, (), override=self.override).to_json()
        if parsed.gap is not None:
            self._apply_gap(data, on, parsed.gap)
        data["insurance_months"] += parsed.extra_months
        for field, value in parsed.sets.items():
            if self.effective[field] > on:
                continue
            if field == "insurance_months":  # the months insured now; later months accrue on top
                data[field] += self._months(value) - self.profile.insurance_months
                continue
            if "." in field:
                outer, inner = field.split(".", 1)
                data[outer] = {**data[outer], inner: value}
            else:
                data[field] = value
        if "title_skill" in parsed.sets and self.effective["title_skill"] <= on and data.get("title_skill_since"):
            # A new level is obtained when the change holds (the date of the one held no longer applies).
            level = data["title_skill"]
            data["title_skill_since"] = None if level in (None, "none") else self.effective["title_skill"].isoformat()
        area = data["remote_area"]
        if "remote_area.kind" in parsed.sets and self.effective["remote_area.kind"] <= on:
            if area["kind"] == "none":
                data["remote_area"] = {"kind": "none", "since": None}
            elif "remote_area.since" not in parsed.sets:
                data["remote_area"] = {**area, "since": self.effective["remote_area.kind"].isoformat()}
        try:
            return parse_profile(data)
        except ProfileError as exc:
            raise ChangeError(f"after the changes: {exc}") from None

    @staticmethod
    def _months(value: Any) -> int:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ChangeError(f"insurance_months={value}: a whole number of months") from None

    def _apply_gap(self, data: dict[str, Any], on: dt.date, gap: Gap) -> None:
        """Cut the gap's months out of the contributions; no insured months and no employer in them."""
        kept: list[dict[str, Any]] = []
        removed = 0
        for c in data["contributions"]:
            lo, hi = month_from_label(c["from"]), month_from_label(c["to"])
            end = hi if gap.months is None else min(hi, gap.first + gap.months - 1)
            cut_lo, cut_hi = max(lo, gap.first), end
            if cut_lo > cut_hi:
                kept.append(c)
                continue
            removed += cut_hi - cut_lo + 1
            if lo < cut_lo:
                kept.append({**c, "to": month_label(cut_lo - 1)})
            if cut_hi < hi:
                kept.append({**c, "from": month_label(cut_hi + 1)})
        data["contributions"] = kept
        data["insurance_months"] -= removed
        current = month_of(on)
        if gap.covers(current) or gap.covers(current - 1):
            data["employed_now"] = False  # not paying now (or just stopped): no employer files (POLICY.md §2)
