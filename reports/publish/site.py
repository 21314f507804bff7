"""The published site: every sector's publications for a period as static files, for any
web server or object store.

A build is written into a new folder beside the served one, then a symlink is switched to
it in one step (``rename``): readers see the old site or the new one, never half of either,
and a build that fails leaves the old site served whole. Each publication's input — its
content as read, the code that lays it out — is hashed; when it equals the served site's,
its files are hard-linked from there instead of rendered again, and a file rendered anew
whose bytes did not change is linked too (its date stays, so caches keep it). Publications
of other periods in the served site are carried over, so the site grows period by period.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine

from models import clock
from models.access.policy import PUBLIC
from models.errors import TousuError
from models.reads import publications as pub
from models.reads import stats
from models.reads.platforms import platforms_in
from models.rules.filters import Filters
from models.rules.periods import Period, parse_code, report_order
from models.store.scope import Scope, scoped_session

MANIFEST = "manifest.json"
LOCK = ".lock"
#: Formats of a report (sector or company); the lists are pages.
REPORT_FORMATS = ("html", "pdf", "docx")
LABELS = {"html": "网页", "pdf": "PDF", "docx": "Word", "md": "Markdown"}
ROOT = Path(__file__).resolve().parents[2]
#: What lays a publication out: a change here is a change of every page.
CODE = (
    *sorted((ROOT / "reports").rglob("*.py")),
    *sorted((ROOT / "reports" / "templates").rglob("*.html")),
    *sorted((ROOT / "reports" / "templates").rglob("*.jinja")),
    ROOT / "models" / "rules" / "report_text.py",
)

Progress = Callable[[int, int, str], None]


@dataclass
class Item:
    """One publication of the site: its files are ``path.<fmt>`` for each format."""

    kind: str
    sector: str
    period: str  # code
    title: str
    path: str  # relative, without extension
    formats: tuple[str, ...]
    key: str = ""  # hash of the input
    files: dict[str, str] = field(default_factory=dict)  # fmt → sha256

    def record(self) -> dict:
        return {
            k: getattr(self, k)
            for k in ("kind", "sector", "period", "title", "formats", "key", "files")
        }


@dataclass(frozen=True)
class Result:
    site: Path  # the new build's folder
    items: int
    written: int  # files rendered with new bytes
    kept: int  # files linked unchanged from the served site


def segment(name: str) -> str:
    """``name`` as one path segment: no separator, no dot first; a changed name gets a hash
    of the original so two names never meet."""
    safe = re.sub(r'[\x00-\x1f\x7f/\\?#%*:|"<>]', "_", name).strip(" .") or "_"
    if safe != name:
        safe += "-" + hashlib.sha1(name.encode()).hexdigest()[:6]
    return safe


def periods_within(period: Period, today: date) -> list[Period]:
    """The named periods inside ``period`` that have begun by ``today``, reports' order."""
    return [
        p
        for p in report_order(period.year)
        if period.first_day <= p.first_day
        and p.last_day <= period.last_day
        and p.first_day <= today
    ]


def _code_version() -> str:
    digest = hashlib.sha256()
    for path in CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(*parts) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


class _Served:
    """The site being served now (if any): its folder and manifest."""

    def __init__(self, output: Path):
        self.folder = output.resolve() if output.is_symlink() else None
        self.items: dict[str, dict] = {}
        if self.folder is not None:
            try:
                self.items = json.loads((self.folder / MANIFEST).read_text("utf-8"))["items"]
            except (OSError, ValueError, KeyError):
                self.items = {}

    def file(self, path: str, fmt: str) -> Path | None:
        return None if self.folder is None else self.folder / f"{path}.{fmt}"


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class _Writer:
    def __init__(self, folder: Path, served: _Served):
        self.folder, self.served = folder, served
        self.written = self.kept = 0

    def reuse(self, item: Item) -> bool:
        """Link ``item``'s files from the served site when its input is unchanged."""
        old = self.served.items.get(item.path)
        if not old or old.get("key") != item.key or tuple(old.get("formats", ())) != item.formats:
            return False
        sources = [self.served.file(item.path, fmt) for fmt in item.formats]
        if not all(s is not None and s.is_file() for s in sources):
            return False
        for fmt, source in zip(item.formats, sources, strict=True):
            self._target(item.path, fmt).parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(source, self._target(item.path, fmt))
        item.files = dict(old["files"])
        self.kept += len(sources)
        return True

    def write(self, item: Item, files: dict[str, bytes]) -> None:
        for fmt, data in files.items():
            digest = hashlib.sha256(data).hexdigest()
            target = self._target(item.path, fmt)
            target.parent.mkdir(parents=True, exist_ok=True)
            old = self.served.file(item.path, fmt)
            previous = self.served.items.get(item.path, {}).get("files", {}).get(fmt)
            if old is not None and previous == digest and old.is_file():
                _link_or_copy(old, target)
                self.kept += 1
            else:
                target.write_bytes(data)
                self.written += 1
            item.files[fmt] = digest

    def _target(self, path: str, fmt: str) -> Path:
        return self.folder / f"{path}.{fmt}"


def _home(path: str) -> str:
    return "../" * path.count("/") + "index.html"


def _downloads(item: Item) -> list[tuple[str, str]]:
    name = quote(item.path.rsplit("/", 1)[-1])
    return [(LABELS[f], f"{name}.{f}") for f in item.formats if f != "html"]


def build(
    engine: Engine,
    period: Period,
    output: Path,
    *,
    scope: Scope = PUBLIC,
    filters: Filters = Filters(),
    formats: tuple[str, ...] = REPORT_FORMATS,
    top: int = 10,
    org: str = "Tousu",
    data_org: str = "Tousu",
    today: date | None = None,
    progress: Progress | None = None,
) -> Result:
    """Publish every sector's publications for ``period`` under ``output`` (a symlink this
    switches to the new build), as ``scope`` may see them (the public's by default), within
    ``filters`` (some sectors only, say: the others' pages stay as they were)."""
    from reports import write_all as write_report
    from reports.publish import pages
    from reports.publish import write_all as write_publication

    today = today or clock.today()
    output = output.absolute()
    if output.exists() and not output.is_symlink():
        if not output.is_dir() or any(output.iterdir()):
            raise TousuError(f"{output} 已存在且不是 tousu publish 生成的站点（应为符号链接）")
        output.rmdir()
    builds = output.parent / f".{output.name}.builds"
    builds.mkdir(parents=True, exist_ok=True)
    with _only_build(builds):
        served = _Served(output)
        folder = builds / f"{datetime.now():%Y%m%d-%H%M%S-%f}-{os.getpid()}"
        folder.mkdir()
        writer = _Writer(folder, served)
        code = _code_version()
        report_formats = tuple(f for f in REPORT_FORMATS if f in formats)
        built: dict[str, Item] = {}
        scope = Scope(scope.filters.intersect(filters), scope.reveal_personal)
        try:
            with scoped_session(engine, scope) as session:
                covered = {p.sector for p in platforms_in(session, Filters())}
                items = _plan(session, period, today, top, report_formats)
                for done, (item, read) in enumerate(items):
                    if progress:
                        progress(
                            done,
                            len(items),
                            f"{item.sector} {item.period} {pub.KIND_NAMES[item.kind]}",
                        )
                    doc = read(session, org=org, data_org=data_org, today=today)
                    if doc is None:
                        continue
                    item.title = doc.title
                    nav = {"home": _home(item.path), "downloads": _downloads(item)}
                    item.key = _key(code, item.kind, item.formats, doc, nav)
                    if not writer.reuse(item):
                        if item.kind == "sector":
                            files = write_report(doc, item.formats)
                        else:
                            files = write_publication(doc, item.formats, **nav)
                        writer.write(item, files)
                    built[item.path] = item
            # the served site's publications of other periods stay published
            for path, old in served.items.items():
                if path in built or (_inside(old["period"], period) and old["sector"] in covered):
                    continue  # rebuilt, or no longer has data
                item = Item(
                    **{k: (tuple(v) if k == "formats" else v) for k, v in old.items()}, path=path
                )
                if writer.reuse(item):
                    built[path] = item
            index = pages.index("消费投诉数据发布", org, _intro(built), _sectors(built))
            (folder / "index.html").write_text(index, "utf-8")
            manifest = {
                "period": period.code,
                "built": datetime.now().isoformat(timespec="seconds"),
                "items": {p: i.record() for p, i in sorted(built.items())},
            }
            (folder / MANIFEST).write_text(
                json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8"
            )
            if progress:
                progress(len(items), len(items), "完成")
        except BaseException as exc:
            shutil.rmtree(folder, ignore_errors=True)
            if isinstance(exc, OSError):
                raise TousuError(f"发布失败，原站点保持不变：{exc.strerror or exc}") from exc
            raise
        _switch(output, folder)
        _prune(builds, keep={folder, served.folder})
        return Result(folder, len(built), writer.written, writer.kept)


@contextmanager
def _only_build(builds: Path) -> Iterator[None]:
    """One build of a site at a time: a second would remove the first's folder as old."""
    with open(builds / LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TousuError("另一个 tousu publish 正在写入该站点，请稍后再试") from None
        yield


Read = Callable[..., object]


def _plan(
    session, period: Period, today: date, top: int, formats: tuple[str, ...]
) -> list[tuple[Item, Read]]:
    """Every publication of ``period`` the scope has data for, with how to read it."""
    days = pub.period_days(period)
    sectors = sorted(stats.counts(session, days, "sector"))
    within = periods_within(period, today)
    present = {p: stats.counts(session, pub.period_days(p), "sector") for p in within}
    plan: list[tuple[Item, Read]] = []
    for sector in sectors:
        base = f"{segment(sector)}/{period.code}"

        def sector_report(session, *, sector=sector, **kw):
            try:
                return pub.period_report(session, Filters(), sector, period, **kw)
            except TousuError:  # no complaints on the scope's days
                return None

        plan.append(
            (Item("sector", sector, period.code, "", f"{base}/report", formats), sector_report)
        )
        for p in within:
            if not present[p].get(sector):
                continue
            here = f"{segment(sector)}/{p.code}"

            def ratings(session, *, sector=sector, p=p, org, today, **_):
                return pub.rating_list(session, Filters(), sector, p, org=org, today=today)

            def ranks(session, *, sector=sector, p=p, org, today, **_):
                return pub.rank_list(session, Filters(), sector, p, org=org, today=today)

            plan.append(
                (Item("ratings", sector, p.code, "", f"{here}/ratings", ("html",)), ratings)
            )
            plan.append(
                (Item("leaderboard", sector, p.code, "", f"{here}/leaderboard", ("html",)), ranks)
            )
        on_board = pub.rank_list(session, Filters(), sector, period, top=top, today=today).ranks
        for rank in on_board:

            def company(session, *, name=rank.platform, org, today, **_):
                return pub.company_report(session, Filters(), name, period, org=org, today=today)

            path = f"{base}/company/{segment(rank.platform)}"
            plan.append((Item("company", sector, period.code, "", path, formats), company))
    return plan


def _inside(code: str, period: Period) -> bool:
    other = parse_code(code)
    return (
        other is not None
        and period.first_day <= other.first_day
        and other.last_day <= period.last_day
    )


def _intro(items: dict[str, Item]) -> str:
    periods = sorted({parse_code(i.period) for i in items.values()} - {None})
    years = sorted({p.year for p in periods})
    span = f"{years[0]}年" if len(years) == 1 else f"{years[0]}–{years[-1]}年" if years else ""
    return (
        f"{span}各赛道的投诉数据与典型案例报告、消费评级榜、投诉榜和企业报告，共{len(items)}种。"
        "投诉人信息已按发布惯例隐去。"
    )


KIND_ORDER = {"sector": 0, "ratings": 1, "leaderboard": 2, "company": 3}


def _sectors(items: dict[str, Item]) -> list[dict]:
    """The index: per sector, newest year first, then the reports' period order."""
    out = []
    for sector in sorted({i.sector for i in items.values()}):
        mine = [i for i in items.values() if i.sector == sector]

        def order(item: Item) -> tuple:
            p = parse_code(item.period)
            rank = report_order(p.year).index(p) if p else 99
            return (-(p.year if p else 0), rank, KIND_ORDER[item.kind], item.title)

        out.append(
            {
                "name": sector,
                "entries": [
                    {
                        "period": (parse_code(i.period) or Period(0, "year", 1)).title,
                        "title": i.title,
                        "href": quote(f"{i.path}.html"),
                        "downloads": [
                            (LABELS[f], quote(f"{i.path}.{f}")) for f in i.formats if f != "html"
                        ],
                    }
                    for i in sorted(mine, key=order)
                ],
            }
        )
    return out


def _switch(output: Path, folder: Path) -> None:
    """Point ``output`` at ``folder`` in one rename: a reader sees one site or the other."""
    link = output.with_name(f".{output.name}.{os.getpid()}.link")
    link.unlink(missing_ok=True)
    os.symlink(os.path.relpath(folder, output.parent), link)
    os.replace(link, output)


def _prune(builds: Path, keep: set) -> None:
    """Remove builds other than the new one and the one served until now (a reader may be
    in the middle of a download from it)."""
    for old in builds.iterdir():
        if old not in keep and old.name != LOCK:
            shutil.rmtree(old, ignore_errors=True)
