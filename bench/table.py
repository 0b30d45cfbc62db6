"""A benchmark row and the markdown table they make."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    figure: str
    value: str
    target: str
    ok: bool


def markdown(rows: list[Row]) -> str:
    lines = ["| figure | measured | target | met |", "|---|---|---|---|"]
    lines += [f"| {r.figure} | {r.value} | {r.target} | {'yes' if r.ok else 'NO'} |" for r in rows]
    return "\n".join(lines)
