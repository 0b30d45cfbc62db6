"""No tofu: every character a picture draws is in the vendored font (and the font is the subset it claims)."""

from __future__ import annotations

from functools import cache

import pytest
from fontTools.ttLib import TTFont

from bot.pictures.canvas import Text
from bot.pictures.fonts import FONT_FILE, FONT_NAME, drawn_characters
from bot.pictures.render import canvas
from tests.pictures.examples import card, chart, names


@cache
def cmap() -> frozenset[int]:
    return frozenset(TTFont(str(FONT_FILE)).getBestCmap())


def missing(text: str) -> set[str]:
    return {ch for ch in text if ord(ch) not in cmap() and not ch.isspace()}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_text_drawn_for_the_worked_examples_is_in_the_font(lang: str) -> None:
    for name in names():
        for picture in (card(name, lang), chart(name, lang)):
            for item in canvas(picture).items:
                if isinstance(item, Text):
                    assert not missing(item.text), (name, item.text)


def test_the_font_holds_every_character_the_catalogue_entries_drawn_can_produce() -> None:
    lacking = {ch for ch in drawn_characters() if ord(ch) not in cmap()}
    assert not lacking, f"run tools/make_font_subset.py: the font lacks {''.join(sorted(lacking))!r}"


def test_the_font_is_a_small_renamed_subset_under_the_ofl() -> None:
    font = TTFont(str(FONT_FILE))
    assert FONT_FILE.stat().st_size < 400_000
    assert font["name"].getDebugName(1) == FONT_NAME
    names = " ".join(str(n) for n in font["name"].names if n.nameID not in (0, 13, 14))
    assert "Source" not in names  # the OFL's Reserved Font Name stays off a modified version
    assert "Open Font License" in str(font["name"].getDebugName(13))
    assert (FONT_FILE.parent / "OFL.txt").exists()
    assert "wght" in [a.axisTag for a in font["fvar"].axes]
