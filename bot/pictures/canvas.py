"""A picture as a list of drawing primitives, drawn by two backends: PNG (Pillow) and SVG (text).

Why one layout and two backends: the card and the chart are laid out once (bot.pictures.card, bot.pictures.chart)
and the PNG that Telegram and WeChat send and the inline SVG of the web page are drawn from the same primitives,
so they cannot show different numbers. The primitives are what both can draw exactly: text at a baseline,
rectangles (rounded), and lines of horizontal and vertical segments (the score is a step function of the date,
and axis-parallel lines need no anti-aliasing in Pillow).

Text is measured with the vendored font (bot.pictures.fonts); the browser draws the SVG's text with the phone's
own Chinese font, whose widths are close (CJK glyphs are one em wide), and every label leaves room for that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.pictures.fonts import BOLD, REGULAR, font

INK = "#1a1a1a"
MUTED = "#4d4d4d"
"""Secondary text: 8.6:1 on white (WCAG AA asks 4.5:1)."""
RULE = "#c8c8c8"
PASS = "#17693a"
"""7.0:1 on white."""
SHORT = "#a3460a"
"""6.1:1 on white."""
BAR = "#1d4ed8"
BAR_UNCERTAIN = "#7c9cf0"
DEDUCTION = "#b91c1c"
PLAN = "#a3460a"
TRACK = "#e8ecf5"
WHITE = "#ffffff"


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float
    """The baseline."""
    text: str
    size: int
    color: str = INK
    weight: int = REGULAR
    anchor: str = "start"  # "start" | "middle" | "end"


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: str
    radius: float = 0


@dataclass(frozen=True, slots=True)
class Path:
    """Connected segments through ``points`` (each horizontal or vertical), optionally dashed."""

    points: tuple[tuple[float, float], ...]
    color: str
    width: float
    dash: float = 0
    """Length of a dash and of the gap after it; 0 draws a solid line."""


Item = Text | Rect | Path


@dataclass(frozen=True, slots=True)
class Canvas:
    width: int
    height: int
    title: str
    """The picture's accessible name (the SVG's <title>)."""
    desc: str
    """Its text alternative (the SVG's <desc>, the alt text of a PNG)."""
    items: list[Item] = field(default_factory=list)
    background: str = WHITE


def text_width(text: str, size: int, weight: int = REGULAR) -> float:
    return float(font(size, weight).getlength(text))


def fit(text: str, size: int, width: float, *, weight: int = REGULAR, smallest: int = 0) -> tuple[str, int]:
    """The text at the largest size down to ``smallest`` that fits ``width``; below that, cut with an ellipsis."""
    smallest = smallest or size
    for s in range(size, smallest - 1, -1):
        if text_width(text, s, weight) <= width:
            return text, s
    cut = text
    while cut and text_width(cut + "…", smallest, weight) > width:
        cut = cut[:-1]
    return cut.rstrip() + "…", smallest


def wrap(text: str, size: int, width: float, *, weight: int = REGULAR) -> list[str]:
    """Lines of at most ``width``: broken at spaces between Latin words and between any two Chinese characters."""
    tokens: list[str] = []
    for word in text.split(" "):
        run = ""
        for ch in word:
            if ord(ch) >= 0x2E80 and ch not in "，。；：、）」』":
                if run:
                    tokens.append(run)
                run = ch
            else:
                run += ch
        tokens.append(run + " ")
    lines: list[str] = []
    current = ""
    for token in tokens:
        candidate = current + token
        if current and text_width(candidate.rstrip(), size, weight) > width:
            lines.append(current.rstrip())
            current = token
        else:
            current = candidate
    if current.strip():
        lines.append(current.rstrip())
    return lines


__all__ = ["BOLD", "REGULAR", "Canvas", "Item", "Path", "Rect", "Text", "fit", "text_width", "wrap"]
