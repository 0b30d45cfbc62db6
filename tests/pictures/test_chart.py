"""The road-to-120 chart: its points are the planner's projection, and it draws as PNG and SVG."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from bot.pictures import png, svg
from scoring.actions import load_catalogue
from scoring.projection import Step
from scoring.road import top_plan
from scoring.timeline import Timeline
from tests.pictures.examples import chart, names, planned, policy, profile

NAMES = names()


@pytest.mark.parametrize("name", [n for n in NAMES if not planned(n)[0].now.vetoed])
def test_the_lines_reach_the_standard_on_the_planners_dates(name: str) -> None:
    """The first date a line passes (total and eligibility) is the date the planner gives, at its total."""
    result, r = planned(name)
    timeline = Timeline(profile(name), policy(), load_catalogue().unknown_multiple, result.horizon)
    passing = [d for d, _ in r.keep if timeline.evaluate((), d).passes]
    on = result.baseline.reaches_on
    assert (passing[0] if passing else None) == (on if on is not None and on <= r.until else None)
    best = top_plan(result)
    assert (r.plan is None) == (best is None)
    if best is not None:
        points = dict(r.plan_points)
        assert points[best.reaches_on] == best.total >= r.standard
        steps = tuple(Step(next(a for a in load_catalogue().actions if a.id == x.id), x.starts_on, x.completes_on)
                      for x in best.actions)
        first = next(d for d, _ in r.plan_points if timeline.evaluate(steps, d).passes)
        assert first == best.reaches_on


@pytest.mark.parametrize("name", NAMES)
def test_every_point_is_the_projection_on_its_date(name: str) -> None:
    result, r = planned(name)
    p = profile(name)
    timeline = Timeline(p, policy(), load_catalogue().unknown_multiple, result.horizon)
    for d, v in r.keep[:: max(1, len(r.keep) // 6)]:
        assert timeline.evaluate((), d).total == v
    assert r.keep[0] == (result.as_of, result.now.total)


def test_a_plan_that_reaches_is_drawn_with_its_date() -> None:
    c = chart("B'", "zh")
    assert len(c.series) == 2
    reach = [m for m in c.markers if m.kind == "reach"]
    assert reach and reach[-1].on == c.series[1].reaches_on
    assert c.series[1].reaches_on.isoformat() in reach[-1].label
    assert any(m.kind == "words" for m in c.markers)  # keep working alone does not reach within the chart


def test_renewal_dates_are_the_expiry_and_each_endorsement_after_it() -> None:
    import datetime as dt

    from scoring.planner import plan
    from scoring.profile import Permit
    from scoring.road import road

    p = profile("B").model_copy(update={"permit": Permit(valid=True, expires_on=dt.date(2026, 12, 31))})
    result = plan(p, policy())
    r = road(p, result, policy())
    assert r.renewals[:2] == (dt.date(2026, 12, 31), dt.date(2027, 12, 31))
    assert all(d <= r.until for d in r.renewals)
    assert all(d in dict(r.keep) for d in r.renewals)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_chart_draws_as_png_and_as_accessible_svg(lang: str) -> None:
    c = chart("B'", lang)
    image = Image.open(io.BytesIO(png(c)))
    image.load()
    assert image.width == 1080 and 800 < image.height < 1500
    root = ET.fromstring(svg(c))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img"
    title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
    assert title is not None and title.text == c.title
    assert desc is not None and desc.text == c.alt
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_svg_text_is_escaped() -> None:
    from dataclasses import replace

    c = replace(chart("B", "en"), title="<script>alert(1)</script> & co")
    out = svg(c)
    assert "<script>" not in out
    ET.fromstring(out)
