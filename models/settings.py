"""One settings object, read from the environment.

Every setting is an environment variable prefixed ``TOUSU_``; ``SETTINGS_HELP`` documents
them (the README's table is checked against it by a test).
"""

from __future__ import annotations

import functools
import ipaddress
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"

SETTINGS_HELP: dict[str, str] = {
    "TOUSU_DATABASE_URL": (
        "SQLAlchemy URL of the database. Default: an SQLite file data/tousu.db. "
        "PostgreSQL: postgresql://user:password@host/dbname (psycopg 3)."
    ),
    "TOUSU_TIMEZONE": "Time zone of all stored times (naive, local). Default: Asia/Shanghai.",
    "TOUSU_REFRESH_SECONDS": "How often open dashboards refresh their figures. Default: 60.",
    "TOUSU_PUBLIC_DASHBOARDS": (
        "1 to open the dashboards to anonymous visitors (masked, reviewed data only). "
        "Default: 0 (login required)."
    ),
    "TOUSU_TRUSTED_PROXIES": (
        "Comma-separated addresses or networks of reverse proxies; only connections from "
        "these may name the client (X-Forwarded-For, for the per-client login throttle) and "
        "the scheme (X-Forwarded-Proto, for the Secure cookie). Default: none: every "
        "connection is its own client, whatever its headers say."
    ),
    "TOUSU_BASE_URL": (
        "Public address of the app, used in share links (e.g. https://tousu.example.org); "
        "an https:// address also marks the login cookie Secure; behind a proxy, the proxy's "
        "address. Default: the address the admin page is open at; on the command line, the "
        "TOUSU_BASE_URL the latest `tousu serve` was started with, else where it listens (a "
        "loopback address gets a warning)."
    ),
    "TOUSU_REPORT_ORG": (
        "The organisation's name in generated reports' sentences (\"根据“电诉宝”……受理\"). "
        "Default: Tousu."
    ),
    "TOUSU_REPORT_DATA_ORG": (
        'The data brand named in reports ("据电商大数据库“电数宝”监测数据显示", 图表编制). '
        "Default: TOUSU_REPORT_ORG."
    ),
    "TOUSU_REPORT_TEMPLATES": (
        "A folder of report templates (NAME.jinja) adding house styles to the shipped ones "
        "(2023, 2024), or replacing one of the same name: `tousu report --template NAME`. "
        "Default: none."
    ),
    "TOUSU_RATING_MIN_COMPLAINTS": (
        "Ratings resting on fewer complaints than this are marked 样本较少 wherever they are "
        "shown or exported. Default: 30."
    ),
    "TOUSU_EXPORT_MAX_ROWS": (
        "At most this many complaints in one download of the case list (典型案例 page), the "
        "newest first; the page says when a list is cut. Default: 10000."
    ),
    "TOUSU_ALERT_MIN_COUNT": (
        "消费预警: a rise is flagged only when its window (the week, the two weeks or the "
        "month) holds at least this many complaints. Default: 20."
    ),
    "TOUSU_ALERT_MIN_RATIO": (
        "消费预警: … and at least this many times what the series' level and season predict. "
        "Default: 1.5."
    ),
    "TOUSU_ALERT_MIN_SCORE": (
        "消费预警: … and unusual: −log10 of its p-value at least this (2.5: p ≤ 0.003). "
        "Default: 2.5."
    ),
    "TOUSU_ALERT_MIN_DROP": (
        "消费预警: a platform's monthly 平台反馈率 or 回复时效性 falling by at least this much "
        "(0.1: ten percentage points, or 0.1 of timeliness) against the month before. "
        "Default: 0.1."
    ),
    "TOUSU_SMTP_URL": (
        "The mail server `tousu digest --send` hands the weekly digest to: "
        "smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or "
        "smtps://… (TLS from the start). Default: none (the digest is only written)."
    ),
    "TOUSU_DIGEST_TO": "Comma-separated addresses the weekly digest is mailed to. Default: none.",
    "TOUSU_DIGEST_FROM": "The digest's sender address. Default: tousu@localhost.",
    "TOUSU_STATE_DIR": (
        "Folder for what Tousu notes about itself while running (what `tousu serve` runs "
        "with, in serving.json: its address, public board, TOUSU_BASE_URL, process). "
        "Default: data/."
    ),
}


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _networks(value: str) -> tuple[str, ...]:
    """Addresses or networks, checked here so a typo fails loudly instead of trusting nothing."""
    networks = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise ValueError(
                f"TOUSU_TRUSTED_PROXIES must list IP addresses or networks, got {item!r}"
            ) from exc
    return tuple(networks)


def default_database_url() -> str:
    return f"sqlite:///{DATA_DIR / 'tousu.db'}"


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build with :meth:`from_env`."""

    database_url: str = field(default_factory=default_database_url)
    timezone: str = "Asia/Shanghai"
    refresh_seconds: int = 60
    public_dashboards: bool = False
    base_url: str | None = None
    state_dir: Path = DATA_DIR
    trusted_proxies: tuple[str, ...] = ()
    report_org: str = "Tousu"
    report_data_org: str = "Tousu"
    report_templates: Path | None = None
    rating_min_complaints: int = 30
    export_max_rows: int = 10_000
    alert_min_count: int = 20
    alert_min_ratio: float = 1.5
    alert_min_score: float = 2.5
    alert_min_drop: float = 0.1
    smtp_url: str | None = None
    digest_to: tuple[str, ...] = ()
    digest_from: str = "tousu@localhost"

    @classmethod
    def from_env(cls, environ: os._Environ[str] | dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        refresh_seconds = _whole(env, "TOUSU_REFRESH_SECONDS", 60, at_least=5)
        rating_min_complaints = _whole(env, "TOUSU_RATING_MIN_COMPLAINTS", 30, at_least=1)
        export_max_rows = _whole(env, "TOUSU_EXPORT_MAX_ROWS", 10_000, at_least=1)
        org = (env.get("TOUSU_REPORT_ORG") or "").strip() or "Tousu"
        return cls(
            database_url=env.get("TOUSU_DATABASE_URL") or default_database_url(),
            timezone=env.get("TOUSU_TIMEZONE") or "Asia/Shanghai",
            refresh_seconds=refresh_seconds,
            public_dashboards=_bool(env.get("TOUSU_PUBLIC_DASHBOARDS")),
            base_url=(env.get("TOUSU_BASE_URL") or "").strip().rstrip("/") or None,
            state_dir=Path(env.get("TOUSU_STATE_DIR") or DATA_DIR),
            trusted_proxies=_networks(env.get("TOUSU_TRUSTED_PROXIES", "")),
            report_org=org,
            report_data_org=(env.get("TOUSU_REPORT_DATA_ORG") or "").strip() or org,
            report_templates=Path(folder)
            if (folder := env.get("TOUSU_REPORT_TEMPLATES"))
            else None,
            rating_min_complaints=rating_min_complaints,
            export_max_rows=export_max_rows,
            alert_min_count=_whole(env, "TOUSU_ALERT_MIN_COUNT", 20, at_least=1),
            alert_min_ratio=_number(env, "TOUSU_ALERT_MIN_RATIO", 1.5, at_least=1.0),
            alert_min_score=_number(env, "TOUSU_ALERT_MIN_SCORE", 2.5, at_least=0.0),
            alert_min_drop=_number(env, "TOUSU_ALERT_MIN_DROP", 0.1, at_least=0.0),
            smtp_url=(env.get("TOUSU_SMTP_URL") or "").strip() or None,
            digest_to=tuple(
                a.strip() for a in (env.get("TOUSU_DIGEST_TO") or "").split(",") if a.strip()
            ),
            digest_from=(env.get("TOUSU_DIGEST_FROM") or "").strip() or "tousu@localhost",
        )


def get_settings() -> Settings:
    """The settings of this process, as the environment says now: its TOUSU_ variables are
    looked at on each call and the settings made once per set of their values — or, inside
    :func:`pinned`, the settings this thread read when it entered."""
    held = getattr(_pinned, "settings", None)
    if held is not None:
        return held
    return _settings(tuple(os.environ.get(name) for name in _names()))


_pinned = threading.local()


@contextmanager
def pinned() -> Iterator[Settings]:
    """Within, this thread's :func:`get_settings` is what it was on entering: a page run
    reads its settings once (it asks a few dozen times — every read needs the database's
    address — and looking at the environment each time was a few percent of a run)."""
    held = getattr(_pinned, "settings", None)
    _pinned.settings = held or get_settings()
    try:
        yield _pinned.settings
    finally:
        _pinned.settings = held


class _Names(dict):
    """An empty environment that notes the names asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get(self, name, default=None):
        self.asked.append(name)
        return default


@functools.cache
def _names() -> tuple[str, ...]:
    """Every variable :meth:`Settings.from_env` reads (it reads each one unconditionally)."""
    names = _Names()
    Settings.from_env(names)
    return tuple(dict.fromkeys(names.asked))


@functools.lru_cache(maxsize=32)
def _settings(values: tuple[str | None, ...]) -> Settings:
    return Settings.from_env(
        {name: value for name, value in zip(_names(), values, strict=True) if value is not None}
    )


def _whole(env, name: str, default: int, *, at_least: int) -> int:
    """A whole-number setting, raised to ``at_least``; a clear error for anything else."""
    text = env.get(name, str(default))
    try:
        return max(at_least, int(text))
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {text!r}") from exc


def _number(env, name: str, default: float, *, at_least: float) -> float:
    """A decimal setting, raised to ``at_least``; a clear error for anything else."""
    text = env.get(name, str(default))
    try:
        value = float(text)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {text!r}") from exc
    if value != value:  # NaN compares false with every threshold
        raise ValueError(f"{name} must be a number, got {text!r}")
    return max(at_least, value)
