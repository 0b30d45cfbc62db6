"""The score card's layout: 1080 × 1350 (a phone screen's 4:5), readable when shown a third of its size.

Top to bottom: the title; the total, large, with "points · standard 120"; the status (reaches / short by);
a bar of the total against the standard with the 120 mark; one bar per counted item with its points (a deduction
in red, to the left of the zero line; a starred, lighter bar for points to confirm); the date, the rule version
and "an estimate". Sizes are for a 1080-pixel-wide image: the smallest text is 28 px (9 px on a 360-px screen
showing the card whole; people zoom into a picture, and the numbers are 34 px and more).
"""

from __future__ import annotations

from bot.pictures.canvas import (
    BAR,
    BAR_UNCERTAIN,
    BOLD,
    DEDUCTION,
    INK,
    MUTED,
    PASS,
    RULE,
    SHORT,
    TRACK,
    WHITE,
    Canvas,
    Path,
    Rect,
    Text,
    fit,
    text_width,
    wrap,
)
from dialogs.pictures import Bar, ScoreCard

WIDTH, HEIGHT = 1080, 1350
WEB_WIDTH = 720
"""The web page's card: drawn narrower, so that shown 330 px wide on a phone its smallest text is 13 px; its rows
put the label above the bar, and its height follows the rows."""
MARGIN = 72
ROW_MAX, ROW_MIN = 96, 44
STACKED_ROW = 92
FOOTER_SIZE = 28
POINTS_WIDTH = 110


def card_canvas(card: ScoreCard, width: int = WIDTH) -> Canvas:
    """The PNG's card at 1080 × 1350 (``width`` = ``WIDTH``), or the web's narrower one of its content's height."""
    stacked = width < WIDTH
    inner = width - 2 * MARGIN
    c = Canvas(width, HEIGHT, card.title, card.alt)
    items = c.items
    items.append(Rect(0, 0, width, 16, PASS if card.passes else SHORT))
    title, size = fit(card.title, 40, inner, weight=BOLD, smallest=28)
    items.append(Text(MARGIN, 96, title, size, INK, BOLD))
    big = 200 if not stacked else 150
    total = str(card.total)
    base = 110 + big * 0.95
    items.append(Text(MARGIN, base, total, big, INK, BOLD))
    after = MARGIN + text_width(total, big, BOLD) + 24
    label, size = fit(card.total_label, 44 if not stacked else 34, width - MARGIN - after, smallest=24)
    items.append(Text(after, base - 4, label, size, MUTED))
    color = PASS if card.passes else SHORT
    status, size = fit(card.status, 46 if not stacked else 38, inner, weight=BOLD, smallest=26)
    items.append(Text(MARGIN, base + 84, status, size, color, BOLD))
    _progress(card, items, base + 124, inner)
    footer = _footer(card, inner)
    top = base + 260
    if stacked:
        bottom = top + STACKED_ROW * len(card.bars)
        _stacked_bars(card, items, top, inner)
        height = int(bottom + 48 + len(footer) * (FOOTER_SIZE + 14))
        c = Canvas(width, height, card.title, card.alt, items)
    else:
        bottom = HEIGHT - 48 - len(footer) * (FOOTER_SIZE + 14)
        _bars(card, items, top, bottom, inner)
    y = bottom + 8
    items.append(Path(((MARGIN, y), (width - MARGIN, y)), RULE, 2))
    for line, line_color in footer:
        y += FOOTER_SIZE + 14
        items.append(Text(MARGIN, y, line, FOOTER_SIZE, line_color))
    return c


def _progress(card: ScoreCard, items: list[Rect | Text | Path], y: float, inner: float) -> None:
    """The total against the standard: a track to 1.25 × the standard (or the total), the standard marked."""
    scale = max(card.standard * 1.25, card.total, 1)
    height = 40
    items.append(Rect(MARGIN, y, inner, height, TRACK, height / 2))
    filled = inner * max(0, card.total) / scale
    if filled > 0:
        items.append(Rect(MARGIN, y, max(filled, height), height, PASS if card.passes else SHORT, height / 2))
    mark = MARGIN + inner * card.standard / scale
    items.append(Path(((mark, y - 14), (mark, y + height + 14)), INK, 4))
    items.append(Text(mark, y + height + 52, str(card.standard), 34, INK, BOLD, "middle"))


def _scale(card: ScoreCard, area: float) -> tuple[float, float, int]:
    """Pixels a point, and where the zero line is in the bars' area (a deduction goes left of it)."""
    highest = max(max(b.points for b in card.bars), 1)
    lowest = min(min(b.points for b in card.bars), 0)
    scale = area / (highest - lowest)
    return scale, -lowest * scale, lowest


def _bar(items: list[Rect | Text | Path], bar: Bar, left: float, zero: float, scale: float, y: float, height: float,
         base: float, size: int) -> None:
    length = abs(bar.points) * scale
    x = left + zero if bar.points >= 0 else left + zero - length
    color = DEDUCTION if bar.points < 0 else (BAR if bar.certain else BAR_UNCERTAIN)
    if length > 0:
        items.append(Rect(x, y, max(length, 6), height, color, 6))
    points = f"{bar.points:+d}" if bar.points < 0 else str(bar.points)
    end = left + zero + length + 14 if bar.points >= 0 else left + zero + 14
    items.append(Text(end, base, points, size, DEDUCTION if bar.points < 0 else INK, BOLD))


def _label(bar: Bar) -> str:
    return bar.label + ("" if bar.certain else " *")


def _bars(card: ScoreCard, items: list[Rect | Text | Path], top: float, bottom: float, inner: float) -> None:
    """One row per counted item: the label left, the bar right of it."""
    rows = card.bars
    if not rows:
        return
    row = max(ROW_MIN, min(ROW_MAX, (bottom - top) / len(rows)))
    size = round(min(38, row * 0.5))
    label_width = inner * 0.36
    left = MARGIN + label_width + 20
    area = MARGIN + inner - POINTS_WIDTH - left
    scale, zero, lowest = _scale(card, area)
    if lowest < 0:
        items.append(Path(((left + zero, top), (left + zero, top + row * len(rows))), RULE, 2))
    for i, bar in enumerate(rows):
        y = top + i * row
        base = y + row * 0.68
        label, label_size = fit(_label(bar), size, label_width, smallest=max(20, size - 8))
        items.append(Text(MARGIN, base, label, label_size, INK))
        height = row * 0.56
        _bar(items, bar, left, zero, scale, y + (row - height) / 2, height, base, size)


def _stacked_bars(card: ScoreCard, items: list[Rect | Text | Path], top: float, inner: float) -> None:
    """One row per counted item on a narrow card: the label above, the bar under it across the whole width."""
    if not card.bars:
        return
    scale, zero, _ = _scale(card, inner - POINTS_WIDTH)
    for i, bar in enumerate(card.bars):
        y = top + i * STACKED_ROW
        label, size = fit(_label(bar), 30, inner, smallest=24)
        items.append(Text(MARGIN, y + 30, label, size, INK))
        _bar(items, bar, MARGIN, zero, scale, y + 42, 30, y + 68, 30)


def _footer(card: ScoreCard, inner: float) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if card.uncertain_note:
        lines += [(line, INK) for line in wrap(card.uncertain_note, FOOTER_SIZE, inner)]
    for text in card.footer:
        lines += [(line, MUTED) for line in wrap(text, FOOTER_SIZE, inner)]
    return lines


__all__ = ["HEIGHT", "WEB_WIDTH", "WHITE", "WIDTH", "card_canvas"]
