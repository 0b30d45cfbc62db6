"""The month helpers the dialog layer reuses instead of keeping its own copies."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.months import first_day, last_day, month_from_label, month_index, month_label, month_of

MONTHS = st.integers(min_value=month_index(1, 1), max_value=month_index(9999, 12))


@given(MONTHS)
def test_a_month_label_reads_back_as_its_month(m: int) -> None:
    assert month_from_label(month_label(m)) == m


@pytest.mark.parametrize(
    ("label", "month"), [("2027-03", 2027 * 12 + 2), ("0001-01", 12), ("9999-12", 9999 * 12 + 11)]
)
def test_month_from_label_reads_yyyy_mm(label: str, month: int) -> None:
    assert month_from_label(label) == month


@pytest.mark.parametrize("label", ["2027-13", "2027-00", "2027-3", "27-03", "2027/03", "2027-03-01", "", "２０２７-03",
                                   "2027-0a", "-2027-03"])
def test_month_from_label_refuses_what_month_label_never_writes(label: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_from_label(label)


@given(MONTHS)
def test_last_day_is_the_day_before_the_next_month_begins(m: int) -> None:
    last = last_day(m)
    assert month_of(last) == m
    assert last == dt.date.max or last + dt.timedelta(days=1) == first_day(m + 1)


@pytest.mark.parametrize(
    ("year", "month", "day"),
    [(2024, 2, 29), (2025, 2, 28), (1900, 2, 28), (2000, 2, 29), (2027, 4, 30), (2027, 12, 31), (9999, 12, 31)],
)
def test_last_day_knows_month_lengths_and_the_last_representable_month(year: int, month: int, day: int) -> None:
    assert last_day(month_index(year, month)) == dt.date(year, month, day)
