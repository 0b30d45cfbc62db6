"""Which documents this person files: the base set, those of the items that score for them, the family's.

Why from the assessment and not from the answers: an item "counts" only where the calculator says so — a title
that loses to the education, or a title whose base condition fails, brings no title documents; a skill ladder
that scores a lower level names that level's certificate. So the list follows ``Item.counted`` and the points,
exactly as the breakdown does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from scoring.assessment import Assessment
from scoring.guide.data import Confidence, Guide

BASE = "base"
FAMILY = "family"


@dataclass(frozen=True, slots=True)
class Group:
    """One group of the checklist: ``item`` is a scoring item id, ``"base"`` or ``"family"``."""

    item: str
    documents: tuple[str, ...]
    employer_documents: tuple[str, ...]
    """Only for the base group: what the employer provides (``documents`` then is the applicant's part)."""
    points: int | None
    args: dict[str, Any]
    """The item's arguments (its level, its area) for the words."""
    note: bool
    conf: Confidence
    cites: tuple[str, ...]


def checklist(guide: Guide, on: dt.date, a: Assessment | None = None) -> tuple[Group, ...]:
    """Base, then each item that adds points and has documents of its own (breakdown order), then the family.

    Without an assessment (nothing known yet about the person) only the base and the family groups.

    A document may appear in two groups (the marriage certificate proves the spouse item and lets the family
    share the benefits): each group stays complete on its own.
    """
    order = {d: i for i, d in enumerate(guide.documents)}

    def held(docs: tuple[str, ...]) -> tuple[str, ...]:
        """In the order the file declares them (a degree certificate after the graduation certificate)."""
        return tuple(sorted((d for d in docs if guide.documents[d].holds_on(on)), key=order.__getitem__))

    employer, applicant = held(guide.employer_documents), held(guide.applicant_documents)
    groups = [Group(BASE, applicant, employer, None, {}, False, guide.base_conf,
                    _cites(guide, (*employer, *applicant), guide.base_cite))]
    for item in () if a is None else a.items:
        docs = guide.items.get(item.id)
        if docs is None or not item.counted or item.points <= 0:
            continue
        level = item.args.get("level")
        listed = held(docs.for_level(str(level) if level is not None else None))
        if not listed:
            continue
        groups.append(Group(item.id, listed, (), item.points, dict(item.args), docs.note, docs.conf,
                            _cites(guide, listed, docs.cite)))
    family = held(guide.family_documents)
    groups.append(Group(FAMILY, family, (), None, {}, False, guide.family_conf,
                        _cites(guide, family, guide.family_cite)))
    return tuple(groups)


def _cites(guide: Guide, docs: tuple[str, ...], cite: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys([cite, *(guide.documents[d].cite for d in docs)]))
