"""The typed shape of the guide (``params/guide.yaml``): steps, documents, the lists answered, dated numbers.

Why typed at load, like :mod:`scoring.parameters`: the guide is data people edit when a source changes (a new
login, a new processing time). A misspelt document, an item that is not a scoring item, a level that does not
exist or a missing citation must stop start-up with the file and the path of the bad value, not surface as a
``KeyError`` in somebody's conversation, or as a fact shown without its source.

Why dated: a fact holds from a date (``from``), and until another replaces it (``until``, inclusive): the
employer's login changed to 一网通办 on 2026-02-28, the processing time was shortened in 2025. What is shown on
a date is what holds on that date, so a profile assessed in 2025 gets the 2025 steps.

This module knows no words: each entry names a message (``guide.<kind>.<id>``) that dialogs/guide renders.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoring.assessment import ITEM_IDS
from scoring.policy import PolicyError
from scoring.profile import Education, TitleSkill
from scoring.yaml_files import packaged_yaml, read_yaml, validated

Confidence = Literal["H", "M", "L"]
SECTIONS: tuple[str, ...] = (
    "check", "status", "benefits", "hukou", "returned", "invalid", "lapse", "renewal", "notice", "employer",
)
"""The lists the guide answers (dialogs/guide names a renderer for each): the file must give every one."""
NUMBERS: tuple[str, ...] = ("file_after_permit_days", "processing_working_days", "endorsement_grace_days")
LEVELS: Mapping[str, frozenset[str]] = {
    "education": frozenset(e.value for e in Education),
    "title_skill": frozenset(t.value for t in TitleSkill),
}
"""The items whose documents may depend on the level scored (``when``), and the levels each has."""
_WEAKEST = {"H": 0, "M": 1, "L": 2}


class GuideError(PolicyError):
    """The guide file does not follow the schema described at the top of params/guide.yaml."""


class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sourced(_Closed):
    conf: Confidence
    cite: str = Field(min_length=1, pattern=r"\S")


class _Dated(_Sourced):
    from_: dt.date = Field(alias="from")
    until: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.until is not None and self.until < self.from_:
            raise ValueError(f"until ({self.until}) is before from ({self.from_})")
        return self


class _Value(_Dated):
    value: int = Field(strict=True, ge=0)


class _Number(_Closed):
    description: str = ""
    values: list[_Value] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> Self:
        starts = [v.from_ for v in self.values]
        if starts != sorted(set(starts)):
            raise ValueError("values must have distinct 'from' dates, earliest first")
        return self


class _Entry(_Dated):
    id: str = Field(min_length=1, pattern=r"^[a-z_]+$")


class _Base(_Sourced):
    employer: list[str] = Field(min_length=1)
    applicant: list[str] = Field(min_length=1)


class _When(_Closed):
    level: list[str] = Field(min_length=1)
    add: list[str] = Field(min_length=1)


class _Item(_Sourced):
    documents: list[str]
    when: list[_When] = []
    note: bool = False


class _Family(_Sourced):
    documents: list[str] = Field(min_length=1)


class _Section(_Closed):
    footer: bool = False
    entries: list[_Entry] = Field(min_length=1)


class _Meta(_Closed):
    cite: str = Field(min_length=1)


class _File(_Closed):
    meta: _Meta
    numbers: dict[str, _Number]
    steps: list[_Entry] = Field(min_length=1)
    documents: dict[str, _Dated]
    base: _Base
    items: dict[str, _Item]
    family: _Family
    sections: dict[str, _Section]


@dataclass(frozen=True, slots=True)
class Fact:
    """One dated, cited entry: a step, a document, a line of a list. Its words are ``guide.<kind>.<id>``."""

    id: str
    starts: dt.date
    until: dt.date | None
    conf: Confidence
    cite: str

    def holds_on(self, on: dt.date) -> bool:
        return self.starts <= on and (self.until is None or on <= self.until)


@dataclass(frozen=True, slots=True)
class ItemDocuments:
    """The documents of one scoring item: always ``documents``, plus ``when`` the level scored is listed."""

    item: str
    documents: tuple[str, ...]
    when: tuple[tuple[frozenset[str], tuple[str, ...]], ...]
    note: bool
    conf: Confidence
    cite: str

    def for_level(self, level: str | None) -> tuple[str, ...]:
        extra = [doc for levels, add in self.when if level in levels for doc in add]
        return tuple(dict.fromkeys([*self.documents, *extra]))


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    entries: tuple[Fact, ...]
    footer: bool

    def on(self, day: dt.date) -> tuple[Fact, ...]:
        return tuple(e for e in self.entries if e.holds_on(day))

    def conf_on(self, day: dt.date) -> Confidence:
        """The weakest mark of what is shown on ``day``: the mark the whole answer carries."""
        return weakest(e.conf for e in self.on(day))


@dataclass(frozen=True, slots=True)
class Guide:
    cite: str
    numbers: Mapping[str, tuple[tuple[dt.date, int, Confidence, str], ...]]
    steps: tuple[Fact, ...]
    documents: Mapping[str, Fact]
    employer_documents: tuple[str, ...]
    applicant_documents: tuple[str, ...]
    base_conf: Confidence
    base_cite: str
    items: Mapping[str, ItemDocuments]
    family_documents: tuple[str, ...]
    family_conf: Confidence
    family_cite: str
    sections: Mapping[str, Section]

    def number(self, name: str, on: dt.date) -> int:
        """The value in force on ``on`` (the earliest one before the first date: the guide has no gap)."""
        values = self.numbers[name]
        current = values[0][1]
        for starts, value, _, _ in values:
            if starts <= on:
                current = value
        return current

    def number_history(self, name: str, on: dt.date) -> tuple[tuple[dt.date, int, Confidence, str], ...]:
        """The values up to the one in force on ``on``, earliest first (what was said before, and since when)."""
        values = self.numbers[name]
        shown = tuple(v for v in values if v[0] <= on)
        return shown or values[:1]

    def steps_on(self, on: dt.date) -> tuple[Fact, ...]:
        return tuple(s for s in self.steps if s.holds_on(on))


def weakest(marks: Any) -> Confidence:
    found: Confidence = "H"
    for mark in marks:
        if _WEAKEST[mark] > _WEAKEST[found]:
            found = mark
    return found


def _fact(entry: _Dated, key: str) -> Fact:
    return Fact(key, entry.from_, entry.until, entry.conf, entry.cite)


def _check(parsed: _File) -> None:
    """Cross-references the schema alone cannot see: every name resolves, nothing is declared twice or unused."""
    missing_numbers = [n for n in NUMBERS if n not in parsed.numbers]
    unknown_numbers = [n for n in parsed.numbers if n not in NUMBERS]
    if missing_numbers or unknown_numbers:
        raise ValueError(f"numbers: expected exactly {', '.join(NUMBERS)}")
    if sorted(parsed.sections) != sorted(SECTIONS):
        raise ValueError(f"sections: expected exactly {', '.join(SECTIONS)}")
    for name, section in parsed.sections.items():
        ids = [e.id for e in section.entries]
        if len(ids) != len(set(ids)):
            raise ValueError(f"sections.{name}: an entry id is used twice")
    ids = [s.id for s in parsed.steps]
    if len(ids) != len(set(ids)):
        raise ValueError("steps: a step id is used twice")
    used: list[tuple[str, str]] = [("base.employer", d) for d in parsed.base.employer]
    used += [("base.applicant", d) for d in parsed.base.applicant]
    used += [("family", d) for d in parsed.family.documents]
    for item, docs in parsed.items.items():
        if item not in ITEM_IDS:
            raise ValueError(f"items.{item}: not a scoring item ({', '.join(ITEM_IDS)})")
        if docs.when and item not in LEVELS:
            raise ValueError(f"items.{item}.when: only {', '.join(LEVELS)} have levels")
        for i, w in enumerate(docs.when):
            bad = sorted(set(w.level) - LEVELS.get(item, frozenset()))
            if bad:
                raise ValueError(f"items.{item}.when[{i}].level: no such level {', '.join(bad)}")
            used += [(f"items.{item}.when[{i}]", d) for d in w.add]
        used += [(f"items.{item}", d) for d in docs.documents]
        if not docs.documents and not docs.when:
            raise ValueError(f"items.{item}: lists no document (leave the item out instead)")
    for where, doc in used:
        if doc not in parsed.documents:
            raise ValueError(f"{where}: document {doc!r} is not declared under documents")
    unused = sorted(set(parsed.documents) - {doc for _, doc in used})
    if unused:
        raise ValueError(f"documents: declared but never listed: {', '.join(unused)}")


def _build(raw: Any, source: str) -> Guide:
    parsed = validated(_File, raw, "guide", source, GuideError)
    try:
        _check(parsed)
    except ValueError as exc:
        raise GuideError(f"guide file {source}: {exc}") from None
    items = {
        item: ItemDocuments(item, tuple(d.documents), tuple((frozenset(w.level), tuple(w.add)) for w in d.when),
                            d.note, d.conf, d.cite)
        for item, d in parsed.items.items()
    }
    return Guide(
        cite=parsed.meta.cite,
        numbers={n: tuple((v.from_, v.value, v.conf, v.cite) for v in parsed.numbers[n].values) for n in NUMBERS},
        steps=tuple(_fact(s, s.id) for s in parsed.steps),
        documents={key: _fact(d, key) for key, d in parsed.documents.items()},
        employer_documents=tuple(parsed.base.employer),
        applicant_documents=tuple(parsed.base.applicant),
        base_conf=parsed.base.conf,
        base_cite=parsed.base.cite,
        items={item: items[item] for item in ITEM_IDS if item in items},  # in the breakdown's order
        family_documents=tuple(parsed.family.documents),
        family_conf=parsed.family.conf,
        family_cite=parsed.family.cite,
        sections={name: Section(name, tuple(_fact(e, e.id) for e in parsed.sections[name].entries),
                                parsed.sections[name].footer) for name in SECTIONS},
    )


def parse_guide(raw: Any, source: str) -> Guide:
    return _build(raw, source)


def load_guide(path: str | Path | None = None) -> Guide:
    """The packaged guide (cached), or another file (tests, a revised draft)."""
    if path is None:
        return _default_guide()
    return _build(read_yaml(path, "guide", GuideError), str(path))


@lru_cache(maxsize=1)
def _default_guide() -> Guide:
    return _build(*packaged_yaml("guide.yaml"))
