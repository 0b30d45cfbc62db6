"""The two pictures, as drawing inputs: the score card and the road-to-120 chart (issue #18).

Channel-neutral and free of any drawing library: what a picture shows is decided here, from the same structured
results the words are built from (the assessment, the planner's result and its projection, scoring.road), in the
user's language; bot.pictures draws it (a PNG with Pillow, an SVG for the web page). So a test can check what a
card says without decoding pixels, every channel shows the same picture, and the text alternative (``alt``, for
screen readers and channels without images) says what the picture says.

No personal data beyond the points: no birth date, no name, no answers; the card has the date it was computed
for and the rule version, the chart the projected totals, the reach dates and the renewal dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dialogs.report import item_name
from locales import Translator
from scoring import Assessment
from scoring.policy import Policy
from scoring.road import Point, Road

BASICS = ("age", "education", "insurance_years")
"""Shown on the card even at 0 points, as in the breakdown (dialogs.report)."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One counted item: its name, its points (negative for a deduction), whether they need confirming."""

    label: str
    points: int
    certain: bool


@dataclass(frozen=True, slots=True)
class ScoreCard:
    lang: str
    title: str
    total: int
    standard: int
    total_label: str
    """"126 / 120"-style words under the big number ("分 · 标准 120")."""
    status: str
    passes: bool
    bars: tuple[Bar, ...]
    uncertain_note: str | None
    footer: tuple[str, ...]
    """The date computed for, the rule version, what the card is (an estimate)."""
    alt: str

    def texts(self) -> list[str]:
        """Every text the card draws (the glyph test checks each against the vendored font)."""
        return [self.title, str(self.total), self.total_label, self.status, *(b.label for b in self.bars),
                *(_points(b.points) for b in self.bars), *([self.uncertain_note] if self.uncertain_note else []),
                *self.footer, "*"]


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    points: tuple[Point, ...]
    reaches_on: dt.date | None


@dataclass(frozen=True, slots=True)
class Marker:
    """A date drawn as a vertical line with its label (a reach date, a renewal)."""

    on: dt.date
    label: str
    kind: str
    """"reach", "renewal", or "words" (a line of words only: a series that does not reach within the chart, or
    that is at the standard already)."""


@dataclass(frozen=True, slots=True)
class RoadChart:
    lang: str
    title: str
    standard: int
    standard_label: str
    start: dt.date
    end: dt.date
    series: tuple[Series, ...]
    """Keep working first, then the top plan if there is one."""
    markers: tuple[Marker, ...]
    years: tuple[int, ...]
    """The years whose 1 January falls inside the chart (the x-axis ticks)."""
    note: str
    alt: str

    def texts(self) -> list[str]:
        numbers = [str(n) for n in range(0, max(self.top, 1) + 1, 10)]
        return [self.title, self.standard_label, *(s.label for s in self.series), *(m.label for m in self.markers),
                *(str(y) for y in self.years), self.note, *numbers]

    @property
    def top(self) -> int:
        """The y-axis maximum: above both the standard and every point, to the next ten."""
        highest = max([self.standard, *(v for s in self.series for _, v in s.points)])
        return (highest // 10 + 2) * 10


Picture = ScoreCard | RoadChart


def _points(points: int) -> str:
    return f"{points:+d}" if points < 0 else str(points)


def score_card(a: Assessment, t: Translator, policy: Policy) -> ScoreCard:
    bars = tuple(Bar(item_name(i.id, t), i.points, i.certain) for i in a.items
                 if i.counted and (i.points or i.id in BASICS))
    if a.vetoed:
        status = t("picture.card.vetoed")
    elif a.passes:
        status = t("picture.card.passes", standard=a.standard)
    else:
        status = t("picture.card.shortfall", shortfall=a.shortfall, standard=a.standard)
    if a.ineligible_reasons and not a.vetoed:
        status += t("picture.card.not_yet")
    uncertain = any(not b.certain and b.points for b in bars)
    epoch = policy.rules(a.as_of).on_epoch
    footer = (t("picture.card.date", date=a.as_of.isoformat()),
              t("picture.card.rules", since=policy.valid_from.isoformat(), until=policy.valid_until.isoformat(),
                epoch=epoch.isoformat()),
              t("picture.card.disclaimer"))
    total_label = t("picture.card.total_label", standard=a.standard)
    items = t("chat.list_separator").join(f"{b.label} {_points(b.points)}{'' if b.certain else '*'}" for b in bars)
    alt = t("picture.card.alt", total=a.total, standard=a.standard, status=status, items=items,
            date=a.as_of.isoformat())
    return ScoreCard(t.lang, t("picture.card.title"), a.total, a.standard, total_label, status, a.passes, bars,
                     t("picture.card.uncertain") if uncertain else None, footer, alt)


def road_chart(r: Road, t: Translator) -> RoadChart:
    keep = Series(t("picture.road.keep"), r.keep, r.keep_reaches_on)
    series = [keep]
    markers: list[Marker] = []
    if r.plan is not None and r.plan_points:
        names = " + ".join(t(f"action.{a.id}") for a in r.plan.actions)
        series.append(Series(t("picture.road.plan", actions=names), r.plan_points, r.plan.reaches_on))
    for s, key in zip(series, ("picture.road.keep", "picture.road.plan"), strict=False):
        if s.reaches_on is not None and r.as_of < s.reaches_on <= r.until:
            markers.append(Marker(s.reaches_on, t(f"{key}_reaches", date=s.reaches_on.isoformat()), "reach"))
        elif s.reaches_on is None:
            markers.append(Marker(r.until, t(f"{key}_never", standard=r.standard), "words"))
        elif s.reaches_on <= r.as_of:
            markers.append(Marker(r.as_of, t(f"{key}_already", standard=r.standard), "words"))
    markers += [Marker(d, t("picture.road.renewal", date=d.isoformat()), "renewal") for d in r.renewals]
    years = tuple(y for y in range(r.as_of.year + 1, r.until.year + 1) if r.as_of < dt.date(y, 1, 1) <= r.until)
    alt = _road_alt(r, series, t)
    return RoadChart(t.lang, t("picture.road.title", standard=r.standard),
                     r.standard, t("picture.road.standard", standard=r.standard), r.as_of, r.until, tuple(series),
                     tuple(markers), years, t("picture.road.note"), alt)


def _road_alt(r: Road, series: list[Series], t: Translator) -> str:
    """The chart in words: where each line starts and ends, and when it reaches the standard."""
    lines = [t("picture.road.alt", standard=r.standard, start=r.as_of.isoformat(), end=r.until.isoformat())]
    for s in series:
        first, last = s.points[0][1], s.points[-1][1]
        if s.reaches_on is None:
            lines.append(t("picture.road.alt_never", label=s.label, first=first, last=last))
        elif s.reaches_on <= r.as_of:
            lines.append(t("picture.road.alt_already", label=s.label, first=first, last=last))
        else:
            lines.append(t("picture.road.alt_reaches", label=s.label, first=first, last=last,
                           date=s.reaches_on.isoformat()))
    if r.renewals:
        lines.append(t("picture.road.alt_renewals", dates=t("chat.list_separator").join(
            d.isoformat() for d in r.renewals)))
    return "\n".join(lines)
