"""Shares: the fraction a download or chart holds says the percent the reports print."""

from __future__ import annotations

import io
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from models.reads.stats import shares
from models.rules.numbers import fraction, percent
from web import exports, frames

wholes = st.integers(min_value=0, max_value=10**9)


@st.composite
def part_and_whole(draw) -> tuple[int, int]:
    whole = draw(wholes)
    return draw(st.integers(min_value=0, max_value=whole)), whole


@given(part_and_whole())
def test_fraction_prints_as_the_percent(case):
    part, whole = case
    printed = percent(part, whole)
    share = fraction(printed)
    assert f"{share:.2%}" == f"{printed}%"  # what an XLSX "0.00%" cell or a chart axis shows
    assert Decimal(repr(share)) == printed / 100  # the float's shortest digits: no 0.3889000…1
    if whole:  # the printed percent is the exact share rounded half up
        exact = Fraction(100 * part, whole)
        assert abs(Fraction(printed) - exact) <= Fraction(1, 200)
        assert Fraction(printed) - exact != Fraction(-1, 200)  # a half rounds up


@settings(max_examples=25, deadline=None)  # a workbook per example
@given(st.dictionaries(st.sampled_from("甲乙丙丁戊己"), st.integers(0, 10**6), min_size=1))
def test_downloads_say_the_printed_percent(counts):
    items = shares(counts)
    frame = frames.shares(items, "问题类型")
    csv = exports.csv_frame(frame)
    assert list(csv["占比（%）"]) == [float(s.percent) for s in items]
    book = load_workbook(io.BytesIO(exports.xlsx_bytes(frame, "问题类型")))
    column = [row[2] for row in book.active.iter_rows(min_row=2)]
    assert [f"{c.value:.2%}" for c in column] == [f"{s.percent}%" for s in items]
    assert {c.number_format for c in column} == {"0.00%"}


def test_nothing_is_no_share():
    assert percent(0, 0) == Decimal("0.00") and fraction(percent(0, 0)) == 0
