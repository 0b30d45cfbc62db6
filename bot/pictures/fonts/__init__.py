"""The vendored font: a subset of Noto Sans CJK SC (SIL OFL 1.1, OFL.txt beside it), cut by
tools/make_font_subset.py to the characters the pictures draw.

One variable font file (weights 100–900), opened at 400 (text) and 700 (headings, the total): one file of about
240 KB instead of two static ones of 130 KB each. Fonts are cached per size and weight (FreeType faces are cheap
to keep and ~1 ms to open).
"""

from __future__ import annotations

import functools
from pathlib import Path

from PIL import ImageFont

from locales import catalogue

FONT_FILE = Path(__file__).with_name("NotoSansSC-jifen-subset.otf")
FONT_NAME = "Noto Sans SC jifen subset"
DRAWN_PREFIXES = ("picture.", "item.name.", "action.")
"""Catalogue entries whose words the pictures draw."""
DRAWN_KEYS = ("chat.list_separator",)
EXTRA = "…·—–−"
"""Drawn by the renderers themselves (an ellipsis for a cut label, the minus of a deduction)."""
REGULAR, BOLD = 400, 700

Font = ImageFont.FreeTypeFont


def drawn_characters() -> set[str]:
    """Every character the pictures may draw, in both languages: what the subset must hold."""
    chars = {chr(c) for c in range(0x20, 0x7F)} | set(EXTRA)
    for lang in ("zh", "en"):
        for key, text in catalogue(lang).items():
            if key.startswith(DRAWN_PREFIXES) or key in DRAWN_KEYS:
                chars.update(text)
    chars.discard("\n")
    return chars


@functools.lru_cache(maxsize=32)
def font(size: int, weight: int = REGULAR) -> Font:
    face = ImageFont.truetype(str(FONT_FILE), size)
    face.set_variation_by_axes([weight])
    return face
