"""Charts built once per data, not once per page run.

Building an Altair chart validates every encoding against the Vega-Lite schema, and turning
it into a spec validates it again: together tens of milliseconds a chart, paid by every
viewer on every run for figures that change only when the data does. Chart builders
decorated with :func:`memoized` return the same chart object for the same data, and
:func:`vega_spec` computes that object's spec once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")
SIZE = 1024  # charts kept; a page draws at most a dozen, a filter combination a new set
_charts: OrderedDict[Hashable, Any] = OrderedDict()
_specs: dict[int, tuple[Any, dict]] = {}
_lock = threading.Lock()


def _fingerprint(value: Any) -> Hashable:
    """A hashable stand-in for an argument; frames by their contents."""
    if isinstance(value, pd.DataFrame):
        # The pickle holds values, dtypes, columns and index; hashing it is ~6× quicker
        # than pandas' row hashes on the small frames charts are made of.
        return ("frame", hashlib.blake2b(pickle.dumps(value, protocol=5)).digest())
    if isinstance(value, list | tuple):
        if not any(isinstance(v, pd.DataFrame | list | tuple | dict) for v in value):
            items = tuple(value)
            try:  # plain values or frozen dataclasses (Share, Rating): the tuple itself
                hash(items)
                return ("seq", items)
            except TypeError:
                pass
        return tuple(_fingerprint(v) for v in value)
    if type(value) is dict:  # a read's counts by name (or by sector and name): not pickled
        return ("dict", tuple((k, _fingerprint(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:  # a dataclass holding a dict or a list, or the like: pickled
        return ("pickle", hashlib.blake2b(pickle.dumps(value, protocol=5)).digest())
    return value


def memoized(build: Callable[..., T]) -> Callable[..., T]:
    """``build`` returning the same chart for the same arguments (LRU, thread-safe)."""

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        key = (
            build.__qualname__,
            _fingerprint(args),
            tuple(sorted((k, _fingerprint(v)) for k, v in kwargs.items())),
        )
        with _lock:
            if key in _charts:
                _charts.move_to_end(key)
                return _charts[key]
        chart = build(*args, **kwargs)
        with _lock:
            _charts[key] = chart
            while len(_charts) > SIZE:
                _, dropped = _charts.popitem(last=False)
                _specs.pop(id(dropped), None)
        return chart

    return wrapper


def memoized_frame(build: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """``build`` of a frame made once per data (as :func:`memoized`); each caller gets a
    copy, so a page adding a column changes only its own. A shallow one: under pandas'
    copy-on-write, a change to either frame copies what it changes (names of the index
    and columns included), so the kept frame stays as built."""
    kept = memoized(build)

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> pd.DataFrame:
        return kept(*args, **kwargs).copy(deep=False)

    return wrapper


def vega_spec(chart: Any) -> dict:
    """The Vega-Lite spec Streamlit would make of ``chart``, made once per chart object.

    A fresh top-level copy each call: Streamlit moves the datasets out of the spec it is
    given (into Arrow), which must not empty the one kept here.
    """
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    with _lock:
        hit = _specs.get(id(chart))
    if hit is None or hit[0] is not chart:
        hit = (chart, _convert_altair_to_vega_lite_spec(chart))
        with _lock:
            _specs[id(chart)] = hit
    spec = dict(hit[1])
    if isinstance(spec.get("datasets"), dict):
        spec["datasets"] = dict(spec["datasets"])
    return spec


class _FrozenDeck:
    """Mixin for a pydeck Deck that serialises itself once (the provinces' outlines make
    the JSON large: hundreds of milliseconds a run otherwise), without pydeck's indentation
    (a third of the size: less for a phone to download and parse)."""

    _json: str | None = None

    def to_json(self) -> str:
        if self._json is None:
            pretty = super().to_json()  # type: ignore[misc]
            self._json = json.dumps(json.loads(pretty), separators=(",", ":"), ensure_ascii=False)
        return self._json


def frozen_deck(deck_class: type) -> type:
    """``deck_class`` whose instances serialise once; memoize the builder to reuse them."""
    return type(f"Frozen{deck_class.__name__}", (_FrozenDeck, deck_class), {})
