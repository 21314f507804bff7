"""The read cache of web/data.py: a copy per hit, one computation per key at a time."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from web.data import _Results

values = st.recursive(
    st.none() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=12,
)


@given(values)
def test_a_hit_equals_the_value_and_is_a_copy(value):
    cache = _Results()
    first = cache.get("k", lambda: value)
    again = cache.get("k", lambda: "computed twice")
    assert first == again == value
    if isinstance(again, list | dict):
        assert again is not first  # a page changing its copy changes nobody else's
        again.clear()
        assert cache.get("k", lambda: None) == value


@dataclass(frozen=True)
class Fixed:
    name: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class HoldsAList:
    values: list[int]


def test_immutable_results_are_shared_and_their_containers_copied():
    cache = _Results()
    value = {"a": [Fixed("x", (1, 2))], "b": [Fixed("y", ())]}
    first = cache.get("k", lambda: value)
    again = cache.get("k", lambda: None)
    assert first == again == value
    assert again is not first and again["a"] is not first["a"] and again["a"] is not value["a"]
    assert again["a"][0] is first["a"][0]  # frozen, nothing to copy
    again["a"].append(Fixed("z", (3,)))
    assert cache.get("k", lambda: None) == value


def test_a_frozen_result_holding_a_list_is_still_a_copy():
    cache = _Results()
    first = cache.get("k", lambda: [HoldsAList([1, 2])])
    first[0].values.append(3)  # a frozen dataclass's list can still change
    assert cache.get("k", lambda: None) == [HoldsAList([1, 2])]


def test_viewers_asking_at_once_share_one_computation():
    cache, calls = _Results(), []

    def read():
        calls.append(1)
        time.sleep(0.05)
        return [1, 2]

    threads = [threading.Thread(target=cache.get, args=("k", read)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1
    assert cache.get("other", lambda: 3) == 3 and len(calls) == 1


def test_least_recently_used_leaves_first():
    cache = _Results()
    cache.SIZE = 2
    cache.get("a", lambda: 1)
    cache.get("b", lambda: 2)
    cache.get("a", lambda: 0)  # a used again: b is the oldest
    cache.get("c", lambda: 3)
    assert cache.get("a", lambda: "recomputed") == 1
    assert cache.get("b", lambda: "recomputed") == "recomputed"
