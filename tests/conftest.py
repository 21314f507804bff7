"""Shared fixtures: a fresh real database per test, on SQLite and on PostgreSQL.

PostgreSQL tests use TOUSU_TEST_POSTGRES_URL (``.ci/run`` starts a server and sets it).
Without it they are skipped locally with a visible reason; under CI a missing server fails.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from models.store import schema
from models.store.db import dispose_engines, get_engine

PG_URL = os.environ.get("TOUSU_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite file at the latest schema, copied for each test (faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = get_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    dispose_engines()
    return path


def module_database(request: pytest.FixtureRequest, tmp_path_factory) -> str:
    """An empty database at the latest schema on the backend ``request.param`` names, for a
    module's fixture that fills it once for all its tests."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp(request.param) / "tousu.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    _reset_postgres(url)
    return url


def _reset_postgres(url: str) -> None:
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    schema.upgrade(engine)


def _worker_database(url: str, worker: str) -> str:
    """A database of this test worker's own beside ``url``'s (created once, owned by the
    same role): parallel workers wipe and migrate their databases without meeting."""
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = get_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            try:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            except Exception as exc:
                pytest.fail(
                    f"cannot create {name} for test worker {worker} ({exc.__class__.__name__}): "
                    "give the test role CREATEDB, or run `pytest -n 0`"
                )
    dispose_engines()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """TOUSU_TEST_POSTGRES_URL; under pytest-xdist, a database per worker beside it."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TOUSU_TEST_POSTGRES_URL is not set: CI must run the PostgreSQL tests")
        pytest.skip("PostgreSQL: set TOUSU_TEST_POSTGRES_URL to run (see README)")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(PG_URL, worker) if worker else PG_URL


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, sqlite_template) -> Iterator[str]:
    """URL of an empty database at the latest schema, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "tousu.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url)
    yield url
    dispose_engines()


@pytest.fixture
def engine(db_url) -> Engine:
    return get_engine(db_url)


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> Iterator[str]:
    """An SQLite database only (for tests about the embedded default)."""
    path = tmp_path / "tousu.db"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"
    dispose_engines()


@pytest.fixture(scope="module")
def pg_cluster():
    """A PostgreSQL cluster of this module's own, to stop and restart (tests/pg_cluster.py)."""
    from tests import pg_cluster

    reason = pg_cluster.available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL fault tests: {reason}")
        pytest.skip(reason)
    with pg_cluster.own_cluster() as cluster:
        yield cluster
    dispose_engines()


@pytest.fixture
def deployment(tmp_path, sqlite_template) -> Iterator[str]:
    """An SQLite deployment with something in every table, in a file of its own (apart
    from ``db_url``'s), for backups and moves to another database."""
    from tests.ops_helpers import fill

    path = tmp_path / "deployment.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    fill(get_engine(url))
    yield url
    dispose_engines()


@pytest.fixture
def use_db(db_url, monkeypatch) -> str:
    """Point TOUSU_DATABASE_URL (the settings) at the test database."""
    monkeypatch.setenv("TOUSU_DATABASE_URL", db_url)
    return db_url


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium (Debian's) for a test module's pages."""
    from tests.browser import CHROMIUM, CHROMIUM_ARGS

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
