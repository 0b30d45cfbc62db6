"""Policy parameters: dated values with a citation and a confidence mark, loaded from YAML.

Why dated values: the Measures change by revision and the average wage changes every 1 July, while
people plan years ahead; scoring on any date must pick the value in force on that date, and a new
revision must be a data change, not a code change. All file I/O happens in :func:`load_policy`.

Why everything is validated there: each dated value is checked against its type in
:mod:`scoring.parameters`, and the typed :class:`~scoring.parameters.Parameters` in force on every
"epoch" (the span between two effective dates) are built and checked up front. A malformed file stops
the process at start-up with the file and the path of the bad value; resolving the rules of a date is
then a lookup, and the rules read typed attributes.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from scoring.months import first_month_on_or_after, month_label
from scoring.parameters import LEAVES, Parameters, Wage

Confidence = Literal["H", "M", "L"]
CONFIDENCE_ORDER: dict[str, int] = {"L": 0, "M": 1, "H": 2}

T = TypeVar("T")


class PolicyError(ValueError):
    """The parameter file is malformed or lacks a value for the date asked."""


class _DatedValueModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    start: dt.date = Field(alias="from")
    value: Any  # typed per parameter by scoring.parameters, with the place of the value in errors
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
    """One value of a parameter (typed, see :mod:`scoring.parameters`) and the date from which it is in force."""

    start: dt.date
    value: Any
    conf: str
    cite: str


@dataclass(frozen=True, slots=True)
class Parameter:
    """One parameter's history, for its provenance (citation, confidence); the rules read :class:`Parameters`."""

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
    """All parameters in force on one date: the typed values an indicator reads, and their provenance."""

    on_epoch: dt.date
    params: Parameters
    entries: Mapping[str, DatedValue] = field(repr=False)
    """The dated value in force of each parameter, by its name in the file (for citations)."""
    _memo: dict[tuple[str, ...], tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)
    items: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)
    """Results that depend only on the rules of this epoch and a small key (see scoring.indicators).

    Bounded by :data:`MEMO_LIMIT`: write through :meth:`remember`.
    """

    def remember(self, key: tuple[Any, ...], value: T) -> T:
        """Store ``value`` in the epoch memo and return it; a full memo starts over (entries are recomputable)."""
        if len(self.items) >= MEMO_LIMIT:
            self.items.clear()
        self.items[key] = value
        return value

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
    """A loaded and validated parameter file. Immutable; share one instance per process."""

    def __init__(self, name: str, valid_from: dt.date, valid_until: dt.date, cite: str,
                 parameters: dict[str, Parameter], epochs: Sequence[Rules],
                 wages: Sequence[tuple[dt.date, Wage]]) -> None:
        self.name = name
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.cite = cite
        self.parameters = parameters
        self.dates: frozenset[dt.date] = frozenset(v.start for p in parameters.values() for v in p.values)
        """Every date from which some value changes."""
        self._epochs = tuple(epochs)
        self._epoch_starts = tuple(r.on_epoch for r in epochs)
        self._wages = tuple(w for _, w in wages)
        self._wage_starts = tuple(d for d, _ in wages)
        self._wage_changes = tuple(first_month_on_or_after(d) for d in self._wage_starts)
        self._by_date: dict[dt.date, Rules] = {}
        self._month_cache: dict[int, Wage] = {}  # bounded in wage_for_month

    def rules(self, on: dt.date) -> Rules:
        """Every parameter's value in force on ``on`` (one object per epoch, looked up per date on the hot path)."""
        hit = self._by_date.get(on)
        if hit is not None:
            return hit
        if len(self._by_date) > 20_000:  # a long-running process sees a bounded set of dates
            self._by_date.clear()
        i = bisect.bisect_right(self._epoch_starts, on) - 1
        if i < 0:
            raise PolicyError(f"no points rules are loaded for dates before {self.valid_from.isoformat()}")
        self._by_date[on] = found = self._epochs[i]
        return found

    def wage_change_months(self) -> tuple[int, ...]:
        """Month indices, ascending, from which :meth:`wage_for_month` gives new values.

        Between two of them the wage figures are constant, so per-month work (converting a base in CNY)
        can be done once per span instead of once per month.
        """
        return self._wage_changes

    def wage_for_month(self, month: int) -> Wage:
        """The wage figures in force on the first day of a month index (see :mod:`scoring.months`).

        Unlike :meth:`rules` this reaches back before ``valid_from``: contributions paid before the
        Measures still count towards their look-back windows.
        """
        hit = self._month_cache.get(month)
        if hit is None:
            i = bisect.bisect_right(self._wage_starts, dt.date(month // 12, month % 12 + 1, 1)) - 1
            if i < 0:
                raise PolicyError(f"no city average wage is loaded for {month_label(month)}")
            hit = self._wages[i]
            if len(self._month_cache) > 20_000:  # a what-if may name any month of a 4-digit year
                self._month_cache.clear()
            self._month_cache[month] = hit
        return hit


def error_path(loc: Sequence[int | str]) -> str:
    """A path like ``parameters.age.cap.values[0].value`` from a pydantic error location."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":  # pydantic's mark for a bad key of a mapping
            out += " (the key)"
        else:
            out += f".{part}" if out else part
    return out


_UNKNOWN_FIELD = frozenset({"extra_forbidden", "unexpected_keyword_argument"})


def first_error(exc: ValidationError) -> tuple[tuple[int | str, ...], str]:
    """The location and message of a validation error, worded for someone editing a parameter file."""
    err = exc.errors(include_url=False)[0]
    msg = "unknown field" if err["type"] in _UNKNOWN_FIELD else str(err["msg"]).removeprefix("Value error, ")
    return tuple(err["loc"]), msg


@cache
def _adapter(name: str) -> TypeAdapter[Any]:
    return TypeAdapter(LEAVES[name])


_PARAMETERS = TypeAdapter(Parameters)
_WAGE = TypeAdapter(Wage)


def _nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"age.cap": 30}`` -> ``{"age": {"cap": 30}}``: the dotted names are paths into Parameters."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        *groups, leaf = name.split(".")
        node = out
        for g in groups:
            node = node.setdefault(g, {})
        node[leaf] = value
    return out


class _Loader:
    """Validate one parsed file into a :class:`Policy`; errors name ``source`` and the path of the bad value."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, msg: str) -> PolicyError:
        return PolicyError(f"policy file {self.source}: {where}: {msg}")

    def build(self, raw: Any) -> Policy:
        try:
            parsed = _FileModel.model_validate(raw)
        except ValidationError as exc:
            loc, msg = first_error(exc)
            raise self.fail(error_path(loc), msg) from None
        m = parsed.meta
        if m.valid_until < m.valid_from:
            raise self.fail("meta.valid_until", "must not be before meta.valid_from")
        params = self.parameters(parsed.parameters)
        starts = sorted({v.start for p in params.values() for v in p.values})
        epochs = [m.valid_from, *(d for d in starts if d > m.valid_from)]
        wage_names = [n for n in LEAVES if n.startswith("wage.")]
        first_wage = max(params[n].values[0].start for n in wage_names)
        wage_starts = sorted({v.start for n in wage_names for v in params[n].values if v.start >= first_wage})
        wages = [(on, self.wage(params, wage_names, on)) for on in wage_starts]  # first: they reach back furthest
        rules = [Rules(on, *self.in_force(params, on)) for on in epochs]
        return Policy(m.name, m.valid_from, m.valid_until, m.cite, params, rules, wages)

    def parameters(self, raw: Mapping[str, _ParameterModel]) -> dict[str, Parameter]:
        """Each parameter named in the schema, each dated value validated against the parameter's type."""
        for name in raw:
            if name not in LEAVES:
                raise self.fail(f"parameters.{name}", "unknown parameter (not in scoring.parameters)")
        for name in LEAVES:
            if name not in raw:
                raise self.fail(f"parameters.{name}", "missing parameter")
        out: dict[str, Parameter] = {}
        for name, p in raw.items():
            values = []
            for i, v in enumerate(p.values):
                try:
                    typed = _adapter(name).validate_python(v.value)
                except ValidationError as exc:
                    loc, msg = first_error(exc)
                    raise self.fail(error_path(("parameters", name, "values", i, "value", *loc)), msg) from None
                values.append(DatedValue(v.start, typed, v.conf, v.cite))
            out[name] = Parameter(name, p.description, tuple(values), tuple(v.start for v in values))
        return out

    def in_force(self, params: Mapping[str, Parameter], on: dt.date) -> tuple[Parameters, dict[str, DatedValue]]:
        """The typed parameters in force on ``on``, checked together (constraints across values hold too)."""
        entries: dict[str, DatedValue] = {}
        for name, p in params.items():
            try:
                entries[name] = p.at(on)
            except PolicyError:
                raise self.fail(f"parameters.{name}", f"no value in force on {on.isoformat()} "
                                "(every parameter needs one from meta.valid_from)") from None
        try:
            typed = _PARAMETERS.validate_python(_nest({k: e.value for k, e in entries.items()}))
        except ValidationError as exc:
            raise self.fail(*self.explain(exc, params, on)) from None
        return typed, entries

    def wage(self, params: Mapping[str, Parameter], names: Sequence[str], on: dt.date) -> Wage:
        """The wage figures in force on ``on``, checked together (also before ``valid_from``: see History)."""
        try:
            return _WAGE.validate_python({n.removeprefix("wage."): params[n].at(on).value for n in names})
        except ValidationError as exc:
            raise self.fail(*self.explain(exc, params, on, prefix=("wage",))) from None

    def explain(self, exc: ValidationError, params: Mapping[str, Parameter], on: dt.date,
                prefix: tuple[str, ...] = ()) -> tuple[str, str]:
        """Where a check across values failed: the parameter's dated value in force, or the group checked."""
        loc, msg = first_error(exc)
        loc = (*prefix, *loc)
        for n in range(len(loc), 0, -1):
            name = ".".join(str(x) for x in loc[:n])
            if name in params:
                i = params[name].values.index(params[name].at(on))
                return error_path(("parameters", name, "values", i, "value", *loc[n:])), msg
        group = ".".join(str(x) for x in loc)
        return f"parameters.{group} (the values in force on {on.isoformat()})", msg


def parse_policy(data: Any, source: str) -> Policy:
    """Validate parsed parameter data (the YAML document as Python values); errors name ``source``."""
    return _Loader(source).build(data)


def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate a parameter file; without a path, the packaged Shanghai parameters (cached)."""
    if path is None:
        return _default_policy()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read policy file {path}: {exc}") from exc
    return parse_policy(raw, str(path))


def policy_or_default(policy: Policy | None) -> Policy:
    """The one place where the packaged policy stands in for one not given.

    The scoring entry points keep ``policy`` optional so that a library caller can score in one line; every
    long-lived caller (the engine, the CLI with ``--policy``) passes its policy once and for all.
    """
    return load_policy() if policy is None else policy


@lru_cache(maxsize=1)
def _default_policy() -> Policy:
    text = resources.files("scoring").joinpath("params/shanghai_points.yaml").read_text(encoding="utf-8")
    return parse_policy(yaml.safe_load(text), "scoring/params/shanghai_points.yaml")
