"""The score card: what it says (the drawing inputs) for the worked examples, and the PNG it becomes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.pictures import png
from bot.pictures.canvas import Text
from bot.pictures.card import HEIGHT, WIDTH
from bot.pictures.render import canvas
from tests.pictures.examples import card, case, names, profile

NAMES = names()


@pytest.mark.parametrize("name", NAMES)
def test_the_card_carries_the_examples_total_and_one_bar_per_counted_item(name: str) -> None:
    c = card(name, "zh")
    expected = case(name)
    assert c.total == expected["total"]
    assert c.standard == 120
    counted = {k: v for k, v in expected["items"].items() if v}
    drawn = {b.label: b.points for b in c.bars if b.points}
    from locales import translator

    t = translator("zh")
    assert drawn == {t(f"item.name.{k}"): v for k, v in counted.items()}
    assert sum(b.points for b in c.bars) == c.total
    assert c.passes == (c.total >= 120)


@pytest.mark.parametrize("name", NAMES)
def test_the_big_number_drawn_is_the_total(name: str) -> None:
    c = card(name, "en")
    texts = [i.text for i in canvas(c).items if isinstance(i, Text)]
    assert str(c.total) in texts
    biggest = max((i for i in canvas(c).items if isinstance(i, Text)), key=lambda i: i.size)
    assert biggest.text == str(c.total)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_personal_data_beyond_the_points(lang: str) -> None:
    for name in NAMES:
        c = card(name, lang)
        p = profile(name)
        words = " ".join([*c.texts(), c.alt])
        assert p.birth_date.isoformat() not in words
        assert str(p.birth_date.year) not in words
        if p.full_time_graduation_date is not None:
            assert p.full_time_graduation_date.isoformat() not in words


def test_points_that_need_confirming_are_marked() -> None:
    for name in NAMES:
        c = card(name, "zh")
        uncertain = [b for b in c.bars if not b.certain and b.points]
        assert (c.uncertain_note is not None) == bool(uncertain)
        labels = [i.text for i in canvas(c).items if isinstance(i, Text)]
        for b in uncertain:
            assert any(label.startswith(b.label) and label.endswith("*") for label in labels)


def test_the_date_and_the_rule_version_are_on_the_card() -> None:
    c = card("B", "zh")
    footer = " ".join(c.footer)
    assert "2026-03-01" in footer
    assert "2023-01-01" in footer and "2027-12-31" in footer


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_png_decodes_at_1080_by_1350(lang: str) -> None:
    data = png(card("B", lang))
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    assert image.size == (WIDTH, HEIGHT) == (1080, 1350)
    assert 20_000 < len(data) < 400_000


def test_everything_drawn_stays_on_the_card() -> None:
    for name in NAMES:
        for lang in ("zh", "en"):
            from bot.pictures.canvas import text_width

            for item in canvas(card(name, lang)).items:
                if isinstance(item, Text):
                    width = text_width(item.text, item.size, item.weight)
                    left = {"start": item.x, "middle": item.x - width / 2, "end": item.x - width}[item.anchor]
                    assert left >= 0 and left + width <= WIDTH, (name, lang, item.text)
                    assert 0 < item.y <= HEIGHT
