"""A PostgreSQL cluster of a test's own, to stop, start and restart while Tousu runs.

Never the shared cluster ("main"): other test runs use it. ``pg_createcluster`` (Debian's
postgresql-common, which `.ci/run` installs) makes a throwaway cluster on a free port;
it is dropped at the end. Needs root, as CI and the development machine run the suite.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.browser import free_port

PREFIX = "tousutest"


def available() -> str | None:
    """Why a cluster of our own cannot be made here, or None when it can."""
    if os.geteuid() != 0:
        return "throwaway PostgreSQL clusters need root (pg_createcluster)"
    if not shutil.which("pg_createcluster") or not Path("/usr/lib/postgresql").is_dir():
        return "pg_createcluster not found: apt-get install postgresql"
    return None


def _version() -> str:
    versions = sorted(
        Path("/usr/lib/postgresql").iterdir(),
        key=lambda p: [int(x) for x in p.name.split(".") if x.isdigit()],
    )
    return versions[-1].name


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr or done.stdout}")
    return done.stdout


def _drop_leftovers(version: str) -> None:
    """Drop clusters a killed test run of ours left behind (their process is gone)."""
    for line in _run("pg_lsclusters", "-h").splitlines():
        fields = line.split()
        if len(fields) < 2 or fields[0] != version or not fields[1].startswith(PREFIX + "_"):
            continue
        pid = fields[1].split("_")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            subprocess.run(["pg_dropcluster", "--stop", version, fields[1]], capture_output=True)


@dataclass
class Cluster:
    version: str
    name: str
    port: int
    url: str

    def ctl(self, action: str) -> None:
        """``pg_ctlcluster VERSION NAME start|stop|restart`` (waits until done)."""
        _run("pg_ctlcluster", self.version, self.name, action)

    def psql(self, sql: str, database: str = "postgres") -> str:
        return _run(
            "runuser", "-u", "postgres", "--", "psql", "-p", str(self.port), "-d", database,
            "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql,
        )  # fmt: skip


@contextmanager
def own_cluster() -> Iterator[Cluster]:
    """A running cluster with an empty database ``tousu`` owned by role ``tousu``."""
    version = _version()
    _drop_leftovers(version)
    name = f"{PREFIX}_{os.getpid()}_{secrets.token_hex(3)}"
    port = free_port()
    password = secrets.token_hex(12)
    _run("pg_createcluster", version, name, "-p", str(port))
    try:
        cluster = Cluster(
            version, name, port, f"postgresql://tousu:{password}@127.0.0.1:{port}/tousu"
        )
        cluster.ctl("start")
        cluster.psql(f"CREATE ROLE tousu LOGIN PASSWORD '{password}'")
        cluster.psql("CREATE DATABASE tousu OWNER tousu")
        yield cluster
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True)
