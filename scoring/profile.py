"""The scoring profile: what the calculator needs to know about one person.

Why store dates, not durations: the same profile is scored on many dates (today, the permit expiry,
a projection years ahead), so ages and years are derived on the assessment date, never stored.
The JSON field names are a public contract (issue #2) shared by the CLI, the dialogs and the tests.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    field_validator,
    model_validator,
)

from scoring.months import month_label, month_of


class Education(StrEnum):
    NONE = "none"
    COLLEGE = "college"
    BACHELOR = "bachelor"
    BACHELOR_DEGREE = "bachelor_degree"
    MASTER = "master"
    DOCTOR = "doctor"


class TitleSkill(StrEnum):
    NONE = "none"
    SKILL_5 = "skill_5"
    SKILL_4 = "skill_4"
    SKILL_3 = "skill_3"
    SKILL_2 = "skill_2"
    INTERMEDIATE = "intermediate"
    SKILL_1 = "skill_1"
    SENIOR = "senior"


class AreaKind(StrEnum):
    NONE = "none"
    LINGANG = "lingang"
    NEW_CITY = "new_city"


class Award(StrEnum):
    NONE = "none"
    MUNICIPAL_SPECIAL = "municipal_special"
    MUNICIPAL_COMPREHENSIVE = "municipal_comprehensive"
    PROVINCIAL = "provincial"


class RecordKind(StrEnum):
    FALSE_MATERIALS = "false_materials"
    DETENTION = "detention"
    CRIMINAL = "criminal"


_YM = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_MONTH = 1900 * 12
"""January 1900: earlier months are refused (nobody alive paid insurance then)."""
LAST_MONTH = 9999 * 12 + 11
"""December 9999, the last month a date can hold."""


def _parse_year_month(value: Any) -> int:
    """A ``YYYY-MM`` text, or (from code, not JSON files) a month index; both within 1900-01..9999-12.

    The range is checked here, before anything counts months: an index of a billion would otherwise reach the
    overlap check as a range of a billion months.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        if not FIRST_MONTH <= value <= LAST_MONTH:
            raise ValueError("must be a month written YYYY-MM")
        return value
    if not isinstance(value, str) or not (m := _YM.match(value)):
        raise ValueError("must be a month written YYYY-MM")
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12 or year < 1900:
        raise ValueError("must be a month written YYYY-MM")
    return year * 12 + month - 1


def _not_a_bool(value: Any) -> Any:
    """JSON ``true`` is not a count or an amount (pydantic alone would read it as 1)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


def _a_bool(value: Any) -> Any:
    """Only JSON ``true``/``false`` (pydantic alone would also take 1, "yes", "on")."""
    if value is not None and not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


Count = Annotated[int, BeforeValidator(_not_a_bool)]
Amount = Annotated[float, BeforeValidator(_not_a_bool)]
Flag = Annotated[bool, BeforeValidator(_a_bool)]


def _year_month_validator(value: Any) -> int:
    return _parse_year_month(value)


YearMonth = Annotated[
    int,
    Field(json_schema_extra={"format": "YYYY-MM"}),
    PlainSerializer(month_label, return_type=str),
]
"""A month as an integer index (see scoring.months), written ``YYYY-MM`` in JSON."""


class _Model(BaseModel):
    # No NaN or infinity in any number: a profile file may say Infinity, and nothing downstream can count it.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


class Contribution(_Model):
    """Months ``from``..``to`` (inclusive) paid at one base, as a multiple or in CNY."""

    start: YearMonth = Field(alias="from")
    end: YearMonth = Field(alias="to")
    multiple: Amount | None = Field(default=None, gt=0, le=10)
    base_cny: Amount | None = Field(default=None, gt=0, le=1_000_000)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month(cls, value: Any) -> int:
        return _year_month_validator(value)

    @model_validator(mode="after")
    def _one_base(self) -> Self:
        if (self.multiple is None) == (self.base_cny is None):
            raise ValueError("give exactly one of 'multiple' or 'base_cny'")
        if self.end < self.start:
            raise ValueError("'to' is before 'from'")
        return self

    @property
    def months(self) -> int:
        return self.end - self.start + 1


class Investment(_Model):
    avg_annual_tax_cny: Amount = Field(default=0, ge=0, le=1e12)
    share: Amount = Field(default=1.0, ge=0, le=1)
    avg_local_hires: Amount = Field(default=0, ge=0, le=1e7)


class RemoteArea(_Model):
    kind: AreaKind = AreaKind.NONE
    since: dt.date | None = None


class Record(_Model):
    kind: RecordKind
    date: dt.date
    sentence_years: Amount = Field(default=0, ge=0, le=100)


class Permit(_Model):
    valid: Flag = True
    expires_on: dt.date | None = None


LATEST_AS_OF = dt.date(2200, 12, 31)
"""Later assessment dates are refused: nothing meaningful, and date arithmetic would overflow."""


class Profile(_Model):
    """One person's answers. Only birth date, education and insurance months are required."""

    as_of: dt.date | None = None
    birth_date: dt.date
    education: Education
    full_time_graduation_date: dt.date | None = None
    title_skill: TitleSkill = TitleSkill.NONE
    title_skill_recognised: Flag = True
    title_skill_since: dt.date | None = None
    """When the current title or skill level was obtained (optional): the planner's skill ladder counts the
    years in the trade after it (POLICY.md §9); without it a plan says which prerequisite it assumed."""
    trade_years: float | None = Field(default=None, ge=0, le=80)
    """Years worked in the current trade or professional field (optional): the experience a title or the
    next skill level needs (POLICY.md §9)."""
    insurance_months: Count = Field(ge=0, le=1200)
    contributions: tuple[Contribution, ...] = ()
    shortage_major: Flag = False
    investment: Investment = Investment()
    public_service_since: dt.date | None = None
    remote_area: RemoteArea = RemoteArea()
    award: Award = Award.NONE
    hukou_spouse_married_on: dt.date | None = None
    innovation_talent: Flag = False
    records: tuple[Record, ...] = ()
    permit: Permit = Permit()
    employed_now: Flag | None = None
    """Employed in Shanghai and paying employee insurance now (POLICY.md §2): only an employer files.
    None (absent): derived from the contributions when given (see scoring.eligibility.employment), else true."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _check_contributions(self)
        if self.education is Education.NONE and self.full_time_graduation_date is not None:
            raise ValueError("full_time_graduation_date: set only for a full-time degree (education is none)")
        if self.title_skill is TitleSkill.NONE and self.title_skill_since is not None:
            raise ValueError("title_skill_since: set only with a title or skill level (title_skill is none)")
        if self.remote_area.kind is not AreaKind.NONE and self.remote_area.since is None:
            raise ValueError("remote_area.since: required when remote_area.kind is not none")
        if self.as_of is not None:
            if self.as_of > LATEST_AS_OF:  # month arithmetic (look-backs, projections) must stay within year 9999
                raise ValueError(f"as_of: {self.as_of.isoformat()} is after {LATEST_AS_OF.isoformat()}")
            _check_dates_not_after(self, self.as_of)
        return self

    def on(self, as_of: dt.date) -> Profile:
        """The same answers assessed on another date (validated again: dates must not be in the future)."""
        return self.model_validate({**self.to_json(), "as_of": as_of.isoformat()})

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def _check_contributions(p: Profile) -> None:
    """Ranges are compared as intervals, never expanded into months: the check costs the same for any range."""
    total = 0
    last: int | None = None  # the last month covered by the ranges so far (they are sorted by start)
    for i, c in enumerate(sorted(p.contributions, key=lambda c: c.start)):
        if last is not None and c.start <= last:
            raise ValueError(f"contributions[{i}]: months overlap another range ({month_label(c.start)})")
        last = c.end
        total += c.months
    if total > p.insurance_months:
        raise ValueError(
            f"contributions: cover {total} months, more than insurance_months ({p.insurance_months})"
        )
    if p.as_of is not None and last is not None and last > month_of(p.as_of):
        raise ValueError(f"contributions: month {month_label(last)} is after as_of")


_DATED_FIELDS: tuple[tuple[str, str], ...] = (
    ("birth_date", "birth_date"),
    ("full_time_graduation_date", "full_time_graduation_date"),
    ("public_service_since", "public_service_since"),
    ("hukou_spouse_married_on", "hukou_spouse_married_on"),
    ("title_skill_since", "title_skill_since"),
)


def _check_dates_not_after(p: Profile, as_of: dt.date) -> None:
    for name, label in _DATED_FIELDS:
        value = getattr(p, name)
        if value is not None and value > as_of:
            raise ValueError(f"{label}: {value.isoformat()} is after as_of ({as_of.isoformat()})")
    if p.remote_area.since is not None and p.remote_area.since > as_of:
        raise ValueError(f"remote_area.since: {p.remote_area.since.isoformat()} is after as_of")
    for i, r in enumerate(p.records):
        if r.date > as_of:
            raise ValueError(f"records[{i}].date: {r.date.isoformat()} is after as_of")


class ProfileError(ValueError):
    """A profile could not be read; the message names the field and fits on one line."""


def parse_profile(data: Any) -> Profile:
    """Validate raw JSON data into a Profile, turning pydantic's report into one readable line."""
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(describe_validation_error(exc)) from None


_PLAIN_KEY = re.compile(r"[\w-]+")
MAX_KEY_CHARS = 40
"""A longer key in an error message is cut (the message stays one readable line)."""


def _printable(text: str) -> str:
    """Control, line-breaking and other invisible characters escaped (``\\n``, ``\\u2028``): one line, always."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _key(part: int | str) -> str:
    """One step of an error's location: as typed when plain (``records``, ``0``, ``婚姻``), else quoted with its
    special characters escaped, and cut when absurdly long. The key may be anything a JSON file holds."""
    text = str(part)
    if len(text) <= MAX_KEY_CHARS and _PLAIN_KEY.fullmatch(text):
        return text
    cut = text[:MAX_KEY_CHARS]
    return _printable(repr(cut)) + ("…" if len(text) > MAX_KEY_CHARS else "")


def describe_validation_error(exc: ValidationError) -> str:
    """pydantic's first error as one line naming the field; keys and messages cannot break the line."""
    err = exc.errors(include_url=False)[0]
    loc = ".".join(_key(x) for x in err["loc"])
    msg = _printable(str(err["msg"]).removeprefix("Value error, "))
    if err["type"] == "extra_forbidden":
        msg = "unknown field"
    elif err["type"] == "enum" and "expected" in err.get("ctx", {}):
        msg = f"must be one of {err['ctx']['expected']}"
    text = f"{loc}: {msg}" if loc and not msg.startswith(loc) else msg
    more = len(exc.errors()) - 1
    return text + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


