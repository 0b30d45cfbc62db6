"""Policy parameters: dated values with a citation and a confidence mark, loaded from YAML.

Why dated values: the Measures change by revision and the average wage changes every 1 July, while
people plan years ahead; scoring on any date must pick the value in force on that date, and a new
revision must be a data change, not a code change. All file I/O happens in :func:`load_policy`;
afterwards resolving a value is pure and cached per "epoch" (the span between two effective dates).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scoring.months import month_of

Confidence = Literal["H", "M", "L"]
CONFIDENCE_ORDER: dict[str, int] = {"L": 0, "M": 1, "H": 2}

T = TypeVar("T")


class PolicyError(ValueError):
    """The parameter file is malformed or lacks a value for the date asked."""


class _DatedValueModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: dt.date = Field(alias="from")
    value: Any
    conf: Confidence
    cite: str = Field(min_length=1)


class _ParameterModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str = ""
    values: list[_DatedValueModel] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _sorted_and_distinct(cls, values: list[_DatedValueModel]) -> list[_DatedValueModel]:
        starts = [v.start for v in values]
        if starts != sorted(set(starts)):
            raise ValueError("dated values must be in increasing order of 'from', without repeats")
        return values


class _MetaModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    valid_from: dt.date
    valid_until: dt.date
    cite: str


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meta: _MetaModel
    parameters: dict[str, _ParameterModel]


@dataclass(frozen=True, slots=True)
class DatedValue:
    """One value of a parameter and the date from which it is in force."""

    start: dt.date
    value: Any
    conf: str
    cite: str


@dataclass(frozen=True, slots=True)
class Parameter:
    key: str
    description: str
    values: tuple[DatedValue, ...]
    _starts: tuple[dt.date, ...] = field(repr=False, default=())

    def at(self, on: dt.date) -> DatedValue:
        i = bisect.bisect_right(self._starts, on) - 1
        if i < 0:
            raise PolicyError(f"parameter {self.key!r} has no value in force on {on.isoformat()}")
        return self.values[i]


MEMO_LIMIT = 4096
"""Most entries one epoch's :attr:`Rules.items` memo holds before it starts over.

Its keys are small finite domains (an age, a month count, a level), so it holds a few hundred entries
for ordinary traffic and under 2,000 for 10,000 random profiles (about 0.5 kB each); the limit only
guards a long-running process against pathological answers. Starting over costs a few rebuilt items.
"""


@dataclass(frozen=True, slots=True)
class Rules:
    """All parameters resolved for one date: what an indicator function reads."""

    on_epoch: dt.date
    entries: dict[str, DatedValue]
    values: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[tuple[str, ...], tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)
    items: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)
    """Results that depend only on the rules of this epoch and a small key (see scoring.indicators).

    Bounded by :data:`MEMO_LIMIT`: write through :meth:`remember`.
    """

    def __post_init__(self) -> None:
        self.values.update({k: e.value for k, e in self.entries.items()})

    def remember(self, key: tuple[Any, ...], value: T) -> T:
        """Store ``value`` in the epoch memo and return it; a full memo starts over (entries are recomputable)."""
        if len(self.items) >= MEMO_LIMIT:
            self.items.clear()
        self.items[key] = value
        return value

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def conf(self, *keys: str) -> str:
        """The weakest confidence among the named parameters."""
        return self.conf_and_cite(keys)[0]

    def cite(self, *keys: str) -> str:
        """The distinct citations of the named parameters, in order."""
        return self.conf_and_cite(keys)[1]

    def conf_and_cite(self, keys: tuple[str, ...]) -> tuple[str, str]:
        hit = self._memo.get(keys)
        if hit is None:
            entries = [self.entries[k] for k in keys]
            conf = min((e.conf for e in entries), key=CONFIDENCE_ORDER.__getitem__)
            hit = (conf, "; ".join(dict.fromkeys(e.cite for e in entries)))
            self._memo[keys] = hit
        return hit


class Policy:
    """A loaded parameter file. Immutable; share one instance per process."""

    def __init__(self, name: str, valid_from: dt.date, valid_until: dt.date, cite: str,
                 parameters: dict[str, Parameter]) -> None:
        self.name = name
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.cite = cite
        self.parameters = parameters
        self._epochs = sorted({v.start for p in parameters.values() for v in p.values})
        self._rules_cache: dict[int, Rules] = {}
        self._by_date: dict[dt.date, Rules] = {}
        self._month_cache: dict[tuple[str, int], DatedValue] = {}  # bounded in for_month
        self._changes: dict[tuple[str, ...], tuple[int, ...]] = {}  # keyed on parameter names in the code

    def param(self, key: str) -> Parameter:
        try:
            return self.parameters[key]
        except KeyError:
            raise PolicyError(f"unknown parameter {key!r}") from None

    def rules(self, on: dt.date) -> Rules:
        """Every parameter's value in force on ``on`` (cached per epoch, and per date for the hot path)."""
        hit = self._by_date.get(on)
        if hit is not None:
            return hit
        if len(self._by_date) > 20_000:  # a long-running process sees a bounded set of dates
            self._by_date.clear()
        self._by_date[on] = found = self._rules_for(on)
        return found

    def _rules_for(self, on: dt.date) -> Rules:
        i = bisect.bisect_right(self._epochs, on) - 1
        if i < 0 or on < self.valid_from:
            raise PolicyError(f"no points rules are loaded for dates before {self.valid_from.isoformat()}")
        cached = self._rules_cache.get(i)
        if cached is None:
            entries = {}
            for key, p in self.parameters.items():
                try:
                    entries[key] = p.at(on)
                except PolicyError:
                    continue
            cached = Rules(self._epochs[i], entries)
            self._rules_cache[i] = cached
        return cached

    def change_months(self, *keys: str) -> tuple[int, ...]:
        """Month indices, ascending, from which :meth:`for_month` gives a new value of any of ``keys``.

        Between two of them every such value is constant, so per-month work (converting a base in CNY)
        can be done once per span instead of once per month.
        """
        hit = self._changes.get(keys)
        if hit is None:
            hit = tuple(sorted({_first_month_on_or_after(v.start) for k in keys for v in self.param(k).values}))
            self._changes[keys] = hit
        return hit

    def for_month(self, key: str, month: int) -> DatedValue:
        """The value in force on the first day of a month index (see :mod:`scoring.months`)."""
        cache_key = (key, month)
        hit = self._month_cache.get(cache_key)
        if hit is None:
            hit = self.param(key).at(dt.date(month // 12, month % 12 + 1, 1))
            if len(self._month_cache) > 20_000:  # a what-if may name any month of a 4-digit year
                self._month_cache.clear()
            self._month_cache[cache_key] = hit
        return hit


def _first_month_on_or_after(d: dt.date) -> int:
    return month_of(d) if d.day == 1 else month_of(d) + 1


def _build(raw: Any) -> Policy:
    try:
        parsed = _FileModel.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(x) for x in err["loc"])
        raise PolicyError(f"policy file: {where}: {err['msg']}") from None
    params: dict[str, Parameter] = {}
    for key, p in parsed.parameters.items():
        values = tuple(DatedValue(v.start, v.value, v.conf, v.cite) for v in p.values)
        params[key] = Parameter(key, p.description, values, tuple(v.start for v in values))
    m = parsed.meta
    return Policy(m.name, m.valid_from, m.valid_until, m.cite, params)


def load_policy(path: str | Path | None = None) -> Policy:
    """Load a parameter file; without a path, the packaged Shanghai parameters (cached)."""
    if path is None:
        return _default_policy()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc}") from exc
    return _build(raw)


@lru_cache(maxsize=1)
def _default_policy() -> Policy:
    text = resources.files("scoring").joinpath("params/shanghai_points.yaml").read_text(encoding="utf-8")
    return _build(yaml.safe_load(text))
