"""The pictures drawn: the score card (PNG) and the road-to-120 chart (SVG for the web page, PNG elsewhere).

What they show is decided in dialogs.pictures (channel-neutral drawing inputs); this package only draws them:
card.py and chart_png.py with Pillow, chart_svg.py as hand-written SVG. The font is a vendored subset of Noto
Sans CJK SC (fonts/). The choice of libraries and its measurements are in docs/architecture.md.
"""

from __future__ import annotations

from bot.pictures.render import png, svg

__all__ = ["png", "svg"]
