"""Memoized frames and charts (web/chart_memo.py): made once per data, and what one caller
does to its frame never reaches the next caller."""

from __future__ import annotations

import contextlib
import warnings

import pandas as pd
import pytest

from web import chart_memo

# Every way a page could change a frame it was given, in place.
MUTATIONS = {
    "new column": lambda f: f.__setitem__("extra", 1),
    "column replaced": lambda f: f.__setitem__("count", f["count"] * 100),
    "loc": lambda f: f.loc.__setitem__((0, "count"), -1),
    "iloc": lambda f: f.iloc.__setitem__((1, 0), "changed"),
    "at": lambda f: f.at.__setitem__((0, "label"), "changed"),
    "index name": lambda f: setattr(f.index, "name", "changed"),
    "columns name": lambda f: setattr(f.columns, "name", "changed"),
    "columns": lambda f: setattr(f, "columns", ["a", "b", "c"]),
    "index": lambda f: setattr(f, "index", [7, 8, 9]),
    "attrs": lambda f: f.attrs.__setitem__("note", "changed"),
    "del column": lambda f: f.__delitem__("count"),
    "pop": lambda f: f.pop("label"),
    "insert": lambda f: f.insert(0, "first", 0),
    "update": lambda f: f.update(pd.DataFrame({"count": [5, 5, 5]})),
    "rename inplace": lambda f: f.rename(columns={"count": "n"}, inplace=True),
    "sort inplace": lambda f: f.sort_values("count", inplace=True),
    "fillna inplace": lambda f: f.fillna({"share": 0.0}, inplace=True),
    "drop inplace": lambda f: f.drop(index=0, inplace=True),
    "reset_index inplace": lambda f: f.reset_index(inplace=True),
    "series view": lambda f: f["count"].to_numpy().__setitem__(0, -5),
    "chained": lambda f: f["count"].__setitem__(0, -5),
}


@chart_memo.memoized_frame
def _frame(counts: dict[str, int]) -> pd.DataFrame:
    total = sum(counts.values())
    return pd.DataFrame(
        {
            "label": list(counts),
            "count": list(counts.values()),
            "share": [n / total if n else None for n in counts.values()],
        }
    )


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_callers_change_never_reaches_the_next_caller(mutation):
    counts = {"退款": 3, "客服": 1, "骚扰": 0}
    pristine = _frame(counts).copy(deep=True)
    given = _frame(counts)
    # pandas' own deprecations of some of these; a refusal (a read-only array) changes
    # nothing either
    with warnings.catch_warnings(), contextlib.suppress(ValueError):
        warnings.simplefilter("ignore")
        MUTATIONS[mutation](given)
    again = _frame(counts)
    pd.testing.assert_frame_equal(again, pristine)
    assert again.attrs == pristine.attrs
    assert again.index.name is None and again.columns.name is None


def test_the_same_data_gives_the_same_chart_and_other_data_another():
    made = []

    @chart_memo.memoized
    def build(counts: dict, nested: dict) -> object:
        made.append(1)
        return object()

    first = build({"a": 1}, {"x": {"b": 2}})
    assert build({"a": 1}, {"x": {"b": 2}}) is first
    assert build({"a": 2}, {"x": {"b": 2}}) is not first
    assert build({"a": 1}, {"x": {"b": 3}}) is not first
    assert len(made) == 3
