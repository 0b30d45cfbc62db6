"""Item-by-item difference of two assessments: what a plan or a what-if changes."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.assessment import Assessment


@dataclass(frozen=True, slots=True)
class ItemChange:
    id: str
    before: int
    after: int


def diff(before: Assessment, after: Assessment) -> tuple[ItemChange, ...]:
    """Items whose contribution to the total differs (an item that stops counting goes to 0)."""
    out = []
    for b, a in zip(before.items, after.items, strict=True):
        pb, pa = (b.points if b.counted else 0), (a.points if a.counted else 0)
        if pb != pa:
            out.append(ItemChange(b.id, pb, pa))
    return tuple(out)
