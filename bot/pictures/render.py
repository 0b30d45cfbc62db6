"""Draw a picture: ``png(picture)`` for Telegram and WeChat, ``svg(picture)`` for the web page.

PNG encoding is most of the cost of a picture (drawing a card is ~5 ms). The pictures are flat colours and
anti-aliased text, so they are drawn in RGB and encoded at zlib level ``PNG_COMPRESS_LEVEL``: at level 1
a whole card is drawn and encoded in about 23 ms instead of 31.5 ms at Pillow's default (level 6), for a file
10 % larger (bench/RESULTS.md, bench/web_bench.py).
"""

from __future__ import annotations

import io
from html import escape
from itertools import count

from PIL import Image, ImageDraw

from bot.pictures import card, chart
from bot.pictures.canvas import Canvas, Path, Rect, Text
from bot.pictures.card import card_canvas
from bot.pictures.chart import chart_canvas
from bot.pictures.fonts import font
from dialogs.pictures import Picture, ScoreCard

PNG_COMPRESS_LEVEL = 1
FONT_STACK = ("'Noto Sans SC', 'Noto Sans CJK SC', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', "
              "'Source Han Sans SC', sans-serif")
"""The SVG's text uses the phone's own Chinese font (the page loads no web font: page weight)."""
_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}
_ids = count(1)


def canvas(picture: Picture, *, web: bool = False) -> Canvas:
    """The picture's layout: for a PNG (1080 wide), or for the web page (720 wide, its text larger in proportion)."""
    if isinstance(picture, ScoreCard):
        return card_canvas(picture, card.WEB_WIDTH if web else card.WIDTH)
    return chart_canvas(picture, chart.WEB_WIDTH if web else chart.WIDTH)


def png(picture: Picture) -> bytes:
    return png_of(canvas(picture))


def svg(picture: Picture) -> str:
    """The web page's inline SVG (its narrower layout)."""
    return svg_of(canvas(picture, web=True))


def png_of(c: Canvas) -> bytes:
    image = Image.new("RGB", (c.width, c.height), c.background)
    draw = ImageDraw.Draw(image)
    for item in c.items:
        if isinstance(item, Rect):
            box = (round(item.x), round(item.y), round(item.x + item.w) - 1, round(item.y + item.h) - 1)
            if item.radius:
                draw.rounded_rectangle(box, radius=round(item.radius), fill=item.fill)
            else:
                draw.rectangle(box, fill=item.fill)
        elif isinstance(item, Text):
            draw.text((item.x, item.y), item.text, font=font(item.size, item.weight), fill=item.color,
                      anchor=_ANCHORS[item.anchor])
        else:
            _path(draw, item)
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()


def _path(draw: ImageDraw.ImageDraw, path: Path) -> None:
    """Each segment as a rectangle reaching half the width past its ends: square joins, no gaps at the steps."""
    half = path.width / 2
    for (x1, y1), (x2, y2) in zip(path.points, path.points[1:], strict=False):
        for (a1, b1), (a2, b2) in _dashes((x1, y1), (x2, y2), path.dash):
            left, right = min(a1, a2) - half, max(a1, a2) + half
            top, bottom = min(b1, b2) - half, max(b1, b2) + half
            draw.rectangle((round(left), round(top), max(round(left), round(right) - 1),
                            max(round(top), round(bottom) - 1)), fill=path.color)


def _dashes(start: tuple[float, float], end: tuple[float, float],
            dash: float) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    if not dash:
        return [(start, end)]
    (x1, y1), (x2, y2) = start, end
    length = abs(x2 - x1) + abs(y2 - y1)  # axis-parallel
    if length == 0:
        return [(start, end)]
    dx, dy = (x2 - x1) / length, (y2 - y1) / length
    out = []
    at = 0.0
    while at < length:
        stop = min(at + dash, length)
        out.append(((x1 + dx * at, y1 + dy * at), (x1 + dx * stop, y1 + dy * stop)))
        at += 2 * dash
    return out


def svg_of(c: Canvas) -> str:
    """Inline SVG with its accessible name and description; every text escaped (it comes from the catalogues)."""
    n = next(_ids)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {c.width} {c.height}" role="img" '
             f'aria-labelledby="pic{n}t pic{n}d" font-family="{escape(FONT_STACK)}">',
             f'<title id="pic{n}t">{escape(c.title)}</title><desc id="pic{n}d">{escape(c.desc)}</desc>',
             f'<rect width="{c.width}" height="{c.height}" fill="{c.background}"/>']
    for item in c.items:
        if isinstance(item, Rect):
            radius = f' rx="{item.radius:g}"' if item.radius else ""
            parts.append(f'<rect x="{item.x:.1f}" y="{item.y:.1f}" width="{item.w:.1f}" height="{item.h:.1f}"'
                         f'{radius} fill="{item.fill}"/>')
        elif isinstance(item, Text):
            weight = ' font-weight="700"' if item.weight >= 600 else ""
            anchor = "" if item.anchor == "start" else f' text-anchor="{item.anchor}"'
            parts.append(f'<text x="{item.x:.1f}" y="{item.y:.1f}" font-size="{item.size}"{weight}{anchor} '
                         f'fill="{item.color}">{escape(item.text)}</text>')
        else:
            d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(item.points))
            dash = f' stroke-dasharray="{item.dash:g}"' if item.dash else ""
            parts.append(f'<path d="{d}" fill="none" stroke="{item.color}" stroke-width="{item.width:g}"'
                         f' stroke-linecap="square"{dash}/>')
    parts.append("</svg>")
    return "".join(parts)
