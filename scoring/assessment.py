"""The calculator's answer: a total with an item-by-item breakdown.

Why message keys and not sentences: the core must stay free of I/O and of any language; each item
carries a message key and its arguments, and the channel renders them in the user's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

ITEM_IDS: tuple[str, ...] = (
    "age", "education", "title_skill", "insurance_years", "contribution_base", "shortage_major",
    "investment", "public_service", "remote_area", "fresh_graduate", "award", "hukou_spouse",
    "innovation_talent", "false_materials", "detention", "criminal",
)
"""Every assessment lists these items, in this order (the JSON contract of issue #2)."""


class Item(NamedTuple):
    """One indicator's result. A NamedTuple: immutable and cheap, sixteen are built per assessment."""

    id: str
    points: int
    counted: bool
    certain: bool
    reason: str
    args: dict[str, Any]
    citation: str


def counted_total(items: Iterable[Item]) -> int:
    """The sum of the points of the items that count.

    By position, not by field name: on a NamedTuple an index is about twice as fast as an attribute,
    and this runs for every assessment and every planner projection.
    """
    total = 0
    for i in items:
        if i[2]:  # counted
            total += i[1]  # points
    return total


@dataclass(frozen=True, slots=True)
class Reason:
    """Why someone cannot apply (yet): a message key with its arguments."""

    code: str
    args: dict[str, Any] = field(default_factory=dict)


class Assessment(NamedTuple):
    """A NamedTuple like Item: immutable and cheap to build (planners build thousands)."""

    as_of: dt.date
    total: int
    standard: int
    eligible: bool
    vetoed: bool
    ineligible_reasons: tuple[Reason, ...]
    items: tuple[Item, ...]
    notes: tuple[Reason, ...] = ()

    @property
    def shortfall(self) -> int:
        return max(0, self.standard - self.total)

    @property
    def passes(self) -> bool:
        return self.eligible and not self.vetoed and self.total >= self.standard

    @property
    def certain(self) -> bool:
        return all(i.certain for i in self.items if i.counted and i.points)

    def item(self, item_id: str) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def points(self, item_id: str) -> int:
        """Points an item adds to the total (0 when it does not count)."""
        i = self.item(item_id)
        return i.points if i.counted else 0
