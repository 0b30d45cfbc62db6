"""The road-to-120 chart's layout: the projected total by month as steps, the standard as a dashed line.

Top to bottom: the title; the legend (keep working: a solid blue line; the top plan: a dashed orange one — told
apart by the dash as well as the colour); the plot (years on the x-axis, points on the y-axis from a little below
the lowest point, every 10 labelled; reach dates as thin lines of their series' colour, renewals as grey dotted
lines); under it the marked dates in words, one a line, and the assumptions. Width 1080; the height follows the
number of lines (about 1,150).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.pictures.canvas import (
    BAR,
    BOLD,
    INK,
    MUTED,
    PLAN,
    RULE,
    WHITE,
    Canvas,
    Item,
    Path,
    Rect,
    Text,
    fit,
    text_width,
    wrap,
)
from dialogs.pictures import RoadChart

WIDTH = 1080
WEB_WIDTH = 720
"""The web page's chart: narrower, so its text stays readable (13 px and more) when shown 330 px wide."""
LEFT, RIGHT = 112, 48
TEXT = 32
LINE = TEXT + 16
SERIES_STYLE = ((BAR, 0.0), (PLAN, 18.0))
"""(colour, dash) of keep working and of the plan."""


def chart_canvas(chart: RoadChart, width: int = WIDTH) -> Canvas:
    items: list[Item] = []
    inner = width - LEFT - RIGHT
    plot_height = 600 if width >= WIDTH else 460
    title, size = fit(chart.title, 44, width - 2 * 48, weight=BOLD, smallest=32)
    items.append(Text(48, 76, title, size, INK, BOLD))
    y = 96.0
    for (color, dash), series in zip(SERIES_STYLE, chart.series, strict=False):
        lines = wrap(series.label, TEXT, width - 48 - 48 - 96)
        y += LINE
        items.append(Path(((48, y - 10), (128, y - 10)), color, 8, dash / 2))
        for i, line in enumerate(lines):
            items.append(Text(48 + 96, y + i * LINE, line, TEXT, INK))
        y += (len(lines) - 1) * LINE
    top = y + 48
    bottom = top + plot_height
    low = max(0, min([chart.standard, *(v for s in chart.series for _, v in s.points)]) // 10 * 10 - 10)
    high = chart.top
    days = max(1, (chart.end - chart.start).days)

    def x_of(d: dt.date) -> float:
        return LEFT + inner * (d - chart.start).days / days

    def y_of(v: float) -> float:
        return bottom - plot_height * (v - low) / (high - low)

    for v in range(low, high + 1, 10):
        axis = v == low
        items.append(Path(((LEFT, y_of(v)), (LEFT + inner, y_of(v))), MUTED if axis else RULE, 3 if axis else 2))
        items.append(Text(LEFT - 16, y_of(v) + 11, str(v), 30, MUTED, anchor="end"))
    items.append(Text(LEFT, bottom + 52, chart.start.strftime("%Y-%m"), 30, MUTED))
    for year in chart.years:
        x = x_of(dt.date(year, 1, 1))
        if x - LEFT < 150:  # the start's label is there
            continue
        items.append(Path(((x, bottom), (x, bottom + 14)), MUTED, 3))
        items.append(Text(x, bottom + 52, str(year), 30, MUTED, anchor="middle"))
    for marker in chart.markers:
        if marker.kind == "words":
            continue
        x = x_of(marker.on)
        color = RULE if marker.kind == "renewal" else _series_color(chart, marker.on)
        items.append(Path(((x, top), (x, bottom)), color if marker.kind == "reach" else MUTED, 3,
                          0 if marker.kind == "reach" else 6))
    standard_y = y_of(chart.standard)
    items.append(Path(((LEFT, standard_y), (LEFT + inner, standard_y)), INK, 4, 14))
    label, size = fit(chart.standard_label, 30, inner / 2, weight=BOLD)
    label_width = text_width(label, size, BOLD)
    items.append(Rect(LEFT + inner - 28 - label_width, standard_y - 48, label_width + 24, 40, WHITE, 6))
    items.append(Text(LEFT + inner - 16, standard_y - 16, label, size, INK, BOLD, "end"))
    for (color, dash), series in zip(SERIES_STYLE, chart.series, strict=False):
        items.append(Path(_steps(series.points, chart.end, x_of, y_of), color, 7, dash))
    y = bottom + 60
    for marker in chart.markers:
        y += LINE
        color = MUTED if marker.kind == "renewal" else _series_color(chart, marker.on)
        if marker.kind != "words":
            items.append(Path(((48, y - 32), (48, y + 4)), color, 6, 0 if marker.kind == "reach" else 6))
        items.append(Text(72, y, marker.label, TEXT, INK))
    y += 16
    for line in wrap(chart.note, 28, width - 96):
        y += 40
        items.append(Text(48, y, line, 28, MUTED))
    return Canvas(width, int(y + 40), chart.title, chart.alt, items)


def _series_color(chart: RoadChart, on: dt.date) -> str:
    """The colour of the series that reaches on ``on`` (the plan's when both do)."""
    for (color, _), series in reversed(list(zip(SERIES_STYLE, chart.series, strict=False))):
        if series.reaches_on == on:
            return color
    return INK


def _steps(points: tuple[tuple[dt.date, int], ...], end: dt.date, x_of: Callable[[dt.date], float],
           y_of: Callable[[float], float]) -> tuple[tuple[float, float], ...]:
    """Each total held until the next date, then a vertical step: the score changes on dates, never between."""
    out: list[tuple[float, float]] = []
    for i, (d, v) in enumerate(points):
        nxt = points[i + 1][0] if i + 1 < len(points) else end
        y = y_of(v)
        out += [(x_of(d), y), (x_of(nxt), y)]
    return tuple(out)
