"""Tousu's portable dump: every table as JSON lines in one gzip file, for any database.

Layout (one JSON value a line)::

    {"format": "tousu-dump", "version": 1, "schema": "0007", "created_at": …,
     "source": "sqlite", "tables": [{"name": "platform", "columns": [["id", "int"], …]}, …]}
    {"table": "platform"}
    [1, "小红书", "社交电商", true, "2024-01-01T00:00:00"]
    …
    {"end": "tousu-dump", "counts": {"platform": 12, …}, "sha256": "…"}

The last line carries the row counts and the SHA-256 of every line before it, so a file
cut short, edited or damaged is found before anything is written (:func:`open_dump`
reads it through once), and gzip's own CRC catches damage inside the compressed stream.
Times and decimals are text (ISO 8601, exact digits); booleans are JSON booleans.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import zlib
from collections.abc import Iterator
from datetime import datetime
from itertools import chain, groupby
from pathlib import Path
from typing import IO, Any

from models.errors import TousuError
from models.ops.contents import Collector
from models.ops.transfer import BATCH, Batches, Progress, Source, TableSpec, decode, encode

FORMAT = "tousu-dump"
VERSION = 1
GZIP_MAGIC = b"\x1f\x8b"


def _line(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def write(path: Path, source: Source, dialect: str, progress: Progress | None = None) -> None:
    """Write ``source`` to ``path`` (first to a temporary name: never a partial file)."""
    partial = path.with_name(path.name + ".partial")
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as out,
        ):

            def put(value: Any) -> None:
                data = _line(value)
                digest.update(data)
                out.write(data)

            put(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "schema": source.revision,
                    "created_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                    "source": dialect,
                    "tables": [{"name": t.name, "columns": list(t.columns)} for t in source.tables],
                }
            )
            for spec, batches in source.sections():
                put({"table": spec.name})
                counts[spec.name] = _write_rows(put, spec, batches, source, progress)
            out.write(_line({"end": FORMAT, "counts": counts, "sha256": digest.hexdigest()}))
            out.flush()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _write_rows(put, spec: TableSpec, batches: Batches, source: Source, progress) -> int:
    kinds = [k for _name, k in spec.columns]
    done, total = 0, source.counts.get(spec.name, 0)
    for rows in batches:
        for row in rows:
            put([encode(v, k) for v, k in zip(row, kinds, strict=True)])
        done += len(rows)
        if progress:
            progress(spec.name, done, total)
    return done


def damaged(reason: str) -> TousuError:
    return TousuError(f"备份文件已损坏或不完整：{reason}；没有写入任何内容")


def _lines(handle: IO[bytes]) -> Iterator[bytes]:
    try:
        yield from handle
    except EOFError:
        raise damaged("文件被截断") from None
    except (OSError, zlib.error) as exc:  # a bad CRC or length, a damaged stream
        raise damaged(f"压缩数据校验失败（{exc}）") from None


def _parse(data: bytes, number: int) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise damaged(f"第 {number} 行不是 JSON") from None


def _header(value: Any) -> tuple[str, list[TableSpec]]:
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        raise TousuError("不是 Tousu 的备份文件")
    if value.get("version") != VERSION:
        raise TousuError(f"备份文件格式版本 {value.get('version')} 不受支持（本版本读 {VERSION}）")
    try:
        tables = [
            TableSpec(t["name"], tuple((c[0], c[1]) for c in t["columns"])) for t in value["tables"]
        ]
        return str(value["schema"]), tables
    except (KeyError, TypeError, IndexError):
        raise damaged("文件头不完整") from None


class _Reader:
    """Reads a dump line by line, checking structure, counts and checksum as it goes."""

    def __init__(self, path: Path, expected: str | None = None) -> None:
        self.path = path
        #: The checksum a first reading found: a second must find the same file.
        self.expected = expected
        self.checksum = ""
        self.revision = ""
        self.tables: list[TableSpec] = []
        self.counts: dict[str, int] = {}

    def rows(self) -> Iterator[tuple[TableSpec, list]]:
        """Every row with its table; raises TousuError at the first fault and, after the
        last row, when the end marker does not match what was read."""
        digest = hashlib.sha256()
        current, trailer = None, None
        with gzip.open(self.path, "rb") as handle:
            for number, data in enumerate(_lines(handle), start=1):
                if trailer is not None:
                    raise damaged("结束标记之后还有内容")
                value = _parse(data, number)
                if number == 1:
                    self.revision, self.tables = _header(value)
                elif isinstance(value, list):
                    if current is None or len(value) != len(current.columns):
                        raise damaged(f"第 {number} 行的列数不对")
                    self.counts[current.name] += 1
                    yield current, value
                elif isinstance(value, dict) and "table" in value:
                    current = _next_table(self.tables, self.counts, value["table"])
                elif isinstance(value, dict) and value.get("end") == FORMAT:
                    trailer = value
                    continue
                else:
                    raise damaged(f"第 {number} 行无法识别")
                digest.update(data)
        if not self.tables and trailer is None:
            raise damaged("文件是空的")
        self.checksum = digest.hexdigest()
        _check_trailer(trailer, self.checksum, self.counts, self.tables)
        if self.expected is not None and self.checksum != self.expected:
            raise damaged("文件在检查之后被换成了另一个")


def _next_table(tables: list[TableSpec], counts: dict[str, int], name: Any) -> TableSpec:
    expected = [t for t in tables if t.name not in counts]
    if not expected or expected[0].name != name:
        raise damaged(f"表 {name} 出现的位置不对")
    counts[name] = 0
    return expected[0]


def _check_trailer(trailer, checksum: str, counts: dict[str, int], tables) -> None:
    if trailer is None:
        raise damaged("缺少结束标记（文件被截断）")
    if trailer.get("sha256") != checksum:
        raise damaged("校验和不符（内容被改动）")
    if trailer.get("counts") != counts or len(counts) != len(tables):
        raise damaged("行数与结束标记不符")


def _decoded(rows: Iterator[tuple[TableSpec, list]]) -> Batches:
    batch: list[tuple] = []
    for spec, row in rows:
        batch.append(tuple(decode(v, k) for v, (_n, k) in zip(row, spec.columns, strict=True)))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def open_dump(path: Path) -> Source:
    """A verified dump as a :class:`Source`: read through once now (its contents noted
    for the summary), and again when loaded — verified again, and required to be the same
    file — so a file changed in between fails the load (rolled back)."""
    first = _Reader(path)
    noted = Collector()
    for spec, row in first.rows():
        try:
            noted.add(spec, row)
        except (ValueError, TypeError, KeyError, IndexError):
            raise damaged(f"表 {spec.name} 中有无法读取的一行") from None
    contents = noted.contents(first.counts)

    def sections() -> Iterator[tuple[TableSpec, Batches]]:
        again = _Reader(path, expected=first.checksum)
        for _name, group in groupby(again.rows(), key=lambda item: item[0].name):
            rows = iter(group)
            head = next(rows)
            yield head[0], _decoded(chain([head], rows))

    return Source(first.revision, first.tables, first.counts, sections, lambda: contents, "备份")


def is_dump(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC
