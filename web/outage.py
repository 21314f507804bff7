"""A database that cannot be used: what a page says instead, and how it comes back by itself.

The first run in a process creates or upgrades the schema (:func:`ready`), so
`streamlit run dashboard/app.py` works on a new or older database like `tousu serve`.
While the database cannot be reached — a server restarting, a file that cannot be opened —
:func:`guard` replaces the page with one sentence in Chinese and a small fragment that
tries again every few seconds and reruns the whole page as soon as the database answers:
never a traceback, never Streamlit's redacted error box.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from models.clock import local_now
from models.errors import TousuError
from models.store import faults, freshness, schema
from models.store.db import session_scope
from web import data

RETRY_SECONDS = 3
ADVICE = (
    "数据库恢复后，本页会自动刷新（每 {seconds} 秒重试一次），无需手动操作。"
    "如果长时间没有恢复，请联系管理员（在服务器上运行 `tousu doctor` 可查看原因）。"
)


class NotReady(TousuError):
    """The schema cannot be prepared (a database written by a newer Tousu)."""


class _Prepared:
    """``schema.prepare`` per database, remembered for a minute: checked again then (one
    read), in case the database was replaced under the running app; a failure is not
    remembered, so the next run tries again. Viewers arriving together wait for one check.
    (``st.cache_resource`` did the same at about 0.3 ms a call, on every page run.)"""

    SECONDS = 60

    def __init__(self) -> None:
        self._done: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def _fresh(self, url: str) -> str | None:
        hit = self._done.get(url)
        return hit[1] if hit is not None and time.monotonic() - hit[0] < self.SECONDS else None

    def __call__(self, url: str) -> str:
        found = self._fresh(url)
        if found is not None:
            return found
        with self._lock:
            found = self._fresh(url)
            if found is None:
                found = schema.prepare(data.engine(url))
                self._done[url] = (time.monotonic(), found)
            return found

    def clear(self) -> None:
        self._done.clear()


_prepared = _Prepared()


def ready() -> None:
    """Make sure the database has the current schema (created or upgraded on first use)."""
    try:
        _prepared(data.database_url())
    except TousuError as exc:
        raise NotReady(str(exc)) from None


def reachable() -> bool:
    """True when the database answers a read again (and has its schema)."""
    try:
        ready()
        with session_scope(data.engine(data.database_url())) as session:
            freshness.current(session)
    except (NotReady, *faults.CANDIDATES):
        return False
    return True


@st.fragment(run_every=RETRY_SECONDS)
def _retry() -> None:
    if reachable():
        st.rerun()  # the whole page, now that the data can be read
    st.caption(f"最近一次尝试：{local_now():%H:%M:%S}")


def show(title: str, message: str, *, retry: bool = True) -> None:
    """Say what is wrong, then (``retry``) keep trying in the background; stops the run."""
    st.title(title)
    if retry:
        st.warning(f"{message}{ADVICE.format(seconds=RETRY_SECONDS)}")
        _retry()
    else:
        st.warning(message)
        st.button("返回", key="outage_back")  # any click reruns the page
    st.stop()


@contextmanager
def guard(before: Callable[[], None] | None = None) -> Iterator[None]:
    """Run a page (or part of one); on a database fault show :func:`show` instead.

    ``before`` runs first when a fault is shown (the entry script keeps the page's URL).
    """
    try:
        yield
    except NotReady as exc:
        if before:
            before()
        show("数据库结构版本不符", f"{exc}。")
    except faults.CANDIDATES as exc:
        fault = faults.describe(exc)
        if fault is None:
            raise  # a bug, not a fault: let it be seen
        if before:
            before()
        if fault.stops_reading:
            show(fault.message, "看板现在读不到数据，此时提交的修改没有保存。")
        else:  # reads still work: retrying at once would hide the message
            show(
                fault.message,
                "刚才的操作需要写入数据库，没有完成；已保存的数据不受影响，看板仍可查看。"
                "请稍后再试，或联系管理员（在服务器上运行 `tousu doctor` 可查看原因）。",
                retry=False,
            )


def guarded(render: Callable[[], None]) -> Callable[[], None]:
    """``render`` run under :func:`guard` (for fragments, which rerun on their own)."""

    @functools.wraps(render)  # the same name: the fragment keeps its identity
    def run() -> None:
        with guard():
            render()

    return run
