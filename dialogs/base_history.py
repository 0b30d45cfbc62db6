"""The contribution-base history as the interview stores it, and the questions it still needs.

Why a history and not one base: the base tiers count months at each multiple over the last 48 months
(POLICY.md §4), and real histories have two to four periods ("现在是2倍，2023年3月开始的；之前是1.5倍").
One base and one start month made every earlier insured month count at the legal minimum, silently
under-scoring people by 25 points or more.

Stored answers (raw, as the person said them; dialogs.profile_build turns them into ranges):

* ``base`` — the current base: ``{"multiple": 2}`` or ``{"cny": 15000}``; ``base_since`` — its first
  month ``"2023-03"``, or ``"start"`` (since the first insured month: "一直都是");
* one round per earlier period, newest first: ``base_prior`` (a base, or ``"same"``: the same as the
  later period, which therefore began earlier; or ``"unknown"``), ``base_prior_since`` (a month,
  ``"start"`` or ``"unknown"``) and, for a closed range such as "2022年到2025年8月", ``base_prior_until``.
  Finished rounds are kept, oldest last, in the list ``base_history`` (the questionnaire's loop).

The interview asks for earlier periods only while some insured month inside the look-back window has
no base yet, and stops at ``MAX_PERIODS`` periods or when the person does not know: those months then
count at the legal floor, which never overstates points (and the person is told so).

Whether a month "counts" depends on today's date: the conversation passes it to the guards as a
*fact* (``NEEDED_FROM``, the first month whose base matters), never stored with the answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from scoring.months import month_from_label

START: Final = "start"
SAME: Final = "same"
UNKNOWN: Final = "unknown"
HISTORY: Final = "base_history"
ROUND_KEYS: Final = ("base_prior", "base_prior_until", "base_prior_since")
MAX_PERIODS: Final = 4
"""The current base and three earlier ones: more than the 48-month window needs in practice."""

NEEDED_FROM: Final = "@needed_from"
"""A fact, not an answer: the month index of the first month whose base counts (the later of the first
insured month and the start of the longest look-back window). Missing: every earlier month counts."""


def is_value(value: object) -> bool:
    """An earlier round that names a base (or the same as later), as opposed to "unknown"."""
    return isinstance(value, Mapping) or value == SAME


def _month(label: object) -> int | None:
    if not isinstance(label, str) or label in (START, UNKNOWN):
        return None
    try:
        return month_from_label(label)
    except ValueError:
        return None


def _open_before(since: object, answers: Mapping[str, Any]) -> bool:
    """Months before ``since`` still count (so an earlier base is worth asking for)."""
    month = _month(since)
    if month is None:
        return False
    needed = answers.get(NEEDED_FROM)
    return not isinstance(needed, int) or month > needed


def earlier_needed(answers: Mapping[str, Any]) -> bool:
    """The current base began after the first month that counts."""
    return _open_before(answers.get("base_since"), answers)


def more_needed(answers: Mapping[str, Any]) -> bool:
    """After an earlier round: months before it still count, and there is room for one more period."""
    done = answers.get(HISTORY)
    rounds = len(done) if isinstance(done, list) else 0
    if 2 + rounds >= MAX_PERIODS or not is_value(answers.get("base_prior")):
        return False
    return _open_before(answers.get("base_prior_since"), answers)


@dataclass(frozen=True, slots=True)
class Period:
    """One period of the history: a base (``{"multiple": x}`` / ``{"cny": y}``), its first month (None:
    from the first insured month) and its last month (None: up to the next later period)."""

    base: Mapping[str, Any]
    since: int | None
    until: int | None


def rounds(answers: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The earlier rounds, newest first: the finished ones, then the one being asked."""
    done = answers.get(HISTORY)
    out = [r for r in done if isinstance(r, Mapping)] if isinstance(done, list) else []
    draft = {k: answers[k] for k in ROUND_KEYS if k in answers}
    if draft:
        out.append(draft)
    return out


def periods(answers: Mapping[str, Any]) -> list[Period]:
    """The stated periods, newest first; stops at the first round whose base or start is unknown."""
    base, since = answers.get("base"), answers.get("base_since")
    if not isinstance(base, Mapping) or since is None:
        return []
    out = [Period(base, _month(since), None)]
    if since == START:
        return out
    for r in rounds(answers):
        value, start = r.get("base_prior"), r.get("base_prior_since")
        if not is_value(value) or start in (None, UNKNOWN):
            break
        if isinstance(value, Mapping):
            out.append(Period(value, _month(start), _month(r.get("base_prior_until"))))
        else:  # "same": the later period began earlier than said
            out[-1] = Period(out[-1].base, _month(start), out[-1].until)
        if start == START:
            break
    return out


def earliest_start(answers: Mapping[str, Any]) -> int | None:
    """The first month of the oldest period stated so far (None: not dated, or from the first insured month)."""
    starts = [p.since for p in periods(answers)]
    return starts[-1] if starts else None


def later_base(answers: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The base of the period after the round being asked (a "same" round keeps the one before it)."""
    base = answers.get("base")
    for r in history:
        if isinstance(r.get("base_prior"), Mapping):
            base = r["base_prior"]
    return base if isinstance(base, Mapping) else None


def later_start(answers: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> int | None:
    """The first month of the period after the round being asked: the round must end before it."""
    if not history:
        return _month(answers.get("base_since"))
    return _month(history[-1].get("base_prior_since"))
