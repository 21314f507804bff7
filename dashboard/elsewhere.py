"""Every page's address answers, whoever opens it.

Streamlit answers an address that is not in this run's navigation with its own English
"Page not found" dialog, then runs the default page. A reader following a staff member's
link, a staff member opening an administrator's page, someone with a bookmark to
``/overview`` (the default page lives at ``/``) or to ``/account`` before the first
password change would all meet it. So every known address not open to this viewer is
registered as a hidden page that says why in Chinese, or goes where the address meant.
These pages show no data; the pages themselves still check roles on the server.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from dashboard.pages import PageSpec
from web import params


def hidden_pages(
    sections: dict[str, list],
    known: Iterable[PageSpec],
    reason: Callable[[str], str | None],
    login_form: Callable[[], None] | None = None,
) -> list:
    """Hidden pages for the ``known`` addresses missing from ``sections``.

    The default page's own address goes to ``/`` (query kept); the others say
    ``reason(path)``, or go to ``/`` when it is None (nothing to explain: 登录 when
    already logged in). With a ``login_form`` (someone who may log in), the reason comes
    with the form, and the page asked for opens once logged in: its address stays.
    """
    shown = [page for pages in sections.values() for page in pages]
    (home,) = [page for page in shown if page.url_path == ""]
    taken = {page.url_path for page in shown}
    known = list(known)
    default_path = next(spec.path for spec in known if spec.title == home.title)
    out = []
    for spec in known:
        if spec.path in taken:
            continue
        why = None if spec.path == default_path else reason(spec.path)
        # A copy per run, as app.py's pages: st.navigation sets flags on those it is given.
        out.append(copy.copy(_hidden(spec, why, _Home.of(home), login_form)))
    return out


@dataclass(frozen=True)
class _Home:
    """What a hidden page needs of the default page: where it is and what it is called."""

    page: Any = field(compare=False, hash=False)
    url_path: str
    title: str
    script_hash: str

    @classmethod
    def of(cls, page) -> _Home:
        return cls(page, page.url_path, page.title, page._script_hash)


@functools.lru_cache(maxsize=256)
def _hidden(spec: PageSpec, why: str | None, home: _Home, login_form) -> Any:
    """The hidden page answering ``spec``'s address, made once per process for the same
    reason and default page (making st.Page objects was a few percent of every run)."""
    return st.Page(
        _explain(spec.title, why, home.page, login_form) if why else _go_home(home.page),
        title=spec.title,
        url_path=spec.path,
        visibility="hidden",
    )


def _go_home(home) -> Callable[[], None]:
    def go_home() -> None:
        st.switch_page(home, query_params=params.snapshot())

    return go_home


def _explain(title: str, why: str, home, login_form) -> Callable[[], None]:
    def explain() -> None:
        if login_form is not None:
            st.info(why)
            login_form()
            return
        st.title(title)
        st.warning(why)
        st.page_link(home, label=f"前往{home.title}", icon=":material/home:")

    return explain
