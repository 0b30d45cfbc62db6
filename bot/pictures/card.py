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
from dialogs.pictures import ScoreCard

WIDTH, HEIGHT = 1080, 1350
MARGIN = 72
INNER = WIDTH - 2 * MARGIN
LABEL_WIDTH = 340
POINTS_WIDTH = 110
ROW_MAX, ROW_MIN = 96, 44
FOOTER_SIZE = 28


def card_canvas(card: ScoreCard) -> Canvas:
    c = Canvas(WIDTH, HEIGHT, card.title, card.alt)
    items = c.items
    items.append(Rect(0, 0, WIDTH, 16, PASS if card.passes else SHORT))
    title, size = fit(card.title, 40, INNER, weight=BOLD, smallest=30)
    items.append(Text(MARGIN, 104, title, size, INK, BOLD))
    total = str(card.total)
    items.append(Text(MARGIN, 300, total, 200, INK, BOLD))
    after = MARGIN + text_width(total, 200, BOLD) + 28
    label, size = fit(card.total_label, 44, WIDTH - MARGIN - after, smallest=30)
    items.append(Text(after, 296, label, size, MUTED))
    color = PASS if card.passes else SHORT
    status, size = fit(card.status, 46, INNER, weight=BOLD, smallest=30)
    items.append(Text(MARGIN, 384, status, size, color, BOLD))
    _progress(card, items, 424)
    footer = _footer(card)
    top, bottom = 560, HEIGHT - 48 - len(footer) * (FOOTER_SIZE + 14)
    _bars(card, items, top, bottom)
    y = bottom + 8
    items.append(Path(((MARGIN, y), (WIDTH - MARGIN, y)), RULE, 2))
    for line, line_color in footer:
        y += FOOTER_SIZE + 14
        items.append(Text(MARGIN, y, line, FOOTER_SIZE, line_color))
    return c


def _progress(card: ScoreCard, items: list[Rect | Text | Path], y: float) -> None:
    """The total against the standard: a track to 1.25 × the standard (or the total), the standard marked."""
    scale = max(card.standard * 1.25, card.total, 1)
    height = 40
    items.append(Rect(MARGIN, y, INNER, height, TRACK, height / 2))
    filled = INNER * max(0, card.total) / scale
    if filled > 0:
        items.append(Rect(MARGIN, y, max(filled, height), height, PASS if card.passes else SHORT, height / 2))
    mark = MARGIN + INNER * card.standard / scale
    items.append(Path(((mark, y - 14), (mark, y + height + 14)), INK, 4))
    items.append(Text(mark, y + height + 52, str(card.standard), 34, INK, BOLD, "middle"))


def _bars(card: ScoreCard, items: list[Rect | Text | Path], top: float, bottom: float) -> None:
    """One row per counted item; a deduction goes left of a zero line placed where the largest one fits."""
    rows = card.bars
    if not rows:
        return
    row = max(ROW_MIN, min(ROW_MAX, (bottom - top) / len(rows)))
    size = round(min(38, row * 0.5))
    area_left = MARGIN + LABEL_WIDTH + 20
    area = WIDTH - MARGIN - POINTS_WIDTH - area_left
    highest = max(max(b.points for b in rows), 1)
    lowest = min(min(b.points for b in rows), 0)
    scale = area / (highest - lowest)
    zero = area_left - lowest * scale
    if lowest < 0:
        items.append(Path(((zero, top), (zero, top + row * len(rows))), RULE, 2))
    for i, bar in enumerate(rows):
        y = top + i * row
        base = y + row * 0.68
        label = bar.label + ("" if bar.certain else " *")
        label, label_size = fit(label, size, LABEL_WIDTH, smallest=max(20, size - 8))
        items.append(Text(MARGIN, base, label, label_size, INK))
        height = row * 0.56
        length = abs(bar.points) * scale
        x = zero if bar.points >= 0 else zero - length
        color = DEDUCTION if bar.points < 0 else (BAR if bar.certain else BAR_UNCERTAIN)
        if length > 0:
            items.append(Rect(x, y + (row - height) / 2, max(length, 6), height, color, 6))
        points = f"{bar.points:+d}" if bar.points < 0 else str(bar.points)
        end = zero + length + 14 if bar.points >= 0 else zero + 14
        items.append(Text(end, base, points, size, DEDUCTION if bar.points < 0 else INK, BOLD))


def _footer(card: ScoreCard) -> list[tuple[str, str]]:
    lines: list[tuple[str, str]] = []
    if card.uncertain_note:
        lines += [(line, INK) for line in wrap(card.uncertain_note, FOOTER_SIZE, INNER)]
    for text in card.footer:
        lines += [(line, MUTED) for line in wrap(text, FOOTER_SIZE, INNER)]
    return lines


__all__ = ["HEIGHT", "WHITE", "WIDTH", "card_canvas"]
